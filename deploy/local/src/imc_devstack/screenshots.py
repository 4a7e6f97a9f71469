"""``python -m imc_devstack.screenshots``: pictures of the web frontend for the docs.

Against a running system (``make run``) with the real programme: the overview and a
partnership page, in Arabic and in French, on a desktop-sized and a phone-sized screen,
written to ``docs/web/``; with ``--mail http://127.0.0.1:8025``, Mailpit's inbox and an
email in Arabic, written to ``docs/mail/``; with ``--reports http://127.0.0.1:8002``, the
first two pages of the funder's report of the partnership in French and in Arabic, and the
programme's first page, drawn by Poppler's ``pdftoppm``, written to ``docs/reports/``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx
from playwright.sync_api import Page, sync_playwright

from imc_devstack import build
from imc_devstack.browser import launch
from imc_devstack.paths import REPO_ROOT

SIZES = {"desktop": {"width": 1280, "height": 900}, "phone": {"width": 390, "height": 844}}


EXAMPLE_OBJECTIVE: dict[str, object] = {
    "objective_id": "youth-space",
    "theme": "youth",
    "title": {"fr": "Un espace pour la jeunesse", "ar": "فضاء للشباب", "nl": "Een jongerenruimte"},
}
EXAMPLE_MILESTONES = [
    (
        "youth-needs-survey",
        "Enquête sur les besoins des jeunes",
        "استطلاع حاجيات الشباب",
        -200,
        100,
    ),
    ("youth-space-works", "Aménagement de l'espace jeunesse", "تهيئة فضاء الشباب", 20, 60),
    ("youth-animators", "Formation des animateurs", "تكوين المنشطين", 120, 25),
    ("youth-space-opening", "Ouverture de l'espace jeunesse", "افتتاح فضاء الشباب", 300, 0),
]


def plan_example_roadmap(registry: str, token: str, partnership: str, municipality: str) -> None:
    """An objective and four milestones at various stages, through the registry's API (each
    request keyed, so running it again adds nothing): a roadmap worth a picture."""
    headers = {"Authorization": f"Bearer {token}"}
    today = dt.date.today()
    with httpx.Client(base_url=registry, headers=headers, timeout=10) as client:

        def post(path: str, body: dict[str, object], key: str) -> None:
            answer = client.post(path, json=body, headers={"Idempotency-Key": key})
            answer.raise_for_status()
            submission = answer.json()["submission_id"]
            for _ in range(100):
                if client.get(f"/v1/submissions/{submission}").json()["status"] != "received":
                    return
                time.sleep(0.2)

        base = f"/v1/partnerships/{partnership}"
        post(f"{base}/objectives", EXAMPLE_OBJECTIVE, "example:objective")
        for milestone_id, fr, ar, days, progress in EXAMPLE_MILESTONES:
            due = today + dt.timedelta(days=max(days, 1))
            post(
                f"{base}/milestones",
                {
                    "milestone_id": milestone_id,
                    "title": {"fr": fr, "ar": ar},
                    "due_date": due.isoformat(),
                    "responsible_municipality_id": municipality,
                    "objective_id": "youth-space",
                },
                f"example:milestone:{milestone_id}",
            )
            if progress:
                post(
                    f"{base}/milestones/{milestone_id}/progress",
                    {
                        "progress": progress,
                        "reported_on": today.isoformat(),
                        "beneficiaries": [
                            {"group": "youth", "sex": "female", "count": progress},
                            {"group": "youth", "sex": "male", "count": progress // 2},
                        ],
                    },
                    f"example:progress:{milestone_id}",
                )


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


def take_mail(mail_url: str, out: Path) -> list[Path]:
    """Mailpit's inbox, and the newest email in Arabic opened, for ``docs/mail/``."""
    chromium = build.chromium()
    if chromium is None:
        raise SystemExit("Debian's Chromium is not installed and cannot be (needs root and apt)")
    out.mkdir(parents=True, exist_ok=True)
    arabic = httpx.get(f"{mail_url}/api/v1/search", params={"query": "مرحلة", "limit": 1}).json()
    written: list[Path] = []
    with sync_playwright() as playwright:
        browser = launch(playwright, chromium)
        page = browser.new_page(viewport=SIZES["desktop"])  # type: ignore[arg-type]
        page.goto(f"{mail_url}/")
        page.locator("[data-testid=message-row]").first.wait_for()
        page.screenshot(path=str(out / "inbox.png"))
        written.append(out / "inbox.png")
        if arabic["messages"]:
            page.goto(f"{mail_url}/view/{arabic['messages'][0]['ID']}")
            page.frame_locator("iframe").first.locator("[dir=rtl]").first.wait_for()
            page.screenshot(path=str(out / "message-ar.png"))
            written.append(out / "message-ar.png")
        browser.close()
    return written


