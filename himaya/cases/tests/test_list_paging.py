"""The case list and its API page by position, never count, and stay in scope."""

import datetime
import re
from collections.abc import Callable
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from django.test import Client
from django.urls import reverse
from django.utils.html import escape

from himaya.accounts.models import User
from himaya.agencies.models import Agency, Governorate, Membership, Role
from himaya.agencies.tests.factories import AgencyFactory
from himaya.cases import selectors
from himaya.cases.models import Case, ExploitationForm
from himaya.cases.tests.factories import CaseFactory
from himaya.cases.views import CASES_PER_PAGE

pytestmark = pytest.mark.django_db

LINK = re.compile(r'<a class="code text-nowrap" href="/cases/(CS-[^/"]+)/"')
NEXT = re.compile(r'rel="next" href="\?([^"]*)"')
PREVIOUS = re.compile(r'rel="prev" href="\?([^"]*)"')


def cases_of(agency: Agency, worker: User, count: int, *, days: int = 3) -> list[Case]:
    """``count`` cases spread over ``days`` dates of first contact (many share one)."""
    forms = list(ExploitationForm.objects.all()[:2])
    made = []
    for n in range(count):
        case = CaseFactory(
            lead_agency=agency,
            case_worker=worker,
            first_contact_on=datetime.date(2026, 3, 1) - datetime.timedelta(days=n % days),
        )
        case.exploitation_forms.set(forms)
        made.append(case)
    return made


def expected_order(cases: list[Case]) -> list[str]:
    ordered = sorted(cases, key=lambda case: (case.first_contact_on, case.code), reverse=True)
    return [case.code for case in ordered]


def query_of(link: str) -> str:
    return "?" + link.replace("&amp;", "&")


@pytest.mark.parametrize("count", [3, 30])
@pytest.mark.parametrize(("name", "queries"), [("cases:list", 7), ("cases:api_list", 6)])
def test_the_case_list_and_its_api_run_the_same_queries_however_many_cases_the_agency_leads(
    case_worker: User,
    agency_a: Agency,
    login: Callable[[User], Client],
    django_assert_num_queries: Any,
    name: str,
    queries: int,
    count: int,
) -> None:
    cases_of(agency_a, case_worker, count)
    client = login(case_worker)
    client.get(reverse(name))  # warm the session
    with django_assert_num_queries(queries):
        assert client.get(reverse(name)).status_code == 200


def test_the_case_list_api_answers_pages_without_a_count(
    case_worker: User, agency_a: Agency, login: Callable[[User], Client]
) -> None:
    made = cases_of(agency_a, case_worker, 3)
    body = login(case_worker).get(reverse("cases:api_list")).json()
    assert sorted(body) == ["next", "previous", "results"]
    assert (body["next"], body["previous"]) == (None, None)
    assert [row["code"] for row in body["results"]] == expected_order(made)


def test_paging_the_api_forward_then_back_lists_each_case_once_and_never_another_agencys(
    case_worker: User,
    outsider: User,
    agency_a: Agency,
    agency_b: Agency,
    login: Callable[[User], Client],
) -> None:
    own = cases_of(agency_a, case_worker, 23)
    others = cases_of(agency_b, outsider, 5)
    client = login(case_worker)
    url: str | None = reverse("cases:api_list") + "?limit=4"
    seen: list[str] = []
    pages: list[dict[str, Any]] = []
    while url:
        response = client.get(url)
        assert response.status_code == 200
        pages.append(response.json())
        seen += [row["code"] for row in pages[-1]["results"]]
        url = pages[-1]["next"]
    assert seen == expected_order(own)
    assert [len(page["results"]) for page in pages] == [4, 4, 4, 4, 4, 3]
    assert not {case.code for case in others} & set(seen)
    back: list[str] = []
    url = pages[-1]["previous"]
    while url:
        page = client.get(url).json()
        back = [row["code"] for row in page["results"]] + back
        url = page["previous"]
    assert back == seen[:20]


