"""The pages: creating a referral, the override for supervisors, lists and query counts."""

from collections.abc import Callable

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from himaya.audit.models import AuditEvent
from himaya.referrals.models import ConsentBasis, Referral
from himaya.referrals.tests.conftest import World, snapshot
from himaya.referrals.tests.factories import CaseFactory, PartnerAgencyFactory
from himaya.timeline.models import CaseEvent

pytestmark = pytest.mark.django_db


def _url(world: World) -> str:
    return f"{reverse('referrals:create')}?case={world.case.code}"


def test_case_worker_refers_a_case_through_the_form(
    world: World, login: Callable[..., Client]
) -> None:
    client = login(world.case_worker)
    response = client.post(
        _url(world),
        {
            "to_agency": world.partner.code,
            "service_type": "medical",
            "shared_fields": ["first_name", "medical_needs"],
            "medical_note": "Needs a check-up",
        },
    )
    referral = Referral.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("referrals:detail", args=[referral.code])
    assert referral.shared_fields == ["first_name", "medical_needs"]
    assert referral.medical_note == "Needs a check-up"
    assert referral.sent_by == world.case_worker


def test_form_without_consent_shows_the_refusal_and_keeps_what_was_typed(
    world: World, login: Callable[..., Client]
) -> None:
    other = PartnerAgencyFactory()
    client = login(world.case_worker)
    before = snapshot()
    response = client.post(
        _url(world),
        {
            "to_agency": other.code,
            "service_type": "medical",
            "shared_fields": ["first_name"],
            "override_reason": "A case worker cannot override",
        },
    )
    assert response.status_code == 200
    assert response.context["form"].non_field_errors()
    assert response.context["form"]["shared_fields"].value() == ["first_name"]
    assert b"override_reason" not in response.content
    assert snapshot() == before


def test_missing_note_is_shown_beside_its_field(world: World, login: Callable[..., Client]) -> None:
    client = login(world.case_worker)
    response = client.post(
        _url(world),
        {
            "to_agency": world.partner.code,
            "service_type": "medical",
            "shared_fields": ["safety_note"],
        },
    )
    assert response.status_code == 200
    assert response.context["form"].errors["safety_note"]
    assert Referral.objects.count() == 0


def test_supervisor_overrides_a_missing_consent_with_a_reason(
    world: World, login: Callable[..., Client]
) -> None:
    other = PartnerAgencyFactory()
    client = login(world.supervisor)
    assert b"override_reason" in client.get(_url(world)).content
    response = client.post(
        _url(world),
        {
            "to_agency": other.code,
            "service_type": "shelter",
            "shared_fields": ["first_name"],
            "override_reason": "Immediate danger at home",
        },
    )
    assert response.status_code == 302
    referral = Referral.objects.get()
    assert referral.consent_basis == ConsentBasis.OVERRIDE
    assert referral.override_reason == "Immediate danger at home"
    assert AuditEvent.objects.filter(
        action="referral.consent_overridden", object_code=referral.code
    ).exists()
    assert CaseEvent.objects.filter(
        kind="referral.consent_overridden", summary__contains="Immediate danger at home"
    ).exists()


def test_stale_answer_on_the_page_is_refused_and_shown(
    world: World, login: Callable[..., Client], make_referral: Callable[..., Referral]
) -> None:
    referral = make_referral(version=2)
    client = login(world.partner_staff)
    before = snapshot()
    response = client.post(
        reverse("referrals:accept", args=[referral.code]), {"version": 1}, follow=True
    )
    assert response.status_code == 200
    assert [m.level_tag for m in response.context["messages"]] == ["error"]
    assert snapshot().referrals == before.referrals


def test_inbox_highlights_overdue_referrals(
    world: World, login: Callable[..., Client], make_referral: Callable[..., Referral]
) -> None:
    late = make_referral(
        sent_at=timezone.now() - timezone.timedelta(hours=72),
        respond_by=timezone.now() - timezone.timedelta(hours=24),
    )
    fresh = make_referral()
    page = login(world.partner_staff).get(reverse("referrals:inbox")).content.decode()
    assert page.count('data-overdue="true"') == 1
    assert late.code in page
    assert fresh.code in page
    only = login(world.partner_staff).get(reverse("referrals:inbox"), {"overdue": 1})
    assert late.code in only.content.decode()
    assert fresh.code not in only.content.decode()


