"""Embassies receive a survivor's identity only with the survivor's own consent for that
very embassy, only the embassy of the survivor's country, and never on an override: on
the page, the API, the action, the partner's reading and the demo."""

import html
import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from himaya.accounts.models import User
from himaya.agencies.models import Agency, Role
from himaya.audit.models import AuditEvent
from himaya.referrals import actions, rules
from himaya.referrals.models import ConsentBasis, Referral
from himaya.referrals.tests.conftest import World, snapshot
from himaya.referrals.tests.factories import PartnerAgencyFactory, give_consent, service
from himaya.survivors.models import Consent

pytestmark = pytest.mark.django_db

FULL_NAME = "فاطمة أحمد حسن"
FIRST_NAME = "فاطمة"
LATIN = "Fatma Ahmed Hassan"
PHONE = "+20 100 555 0101"
IDENTITY = [FULL_NAME, FIRST_NAME, LATIN, PHONE]

OVERRIDE_REFUSED_EN = "No override is possible for an embassy"
OVERRIDE_REFUSED_AR = "لا يجوز تجاوز الموافقة مع السفارات"
CONSENT_MISSING_EN = "and that consent is not on file. Record the consent first."
CONSENT_MISSING_AR = "وهذه الموافقة غير مسجلة. سجّل الموافقة أولًا."
OTHER_COUNTRY_EN = "this embassy does not represent the survivor's nationality"
OTHER_COUNTRY_AR = "وهذه السفارة لا تمثل جنسية الناجي/ة."
NO_COUNTRY_EN = "This embassy has no country on record"


@dataclass
class Embassies:
    ethiopia: Agency
    ethiopia_consulate: Agency
    sudan: Agency
    staff: User


@pytest.fixture
def embassies(world: World, make_persona: Callable[..., User]) -> Embassies:
    """Two Ethiopian missions and a Sudanese one; the survivor of the case is Ethiopian."""
    ethiopia = PartnerAgencyFactory(kind="embassy", country="ET", name_en="Embassy of Ethiopia")
    consulate = PartnerAgencyFactory(kind="embassy", country="ET", name_en="Consulate of Ethiopia")
    sudan = PartnerAgencyFactory(kind="embassy", country="SD", name_en="Embassy of Sudan")
    survivor = world.case.survivor
    survivor.nationality = "ET"
    survivor.save()
    staff = make_persona(Role.PARTNER_STAFF, ethiopia, "ethiopia_staff")
    return Embassies(ethiopia=ethiopia, ethiopia_consulate=consulate, sudan=sudan, staff=staff)


def embassy_consent(world: World, embassy: Agency | None, **kwargs: Any) -> Consent:
    return give_consent(
        world.case.survivor, world.case_worker, purpose="embassy", recipient=embassy, **kwargs
    )


def set_nationality(world: World, code: str) -> None:
    survivor = world.case.survivor
    survivor.nationality = code
    survivor.save()


def _page_post(
    client: Client,
    world: World,
    embassy: Agency,
    language: str,
    **extra: str,
) -> Any:
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    data = {
        "to_agency": embassy.code,
        "service_type": "documentation",
        "shared_fields": ["full_name", "phone"],
        **extra,
    }
    return client.post(f"{reverse('referrals:create')}?case={world.case.code}", data)


def _api_post(
    client: Client,
    world: World,
    embassy: Agency,
    language: str,
    **extra: str,
) -> Any:
    data = {
        "case": world.case.code,
        "to_agency": embassy.code,
        "service_type": "documentation",
        "shared_fields": ["full_name", "phone"],
        **extra,
    }
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    return client.post(reverse("referrals:api_create"), data, content_type="application/json")


def _refusal_text(door: str, response: Any) -> str:
    if door == "page":
        assert response.status_code == 200
        return html.unescape(response.content.decode())
    assert response.status_code == 400
    return str(response.json()["detail"])


def _assert_one_refusal_row(
    before: Any, world: World, embassy: Agency, actor: User, reason: str, *, override: bool
) -> None:
    """Nothing written but one audit row of the refused attempt, without personal data."""
    after = snapshot()
    assert after.referrals == before.referrals == []
    assert after.timeline == before.timeline
    assert after.audit == before.audit + 1
    event = AuditEvent.objects.order_by("-sequence").first()
    assert event is not None
    assert event.action == "referral.refused"
    assert event.actor == actor
    assert event.purpose == "referral"
    assert event.object_code == world.case.code
    assert event.details == {
        "case": world.case.code,
        "to_agency": embassy.code,
        "reason": reason,
        "override_attempted": override,
    }
    stored = json.dumps([event.details, event.object_code], ensure_ascii=False)
    for value in IDENTITY:
        assert value not in stored


