"""The k-anonymous export: consent, k, layouts, files and the audit trail."""

import csv
import datetime
import io
from collections import Counter
from collections.abc import Callable

import openpyxl
import pytest
from django.core.management import call_command
from django.test import override_settings

from himaya.audit.models import AuditEvent
from himaya.cases.models import Case
from himaya.core.errors import Forbidden, Invalid
from himaya.exchange import actions, rules
from himaya.survivors.models import Sex

pytestmark = pytest.mark.django_db


@pytest.fixture
def cohort(make_case: Callable[..., Case]) -> list[Case]:
    """Twelve alike consenting survivors, three rare ones, and five without consent."""
    cases = [make_case(birth_year=1999) for _ in range(12)]
    cases += [make_case(birth_year=1960, nationality="PH", sex=Sex.MALE) for _ in range(3)]
    cases += [make_case(consent=False, birth_year=1999) for _ in range(5)]
    return cases


def read_csv(content: bytes) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(content.decode("utf-8"))))


@override_settings(STATISTICS_WITHOUT_CONSENT="aggregates", HIMAYA_EXPORT_MAX_SUPPRESSED=0.5)
def test_the_export_holds_only_consenting_survivors_in_groups_of_at_least_k(
    cohort: list[Case],
) -> None:
    export = actions.export_statistics(by=None, purpose="SDG report", k=11)

    rows = read_csv(export.content)
    assert export.report["records_considered"] == 15
    assert len(rows) == 12
    assert export.report["records_suppressed"] == 3
    assert rules.smallest_group(rows, rules.QUASI_IDENTIFIERS) >= 11
    assert list(rows[0]) == list(rules.CTDC_COLUMNS)
    assert {row["ageBroad"] for row in rows} == {"27--29"}
    assert {row["isForcedLabour"] for row in rows} == {"1"}


def test_rather_than_suppress_a_fifth_of_the_records_the_export_generalises_them(
    cohort: list[Case],
) -> None:
    export = actions.export_statistics(by=None, purpose="SDG report", k=11)

    rows = read_csv(export.content)
    assert len(rows) == 15
    assert export.report["records_suppressed"] == 0
    assert rules.smallest_group(rows, rules.QUASI_IDENTIFIERS) >= 11
    assert export.report["generalisation"]["ageBroad"] >= 1
    assert {row["ageBroad"] for row in rows} <= {"Adult", ""}


def test_with_a_smaller_k_the_rare_survivors_are_published_as_they_are(cohort: list[Case]) -> None:
    export = actions.export_statistics(by=None, purpose="research", k=3)

    rows = read_csv(export.content)
    assert len(rows) == 15
    assert Counter(row["citizenship"] for row in rows) == {"EG": 12, "PH": 3}
    assert rules.smallest_group(rows, rules.QUASI_IDENTIFIERS) >= 3


def test_the_htcds_layout_as_xlsx_opens_with_its_rows_and_the_report(cohort: list[Case]) -> None:
    export = actions.export_statistics(
        by=None, purpose="IOM exchange", k=3, layout="htcds", fmt="xlsx"
    )

    book = openpyxl.load_workbook(io.BytesIO(export.content))
    sheet = book.worksheets[0]
    values = list(sheet.values)
    assert list(values[0]) == list(rules.HTCDS_COLUMNS)
    assert len(values) == 16
    assert Counter(row[1] for row in values[1:]) == {"Feminine": 12, "Masculine": 3}
    assert {row[5] for row in values[1:]} == {"ForcedLabour"}
    notes = [str(row[0]) for row in book["notes"].values]
    assert any("published: 15" in note for note in notes)


def test_every_export_writes_an_audit_row_with_its_purpose(
    cohort: list[Case], personas: dict[str, object]
) -> None:
    analyst = personas["analyst"]

    actions.export_statistics(by=analyst, purpose="Global Report 2026", k=11)  # type: ignore[arg-type]
    actions.export_table(name="victims_by_year", by=analyst, purpose="UNODC", fmt="xlsx")  # type: ignore[arg-type]

    events = list(AuditEvent.objects.order_by("sequence"))
    assert [e.action for e in events[-2:]] == [
        "exchange.statistics_exported",
        "exchange.table_exported",
    ]
    assert events[-2].purpose == "Global Report 2026" and events[-2].actor_id == analyst.pk  # type: ignore[attr-defined]
    assert events[-2].details["records_published"] == 15


def test_an_export_without_purpose_or_by_a_case_worker_is_refused_and_writes_nothing(
    cohort: list[Case], personas: dict[str, object]
) -> None:
    before = AuditEvent.objects.count()

    with pytest.raises(Invalid):
        actions.export_statistics(by=personas["analyst"], purpose="  ", k=11)  # type: ignore[arg-type]
    with pytest.raises(Forbidden):
        actions.export_statistics(by=personas["case_worker"], purpose="curious", k=11)  # type: ignore[arg-type]
    with pytest.raises(Invalid):
        actions.export_statistics(by=None, purpose="x", k=1)

    assert AuditEvent.objects.count() == before


def test_formula_cells_are_escaped_in_csv_and_xlsx() -> None:
    lines = [['=HYPERLINK("http://x")', "+1", "-2", "@SUM(A1)", "2025", 7]]

    text = actions._csv_bytes(["a", "b", "c", "d", "e", "f"], lines).decode()
    book = openpyxl.load_workbook(
        io.BytesIO(actions._xlsx_bytes("t", ["a", "b", "c", "d", "e", "f"], lines, []))
    )

    assert text.splitlines()[1] == '"\'=HYPERLINK(""http://x"")",\'+1,\'-2,\'@SUM(A1),2025,7'
    row = list(book.worksheets[0].values)[1]
    assert row == ('\'=HYPERLINK("http://x")', "'+1", "'-2", "'@SUM(A1)", "2025", 7)
    assert all(cell.data_type != "f" for cell in book.worksheets[0][2])


def test_the_command_prints_the_ctdc_layout_and_writes_xlsx(
    cohort: list[Case], capsys: pytest.CaptureFixture[str], tmp_path: object
) -> None:
    call_command("export_ctdc", "--k", "11")
    out = capsys.readouterr()
    rows = read_csv(out.out.encode())
    assert len(rows) == 15
    assert "records_suppressed: 0" in out.err

    path = f"{tmp_path}/export.xlsx"
    call_command("export_ctdc", "--layout", "htcds", "--format", "xlsx", "--output", path)
    assert len(list(openpyxl.load_workbook(path).worksheets[0].values)) == 16


def test_the_export_of_the_demo_has_no_combination_under_k() -> None:
    from himaya.accounts import demo as accounts_demo
    from himaya.agencies import demo as agencies_demo
    from himaya.cases import demo as cases_demo
    from himaya.exchange import demo
    from himaya.survivors import demo as survivors_demo

    agencies_demo.seed()
    accounts_demo.seed()
    survivors_demo.seed()
    cases_demo.seed()
    demo.seed()
    assert demo.seed() == "trafficking details filled on 0 cases"

    for k in (3, 11):
        export = actions.export_statistics(by=None, purpose="demo check", k=k)
        rows = read_csv(export.content)
        assert export.report["records_considered"] > 0
        assert export.report["records_published"] == len(rows)
        if rows:
            assert rules.smallest_group(rows, rules.QUASI_IDENTIFIERS) >= k
    assert Case.objects.exclude(means_of_control=[]).exists()
    assert datetime.date.today().year > 2000
