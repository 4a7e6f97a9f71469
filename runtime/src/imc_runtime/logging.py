"""structlog set up once: JSON lines in production, readable console locally."""

from __future__ import annotations

import logging
import re
import sys
import time
from collections.abc import Callable
from typing import Any

import structlog

from imc_runtime.tracing import add_trace_id


def configure_logging(*, service: str, version: str, fmt: str, level: str) -> None:
    """Route structlog and the standard library's logging through one pipeline."""
    shared: list[Any] = [
        structlog.contextvars.merge_contextvars,
        structlog.stdlib.add_log_level,
        structlog.stdlib.add_logger_name,
        structlog.processors.TimeStamper(fmt="iso", utc=True),
        _static_fields(service=service, version=version),
        _plain_logger_names,
        add_trace_id,
    ]
    renderer: Any = (
        structlog.processors.JSONRenderer()
        if fmt == "json"
        else structlog.dev.ConsoleRenderer(colors=False)
    )
    structlog.configure(
        processors=[*shared, structlog.stdlib.ProcessorFormatter.wrap_for_formatter],
        logger_factory=structlog.stdlib.LoggerFactory(),
        wrapper_class=structlog.stdlib.BoundLogger,
        cache_logger_on_first_use=True,
    )
    formatter = structlog.stdlib.ProcessorFormatter(
        foreign_pre_chain=shared,
        processors=[
            structlog.stdlib.ProcessorFormatter.remove_processors_meta,
            structlog.processors.format_exc_info,
            mask_secrets,
            renderer,
        ],
    )
    handler = logging.StreamHandler(sys.stdout)
    handler.setFormatter(formatter)
    handler.addFilter(Repeats(libraries=("aiokafka",)))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
    # The Kafka client is chatty at INFO about every rebalance step.
    logging.getLogger("aiokafka").setLevel(max(logging.WARNING, root.level))
    logging.getLogger("uvicorn.access").setLevel(logging.WARNING)


class Repeats(logging.Filter):
    """Lets through one line of a kind per ``every`` seconds from the ``libraries`` named.

    A client that retries in a loop writes the same line thousands of times a second (aiokafka
    while Kafka is away: "Unable connect to node…", "Unable to update metadata…"), burying
    everything else and filling the disk. The first line of a kind passes; the next ones within
    ``every`` are counted, and the first after it says how many were held back. A kind is the
    logger, the level and the message before its values are put in.
    """

    MAX_KINDS = 1024

    def __init__(
        self,
        *,
        libraries: tuple[str, ...],
        every: float = 10.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        super().__init__()
        self._libraries = libraries
        self._every = every
        self._clock = clock
        self._kinds: dict[tuple[str, int, str], tuple[float, int]] = {}

    def filter(self, record: logging.LogRecord) -> bool:
        if not record.name.startswith(self._libraries):
            return True
        kind = (record.name, record.levelno, str(record.msg))
        now = self._clock()
        shown = self._kinds.get(kind)
        if shown is not None and now - shown[0] < self._every:
            self._kinds[kind] = (shown[0], shown[1] + 1)
            return False
        if shown is None and len(self._kinds) >= self.MAX_KINDS:
            self._kinds.clear()  # a library writing ever new texts: start counting afresh
        self._kinds[kind] = (now, 0)
        if shown is not None and shown[1]:
            record.msg = f"{record.msg} (and {shown[1]} more like it in {now - shown[0]:.0f} s)"
        return True


def _static_fields(**fields: str) -> structlog.types.Processor:
    def add(
        _logger: Any, _name: str, event: structlog.types.EventDict
    ) -> structlog.types.EventDict:
        for key, value in fields.items():
            event.setdefault(key, value)
        return event

    return add


def _plain_logger_names(
    _logger: Any, _name: str, event: structlog.types.EventDict
) -> structlog.types.EventDict:
    # uvicorn logs its ordinary start-up lines under "uvicorn.error"; that name alarms readers.
    if event.get("logger") == "uvicorn.error":
        event["logger"] = "uvicorn"
    return event


_EMAIL = re.compile(r"([A-Za-z0-9._%+-])[A-Za-z0-9._%+-]*@([A-Za-z0-9.-]+\.[A-Za-z]{2,})")
_BEARER = re.compile(r"(?i)(bearer\s+)[A-Za-z0-9._~+/=-]+")
_JWT = re.compile(r"\beyJ[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+")


def mask(text: str) -> str:
    """'nadia.amrani@example.org' → 'n***@example.org'; bearer tokens and JWTs → '***'."""
    text = _BEARER.sub(r"\1***", text)
    text = _JWT.sub("***", text)
    return _EMAIL.sub(r"\1***@\2", text)


def _masked(value: Any) -> Any:
    if isinstance(value, str):
        return mask(value)
    if isinstance(value, dict):
        return {key: _masked(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_masked(item) for item in value]
    return value


def mask_secrets(
    _logger: Any, _name: str, event: structlog.types.EventDict
) -> structlog.types.EventDict:
    """The last step before a line is written, for every service and library alike: no
    email address whole, no token, whatever code wrote the line."""
    return {key: _masked(value) for key, value in event.items()}


def get_logger(name: str) -> structlog.stdlib.BoundLogger:
    logger: structlog.stdlib.BoundLogger = structlog.get_logger(name)
    return logger