DOORS = ["page", "api"]
LANGUAGES = [("en", 0), ("ar", 1)]


# --- an override never reaches an embassy --------------------------------------------


@pytest.mark.parametrize("door", DOORS)
@pytest.mark.parametrize(("language", "index"), LANGUAGES)
def test_supervisor_override_to_an_embassy_is_refused_with_the_reason_and_one_audit_row(
    door: str,
    language: str,
    index: int,
    world: World,
    embassies: Embassies,
    login: Callable[..., Client],
) -> None:
    client = login(world.supervisor)
    before = snapshot()
    post = _page_post if door == "page" else _api_post
    response = post(
        client,
        world,
        embassies.ethiopia,
        language,
        override_reason="Urgent travel document",
    )

    text = _refusal_text(door, response)
    assert (OVERRIDE_REFUSED_EN, OVERRIDE_REFUSED_AR)[index] in text
    if door == "api":
        assert list(response.json()["errors"]) == ["override_reason"]
    assert Referral.objects.count() == 0
    _assert_one_refusal_row(
        before, world, embassies.ethiopia, world.supervisor, rules.EMBASSY_NO_CONSENT, override=True
    )


def test_sudanese_survivor_is_never_referred_to_the_ethiopian_embassy_on_an_override(
    world: World, embassies: Embassies, login: Callable[..., Client]
) -> None:
    set_nationality(world, "SD")
    client = login(world.supervisor)
    before = snapshot()

    response = _page_post(client, world, embassies.ethiopia, "en", override_reason="Travel papers")

    assert OTHER_COUNTRY_EN in _refusal_text("page", response)
    _assert_one_refusal_row(
        before,
        world,
        embassies.ethiopia,
        world.supervisor,
        rules.EMBASSY_OTHER_COUNTRY,
        override=True,
    )


def test_case_worker_override_through_the_api_is_refused_as_an_override(
    world: World, embassies: Embassies, login: Callable[..., Client]
) -> None:
    client = login(world.case_worker)
    before = snapshot()
    response = _api_post(client, world, embassies.ethiopia, "en", override_reason="Please")
    assert OVERRIDE_REFUSED_EN in _refusal_text("api", response)
    _assert_one_refusal_row(
        before,
        world,
        embassies.ethiopia,
        world.case_worker,
        rules.EMBASSY_NO_CONSENT,
        override=True,
    )


# --- the consent must name that very embassy and stand ---------------------------------


@pytest.mark.parametrize("door", DOORS)
@pytest.mark.parametrize(("language", "index"), LANGUAGES)
def test_consent_for_one_embassy_does_not_allow_another(
    door: str,
    language: str,
    index: int,
    world: World,
    embassies: Embassies,
    login: Callable[..., Client],
) -> None:
    embassy_consent(world, embassies.ethiopia)
    client = login(world.case_worker)
    before = snapshot()
    post = _page_post if door == "page" else _api_post

    response = post(client, world, embassies.ethiopia_consulate, language)

    assert (CONSENT_MISSING_EN, CONSENT_MISSING_AR)[index] in _refusal_text(door, response)
    _assert_one_refusal_row(
        before,
        world,
        embassies.ethiopia_consulate,
        world.case_worker,
        rules.EMBASSY_NO_CONSENT,
        override=False,
    )


@pytest.mark.parametrize("door", DOORS)
@pytest.mark.parametrize(("language", "index"), LANGUAGES)
def test_embassy_of_another_country_is_refused_even_with_a_consent_naming_it(
    door: str,
    language: str,
    index: int,
    world: World,
    embassies: Embassies,
    login: Callable[..., Client],
) -> None:
    embassy_consent(world, embassies.sudan)
    client = login(world.case_worker)
    before = snapshot()
    post = _page_post if door == "page" else _api_post

    response = post(client, world, embassies.sudan, language)

    assert (OTHER_COUNTRY_EN, OTHER_COUNTRY_AR)[index] in _refusal_text(door, response)
    if door == "api":
        assert list(response.json()["errors"]) == ["to_agency"]
    _assert_one_refusal_row(
        before,
        world,
        embassies.sudan,
        world.case_worker,
        rules.EMBASSY_OTHER_COUNTRY,
        override=False,
    )


