"""Objectives of a roadmap and the indicators that measure them. No I/O."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from imc_contracts import Event, Localized, roadmaps
from imc_contracts.common import DisaggregatedValue, Measure, ReportingPeriod

from imc_roadmaps.domain.model import PartnershipMembers, Refused


@dataclass
class Objective:
    id: str
    partnership_id: str
    phase: str
    theme: str
    title: Localized
    description: Localized
    version: int = 0
    example: bool = False

    @classmethod
    def from_history(cls, events: Iterable[Event]) -> Objective | None:
        objective: Objective | None = None
        for event in events:
            if isinstance(event, roadmaps.ObjectivePlanned):
                p = event.payload
                objective = cls(
                    p.objective_id,
                    event.partnership_id,
                    p.phase,
                    p.theme,
                    dict(p.title),
                    dict(p.description),
                    example=p.example,
                )
        return objective


def plan_objective(
    *,
    partnership: PartnershipMembers | None,
    partnership_id: str,
    existing: Objective | None,
    objective_id: str,
    phase: str,
    theme: str,
    title: Localized,
    description: Localized,
    cause: Event,
    submission_id: str | None,
    example: bool = False,
) -> roadmaps.ObjectivePlanned:
    """Plan an objective, or edit it when its id is known already."""
    if partnership is None:
        raise Refused("partnership_unknown", partnership_id=partnership_id)
    if partnership.phases and phase not in partnership.phases:
        raise Refused("phase_unknown", phase=phase, partnership_id=partnership_id)
    if existing is not None and existing.phase != phase:
        # Its milestones were planned in the objective's phase; moving it would split them.
        raise Refused("objective_phase_fixed", objective_id=objective_id, phase=existing.phase)
    return roadmaps.ObjectivePlanned.create(
        roadmaps.ObjectivePlannedPayload(
            submission_id=submission_id,
            objective_id=objective_id,
            phase=phase,
            theme=theme,
            title=title,
            description=description,
            revision=existing is not None,
            example=example,
        ),
        partnership_id=partnership_id,
        caused_by=cause,
    )


def _dimension(value: DisaggregatedValue) -> tuple[str | None, str | None]:
    return (value.group, value.sex)


@dataclass
class Indicator:
    id: str
    partnership_id: str
    objective_id: str | None
    title: Localized
    description: Localized
    measure: Measure
    unit: str | None
    baseline: DisaggregatedValue | None
    baseline_year: int | None
    periods: list[ReportingPeriod]
    actuals: dict[str, list[DisaggregatedValue]] = field(default_factory=dict)
    version: int = 0
    example: bool = False

    @classmethod
    def from_history(cls, events: Iterable[Event]) -> Indicator | None:
        indicator: Indicator | None = None
        for event in events:
            match event:
                case roadmaps.IndicatorDefined(payload=p):
                    actuals = indicator.actuals if indicator else {}
                    indicator = cls(
                        p.indicator_id,
                        event.partnership_id,
                        p.objective_id,
                        dict(p.title),
                        dict(p.description),
                        p.measure,
                        p.unit,
                        p.baseline,
                        p.baseline_year,
                        list(p.periods),
                        actuals,
                        example=p.example,
                    )
                case roadmaps.IndicatorValueRecorded(payload=p) if indicator is not None:
                    merged = {_dimension(v): v for v in indicator.actuals.get(p.period_id, [])}
                    merged.update({_dimension(v): v for v in p.values})
                    indicator.actuals[p.period_id] = list(merged.values())
                case _:
                    pass
        return indicator

    def record_values(
        self,
        period_id: str,
        values: Sequence[DisaggregatedValue],
        note: str | None,
        *,
        cause: Event,
        submission_id: str | None,
    ) -> roadmaps.IndicatorValueRecorded:
        """Values for one period, each for a group and/or sex (both absent = the total)."""
        if period_id not in {period.period_id for period in self.periods}:
            raise Refused("period_unknown", period_id=period_id, indicator_id=self.id)
        _check_values(self.measure, values)
        return roadmaps.IndicatorValueRecorded.create(
            roadmaps.IndicatorValueRecordedPayload(
                submission_id=submission_id,
                indicator_id=self.id,
                period_id=period_id,
                values=list(values),
                note=note,
            ),
            partnership_id=self.partnership_id,
            caused_by=cause,
        )


def _check_values(measure: Measure, values: Sequence[DisaggregatedValue]) -> None:
    seen: set[tuple[str | None, str | None]] = set()
    for value in values:
        dimension = _dimension(value)
        if dimension in seen:
            raise Refused("dimension_repeated", group=value.group or "-", sex=value.sex or "-")
        seen.add(dimension)
        if measure == "qualitative":
            if not value.text:
                raise Refused("qualitative_needs_text")
        elif value.value is None:
            raise Refused("value_missing", measure=measure)
        elif measure == "percentage" and not 0 <= value.value <= 100:
            raise Refused("percentage_out_of_range", value=value.value)
        elif value.value < 0:
            raise Refused("value_negative", value=value.value)


def define_indicator(
    *,
    partnership: PartnershipMembers | None,
    partnership_id: str,
    existing: Indicator | None,
    objective_ids: frozenset[str],
    payload: roadmaps.IndicatorDefinedPayload,
    cause: Event,
) -> roadmaps.IndicatorDefined:
    """Define an indicator (or redefine a known one), its baseline and reporting periods."""
    if partnership is None:
        raise Refused("partnership_unknown", partnership_id=partnership_id)
    if payload.objective_id is not None and payload.objective_id not in objective_ids:
        raise Refused("objective_unknown", objective_id=payload.objective_id)
    period_ids: set[str] = set()
    for period in payload.periods:
        if period.period_id in period_ids:
            raise Refused("period_repeated", period_id=period.period_id)
        period_ids.add(period.period_id)
        if period.end < period.start:
            raise Refused("period_backwards", period_id=period.period_id)
        _check_values(payload.measure, period.targets)
    if payload.baseline is not None:
        _check_values(payload.measure, [payload.baseline])
    if existing is not None:
        for period_id in existing.actuals:
            if period_id not in period_ids:
                # Values already reported for it would lose their period.
                raise Refused("period_has_values", period_id=period_id)
    return roadmaps.IndicatorDefined.create(payload, partnership_id=partnership_id, caused_by=cause)
