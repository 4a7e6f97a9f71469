"""Faults injected for real: processes SIGKILLed, Kafka, FerretDB and SMTP stopped, poison
published, a replica lost — while progress reports stream in through the registry. After
each, every accepted report is applied exactly once, every reached milestone announced
once, every email delivered once, every poison message dead-lettered.

The short runs here keep ``make test`` quick; ``make test-faults`` runs thousands of
reports per scenario with minute-long outages and prints the table."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from imc_devstack.faults import SCENARIOS, Report, Workload, problems, run_scenario, table
from imc_devstack.stack import Ports, Stack

pytestmark = pytest.mark.infra

WORKLOAD = Workload(partnerships=4, milestones=3, steps=5, concurrency=6)
OUTAGE_SECONDS = 5.0
REPORTS: list[Report] = []


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    """A stack of its own: these tests stop its servers, which the session's must not see."""
    root = tmp_path_factory.mktemp("faults")
    own = Stack(
        root / "data", Ports.free(), log_dir=root / "logs", partitions=3, environment="test"
    )
    try:
        own.start_infrastructure()
        own.start_services()
        yield own
    finally:
        own.stop()
        if REPORTS:
            print("\n" + table(REPORTS))


@pytest.mark.timeout(900)
@pytest.mark.parametrize("name", list(SCENARIOS))
def test_each_fault_loses_and_repeats_nothing(stack: Stack, name: str) -> None:
    scenario = SCENARIOS[name]
    report = run_scenario(stack, scenario, WORKLOAD, OUTAGE_SECONDS)
    REPORTS.append(report)
    print("\n" + table([report]))
    assert problems(report, scenario, WORKLOAD) == []