@pytest.mark.parametrize("door", DOORS)
def test_withdrawn_embassy_consent_is_refused(
    door: str, world: World, embassies: Embassies, login: Callable[..., Client]
) -> None:
    consent = embassy_consent(world, embassies.ethiopia)
    consent.withdrawn_on = timezone.localdate()
    consent.save()
    client = login(world.supervisor)
    before = snapshot()
    post = _page_post if door == "page" else _api_post

    response = post(client, world, embassies.ethiopia, "en")

    assert CONSENT_MISSING_EN in _refusal_text(door, response)
    _assert_one_refusal_row(
        before,
        world,
        embassies.ethiopia,
        world.supervisor,
        rules.EMBASSY_NO_CONSENT,
        override=False,
    )


def test_embassy_consent_without_a_named_recipient_does_not_count(
    world: World, embassies: Embassies
) -> None:
    embassy_consent(world, None)
    before = snapshot()
    with pytest.raises(actions.EmbassyRefused) as refused:
        actions.create_referral(
            case=world.case,
            to_agency=embassies.ethiopia,
            service_type=service("documentation"),
            shared_fields=["full_name"],
            by=world.case_worker,
        )
    assert refused.value.reason == rules.EMBASSY_NO_CONSENT
    _assert_one_refusal_row(
        before,
        world,
        embassies.ethiopia,
        world.case_worker,
        rules.EMBASSY_NO_CONSENT,
        override=False,
    )


def test_consent_given_only_in_the_future_does_not_count(
    world: World, embassies: Embassies
) -> None:
    embassy_consent(world, embassies.ethiopia, given_on=timezone.localdate() + timedelta(days=1))
    with pytest.raises(actions.EmbassyRefused):
        actions.create_referral(
            case=world.case,
            to_agency=embassies.ethiopia,
            service_type=service("documentation"),
            shared_fields=["full_name"],
            by=world.supervisor,
        )
    assert Referral.objects.count() == 0


def test_embassy_without_a_country_receives_nothing_even_with_consent(
    world: World, embassies: Embassies, login: Callable[..., Client]
) -> None:
    stateless = PartnerAgencyFactory(kind="embassy", country="")
    embassy_consent(world, stateless)
    client = login(world.case_worker)
    before = snapshot()

    response = _api_post(client, world, stateless, "en")

    assert NO_COUNTRY_EN in _refusal_text("api", response)
    _assert_one_refusal_row(
        before, world, stateless, world.case_worker, rules.EMBASSY_NO_COUNTRY, override=False
    )


def test_the_refusal_says_nothing_of_the_survivors_other_consents(
    world: World, embassies: Embassies
) -> None:
    """The same words whether or not a consent for another embassy exists."""

    def refusal() -> str:
        with pytest.raises(actions.EmbassyRefused) as refused:
            actions.create_referral(
                case=world.case,
                to_agency=embassies.ethiopia_consulate,
                service_type=service("documentation"),
                shared_fields=["full_name"],
                by=world.case_worker,
            )
        return str(refused.value.message)

    without_other = refusal()
    embassy_consent(world, embassies.ethiopia)
    assert refusal() == without_other


def test_a_refusal_for_a_case_out_of_scope_is_a_plain_404_and_writes_nothing(
    world: World, embassies: Embassies, login: Callable[..., Client], outsider: User
) -> None:
    client = login(outsider)
    before = snapshot()
    response = _api_post(client, world, embassies.ethiopia, "en", override_reason="x")
    assert response.status_code == 404
    assert snapshot() == before


# --- the happy path -------------------------------------------------------------------


@pytest.mark.parametrize("door", DOORS)
def test_referral_to_the_embassy_of_the_survivors_country_with_its_consent_is_sent(
    door: str, world: World, embassies: Embassies, login: Callable[..., Client]
) -> None:
    embassy_consent(world, embassies.ethiopia)
    post = _page_post if door == "page" else _api_post

    client = login(world.case_worker)
    response = post(client, world, embassies.ethiopia, "en")

    referral = Referral.objects.get()
    assert response.status_code == (302 if door == "page" else 201)
    assert referral.to_agency == embassies.ethiopia
    assert referral.consent_basis == ConsentBasis.CONSENT
    assert referral.override_by is None
    assert (
        AuditEvent.objects.filter(action="referral.created", object_code=referral.code).count() == 1
    )
    assert not AuditEvent.objects.filter(action="referral.refused").exists()


