"""What the registry does with other services' events: mark submissions applied or rejected."""

from __future__ import annotations

from collections.abc import Mapping

from imc_contracts import Event
from imc_runtime.service import UseCase

from imc_registry.service_layer import handlers

HANDLERS: Mapping[type[Event], UseCase] = {
    # Every roadmaps event that carries a submission id answers one of our submissions.
    outcome: handlers.record_outcome
    for outcome in handlers.SUBMISSION_OUTCOMES
}
