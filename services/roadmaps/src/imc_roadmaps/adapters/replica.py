"""What roadmaps keeps of the registry's records — partnerships, municipalities,
organisations, the programme — from the registry's events, for its rules and exports."""

from __future__ import annotations

from imc_contracts import PROGRAMME_KEY
from imc_runtime.mongo import Document
from imc_runtime.recent import Recent
from pymongo.asynchronous.database import AsyncDatabase

from imc_roadmaps.domain.model import PartnershipMembers

PROGRAMME_SECONDS = 5.0
"""How long the programme (its phases) is kept between reads. A change made here empties it;
another replica's is seen within this. The programme's events travel on a partition of
their own anyway, so a request decided meanwhile could have met the old phases as well."""


class RegistryReplica:
    def __init__(self, db: AsyncDatabase[Document]) -> None:
        self._partnerships = db["partnerships"]
        self._municipalities = db["municipalities"]
        self._organisations = db["organisations"]
        self._programme = db["programme"]
        self._programme_read: Recent[str, Document | None] = Recent(most=1)

    async def remember_partnership(self, document: Document) -> None:
        await self._partnerships.replace_one({"_id": document["_id"]}, document, upsert=True)

    async def remember_municipality(self, document: Document) -> None:
        await self._municipalities.replace_one({"_id": document["_id"]}, document, upsert=True)

    async def remember_organisation(self, document: Document) -> None:
        await self._organisations.replace_one({"_id": document["_id"]}, document, upsert=True)

    async def organisation_documents(self) -> dict[str, Document]:
        return {document["_id"]: document async for document in self._organisations.find({})}

    async def remember_programme(self, document: Document) -> None:
        self.forget_programme()
        await self._programme.replace_one({"_id": "programme"}, document, upsert=True)
        self.forget_programme()

    async def programme_document(self) -> Document | None:
        """The programme, read again once it has been kept ``PROGRAMME_SECONDS``."""
        return await self._programme_read.get(
            "programme",
            lambda: self._programme.find_one({"_id": "programme"}),
            within=PROGRAMME_SECONDS,
        )

    def forget_programme(self) -> None:
        self._programme_read.forget()

    async def municipality_documents(self) -> list[Document]:
        return [document async for document in self._municipalities.find({})]

    async def partnership_document(self, partnership_id: str) -> Document | None:
        return await self._partnerships.find_one({"_id": partnership_id})

    async def partnership_documents(self) -> list[Document]:
        return [document async for document in self._partnerships.find({}).sort("_id", 1)]

    async def partnership(self, partnership_id: str) -> PartnershipMembers | None:
        if partnership_id == PROGRAMME_KEY:
            # Programme-level milestones (a joint workshop) may fall to any municipality.
            documents = await self.partnership_documents()
            return PartnershipMembers(
                PROGRAMME_KEY,
                frozenset(m for d in documents for m in d["municipality_ids"]),
                tuple(sorted({phase for d in documents for phase in d.get("phases", [])})),
            )
        document = await self.partnership_document(partnership_id)
        if document is None:
            return None
        return PartnershipMembers(
            partnership_id,
            frozenset(document["municipality_ids"]),
            tuple(document.get("phases", [])),
        )
