"""Notifications end to end on the real Kafka, FerretDB and Mailpit: events published to
Kafka as their producers would, emails read back from Mailpit and parsed from their MIME
bytes."""

from __future__ import annotations

import asyncio
import datetime as dt
import re
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import icalendar
import pytest
from aiokafka import AIOKafkaProducer
from imc_contracts import Actor, Event, Language
from imc_contracts.codec import encode
from imc_contracts.registry import (
    CoordinatorAdded,
    CoordinatorAddedPayload,
    CoordinatorRemoved,
    CoordinatorRemovedPayload,
    MemberAdded,
    MemberAddedPayload,
    MemberRemoved,
    MemberRemovedPayload,
    MunicipalityRegistered,
    MunicipalityRegisteredPayload,
    PartnershipCreated,
    PartnershipCreatedPayload,
    PartnershipStatusChanged,
    PartnershipStatusChangedPayload,
)
from imc_contracts.roadmaps import (
    MilestoneDuePayload,
    MilestoneDueSoon,
    MilestoneOverdue,
    MilestoneReached,
    MilestoneReachedPayload,
    SubmissionRejected,
    SubmissionRejectedPayload,
)
from imc_devstack.mailpit import Mailpit, own_mailpit
from imc_devstack.processes import free_port
from imc_devstack.stack import Stack
from imc_devstack.testing import bearer, eventually, start_group_at_the_end, token
from imc_notifications.bootstrap import build_dependencies
from imc_notifications.service_layer.digest import send_due_digests
from imc_notifications.settings import NotificationsSettings
from imc_runtime.commitlog import commit_id
from imc_runtime.service import Infrastructure
from pymongo import AsyncMongoClient


def topic_of(event: Event) -> str:
    return f"imc.{event.PRODUCER}.events"


def publish(bootstrap: str, *events: Event) -> None:
    """Publish as the producing service would: its topic, keyed by partnership."""

    async def send() -> None:
        producer = AIOKafkaProducer(bootstrap_servers=bootstrap, acks="all")
        await producer.start()
        try:
            for event in events:
                await producer.send_and_wait(
                    topic_of(event), encode(event), key=event.partnership_id.encode()
                )
        finally:
            await producer.stop()

    asyncio.run(send())


@dataclass(frozen=True)
class Person:
    id: str
    name: str
    email: str
    language: Language


@dataclass
class Programme:
    """One partnership with people in four languages, unique to the test that made it."""

    run: str
    bootstrap: str
    mail_api: str
    moroccan: str
    belgian: str
    partnership_id: str
    amina: Person  # Moroccan municipality, reads Arabic
    youssef: Person  # Moroccan municipality, reads French
    lotte: Person  # Belgian municipality, reads Dutch
    claire: Person  # programme coordinator, reads English
    extra: list[Person] = field(default_factory=list)

    @property
    def people(self) -> list[Person]:
        return [self.amina, self.youssef, self.lotte, self.claire, *self.extra]

    def publish(self, *events: Event) -> None:
        publish(self.bootstrap, *events)

    def reached(self, milestone_id: str = "social-service", **actor: Any) -> MilestoneReached:
        return MilestoneReached.create(
            MilestoneReachedPayload(
                milestone_id=milestone_id,
                title={"fr": f"Service social {self.run}", "ar": f"المصلحة الاجتماعية {self.run}"},
                due_date=dt.date(2027, 6, 30),
                reached_on=dt.date(2026, 11, 29),
                responsible_municipality_id=self.moroccan,
            ),
            partnership_id=self.partnership_id,
        )

    def inbox(self, person: Person, *words: str) -> list[dict[str, Any]]:
        query = " ".join([person.email, *words])
        found = httpx.get(
            f"{self.mail_api}/api/v1/search", params={"query": query, "limit": 200}, timeout=10
        ).json()
        return [
            m
            for m in found["messages"]
            if person.email in [t["Address"] for t in m["To"]] and self.ours(m["Subject"])
        ]

    def ours(self, subject: str) -> bool:
        """Not about another test's programme: coordinators hear of every partnership, so a
        coordinator of this test may get mail of an earlier test's events processed late."""
        return all(run == self.run for run in re.findall(r"\b[0-9a-f]{8}\b", subject))

    def wait_for_mail(self, person: Person, *words: str) -> dict[str, Any]:
        def first() -> dict[str, Any] | None:
            found = self.inbox(person, *words)
            return found[0] if found else None

        return eventually(first, what=f"an email to {person.name} with {words}")

    def raw(self, message: dict[str, Any]) -> EmailMessage:
        data = httpx.get(f"{self.mail_api}/api/v1/message/{message['ID']}/raw", timeout=10)
        parsed = BytesParser(policy=policy.default).parsebytes(data.content)
        assert isinstance(parsed, EmailMessage)
        return parsed


