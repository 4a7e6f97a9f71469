"""Roadmaps settings: the shared ones plus its port, database, schedule and phase."""

from __future__ import annotations

import datetime as dt
from functools import partial

from imc_runtime.settings import GROUP_DESCRIPTION, ServiceSettings, own

_own = partial(own, "roadmaps")


class RoadmapsSettings(ServiceSettings):
    service_name: str = "roadmaps"
    http_port: int = _own("PORT", 8002, "IMC_HTTP_PORT")
    mongo_database: str = _own("DATABASE", "imc_roadmaps")
    consumer_group: str = _own("CONSUMER_GROUP", "roadmaps", description=GROUP_DESCRIPTION)
    due_soon_days: int = _own("DUE_SOON_DAYS", 14, ge=0, le=365)
    schedule_interval_seconds: float = _own("SCHEDULE_INTERVAL_SECONDS", 300, gt=0)
    fixed_today: dt.date | None = _own(
        "TODAY", None, description="Tests only: the date the service takes for today."
    )
    current_phase: str = _own("CURRENT_PHASE", "2022-2026")
    iati_reporting_org_ref: str = _own(
        "IATI_REPORTING_ORG_REF",
        "XM-DAC-2-10",
        description="IATI organisation identifier of whoever publishes the export.",
    )
    iati_reporting_org_type: str = _own("IATI_REPORTING_ORG_TYPE", "10")
    iati_reporting_org_name: str = _own(
        "IATI_REPORTING_ORG_NAME", "Belgian Development Cooperation (DGD)"
    )
    iati_programme_identifier: str = _own(
        "IATI_PROGRAMME_IDENTIFIER",
        "XM-DAC-2-10-IMC-MA-2022-2026",
        description="Must start with the reporting organisation's identifier; a phase at its end "
        "(…-2022-2026) becomes the phase a file is exported for.",
    )
