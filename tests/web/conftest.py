"""A whole system of its own for the browser tests, with the real programme loaded and the
web frontend served, and Debian's Chromium driven by Playwright.

The programme's definition restricts phases programme-wide, so it is not loaded into the
session's shared registry: these tests get their own Kafka, FerretDB, Mailpit,
services and frontend, on free ports, stopped afterwards.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from imc_devstack import build
from imc_devstack.browser import launch
from imc_devstack.stack import Ports, Stack
from imc_devstack.testing import token
from imc_registry import seed
from playwright.sync_api import Browser, Page, sync_playwright

BERKANE_OFFICER = "karim.ouali@example.net"
SAINT_GILLES_OFFICER = "sophie.lambert@example.net"
COORDINATOR = "helene.dumont@example.org"


@dataclass(frozen=True)
class WebSystem:
    stack: Stack
    berkane_officer: str
    """A bearer token of Berkane's first contact person, an officer, as ``make run`` mints;
    Arabic-speaking."""
    saint_gilles_officer: str
    """Saint-Gilles' contact person, an officer of the same partnership; French-speaking."""
    coordinator: str
    """A programme coordinator of Brulocalis, French-speaking."""

    @property
    def url(self) -> str:
        return self.stack.web_url


@pytest.fixture(scope="session")
def chromium() -> Path:
    found = build.chromium()
    if found is None:
        pytest.skip("Debian's Chromium is not installed, and installing it needs root and apt-get")
    return found


@pytest.fixture(scope="session")
def web_system(tmp_path_factory: pytest.TempPathFactory, chromium: Path) -> Iterator[WebSystem]:
    root = tmp_path_factory.mktemp("web-stack")
    stack = Stack(
        root / "data", Ports.free(), log_dir=root / "logs", partitions=3, environment="test"
    )
    try:
        dist = build.web_dist()
        stack.start_infrastructure()
        stack.start_services()
        seed.load(
            stack.service_url("registry"), token("coordinator", subject="coordinator@example.org")
        )
        officer = token(
            "officer", subject=BERKANE_OFFICER, municipality_id="berkane", language="ar"
        )
        stack.start_web(
            dist, accounts=[{"role": "officer", "municipality": "berkane", "token": officer}]
        )
        saint_gilles = token(
            "officer",
            subject=SAINT_GILLES_OFFICER,
            municipality_id="saint-gilles",
            language="fr",
        )
        coordinator = token("coordinator", subject=COORDINATOR, language="fr")
        yield WebSystem(stack, officer, saint_gilles, coordinator)
    finally:
        stack.stop()


@pytest.fixture(scope="session")
def browser(chromium: Path) -> Iterator[Browser]:
    with sync_playwright() as playwright:
        launched = launch(playwright, chromium)
        yield launched
        launched.close()


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    # bypass_csp: the accessibility scan injects axe-core as an inline script.
    context = browser.new_context(viewport={"width": 1280, "height": 900}, bypass_csp=True)
    context.set_default_timeout(20_000)
    opened = context.new_page()
    yield opened
    context.close()
