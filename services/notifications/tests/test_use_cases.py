"""Every notifications use case on its ports in memory (``fakes``): the directory kept from
the registry's events, and each kind of email — to whom, in which language, sent, queued for
the digest or not at all — in milliseconds. The same run on the real Kafka, FerretDB and
Mailpit in ``test_delivery_on_real_servers.py``."""

from __future__ import annotations

import dataclasses
import datetime as dt
import email.policy
from email.message import EmailMessage
from email.parser import BytesParser

import pytest
from aiosmtplib.email import flatten_message
from imc_contracts import Actor, Language
from imc_contracts.common import Evidence
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
    EvidenceAttached,
    EvidenceAttachedPayload,
    MilestoneDuePayload,
    MilestoneDueSoon,
    MilestoneReached,
    MilestoneReachedPayload,
    SubmissionRejected,
    SubmissionRejectedPayload,
)
from imc_notifications.adapters.composer import Composer
from imc_notifications.adapters.rendering import Renderer
from imc_notifications.domain.preferences import Preferences
from imc_notifications.domain.rules import RULES
from imc_notifications.entrypoints.events import HANDLERS
from imc_notifications.service_layer import handlers
from imc_notifications.service_layer.delivery import DeliveryStats, Sender
from imc_notifications.service_layer.digest import digest_id, send_due_digests
from imc_notifications.service_layer.ports import (
    Dependencies,
    DigestClaim,
    PreferencesChangedConcurrently,
)
from imc_notifications.service_layer.preferences import unsubscribe_recipient
from imc_notifications.settings import NotificationsSettings
from imc_runtime.commitlog import Commit

from .fakes import (
    FakeDeliveries,
    FakeOutcomes,
    FakeSmtp,
    InMemoryDigests,
    InMemoryDirectory,
    InMemoryPreferences,
)

NOW = dt.datetime(2026, 11, 30, 7, 0, tzinfo=dt.UTC)
PAIR = "berkane--saint-gilles"
RENDERER = Renderer()


class World:
    """Notifications' dependencies on fakes, and what went out."""

    def __init__(self) -> None:
        settings = NotificationsSettings()
        self.smtp = FakeSmtp()
        self.directory = InMemoryDirectory()
        self.preferences = InMemoryPreferences()
        self.digests = InMemoryDigests()
        self.outcomes = FakeOutcomes()

        async def no_wait(_seconds: float) -> None:
            return None

        self.deps = Dependencies(
            directory=self.directory,
            preferences=self.preferences,
            digests=self.digests,
            sender=Sender(
                deliveries=FakeDeliveries(),
                commits=self.outcomes,
                mailer=self.smtp,
                settings=settings,
                stats=DeliveryStats(),
                sleep=no_wait,
            ),
            delivery_log=FakeDeliveries(),  # type: ignore[arg-type]
            commits=self.outcomes,
            emails=Composer(settings, self.smtp, RENDERER),
            settings=settings,
            clock=lambda: NOW,
        )

    def inbox(self) -> dict[str, EmailMessage]:
        """Each accepted email, by its recipient's address."""
        return {
            str(message["To"]).split("<")[-1].rstrip(">"): message for message in self.smtp.accepted
        }


def member(id: str, name: str, municipality: str, language: str) -> MemberAdded:
    return MemberAdded.create(
        MemberAddedPayload(
            member_id=id,
            name=name,
            email=f"{id}@example.org",
            municipality_id=municipality,
            role="IMC officer",
            language=language,
        ),
        partnership_id="programme",
    )


