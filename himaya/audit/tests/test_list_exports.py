"""Lists leave the system through one door: a purpose, the password again, an audit row,
and files whose cells never run as formulas."""

import csv
import io
from collections.abc import Callable
from decimal import Decimal

import openpyxl
import pytest
from django.test import Client
from django.urls import reverse

from himaya.accounts.models import User
from himaya.accounts.tests.factories import PASSWORD
from himaya.agencies.models import Agency, Role
from himaya.audit import exports
from himaya.audit.tests.exported import exports_written as _exports
from himaya.core.tabular import csv_bytes, neutralise, xlsx_bytes
from himaya.grants.tests.factories import make_grant, ngo
from himaya.referrals.tests.factories import CaseFactory, PartnerAgencyFactory, ReferralFactory

pytestmark = pytest.mark.django_db


def _rows(response: object) -> list[list[str]]:
    content = response.content.decode("utf-8-sig")  # type: ignore[attr-defined]
    return list(csv.reader(io.StringIO(content)))


@pytest.fixture
def login(login_english: Callable[[User], Client]) -> Callable[[User], Client]:
    """Signed in, reading English (the root conftest's ``login_english``); one test reads
    the Arabic headers."""
    return login_english


@pytest.fixture
def receiver(make_persona: Callable[..., User]) -> tuple[User, Agency]:
    agency = PartnerAgencyFactory(name_en="Receiving NGO", name_ar="الجمعية المستقبلة")
    return make_persona(Role.PARTNER_STAFF, agency, "ngo_staff"), agency


def test_text_that_a_spreadsheet_would_run_is_written_as_text() -> None:
    assert neutralise('=HYPERLINK("http://x")') == '\'=HYPERLINK("http://x")'
    assert neutralise("+20 100") == "'+20 100"
    assert neutralise("-1+2") == "'-1+2"
    assert neutralise("@SUM(A1)") == "'@SUM(A1)"
    assert neutralise("\tcmd") == "'\tcmd"
    assert neutralise("مساعدة = دعم") == "مساعدة = دعم"
    assert neutralise("") == ""


def test_the_csv_and_xlsx_files_keep_numbers_as_numbers_and_formulas_as_text() -> None:
    rows = [["=1+1", 5], ["عادي", None]]
    assert list(csv.reader(io.StringIO(csv_bytes(["a", "b"], rows).decode("utf-8-sig")))) == [
        ["a", "b"],
        ["'=1+1", "5"],
        ["عادي", ""],
    ]
    book = openpyxl.load_workbook(io.BytesIO(xlsx_bytes("t", ["a", "b"], rows)))
    sheet = book.active
    assert [[cell.value for cell in row] for row in sheet.iter_rows()] == [
        ["a", "b"],
        ["'=1+1", 5],
        ["عادي", None],
    ]
    assert sheet["A2"].data_type == "s"


def test_amounts_keep_their_two_decimal_places_in_both_files() -> None:
    rows = [[Decimal("1500.00"), Decimal("0.50"), 3]]
    assert list(csv.reader(io.StringIO(csv_bytes(["a", "b", "c"], rows).decode("utf-8-sig")))) == [
        ["a", "b", "c"],
        ["1500.00", "0.50", "3"],
    ]
    sheet = openpyxl.load_workbook(io.BytesIO(xlsx_bytes("t", ["a", "b", "c"], rows))).active
    assert [sheet["A2"].value, sheet["B2"].value, sheet["C2"].value] == [1500, 0.5, 3]
    assert [sheet["A2"].number_format, sheet["B2"].number_format] == ["#,##0.00", "#,##0.00"]
    assert sheet["C2"].number_format == "General"


