"""The printable referral form carries exactly what the referral's page shows its reader:
the shared values to the receiving agency while sharing stands, the names of the shared
fields to the referring agency, nothing to anyone else; each form produced is recorded."""

import datetime
from collections.abc import Callable

import pytest
from django.conf import settings
from django.test import Client
from django.utils import timezone

from himaya.accounts.models import User
from himaya.agencies.models import Role
from himaya.audit.models import AuditEvent
from himaya.core.pdf import PDF
from himaya.core.tests.pdftext import pdf_text, without_spaces
from himaya.referrals.models import Referral
from himaya.referrals.tests.conftest import World
from himaya.survivors.models import Consent

pytestmark = pytest.mark.django_db

FIRST_NAME = "فاطمة"
FULL_NAME_AR = "فاطمة أحمد حسن"
FULL_NAME_LATIN = "Fatma Ahmed Hassan"
PHONE = "+20 100 555 0101"


def _url(referral: Referral) -> str:
    return f"/referrals/{referral.code}/form.pdf"


def _in(client: Client, language: str) -> Client:
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    return client


def _printed(referral: Referral) -> list[AuditEvent]:
    return list(
        AuditEvent.objects.filter(action="referral.form_printed", object_code=referral.code)
    )


@pytest.fixture
def referral(make_referral: Callable[..., Referral]) -> Referral:
    return make_referral(shared_fields=["first_name", "sex", "phone"])


@pytest.mark.parametrize("language", ["ar", "en"])
def test_the_receiving_agency_prints_the_values_its_page_shows(
    referral: Referral, world: World, login: Callable[[User], Client], language: str
) -> None:
    client = _in(login(world.partner_staff), language)
    page = client.get(f"/referrals/{referral.code}/")
    response = client.get(_url(referral))

    assert response.status_code == 200
    assert response["Content-Type"] == PDF
    assert response["Content-Disposition"] == f'inline; filename="referral-{referral.code}.pdf"'
    text = pdf_text(response.content)
    shown = page.context["shared"]
    assert [key for key, _label, _value in shown] == ["first_name", "sex", "phone"]
    for _key, label, value in shown:
        assert label in text
        assert without_spaces(value) in without_spaces(text)
    title = "نموذج الإحالة" if language == "ar" else "Referral form"
    assert title in text
    assert referral.code in text
    assert referral.case.code in text
    assert FIRST_NAME in text
    assert FULL_NAME_AR not in text
    assert FULL_NAME_LATIN not in text


def test_the_form_produced_is_recorded_with_the_fields_it_carries(
    referral: Referral, world: World, login: Callable[[User], Client]
) -> None:
    login(world.partner_staff).get(_url(referral))

    [event] = _printed(referral)
    assert event.actor_id == world.partner_staff.pk
    assert event.purpose == "referral"
    assert event.details == {"case": referral.case.code, "fields": ["first_name", "sex", "phone"]}
    assert (
        AuditEvent.objects.filter(
            action="referral.shared_fields_viewed", object_code=referral.code
        ).count()
        == 1
    )


def test_the_referring_agency_prints_the_names_of_the_shared_fields_without_their_values(
    referral: Referral, world: World, login: Callable[[User], Client]
) -> None:
    response = _in(login(world.case_worker), "ar").get(_url(referral))

    assert response.status_code == 200
    text = pdf_text(response.content)
    assert "الاسم الأول" in text  # the name of a shared field, not its value
    assert FIRST_NAME not in text
    assert without_spaces(PHONE) not in without_spaces(text)
    [event] = _printed(referral)
    assert (event.actor_id, event.purpose, event.details["fields"]) == (
        world.case_worker.pk,
        "",
        [],
    )


def test_after_the_consent_is_withdrawn_the_form_carries_no_shared_value(
    referral: Referral, world: World, login: Callable[[User], Client]
) -> None:
    Consent.objects.filter(survivor=referral.case.survivor).update(
        withdrawn_on=timezone.localdate() - datetime.timedelta(days=1)
    )
    client = _in(login(world.partner_staff), "en")
    page = client.get(f"/referrals/{referral.code}/")
    response = client.get(_url(referral))

    assert page.context["shared"] is None
    text = pdf_text(response.content)
    assert "consent to share with your agency does not stand" in text
    assert FIRST_NAME not in text
    assert without_spaces(PHONE) not in without_spaces(text)
    assert _printed(referral)[0].details["fields"] == []


def test_a_closed_referral_prints_without_its_shared_values(
    make_referral: Callable[..., Referral], world: World, login: Callable[[User], Client]
) -> None:
    referral = make_referral(
        shared_fields=["first_name"], status="cancelled", cancelled_at=timezone.now()
    )
    response = _in(login(world.partner_staff), "en").get(_url(referral))

    text = pdf_text(response.content)
    assert "This referral is closed" in text
    assert FIRST_NAME not in text


def _expected(role: str) -> int:
    # The referring agency's case workers and supervisors and the receiving agency's
    # staff see the referral; nobody else finds it.
    return 200 if role in {Role.CASE_WORKER, Role.SUPERVISOR, Role.PARTNER_STAFF} else 404


@pytest.mark.parametrize("role", [*[role.value for role in Role], "outsider"])
def test_every_role_gets_the_form_only_within_its_scope(
    referral: Referral,
    personas: dict[str, User],
    login: Callable[[User], Client],
    role: str,
) -> None:
    response = login(personas[role]).get(_url(referral))

    assert response.status_code == _expected(role)
    assert len(_printed(referral)) == (1 if _expected(role) == 200 else 0)
    if _expected(role) != 200:
        assert FIRST_NAME.encode() not in response.content


def test_the_referral_page_links_to_its_form(
    referral: Referral, world: World, login: Callable[[User], Client]
) -> None:
    page = login(world.partner_staff).get(f"/referrals/{referral.code}/")

    assert f'href="{_url(referral)}"' in page.content.decode()
    assert _printed(referral) == []
