"""The monthly national report: its figures read from the stored daily values, with the
change from the month before and small numbers hidden; the PDFs in Arabic and English
read back with pdftotext; the command; the scheduler's run on the first of the month."""

import datetime
from decimal import Decimal
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
import time_machine
from django.core.management import CommandError, call_command
from django.utils import translation

from himaya.accounts.models import User
from himaya.agencies.models import Role
from himaya.audit.models import AuditEvent
from himaya.core.errors import Forbidden, Invalid
from himaya.core.tests.pdftext import pdf_text, without_spaces
from himaya.exchange import monthly
from himaya.exchange.charts import Bar, bar_chart
from himaya.exchange.models import MonthlyReport
from himaya.exchange.tasks import MONTHLY_REPORT
from himaya.jobs.models import JobDay
from himaya.jobs.tests.conftest import drive, real_storage, sqlite_queue  # noqa: F401
from himaya.monitoring import rules
from himaya.monitoring.indicators import get_indicator
from himaya.monitoring.models import DailyValue

JUNE = datetime.date(2026, 6, 1)
MAY = datetime.date(2026, 5, 1)


def stored(
    code: str,
    day: datetime.date,
    numerator: str,
    denominator: str | None = None,
    *,
    cell: tuple[str, str, str, str] | None = None,
) -> DailyValue:
    """A daily value as the nightly computation stores it: the total, or with ``cell``
    (dimension, member, Arabic name, English name) one member."""
    item = get_indicator(code)
    assert item is not None
    num = Decimal(numerator)
    den = None if denominator is None else Decimal(denominator)
    dimension, member, member_ar, member_en = cell or ("", "", "", "")
    return DailyValue.objects.create(
        indicator=code,
        day=day,
        cell=f"{dimension}={member}" if dimension else "",
        dimension=dimension,
        member=member,
        member_ar=member_ar,
        member_en=member_en,
        numerator=num,
        denominator=den,
        value=rules.value_of(item.unit, num, den),
    )


@pytest.fixture
def june(db: None) -> None:
    """June 2026 and May 2026 as the nightly computation left them."""
    d = datetime.date
    stored("identified_victims", d(2026, 6, 1), "7")
    stored("identified_victims", d(2026, 6, 15), "5")
    stored("identified_victims", d(2026, 5, 10), "9")
    for day, female, male in ((d(2026, 6, 1), "4", "3"), (d(2026, 6, 15), "3", "2")):
        stored("identified_victims", day, female, cell=("sex", "female", "أنثى", "Female"))
        stored("identified_victims", day, male, cell=("sex", "male", "ذكر", "Male"))
    stored("identified_victims", d(2026, 6, 1), "5", cell=("nat", "egyptian", "مصري", "Egyptian"))
    stored("identified_victims", d(2026, 6, 15), "5", cell=("nat", "egyptian", "مصري", "Egyptian"))
    stored(
        "identified_victims",
        d(2026, 6, 1),
        "2",
        cell=("nat", "foreign", "أجنبي", "Foreign national"),
    )
    stored("children_identified", d(2026, 6, 3), "3")
    stored("children_identified", d(2026, 5, 3), "6")
    stored("shelter_occupancy", d(2026, 6, 1), "80", "100")
    stored("shelter_occupancy", d(2026, 6, 2), "90", "100")
    stored("shelter_occupancy", d(2026, 5, 31), "70", "100")
    stored("free_beds", d(2026, 6, 1), "20")
    stored("free_beds", d(2026, 6, 30), "12")
    stored("free_beds", d(2026, 5, 31), "15")
    stored("amount_paid", d(2026, 6, 9), "15000", "6")
    stored("amount_paid", d(2026, 5, 9), "10000.50", "5")
    stored("tranches_released", d(2026, 6, 20), "250000", "1")
    stored("enrolments", d(2026, 6, 20), "8")
    stored("projects_running", d(2026, 6, 30), "11")
    stored("projects_running", d(2026, 4, 30), "40")  # charted, not the month before


@pytest.fixture
def frozen() -> Any:
    with time_machine.travel(datetime.datetime(2026, 7, 1, 9, 0, tzinfo=datetime.UTC), tick=False):
        yield


# --- months and figures ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "month"),
    [
        ("2026-06", JUNE),
        ("1999-12", datetime.date(1999, 12, 1)),
        (" 2026-01 ", datetime.date(2026, 1, 1)),
    ],
)
def test_a_month_is_read_as_year_dash_month(text: str, month: datetime.date) -> None:
    assert monthly.parse_month(text) == month


@pytest.mark.parametrize("text", ["2026-13", "2026-00", "2026-6", "June 2026", "2026-06-01", ""])
def test_anything_else_is_not_a_month(text: str) -> None:
    with pytest.raises(ValueError, match="YYYY-MM"):
        monthly.parse_month(text)


def test_months_are_counted_across_years() -> None:
    assert monthly.add_months(datetime.date(2026, 1, 1), -1) == datetime.date(2025, 12, 1)
    assert monthly.add_months(datetime.date(2025, 11, 1), 14) == datetime.date(2027, 1, 1)
    assert monthly.month_end(datetime.date(2028, 2, 1)) == datetime.date(2028, 2, 29)
    assert monthly.previous_month(datetime.date(2026, 1, 1)) == datetime.date(2025, 12, 1)