def make_programme(bootstrap: str, mail_api: str) -> Programme:
    run = uuid.uuid4().hex[:8]
    moroccan, belgian = f"berkane-{run}", f"saint-gilles-{run}"
    partnership_id = f"{moroccan}--{belgian}"

    def person(first: str, language: Language) -> Person:
        return Person(f"{first}-{run}", first.title(), f"{first}.{run}@example.org", language)

    programme = Programme(
        run=run,
        bootstrap=bootstrap,
        mail_api=mail_api,
        moroccan=moroccan,
        belgian=belgian,
        partnership_id=partnership_id,
        amina=person("amina", "ar"),
        youssef=person("youssef", "fr"),
        lotte=person("lotte", "nl"),
        claire=person("claire", "en"),
    )
    registry: list[Event] = [
        MunicipalityRegistered.create(
            MunicipalityRegisteredPayload(
                municipality_id=moroccan,
                names={"fr": f"Berkane {run}", "ar": f"بركان {run}"},
                country="MA",
                languages=["ar", "fr"],
            ),
            partnership_id="programme",
        ),
        MunicipalityRegistered.create(
            MunicipalityRegisteredPayload(
                municipality_id=belgian,
                names={"fr": f"Saint-Gilles {run}", "nl": f"Sint-Gillis {run}"},
                country="BE",
                languages=["fr", "nl"],
            ),
            partnership_id="programme",
        ),
        PartnershipCreated.create(
            PartnershipCreatedPayload(
                partnership_id=partnership_id,
                moroccan_municipality_id=moroccan,
                belgian_municipality_id=belgian,
                name={
                    "fr": f"Berkane {run} – Saint-Gilles {run}",
                    "nl": f"Berkane {run} – Sint-Gillis {run}",
                    "ar": f"بركان {run} – سان-جيل {run}",
                },
                phases=["2022-2026"],
                themes=["youth"],
                status="active",
            ),
            partnership_id=partnership_id,
        ),
    ]
    for who, municipality in (
        (programme.amina, moroccan),
        (programme.youssef, moroccan),
        (programme.lotte, belgian),
    ):
        registry.append(
            MemberAdded.create(
                MemberAddedPayload(
                    member_id=who.id,
                    name=who.name,
                    email=who.email,
                    municipality_id=municipality,
                    role="IMC officer",
                    language=who.language,
                ),
                partnership_id="programme",
            )
        )
    registry.append(
        CoordinatorAdded.create(
            CoordinatorAddedPayload(
                coordinator_id=programme.claire.id,
                name=programme.claire.name,
                email=programme.claire.email,
                organisation="Brulocalis",
                language="en",
            ),
            partnership_id="programme",
        )
    )
    programme.publish(*registry)
    return programme


def officer_actor(person: Person, municipality_id: str) -> Actor:
    return Actor(kind="officer", id=person.email, municipality_id=municipality_id)


def wait_for_directory(programme: Programme, base_url: str, *people: Person) -> None:
    """The directory is built from Kafka: wait until notifications knows these people."""
    coordinator = bearer(token("coordinator"))
    for who in people or programme.people:
        eventually(
            lambda who=who: (
                httpx.get(  # type: ignore[misc]
                    f"{base_url}/v1/preferences/{who.id}", headers=coordinator, timeout=10
                ).status_code
                == 200
                or None
            ),
            what=f"notifications knows {who.name}",
        )


@pytest.fixture
def programme(services: Stack) -> Iterator[Programme]:
    made = make_programme(services.kafka_bootstrap, services.mail_api)
    wait_for_directory(made, services.service_url("notifications"))
    yield made
    # Coordinators hear of every partnership: retire this test's, so later tests' events
    # do not fan out to every coordinator the session ever made.
    made.publish(
        CoordinatorRemoved.create(
            CoordinatorRemovedPayload(coordinator_id=made.claire.id), partnership_id="programme"
        )
    )


pytestmark = pytest.mark.infra

COORDINATOR = bearer(token("coordinator"))


def html_and_text(message: EmailMessage) -> tuple[str, str]:
    html = message.get_body(preferencelist=("html",))
    text = message.get_body(preferencelist=("plain",))
    assert html is not None
    assert text is not None
    return html.get_content(), text.get_content()


