"""The settings of every service as one table: ``docs/configuration.md``.

``python -m imc_devstack.configuration write`` regenerates it from the settings classes, so
the table cannot drift from what the services read; a test checks it is current.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from imc_notifications.settings import NotificationsSettings
from imc_registry.settings import RegistrySettings
from imc_roadmaps.settings import RoadmapsSettings
from imc_runtime.ops import OpsSettings
from imc_runtime.settings import ServiceSettings
from pydantic import AliasChoices, SecretStr
from pydantic.fields import FieldInfo
from pydantic_core import PydanticUndefined

from imc_devstack.paths import REPO_ROOT

DOCUMENT = REPO_ROOT / "docs" / "configuration.md"
SECTIONS: tuple[tuple[str, type[ServiceSettings]], ...] = (
    ("Every service", ServiceSettings),
    ("registry", RegistrySettings),
    ("roadmaps", RoadmapsSettings),
    ("notifications", NotificationsSettings),
    ("imc-ops", OpsSettings),
)
INTRODUCTION = """\
# Configuration

Every setting is an environment variable. Each service reads the shared ones and its own;
a service refuses to start — exit status 2 and a message naming each variable, no
traceback — on a bad value or settings that contradict each other (a SASL protocol without
credentials, TLS files without TLS, STARTTLS and implicit TLS at once, …). With
`IMC_ENVIRONMENT=production` it also refuses the development secrets, PLAINTEXT Kafka
(unless `IMC_KAFKA_PLAINTEXT_ALLOWED=true` says the network is trusted) and an SMTP password
sent without TLS.

Security, in short:

- **Kafka**: `IMC_KAFKA_SECURITY_PROTOCOL=SASL_SSL` with `IMC_KAFKA_SASL_MECHANISM`
  (SCRAM-SHA-512 by default), `IMC_KAFKA_SASL_USERNAME`, `IMC_KAFKA_SASL_PASSWORD`, and the
  brokers' CA in `IMC_KAFKA_SSL_CA_FILE` (the system's trust store when unset); `SSL` with
  `IMC_KAFKA_SSL_CERT_FILE` + `IMC_KAFKA_SSL_KEY_FILE` for brokers that want client
  certificates.
- **MongoDB**: credentials and TLS in the URL, as every MongoDB driver takes them:
  `mongodb://user:password@host:27017/?tls=true&tlsCAFile=/etc/imc/mongo-ca.pem&authSource=admin`.
- **SMTP**: `IMC_SMTP_STARTTLS=true` (port 587) or `IMC_SMTP_USE_TLS=true` (port 465), with
  `IMC_SMTP_USERNAME` and `IMC_SMTP_PASSWORD`.
- **Tokens**: `IMC_JWT_SECRET` (HS256, 32+ characters), or an identity provider's RS256 key:
  `IMC_JWT_PUBLIC_KEY_FILE` (PEM) or `IMC_JWT_JWKS_FILE`, with `IMC_JWT_ISSUER` and
  `IMC_JWT_AUDIENCE`.

Secrets (marked *secret*) belong in a secret store, never in a committed file.

This file is generated: `python -m imc_devstack.configuration write`.
"""


def variables(field_name: str, field: FieldInfo) -> list[str]:
    alias = field.validation_alias
    if isinstance(alias, AliasChoices):
        return [str(choice) for choice in alias.choices]
    return [f"IMC_{field_name.upper()}"]


def default(field: FieldInfo) -> str:
    if field.default_factory is not None:
        return f"`{field.default_factory()}`"  # type: ignore[call-arg]
    value = field.default
    if value is PydanticUndefined or value is None or value == "":
        return "—"
    if isinstance(value, SecretStr):
        return "development value"
    if isinstance(value, bool):
        return f"`{str(value).lower()}`"
    return f"`{value}`"


def kind(field: FieldInfo) -> str:
    text = str(field.annotation).replace("typing.", "").replace("pathlib.", "")
    for noise in ("<class '", "'>", "pydantic.types.", "datetime."):
        text = text.replace(noise, "")
    if "SecretStr" in text:
        return "*secret*"
    if text.startswith("Literal["):
        return " \\| ".join(part.strip(" '") for part in text[8:-1].split(","))
    return text.replace("|", "\\|")


def table() -> str:
    parts = [INTRODUCTION]
    shared = ServiceSettings.model_fields
    for title, settings in SECTIONS:
        rows = []
        for name, field in settings.model_fields.items():
            own = vars(settings).get("__annotations__", {})
            if settings is not ServiceSettings and name in shared and name not in own:
                continue
            if name == "service_name":
                continue
            names = " or ".join(f"`{v}`" for v in variables(name, field))
            description = (field.description or "").replace("|", "\\|")
            rows.append(f"| {names} | {kind(field)} | {default(field)} | {description} |")
        parts.append(
            f"\n## {title}\n\n| variable | type | default | what it does |\n|---|---|---|---|\n"
            + "\n".join(rows)
            + "\n"
        )
    return "".join(parts)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m imc_devstack.configuration")
    parser.add_argument("command", choices=["write", "print"])
    args = parser.parse_args(argv)
    if args.command == "print":
        print(table(), end="")
        return
    DOCUMENT.parent.mkdir(exist_ok=True)
    Path(DOCUMENT).write_text(table(), encoding="utf-8")
    print(f"wrote {DOCUMENT.relative_to(REPO_ROOT)}")


if __name__ == "__main__":
    main()
