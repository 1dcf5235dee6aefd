"""Who reaches the monthly national reports: every role, and a case worker of another
agency, against the list, the download, "make now", the dashboard's panel and the API.
A refusal changes nothing."""

import datetime
from collections.abc import Callable, Iterator
from typing import Any

import pytest
import time_machine
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from himaya.accounts.models import User
from himaya.agencies.models import Role
from himaya.audit.models import AuditEvent
from himaya.exchange.models import MonthlyReport

pytestmark = pytest.mark.django_db

EVERYONE = [role.value for role in Role] + ["outsider"]
READERS = {Role.OPERATOR, Role.ANALYST, Role.SUPERVISOR, Role.ADMINISTRATOR}
MAKERS = {Role.ANALYST}
JUNE = datetime.date(2026, 6, 1)


def expected(who: str, allowed: set[str]) -> int:
    return 200 if who in allowed else 403


@pytest.fixture(autouse=True)
def frozen_time() -> Iterator[None]:
    with time_machine.travel(datetime.datetime(2026, 7, 3, 9, 0, tzinfo=datetime.UTC), tick=False):
        yield


@pytest.fixture
def kept(db: None) -> MonthlyReport:
    return MonthlyReport.objects.create(month=JUNE, pdf_ar=b"%PDF-ar", pdf_en=b"%PDF-en")


@pytest.fixture
def signed_in(
    personas: dict[str, User], login: Callable[[User], Client]
) -> Callable[[str], Client]:
    def sign_in(who: str) -> Client:
        return login(personas[who])

    return sign_in


def downloads() -> int:
    return AuditEvent.objects.filter(action="exchange.monthly_report_downloaded").count()


@pytest.mark.parametrize("who", EVERYONE)
def test_the_list_and_its_panel_answer_only_the_readers_of_the_dashboard(
    who: str, signed_in: Callable[[str], Client], kept: MonthlyReport
) -> None:
    client = signed_in(who)
    status = expected(who, READERS)

    page = client.get(reverse("exchange:monthly_reports"))
    panel = client.get(reverse("exchange:monthly_panel"))

    assert (page.status_code, panel.status_code) == (status, status)
    if status == 200:
        pdf = reverse("exchange:monthly_report_pdf", args=["2026-06", "ar"])
        assert pdf in page.content.decode()
        assert reverse("exchange:monthly_reports") in panel.content.decode()
        maker = who in MAKERS
        assert ('data-testid="make-now"' in page.content.decode()) is maker
        assert ('data-testid="make-now"' in panel.content.decode()) is maker


@pytest.mark.parametrize("who", EVERYONE)
def test_the_dashboard_shows_the_monthly_panel_to_its_readers(
    who: str, signed_in: Callable[[str], Client]
) -> None:
    response = signed_in(who).get(reverse("monitoring:dashboard"))
    assert response.status_code == expected(who, READERS)
    if response.status_code == 200:
        assert f'hx-get="{reverse("exchange:monthly_panel")}"' in response.content.decode()


@pytest.mark.parametrize("who", EVERYONE)
@pytest.mark.parametrize("language", ["ar", "en"])
def test_a_download_answers_the_readers_and_is_audited(
    who: str, language: str, signed_in: Callable[[str], Client], kept: MonthlyReport
) -> None:
    client = signed_in(who)
    status = expected(who, READERS)

    page = client.get(reverse("exchange:monthly_report_pdf", args=["2026-06", language]))
    api = client.get(reverse("exchange:api_monthly_report_pdf", args=["2026-06", language]))

    assert (page.status_code, api.status_code) == (status, status)
    if status == 200:
        assert page.content == api.content == f"%PDF-{language}".encode()
        assert page["Content-Type"] == "application/pdf"
        assert f'filename="monthly-2026-06-{language}.pdf"' in page["Content-Disposition"]
        event = AuditEvent.objects.filter(action="exchange.monthly_report_downloaded").last()
        assert event is not None and event.object_code == "2026-06"
    assert downloads() == (2 if status == 200 else 0)


@pytest.mark.parametrize(
    "address",
    [("2026-05", "ar"), ("2026-06", "fr"), ("June", "en")],
)
def test_a_report_not_kept_is_not_found(
    address: tuple[str, str], signed_in: Callable[[str], Client], kept: MonthlyReport
) -> None:
    client = signed_in(Role.ANALYST)
    assert client.get(reverse("exchange:monthly_report_pdf", args=address)).status_code == 404
    assert client.get(reverse("exchange:api_monthly_report_pdf", args=address)).status_code == 404
    assert downloads() == 0


