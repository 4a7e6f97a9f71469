"""Roadmaps settings: the shared ones plus its port and database."""

from __future__ import annotations

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
