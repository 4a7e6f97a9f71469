"""Exports of the seeded programme: CSV, and an IATI 2.03 file valid against the schemas."""

from __future__ import annotations

import asyncio
import csv
import datetime as dt
import io
import json
import uuid
from importlib import resources
from pathlib import Path
from typing import Any

import httpx
import pytest
from aiokafka import AIOKafkaProducer
from imc_contracts import Actor, Event, Language, encode, registry, topic_of
from imc_contracts.common import DisaggregatedValue, ReportingPeriod
from imc_devstack.stack import Stack
from imc_devstack.testing import bearer, eventually, token
from lxml import etree

pytestmark = pytest.mark.infra

IATI_SCHEMAS = Path(__file__).resolve().parents[4].parent / "shared" / "iati-2.03"
COORDINATOR = Actor(kind="coordinator", id="coordinator@example.org", language="fr")


def programme_identifier(run: str) -> str:
    return f"XM-DAC-2-10-IMC-MA-{run}"


def seeded_programme(run: str) -> list[Event]:
    """The real programme — its organisations and phases, municipalities and partnerships —
    as the registry announces it (ids suffixed so this test's data stays its own)."""
    programme = json.loads((resources.files("imc_registry.seed") / "programme.json").read_text())
    names = {m["id"]: m["names"] for m in programme["municipalities"]}
    events: list[Event] = [
        registry.OrganisationRegistered.create(
            registry.OrganisationRegisteredPayload(
                organisation_id=f"{o['id']}-{run}",
                **{k: v for k, v in o.items() if k != "id"},
            ),
            partnership_id="programme",
            actor=COORDINATOR,
        )
        for o in programme["organisations"]
    ]
    definition = programme["programme"]
    events.append(
        registry.ProgrammeDefined.create(
            registry.ProgrammeDefinedPayload(
                programme_id=definition["id"],
                names=definition["names"],
                funder_id=f"{definition['funder_id']}-{run}",
                coordinating_organisation_ids=[
                    f"{id}-{run}" for id in definition["coordinating_organisation_ids"]
                ],
                phases=[
                    registry.Phase(
                        phase_id=phase["id"], **{k: v for k, v in phase.items() if k != "id"}
                    )
                    for phase in definition["phases"]
                ],
                iati_identifier=programme_identifier(run),
            ),
            partnership_id="programme",
            actor=COORDINATOR,
        )
    )
    events += [
        registry.MunicipalityRegistered.create(
            registry.MunicipalityRegisteredPayload(
                municipality_id=f"{m['id']}-{run}",
                names=m["names"],
                country=m["country"],
                languages=m["languages"],
            ),
            partnership_id="programme",
            actor=COORDINATOR,
        )
        for m in programme["municipalities"]
    ]
    for p in programme["partnerships"]:
        moroccan, belgian = p["moroccan_municipality_id"], p["belgian_municipality_id"]
        name = {
            language: f"{names[moroccan].get(language, names[moroccan]['fr'])} – "
            f"{names[belgian].get(language, names[belgian]['fr'])}"
            for language in ("fr", "ar")
        }
        events.append(
            registry.PartnershipCreated.create(
                registry.PartnershipCreatedPayload(
                    partnership_id=f"{p['id']}-{run}",
                    moroccan_municipality_id=f"{moroccan}-{run}",
                    belgian_municipality_id=f"{belgian}-{run}",
                    name=name,
                    phases=p["phases"],
                    partners_since=p.get("partners_since"),
                    themes=p["themes"],
                    status="active",
                    description=p.get("description", {}),
                ),
                partnership_id=f"{p['id']}-{run}",
                actor=COORDINATOR,
            )
        )
    return events