def take_reports(roadmaps_url: str, token: str, partnership: str, out: Path) -> list[Path]:
    """The funder's report's pages as images, from the PDF the service writes."""
    pdftoppm = build.pdf_pages()
    if pdftoppm is None:
        raise SystemExit("Poppler's pdftoppm is not installed and cannot be (needs root and apt)")
    out.mkdir(parents=True, exist_ok=True)
    wanted = [
        (f"/v1/reports/partnerships/{partnership}", "fr", "partnership-fr", 2),
        (f"/v1/reports/partnerships/{partnership}", "ar", "partnership-ar", 2),
        ("/v1/reports/programme", "fr", "programme-fr", 1),
    ]
    written: list[Path] = []
    with tempfile.TemporaryDirectory() as work:
        for path, language, name, pages in wanted:
            answer = httpx.get(
                f"{roadmaps_url}{path}",
                params={"language": language},
                headers={"Authorization": f"Bearer {token}"},
                timeout=120,
            )
            answer.raise_for_status()
            pdf = Path(work) / f"{name}.pdf"
            pdf.write_bytes(answer.content)
            argv = [str(pdftoppm), "-png", "-r", "80", "-l", str(pages), str(pdf), str(out / name)]
            subprocess.run(argv, check=True)
            written += sorted(out.glob(f"{name}-*.png"))
    return written


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m imc_devstack.screenshots", description=__doc__)
    parser.add_argument("--web", default="http://127.0.0.1:8080", help="the frontend's URL")
    parser.add_argument(
        "--token", help="a bearer token (make run prints them); needed but for --mail"
    )
    parser.add_argument("--partnership", default="berkane--saint-gilles")
    parser.add_argument("--out", type=Path, default=REPO_ROOT / "docs" / "web")
    parser.add_argument(
        "--example-roadmap",
        metavar="REGISTRY_URL",
        help="first plan an example roadmap for the partnership through this registry",
    )
    parser.add_argument(
        "--mail",
        metavar="MAILPIT_URL",
        help="instead, take Mailpit's inbox and an Arabic email, into docs/mail/",
    )
    parser.add_argument(
        "--reports",
        metavar="ROADMAPS_URL",
        help="instead, draw the funder's report's pages from this roadmaps service, into docs/",
    )
    args = parser.parse_args(argv)
    if args.reports:
        if not args.token:
            parser.error("--token is needed for the funder's report")
        written = take_reports(
            args.reports.rstrip("/"), args.token, args.partnership, REPO_ROOT / "docs" / "reports"
        )
        for path in written:
            print(json.dumps(str(path)), file=sys.stdout)
        return
    if args.mail:
        for path in take_mail(args.mail.rstrip("/"), REPO_ROOT / "docs" / "mail"):
            print(json.dumps(str(path)), file=sys.stdout)
        return
    if not args.token:
        parser.error("--token is needed for the web frontend's pictures")
    if args.example_roadmap:
        municipality = args.partnership.split("--")[0]
        plan_example_roadmap(args.example_roadmap, args.token, args.partnership, municipality)
    for path in take(args.web.rstrip("/"), args.token, args.partnership, args.out):
        print(json.dumps(str(path)), file=sys.stdout)


if __name__ == "__main__":
    main()
