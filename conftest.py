"""Fixtures for every test directory in the repository."""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

import pytest

pytest_plugins = ["imc_devstack.testing"]

_OWN_BASETEMP = pytest.StashKey[Path]()


def pytest_configure(config: pytest.Config) -> None:
    # A temporary root of our own per session: pytest's shared, numbered ones are pruned by
    # whichever session starts next, which would delete a running stack's data underneath it.
    if not config.option.basetemp:
        config.option.basetemp = tempfile.mkdtemp(prefix="imc-tests-")
        config.stash[_OWN_BASETEMP] = Path(config.option.basetemp)


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    own = session.config.stash.get(_OWN_BASETEMP, None)
    if own is not None and exitstatus == 0:
        shutil.rmtree(own, ignore_errors=True)  # kept when something failed: logs are there