def test_paging_the_list_page_forward_then_back_shows_each_case_once(
    case_worker: User,
    outsider: User,
    agency_a: Agency,
    agency_b: Agency,
    login: Callable[[User], Client],
) -> None:
    own = cases_of(agency_a, case_worker, CASES_PER_PAGE * 2 + 3, days=4)
    others = cases_of(agency_b, outsider, 3)
    client = login(case_worker)
    url = reverse("cases:list")
    seen: list[str] = []
    pages = []
    while True:
        body = client.get(url).content.decode()
        pages.append(body)
        seen += LINK.findall(body)
        link = NEXT.search(body)
        if link is None:
            break
        url = reverse("cases:list") + query_of(link.group(1))
    assert seen == expected_order(own)
    assert len(pages) == 3
    assert PREVIOUS.search(pages[0]) is None
    assert not {case.code for case in others} & set(seen)
    previous = PREVIOUS.search(pages[-1])
    assert previous is not None
    body = client.get(reverse("cases:list") + query_of(previous.group(1))).content.decode()
    assert LINK.findall(body) == seen[CASES_PER_PAGE : CASES_PER_PAGE * 2]


def test_the_list_page_keeps_its_filters_in_the_links_between_pages(
    case_worker: User, agency_a: Agency, login: Callable[[User], Client]
) -> None:
    cases_of(agency_a, case_worker, CASES_PER_PAGE + 1)
    body = login(case_worker).get(reverse("cases:list") + "?phase=identification").content
    link = NEXT.search(body.decode())
    assert link is not None
    query = parse_qs(urlsplit(query_of(link.group(1))).query)
    assert query["phase"] == ["identification"]
    assert len(query["after"]) == 1


def test_a_position_of_another_agencys_case_shows_nothing_of_that_agency(
    case_worker: User,
    outsider: User,
    agency_a: Agency,
    agency_b: Agency,
    login: Callable[[User], Client],
) -> None:
    own = cases_of(agency_a, case_worker, 2)
    foreign = cases_of(agency_b, outsider, 2)
    position = f"2026-03-09_{foreign[0].code}"
    body = login(case_worker).get(reverse("cases:api_list") + f"?after={position}").json()
    assert [row["code"] for row in body["results"]] == expected_order(own)


@pytest.mark.parametrize(
    "position", ["yesterday", "2026-02-30_CS-AAAA-AAAA-A", "2026-03-01", "2026-03-01_", "x" * 200]
)
def test_the_api_refuses_a_position_it_did_not_write_and_the_page_starts_again(
    case_worker: User, agency_a: Agency, login: Callable[[User], Client], position: str
) -> None:
    made = cases_of(agency_a, case_worker, 2)
    client = login(case_worker)
    response = client.get(reverse("cases:api_list"), {"after": position})
    assert response.status_code == 400
    assert response["Content-Type"] == "application/problem+json"
    assert list(response.json()["errors"]) == ["after"]
    page = client.get(reverse("cases:list"), {"before": position})
    assert page.status_code == 200
    assert LINK.findall(page.content.decode()) == expected_order(made)


def test_the_list_filters_offer_each_agency_governorate_and_form_by_name_the_chosen_selected(
    case_worker: User, agency_a: Agency, login: Callable[[User], Client]
) -> None:
    from himaya.agencies.models import Governorate

    forms = list(ExploitationForm.objects.order_by("order"))
    chosen = forms[1]
    page = (
        login(case_worker)
        .get(reverse("cases:list"), {"governorate": "EG-ALX", "form": chosen.code})
        .content.decode()
    )
    assert f'<option value="{agency_a.code}">الجهة أ</option>' in page
    for governorate in Governorate.objects.all():
        selected = " selected" if governorate.code == "EG-ALX" else ""
        name = escape(governorate.name_ar)
        assert f'<option value="{governorate.code}"{selected}>{name}</option>' in page
    for form in forms:
        selected = " selected" if form == chosen else ""
        assert f'<option value="{form.code}"{selected}>{escape(form.name_ar)}</option>' in page
    assert page.count(" selected>") == 2