def test_an_override_reason_beside_a_standing_consent_is_not_recorded(
    world: World, embassies: Embassies
) -> None:
    embassy_consent(world, embassies.ethiopia)
    referral = actions.create_referral(
        case=world.case,
        to_agency=embassies.ethiopia,
        service_type=service("documentation"),
        shared_fields=["full_name"],
        by=world.supervisor,
        override_reason="Just in case",
    )
    assert referral.consent_basis == ConsentBasis.CONSENT
    assert referral.override_reason == ""
    assert referral.override_by is None
    assert not AuditEvent.objects.filter(action="referral.consent_overridden").exists()


# --- what the embassy reads, re-checked at every read ----------------------------------


@pytest.fixture
def embassy_reader(embassies: Embassies, login: Callable[..., Client]) -> Client:
    return login(embassies.staff)


def _sent_with_consent(world: World, embassies: Embassies) -> tuple[Referral, Consent]:
    consent = embassy_consent(world, embassies.ethiopia)
    referral = actions.create_referral(
        case=world.case,
        to_agency=embassies.ethiopia,
        service_type=service("documentation"),
        shared_fields=["full_name", "phone"],
        by=world.case_worker,
    )
    return referral, consent


def _read(client: Client, referral: Referral) -> tuple[str, dict[str, Any]]:
    page = client.get(reverse("referrals:detail", args=[referral.code]))
    api = client.get(reverse("referrals:api_detail", args=[referral.code]))
    assert page.status_code == api.status_code == 200
    return page.content.decode(), api.json()


def _no_identity(page: str, body: dict[str, Any]) -> None:
    text = page + json.dumps(body, ensure_ascii=False)
    for value in IDENTITY:
        assert value not in text, value
    assert body["shared"] is None
    assert body["consent_withdrawn"] is True
    assert 'data-testid="consent-withdrawn"' in page


def test_embassy_reads_the_shared_fields_while_its_consent_stands(
    world: World, embassies: Embassies, embassy_reader: Client
) -> None:
    referral, _consent = _sent_with_consent(world, embassies)

    page, body = _read(embassy_reader, referral)

    assert f'data-field="full_name">{FULL_NAME} / {LATIN}<' in page
    assert [(s["field"], s["value"]) for s in body["shared"]] == [
        ("full_name", f"{FULL_NAME} / {LATIN}"),
        ("phone", PHONE),
    ]
    assert body["consent_withdrawn"] is False


def test_embassy_reads_no_identity_after_the_consent_is_withdrawn(
    world: World, embassies: Embassies, embassy_reader: Client
) -> None:
    referral, consent = _sent_with_consent(world, embassies)
    consent.withdrawn_on = timezone.localdate()
    consent.save()
    audit_before = AuditEvent.objects.count()

    page, body = _read(embassy_reader, referral)

    _no_identity(page, body)
    assert AuditEvent.objects.count() == audit_before


def test_embassy_reads_no_identity_when_the_survivors_nationality_is_not_its_country(
    world: World, embassies: Embassies, embassy_reader: Client
) -> None:
    referral, _consent = _sent_with_consent(world, embassies)
    set_nationality(world, "SD")

    page, body = _read(embassy_reader, referral)

    _no_identity(page, body)


def test_embassy_reads_no_identity_of_a_referral_sent_on_an_override(
    world: World,
    embassies: Embassies,
    embassy_reader: Client,
    make_referral: Callable[..., Referral],
) -> None:
    referral = make_referral(
        to_agency=embassies.ethiopia,
        shared_fields=["full_name", "phone"],
        consent_basis=ConsentBasis.OVERRIDE,
        override_reason="Urgent travel document",
        override_by=world.supervisor,
    )
    audit_before = AuditEvent.objects.count()

    page, body = _read(embassy_reader, referral)

    _no_identity(page, body)
    assert AuditEvent.objects.count() == audit_before