def due(
    programme: Programme, kind: type[MilestoneDueSoon] | type[MilestoneOverdue], days: int
) -> Any:
    return kind.create(
        MilestoneDuePayload(
            milestone_id=f"preschool-{kind.__name__.lower()}",
            title={"fr": f"Préscolaire {programme.run}", "nl": f"Kleuterschool {programme.run}"},
            due_date=dt.date(2027, 1, 15),
            responsible_municipality_id=programme.belgian,
            progress=45,
            days=days,
        ),
        partnership_id=programme.partnership_id,
    )


def answers(url: str) -> bool:
    try:
        return httpx.get(url, timeout=2).status_code == 200
    except httpx.TransportError:
        return False


def test_an_smtp_outage_delays_email_and_every_email_arrives_once_when_it_is_back(
    services: Stack, tmp_path: Path
) -> None:
    """A second notifications instance (own database, Kafka group and Mailpit): its
    SMTP server stops, events arrive, the server comes back, and each email arrives once."""
    smtp_port, mail_http_port, http_port = free_port(), free_port(), free_port()
    mail_api = f"http://127.0.0.1:{mail_http_port}"
    run = uuid.uuid4().hex[:8]
    smtp_server = own_mailpit(smtp_port, mail_http_port, tmp_path / "mail")
    smtp_server.__enter__()
    start_group_at_the_end(services.kafka_bootstrap, f"notifications-outage-{run}", "notifications")
    instance = services.start_service(
        "notifications",
        name=f"notifications-{run}",
        extra_env={
            "IMC_SMTP_PORT": str(smtp_port),
            "IMC_NOTIFICATIONS_PORT": str(http_port),
            "IMC_NOTIFICATIONS_DATABASE": f"notifications_outage_{run}",
            "IMC_NOTIFICATIONS_CONSUMER_GROUP": f"notifications-outage-{run}",
            "IMC_SMTP_ATTEMPTS": "2",
            "IMC_SMTP_BACKOFF_SECONDS": "0.05",
            "IMC_SMTP_TIMEOUT_SECONDS": "2",
        },
    )
    base = f"http://127.0.0.1:{http_port}"
    programme: Programme | None = None
    try:
        eventually(
            lambda: answers(f"{base}/health/ready") or None,
            what="the second notifications instance is ready",
            timeout=90,
        )
        programme = make_programme(services.kafka_bootstrap, mail_api)
        wait_for_directory(programme, base)
        programme.publish(programme.reached("before"))
        programme.wait_for_mail(programme.lotte, programme.run)  # caught up, mail flows

        smtp_server.__exit__(None, None, None)  # the SMTP server goes away
        during = [programme.reached(f"during-{n}") for n in range(3)]
        programme.publish(*during)

        def retrying() -> bool | None:
            stats = httpx.get(f"{base}/v1/deliveries/stats", headers=COORDINATOR, timeout=5)
            return stats.json()["transient_failures"] >= 4 or None

        eventually(retrying, what="the instance retries while SMTP is away")
        smtp_server = own_mailpit(smtp_port, mail_http_port, tmp_path / "mail")
        smtp_server.__enter__()  # back, with the mail received before the outage
        for person in (programme.amina, programme.youssef, programme.lotte, programme.claire):
            eventually(
                lambda person=person: len(programme.inbox(person, programme.run)) == 4 or None,  # type: ignore[misc]
                what=f"all four emails reach {person.name}",
            )
        programme.publish(programme.reached("after"))  # read after the retried ones
        for person in (programme.amina, programme.youssef, programme.lotte, programme.claire):
            eventually(
                lambda person=person: len(programme.inbox(person, programme.run)) == 5 or None,  # type: ignore[misc]
                what=f"the last email reaches {person.name}",
            )
            received = [programme.raw(m) for m in programme.inbox(person, programme.run)]
            assert len({str(m["Message-ID"]) for m in received}) == 5
            milestones = sorted(
                html_and_text(m)[1].split("/milestones/")[1].split()[0] for m in received
            )
            assert milestones == ["after", "before", "during-0", "during-1", "during-2"]
        log = httpx.get(
            f"{base}/v1/deliveries",
            params={"event_id": str(during[0].event_id), "limit": 200},
            headers=COORDINATOR,
            timeout=10,
        ).json()["items"]
        ours = [entry for entry in log if entry["recipient_id"] in {p.id for p in programme.people}]
        assert [entry["status"] for entry in ours] == ["sent"] * 4
        retried = [entry for entry in ours if entry["attempts"] > 1]
        assert retried
        assert all(entry["last_error"] for entry in retried)
    finally:
        instance.stop()
        smtp_server.__exit__(None, None, None)
        if programme is not None:
            programme.publish(
                CoordinatorRemoved.create(
                    CoordinatorRemovedPayload(coordinator_id=programme.claire.id),
                    partnership_id="programme",
                )
            )


