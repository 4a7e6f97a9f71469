"""The registry's use cases, one function each — ``use_case(…, principal, store)`` — cut by
what they are about; this module names them all in one place."""

from __future__ import annotations

from imc_registry.service_layer.evidence import attach_evidence, evidence_download
from imc_registry.service_layer.municipalities import register_municipality, update_municipality
from imc_registry.service_layer.outcomes import (
    SUBMISSION_OUTCOMES,
    SubmissionOutcome,
    record_outcome,
)
from imc_registry.service_layer.partnerships import (
    change_partnership_status,
    create_partnership,
    update_partnership,
)
from imc_registry.service_layer.people import (
    add_coordinator,
    add_member,
    remove_coordinator,
    remove_member,
    update_coordinator,
    update_member,
)
from imc_registry.service_layer.phases import carry_over, close_phase, current_phase, open_phase
from imc_registry.service_layer.programme import (
    define_programme,
    register_organisation,
    update_organisation,
    update_programme,
)
from imc_registry.service_layer.requests import (
    cancel_milestone,
    import_roadmap,
    propose_indicator,
    propose_milestone,
    propose_objective,
    report_indicator_value,
    report_progress,
    reschedule_milestone,
    revise_milestone,
    submit_evaluation,
)

__all__ = [
    "SUBMISSION_OUTCOMES",
    "SubmissionOutcome",
    "add_coordinator",
    "add_member",
    "attach_evidence",
    "cancel_milestone",
    "carry_over",
    "change_partnership_status",
    "close_phase",
    "create_partnership",
    "current_phase",
    "define_programme",
    "evidence_download",
    "import_roadmap",
    "open_phase",
    "propose_indicator",
    "propose_milestone",
    "propose_objective",
    "record_outcome",
    "register_municipality",
    "register_organisation",
    "remove_coordinator",
    "remove_member",
    "report_indicator_value",
    "report_progress",
    "reschedule_milestone",
    "revise_milestone",
    "submit_evaluation",
    "update_coordinator",
    "update_member",
    "update_municipality",
    "update_organisation",
    "update_partnership",
    "update_programme",
]
