"""structlog set up once: JSON lines in production, readable console locally."""

from __future__ import annotations

import logging
import sys
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
            renderer,
        ],
    )
    handler = logging.StreamHandler(sys.stdout)
    handler.setFormatter(formatter)
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
    # The Kafka client is chatty at INFO about every rebalance step.
    logging.getLogger("aiokafka").setLevel(max(logging.WARNING, root.level))
    logging.getLogger("uvicorn.access").setLevel(logging.WARNING)


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


def get_logger(name: str) -> structlog.stdlib.BoundLogger:
    logger: structlog.stdlib.BoundLogger = structlog.get_logger(name)
    return logger