@pytest.fixture
async def world() -> World:
    """Berkane (Arabic, French) and Saint-Gilles (French, Dutch) in partnership, a member of
    each, and a coordinator who reads English."""
    made = World()
    for id, country, names, languages in (
        ("berkane", "MA", {"fr": "Berkane", "ar": "بركان"}, ["ar", "fr"]),
        ("saint-gilles", "BE", {"fr": "Saint-Gilles", "nl": "Sint-Gillis"}, ["fr", "nl"]),
    ):
        await handlers.municipality_registered(
            MunicipalityRegistered.create(
                MunicipalityRegisteredPayload(
                    municipality_id=id, names=names, country=country, languages=languages
                ),
                partnership_id="programme",
            ),
            made.deps,
        )
    await handlers.partnership_created(
        PartnershipCreated.create(
            PartnershipCreatedPayload(
                partnership_id=PAIR,
                moroccan_municipality_id="berkane",
                belgian_municipality_id="saint-gilles",
                name={"fr": "Berkane – Saint-Gilles", "ar": "بركان – سان-جيل"},
                phases=["2022-2026"],
                themes=["youth"],
                status="active",
            ),
            partnership_id=PAIR,
        ),
        made.deps,
    )
    await handlers.member_added(member("amina", "Amina", "berkane", "ar"), made.deps)
    await handlers.member_added(member("lotte", "Lotte", "saint-gilles", "nl"), made.deps)
    await handlers.coordinator_added(
        CoordinatorAdded.create(
            CoordinatorAddedPayload(
                coordinator_id="claire",
                name="Claire",
                email="claire@example.org",
                organisation="Brulocalis",
                language="en",
            ),
            partnership_id="programme",
        ),
        made.deps,
    )
    return made


def reached() -> MilestoneReached:
    return MilestoneReached.create(
        MilestoneReachedPayload(
            milestone_id="social-service",
            title={"fr": "Service social", "ar": "المصلحة الاجتماعية"},
            due_date=dt.date(2027, 6, 30),
            reached_on=dt.date(2026, 11, 29),
            responsible_municipality_id="berkane",
        ),
        partnership_id=PAIR,
    )


async def test_the_directory_keeps_the_registrys_people_and_their_time_zones(
    world: World,
) -> None:
    amina = await world.directory.recipient("amina")
    assert amina is not None
    assert amina.time_zone == "Africa/Casablanca"
    await handlers.member_removed(
        MemberRemoved.create(
            MemberRemovedPayload(member_id="amina", municipality_id="berkane"),
            partnership_id="programme",
        ),
        world.deps,
    )
    await handlers.coordinator_removed(
        CoordinatorRemoved.create(
            CoordinatorRemovedPayload(coordinator_id="claire"), partnership_id="programme"
        ),
        world.deps,
    )
    assert await world.directory.recipient("amina") is None
    assert await world.directory.coordinators() == []


async def test_a_reached_milestone_mails_both_municipalities_and_the_coordinators_in_their_languages(
    world: World,
) -> None:
    await handlers.notify(reached(), world.deps)
    inbox = world.inbox()
    assert set(inbox) == {"amina@example.org", "lotte@example.org", "claire@example.org"}
    assert str(inbox["amina@example.org"]["Subject"]).startswith("تم بلوغ مرحلة")
    assert str(inbox["lotte@example.org"]["Subject"]).startswith("Mijlpaal bereikt")
    assert str(inbox["claire@example.org"]["Subject"]).startswith("Milestone reached")
    assert str(inbox["lotte@example.org"]["List-Unsubscribe"]).startswith("<http")


async def test_the_same_event_again_mails_no_one_twice(world: World) -> None:
    event = reached()
    await handlers.notify(event, world.deps)
    await handlers.notify(event, world.deps)
    assert len(world.smtp.accepted) == 3


def due_soon(title: dict[Language, str], responsible: str) -> MilestoneDueSoon:
    return MilestoneDueSoon.create(
        MilestoneDuePayload(
            milestone_id="preschool",
            title=title,
            due_date=dt.date(2027, 1, 15),
            responsible_municipality_id=responsible,
            progress=45,
            days=7,
        ),
        partnership_id=PAIR,
    )


async def test_a_due_date_reaches_the_responsible_municipality_with_a_calendar_file(
    world: World,
) -> None:
    soon = due_soon({"fr": "Préscolaire", "nl": "Kleuterschool"}, "saint-gilles")
    await handlers.notify(soon, world.deps)
    inbox = world.inbox()
    assert set(inbox) == {"lotte@example.org", "claire@example.org"}
    attachments = list(inbox["lotte@example.org"].iter_attachments())
    assert [a.get_content_type() for a in attachments] == ["text/calendar"]


