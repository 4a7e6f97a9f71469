"""Example roadmaps for every partnership of the programme, loaded through the registry's API
like any frontend's requests — so that a first start shows what the product does.

Every objective, milestone, indicator and evaluation made here carries ``example: true``,
which the API returns and the web frontend shows as "example data". Per partnership:

- an objective for each of its first three themes (French, with Arabic and Dutch titles);
- two milestones for each, spread over 2022–2026: reached ones in 2023–2025 (with the people
  reached, by group and sex), one late (past its due date at 60 %), one due soon (at 30 %);
- a quantitative indicator (young people and women reached, targets and actuals by group
  and sex for 2024–2026) and a qualitative one (how the social service is run);
- for a partnership of the 2017–2021 phase, that phase's evaluation on the OECD-DAC criteria.

Each request has an ``Idempotency-Key`` made of what it creates: a second start loads nothing
twice. Plans are waited for (roadmaps applies them) before the reports that build on them.

    python -m imc_registry.seed --url http://registry:8001 --examples
"""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import Collection
from dataclasses import dataclass
from typing import Any

import httpx

from imc_registry.seed import programme

DUE_SOON = dt.date(2026, 12, 15)
LATE = dt.date(2026, 10, 30)
REPORTED = dt.date(2026, 11, 20)

THEMES: dict[str, dict[str, str]] = {
    "youth": {
        "fr": "Un espace et des activités pour la jeunesse",
        "ar": "فضاء وأنشطة لفائدة الشباب",
        "nl": "Een ruimte en activiteiten voor jongeren",
    },
    "women": {
        "fr": "L'autonomie économique des femmes",
        "ar": "التمكين الاقتصادي للنساء",
        "nl": "Economische zelfstandigheid van vrouwen",
    },
    "disability": {
        "fr": "L'accès des personnes en situation de handicap aux services communaux",
        "ar": "ولوج الأشخاص في وضعية إعاقة إلى الخدمات الجماعية",
        "nl": "Toegang van personen met een handicap tot de gemeentediensten",
    },
    "migrants": {
        "fr": "L'accueil et l'orientation des personnes migrantes",
        "ar": "استقبال وتوجيه المهاجرين",
        "nl": "Onthaal en oriëntatie van migranten",
    },
    "participation": {
        "fr": "La participation citoyenne aux décisions communales",
        "ar": "المشاركة المواطنة في القرارات الجماعية",
        "nl": "Burgerparticipatie in gemeentelijke beslissingen",
    },
    "preschool": {
        "fr": "L'éducation préscolaire",
        "ar": "التعليم الأولي",
        "nl": "Kleuteronderwijs",
    },
}
GROUP_OF_THEME = {
    "youth": "youth",
    "women": "women",
    "disability": "disability",
    "migrants": "migrants",
}
STEPS: tuple[tuple[dict[str, str], dict[str, str]], ...] = (
    (
        {"fr": "Diagnostic partagé et plan d'action", "ar": "تشخيص مشترك وخطة عمل"},
        {"nl": "Gedeelde diagnose en actieplan"},
    ),
    (
        {
            "fr": "Ouverture du service et premières activités",
            "ar": "افتتاح المصلحة والأنشطة الأولى",
        },
        {"nl": "Opening van de dienst en eerste activiteiten"},
    ),
)


@dataclass(frozen=True)
class Request:
    path: str
    key: str
    body: dict[str, Any]
    method: str = "POST"