def test_a_reached_milestone_reaches_both_municipalities_and_the_coordinators_each_in_their_language(
    programme: Programme,
) -> None:
    programme.publish(programme.reached())
    expected = {
        programme.amina: ("تم بلوغ مرحلة", "rtl", "ar"),
        programme.youssef: ("Jalon atteint", "ltr", "fr"),
        programme.lotte: ("Mijlpaal bereikt", "ltr", "nl"),
        programme.claire: ("Milestone reached", "ltr", "en"),
    }
    for person, (subject_start, direction, language) in expected.items():
        message = programme.raw(programme.wait_for_mail(person, programme.run))
        assert str(message["Subject"]).startswith(subject_start)
        assert message["Content-Language"] == language
        html, text = html_and_text(message)
        assert f'dir="{direction}"' in html
        assert f'lang="{language}"' in html
        assert f"/partnerships/{programme.partnership_id}/milestones/social-service" in text
        assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
        assert str(message["List-Unsubscribe"]).startswith("<http")
        assert str(message["Message-ID"]).endswith("@imc-hub.example.org>")
    arabic = programme.raw(programme.inbox(programme.amina, programme.run)[0])
    assert f"المصلحة الاجتماعية {programme.run}" in str(arabic["Subject"])
    assert "٢٠٢٦" in html_and_text(arabic)[1] or "2026" in html_and_text(arabic)[1]
    dutch = programme.raw(programme.inbox(programme.lotte, programme.run)[0])
    assert "29 november 2026" in html_and_text(dutch)[1]
    assert f"Sint-Gillis {programme.run}" in str(dutch["Subject"])


def test_due_soon_and_overdue_reach_the_responsible_municipality_and_coordinators_with_a_calendar_file(
    programme: Programme,
) -> None:
    programme.publish(due(programme, MilestoneDueSoon, 7), due(programme, MilestoneOverdue, 3))
    for words in (("Vervaldatum", "nadert"), ("Vervaldatum", "verstreken")):
        message = programme.raw(programme.wait_for_mail(programme.lotte, programme.run, *words))
        attachments = list(message.iter_attachments())
        assert [a.get_content_type() for a in attachments] == ["text/calendar"]
        calendar = icalendar.Calendar.from_ical(attachments[0].get_content())
        event = next(iter(calendar.walk("VEVENT")))
        assert event.decoded("dtstart") == dt.date(2027, 1, 15)
        assert f"Kleuterschool {programme.run}" in str(event["summary"])
        text = html_and_text(message)[1]
        assert "45%" in text
        assert "15 januari 2027" in text
    claire = eventually(
        lambda: (
            programme.inbox(programme.claire, programme.run)
            if len(programme.inbox(programme.claire, programme.run)) == 2
            else None
        ),
        what="the coordinator gets both reminders",
    )
    assert sorted(m["Subject"].split(":")[0] for m in claire) == ["Due soon", "Overdue"]
    # The Moroccan municipality is not responsible for this milestone: it hears nothing.
    marker = programme.reached("marker")
    programme.publish(marker)
    programme.wait_for_mail(programme.amina, programme.run)
    assert len(programme.inbox(programme.amina, programme.run)) == 1
    assert len(programme.inbox(programme.youssef, programme.run)) == 1


def test_a_rejected_request_reaches_only_the_member_who_submitted_it(
    programme: Programme,
) -> None:
    rejected = SubmissionRejected.create(
        SubmissionRejectedPayload(
            submission_id=f"sub-{programme.run}",
            code="milestone_unknown",
            reason=f"Jalon inconnu {programme.run}",
        ),
        partnership_id=programme.partnership_id,
        actor=officer_actor(programme.youssef, programme.moroccan),
    )
    programme.publish(rejected, programme.reached("marker"))
    message = programme.raw(programme.wait_for_mail(programme.youssef, "demande", programme.run))
    assert f"Jalon inconnu {programme.run}" in html_and_text(message)[1]
    for other in (programme.amina, programme.lotte, programme.claire):
        # An event's emails go out together, in no set order: wait for each one's marker. Its
        # event came after the rejection on the same partition, so once the marker reached
        # someone, the rejection's emails had all been sent — and none to them.
        programme.wait_for_mail(other, programme.run)
        assert len(programme.inbox(other, programme.run)) == 1


