"""Fixtures for every test directory in the repository."""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path
from typing import Any

import pytest
from xdist.scheduler import LoadScopeScheduling

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


@pytest.hookimpl(optionalhook=True)
def pytest_xdist_make_scheduler(config: pytest.Config, log: Any) -> LoadScopeScheduling:
    """With workers (``make test`` runs two), a file's tests stay on one worker, and so do the
    web's: a stack a module or the session starts is then started once, not once a worker.
    Files go in the order they are collected, so the web's come last on their worker:
    Playwright's synchronous API marks its event loop as running in the thread for as long as
    the session's browser is open, and a test after it could not start a loop of its own."""
    config.option.loadscopereorder = False
    return _FileOrWeb(config, log)


class _FileOrWeb(LoadScopeScheduling):  # type: ignore[misc]  # xdist is untyped
    def _split_scope(self, nodeid: str) -> str:
        path = nodeid.split("::", 1)[0]
        return "tests/web" if path.startswith("tests/web/") else path
