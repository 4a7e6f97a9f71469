"""Apply a roadmap sheet the registry read and checked for form: all rows, or none.

Every row is checked against the same rules as a single request before anything is written;
one problem anywhere and nothing is written, and the rejection names every problem by row
and column. Each change is then written with an id made of the import's id and the row, so
an import interrupted half-way is finished, not doubled, when it is delivered again.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from imc_contracts import Actor, Event, Language, registry, roadmaps
from imc_contracts.registry import RoadmapRow
from imc_runtime.commits import commit_id

from imc_roadmaps.domain.model import Milestone, ObjectiveRef, Refused, plan_milestone
from imc_roadmaps.domain.reasons import reason
from imc_roadmaps.domain.streams import objective_stream, submission_stream
from imc_roadmaps.service_layer.handlers import cause_id, milestone_decision, reject
from imc_roadmaps.service_layer.phases import closed_phases, current_phase, may_change
from imc_roadmaps.service_layer.ports import Dependencies, RoadmapsRepository

COLUMN_OF_RULE = {
    "milestone_exists": "milestone_id",
    "responsible_not_partner": "responsible_municipality_id",
    "due_date_past": "due_date",
    "objective_unknown": "objective_id",
    "phase_unknown": "phase",
    "phase_mismatch": "phase",
    "phase_closed": "phase",
}


class ImportRefused(Exception):
    def __init__(self, problems: list[roadmaps.RowProblem]) -> None:
        super().__init__(f"{len(problems)} problem(s)")
        self.problems = problems


@dataclass(frozen=True)
class Imported:
    milestones: int
    objectives: int
    already_imported: int


async def import_requested(event: registry.RoadmapImportRequested, deps: Dependencies) -> None:
    """Apply a sheet, all or nothing, and answer its submission either way, once."""
    store, today = deps.store, deps.today()
    p = event.payload
    if await store.earlier(cause_id(event)) is not None:
        return  # answered already: this delivery is a replay
    language = event.actor.language if event.actor else None
    try:
        imported = await import_roadmap(
            store,
            event.partnership_id,
            p.rows,
            key=p.import_id,
            actor=event.actor,
            today=today,
            language=language,
        )
    except ImportRefused as refused:
        first = refused.problems[0]
        summary = f"row {first.row}, {first.column}: {first.message}"
        if len(refused.problems) > 1:
            summary += f" (+{len(refused.problems) - 1})"
        rejection = roadmaps.SubmissionRejectedPayload(
            submission_id=p.submission_id,
            code="sheet_refused",
            reason=summary,
            problems=refused.problems,
        )
        await reject(event, rejection, store)
        return
    answer = roadmaps.RoadmapImported.create(
        roadmaps.RoadmapImportedPayload(
            submission_id=p.submission_id,
            milestones=imported.milestones,
            objectives=imported.objectives,
            already_imported=imported.already_imported,
        ),
        partnership_id=event.partnership_id,
        caused_by=event,
    )
    await store.record(cause_id(event), submission_stream(p.submission_id), 0, [answer])


async def import_roadmap(
    store: RoadmapsRepository,
    partnership_id: str,
    rows: list[RoadmapRow],
    *,
    key: str,
    actor: Actor | None,
    today: dt.date,
    language: Language | None,
) -> Imported:
    """Check every row, then write them all; ``ImportRefused`` lists every problem found."""
    partnership = await store.partnership(partnership_id)
    if partnership is None:
        message = reason("partnership_unknown", language, partnership_id=partnership_id)
        raise ImportRefused(
            [roadmaps.RowProblem(row=1, column="-", code="partnership_unknown", message=message)]
        )
    running, closed = await current_phase(store), await closed_phases(store)
    problems: list[roadmaps.RowProblem] = []
    objectives: dict[str, roadmaps.ObjectivePlanned] = {}
    planned: list[tuple[int, Milestone, list[Event]]] = []
    seen: dict[str, int] = {}
    already = 0

    def problem(row: int, column: str, code: str, message: str) -> None:
        problems.append(roadmaps.RowProblem(row=row, column=column, code=code, message=message))

    for row in rows:
        index = row.row
        if row.milestone_id in seen:
            message = f"{row.milestone_id} is also on row {seen[row.milestone_id]}"
            problem(index, "milestone_id", "repeated", message)
            continue
        seen[row.milestone_id] = index
        if await store.earlier(_row_id(key, partnership_id, row.milestone_id)) is not None:
            already += 1  # written by an earlier delivery of this same import
            continue
        objective_ref = None
        found_before = len(problems)
        if row.objective_id:
            found = await store.objective(partnership_id, row.objective_id)
            if found is not None:
                objective_ref = ObjectiveRef(found.id, found.phase)
            elif row.objective_id in objectives:
                phase = objectives[row.objective_id].payload.phase
                objective_ref = ObjectiveRef(row.objective_id, phase)
            elif row.objective_theme:
                if not row.phase:
                    problem(index, "phase", "required", "a new objective needs its phase")
                elif partnership.phases and row.phase not in partnership.phases:
                    details = {"phase": row.phase, "partnership_id": partnership_id}
                    message = reason("phase_unknown", language, **details)
                    problem(index, "phase", "phase_unknown", message)
                elif not may_change(row.phase, closed, actor, row.backfill):
                    message = reason("phase_closed", language, phase=row.phase)
                    problem(index, "phase", "phase_closed", message)
                elif not row.objective_title:
                    message = "a new objective needs a title"
                    problem(index, "objective_title_fr", "required", message)
                else:
                    objectives[row.objective_id] = roadmaps.ObjectivePlanned.create(
                        roadmaps.ObjectivePlannedPayload(
                            objective_id=row.objective_id,
                            phase=row.phase,
                            theme=row.objective_theme,
                            title=row.objective_title,
                        ),
                        partnership_id=partnership_id,
                        correlation_id=f"import:{key}"[:200],
                        actor=actor,
                    )
                    objective_ref = ObjectiveRef(row.objective_id, row.phase)
        if len(problems) > found_before:
            continue  # its objective is refused already: its milestone would only echo that
        # As a single request: the row's phase, else its objective's, else the running one.
        phase = row.phase or (objective_ref.phase if objective_ref else running)
        if not may_change(phase, closed, actor, row.backfill):
            message = reason("phase_closed", language, phase=phase)
            problem(index, "phase", "phase_closed", message)
            continue
        try:
            event = plan_milestone(
                partnership=partnership,
                existing=await store.milestone(partnership_id, row.milestone_id),
                partnership_id=partnership_id,
                milestone_id=row.milestone_id,
                title=row.title,
                due_date=row.due_date,
                responsible_municipality_id=row.responsible_municipality_id,
                target=row.target,
                today=today,
                cause=None,
                submission_id=None,
                actor=actor,
                objective=objective_ref,
                objective_id=row.objective_id,
                phase=phase,
                weight=row.weight,
                backfill=row.backfill,
            )
        except Refused as refused:
            message = reason(refused.code, language, **refused.details)
            problem(index, COLUMN_OF_RULE.get(refused.code, "-"), refused.code, message)
            continue
        milestone = Milestone.from_history([event])
        assert milestone is not None
        planned.append((index, milestone, [event]))
    if problems:
        raise ImportRefused(problems)

    for objective_id, objective in objectives.items():
        await store.record(
            commit_id("import", key, partnership_id, "objective", objective_id),
            objective_stream(partnership_id, objective_id),
            0,
            [objective],
        )
    for _, milestone, events in planned:
        decision = await milestone_decision(
            store, milestone, events, None, before=None, actor=actor
        )
        await store.record(
            _row_id(key, partnership_id, milestone.id),
            decision.stream,
            decision.expected_version,
            decision.events,
        )
    return Imported(len(planned), len(objectives), already)


def _row_id(key: str, partnership_id: str, milestone_id: str) -> str:
    return commit_id("import", key, partnership_id, "milestone", milestone_id)