def test_a_partnership_status_change_reaches_both_municipalities_and_coordinators_who_follow_the_programme(
    programme: Programme, services: Stack
) -> None:
    base = services.service_url("notifications")
    follow = httpx.put(
        f"{base}/v1/preferences/{programme.claire.id}",
        json={"whole_programme": True},
        headers=bearer(token("viewer", subject=programme.claire.email)),
        timeout=10,
    )
    assert follow.status_code == 200, follow.text
    changed = PartnershipStatusChanged.create(
        PartnershipStatusChangedPayload(
            partnership_id=programme.partnership_id,
            status="suspended",
            previous_status="active",
            reason=f"Élections communales {programme.run}",
        ),
        partnership_id=programme.partnership_id,
    )
    programme.publish(changed)
    french = programme.raw(programme.wait_for_mail(programme.youssef, programme.run, "suspendu"))
    assert "Statut du partenariat" in str(french["Subject"])
    programme.wait_for_mail(programme.lotte, programme.run, "opgeschort")
    programme.wait_for_mail(programme.amina, programme.run)
    programme.wait_for_mail(programme.claire, programme.run, "suspended")


def test_the_same_event_delivered_twice_sends_one_email_per_recipient(
    programme: Programme,
) -> None:
    reached = programme.reached()
    programme.publish(reached)
    programme.publish(reached)
    programme.publish(programme.reached("marker"))  # same partition, so read after both
    eventually(
        lambda: len(programme.inbox(programme.lotte, programme.run)) == 2 or None,
        what="the marker email arrives",
    )
    for person in (programme.amina, programme.youssef, programme.lotte, programme.claire):
        messages = programme.inbox(person, programme.run)
        assert len(messages) == 2, [m["Subject"] for m in messages]
        assert len({programme.raw(m)["Message-ID"] for m in messages}) == 2


def test_a_send_interrupted_by_a_crash_is_sent_again_once_and_counted_as_in_doubt(
    programme: Programme, services: Stack
) -> None:
    """What a crash between SMTP acceptance and the outcome record leaves behind — the
    reservation and an attempt started a minute ago, nothing else — is written into the
    service's own database; the event then arrives, and the service must resend once and
    say so."""
    reached = programme.reached()
    delivery_id = commit_id("delivery", str(reached.event_id), programme.lotte.id)
    base = services.service_url("notifications")

    def stats() -> dict[str, int]:
        answer = httpx.get(f"{base}/v1/deliveries/stats", headers=COORDINATOR, timeout=10)
        counters: dict[str, int] = answer.json()
        return counters

    async def leave_crash_traces() -> None:
        client: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(services.mongo_url)
        try:
            db = client["imc_notifications"]
            now = dt.datetime.now(dt.UTC) - dt.timedelta(minutes=1)
            await db["deliveries"].insert_one(
                {
                    "_id": delivery_id,
                    "event_id": str(reached.event_id),
                    "event_type": reached.type,
                    "kind": "milestone_reached",
                    "partnership_id": programme.partnership_id,
                    "recipient_id": programme.lotte.id,
                    "recipient_kind": "member",
                    "email": "l***@example.org",
                    "language": "nl",
                    "subject": "",
                    "message_id": f"<{delivery_id}@imc-hub.example.org>",
                    "created_at": now,
                }
            )
            await db["delivery_attempts"].insert_one(
                {"_id": f"{delivery_id}:1", "delivery_id": delivery_id, "attempt": 1, "at": now}
            )
        finally:
            await client.close()

    before = stats()["in_doubt_resends"]
    asyncio.run(leave_crash_traces())
    programme.publish(reached)
    message = programme.raw(programme.wait_for_mail(programme.lotte, programme.run))
    assert message["Message-ID"] == f"<{delivery_id}@imc-hub.example.org>"
    assert stats()["in_doubt_resends"] == before + 1
    programme.publish(reached)  # and a redelivery after that changes nothing
    programme.publish(programme.reached("marker"))
    eventually(
        lambda: len(programme.inbox(programme.lotte, programme.run)) == 2 or None,
        what="the marker arrives",
    )
    entry = httpx.get(
        f"{base}/v1/deliveries",
        params={"recipient_id": programme.lotte.id, "event_id": str(reached.event_id)},
        headers=COORDINATOR,
        timeout=10,
    ).json()["items"]
    assert [(e["status"], e["attempts"]) for e in entry] == [("sent", 2)]