def berkane_roadmap(run: str) -> list[Event]:
    partnership = f"berkane--saint-gilles-{run}"

    def request(kind: type[Event], **fields: Any) -> Event:
        payload_type = kind.model_fields["payload"].annotation
        assert isinstance(payload_type, type)
        return kind.create(
            payload_type(submission_id=f"sub-{uuid.uuid4().hex}", **fields),
            partnership_id=partnership,
            actor=COORDINATOR,
        )

    return [
        request(
            registry.ObjectiveProposed,
            objective_id="social-action",
            phase="2022-2026",
            theme="youth",
            title={
                "fr": "Action sociale municipale pour les jeunes",
                "nl": "Gemeentelijke sociale actie voor jongeren",
                "ar": "العمل الاجتماعي الجماعي لفائدة الشباب",
            },
        ),
        request(
            registry.IndicatorProposed,
            indicator_id="young-people-reached",
            objective_id="social-action",
            title={"fr": "Jeunes accompagnés", "ar": "الشباب المستفيدون"},
            measure="unit",
            unit="people",
            baseline=DisaggregatedValue(value=0),
            baseline_year=2022,
            periods=[
                ReportingPeriod(
                    period_id="2024",
                    start=dt.date(2024, 1, 1),
                    end=dt.date(2024, 12, 31),
                    targets=[
                        DisaggregatedValue(group="youth", sex="female", value=60),
                        DisaggregatedValue(group="youth", sex="male", value=60),
                    ],
                )
            ],
        ),
        request(
            registry.IndicatorValueReported,
            indicator_id="young-people-reached",
            period_id="2024",
            values=[
                DisaggregatedValue(group="youth", sex="female", value=48),
                DisaggregatedValue(group="youth", sex="male", value=41),
            ],
        ),
        request(
            registry.MilestoneProposed,
            milestone_id="social-service-opens",
            objective_id="social-action",
            title={"fr": "Ouverture du service social", "ar": "افتتاح المصلحة الاجتماعية"},
            due_date=dt.date.today() + dt.timedelta(days=200),
            responsible_municipality_id=f"berkane-{run}",
        ),
        request(
            registry.ProgressReported,
            milestone_id="social-service-opens",
            progress=40,
            reported_on=dt.date.today(),
        ),
    ]


async def publish(bootstrap: str, events: list[Event]) -> None:
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, enable_idempotence=True)
    await producer.start()
    try:
        for event in events:
            await producer.send_and_wait(
                topic_of(event.producer).name, encode(event), key=event.partnership_id.encode()
            )
    finally:
        await producer.stop()


def test_the_seeded_programme_exports_as_valid_iati_and_csv(services: Stack) -> None:
    if not (IATI_SCHEMAS / "iati-activities-schema.xsd").exists():
        pytest.skip(f"the IATI 2.03 schemas are not at {IATI_SCHEMAS} (../shared is missing)")
    run = uuid.uuid4().hex[:8]
    asyncio.run(publish(services.kafka_bootstrap, [*seeded_programme(run), *berkane_roadmap(run)]))
    client = httpx.Client(
        base_url=services.service_url("roadmaps"), headers=bearer(token("viewer")), timeout=30
    )
    partnership = f"berkane--saint-gilles-{run}"

    def roadmap_applied() -> dict[str, Any] | None:
        response = client.get(f"/v1/partnerships/{partnership}/roadmap")
        view = response.json() if response.status_code == 200 else None
        return (
            view
            if view
            and view["progress"] == 40.0
            and view["objectives"]
            and view["objectives"][0]["indicators"]
            and view["objectives"][0]["indicators"][0]["periods"][0]["actuals"]
            else None
        )

    eventually(roadmap_applied, what="Berkane's roadmap is applied", timeout=60)
    programme = json.loads((resources.files("imc_registry.seed") / "programme.json").read_text())

    def known(partnership_id: str) -> bool | None:
        return client.get(f"/v1/partnerships/{partnership_id}/roadmap").status_code == 200 or None

    for seeded in programme["partnerships"]:
        eventually(lambda i=f"{seeded['id']}-{run}": known(i), what=f"{seeded['id']} is known")  # type: ignore[misc]

    def exported_with_our_programme() -> etree._Element | None:
        # The programme's events travel on their own partition: wait for them too.
        document = etree.fromstring(client.get("/v1/exports/iati-activities.xml").content)
        identifier = document.findtext("iati-activity[@hierarchy='1']/iati-identifier")
        return document if identifier == programme_identifier(run) else None

    document = eventually(exported_with_our_programme, what="the programme is known")
    schema = etree.XMLSchema(etree.parse(str(IATI_SCHEMAS / "iati-activities-schema.xsd")))
    schema.assertValid(document)

    ns = {"xml": "http://www.w3.org/XML/1998/namespace"}
    parent = document.find("iati-activity[@hierarchy='1']")
    assert parent is not None
    # The programme as the registry defined it: its identifier, phase, funder, associations.
    assert parent.findtext("iati-identifier") == programme_identifier(run)
    assert parent.find("activity-status").get("code") == "2"  # type: ignore[union-attr]
    assert parent.find("activity-date[@type='1']").get("iso-date") == "2022-01-01"  # type: ignore[union-attr]
    funder = parent.find("participating-org[@role='1']")
    assert funder is not None
    assert (funder.get("ref"), funder.get("type")) == ("XM-DAC-2-10", "10")
    assert "DGD" in (funder.find("narrative[@xml:lang='nl']", ns).text or "")  # type: ignore[union-attr]
    coordinators = parent.findall("participating-org[@role='3']")
    assert ["UVCW" in (c.findtext("narrative") or "") for c in coordinators] == [False, True]
    children = {
        a.findtext("iati-identifier"): a for a in document.iterfind("iati-activity[@hierarchy='2']")
    }
    ours = [ident for ident in children if ident and ident.endswith(f"-{run}")]
    assert len(ours) == 10
    related = {r.get("ref") for r in parent.iterfind("related-activity[@type='2']")}
    assert set(ours) <= related
    berkane = next(a for ident, a in children.items() if ident and ident.endswith(partnership))
    assert berkane.find("related-activity[@type='1']") is not None
    implementing = berkane.findall("participating-org[@role='4']")
    assert [o.get("type") for o in implementing] == ["11", "11"]
    assert implementing[0].find("narrative[@xml:lang='ar']", ns).text == "بركان"  # type: ignore[union-attr]
    assert berkane.find("participating-org[@role='1']").get("ref") == "XM-DAC-2-10"  # type: ignore[union-attr]
    [result] = berkane.findall("result")
    assert {
        n.get("{http://www.w3.org/XML/1998/namespace}lang")
        for n in result.iterfind("title/narrative")
    } == {"ar", "fr", "nl"}
    people = result.find("indicator[@measure='1']")
    assert people is not None
    actuals = {
        (a.find("dimension[@name='sex']").get("value"), a.get("value"))  # type: ignore[union-attr]
        for a in people.iterfind("period/actual")
    }
    assert actuals == {("female", "48"), ("male", "41")}
    progress = result.find("indicator[@measure='2']/period/actual")
    assert progress is not None
    assert progress.get("value") == "40"

    figures = client.get("/v1/dashboard").json()
    youth_male = next(
        b for b in figures["beneficiaries"] if (b["group"], b["sex"]) == ("youth", "male")
    )
    assert youth_male["target"] >= 60  # Berkane's people-counting indicator counts

    milestones = list(
        csv.DictReader(
            io.StringIO(
                client.get(
                    "/v1/exports/milestones.csv", params={"partnership_id": partnership}
                ).text
            )
        )
    )
    assert [(m["milestone_id"], m["progress"], m["title_ar"]) for m in milestones] == [
        ("social-service-opens", "40", "افتتاح المصلحة الاجتماعية")
    ]
    indicators = list(
        csv.DictReader(
            io.StringIO(
                client.get(
                    "/v1/exports/indicators.csv", params={"partnership_id": partnership}
                ).text
            )
        )
    )
    assert {(i["sex"], i["target"], i["actual"]) for i in indicators} == {
        ("female", "60.0", "48.0"),
        ("male", "60.0", "41.0"),
    }