async def test_the_calendar_file_reads_back_in_its_own_script(world: World) -> None:
    soon = due_soon({"fr": "Préscolaire — accueil", "ar": "التعليم الأولي"}, "berkane")
    await handlers.notify(soon, world.deps)
    sent = world.inbox()["amina@example.org"]
    parsed = BytesParser(policy=email.policy.default).parsebytes(flatten_message(sent))
    assert isinstance(parsed, EmailMessage)
    [calendar] = list(parsed.iter_attachments())
    assert calendar.get_content_charset() == "utf-8"
    assert "التعليم الأولي" in calendar.get_content()  # a standard parser, not our writer


def lottes_request_refused() -> SubmissionRejected:
    return SubmissionRejected.create(
        SubmissionRejectedPayload(submission_id="s-1", code="milestone_unknown", reason="Inconnu"),
        partnership_id=PAIR,
        actor=Actor(kind="officer", id="lotte@example.org", municipality_id="saint-gilles"),
    )


async def test_a_refusal_reaches_only_the_officer_who_asked(world: World) -> None:
    refused = lottes_request_refused()
    await handlers.notify(refused, world.deps)
    assert set(world.inbox()) == {"lotte@example.org"}


async def test_a_status_change_is_kept_and_mailed_to_both_municipalities(world: World) -> None:
    await handlers.partnership_status_changed(
        PartnershipStatusChanged.create(
            PartnershipStatusChangedPayload(
                partnership_id=PAIR,
                status="suspended",
                previous_status="active",
                reason="Élections",
            ),
            partnership_id=PAIR,
        ),
        world.deps,
    )
    partnership = await world.directory.partnership(PAIR)
    assert partnership is not None
    assert partnership.status == "suspended"
    assert set(world.inbox()) == {"amina@example.org", "lotte@example.org"}


async def test_a_recipient_who_opted_out_gets_nothing_and_one_on_the_digest_gets_it_at_their_hour(
    world: World,
) -> None:
    await world.preferences.save("amina", 0, Preferences(default="off"), NOW)
    await world.preferences.save("lotte", 0, Preferences(default="digest", digest_hour=8), NOW)
    await handlers.notify(reached(), world.deps)
    assert set(world.inbox()) == {"claire@example.org"}
    [queued] = world.digests.items.values()
    assert queued.recipient_id == "lotte"
    # Queued at 08:00 in Brussels: it goes into the next morning's digest.
    assert queued.digest_date == dt.date(2026, 12, 1)
    assert await send_due_digests(world.deps, NOW + dt.timedelta(hours=23)) == 0
    assert await send_due_digests(world.deps, NOW + dt.timedelta(hours=24)) == 1
    digest = world.inbox()["lotte@example.org"]
    assert str(digest["Subject"]).startswith("Dagoverzicht")


# -- evidence ----------------------------------------------------------------------------

SHA256 = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"
EVIDENCE_LINK = f"http://127.0.0.1:8080/#/partnerships/{PAIR}/evidence/ev-1"


def evidence_attached(
    *, subject: str = "progress", ids: dict[str, str] | None = None, actor: Actor | None = None
) -> EvidenceAttached:
    """A PDF of 2.4 MB attached by Amina, by default to the progress report on "Service
    social"; ``ids`` name what else it backs (an indicator and period, a phase)."""
    evidence = Evidence.model_validate(
        {
            "evidence_id": "ev-1",
            "name": "compte-rendu atelier jeunes.pdf",
            "media_type": "application/pdf",
            "size": 2_400_000,
            "sha256": SHA256,
            "subject": subject,
            "report_submission_id": "sub-7",
            **(ids or {"milestone_id": "social-service"}),
        }
    )
    return EvidenceAttached.create(
        EvidenceAttachedPayload(
            submission_id="sub-8",
            evidence=evidence,
            phase="2022-2026",
            title={"fr": "Service social", "ar": "المصلحة الاجتماعية"}
            if subject != "evaluation"
            else {},
        ),
        partnership_id=PAIR,
        actor=actor or Actor(kind="officer", id="amina@example.org", municipality_id="berkane"),
    )


