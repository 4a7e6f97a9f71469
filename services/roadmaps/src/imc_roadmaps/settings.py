"""Roadmaps settings: the shared ones plus its port, database, schedule and phase."""

from __future__ import annotations

import datetime as dt

from imc_runtime.settings import ServiceSettings
from pydantic import AliasChoices, Field


class RoadmapsSettings(ServiceSettings):
    service_name: str = "roadmaps"
    http_port: int = Field(
        default=8002, validation_alias=AliasChoices("IMC_ROADMAPS_PORT", "IMC_HTTP_PORT")
    )
    mongo_database: str = Field(
        default="imc_roadmaps", validation_alias=AliasChoices("IMC_ROADMAPS_DATABASE")
    )
    consumer_group: str = Field(
        default="roadmaps",
        validation_alias=AliasChoices("IMC_ROADMAPS_CONSUMER_GROUP"),
        description="Replicas of one deployment share it; only isolated test stacks change it.",
    )
    due_soon_days: int = Field(
        default=14, ge=0, le=365, validation_alias=AliasChoices("IMC_ROADMAPS_DUE_SOON_DAYS")
    )
    schedule_interval_seconds: float = Field(
        default=300, gt=0, validation_alias=AliasChoices("IMC_ROADMAPS_SCHEDULE_INTERVAL_SECONDS")
    )
    fixed_today: dt.date | None = Field(
        default=None,
        validation_alias=AliasChoices("IMC_ROADMAPS_TODAY"),
        description="Tests only: the date the service takes for today.",
    )
    current_phase: str = Field(
        default="2022-2026", validation_alias=AliasChoices("IMC_ROADMAPS_CURRENT_PHASE")
    )
    iati_reporting_org_ref: str = Field(
        default="XM-DAC-2-10",
        validation_alias=AliasChoices("IMC_ROADMAPS_IATI_REPORTING_ORG_REF"),
        description="IATI organisation identifier of whoever publishes the export.",
    )
    iati_reporting_org_type: str = Field(
        default="10", validation_alias=AliasChoices("IMC_ROADMAPS_IATI_REPORTING_ORG_TYPE")
    )
    iati_reporting_org_name: str = Field(
        default="Belgian Development Cooperation (DGD)",
        validation_alias=AliasChoices("IMC_ROADMAPS_IATI_REPORTING_ORG_NAME"),
    )
    iati_programme_identifier: str = Field(
        default="XM-DAC-2-10-IMC-MA-2022-2026",
        validation_alias=AliasChoices("IMC_ROADMAPS_IATI_PROGRAMME_IDENTIFIER"),
        description="Must start with the reporting organisation's identifier.",
    )