def test_the_sender_sees_that_the_embassy_no_longer_receives_the_fields(
    world: World, embassies: Embassies, login: Callable[..., Client]
) -> None:
    referral, consent = _sent_with_consent(world, embassies)
    consent.withdrawn_on = timezone.localdate()
    consent.save()

    page = login(world.case_worker).get(reverse("referrals:detail", args=[referral.code]))

    assert 'data-testid="consent-withdrawn"' in page.content.decode()


# --- asylum seekers and refugees: never to any embassy -------------------------------

PROTECTED_EN = "No embassy receives a referral for an asylum seeker or a refugee"


def set_protection(world: World, status: str, *, unhcr_registered: bool = False) -> None:
    survivor = world.case.survivor
    survivor.migration_status = status
    survivor.unhcr_registered = unhcr_registered
    survivor.save()


@pytest.mark.parametrize("door", DOORS)
@pytest.mark.parametrize("status", ["asylum_seeker", "refugee"])
def test_an_asylum_seeker_or_refugee_is_never_referred_to_an_embassy_even_with_its_consent(
    door: str,
    status: str,
    world: World,
    embassies: Embassies,
    login: Callable[..., Client],
) -> None:
    embassy_consent(world, embassies.ethiopia)
    set_protection(world, status)
    client = login(world.case_worker)
    before = snapshot()
    post = _page_post if door == "page" else _api_post

    response = post(client, world, embassies.ethiopia, "en")

    assert PROTECTED_EN in _refusal_text(door, response)
    _assert_one_refusal_row(
        before,
        world,
        embassies.ethiopia,
        world.case_worker,
        rules.EMBASSY_PROTECTED,
        override=False,
    )


@pytest.mark.parametrize("door", DOORS)
def test_a_supervisors_override_for_a_refugee_is_refused_as_protection(
    door: str,
    world: World,
    embassies: Embassies,
    login: Callable[..., Client],
) -> None:
    set_protection(world, "refugee")
    client = login(world.supervisor)
    before = snapshot()
    post = _page_post if door == "page" else _api_post

    response = post(
        client, world, embassies.ethiopia, "en", override_reason="Danger to life, urgent"
    )

    assert PROTECTED_EN in _refusal_text(door, response)
    _assert_one_refusal_row(
        before, world, embassies.ethiopia, world.supervisor, rules.EMBASSY_PROTECTED, override=True
    )


@pytest.mark.parametrize("door", DOORS)
def test_a_survivor_registered_with_unhcr_is_never_referred_to_an_embassy(
    door: str,
    world: World,
    embassies: Embassies,
    login: Callable[..., Client],
) -> None:
    embassy_consent(world, embassies.ethiopia)
    set_protection(world, "regular", unhcr_registered=True)
    client = login(world.case_worker)
    before = snapshot()
    post = _page_post if door == "page" else _api_post

    response = post(client, world, embassies.ethiopia, "en")

    assert PROTECTED_EN in _refusal_text(door, response)
    _assert_one_refusal_row(
        before,
        world,
        embassies.ethiopia,
        world.case_worker,
        rules.EMBASSY_PROTECTED,
        override=False,
    )


@pytest.mark.parametrize("door", DOORS)
def test_a_regular_migrant_with_the_embassys_consent_is_still_referred(
    door: str, world: World, embassies: Embassies, login: Callable[..., Client]
) -> None:
    embassy_consent(world, embassies.ethiopia)
    set_protection(world, "regular")
    post = _page_post if door == "page" else _api_post

    response = post(login(world.case_worker), world, embassies.ethiopia, "en")

    assert response.status_code == (302 if door == "page" else 201)
    referral = Referral.objects.get()
    assert referral.to_agency == embassies.ethiopia
    assert referral.consent_basis == ConsentBasis.CONSENT
    assert not AuditEvent.objects.filter(action="referral.refused").exists()


@pytest.mark.parametrize("status", ["asylum_seeker", "refugee"])
def test_embassy_reads_no_identity_once_the_survivor_seeks_protection(
    status: str, world: World, embassies: Embassies, embassy_reader: Client
) -> None:
    referral, _consent = _sent_with_consent(world, embassies)
    set_protection(world, status)
    audit_before = AuditEvent.objects.count()

    page, body = _read(embassy_reader, referral)

    _no_identity(page, body)
    assert AuditEvent.objects.count() == audit_before
