"""Example answers for the OpenAPI document: what a frontend developer sees in /docs."""

from __future__ import annotations

from typing import Any

MUNICIPALITY: dict[str, Any] = {
    "id": "ait-baha",
    "municipality_id": "ait-baha",
    "names": {"fr": "Aït Baha", "ar": "آيت باها"},
    "country": "MA",
    "region": "Souss-Massa",
    "association": None,
    "languages": ["ar", "fr"],
    "note": None,
    "version": 1,
}
PARTNERSHIP: dict[str, Any] = {
    "id": "ait-baha--etterbeek",
    "partnership_id": "ait-baha--etterbeek",
    "moroccan_municipality_id": "ait-baha",
    "belgian_municipality_id": "etterbeek",
    "name": {"fr": "Aït Baha – Etterbeek", "ar": "آيت باها – إتربيك"},
    "phases": ["2017-2021", "2022-2026"],
    "partners_since": 2008,
    "themes": ["youth", "women"],
    "status": "active",
    "description": {},
    "note": None,
    "version": 2,
}
MEMBER: dict[str, Any] = {
    "id": "0193e1c2-7a4b-7c2d-9e1f-3a5b7c9d1e2f",
    "member_id": "0193e1c2-7a4b-7c2d-9e1f-3a5b7c9d1e2f",
    "name": "Fatima Idrissi",
    "email": "fatima.idrissi@example.com",
    "municipality_id": "ait-baha",
    "role": "social action officer",
    "language": "ar",
    "version": 1,
}
COORDINATOR: dict[str, Any] = {
    "id": "helene-dumont",
    "coordinator_id": "helene-dumont",
    "name": "Hélène Dumont",
    "email": "helene.dumont@example.org",
    "organisation": "Brulocalis",
    "language": "fr",
    "time_zone": "Europe/Brussels",
    "version": 1,
}
ORGANISATION: dict[str, Any] = {
    "id": "dgd",
    "organisation_id": "dgd",
    "names": {
        "fr": "Direction générale Coopération au développement et Aide humanitaire",
        "nl": "Directie-generaal Ontwikkelingssamenwerking en Humanitaire Hulp",
        "en": "Directorate-General for Development Cooperation and Humanitarian Aid",
    },
    "kind": "funder",
    "country": "BE",
    "iati_identifier": "XM-DAC-2-10",
    "iati_type": "10",
    "note": None,
    "version": 1,
}
PROGRAMME: dict[str, Any] = {
    "id": "imc-morocco",
    "programme_id": "imc-morocco",
    "names": {
        "fr": "Programme de Coopération Internationale Communale – Maroc",
        "en": "International Municipal Cooperation – Morocco",
    },
    "funder_id": "dgd",
    "coordinating_organisation_ids": ["brulocalis", "uvcw"],
    "phases": [
        {
            "phase_id": "2017-2021",
            "start": "2017-01-01",
            "end": "2021-12-31",
            "status": "closed",
            "evaluated": True,
            "description": {"fr": "Jeunes, femmes et personnes à besoins spécifiques."},
            "note": None,
        },
        {
            "phase_id": "2022-2026",
            "start": "2022-01-01",
            "end": "2026-12-31",
            "status": "running",
            "evaluated": False,
            "description": {},
            "note": None,
        },
    ],
    "iati_identifier": None,
    "note": None,
    "version": 1,
    "funder": ORGANISATION,
    "coordinating_organisations": [],
}
SUBMISSION: dict[str, Any] = {
    "id": "0193e1c2-8b5c-7d3e-8f20-4b6c8d0e2f30",
    "submission_id": "0193e1c2-8b5c-7d3e-8f20-4b6c8d0e2f30",
    "kind": "progress.reported",
    "partnership_id": "berkane--saint-gilles",
    "subject": {"kind": "milestone_id", "id": "social-service"},
    "status": "rejected",
    "code": "milestone_unknown",
    "reason": "Le jalon social-service n'existe pas.",
    "received_at": "2026-11-29T10:00:00Z",
    "decided_at": "2026-11-29T10:00:01Z",
    "request": {"milestone_id": "social-service", "progress": 60, "reported_on": "2026-11-29"},
}
ACCEPTED: dict[str, Any] = {
    "submission_id": "0193e1c2-8b5c-7d3e-8f20-4b6c8d0e2f30",
    "kind": "progress.reported",
    "subject": {"kind": "milestone_id", "id": "social-service"},
    "milestone_id": "social-service",
    "status": "received",
    "links": {"self": "/v1/submissions/0193e1c2-8b5c-7d3e-8f20-4b6c8d0e2f30"},
}
EVIDENCE_ACCEPTED: dict[str, Any] = {
    "submission_id": "4c1d7a0e9b2f4e61a8d3c5b7e9f01234",
    "kind": "evidence.attach_requested",
    "subject": {"kind": None, "id": None},
    "status": "received",
    "links": {
        "self": "/v1/submissions/4c1d7a0e9b2f4e61a8d3c5b7e9f01234",
        "download": "/v1/evidence/9e8d7c6b5a4f4e3d2c1b0a9f8e7d6c5b",
    },
    "evidence": {
        "evidence_id": "9e8d7c6b5a4f4e3d2c1b0a9f8e7d6c5b",
        "name": "liste-de-presence-atelier.pdf",
        "media_type": "application/pdf",
        "size": 184320,
        "sha256": "3f0a6c1e5b9d2a7f4c8e1b6d0a3f9c2e5b8d1a4f7c0e3b6d9a2f5c8e1b4d7a0f",
        "thumbnail": False,
        "subject": "progress",
        "report_submission_id": "0193e1c2-8b5c-7d3e-8f20-4b6c8d0e2f30",
        "milestone_id": "social-service",
        "indicator_id": None,
        "period_id": None,
        "phase": None,
    },
}
HISTORY: dict[str, Any] = {
    "items": [
        {
            "at": "2026-11-29T09:00:00Z",
            "what": "registry.partnership.status_changed.v1",
            "who": {"kind": "coordinator", "id": "helene.dumont@example.org"},
            "version": 2,
            "change": {"status": "suspended", "previous_status": "active", "reason": "Elections"},
        }
    ],
    "total": 1,
    "limit": 50,
    "offset": 0,
}


def one(example: dict[str, Any], status: int = 200) -> dict[int | str, dict[str, Any]]:
    return {status: {"content": {"application/json": {"example": example}}}}


def listing(example: dict[str, Any]) -> dict[int | str, dict[str, Any]]:
    return one({"items": [example], "total": 1, "limit": 50, "offset": 0})