def _plan(partnership: dict[str, Any], index: int) -> tuple[list[Request], list[Request]]:
    """The partnership's plans (objectives, milestones, indicators), then what builds on them
    (progress reports, indicator values, the evaluation)."""
    pid = partnership["id"]
    base = f"/v1/partnerships/{pid}"
    moroccan, belgian = (
        partnership["moroccan_municipality_id"],
        partnership["belgian_municipality_id"],
    )
    plans: list[Request] = []
    reports: list[Request] = []
    themes = [theme for theme in partnership["themes"] if theme in THEMES][:3]
    for number, theme in enumerate(themes):
        objective = f"ex-{theme}"
        plans.append(
            Request(
                f"{base}/objectives",
                f"example:{pid}:objective:{objective}",
                {
                    "objective_id": objective,
                    "phase": "2022-2026",
                    "theme": theme,
                    "title": THEMES[theme],
                    "example": True,
                },
            )
        )
        group = GROUP_OF_THEME.get(theme, "youth")
        for step, (title, dutch) in enumerate(STEPS):
            milestone = f"{objective}-{step + 1}"
            # Reached early on; of the last objective, one late and one due soon.
            last = number == len(themes) - 1
            due = (
                (LATE if step == 0 else DUE_SOON)
                if last
                else dt.date(2023 + number + step, 6 if step == 0 else 11, 30)
            )
            plans.append(
                Request(
                    f"{base}/milestones",
                    f"example:{pid}:milestone:{milestone}",
                    {
                        "milestone_id": milestone,
                        "title": {**title, **dutch, "fr": f"{title['fr']} — {THEMES[theme]['fr']}"},
                        "due_date": due.isoformat(),
                        "responsible_municipality_id": moroccan if step == 0 else belgian,
                        "objective_id": objective,
                        "backfill": due < dt.date.today(),
                        "example": True,
                    },
                )
            )
            progress = (60 if step == 0 else 30) if last else 100
            people = 12 + 7 * ((index + number + step) % 5)
            reports.append(
                Request(
                    f"{base}/milestones/{milestone}/progress",
                    f"example:{pid}:progress:{milestone}",
                    {
                        "progress": progress,
                        "reported_on": (
                            min(due, REPORTED) if progress == 100 else REPORTED
                        ).isoformat(),
                        "note": "Exemple : rapport d'avancement fictif.",
                        "beneficiaries": [
                            {"group": group, "sex": sex, "count": people + 5 * (sex == "female")}
                            for sex in _sexes(group)
                        ],
                    },
                )
            )
    first = f"ex-{themes[0]}" if themes else None
    plans += _indicators(base, pid, first)
    reports += _indicator_values(base, pid, index)
    if "2017-2021" in partnership.get("phases", []):
        reports.append(_evaluation(base, pid, index))
    return plans, reports


def _sexes(group: str) -> tuple[str, ...]:
    """The sexes a group's figures are given by: women are all women."""
    return ("female",) if group == "women" else ("female", "male")


def _indicators(base: str, pid: str, objective: str | None) -> list[Request]:
    periods = [
        {
            "period_id": str(year),
            "start": f"{year}-01-01",
            "end": f"{year}-12-31",
            "targets": [
                {"group": group, "sex": sex, "value": target}
                for group, target in (("youth", 40 + 20 * (year - 2024)), ("women", 30))
                for sex in _sexes(group)
            ],
        }
        for year in (2024, 2025, 2026)
    ]
    return [
        Request(
            f"{base}/indicators",
            f"example:{pid}:indicator:ex-people",
            {
                "indicator_id": "ex-people",
                "objective_id": objective,
                "title": {
                    "fr": "Jeunes et femmes accompagnés",
                    "ar": "الشباب والنساء المستفيدون من المواكبة",
                    "nl": "Begeleide jongeren en vrouwen",
                },
                "measure": "unit",
                "unit": "people",
                "baseline": {"value": 0},
                "baseline_year": 2022,
                "periods": periods,
                "example": True,
            },
        ),
        Request(
            f"{base}/indicators",
            f"example:{pid}:indicator:ex-service",
            {
                "indicator_id": "ex-service",
                "objective_id": objective,
                "title": {
                    "fr": "Fonctionnement du service social communal",
                    "ar": "سير المصلحة الاجتماعية الجماعية",
                    "nl": "Werking van de gemeentelijke sociale dienst",
                },
                "measure": "qualitative",
                "periods": [{"period_id": "2026", "start": "2026-01-01", "end": "2026-12-31"}],
                "example": True,
            },
        ),
    ]