def read(message: EmailMessage) -> tuple[EmailMessage, str, str]:
    """The message as a recipient's client reads it: parsed back from its bytes by the
    standard library, with its plain text and its HTML."""
    raw = flatten_message(message)  # the bytes aiosmtplib hands to the server
    parsed = BytesParser(policy=email.policy.default).parsebytes(raw)
    assert isinstance(parsed, EmailMessage)
    plain, html = parsed.get_body(("plain",)), parsed.get_body(("html",))
    assert isinstance(plain, EmailMessage)
    assert isinstance(html, EmailMessage)
    return parsed, plain.get_content(), html.get_content()


async def add_a_french_reader_and_a_coordinator_who_follows_the_programme(world: World) -> None:
    await handlers.member_added(member("sophie", "Sophie", "saint-gilles", "fr"), world.deps)
    await world.preferences.save("claire", 0, Preferences(whole_programme=True), NOW)


def test_every_rule_has_a_handler_for_its_event() -> None:
    assert set(RULES) <= {event_type.TYPE for event_type in HANDLERS}
    assert HANDLERS[EvidenceAttached] is handlers.notify


@pytest.mark.parametrize(
    ("address", "language", "subject", "says", "size"),
    [
        (
            "sophie@example.org",
            "fr",
            "Pièce justificative ajoutée : compte-rendu atelier jeunes.pdf — "
            "Berkane – Saint-Gilles",
            "Amina a joint un fichier comme pièce justificative au rapport d’avancement du "
            "jalon « Service social »",
            "2,4\u202fMo",
        ),
        (
            # No Dutch title: the municipality's next language, French.
            "lotte@example.org",
            "nl",
            "Bewijsstuk toegevoegd: compte-rendu atelier jeunes.pdf — Berkane – Saint-Gilles",
            "Amina heeft een bestand als bewijsstuk toegevoegd aan het voortgangsrapport van de "
            'mijlpaal "Service social"',
            "2,4 MB",
        ),
        (
            "claire@example.org",
            "en",
            "Evidence added: compte-rendu atelier jeunes.pdf — Berkane – Saint-Gilles",
            "Amina attached a file as evidence to the progress report on the milestone "
            '"Service social"',
            "2.4 MB",
        ),
        (
            "amina@example.org",
            "ar",
            "إضافة وثيقة مثبتة: compte-rendu atelier jeunes.pdf — بركان – سان-جيل",
            "أرفق(ت) Amina ملفًا كوثيقة مثبتة بتقرير تقدم المرحلة «المصلحة الاجتماعية»",
            "2,4 م.ب",
        ),
    ],
    ids=["fr", "nl", "en", "ar"],
)
async def test_attached_evidence_is_mailed_to_both_municipalities_with_the_file_and_its_page(
    world: World, address: str, language: Language, subject: str, says: str, size: str
) -> None:
    await add_a_french_reader_and_a_coordinator_who_follows_the_programme(world)
    await handlers.notify(evidence_attached(), world.deps)
    inbox = world.inbox()
    assert set(inbox) == {
        "amina@example.org",
        "lotte@example.org",
        "sophie@example.org",
        "claire@example.org",
    }
    parsed, text, html = read(inbox[address])
    assert str(parsed["Subject"]) == subject
    assert str(parsed["Content-Language"]) == language
    for body in (text, html):
        assert "compte-rendu atelier jeunes.pdf" in body
        assert size in body
        assert SHA256 in body
        assert EVIDENCE_LINK in body
    assert says in text
    assert f'href="{EVIDENCE_LINK}"' in html
    assert ('dir="rtl"' in html) == (language == "ar")


@pytest.mark.parametrize(
    ("subject", "ids", "says"),
    [
        (
            "indicator_value",
            {"indicator_id": "young-people-reached", "period_id": "2025"},
            'to the reported value of the indicator "Service social" (period 2025)',
        ),
        ("evaluation", {"phase": "2017-2021"}, "to the evaluation of the 2017-2021 phase"),
    ],
    ids=["indicator value", "evaluation"],
)
async def test_the_evidence_email_says_whether_the_file_backs_an_indicator_or_an_evaluation(
    world: World, subject: str, ids: dict[str, str], says: str
) -> None:
    await add_a_french_reader_and_a_coordinator_who_follows_the_programme(world)
    await handlers.notify(evidence_attached(subject=subject, ids=ids), world.deps)
    _, text, _ = read(world.inbox()["claire@example.org"])
    assert f"Amina attached a file as evidence {says} in the Berkane" in text