def test_a_flow_adds_its_days_a_stock_takes_its_last_and_a_share_divides_the_sums() -> None:
    d = datetime.date
    days = [(d(2026, 6, 2), Decimal(90), Decimal(100)), (d(2026, 6, 1), Decimal(80), Decimal(100))]
    flow = get_indicator("identified_victims")
    share = get_indicator("shelter_occupancy")
    assert flow is not None and share is not None
    assert monthly.month_figure(flow, monthly.SUM, days, 5) == monthly.Figure(
        Decimal(170), Decimal(200), Decimal("170.00"), False
    )
    assert monthly.month_figure(flow, monthly.LAST, days, 5) == monthly.Figure(
        Decimal(90), Decimal(100), Decimal("90.00"), False
    )
    assert monthly.month_figure(share, monthly.RATIO, days, 5) == monthly.Figure(
        Decimal(170), Decimal(200), Decimal("85.00"), False
    )
    assert monthly.month_figure(flow, monthly.SUM, [], 5) is None


def test_a_small_month_is_hidden_and_so_is_its_change() -> None:
    item = get_indicator("children_identified")
    assert item is not None
    small = monthly.month_figure(item, monthly.SUM, [(JUNE, Decimal(3), None)], 5)
    large = monthly.month_figure(item, monthly.SUM, [(MAY, Decimal(6), None)], 5)
    assert small == monthly.Figure(Decimal(3), None, None, True)
    assert monthly.change_of(small, large) is None
    assert monthly.change_of(large, small) is None
    assert monthly.change_of(large, large) == Decimal(0)


def test_a_chart_draws_one_bar_per_month_with_hidden_months_marked() -> None:
    svg = str(
        bar_chart(
            [
                Bar("05/26", 10.0, "10"),
                Bar("06/26", None, "", hidden=True),
                Bar("07/26", 20.0, "20", current=True),
            ]
        )
    )
    assert svg.startswith("<svg") and svg.count('class="bar"') == 3
    assert 'data-label="06/26" data-hidden="1"' in svg
    assert ">*</text>" in svg
    assert '<rect x="' in svg and 'height="92.0" fill="#1f4e79"' in svg


# --- what the report says --------------------------------------------------------------


def test_the_month_is_read_from_the_daily_values_with_the_change_from_the_month_before(
    june: None,
) -> None:
    data = monthly.gather(JUNE)
    lines = data["lines"]
    assert lines["identified_victims"]["current"].value == Decimal(12)
    assert lines["identified_victims"]["change"] == Decimal(3)
    assert lines["children_identified"]["current"].hidden is True
    assert lines["children_identified"]["change"] is None
    assert lines["shelter_occupancy"]["current"].value == Decimal("85.00")
    assert lines["shelter_occupancy"]["change"] == Decimal("15.00")
    assert lines["free_beds"]["current"].value == Decimal(12)
    assert lines["free_beds"]["change"] == Decimal(-3)
    assert lines["amount_paid"]["change"] == Decimal("4999.50")
    assert lines["projects_running"]["previous"] is None
    assert lines["projects_running"]["series"][0][0] == datetime.date(2025, 7, 1)
    assert [
        (table["dimension"], [(row["en"], row["n"]) for row in table["rows"]])
        for table in data["breakdown"]
    ] == [
        ("sex", [("Female", Decimal(7)), ("Male", Decimal(5))]),
        # Two foreign nationals would show; Egyptians hidden too, or 12 − 10 tells.
        ("nat", [("Egyptian", None), ("Foreign national", None)]),
    ]


def test_the_english_report_carries_the_figures_and_their_changes(june: None, frozen: None) -> None:
    report = monthly.produce_monthly_report(month=JUNE)
    text = pdf_text(bytes(report.pdf_en))
    assert "Monthly national report" in text
    assert "The month of June 2026, compared with May 2026" in text
    assert "Identified victims (conclusive decision) 12 9 +3" in text
    assert "Children identified as victims hidden (small number) 6 —" in text
    assert "Shelter occupancy 85.0 % 70.0 % +15.0 %" in text
    assert "Free shelter beds 12 15 −3" in text
    assert "Amount paid by the fund 15,000.00 10,000.50 +4,999.50" in text
    assert "Grant tranches released 250,000.00 — —" in text
    assert "Survivors' projects running 11 — —" in text
    assert "Female 7 Male 5" in text
    assert "Egyptian hidden (small number) Foreign national hidden (small number)" in text
    for heading in ("Identification", "Shelters", "Fund", "Empowerment", "Grants"):
        assert heading in text
    assert "Produced on 2026-07-01 12:00 for himaya" in text