def test_members_and_coordinators_removed_from_the_registry_hear_nothing_more(
    programme: Programme, services: Stack
) -> None:
    programme.publish(
        MemberRemoved.create(
            MemberRemovedPayload(
                member_id=programme.youssef.id, municipality_id=programme.moroccan
            ),
            partnership_id="programme",
        ),
        CoordinatorRemoved.create(
            CoordinatorRemovedPayload(coordinator_id=programme.claire.id),
            partnership_id="programme",
        ),
    )
    base = services.service_url("notifications")
    for gone in (programme.youssef, programme.claire):
        # The registry's and roadmaps' topics are not ordered together: wait for the removal.
        eventually(
            lambda gone=gone: (
                httpx.get(  # type: ignore[misc]
                    f"{base}/v1/preferences/{gone.id}", headers=COORDINATOR, timeout=10
                ).status_code
                == 404
                or None
            ),
            what=f"{gone.name} leaves the directory",
        )
    programme.publish(programme.reached())
    programme.publish(programme.reached("marker"))
    eventually(
        lambda: len(programme.inbox(programme.lotte, programme.run)) == 2 or None,
        what="both emails reach the members still there",
    )
    assert programme.inbox(programme.youssef, programme.run) == []
    assert programme.inbox(programme.claire, programme.run) == []


def one_click_url(message: EmailMessage) -> str:
    return str(message["List-Unsubscribe"]).strip("<>")


def test_one_click_unsubscribe_by_header_stops_that_kind_for_that_recipient(
    programme: Programme,
) -> None:
    programme.publish(programme.reached("first"))
    message = programme.raw(programme.wait_for_mail(programme.lotte, programme.run))
    answer = httpx.post(
        one_click_url(message),
        content="List-Unsubscribe=One-Click",
        headers={"content-type": "application/x-www-form-urlencoded"},
        timeout=10,
    )
    assert answer.status_code == 200
    programme.publish(programme.reached("second"))
    eventually(
        lambda: len(programme.inbox(programme.youssef, programme.run)) == 2 or None,
        what="the second email reaches the others",
    )
    assert len(programme.inbox(programme.lotte, programme.run)) == 1


def test_the_unsubscribe_link_asks_first_and_then_unsubscribes_from_everything(
    programme: Programme, services: Stack
) -> None:
    programme.publish(programme.reached("first"))
    message = programme.raw(programme.wait_for_mail(programme.amina, programme.run))
    html = html_and_text(message)[0]
    link = html.split('href="')[-1].split('"')[0].replace("&amp;", "&")
    assert link == one_click_url(message)
    page = httpx.get(link, timeout=10)
    assert page.status_code == 200
    assert "<form" in page.text
    assert 'dir="rtl"' in page.text
    token_value = parse_qs(urlsplit(link).query)["token"][0]
    done = httpx.post(
        f"{services.service_url('notifications')}/v1/unsubscribe",
        data={"token": token_value, "scope": "all"},
        timeout=10,
    )
    assert done.status_code == 200
    view = httpx.get(
        f"{services.service_url('notifications')}/v1/preferences/{programme.amina.id}",
        headers=COORDINATOR,
        timeout=10,
    ).json()
    assert view["preferences"]["default"] == "off"
    tampered = httpx.get(link.replace("token=", "token=x"), timeout=10)
    assert tampered.status_code == 400


def test_a_recipient_on_the_daily_digest_gets_one_email_at_their_hour(
    programme: Programme, services: Stack
) -> None:
    base = services.service_url("notifications")
    chosen = httpx.put(
        f"{base}/v1/preferences/{programme.lotte.id}",
        json={"default": "digest"},
        headers=COORDINATOR,
        timeout=10,
    )
    assert chosen.status_code == 200, chosen.text
    programme.publish(
        programme.reached("one"), due(programme, MilestoneDueSoon, 7), programme.reached("two")
    )
    eventually(
        lambda: len(programme.inbox(programme.youssef, programme.run)) == 2 or None,
        what="the immediate emails reach the others",
    )
    assert programme.inbox(programme.lotte, programme.run) == []

    settings = NotificationsSettings(
        mongo_url=services.mongo_url,
        kafka_bootstrap_servers=services.kafka_bootstrap,
        smtp_port=services.ports.smtp,
    )

    async def one_pass(now: dt.datetime) -> int:
        infra = Infrastructure.build(settings)
        try:
            return await send_due_digests(build_dependencies(settings, infra), now)
        finally:
            await infra.client.close()

    today = dt.datetime.now(dt.UTC)
    asyncio.run(one_pass(today))  # the items wait for tomorrow's digest hour
    assert programme.inbox(programme.lotte, "Dagoverzicht") == []
    tomorrow_nine = (today + dt.timedelta(days=1)).replace(hour=9, minute=0)  # 10:00 Brussels
    asyncio.run(one_pass(tomorrow_nine))
    digest = programme.raw(programme.wait_for_mail(programme.lotte, "Dagoverzicht"))
    _html, text = html_and_text(digest)
    listed = [line for line in text.splitlines() if line.startswith("- ")]
    assert len(listed) == 3
    assert all(programme.run in line for line in listed)
    assert "3 melding(en)" in str(digest["Subject"])
    asyncio.run(one_pass(tomorrow_nine + dt.timedelta(hours=1)))
    assert len(programme.inbox(programme.lotte, "Dagoverzicht")) == 1


