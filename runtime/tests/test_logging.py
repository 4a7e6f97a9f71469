"""Log lines carry no whole email address and no token, whoever wrote them."""

from __future__ import annotations

import json
import logging

import pytest
import structlog
from imc_runtime.logging import Repeats, configure_logging, get_logger, mask


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


def test_a_library_retrying_in_a_loop_is_written_once_per_window_with_a_count(
    capsys: pytest.CaptureFixture[str],
) -> None:
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    configure_logging(service="test", version="0", fmt="json", level="info")
    try:
        for _ in range(5000):
            logging.getLogger("aiokafka.conn").error("Unable connect to node with id %s", 1)
        logging.getLogger("aiokafka.cluster").error("Unable to update metadata from %s", [1])
        for attempt in range(3):
            get_logger("imc_runtime.consumer").warning("consumer.retry", attempt=attempt)
    finally:
        structlog.reset_defaults()
        root.handlers[:], root.level = handlers, level
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [line["event"] for line in lines] == [
        "Unable connect to node with id 1",
        "Unable to update metadata from [1]",
        "consumer.retry",
        "consumer.retry",
        "consumer.retry",
    ]


def test_the_first_line_after_the_window_says_how_many_were_held_back() -> None:
    now = [0.0]
    repeats = Repeats(libraries=("aiokafka",), every=10.0, clock=lambda: now[0])

    def line(at: float, node: int) -> logging.LogRecord | None:
        now[0] = at
        record = logging.LogRecord(
            "aiokafka.conn", logging.ERROR, __file__, 1, "Unable connect to node %s", (node,), None
        )
        return record if repeats.filter(record) else None

    shown = [line(at / 10, node=at % 3) for at in range(250)]  # 25 s, ten lines a second
    passed = [record.getMessage() for record in shown if record is not None]
    assert passed == [
        "Unable connect to node 0",
        "Unable connect to node 1 (and 99 more like it in 10 s)",
        "Unable connect to node 2 (and 99 more like it in 10 s)",
    ]
