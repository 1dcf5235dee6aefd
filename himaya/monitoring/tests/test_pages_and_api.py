"""Who may see the dashboard, its definitions, downloads and API; what they show; and that
the dashboard reads only the daily values, in a fixed number of queries."""

import datetime
import json
import re
from collections.abc import Callable
from decimal import Decimal

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from himaya.accounts.models import User
from himaya.agencies.models import Role
from himaya.monitoring.models import DailyValue, IndicatorSetting, IndicatorSettingChange
from himaya.monitoring.tests.samples import VALUES_DAY

pytestmark = pytest.mark.django_db

DAY = VALUES_DAY
MAY_SEE = {Role.OPERATOR, Role.ANALYST, Role.SUPERVISOR, Role.ADMINISTRATOR}
CASE_TABLES = re.compile(
    r'"(cases|survivors|screening|services|referrals|shelters|fund|empowerment|grants)_'
)


def url(name: str, **kwargs: str) -> str:
    return reverse(f"monitoring:{name}", kwargs=kwargs)


DASHBOARD = "/monitoring/?indicator=identified_victims&dimension=sex&days=7"


@pytest.mark.parametrize("role", [r.value for r in Role] + ["outsider"])
def test_the_dashboard_is_for_operators_analysts_supervisors_and_administrators(
    personas: dict[str, User], login: Callable[[User], Client], values: None, role: str
) -> None:
    client = login(personas[role])
    allowed = role in MAY_SEE
    for path in (
        DASHBOARD,
        url("definition", code="identified_victims"),
        url("export_csv") + "?indicator=identified_victims",
        url("export_xlsx") + "?indicator=identified_victims",
        url("api_indicators"),
        url("api_values") + "?indicator=identified_victims",
    ):
        assert client.get(path).status_code == (200 if allowed else 403), path


def test_anonymous_visitors_are_sent_to_sign_in(client: Client) -> None:
    response = client.get(url("dashboard"))
    assert response.status_code == 302
    assert "/accounts/" in response["Location"]


def test_the_dashboard_reads_only_daily_values_in_a_fixed_number_of_queries(
    personas: dict[str, User], login: Callable[[User], Client], values: None
) -> None:
    client = login(personas[Role.ANALYST])
    client.get(DASHBOARD)  # warm the session
    with CaptureQueriesContext(connection) as first:
        response = client.get(DASHBOARD)
    assert response.status_code == 200
    assert not [q["sql"] for q in first.captured_queries if CASE_TABLES.search(q["sql"])]
    for _ in range(20):
        DailyValue.objects.create(
            indicator="screenings", day=DAY - datetime.timedelta(days=_), numerator=1, value=1
        )
    with CaptureQueriesContext(connection) as second:
        client.get(DASHBOARD)
    assert len(second.captured_queries) == len(first.captured_queries)
    monitoring = [q for q in first.captured_queries if '"monitoring_' in q["sql"]]
    # the edition of the values, then the values and settings (no figures are kept in tests)
    assert len(monitoring) == 6


def test_small_cells_are_hidden_from_an_analyst_with_the_next_smallest_cell(
    personas: dict[str, User], login: Callable[[User], Client], values: None
) -> None:
    client = login(personas[Role.ANALYST])
    rows = client.get(
        url("api_values") + f"?indicator=identified_victims&dimension=sex&from={DAY}&to={DAY}"
    ).json()
    found = {row["cell"]: (row["value"], row["suppressed"]) for row in rows}
    assert found == {
        "": ("12.00", False),
        "sex=female": (None, True),
        "sex=male": (None, True),
    }


def test_a_supervisor_who_may_see_identity_sees_every_cell(
    personas: dict[str, User], login: Callable[[User], Client], values: None
) -> None:
    client = login(personas[Role.SUPERVISOR])
    rows = client.get(
        url("api_values") + f"?indicator=identified_victims&dimension=sex&from={DAY}&to={DAY}"
    ).json()
    assert {row["cell"]: row["value"] for row in rows} == {
        "": "12.00",
        "sex=female": "9.00",
        "sex=male": "3.00",
    }


def test_the_dashboard_shows_the_chart_data_the_map_and_the_breakdown_in_arabic(
    personas: dict[str, User], login: Callable[[User], Client], values: None
) -> None:
    client = login(personas[Role.OPERATOR])
    page = client.get(DASHBOARD).content.decode()
    assert 'id="chart-data"' in page
    assert page.count("<rect x=") == 27
    assert "القاهرة" in page
    assert "monitoring/vendor/chart.umd" in page
    assert "<script>" not in page.replace('<script id="chart-data" type="application/json">', "")


def test_the_csv_download_holds_what_is_shown_with_small_cells_hidden(
    personas: dict[str, User], login: Callable[[User], Client], values: None
) -> None:
    client = login(personas[Role.ANALYST])
    response = client.get(
        url("export_csv") + f"?indicator=identified_victims&dimension=sex&days=7&end={DAY}"
    )
    assert response.status_code == 200
    body = response.content.decode("utf-8-sig")
    lines = body.strip().splitlines()
    assert len(lines) == 1 + 2 * 3
    assert "9.00" not in body
    assert response["Content-Type"].startswith("text/csv")


