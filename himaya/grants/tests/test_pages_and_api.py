"""Pages and API of grants: the access matrix, the release rule, statements, query counts."""

import io
from datetime import date
from decimal import Decimal

import openpyxl
import pytest
import time_machine
from django.urls import reverse

from himaya.accounts.tests.factories import PASSWORD
from himaya.audit.models import AuditEvent
from himaya.audit.tests.exported import exports_written, sheet_rows
from himaya.core.exports import XLSX
from himaya.grants import actions
from himaya.grants.models import Grant, GrantReport, Tranche, TrancheStatus
from himaya.grants.tests.factories import make_grant

pytestmark = pytest.mark.django_db

ROLES = [
    "case_worker",
    "supervisor",
    "shelter_staff",
    "fund_officer",
    "fund_approver",
    "empowerment_officer",
    "grants_officer",
    "partner_staff",
    "operator",
    "analyst",
    "auditor",
    "administrator",
    "outsider",
    "ngo_staff",
    "ngo_case_worker",
    "other_ngo_staff",
]
OWN_NGO = {"ngo_staff": 200, "ngo_case_worker": 200}
SEE_LIST = {"grants_officer": 200, "partner_staff": 200, "other_ngo_staff": 200, **OWN_NGO}
SEE_ONE = {"grants_officer": 200, "partner_staff": 404, "other_ngo_staff": 404, **OWN_NGO}
REPORTERS = {"grants_officer": 403, "partner_staff": 404, "other_ngo_staff": 404}

# (url name, arguments, method, non-403 statuses by role)
ENDPOINTS = [
    ("grants:list", None, "get", SEE_LIST),
    ("grants:create", None, "get", {"grants_officer": 200}),
    ("grants:statement", None, "get", {"grants_officer": 200}),
    ("grants:detail", "grant", "get", SEE_ONE),
    ("grants:release", "tranche2", "post", {"grants_officer": 409}),
    ("grants:report", "tranche1", "get", {**REPORTERS, **OWN_NGO}),
    ("grants:review", "report", "post", {"grants_officer": 400}),
    ("grants:api_list", None, "get", SEE_LIST),
    ("grants:api_detail", "grant", "get", SEE_ONE),
    ("grants:api_release", "tranche2", "post", {"grants_officer": 409}),
    (
        "grants:api_report",
        "tranche1",
        "post",
        {**REPORTERS, "ngo_staff": 400, "ngo_case_worker": 400},
    ),
    ("grants:api_review", "report", "post", {"grants_officer": 409}),
]


@pytest.fixture
def people(personas, grants_officer, ngo_staff, ngo_case_worker, other_ngo_staff):
    return {
        **personas,
        "grants_officer": grants_officer,
        "ngo_staff": ngo_staff,
        "ngo_case_worker": ngo_case_worker,
        "other_ngo_staff": other_ngo_staff,
    }


@pytest.fixture
def reported(ngo_a, grants_officer, ngo_staff) -> Grant:
    """A grant of NGO A: tranche 1 released, its report submitted and awaiting review."""
    grant = make_grant(ngo_a)
    first = grant.tranches.get(sequence=1)
    actions.release_tranche(tranche=first, by=grants_officer, expected_version=1)
    actions.submit_report(
        tranche=first,
        narrative="جلسات دعم نفسي",
        people_served=12,
        services_delivered=30,
        by=ngo_staff,
        expected_version=0,
    )
    return grant


def snapshot() -> tuple:
    return (
        list(Tranche.objects.order_by("id").values_list("status", "version")),
        list(GrantReport.objects.order_by("id").values_list("status", "version")),
        Grant.objects.count(),
    )


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(
    ("name", "arg", "method", "statuses"), ENDPOINTS, ids=[e[0] for e in ENDPOINTS]
)
def test_access_matrix(client, login, people, reported, role, name, arg, method, statuses):
    args = {
        None: [],
        "grant": [reported.code],
        "tranche1": [reported.code, 1],
        "tranche2": [reported.code, 2],
        "report": [GrantReport.objects.get().code],
    }[arg]
    before = snapshot()
    login(people[role])
    response = getattr(client, method)(reverse(name, args=args))
    assert response.status_code == statuses.get(role, 403)
    assert snapshot() == before


def test_ngo_staff_see_only_their_own_grants(client, login, ngo_staff, ngo_b, reported):
    other = make_grant(ngo_b)
    login(ngo_staff)
    codes = [row["code"] for row in client.get(reverse("grants:api_list")).json()["results"]]
    assert codes == [reported.code]
    assert client.get(reverse("grants:detail", args=[other.code])).status_code == 404


def test_release_before_the_report_is_approved_is_refused_on_the_page(
    client, login, grants_officer, reported
):
    second = reported.tranches.get(sequence=2)
    login(grants_officer)
    client.cookies["himaya_language"] = "en"
    response = client.post(
        reverse("grants:release", args=[reported.code, 2]), {"version": second.version}
    )
    assert response.status_code == 409
    assert response.context["action_errors"] == [
        "The NGO's report on the previous period must be approved before this release."
    ]
    second.refresh_from_db()
    assert (second.status, second.version) == (TrancheStatus.PENDING, 1)


