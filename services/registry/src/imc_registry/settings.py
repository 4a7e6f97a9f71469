"""Registry settings: the shared ones plus the registry's port and database."""

from __future__ import annotations

from imc_runtime.settings import GROUP_DESCRIPTION, ServiceSettings, own
from pydantic import Field


class RegistrySettings(ServiceSettings):
    service_name: str = "registry"
    http_port: int = own("registry", "PORT", 8001, "IMC_HTTP_PORT")
    mongo_database: str = own("registry", "DATABASE", "imc_registry")
    consumer_group: str = own(
        "registry", "CONSUMER_GROUP", "registry", description=GROUP_DESCRIPTION
    )
    max_body_bytes: int = own(
        "registry",
        "MAX_BODY_BYTES",
        ServiceSettings.model_fields["max_body_bytes"].default,
        "IMC_MAX_BODY_BYTES",
        ge=1024,
        le=64 * 1024 * 1024,
        description=ServiceSettings.model_fields["max_body_bytes"].description,
    )
    evidence_max_bytes: int = Field(
        default=10 * 1024 * 1024,
        ge=1024,
        le=64 * 1024 * 1024,
        description="The largest file taken as evidence (413 beyond).",
    )
    evidence_read_timeout_seconds: float = Field(
        default=120.0,
        gt=0,
        le=900,
        description="An evidence upload must arrive within it (a slow line needs longer than "
        "an ordinary request's body).",
    )
    read_max_age_seconds: float = Field(
        default=1.0,
        ge=0,
        le=60,
        description="A partnership read (GET /v1/partnerships/{id}) is answered again from "
        "what this replica read within it; its own writes are seen at once, another "
        "replica's within it. A request with `Cache-Control: no-cache` reads the database; "
        "0 reads it every time.",
    )
    load_examples: bool = Field(
        default=False,
        description="With `python -m imc_registry.seed`: load example roadmaps for every "
        "partnership after the programme (marked as examples). make run turns it on; "
        "IMC_LOAD_EXAMPLES=false make run starts without them.",
    )
