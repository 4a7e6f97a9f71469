"""The programme as an IATI 2.03 activities file.

The programme is the parent activity and each partnership a child (``related-activity``
both ways). Partnerships' objectives become results (outcomes) with their indicators —
baseline, targets and actuals per period, disaggregated with ``dimension`` by group and sex
— plus one percentage indicator for the roadmap's milestone progress, so that every
objective reports something even before it has indicators.
"""

from __future__ import annotations

import datetime as dt
import xml.etree.ElementTree as ET
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from imc_contracts import LANGUAGES
from imc_runtime.text import without_unwanted

from imc_roadmaps.service_layer.ports import RoadmapsRepository

XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"

MEASURE_CODES = {"unit": "1", "percentage": "2", "qualitative": "5"}
STATUS_CODES = {"active": "2", "suspended": "6", "closed": "4"}
SECTORS = (("15112", "40"), ("15150", "30"), ("16010", "30"))
"""Decentralisation and subnational government; democratic participation; social protection."""
POLICY_MARKERS = {"women": "1", "participation": "3", "disability": "11"}
"""Gender equality, participatory development / good governance, disability."""


@dataclass(frozen=True)
class Publisher:
    """Who publishes the file, and the programme it describes (from settings)."""

    reporting_org_ref: str
    reporting_org_type: str
    reporting_org_name: str
    programme_identifier: str
    phase: str


PROGRAMME_TITLE = {
    "fr": "Programme de Coopération Internationale Communale (CIC) Maroc",
    "nl": "Programma Internationale Gemeentelijke Samenwerking (IGS) Marokko",
    "en": "International Municipal Cooperation (IMC) programme Morocco",
    "ar": "برنامج التعاون الدولي اللامركزي بين الجماعات بالمغرب",
}
PROGRAMME_DESCRIPTION = {
    "fr": "Dix communes marocaines et dix communes belges travaillent en partenariat à des "
    "feuilles de route communes : action sociale municipale pour les jeunes, les femmes, "
    "les personnes en situation de handicap et les migrants, et participation citoyenne.",
    "en": "Ten Moroccan and ten Belgian municipalities work in pairs to shared roadmaps: "
    "municipal social action for youth, women, persons with disabilities and migrants, and "
    "citizen participation.",
}
PROGRESS_INDICATOR = {
    "fr": "Avancement des jalons de la feuille de route",
    "en": "Progress of the roadmap's milestones",
    "nl": "Voortgang van de mijlpalen van de routekaart",
    "ar": "تقدم مراحل خارطة الطريق",
}


# -- IATI ------------------------------------------------------------------------------


def _narratives(parent: ET.Element, texts: Mapping[str, str]) -> None:
    for language in LANGUAGES:
        if texts.get(language):
            ET.SubElement(parent, "narrative", {XML_LANG: language}).text = texts[language]


def _text(parent: ET.Element, tag: str, texts: Mapping[str, str], **attrs: str) -> ET.Element:
    element = ET.SubElement(parent, tag, attrs)
    _narratives(element, texts or {"en": "-"})
    return element


def _decimal(value: float) -> str:
    return f"{value:.4f}".rstrip("0").rstrip(".")


def _phase_dates(phase: str) -> tuple[str, str]:
    """A phase's dates from its years, when the programme's record does not give them."""
    start, _, end = phase.partition("-")
    return f"{start}-01-01", f"{end or start}-12-31"


@dataclass(frozen=True)
class Organisation:
    names: Mapping[str, str]
    ref: str | None = None
    type: str | None = None

    def attributes(self, role: str) -> dict[str, str]:
        attributes = {"role": role}
        if self.ref:
            attributes["ref"] = self.ref
        if self.type:
            attributes["type"] = self.type
        return attributes


@dataclass(frozen=True)
class Programme:
    """What the file says of the programme: the registry's record of it when roadmaps has
    received one, else what the settings and the programme's public facts say."""

    identifier: str
    title: Mapping[str, str]
    funder: Organisation
    coordinators: tuple[Organisation, ...]
    dates: tuple[str, str]
    status: str


PHASE_STATUS_CODES = {"planned": "1", "running": "2", "closed": "4"}
DGD = Organisation(
    {
        "en": "Belgian Development Cooperation (DGD)",
        "fr": "Coopération belge au développement (DGD)",
    },
    ref="XM-DAC-2-10",
    type="10",
)
COORDINATORS = (
    Organisation({"fr": "Brulocalis"}),
    Organisation({"fr": "UVCW (Union des Villes et Communes de Wallonie)"}),
)


def for_phase(identifier: str, phase: str, phases: list[str]) -> str:
    """The programme's activity identifier for ``phase``: one that names a phase (the default
    ``…-IMC-MA-2022-2026``) names the phase exported, so a 2027–2031 file never overwrites
    the 2022–2026 record the funder holds; one that names none is the programme's, as given."""
    for named in {*phases, phase}:
        if identifier.endswith(f"-{named}"):
            return f"{identifier.removesuffix(named)}{phase}"
    return identifier