async def test_evidence_attached_by_someone_the_directory_does_not_know_names_their_login(
    world: World,
) -> None:
    stranger = Actor(kind="officer", id="nadia@example.net", municipality_id="berkane")
    await handlers.notify(evidence_attached(actor=stranger), world.deps)
    _, text, _ = read(world.inbox()["lotte@example.org"])
    assert text.split("\n")[2].startswith("nadia@example.net heeft een bestand")


async def test_a_recipient_who_switched_evidence_off_gets_none_and_still_gets_the_rest(
    world: World,
) -> None:
    await world.preferences.save("amina", 0, Preferences(kinds={"evidence_added": "off"}), NOW)
    await handlers.notify(evidence_attached(), world.deps)
    assert set(world.inbox()) == {"lotte@example.org"}
    await handlers.notify(reached(), world.deps)
    assert "amina@example.org" in world.inbox()


async def test_redelivered_evidence_sends_no_one_anything_twice(world: World) -> None:
    event = evidence_attached()
    await handlers.notify(event, world.deps)
    await handlers.notify(event, world.deps)
    assert sorted(str(m["To"]) for m in world.smtp.accepted) == [
        "Amina <amina@example.org>",
        "Lotte <lotte@example.org>",
    ]


async def test_evidence_in_a_digest_links_to_its_page(world: World) -> None:
    await world.preferences.save("lotte", 0, Preferences(default="digest"), NOW)
    await handlers.notify(evidence_attached(), world.deps)
    [queued] = world.digests.items.values()
    assert queued.kind == "evidence_added"
    assert queued.link == EVIDENCE_LINK
    assert queued.title.startswith("Bewijsstuk toegevoegd: compte-rendu atelier jeunes.pdf")


class AlwaysChangedMeanwhile(InMemoryPreferences):
    async def save(
        self, recipient_id: str, expected_version: int, preferences: Preferences, at: dt.datetime
    ) -> int:
        raise PreferencesChangedConcurrently(recipient_id)


async def test_an_unsubscribe_turns_one_kind_or_every_kind_off(world: World) -> None:
    await unsubscribe_recipient("lotte", "milestone_reached", world.deps)
    _, kept = await world.deps.preferences.get("lotte")
    assert kept.kinds == {"milestone_reached": "off"}
    await unsubscribe_recipient("lotte", None, world.deps)
    _, kept = await world.deps.preferences.get("lotte")
    assert (kept.default, kept.kinds) == ("off", {})


async def test_an_unsubscribe_that_could_not_be_saved_says_so(world: World) -> None:
    racing = dataclasses.replace(world.deps, preferences=AlwaysChangedMeanwhile())
    with pytest.raises(PreferencesChangedConcurrently):
        await unsubscribe_recipient("lotte", None, racing)


# -- digests -----------------------------------------------------------------------------

BRUSSELS_17H = dt.datetime(2026, 11, 30, 16, 0, tzinfo=dt.UTC)


def at(world: World, moment: dt.datetime) -> Dependencies:
    return dataclasses.replace(world.deps, clock=lambda: moment)


def mails_to(world: World, address: str) -> list[EmailMessage]:
    return [m for m in world.smtp.accepted if address in str(m["To"])]


async def test_an_item_queued_after_its_days_digest_went_out_gets_a_digest_of_its_own(
    world: World,
) -> None:
    await world.preferences.save("lotte", 0, Preferences(default="digest", digest_hour=18), NOW)
    await handlers.notify(reached(), at(world, BRUSSELS_17H))
    assert await send_due_digests(world.deps, BRUSSELS_17H + dt.timedelta(hours=1)) == 1
    assert world.digests.items == {}  # what a digest carried leaves the queue

    # She moves her digest to 20:00; at 19:00 the day's 18:00 digest has gone already.
    await world.preferences.save("lotte", 1, Preferences(default="digest", digest_hour=20), NOW)
    await handlers.notify(reached(), at(world, BRUSSELS_17H + dt.timedelta(hours=2)))
    [late] = world.digests.items.values()
    assert late.digest_date == dt.date(2026, 11, 30)
    assert await send_due_digests(world.deps, BRUSSELS_17H + dt.timedelta(hours=3)) == 1
    assert await send_due_digests(world.deps, BRUSSELS_17H + dt.timedelta(hours=27)) == 0
    assert len(mails_to(world, "lotte@example.org")) == 2
    assert world.digests.items == {}


