"""The streams of roadmaps' commit log: one per aggregate, named by what it is about.

``milestone:<partnership>:<milestone>``, ``objective:<partnership>:<objective>``,
``indicator:<partnership>:<indicator>``, ``evaluation:<partnership>:<phase>``,
``evidence:<partnership>:<evidence>``, ``submission:<id>`` (refusals), and one per scheduled notice,
``due_soon:<partnership>:<milestone>:<due date>`` / ``overdue:…``, whose single commit makes
the notice exactly-once across replicas.
"""

from __future__ import annotations

import datetime as dt


def parse_stream(stream: str) -> tuple[str, str, str]:
    """A stream's kind, partnership and what in it: ``milestone:p:m`` → ``(milestone, p, m)``."""
    kind, _, rest = stream.partition(":")
    partnership_id, _, entity_id = rest.partition(":")
    return kind, partnership_id, entity_id


def milestone_stream(partnership_id: str, milestone_id: str) -> str:
    return f"milestone:{partnership_id}:{milestone_id}"


def objective_stream(partnership_id: str, objective_id: str) -> str:
    return f"objective:{partnership_id}:{objective_id}"


def indicator_stream(partnership_id: str, indicator_id: str) -> str:
    return f"indicator:{partnership_id}:{indicator_id}"


def evaluation_stream(partnership_id: str, phase: str) -> str:
    return f"evaluation:{partnership_id}:{phase}"


def evidence_stream(partnership_id: str, evidence_id: str) -> str:
    return f"evidence:{partnership_id}:{evidence_id}"


def notice_stream(kind: str, partnership_id: str, milestone_id: str, due_date: dt.date) -> str:
    return f"{kind}:{partnership_id}:{milestone_id}:{due_date.isoformat()}"


def submission_stream(submission_id: str) -> str:
    return f"submission:{submission_id}"
