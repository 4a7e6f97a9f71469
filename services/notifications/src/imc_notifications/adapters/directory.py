"""The recipient directory: a replica of the registry's people and places, built only from its events."""

from __future__ import annotations

from imc_contracts import Language, Localized
from imc_runtime.mongo import Document
from pymongo import ASCENDING
from pymongo.asynchronous.database import AsyncDatabase

from imc_notifications.domain.recipients import Recipient


class Directory:
    def __init__(self, db: AsyncDatabase[Document]) -> None:
        self._municipalities = db["municipalities"]
        self._partnerships = db["partnerships"]
        self._members = db["members"]

    async def ensure_indexes(self) -> None:
        await self._members.create_index([("municipality_id", ASCENDING)])

    # Each write replaces a whole document by id: replaying an event changes nothing.
    async def put_municipality(self, id: str, names: Localized, languages: list[Language]) -> None:
        document = {"_id": id, "names": names, "languages": languages}
        await self._municipalities.replace_one({"_id": id}, document, upsert=True)

    async def put_partnership(self, id: str, name: Localized, municipality_ids: list[str]) -> None:
        document = {"_id": id, "name": name, "municipality_ids": municipality_ids}
        await self._partnerships.replace_one({"_id": id}, document, upsert=True)

    async def put_member(self, recipient: Recipient) -> None:
        document = {
            "_id": recipient.member_id,
            "name": recipient.name,
            "email": recipient.email,
            "municipality_id": recipient.municipality_id,
            "language": recipient.language,
        }
        await self._members.replace_one({"_id": recipient.member_id}, document, upsert=True)

    async def partnership(self, id: str) -> Document | None:
        return await self._partnerships.find_one({"_id": id})

    async def municipality_languages(self, id: str) -> list[Language]:
        document = await self._municipalities.find_one({"_id": id})
        return [] if document is None else list(document["languages"])

    async def members_of(self, municipality_id: str) -> list[Recipient]:
        cursor = self._members.find({"municipality_id": municipality_id}).sort("_id", ASCENDING)
        return [
            Recipient(
                member_id=doc["_id"],
                name=doc["name"],
                email=doc["email"],
                municipality_id=doc["municipality_id"],
                language=doc["language"],
            )
            async for doc in cursor
        ]