def test_asking_for_an_export_shows_the_purpose_form_and_writes_nothing(
    receiver: tuple[User, Agency], login: Callable[[User], Client]
) -> None:
    user, agency = receiver
    ReferralFactory(to_agency=agency)
    response = login(user).get(reverse("referrals:inbox"), {"export": "csv"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/html")
    assert set(response.context["form"].fields) == {"purpose", "note", "password"}
    page = response.content.decode()
    assert "10,000" in page and "10000" not in page  # the limit, with its separator
    assert _exports() == []


def test_a_wrong_password_refuses_the_export_and_writes_nothing(
    receiver: tuple[User, Agency], login: Callable[[User], Client]
) -> None:
    user, agency = receiver
    ReferralFactory(to_agency=agency)
    response = login(user).post(
        reverse("referrals:inbox") + "?export=csv",
        {"purpose": "coordination", "password": "not-the-password"},
    )
    assert response.status_code == 400
    assert response.context["form"].errors == {"password": ["The password is not correct."]}
    assert _exports() == []


def test_another_purpose_needs_its_details(
    receiver: tuple[User, Agency], login: Callable[[User], Client]
) -> None:
    user, _agency = receiver
    response = login(user).post(
        reverse("referrals:inbox") + "?export=csv", {"purpose": "other", "password": PASSWORD}
    )
    assert response.status_code == 400
    assert response.context["form"].errors == {"note": ["Say what the export is for."]}
    assert _exports() == []


def test_the_export_holds_the_agencys_rows_only_and_is_audited_with_its_purpose(
    receiver: tuple[User, Agency], login: Callable[[User], Client]
) -> None:
    user, agency = receiver
    mine = ReferralFactory(to_agency=agency)
    ReferralFactory()  # addressed to another agency
    client = login(user)
    response = client.post(
        reverse("referrals:inbox") + "?export=csv&overdue=",
        {"purpose": "coordination", "password": PASSWORD},
    )
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith('attachment; filename="referrals-received-')
    rows = _rows(response)
    assert rows[0][:2] == ["Referral", "Case"]
    assert [row[0] for row in rows[1:]] == [mine.code]
    [event] = _exports()
    assert event.purpose == "coordination"
    assert event.actor_id == user.pk
    assert event.object_code == "referrals-received"
    assert event.details == {
        "list": "referrals-received",
        "format": "csv",
        "rows": 1,
        "filters": [],
    }

    # Typed ten minutes ago at most: the password is not asked again.
    again = client.get(reverse("referrals:inbox"), {"export": "xlsx"})
    assert "password" not in again.context["form"].fields
    second = client.post(reverse("referrals:inbox") + "?export=xlsx", {"purpose": "reporting"})
    assert second.status_code == 200
    assert len(_exports()) == 2


def test_an_export_larger_than_the_limit_is_refused_with_a_request_to_narrow_it(
    receiver: tuple[User, Agency], login: Callable[[User], Client], monkeypatch: pytest.MonkeyPatch
) -> None:
    user, agency = receiver
    ReferralFactory.create_batch(2, to_agency=agency)
    monkeypatch.setattr(exports, "MAX_EXPORT_ROWS", 1)
    response = login(user).post(
        reverse("referrals:inbox") + "?export=csv", {"purpose": "reporting", "password": PASSWORD}
    )
    assert response.status_code == 400
    assert response.context["too_many"] is True
    assert _exports() == []


def test_a_grant_title_written_as_a_formula_is_exported_as_text(
    make_persona: Callable[..., User], login: Callable[[User], Client]
) -> None:
    officer = make_persona(Role.GRANTS_OFFICER)
    grant = make_grant(ngo())
    grant.title = '=HYPERLINK("http://evil.example","open")'
    grant.save()
    response = login(officer).post(
        reverse("grants:list") + "?export=xlsx", {"purpose": "reporting", "password": PASSWORD}
    )
    assert response.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    titles = [row[2] for row in sheet.iter_rows(min_row=2, values_only=True)]
    assert titles == ['\'=HYPERLINK("http://evil.example","open")']
    assert sheet.sheet_view.rightToLeft in (None, False)  # the English reader's sheet


def test_an_arabic_reader_gets_arabic_headers_on_a_right_to_left_sheet(
    receiver: tuple[User, Agency], login: Callable[[User], Client], settings: object
) -> None:
    user, agency = receiver
    ReferralFactory(to_agency=agency)
    client = login(user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "ar"  # type: ignore[attr-defined]
    response = client.post(
        reverse("referrals:inbox") + "?export=xlsx", {"purpose": "reporting", "password": PASSWORD}
    )
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    assert [cell.value for cell in sheet[1]][:2] == ["الإحالة", "الحالة"]
    assert sheet.sheet_view.rightToLeft is True


@pytest.mark.parametrize(
    ("role", "url_name"),
    [
        (Role.CASE_WORKER, "referrals:sent"),
        (Role.FUND_OFFICER, "fund:payments"),
        (Role.EMPOWERMENT_OFFICER, "empowerment:enrolments"),
        (Role.CASE_WORKER, "screening:list"),
        (Role.AUDITOR, "audit:events"),
        (Role.SHELTER_STAFF, "shelters:list"),
        (Role.CASE_WORKER, "returns:list"),
        (Role.SUPERVISOR, "cases:list"),
    ],
)
def test_each_list_exports_its_rows_as_a_workbook(
    role: str,
    url_name: str,
    make_persona: Callable[..., User],
    agency_a: Agency,
    login: Callable[[User], Client],
) -> None:
    user = make_persona(role, agency_a)
    CaseFactory(lead_agency=agency_a)
    response = login(user).post(
        reverse(url_name) + "?export=xlsx", {"purpose": "inspection", "password": PASSWORD}
    )
    assert response.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    assert sheet.max_column >= 5
    assert [event.purpose for event in _exports()] == ["inspection"]


@pytest.mark.parametrize(
    ("role", "url_name"),
    [
        (Role.PARTNER_STAFF, "fund:payments"),
        (Role.CASE_WORKER, "audit:events"),
        (Role.ANALYST, "referrals:inbox"),
    ],
)
def test_a_role_that_may_not_see_a_list_may_not_export_it(
    role: str, url_name: str, make_persona: Callable[..., User], login: Callable[[User], Client]
) -> None:
    client = login(make_persona(role))
    assert client.get(reverse(url_name), {"export": "csv"}).status_code == 403
    refused = client.post(
        reverse(url_name) + "?export=csv", {"purpose": "reporting", "password": PASSWORD}
    )
    assert refused.status_code == 403
    assert _exports() == []


def test_the_case_list_export_holds_the_agencys_cases_only(
    make_persona: Callable[..., User],
    agency_a: Agency,
    agency_b: Agency,
    login: Callable[[User], Client],
) -> None:
    mine = CaseFactory(lead_agency=agency_a)
    CaseFactory(lead_agency=agency_b)
    worker = make_persona(Role.CASE_WORKER, agency_a)
    response = login(worker).post(
        reverse("cases:list") + "?export=csv", {"purpose": "coordination", "password": PASSWORD}
    )
    assert response.status_code == 200
    rows = _rows(response)
    assert rows[0][:3] == ["Case", "Survivor", "Phase"]
    assert [row[0] for row in rows[1:]] == [mine.code]
    assert [event.object_code for event in _exports()] == ["cases"]