def _indicator_values(base: str, pid: str, index: int) -> list[Request]:
    values = []
    for year in (2024, 2025, 2026):
        share = 0.6 + 0.1 * ((index + year) % 4)
        values.append(
            Request(
                f"{base}/indicators/ex-people/values",
                f"example:{pid}:value:ex-people:{year}",
                {
                    "period_id": str(year),
                    "values": [
                        {"group": group, "sex": sex, "value": round(target * share)}
                        for group, target in (("youth", 40 + 20 * (year - 2024)), ("women", 30))
                        for sex in _sexes(group)
                    ],
                },
            )
        )
    values.append(
        Request(
            f"{base}/indicators/ex-service/values",
            f"example:{pid}:value:ex-service:2026",
            {
                "period_id": "2026",
                "values": [
                    {
                        "text": "Exemple : le service reçoit le public deux demi-journées par "
                        "semaine ; un registre des demandes est tenu depuis mars."
                    }
                ],
            },
        )
    )
    return values


def _evaluation(base: str, pid: str, index: int) -> Request:
    return Request(
        f"{base}/evaluations/2017-2021",
        f"example:{pid}:evaluation:2017-2021",
        {
            "relevance": 4,
            "coherence": 3,
            "effectiveness": 3 - index % 2,
            "efficiency": 2 + index % 2,
            "impact": 3,
            "sustainability": 2,
            "findings": {
                "fr": "Exemple : les actions pour la jeunesse ont trouvé leur public ; le suivi "
                "des bénéficiaires reste à structurer.",
                "ar": "مثال: وجدت الأنشطة الموجهة للشباب جمهورها، ويبقى تتبع المستفيدين بحاجة إلى تنظيم.",
                "nl": "Voorbeeld: de jongerenwerking vond haar publiek; de opvolging van de "
                "begunstigden moet nog gestructureerd worden.",
            },
            "lessons": {"fr": "Exemple : mesurer les bénéficiaires dès le lancement."},
            "backfill": True,
            "example": True,
        },
        method="PUT",
    )


@dataclass(frozen=True)
class ExamplesReport:
    requests: int
    """Sent, each answered with its submission: the first time, or as the first time."""
    rejected: list[str]
    """The keys of those roadmaps refused (none, unless the programme changed under them)."""


async def _send(client: httpx.AsyncClient, request: Request) -> str | None:
    """The submission, or None for a request loaded before from an older definition."""
    answer = await client.request(
        request.method, request.path, json=request.body, headers={"Idempotency-Key": request.key}
    )
    if answer.status_code == 202:
        submission: str = answer.json()["submission_id"]
        return submission
    if answer.status_code == 422 and "idempotency_key_reused" in answer.text:
        return None  # kept as it is
    raise RuntimeError(f"{request.path}: {answer.status_code} {answer.text[:300]}")


async def _decided(client: httpx.AsyncClient, submission_id: str, within: float = 60) -> str:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + within
    delay = 0.05
    while True:
        status = (await client.get(f"/v1/submissions/{submission_id}")).json()["status"]
        if status != "received":
            return str(status)
        if loop.time() > deadline:
            raise TimeoutError(f"submission {submission_id} not decided within {within:.0f} s")
        await asyncio.sleep(delay)
        delay = min(delay * 1.5, 0.5)


async def _load_partnership(
    client: httpx.AsyncClient, partnership: dict[str, Any], index: int
) -> tuple[int, list[str]]:
    """The partnership's plans, each applied before the reports that build on them."""
    sent = 0
    rejected: list[str] = []
    for stage in _plan(partnership, index):
        submissions = [(request, await _send(client, request)) for request in stage]
        sent += len(submissions)
        for request, submission_id in submissions:
            if submission_id is not None and await _decided(client, submission_id) == "rejected":
                rejected.append(request.key)
    return sent, rejected


async def load_examples(
    registry_url: str, token: str, only: Collection[str] | None = None
) -> ExamplesReport:
    """Load the example roadmaps of every partnership (or of those ``only`` names), at most
    once each."""
    partnerships = [p for p in programme()["partnerships"] if only is None or p["id"] in only]
    headers = {"Authorization": f"Bearer {token}"}
    async with httpx.AsyncClient(base_url=registry_url, headers=headers, timeout=30) as client:
        results = await asyncio.gather(
            *(_load_partnership(client, p, index) for index, p in enumerate(partnerships))
        )
    return ExamplesReport(
        requests=sum(r[0] for r in results), rejected=[key for r in results for key in r[1]]
    )