def test_the_arabic_report_reads_right_to_left_in_logical_order(june: None, frozen: None) -> None:
    report = monthly.produce_monthly_report(month=JUNE)
    arabic = without_spaces(pdf_text(bytes(report.pdf_ar)))
    for words in (
        "وزارة التضامن الاجتماعي",
        "المؤشرات الرئيسية",
        "الضحايا الذين تم التعرف عليهم (قرار نهائي)",
        "إشغال دور الإيواء",
        "المبالغ التي صرفها الصندوق",
        "الأسرّة الشاغرة في دور الإيواء",
        "دفعات المنح المصروفة",
        "الالتحاق ببرامج التمكين",
        "دور الإيواء",
        "الصندوق",
        "يونيو",  # the month, named in Arabic
        "مخفي (عدد صغير)",
        "أنثى",
    ):
        assert without_spaces(words) in arabic, words
    assert "3+" in arabic  # identified victims, read right to left
    assert "15,000.00" in arabic and "4,999.50+" in arabic
    assert "85.0%" in arabic


def test_the_report_of_a_month_is_kept_once_and_made_again_in_place(
    june: None, frozen: None
) -> None:
    first = monthly.produce_monthly_report(month=JUNE)
    again = monthly.produce_monthly_report(month=datetime.date(2026, 6, 17))
    assert MonthlyReport.objects.count() == 1
    assert (again.pk, again.month) == (first.pk, JUNE)
    assert list(
        AuditEvent.objects.filter(action="exchange.monthly_report_produced").values_list(
            "object_code", "actor_username"
        )
    ) == [("2026-06", "scheduler"), ("2026-06", "scheduler")]


def test_a_month_not_begun_is_refused_and_nothing_is_kept(frozen: None, db: None) -> None:
    with pytest.raises(Invalid):
        monthly.produce_monthly_report(month=datetime.date(2026, 8, 1))
    assert MonthlyReport.objects.count() == 0
    assert not AuditEvent.objects.filter(action="exchange.monthly_report_produced").exists()


def test_only_an_analyst_makes_a_report_by_hand(
    make_persona: Any, frozen: None, june: None
) -> None:
    operator: User = make_persona(Role.OPERATOR)
    with pytest.raises(Forbidden):
        monthly.produce_monthly_report(month=JUNE, by=operator)
    assert MonthlyReport.objects.count() == 0
    analyst: User = make_persona(Role.ANALYST)
    report = monthly.produce_monthly_report(month=JUNE, by=analyst)
    assert report.produced_by == analyst
    assert f"for {analyst.username}" in pdf_text(bytes(report.pdf_en))


# --- the command ------------------------------------------------------------------------


def test_the_command_keeps_the_report_and_writes_the_language_asked(
    june: None, frozen: None, tmp_path: Path
) -> None:
    target = tmp_path / "june.pdf"
    out = StringIO()
    call_command(
        "monthly_report", "--month", "2026-06", "--lang", "en", "--output", str(target), stdout=out
    )
    assert out.getvalue().startswith(f"{target}: ")
    assert "Identified victims (conclusive decision) 12 9 +3" in pdf_text(target.read_bytes())
    assert MonthlyReport.objects.get().month == JUNE
    call_command("monthly_report", "--month", "2026-06", stdout=out)
    assert "monthly report 2026-06 kept" in out.getvalue()
    assert MonthlyReport.objects.count() == 1


@pytest.mark.parametrize(
    ("month", "message"),
    [
        ("06-2026", "--month must be a month as YYYY-MM."),
        ("2026-09", "This month has not begun yet."),
    ],
)
def test_the_command_refuses_a_bad_month(month: str, message: str, frozen: None, db: None) -> None:
    with translation.override("en"), pytest.raises(CommandError, match=message):
        call_command("monthly_report", "--month", month)
    assert MonthlyReport.objects.count() == 0


def test_the_command_has_help(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        call_command("monthly_report", "--help")
    shown = " ".join(capsys.readouterr().out.split())
    assert "--month MONTH the month to report, as YYYY-MM" in shown
    assert "--lang {ar,en}" in shown and "--output OUTPUT" in shown


# --- the scheduler ----------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_the_scheduler_makes_the_month_before_once_on_the_first_of_the_month(
    sqlite_queue: Any,  # noqa: F811
) -> None:
    # 07:00 in Cairo on 1 July 2026 (summer time, UTC+3).
    with time_machine.travel(
        datetime.datetime(2026, 7, 1, 4, 0, tzinfo=datetime.UTC), tick=False
    ) as clock:
        stored("identified_victims", datetime.date(2026, 6, 5), "12")
        drive(sqlite_queue)
        drive(sqlite_queue)  # a second consumer in the same minute
        assert list(MonthlyReport.objects.values_list("month", flat=True)) == [JUNE]
        assert list(
            JobDay.objects.filter(task_name=MONTHLY_REPORT).values_list("day", flat=True)
        ) == [JUNE]
        # Later that day and on the second of the month, nothing more.
        clock.shift(3600)
        drive(sqlite_queue)
        clock.move_to(datetime.datetime(2026, 7, 2, 4, 0, tzinfo=datetime.UTC))
        drive(sqlite_queue)
    assert MonthlyReport.objects.count() == 1
    assert AuditEvent.objects.filter(action="exchange.monthly_report_produced").count() == 1