@pytest.mark.parametrize("who", EVERYONE)
def test_the_api_lists_the_reports_to_the_readers(
    who: str, signed_in: Callable[[str], Client], kept: MonthlyReport
) -> None:
    response = signed_in(who).get(reverse("exchange:api_monthly_reports"))
    assert response.status_code == expected(who, READERS)
    if response.status_code == 200:
        assert [(r["month"], r["pdf_ar"], r["pdf_en"]) for r in response.json()] == [
            (
                "2026-06",
                "/exchange/api/monthly-reports/2026-06/ar/",
                "/exchange/api/monthly-reports/2026-06/en/",
            )
        ]
    else:
        assert response["Content-Type"].startswith("application/problem+json")


@pytest.mark.parametrize("who", EVERYONE)
def test_only_an_analyst_makes_a_report_now_and_a_refusal_changes_nothing(
    who: str, signed_in: Callable[[str], Client], personas: dict[str, User]
) -> None:
    client = signed_in(who)
    before = AuditEvent.objects.count()

    response = client.post(reverse("exchange:monthly_report_make"), {"month": "2026-06"})

    if who in MAKERS:
        assert response.status_code == 302
        assert response["Location"] == reverse("exchange:monthly_reports")
        report = MonthlyReport.objects.get()
        assert (report.month, report.produced_by) == (JUNE, personas[who])
        event = AuditEvent.objects.get(action="exchange.monthly_report_produced")
        assert (event.object_code, event.actor_id) == ("2026-06", personas[who].pk)
    else:
        assert response.status_code == 403
        assert MonthlyReport.objects.count() == 0
        assert AuditEvent.objects.count() == before


@pytest.mark.parametrize(("month", "status"), [("2026-13", 400), ("", 400), ("2026-08", 400)])
def test_a_bad_month_is_refused_with_the_reason_and_nothing_is_made(
    month: str, status: int, signed_in: Callable[[str], Client]
) -> None:
    client = signed_in(Role.ANALYST)
    before = AuditEvent.objects.count()

    response = client.post(reverse("exchange:monthly_report_make"), {"month": month})

    assert response.status_code == status
    assert 'class="invalid-feedback d-block"' in response.content.decode()
    assert MonthlyReport.objects.count() == 0
    assert AuditEvent.objects.count() == before


def test_making_a_report_asks_for_post(signed_in: Callable[[str], Client]) -> None:
    response = signed_in(Role.ANALYST).get(reverse("exchange:monthly_report_make"))
    assert response.status_code == 405
    assert MonthlyReport.objects.count() == 0


@pytest.mark.parametrize("count", [1, 12])
def test_the_list_and_the_api_read_the_same_number_of_queries_for_any_number_of_reports(
    count: int, signed_in: Callable[[str], Client]
) -> None:
    for n in range(count):
        month = datetime.date(2025 + (n + 6) // 12, (n + 6) % 12 + 1, 1)
        MonthlyReport.objects.create(month=month, pdf_ar=b"a", pdf_en=b"e")
    client = signed_in(Role.OPERATOR)
    client.get(reverse("exchange:monthly_reports"))  # sessions and memberships warmed
    with CaptureQueriesContext(connection) as page:
        assert client.get(reverse("exchange:monthly_reports")).status_code == 200
    with CaptureQueriesContext(connection) as api:
        assert len(client.get(reverse("exchange:api_monthly_reports")).json()) == count
    # The session, the user, the memberships (page and API), then the reports.
    assert (len(page), len(api)) == (5, 5)


def test_the_month_boxes_open_on_the_month_usually_reported_and_say_their_format(
    signed_in: Callable[[str], Client], settings: Any
) -> None:
    client = signed_in(Role.ANALYST)
    for address, box in (
        (reverse("exchange:monthly_reports"), 'aria-describedby="month-help"'),
        (reverse("exchange:monthly_panel"), 'aria-describedby="panel-month-help"'),
    ):
        page = client.get(address).content.decode()
        assert 'value="2026-06"' in page and box in page
        assert "الشهر المطلوب التقرير عنه: السنة بأربعة أرقام ثم الشهر برقمين، بينهما شرطة." in page
    with time_machine.travel(datetime.datetime(2027, 1, 15, 9, 0, tzinfo=datetime.UTC), tick=False):
        client = signed_in(Role.ANALYST)  # the earlier session has ended meanwhile
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
        for address in (reverse("exchange:monthly_reports"), reverse("exchange:monthly_panel")):
            page = client.get(address).content.decode()
            assert 'value="2026-12"' in page
            assert "The month to report, as YYYY-MM." in page