def test_release_after_approval_through_the_api(client, login, grants_officer, reported):
    report = GrantReport.objects.get()
    login(grants_officer)
    response = client.post(
        reverse("grants:api_review", args=[report.code]),
        {"approve": True, "version": 1},
        content_type="application/json",
    )
    assert response.json()["status"] == "approved"
    response = client.post(
        reverse("grants:api_release", args=[reported.code, 2]),
        {"version": 1},
        content_type="application/json",
    )
    assert (response.status_code, response.json()["status"]) == (200, "released")


def test_the_report_page_shows_what_himaya_recorded_beside_the_declaration(
    client, login, ngo_staff, reported
):
    login(ngo_staff)
    response = client.get(reverse("grants:report", args=[reported.code, 1]))
    assert response.status_code == 200
    assert set(response.context["recorded"]) == {
        "services_delivered",
        "referrals_accepted",
        "referrals_completed",
    }


def test_creating_a_grant_through_the_page(client, login, grants_officer, ngo_a) -> None:
    login(grants_officer)
    client.cookies["himaya_language"] = "en"
    response = client.post(
        reverse("grants:create"),
        {
            "ngo": ngo_a.pk,
            "title": "منحة التأهيل",
            "amount": "90000",
            "starts_on": "2025-07-01",
            "ends_on": "2026-06-30",
            "phases": ["rehabilitation"],
            "services": "تدريب مهني",
            "tranches": "2025-07-01 45000\n2026-01-01 40000",
        },
    )
    assert response.status_code == 200
    assert response.context["form"].errors == {
        "tranches": ["The tranches must add up to the amount of the grant."]
    }
    assert Grant.objects.count() == 0
    response = client.post(
        reverse("grants:create"),
        {
            "ngo": ngo_a.pk,
            "title": "منحة التأهيل",
            "amount": "90000",
            "starts_on": "2025-07-01",
            "ends_on": "2026-06-30",
            "phases": ["rehabilitation"],
            "services": "تدريب مهني",
            "tranches": "2025-07-01 45000\n2026-01-01 45000",
        },
    )
    grant = Grant.objects.get()
    assert response.status_code == 302 and grant.tranches.count() == 2


@time_machine.travel("2025-11-15 10:00:00+02:00", tick=False)
def test_the_grant_statement_leaves_through_the_export_door_as_a_valid_xlsx_with_the_right_totals(
    client, login, grants_officer, ngo_a, ngo_b
) -> None:
    one = make_grant(ngo_a)
    two = make_grant(ngo_b, tranches=((date(2025, 8, 1), "50000.00"),))
    actions.release_tranche(
        tranche=one.tranches.get(sequence=1), by=grants_officer, expected_version=1
    )
    login(grants_officer)
    response = client.post(
        f"{reverse('grants:statement')}?start=2025-07-01&end=2025-12-31&export=xlsx",
        {"purpose": "coordination", "password": PASSWORD},
        HTTP_ACCEPT_LANGUAGE="ar",
    )
    assert response.status_code == 200
    assert response["Content-Type"] == XLSX
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    assert book.active.sheet_view.rightToLeft is True
    header, *rows = sheet_rows(response)
    assert header[0] == "المنحة"
    # due: two tranches of 100,000 of grant one, 50,000 of grant two; released: 100,000
    assert sorted((row[0], *(Decimal(str(cell)) for cell in row[2:6])) for row in rows) == sorted(
        [
            (one.code, Decimal("300000"), Decimal("200000"), Decimal("100000"), Decimal("100000")),
            (two.code, Decimal("50000"), Decimal("50000"), Decimal("0"), Decimal("0")),
        ]
    )
    [event] = exports_written()
    assert (event.object_code, event.purpose, event.details["rows"]) == (
        "grant-statement",
        "coordination",
        2,
    )
    assert not AuditEvent.objects.filter(action="grants.statement_exported").exists()


def test_a_grant_statement_asked_for_with_format_xlsx_is_the_page_and_writes_no_audit_row(
    client, login, grants_officer, ngo_a
) -> None:
    grant = make_grant(ngo_a)
    login(grants_officer)
    before = AuditEvent.objects.count()
    response = client.get(
        reverse("grants:statement"),
        {"start": "2025-07-01", "end": "2025-12-31", "format": "xlsx"},
    )
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/html")
    assert "Content-Disposition" not in response
    assert [row["grant"] for row in response.context["rows"]] == [grant]
    assert 'data-testid="export-links"' in response.content.decode()
    assert AuditEvent.objects.count() == before


@pytest.mark.parametrize("count", [1, 5])
def test_the_grant_list_takes_a_fixed_number_of_queries(
    client, login, grants_officer, django_assert_num_queries, count
) -> None:
    for _ in range(count):
        make_grant()
    login(grants_officer)
    with django_assert_num_queries(10):
        assert client.get(reverse("grants:list")).status_code == 200
    with django_assert_num_queries(8):
        assert len(client.get(reverse("grants:api_list")).json()["results"]) == count
