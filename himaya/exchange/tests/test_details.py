"""A case's trafficking details: the form, the proposal of the screening, the refusals."""

import datetime
from collections.abc import Callable

import pytest
from django.test import Client
from django.urls import reverse

from himaya.accounts.models import User
from himaya.audit.models import AuditEvent
from himaya.cases.models import Case, ClosureReason, Phase
from himaya.core.errors import Invalid
from himaya.exchange.actions import update_trafficking_details
from himaya.screening.models import IndicatorSet, Screening, ScreeningAnswer, TraffickingIndicator
from himaya.screening.tests.conftest import ensure_catalogue
from himaya.timeline.models import CaseEvent

pytestmark = pytest.mark.django_db


def screened(case: Case, keys: list[str]) -> None:
    if not TraffickingIndicator.objects.exists():
        ensure_catalogue()
    indicator_set = IndicatorSet.objects.get(code="A_LAB")
    screening = Screening.objects.create(
        survivor=case.survivor,
        indicator_set=indicator_set,
        agency=case.lead_agency,
        screened_by=case.case_worker,
        screened_on=datetime.date(2026, 2, 27),
        outcome="indicated",
        rule_version="test",
        catalogue_version="test",
        explanation_en="-",
        explanation_ar="-",
    )
    for indicator in TraffickingIndicator.objects.filter(indicator_set=indicator_set, key__in=keys):
        ScreeningAnswer.objects.create(screening=screening, indicator=indicator, answer="yes")
    Case.objects.filter(pk=case.pk).update(screening_code=screening.code)
    case.refresh_from_db()


def test_the_form_proposes_the_means_of_control_the_screening_answered_yes(
    make_case: Callable[..., Case], login: Callable[[User], Client], case_worker: User
) -> None:
    case = make_case()
    screened(case, ["debt_bondage", "confiscation_docs", "abduction", "housing"])

    page = login(case_worker).get(reverse("exchange:details_edit", args=[case.code]))

    assert page.status_code == 200
    form = page.context["form"]
    assert form.initial["means_of_control"] == ["debt_bondage", "withholds_documents"]
    assert form.initial["was_abducted"] == "yes"
    assert b'data-testid="screening-proposal"' in page.content


def test_saving_the_details_changes_the_case_and_writes_the_timeline_and_audit(
    make_case: Callable[..., Case], login: Callable[[User], Client], case_worker: User
) -> None:
    case = make_case()

    response = login(case_worker).post(
        reverse("exchange:details_edit", args=[case.code]),
        {
            "version": case.version,
            "means_of_control": ["threats", "debt_bondage"],
            "labour_sector": "T",
            "recruiter_relationship": "friend",
            "was_abducted": "no",
            "age_at_recruitment": "16",
            "age_at_exploitation": "17",
            "exploitation_months": "14",
            "place_of_recruitment": "Minya",
            "country_of_recruitment": "eg",
        },
    )

    assert response.status_code == 302
    case.refresh_from_db()
    assert case.means_of_control == ["debt_bondage", "threats"]
    assert (case.labour_sector, case.recruiter_relationship, case.was_abducted) == (
        "T",
        "friend",
        False,
    )
    assert (case.age_at_recruitment, case.age_at_exploitation, case.exploitation_months) == (
        16,
        17,
        14,
    )
    assert case.country_of_recruitment == "EG"
    assert AuditEvent.objects.filter(action="exchange.trafficking_details_updated").count() == 1
    assert CaseEvent.objects.filter(case=case).exists()
    panel = login(case_worker).get(reverse("exchange:details_panel", args=[case.code]))
    assert "Minya" in panel.content.decode()


def test_exploitation_before_recruitment_is_refused_and_nothing_changes(
    make_case: Callable[..., Case], case_worker: User
) -> None:
    case = make_case()

    with pytest.raises(Invalid):
        update_trafficking_details(
            case=case,
            by=case_worker,
            expected_version=case.version,
            changes={"age_at_recruitment": 20, "age_at_exploitation": 15},
        )

    case.refresh_from_db()
    assert case.age_at_recruitment is None and case.age_at_exploitation is None
    assert not AuditEvent.objects.filter(action="exchange.trafficking_details_updated").exists()


def test_a_closed_case_keeps_its_details(make_case: Callable[..., Case], case_worker: User) -> None:
    case = make_case(
        phase=Phase.CLOSED,
        closed_on=datetime.date(2026, 4, 1),
        closure_reason=ClosureReason.REINTEGRATED,
    )

    with pytest.raises(Invalid):
        update_trafficking_details(
            case=case, by=case_worker, expected_version=case.version, changes={"labour_sector": "A"}
        )

    case.refresh_from_db()
    assert case.labour_sector == ""


def test_a_stale_version_is_a_conflict_and_nothing_changes(
    make_case: Callable[..., Case], login: Callable[[User], Client], case_worker: User
) -> None:
    case = make_case()

    response = login(case_worker).post(
        reverse("exchange:details_edit", args=[case.code]),
        {"version": case.version + 5, "labour_sector": "A"},
    )

    assert response.status_code == 409
    case.refresh_from_db()
    assert case.labour_sector == ""


def test_the_case_api_shows_the_trafficking_details(
    make_case: Callable[..., Case], login: Callable[[User], Client], case_worker: User
) -> None:
    case = make_case(means_of_control=["threats"], labour_sector="F", age_at_recruitment=19)

    body = login(case_worker).get(reverse("cases:api_detail", args=[case.code])).json()

    assert body["means_of_control"] == ["threats"]
    assert (body["labour_sector"], body["age_at_recruitment"]) == ("F", 19)
    assert body["was_abducted"] is None