def test_a_list_row_of_the_api_is_what_the_generic_serialiser_writes(
    case_worker: User, agency_a: Agency
) -> None:
    from rest_framework import serializers

    from himaya.agencies.models import Governorate
    from himaya.cases import selectors
    from himaya.cases.api import CaseListSerializer

    bare, *full = cases_of(agency_a, case_worker, 3)
    bare.exploitation_forms.clear()
    Case.objects.filter(pk=bare.pk).update(identified_on=None, governorate_of_exploitation=None)
    Case.objects.filter(pk__in=[case.pk for case in full]).update(
        governorate_of_exploitation=Governorate.objects.get(code="EG-ALX"),
        is_transnational=True,
        country_of_exploitation="LY",
    )
    rows = list(selectors.case_list(case_worker))
    assert len(rows) == 3
    for row in rows:
        serializer = CaseListSerializer(row)
        generic = serializers.ModelSerializer.to_representation(serializer, row)
        assert serializer.data == generic
    lean = {row.code: CaseListSerializer(row).data for row in rows}
    assert lean[bare.code]["governorate_of_exploitation"] is None
    assert lean[bare.code]["identified_on"] is None
    assert lean[bare.code]["exploitation_forms"] == []
    assert lean[full[0].code]["governorate_of_exploitation"] == "EG-ALX"
    assert len(lean[full[0].code]["exploitation_forms"]) == 2


def test_the_list_api_answers_each_case_as_the_generic_serialiser_writes_it(
    case_worker: User, agency_a: Agency, login: Callable[[User], Client]
) -> None:
    from rest_framework import serializers

    from himaya.agencies.models import Governorate
    from himaya.cases import selectors
    from himaya.cases.api import CaseListSerializer

    bare, *full = cases_of(agency_a, case_worker, 3)
    bare.exploitation_forms.clear()
    Case.objects.filter(pk=bare.pk).update(identified_on=None, governorate_of_exploitation=None)
    Case.objects.filter(pk__in=[case.pk for case in full]).update(
        governorate_of_exploitation=Governorate.objects.get(code="EG-ALX"),
        is_transnational=True,
        country_of_exploitation="LY",
    )
    generic = {
        case.code: serializers.ModelSerializer.to_representation(CaseListSerializer(case), case)
        for case in selectors.case_list(case_worker)
    }
    answered = login(case_worker).get(reverse("cases:api_list")).json()["results"]
    assert {row["code"]: row for row in answered} == generic
    assert [row["code"] for row in answered] == [
        case.code for case in selectors.case_list(case_worker)
    ]


def test_the_filters_options_are_the_workers_agencies_every_governorate_and_form_in_order(
    make_persona: Callable[..., User], agency_a: Agency, agency_b: Agency
) -> None:
    worker = make_persona(Role.CASE_WORKER, agency_b, "worker_of_two")
    Membership.objects.create(user=worker, agency=agency_a, role=Role.SUPERVISOR)
    closed = AgencyFactory(name_en="AAA closed agency", is_active=False)
    Membership.objects.create(user=worker, agency=closed, role=Role.CASE_WORKER)
    for english, name in ((True, "name_en"), (False, "name_ar")):
        choices = selectors.list_filter_choices(worker, english=english)
        assert choices.agencies == [
            (agency.code, getattr(agency, name)) for agency in (agency_a, agency_b)
        ]
        assert choices.governorates == list(
            Governorate.objects.order_by("name_en").values_list("code", name)
        )
        assert choices.forms == list(
            ExploitationForm.objects.order_by("order").values_list("code", name)
        )
    analyst = make_persona(Role.ANALYST)  # may not open cases: no agency offered
    choices = selectors.list_filter_choices(analyst, english=True)
    assert choices.agencies == []
    assert len(choices.governorates) == Governorate.objects.count() == 27
    assert len(choices.forms) == ExploitationForm.objects.count() > 0
