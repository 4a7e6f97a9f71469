"""Debian's Chromium, driven by Playwright, for the browser tests and the screenshots.

Playwright's own browser downloads are never used: the project installs Debian's package
(``build.chromium``) and points Playwright at it.
"""

from __future__ import annotations

from pathlib import Path

from playwright.sync_api import Browser, Playwright

CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def launch(playwright: Playwright, executable: Path) -> Browser:
    return playwright.chromium.launch(
        executable_path=str(executable), headless=True, args=CHROMIUM_ARGS
    )