def test_the_delivery_log_shows_each_delivery_with_status_and_attempts(
    programme: Programme, services: Stack
) -> None:
    broken = Person(f"broken-{programme.run}", "Broken", "broken@@example.org", "fr")
    programme.publish(
        MemberAdded.create(
            MemberAddedPayload(
                member_id=broken.id,
                name=broken.name,
                email=broken.email,
                municipality_id=programme.moroccan,
                role="IMC officer",
                language="fr",
            ),
            partnership_id="programme",
        )
    )
    base = services.service_url("notifications")
    wait_for_directory(programme, base, broken)
    reached = programme.reached()
    programme.publish(reached)
    programme.wait_for_mail(programme.lotte, programme.run)

    def log(**params: Any) -> dict[str, Any]:
        answer = httpx.get(f"{base}/v1/deliveries", params=params, headers=COORDINATOR, timeout=10)
        assert answer.status_code == 200, answer.text
        body: dict[str, Any] = answer.json()
        return body

    ours = {person.id for person in programme.people} | {broken.id}

    def outcomes() -> dict[str, str] | None:
        # Coordinators of other tests' programmes hear of this milestone too: look at ours.
        entries = log(event_id=str(reached.event_id), limit=200)["items"]
        found = {e["recipient_id"]: e["status"] for e in entries if e["recipient_id"] in ours}
        return found if len(found) == 5 and "pending" not in found.values() else None

    statuses = eventually(outcomes, what="five deliveries recorded")
    assert statuses == {
        **{person.id: "sent" for person in programme.people},
        broken.id: "failed",
    }
    failed = log(recipient_id=broken.id)["items"]
    assert [(e["status"], e["attempts"]) for e in failed] == [("failed", 1)]
    assert "invalid address" in failed[0]["last_error"]
    sent = log(recipient_id=programme.lotte.id)["items"][0]
    assert sent["status"] == "sent"
    assert sent["attempts"] == 1
    assert sent["last_error"] is None
    assert sent["email"].startswith("l***@")
    page = log(event_id=str(reached.event_id), limit=2, offset=0)
    assert len(page["items"]) == 2
    assert page["next_offset"] == 2
    officer = bearer(token("officer", municipality_id=programme.moroccan))
    assert httpx.get(f"{base}/v1/deliveries", headers=officer, timeout=10).status_code == 403
    stats = httpx.get(f"{base}/v1/deliveries/stats", headers=COORDINATOR, timeout=10).json()
    # The crash window (SMTP accepted → outcome recorded) is measured on every send.
    assert stats["crash_window_samples"] >= 4
    assert 0 < stats["crash_window_ms_p50"] <= stats["crash_window_ms_max"]


def test_preferences_belong_to_the_recipient_and_coordinators(
    programme: Programme, services: Stack
) -> None:
    url = f"{services.service_url('notifications')}/v1/preferences/{programme.lotte.id}"
    herself = bearer(
        token("officer", subject=programme.lotte.email, municipality_id=programme.belgian)
    )
    someone_else = bearer(
        token("officer", subject=programme.amina.email, municipality_id=programme.moroccan)
    )
    assert httpx.get(url, headers=herself, timeout=10).status_code == 200
    assert httpx.get(url, headers=someone_else, timeout=10).status_code == 403
    assert httpx.get(url, timeout=10).status_code == 401
    saved = httpx.put(
        url, json={"kinds": {"milestone_overdue": "digest"}}, headers=herself, timeout=10
    )
    assert saved.status_code == 200
    assert saved.json()["version"] == 1
    refused = httpx.put(url, json={"whole_programme": True}, headers=herself, timeout=10)
    assert refused.status_code == 422
    assert (
        httpx.put(url, json={"kinds": {"nonsense": "off"}}, headers=herself, timeout=10).status_code
        == 422
    )