async def _programme(store: RoadmapsRepository, publisher: Publisher) -> Programme:
    record = await store.programme_document()
    if record is None:
        return Programme(
            for_phase(publisher.programme_identifier, publisher.phase, []),
            PROGRAMME_TITLE,
            DGD,
            COORDINATORS,
            _phase_dates(publisher.phase),
            "2",
        )
    organisations = await store.organisation_documents()

    def organisation(organisation_id: str) -> Organisation:
        known = organisations.get(organisation_id)
        if known is None:
            return Organisation({"en": organisation_id})
        return Organisation(known["names"], known.get("iati_identifier"), known.get("iati_type"))

    phase = next((p for p in record["phases"] if p["phase_id"] == publisher.phase), None)
    identifier = record.get("iati_identifier") or publisher.programme_identifier
    return Programme(
        for_phase(identifier, publisher.phase, [p["phase_id"] for p in record["phases"]]),
        record["names"],
        organisation(record["funder_id"]),
        tuple(organisation(id) for id in record["coordinating_organisation_ids"]),
        (phase["start"], phase["end"]) if phase else _phase_dates(publisher.phase),
        PHASE_STATUS_CODES[phase["status"]] if phase else "2",
    )


def _value(parent: ET.Element, tag: str, value: Mapping[str, Any], measure: str) -> None:
    attrs = {}
    if measure != "qualitative" and value.get("value") is not None:
        attrs["value"] = _decimal(float(value["value"]))
    element = ET.SubElement(parent, tag, attrs)
    for name in ("group", "sex"):
        if value.get(name):
            ET.SubElement(element, "dimension", {"name": name, "value": value[name]})
    if value.get("text"):
        _text(element, "comment", {"en": value["text"]})


def _indicator(result: ET.Element, indicator: Mapping[str, Any]) -> None:
    measure = indicator["measure"]
    element = ET.SubElement(result, "indicator", {"measure": MEASURE_CODES[measure]})
    _text(element, "title", indicator["title"])
    if indicator.get("description"):
        _text(element, "description", indicator["description"])
    baseline = indicator.get("baseline")
    periods = indicator["periods"]
    year = indicator.get("baseline_year") or (int(periods[0]["start"][:4]) if periods else None)
    if baseline and year:
        attrs = {"year": str(year)}
        if measure != "qualitative" and baseline.get("value") is not None:
            attrs["value"] = _decimal(float(baseline["value"]))
        node = ET.SubElement(element, "baseline", attrs)
        for name in ("group", "sex"):
            if baseline.get(name):
                ET.SubElement(node, "dimension", {"name": name, "value": baseline[name]})
        if baseline.get("text"):
            _text(node, "comment", {"en": baseline["text"]})
    for period in periods:
        node = ET.SubElement(element, "period")
        ET.SubElement(node, "period-start", {"iso-date": period["start"]})
        ET.SubElement(node, "period-end", {"iso-date": period["end"]})
        for target in period["targets"]:
            _value(node, "target", target, measure)
        for actual in period["actuals"]:
            _value(node, "actual", actual, measure)


def _progress_indicator(result: ET.Element, progress: float, dates: tuple[str, str]) -> None:
    element = ET.SubElement(result, "indicator", {"measure": MEASURE_CODES["percentage"]})
    _text(element, "title", PROGRESS_INDICATOR)
    start, end = dates
    ET.SubElement(element, "baseline", {"year": start[:4], "value": "0"})
    period = ET.SubElement(element, "period")
    ET.SubElement(period, "period-start", {"iso-date": start})
    ET.SubElement(period, "period-end", {"iso-date": end})
    ET.SubElement(period, "target", {"value": "100"})
    ET.SubElement(period, "actual", {"value": _decimal(progress)})


def _activity_header(
    root: ET.Element,
    publisher: Publisher,
    identifier: str,
    title: Mapping[str, str],
    description: Mapping[str, str],
    hierarchy: str,
) -> ET.Element:
    activity = ET.SubElement(
        root,
        "iati-activity",
        {XML_LANG: "fr", "default-currency": "EUR", "hierarchy": hierarchy},
    )
    ET.SubElement(activity, "iati-identifier").text = identifier
    _text(
        activity,
        "reporting-org",
        {"en": publisher.reporting_org_name},
        ref=publisher.reporting_org_ref,
        type=publisher.reporting_org_type,
    )
    _text(activity, "title", title)
    _text(activity, "description", description, type="1")
    return activity


def _common_orgs(activity: ET.Element, programme: Programme) -> None:
    funder = programme.funder
    _text(activity, "participating-org", funder.names, **funder.attributes("1"))
    for coordinator in programme.coordinators:
        _text(activity, "participating-org", coordinator.names, **coordinator.attributes("3"))


