"""docs/configuration.md is the settings classes' own table, regenerated, never stale."""

from __future__ import annotations

from imc_devstack import configuration


def test_the_configuration_table_is_current() -> None:
    written = configuration.DOCUMENT.read_text(encoding="utf-8")
    assert written == configuration.table(), (
        "docs/configuration.md is stale: run `make docs` (python -m imc_devstack.configuration write)"
    )


def test_every_security_setting_is_in_the_table() -> None:
    table = configuration.table()
    for variable in (
        "IMC_KAFKA_SECURITY_PROTOCOL",
        "IMC_KAFKA_SASL_PASSWORD",
        "IMC_KAFKA_SSL_CA_FILE",
        "IMC_MONGO_URL",
        "IMC_SMTP_STARTTLS",
        "IMC_SMTP_PASSWORD",
        "IMC_JWT_SECRET",
        "IMC_JWT_JWKS_FILE",
        "IMC_UNSUBSCRIBE_SECRET",
    ):
        assert f"`{variable}`" in table