UNWANTED = "".join(chr(code) for code in [*range(0x20), *range(0x7F, 0xA0)]) + (
    "\u2028\u2029\ufffe\uffff"
)


def test_exports_stay_well_formed_whatever_text_a_record_holds(services: Stack) -> None:
    """Records stored before inputs refused control characters may hold any of them; the
    IATI file still parses as XML and the CSV holds no NUL, with the rest of the text."""
    run = uuid.uuid4().hex[:8]
    hostile: dict[Language, str] = {
        "fr": f"Ouverture{UNWANTED} du service {run}",
        "ar": f"افتتاح{UNWANTED} المصلحة {run}",
    }
    events = [*seeded_programme(run), *berkane_roadmap(run)]
    for event in events:
        if isinstance(event, registry.ObjectiveProposed | registry.MilestoneProposed):
            event.payload.title.update(hostile)
    asyncio.run(publish(services.kafka_bootstrap, events))
    client = httpx.Client(
        base_url=services.service_url("roadmaps"), headers=bearer(token("viewer")), timeout=30
    )
    partnership = f"berkane--saint-gilles-{run}"

    def planned() -> str | None:
        response = client.get("/v1/exports/milestones.csv", params={"partnership_id": partnership})
        return response.text if run in response.text else None

    table = eventually(planned, what="the hostile milestone is planned", timeout=60)
    assert "\x00" not in table
    [row] = list(csv.DictReader(io.StringIO(table)))
    assert row["title_fr"] == f"Ouverture\t\n\r du service {run}"  # lines and tabs are text
    assert row["title_ar"] == f"افتتاح\t\n\r المصلحة {run}"

    def exported() -> etree._Element | None:
        # Parsed by lxml: a character XML 1.0 cannot carry fails the whole document.
        document = etree.fromstring(client.get("/v1/exports/iati-activities.xml").content)
        found = document.xpath(f"//narrative[contains(., 'du service {run}')]")
        return document if found else None

    document = eventually(exported, what="the hostile objective is in the IATI file")
    titles = document.xpath(f"//result/title/narrative[contains(., '{run}')]/text()")
    assert isinstance(titles, list)
    assert f"Ouverture\t\n\n du service {run}" in titles  # XML reads \r as a line end
