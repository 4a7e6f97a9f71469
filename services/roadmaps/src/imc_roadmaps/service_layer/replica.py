"""The registry's records roadmaps keeps a replica of: partnerships (whose municipalities
may take part in which phases), municipalities, organisations and the programme — for its
rules and its exports."""

from __future__ import annotations

from imc_contracts import registry
from imc_runtime.mongo import Document

from imc_roadmaps.service_layer.ports import Dependencies


def _partnership_document(p: registry.PartnershipCreatedPayload) -> Document:
    return {
        "_id": p.partnership_id,
        "municipality_ids": sorted({p.moroccan_municipality_id, p.belgian_municipality_id}),
        "moroccan_municipality_id": p.moroccan_municipality_id,
        "belgian_municipality_id": p.belgian_municipality_id,
        "name": dict(p.name),
        "description": dict(p.description),
        "phases": list(p.phases),
        "themes": list(p.themes),
        "status": p.status,
        "partners_since": p.partners_since,
    }


async def municipality_registered(
    event: registry.MunicipalityRegistered | registry.MunicipalityUpdated, deps: Dependencies
) -> None:
    """Names and country, for exports that name the implementing municipalities."""
    store = deps.store
    p = event.payload
    await store.remember_municipality(
        {"_id": p.municipality_id, "names": dict(p.names), "country": p.country}
    )


async def organisation_registered(
    event: registry.OrganisationRegistered | registry.OrganisationUpdated, deps: Dependencies
) -> None:
    """The funder and the coordinating associations, for the IATI export."""
    store = deps.store
    await store.remember_organisation(
        {"_id": event.payload.organisation_id, **event.payload.model_dump(mode="json")}
    )


async def programme_defined(
    event: registry.ProgrammeDefined | registry.ProgrammeUpdated, deps: Dependencies
) -> None:
    """The programme's names, organisations and phases, for the IATI export."""
    store = deps.store
    await store.remember_programme({"_id": "programme", **event.payload.model_dump(mode="json")})


async def partnership_created(
    event: registry.PartnershipCreated | registry.PartnershipUpdated, deps: Dependencies
) -> None:
    store = deps.store
    await store.remember_partnership(_partnership_document(event.payload))


async def partnership_status_changed(
    event: registry.PartnershipStatusChanged, deps: Dependencies
) -> None:
    store = deps.store
    document = await store.partnership_document(event.payload.partnership_id)
    if document is not None:
        # Safe read-modify-write: one partnership's events arrive in order on one partition.
        await store.remember_partnership({**document, "status": event.payload.status})
