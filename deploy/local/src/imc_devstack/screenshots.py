"""``python -m imc_devstack.screenshots``: pictures of the web frontend for the docs.

Against a running system (``make run``) with the real programme: the overview and a
partnership page, in Arabic and in French, on a desktop-sized and a phone-sized screen,
written to ``docs/web/``.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from playwright.sync_api import Page, sync_playwright

from imc_devstack import build
from imc_devstack.browser import launch
from imc_devstack.paths import REPO_ROOT

SIZES = {"desktop": {"width": 1280, "height": 900}, "phone": {"width": 390, "height": 844}}


def sign_in(page: Page, web_url: str, token: str, language: str) -> None:
    page.goto(f"{web_url}/")
    page.evaluate(
        "([token, language]) => { sessionStorage.setItem('imc-hub.token', token);"
        " localStorage.setItem('imc-hub.language', language); }",
        [token, language],
    )


def take(web_url: str, token: str, partnership: str, out: Path) -> list[Path]:
    chromium = build.chromium()
    if chromium is None:
        raise SystemExit("Debian's Chromium is not installed and cannot be (needs root and apt)")
    out.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    with sync_playwright() as playwright:
        browser = launch(playwright, chromium)
        for size, viewport in SIZES.items():
            for language in ("ar", "fr"):
                context = browser.new_context(viewport=viewport)  # type: ignore[arg-type]
                page = context.new_page()
                sign_in(page, web_url, token, language)
                for name, route in (
                    ("overview", "#/"),
                    ("partnership", f"#/partnerships/{partnership}"),
                ):
                    page.goto(f"{web_url}/{route}")
                    page.reload()
                    page.locator("main h1").wait_for()
                    page.wait_for_function("!document.querySelector('main[aria-busy]')")
                    path = out / f"{name}-{language}-{size}.png"
                    page.screenshot(path=str(path), full_page=size == "desktop")
                    written.append(path)
                context.close()
        browser.close()
    return written


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m imc_devstack.screenshots", description=__doc__)
    parser.add_argument("--web", default="http://127.0.0.1:8080", help="the frontend's URL")
    parser.add_argument("--token", required=True, help="a bearer token (make run prints them)")
    parser.add_argument("--partnership", default="berkane--saint-gilles")
    parser.add_argument("--out", type=Path, default=REPO_ROOT / "docs" / "web")
    args = parser.parse_args(argv)
    for path in take(args.web.rstrip("/"), args.token, args.partnership, args.out):
        print(json.dumps(str(path)), file=sys.stdout)


if __name__ == "__main__":
    main()