def _dates_status_place(activity: ET.Element, status: str, dates: tuple[str, str]) -> None:
    ET.SubElement(activity, "activity-status", {"code": status})
    start, end = dates
    ET.SubElement(activity, "activity-date", {"type": "1", "iso-date": start})
    ET.SubElement(activity, "activity-date", {"type": "3", "iso-date": end})
    ET.SubElement(activity, "recipient-country", {"code": "MA", "percentage": "100"})
    for code, percentage in SECTORS:
        ET.SubElement(
            activity, "sector", {"vocabulary": "1", "code": code, "percentage": percentage}
        )


def _policy_markers(activity: ET.Element, themes: Iterable[str]) -> None:
    codes = sorted({POLICY_MARKERS[t] for t in themes if t in POLICY_MARKERS}, key=int)
    for code in codes:
        ET.SubElement(
            activity, "policy-marker", {"vocabulary": "1", "code": code, "significance": "1"}
        )


async def iati_activities(store: RoadmapsRepository, publisher: Publisher) -> bytes:
    """The programme and its partnerships as one IATI 2.03 ``iati-activities`` document."""
    partnerships = await store.partnership_documents()
    municipalities = {m["_id"]: m for m in await store.municipality_documents()}
    root = ET.Element(
        "iati-activities",
        {
            "version": "2.03",
            "generated-datetime": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        },
    )
    phase = publisher.phase
    facts = await _programme(store, publisher)
    child_id = {p["_id"]: f"{facts.identifier}-{p['_id']}" for p in partnerships}

    programme = _activity_header(
        root, publisher, facts.identifier, facts.title, PROGRAMME_DESCRIPTION, "1"
    )
    _common_orgs(programme, facts)
    _dates_status_place(programme, facts.status, facts.dates)
    _policy_markers(programme, {t for p in partnerships for t in p.get("themes", [])})
    for partnership in partnerships:
        ET.SubElement(
            programme, "related-activity", {"ref": child_id[partnership["_id"]], "type": "2"}
        )

    for partnership in partnerships:
        activity = _activity_header(
            root,
            publisher,
            child_id[partnership["_id"]],
            partnership.get("name") or {"en": partnership["_id"]},
            partnership.get("description") or partnership.get("name") or {"en": partnership["_id"]},
            "2",
        )
        _common_orgs(activity, facts)
        for municipality_id in (
            partnership["moroccan_municipality_id"],
            partnership["belgian_municipality_id"],
        ):
            names = municipalities.get(municipality_id, {}).get("names") or {"fr": municipality_id}
            _text(activity, "participating-org", names, type="11", role="4")
        status = STATUS_CODES.get(partnership.get("status", ""), "2")
        if facts.status == "4":
            status = "4"  # the phase is over: so is each partnership's activity in it
        _dates_status_place(activity, status, facts.dates)
        _policy_markers(activity, partnership.get("themes", []))
        ET.SubElement(activity, "related-activity", {"ref": facts.identifier, "type": "1"})
        await _results(activity, store, partnership["_id"], phase, facts.dates)

    _carriable(root)
    ET.indent(root)
    document: bytes = ET.tostring(root, encoding="utf-8", xml_declaration=True)
    return document


def _carriable(root: ET.Element) -> None:
    """Drop from every text and attribute what XML 1.0 cannot carry (ElementTree would
    write it, and no parser would read the document)."""
    for element in root.iter():
        if element.text:
            element.text = without_unwanted(element.text)
        if element.tail:
            element.tail = without_unwanted(element.tail)
        for name, value in element.attrib.items():
            element.set(name, without_unwanted(value))


async def _results(
    activity: ET.Element,
    store: RoadmapsRepository,
    partnership_id: str,
    phase: str,
    dates: tuple[str, str],
) -> None:
    objectives = [o for o in await store.objectives_of(partnership_id) if o["phase"] == phase]
    indicators = await store.indicators_of(partnership_id)
    rollup = await store.roadmap(partnership_id, phase) or {}
    progress = rollup.get("objectives", {})
    for objective in objectives:
        result = ET.SubElement(activity, "result", {"type": "2"})
        _text(result, "title", objective["title"])
        if objective.get("description"):
            _text(result, "description", objective["description"])
        for indicator in indicators:
            if indicator["objective_id"] == objective["objective_id"]:
                _indicator(result, indicator)
        _progress_indicator(result, float(progress.get(objective["objective_id"], 0.0)), dates)
    known = {o["objective_id"] for o in await store.objectives_of(partnership_id)}
    loose = [i for i in indicators if i["objective_id"] not in known]
    if loose or (rollup and not objectives):
        result = ET.SubElement(activity, "result", {"type": "1"})
        _text(
            result,
            "title",
            {"fr": "Feuille de route", "en": "Roadmap", "nl": "Routekaart", "ar": "خارطة الطريق"},
        )
        for indicator in loose:
            _indicator(result, indicator)
        _progress_indicator(result, float(rollup.get("progress", 0.0)), dates)