def test_sent_page_and_queue_section_list_overdue_referrals(
    world: World, login: Callable[..., Client], make_referral: Callable[..., Referral]
) -> None:
    late = make_referral(
        sent_at=timezone.now() - timezone.timedelta(hours=72),
        respond_by=timezone.now() - timezone.timedelta(hours=24),
    )
    client = login(world.case_worker)
    page = client.get(reverse("referrals:sent"), {"overdue": 1}).content.decode()
    assert late.code in page
    section = client.get(reverse("referrals:queue_overdue"))
    assert late.code in section.content.decode()
    assert section.context["count"] == 1


# --- query counts --------------------------------------------------------------------


def _many(world: World, make_referral: Callable[..., Referral], count: int) -> None:
    for _ in range(count):
        case = CaseFactory(lead_agency=world.case.lead_agency, case_worker=world.case_worker)
        make_referral(case=case)


@pytest.mark.parametrize("count", [1, 6])
@pytest.mark.parametrize(
    ("user", "url", "queries"),
    [
        ("partner_staff", "referrals:inbox", 9),
        ("case_worker", "referrals:sent", 9),
    ],
)
def test_list_pages_run_a_fixed_number_of_queries(
    world: World,
    login: Callable[..., Client],
    make_referral: Callable[..., Referral],
    django_assert_num_queries: Callable[..., object],
    count: int,
    user: str,
    url: str,
    queries: int,
) -> None:
    _many(world, make_referral, count)
    client = login(getattr(world, user))
    with django_assert_num_queries(queries):  # type: ignore[operator]
        response = client.get(reverse(url))
    assert response.status_code == 200
    assert len(response.context["page"].object_list) == count


@pytest.mark.parametrize("count", [1, 6])
@pytest.mark.parametrize(
    ("user", "box", "queries"),
    [("partner_staff", "incoming", 9), ("case_worker", "outgoing", 9)],
)
def test_api_lists_run_a_fixed_number_of_queries(
    world: World,
    login: Callable[..., Client],
    make_referral: Callable[..., Referral],
    django_assert_num_queries: Callable[..., object],
    count: int,
    user: str,
    box: str,
    queries: int,
) -> None:
    _many(world, make_referral, count)
    client = login(getattr(world, user))
    with django_assert_num_queries(queries):  # type: ignore[operator]
        response = client.get(reverse("referrals:api_list"), {"box": box})
    assert response.status_code == 200
    assert response.json()["count"] == count


def test_case_panel_runs_a_fixed_number_of_queries(
    world: World,
    login: Callable[..., Client],
    make_referral: Callable[..., Referral],
    django_assert_num_queries: Callable[..., object],
) -> None:
    for _ in range(4):
        make_referral()
    client = login(world.case_worker)
    with django_assert_num_queries(9):  # type: ignore[operator]
        response = client.get(reverse("referrals:case_panel", args=[world.case.code]))
    assert len(response.context["referrals"]) == 4


def test_pages_speak_arabic_by_default_and_english_on_request(
    world: World, login: Callable[..., Client], make_referral: Callable[..., Referral]
) -> None:
    referral = make_referral()
    client = login(world.partner_staff)
    arabic = client.get(reverse("referrals:detail", args=[referral.code])).content.decode()
    assert 'dir="rtl"' in arabic
    assert "ما شورك مع جهتك" in arabic
    assert "مُرسلة" in arabic
    client.cookies["himaya_language"] = "en"
    english = client.get(reverse("referrals:detail", args=[referral.code])).content.decode()
    assert 'dir="ltr"' in english
    assert "Shared with your agency" in english
    assert ">Sent<" in english


def test_navigation_case_panel_and_queue_section_are_registered(world: World) -> None:
    from himaya.cases.panels import panels_for, queue_sections_for
    from himaya.core.nav import items_for

    assert "referrals" in [panel.key for panel in panels_for(world.case_worker)]
    assert "overdue_referrals" in [s.key for s in queue_sections_for(world.case_worker)]
    assert "referrals" not in [panel.key for panel in panels_for(world.partner_staff)]
    partner_items = [item.key for item in items_for(world.partner_staff)]
    assert "referrals_inbox" in partner_items
    assert "referrals_sent" not in partner_items
    worker_items = [item.key for item in items_for(world.case_worker)]
    assert {"referrals_inbox", "referrals_sent"} <= set(worker_items)