def test_the_xlsx_download_is_a_workbook(
    personas: dict[str, User], login: Callable[[User], Client], values: None
) -> None:
    client = login(personas[Role.ANALYST])
    response = client.get(url("export_xlsx") + "?indicator=identified_victims")
    assert response.status_code == 200
    assert response.content[:2] == b"PK"


def test_an_administrator_changes_a_threshold_and_the_change_is_kept(
    personas: dict[str, User], login: Callable[[User], Client]
) -> None:
    client = login(personas[Role.ADMINISTRATOR])
    path = url("definition", code="served_within_24h")
    response = client.post(
        path, {"target": "95", "warning": "80", "critical": "60", "version": "0"}
    )
    assert response.status_code == 302
    setting = IndicatorSetting.objects.get(indicator="served_within_24h")
    assert (setting.target, setting.warning, setting.critical, setting.version) == (
        Decimal(95),
        Decimal(80),
        Decimal(60),
        1,
    )
    stale = client.post(path, {"target": "90", "warning": "80", "critical": "60", "version": "0"})
    assert stale.status_code == 409
    setting.refresh_from_db()
    assert setting.target == Decimal(95)
    assert IndicatorSettingChange.objects.count() == 1


def test_an_analyst_may_read_a_definition_but_not_change_thresholds(
    personas: dict[str, User], login: Callable[[User], Client]
) -> None:
    client = login(personas[Role.ANALYST])
    path = url("definition", code="served_within_24h")
    assert client.get(path).status_code == 200
    response = client.post(path, {"target": "1", "warning": "1", "critical": "1", "version": "0"})
    assert response.status_code == 403
    assert IndicatorSetting.objects.count() == 0


def test_an_unknown_indicator_is_not_found(
    personas: dict[str, User], login: Callable[[User], Client]
) -> None:
    client = login(personas[Role.ANALYST])
    assert client.get(url("definition", code="nothing")).status_code == 404
    response = client.get(url("api_values") + "?indicator=nothing")
    assert response.status_code == 400


def test_the_api_refuses_a_disaggregation_the_indicator_does_not_have(
    personas: dict[str, User], login: Callable[[User], Client]
) -> None:
    client = login(personas[Role.ANALYST])
    response = client.get(url("api_values") + "?indicator=free_beds&dimension=sex")
    assert response.status_code == 400
    assert "dimension" in response.json()["errors"]


def test_the_dashboard_in_english_names_the_governorates_in_english(
    personas: dict[str, User], login: Callable[[User], Client], values: None
) -> None:
    client = login(personas[Role.ANALYST])
    client.cookies["himaya_language"] = "en"
    page = client.get(DASHBOARD).content.decode()
    assert 'lang="en"' in page
    assert ">Cairo</text>" in page
    assert ">Aswan</text>" in page


def test_the_api_answers_for_the_period_asked_and_refuses_one_that_runs_backwards(
    personas: dict[str, User], login: Callable[[User], Client], values: None
) -> None:
    client = login(personas[Role.ANALYST])
    asked = f"?indicator=identified_victims&from={DAY}&to={DAY}"
    days = {row["day"] for row in client.get(url("api_values") + asked).json()}
    assert days == {DAY.isoformat()}

    earlier = DAY - datetime.timedelta(days=1)
    asked = f"?indicator=identified_victims&from={earlier}&to={earlier}"
    totals = [row for row in client.get(url("api_values") + asked).json() if row["cell"] == ""]
    assert [(row["day"], row["numerator"]) for row in totals] == [(earlier.isoformat(), "8.00")]

    backwards = client.get(
        url("api_values") + f"?indicator=identified_victims&from={DAY}&to={earlier}"
    )
    assert backwards.status_code == 400
    assert "from" in backwards.json()["errors"]
    too_long = client.get(
        url("api_values") + "?indicator=identified_victims&from=2020-01-01&to=2026-01-01"
    )
    assert too_long.status_code == 400


@pytest.mark.parametrize(
    ("asked", "selected"), [("", "90"), ("&days=7", "7"), ("&days=abc", "90"), ("&days=٣٠", "90")]
)
def test_the_period_filter_shows_the_period_the_page_shows(
    personas: dict[str, User], login: Callable[[User], Client], asked: str, selected: str
) -> None:
    page = login(personas[Role.ANALYST]).get(f"/monitoring/?indicator=identified_victims{asked}")
    period = page.content.decode()
    period = period[
        period.index('id="id_days"') : period.index("</select>", period.index('id="id_days"'))
    ]
    assert re.findall(r'<option value="(\d+)" selected>', period) == [selected]


def test_the_charts_days_are_written_in_the_readers_language(
    personas: dict[str, User], login: Callable[[User], Client], values: None
) -> None:
    client = login(personas[Role.ANALYST])
    found = {}
    for language in ("ar", "en"):
        client.cookies["himaya_language"] = language
        page = client.get(DASHBOARD).content.decode()
        data = re.search(r'<script id="chart-data" type="application/json">(.*?)</script>', page)
        assert data is not None
        found[language] = json.loads(data.group(1))["labels"][-1]
    assert found == {"ar": "15 مارس 2026", "en": "15 March 2026"}  # the day of the sample values