async def test_a_digest_claimed_but_not_sent_is_sent_with_just_its_items(world: World) -> None:
    await world.preferences.save("lotte", 0, Preferences(default="digest", digest_hour=18), NOW)
    await handlers.notify(reached(), at(world, BRUSSELS_17H))
    [item] = world.digests.items.values()
    day = item.digest_date
    # A pass claimed the digest and stopped before sending; then another item came.
    await world.digests.claim(DigestClaim(digest_id("lotte", day, 0), "lotte", day, (item.id,)))
    await handlers.notify(reached(), at(world, BRUSSELS_17H + dt.timedelta(minutes=30)))
    assert await send_due_digests(world.deps, BRUSSELS_17H + dt.timedelta(hours=1)) == 2
    first, second = mails_to(world, "lotte@example.org")
    assert "1 melding" in str(first["Subject"])
    assert "1 melding" in str(second["Subject"])
    assert await send_due_digests(world.deps, BRUSSELS_17H + dt.timedelta(hours=2)) == 0


async def test_a_digest_sent_before_digests_were_claimed_is_not_sent_again(world: World) -> None:
    await world.preferences.save("lotte", 0, Preferences(default="digest", digest_hour=18), NOW)
    await handlers.notify(reached(), at(world, BRUSSELS_17H))
    [carried] = world.digests.items.values()
    day = carried.digest_date
    sent_then = BRUSSELS_17H + dt.timedelta(hours=1)
    earlier = digest_id("lotte", day, 0)
    world.outcomes.commits[earlier] = Commit(earlier, f"delivery:{earlier}", 1, (), sent_then)
    await world.preferences.save("lotte", 1, Preferences(default="digest", digest_hour=20), NOW)
    await handlers.notify(reached(), at(world, BRUSSELS_17H + dt.timedelta(hours=2)))
    assert await send_due_digests(world.deps, BRUSSELS_17H + dt.timedelta(hours=3)) == 1
    [digest] = mails_to(world, "lotte@example.org")
    assert "1 melding" in str(digest["Subject"])  # the one queued after, not both
    assert world.digests.items == {}


async def test_an_address_the_directory_holds_twice_gets_one_email(world: World) -> None:
    twice = member("lotte-again", "Lotte", "saint-gilles", "nl")
    twice = twice.model_copy(
        update={"payload": twice.payload.model_copy(update={"email": "Lotte@Example.org"})}
    )
    await handlers.member_added(twice, world.deps)
    await handlers.notify(reached(), world.deps)
    assert len(mails_to(world, "otte@")) == 1
    assert len(world.smtp.accepted) == 3  # Amina, Lotte and Claire, once each


async def test_a_kind_no_one_can_turn_off_offers_no_one_click_unsubscribe(world: World) -> None:
    refused = lottes_request_refused()
    await handlers.notify(refused, world.deps)
    await handlers.notify(reached(), world.deps)
    rejection, news = mails_to(world, "lotte@example.org")
    assert rejection["List-Unsubscribe"] is None  # a button that could not work
    assert str(news["List-Unsubscribe-Post"]) == "List-Unsubscribe=One-Click"
    assert not await unsubscribe_recipient("lotte", "submission_rejected", world.deps)
    assert await world.deps.preferences.get("lotte") == (0, Preferences())  # nothing saved


async def test_a_removed_member_stays_removed_when_their_older_event_comes_again(
    world: World,
) -> None:
    added = member("nadia", "Nadia", "berkane", "fr")
    await handlers.member_added(added, world.deps)
    removed = MemberRemoved.create(
        MemberRemovedPayload(member_id="nadia", municipality_id="berkane"),
        partnership_id="programme",
        occurred_at=added.occurred_at + dt.timedelta(minutes=5),
    )
    await handlers.member_removed(removed, world.deps)
    await handlers.member_added(added, world.deps)  # published again, after the removal
    assert "nadia" not in {r.member_id for r in await world.directory.members_of("berkane")}