def test_every_kind_of_email_in_every_language_passes_mailpits_own_checks(
    programme: Programme, services: Stack
) -> None:
    """Every kind, to readers of the four languages and to members whose names once broke
    the To header, with long titles in each script: Mailpit's parser finds the one
    recipient and the exact subject, its List-Unsubscribe check reports no error, and its
    HTML check runs on each."""
    run = programme.run
    hostile = [
        Person(
            f"marie-{run}",
            "Van den Bossche-Lefebvre, Marie-Christine Anne-Sophie "
            "(Service social communal de Saint-Gilles)",
            f"marie.{run}@example.org",
            "fr",
        ),
        Person(
            f"eve-{run}",
            'Eve "the tester" Bcc: someone@example.net, <other@example.com>; ' + "y" * 40,
            f"eve.{run}@example.org",
            "nl",
        ),
    ]
    programme.publish(
        *(
            MemberAdded.create(
                MemberAddedPayload(
                    member_id=who.id,
                    name=who.name,
                    email=who.email,
                    municipality_id=programme.belgian,
                    role="IMC officer",
                    language=who.language,
                ),
                partnership_id="programme",
            )
            for who in hostile
        )
    )
    programme.extra.extend(hostile)
    wait_for_directory(programme, services.service_url("notifications"), *hostile)
    titles = {
        "fr": f"Lancement du service social communal pour les jeunes, les femmes {run} "
        "et les personnes en situation de handicap — phase « 2022–2026 »",
        "ar": f"موعد قريب {run} إطلاق المصلحة الاجتماعية الجماعية لفائدة الشباب والنساء "
        "والأشخاص في وضعية إعاقة والمهاجرين",
        "nl": f"Opstart van de gemeentelijke sociale dienst {run} voor jongeren, vrouwen "
        "en personen met een handicap",
        "en": f"Launch of the municipal social service {run} for young people, women and "
        "persons with disabilities",
    }
    reached = MilestoneReached.create(
        MilestoneReachedPayload(
            milestone_id="long-titles",
            title=titles,
            due_date=dt.date(2027, 6, 30),
            reached_on=dt.date(2026, 11, 29),
            responsible_municipality_id=programme.belgian,
        ),
        partnership_id=programme.partnership_id,
    )
    soon = due(programme, MilestoneDueSoon, 7)
    late = due(programme, MilestoneOverdue, 3)
    changed = PartnershipStatusChanged.create(
        PartnershipStatusChangedPayload(
            partnership_id=programme.partnership_id,
            status="suspended",
            previous_status="active",
            reason=f"Élections communales {run}",
        ),
        partnership_id=programme.partnership_id,
    )
    rejected = SubmissionRejected.create(
        SubmissionRejectedPayload(
            submission_id=f"sub-{run}", code="milestone_unknown", reason=f"Onbekend {run}"
        ),
        partnership_id=programme.partnership_id,
        actor=officer_actor(hostile[1], programme.belgian),
    )
    programme.publish(reached, soon, late, changed, rejected)

    # The Belgian members hear of all but the rejection; the one who submitted it, of it too.
    expected = {
        programme.lotte: 4,
        programme.claire: 3,  # coordinators follow milestones, not this status change
        hostile[0]: 4,
        hostile[1]: 5,
        programme.amina: 2,  # reached, status changed: not responsible for the due dates
    }
    mailpit = Mailpit(services.mail_api)
    checked = 0
    for person, count in expected.items():
        found = eventually(
            lambda person=person, count=count: (  # type: ignore[misc]
                programme.inbox(person, run) if len(programme.inbox(person, run)) >= count else None
            ),
            what=f"{count} emails reach {person.name}",
        )
        for summary in found:
            detail = mailpit.message(summary["ID"])
            assert [(to["Name"], to["Address"]) for to in detail["To"]] == [
                (person.name, person.email)
            ]
            assert detail["Cc"] == []
            assert detail["Bcc"] == []
            parsed = programme.raw(summary)
            assert detail["Subject"] == str(parsed["Subject"])  # two parsers agree
            unsubscribe = detail["ListUnsubscribe"]
            raw = mailpit.raw(summary["ID"])
            if str(parsed["Subject"]).startswith("Uw aanvraag werd niet aanvaard"):
                # A rejection cannot be turned off: no one-click button that would not work.
                assert not unsubscribe["Links"], unsubscribe
                assert b"\r\nList-Unsubscribe" not in raw
            else:
                assert unsubscribe["Errors"] == "", unsubscribe
                assert unsubscribe["HeaderPost"] == "List-Unsubscribe=One-Click"
                assert [link.split("?")[0] for link in unsubscribe["Links"]] == [
                    f"{services.service_url('notifications')}/v1/unsubscribe"
                ]
                assert b"\r\nList-Unsubscribe: <http" in raw  # plain ASCII, not encoded-words
            check = mailpit.html_check(summary["ID"])
            assert check["Total"]["Nodes"] > 0
            assert check["Total"]["Supported"] >= 90, check["Total"]
            checked += 1
    assert checked >= sum(expected.values())
    for person, language in ((hostile[0], "fr"), (programme.amina, "ar"), (programme.lotte, "nl")):
        subjects = [m["Subject"] for m in programme.inbox(person, run)]
        assert any(titles[language] in subject for subject in subjects), subjects
