"""Log lines carry no whole email address and no token, whoever wrote them."""

from __future__ import annotations

import json
import logging

import pytest
import structlog
from imc_runtime.logging import configure_logging, get_logger, mask


def test_emails_are_masked_but_their_domain_kept() -> None:
    assert mask("sent to nadia.amrani@example.org") == "sent to n***@example.org"


def test_bearer_tokens_and_jwts_are_removed() -> None:
    token = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJl"
    assert "eyJ" not in mask(f"Authorization: Bearer {token}")
    assert mask(f"token={token}") == "token=***"


def test_every_line_is_masked_in_json_output(capsys: pytest.CaptureFixture[str]) -> None:
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    configure_logging(service="test", version="0", fmt="json", level="info")
    try:
        get_logger("test").info("email.sent", to="sophie.lambert@example.net", attempts=1)
        logging.getLogger("some.library").warning("failed for %s", "karim@example.com")
    finally:
        structlog.reset_defaults()
        root.handlers[:], root.level = handlers, level
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert lines[0]["to"] == "s***@example.net"
    assert lines[0]["service"] == "test"
    assert "karim@" not in lines[1]["event"]
