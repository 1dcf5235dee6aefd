"""Spreadsheets in: the template, reading an upload, importing rows with the rules of
registration and case opening, idempotence and likely duplicates."""

import datetime
import io
from collections.abc import Callable, Iterator
from io import StringIO
from pathlib import Path
from typing import Any

import openpyxl
import pytest
import time_machine
from django.core.management import CommandError, call_command
from django.test import override_settings
from django.utils import translation

from himaya.accounts.models import User
from himaya.agencies.models import Agency, Governorate, Role
from himaya.audit.models import AuditEvent
from himaya.cases.models import Case
from himaya.core.errors import Conflict, Forbidden, Invalid
from himaya.exchange import sheets
from himaya.exchange.sheet_actions import confirm_sheet_import, import_sheet, preview_sheet
from himaya.exchange.sheet_models import SheetImport, SheetRow
from himaya.survivors.models import PossibleDuplicate, Survivor

pytestmark = pytest.mark.django_db

CODED = [column.key for column in sheets.COLUMNS if column.options is not None]


@pytest.fixture(autouse=True)
def english() -> Iterator[None]:
    with translation.override("en"):
        yield


@pytest.fixture(autouse=True)
def frozen_time() -> Iterator[Any]:
    with time_machine.travel(
        datetime.datetime(2026, 6, 15, 9, 0, tzinfo=datetime.UTC), tick=False
    ) as clock:
        yield clock


def good(**changes: Any) -> dict[str, Any]:
    row: dict[str, Any] = {
        "reference": "A-0001",
        "name_ar": "سارة محمود حسن",
        "name_latin": "Sara Mahmoud Hassan",
        "sex": "female · أنثى · Female",
        "birth_year": 1999,
        "nationality": "EG",
        "governorate_of_origin": "EG-SHG",
        "phone": "01001234567",
        "document_kind": "national_id",
        "document_number": "02912345678901",
        "document_country": "EG",
        "first_contact_on": "2026-03-05",
        "identified_by": "hotline",
        "exploitation_form": "forced_labour",
        "exploitation_form_2": "domestic_servitude",
        "recruitment_channel": "social_media",
        "country_of_exploitation": "EG",
        "governorate_of_exploitation": "EG-C",
    }
    row.update(changes)
    return row


def workbook(*rows: dict[str, Any], text_cells: bool = False) -> bytes:
    """The template with these rows written below the example."""
    book = openpyxl.load_workbook(io.BytesIO(sheets.template_bytes()))
    sheet = book[sheets.SHEET]
    index = {column.key: number for number, column in enumerate(sheets.COLUMNS, start=1)}
    for line, row in enumerate(rows, start=sheets.EXAMPLE_LINE + 1):
        for key, value in row.items():
            cell = sheet.cell(row=line, column=index[key], value=value)
            if text_cells and isinstance(value, str) and value.startswith("="):
                cell.data_type = "s"
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def outcomes(batch: SheetImport) -> dict[int, str]:
    return {entry["line"]: entry["outcome"] for entry in batch.report}


def reasons(batch: SheetImport) -> dict[int, str]:
    return {entry["line"]: entry["reason"] for entry in batch.report}


# --- the template ------------------------------------------------------------------------


def test_the_template_is_built_once_per_language_and_lists_and_again_when_a_list_changes(
    monkeypatch,
) -> None:
    built: list[str] = []
    build = sheets._build_template

    def counted() -> bytes:
        built.append(translation.get_language())
        return build()

    monkeypatch.setattr(sheets, "_TEMPLATES", {})
    monkeypatch.setattr(sheets, "_build_template", counted)
    with translation.override("en"):
        first, again = sheets.template_bytes(), sheets.template_bytes()
    with translation.override("ar"):
        arabic = sheets.template_bytes()
    assert first == again
    assert arabic != first
    assert built == ["en", "ar"]

    Governorate.objects.filter(code="EG-C").update(name_en="Cairo (capital)")
    with translation.override("en"):
        renamed = sheets.template_bytes()
    assert built == ["en", "ar", "en"]
    lists = openpyxl.load_workbook(io.BytesIO(renamed))[sheets.LISTS]
    assert any("Cairo (capital)" in str(cell.value) for row in lists.iter_rows() for cell in row)


def test_the_template_opens_with_openpyxl_with_headers_in_both_languages() -> None:
    book = openpyxl.load_workbook(io.BytesIO(sheets.template_bytes()))
    assert book.sheetnames == [sheets.SHEET, sheets.INSTRUCTIONS, sheets.LISTS]
    assert book[sheets.LISTS].sheet_state == "hidden"
    sheet = book[sheets.SHEET]
    english = [cell.value for cell in sheet[2]]
    assert english[:5] == [
        "Your reference",
        "Name in Arabic script",
        "Name in Latin script",
        "Other names and aliases",
        "Sex *",
    ]
    assert len(english) == len(sheets.COLUMNS)
    assert [cell.value for cell in sheet[1]][1] == sheets._bilingual(sheets.COLUMNS[1].label)[0]
    assert sheet.cell(row=3, column=1).value == sheets.EXAMPLE_REFERENCE


def test_every_coded_column_has_a_list_validation_drawn_from_the_forms_choices() -> None:
    book = openpyxl.load_workbook(io.BytesIO(sheets.template_bytes()))
    sheet = book[sheets.SHEET]
    letters = {
        str(validation.sqref).split(":")[0].rstrip("0123456789"): validation.formula1
        for validation in sheet.data_validations.dataValidation
    }
    for number, column in enumerate(sheets.COLUMNS, start=1):
        letter = openpyxl.utils.get_column_letter(number)
        assert (letter in letters) == (column.key in CODED), column.key
    assert all(validation.type == "list" for validation in sheet.data_validations.dataValidation)
    lists = book[sheets.LISTS]
    sex_column = next(c for c in lists[1] if c.value == "sex").column_letter
    entries = [str(c.value).split(" · ") for c in lists[sex_column][1:] if c.value]
    assert [(entry[0], entry[-1]) for entry in entries] == [
        ("female", "Female"),
        ("male", "Male"),
        ("other", "Other"),
        ("unknown", "Not known"),
    ]
    assert letters["E"] == f"{sheets.LISTS}!${sex_column}$2:${sex_column}$5"


def test_cells_where_leading_zeros_matter_are_formatted_as_text() -> None:
    book = openpyxl.load_workbook(io.BytesIO(sheets.template_bytes()))
    sheet = book[sheets.SHEET]
    for number, column in enumerate(sheets.COLUMNS, start=1):
        fmt = sheet.cell(row=10, column=number).number_format
        assert (fmt == "@") == column.as_text, column.key
    assert {"phone", "document_number", "reference", "first_contact_on"} <= {
        c.key for c in sheets.COLUMNS if c.as_text
    }


def test_the_instructions_name_every_column_in_both_languages() -> None:
    book = openpyxl.load_workbook(io.BytesIO(sheets.template_bytes()))
    text = " ".join(
        str(cell.value) for row in book[sheets.INSTRUCTIONS].iter_rows() for cell in row
    )
    for column in sheets.COLUMNS:
        arabic, english = sheets._bilingual(column.label)
        assert f"{arabic} / {english}" in text


# --- reading an upload -------------------------------------------------------------------


def test_the_example_row_and_empty_rows_are_not_read() -> None:
    rows = sheets.read_sheet(workbook({}, good(), {}, good(reference="A-2")))
    assert [row.line for row in rows] == [5, 7]
    assert rows[0].values["phone"] == "01001234567"
    assert rows[0].values["birth_year"] == "1999"


def test_a_file_that_is_not_xlsx_is_refused() -> None:
    with pytest.raises(Invalid, match="not an XLSX file"):
        sheets.read_sheet(b"name,sex\nSara,female\n")


def test_a_workbook_without_the_template_headers_is_refused_naming_the_missing_columns() -> None:
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = sheets.SHEET
    sheet.append(["Your reference", "Name in Arabic script", "Sex"])
    sheet.append(["A-1", "سارة", "female"])
    buffer = io.BytesIO()
    book.save(buffer)
    with pytest.raises(Invalid, match="columns are missing: Name in Latin script, Other names"):
        sheets.read_sheet(buffer.getvalue())


def test_a_workbook_without_the_template_sheet_is_refused() -> None:
    buffer = io.BytesIO()
    openpyxl.Workbook().save(buffer)
    with pytest.raises(Invalid, match='The sheet "survivors and cases" is missing'):
        sheets.read_sheet(buffer.getvalue())


def test_a_file_over_the_size_limit_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    content = workbook(good())
    monkeypatch.setattr(sheets, "MAX_UPLOAD_BYTES", len(content) - 1)
    with pytest.raises(Invalid, match="larger than"):
        sheets.read_sheet(content)


def test_a_file_over_the_row_limit_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sheets, "MAX_ROWS", 2)
    content = workbook(good(), good(reference="2"), good(reference="3"))
    with pytest.raises(Invalid, match="more than 2 rows"):
        sheets.read_sheet(content)


def test_a_formula_cell_is_read_as_its_saved_value_and_a_cell_like_a_formula_is_refused() -> None:
    # openpyxl saves a formula without a value: it is read as empty, never evaluated.
    formula = sheets.read_sheet(workbook(good(languages="=1+1")))[0]
    assert formula.values["languages"] == ""
    typed = sheets.read_sheet(workbook(good(languages="=HYPERLINK(1)"), text_cells=True))[0]
    assert typed.values["languages"] == "=HYPERLINK(1)"
    assert sheets.cell_problems(typed, sheets.lookups()) == [
        "Languages spoken: a cell may not begin with =, +, - or @."
    ]
    phone = sheets.read_sheet(workbook(good(phone="+20 100 123 4567")))[0]
    assert sheets.cell_problems(phone, sheets.lookups()) == []


# --- importing ---------------------------------------------------------------------------


def test_good_rows_are_imported_and_each_broken_row_is_reported_with_its_line_and_reason(
    case_worker: User, agency_a: Agency
) -> None:
    content = workbook(
        good(),
        good(reference="A-2", name_ar="", name_latin=""),
        good(reference="A-3", sex="tall"),
        good(reference="A-4", first_contact_on="2026-07-01"),
        good(reference="A-5", is_transnational="perhaps"),
        good(
            reference="A-6",
            name_ar="منى علي",
            name_latin="",
            document_number="",
            document_kind="",
            phone="",
        ),
        good(reference="A-7", country_of_exploitation="LY"),
    )
    batch = import_sheet(by=case_worker, agency=agency_a, file_name="june.xlsx", content=content)
    assert outcomes(batch) == {
        4: "imported",
        5: "refused",
        6: "refused",
        7: "refused",
        8: "refused",
        9: "imported",
        10: "refused",
    }
    assert reasons(batch)[5] == (
        "Name in Arabic script: Enter the name in Arabic or in Latin script."
    )
    assert reasons(batch)[6] == (
        "Sex: Select a valid choice. That choice is not one of the available choices."
    )
    assert reasons(batch)[7] == "The first contact cannot be in the future."
    assert reasons(batch)[8] == "Transnational case: write yes or no."
    assert reasons(batch)[10] == (
        "Transnational case: Exploitation abroad makes the case transnational."
    )
    assert (batch.status, batch.rows_imported, batch.rows_refused) == ("imported", 2, 5)
    assert batch.content == ""
    cases = Case.objects.order_by("id")
    assert [(c.lead_agency, c.case_worker, c.survivor.registered_by_agency) for c in cases] == [
        (agency_a, case_worker, agency_a),
        (agency_a, case_worker, agency_a),
    ]
    first = cases[0]
    assert first.phase == "identification"
    assert first.first_contact_on == datetime.date(2026, 3, 5)
    assert sorted(first.exploitation_forms.values_list("code", flat=True)) == [
        "domestic_servitude",
        "forced_labour",
    ]
    assert first.governorate_of_exploitation is not None
    assert first.governorate_of_exploitation.code == "EG-C"
    survivor = first.survivor
    assert (survivor.name_ar, survivor.phone, survivor.birth_year, survivor.sex) == (
        "سارة محمود حسن",
        "01001234567",
        1999,
        "female",
    )
    assert survivor.documents.get().number == "02912345678901"
    entry = batch.report[0]
    assert (entry["survivor"], entry["case"]) == (survivor.code, first.code)
    assert AuditEvent.objects.filter(action="exchange.sheet_imported").count() == 1


def test_importing_the_same_file_twice_changes_nothing(case_worker: User, agency_a: Agency) -> None:
    content = workbook(
        good(),
        good(reference="", name_ar="منى علي", name_latin="", document_number="", document_kind=""),
    )
    first = import_sheet(by=case_worker, agency=agency_a, file_name="a.xlsx", content=content)
    assert outcomes(first) == {4: "imported", 5: "imported"}
    counts = (Survivor.objects.count(), Case.objects.count(), SheetRow.objects.count())
    again = import_sheet(by=case_worker, agency=agency_a, file_name="a.xlsx", content=content)
    assert outcomes(again) == {4: "already_imported", 5: "already_imported"}
    assert [(e["survivor"], e["case"]) for e in again.report] == [
        (e["survivor"], e["case"]) for e in first.report
    ]
    assert (Survivor.objects.count(), Case.objects.count(), SheetRow.objects.count()) == counts
    assert counts == (2, 2, 2)


def test_a_row_repeated_in_the_file_is_reported_once_imported(
    case_worker: User, agency_a: Agency
) -> None:
    batch = import_sheet(
        by=case_worker, agency=agency_a, file_name="a.xlsx", content=workbook(good(), good())
    )
    assert outcomes(batch) == {4: "imported", 5: "refused"}
    assert reasons(batch)[5] == "The same row or reference as line 4."


def test_the_same_reference_in_another_agency_is_another_row(
    case_worker: User, outsider: User, agency_a: Agency, agency_b: Agency
) -> None:
    import_sheet(by=case_worker, agency=agency_a, file_name="a", content=workbook(good()))
    other = import_sheet(
        by=outsider,
        agency=agency_b,
        file_name="b",
        content=workbook(
            good(name_ar="هدى سعيد", name_latin="", document_number="", document_kind="")
        ),
    )
    assert outcomes(other) == {4: "imported"}
    assert Case.objects.filter(lead_agency=agency_b).count() == 1


def test_a_likely_duplicate_is_reported_and_imported_only_when_marked(
    case_worker: User, agency_a: Agency
) -> None:
    import_sheet(by=case_worker, agency=agency_a, file_name="a", content=workbook(good()))
    existing = Survivor.objects.get()
    same_person = good(reference="A-9", document_number="", document_kind="", phone="")
    held = import_sheet(
        by=case_worker, agency=agency_a, file_name="b", content=workbook(same_person)
    )
    assert outcomes(held) == {4: "duplicate"}
    assert held.report[0]["existing"] == [existing.code]
    assert existing.code in reasons(held)[4]
    assert Survivor.objects.count() == 1
    checks = AuditEvent.objects.filter(action="survivor.duplicate_checked").count()
    assert checks == 2  # the check of the held row stays in the audit trail
    marked = import_sheet(
        by=case_worker,
        agency=agency_a,
        file_name="c",
        content=workbook({**same_person, "confirm_duplicate": "yes · نعم · Yes"}),
    )
    assert outcomes(marked) == {4: "imported"}
    assert Survivor.objects.count() == 2


def test_a_match_outside_the_importers_scope_is_imported_and_goes_to_review(
    case_worker: User, outsider: User, agency_a: Agency, agency_b: Agency
) -> None:
    import_sheet(by=outsider, agency=agency_b, file_name="b", content=workbook(good()))
    batch = import_sheet(by=case_worker, agency=agency_a, file_name="a", content=workbook(good()))
    assert outcomes(batch) == {4: "imported"}
    assert reasons(batch)[4] == "A supervisor will review a possible match."
    assert PossibleDuplicate.objects.count() == 1


def test_preview_imports_nothing_and_confirm_imports_once(
    case_worker: User, agency_a: Agency, django_capture_on_commit_callbacks: Any
) -> None:
    content = workbook(good(), good(reference="A-2", sex=""))
    batch = preview_sheet(by=case_worker, agency=agency_a, file_name="a.xlsx", content=content)
    assert outcomes(batch) == {4: "ready", 5: "refused"}
    assert reasons(batch)[5] == "Sex: This field is required."
    assert (batch.status, batch.rows_ready, batch.rows_refused) == ("previewed", 1, 1)
    assert batch.content != ""
    assert (Survivor.objects.count(), Case.objects.count()) == (0, 0)
    assert not AuditEvent.objects.filter(action="survivor.duplicate_checked").exists()
    with django_capture_on_commit_callbacks(execute=True):
        started = confirm_sheet_import(batch=batch, by=case_worker)
    assert started.status == "importing"
    done = SheetImport.objects.get()
    assert done.status == "imported"
    assert outcomes(done) == {4: "imported", 5: "refused"}
    with pytest.raises(Conflict):
        confirm_sheet_import(batch=SheetImport.objects.get(), by=case_worker)
    assert Case.objects.count() == 1


def test_only_the_uploader_may_confirm(
    case_worker: User, supervisor: User, agency_a: Agency
) -> None:
    batch = preview_sheet(by=case_worker, agency=agency_a, file_name="a", content=workbook(good()))
    with pytest.raises(Forbidden):
        confirm_sheet_import(batch=batch, by=supervisor)
    batch.refresh_from_db()
    assert (batch.status, batch.imported_at, Survivor.objects.count()) == ("previewed", None, 0)


def test_a_user_cannot_import_for_another_agency_nor_without_registering(
    outsider: User, agency_a: Agency, make_persona: Callable[..., User]
) -> None:
    for user in (outsider, make_persona(Role.ANALYST), make_persona(Role.SHELTER_STAFF, agency_a)):
        with pytest.raises(Forbidden):
            preview_sheet(by=user, agency=agency_a, file_name="a", content=workbook(good()))
    assert (SheetImport.objects.count(), Survivor.objects.count()) == (0, 0)


@override_settings(DUPLICATE_CHECKS_PER_HOUR=2)
def test_over_the_hourly_limit_of_checks_the_rest_waits_for_the_same_file_later(
    case_worker: User, agency_a: Agency, frozen_time: Any
) -> None:
    content = workbook(
        good(),
        good(
            reference="A-2", name_ar="منى علي", name_latin="", document_number="", document_kind=""
        ),
        good(
            reference="A-3", name_ar="هدى سعيد", name_latin="", document_number="", document_kind=""
        ),
    )
    batch = import_sheet(by=case_worker, agency=agency_a, file_name="a", content=content)
    assert outcomes(batch) == {4: "imported", 5: "imported", 6: "not_attempted"}
    assert "hourly limit" in reasons(batch)[6]
    frozen_time.shift(datetime.timedelta(hours=2))
    later = import_sheet(by=case_worker, agency=agency_a, file_name="a", content=content)
    assert outcomes(later) == {4: "already_imported", 5: "already_imported", 6: "imported"}
    assert Case.objects.count() == 3


def test_the_reasons_are_in_the_users_language(case_worker: User, agency_a: Agency) -> None:
    with translation.override("ar"):
        batch = preview_sheet(
            by=case_worker, agency=agency_a, file_name="a", content=workbook(good(sex=""))
        )
        expected = f"{translation.gettext('Sex')}: {translation.gettext('This field is required.')}"
    assert reasons(batch)[4] == expected
    assert expected != "Sex: This field is required."


# --- the command -------------------------------------------------------------------------


def test_the_command_imports_a_file_and_reports_each_line(
    case_worker: User, agency_a: Agency, tmp_path: Path
) -> None:
    path = tmp_path / "rows.xlsx"
    path.write_bytes(workbook(good(), good(reference="A-2", sex="")))
    out, err = StringIO(), StringIO()
    call_command(
        "import_sheet",
        str(path),
        "--agency",
        agency_a.code,
        "--user",
        case_worker.username,
        "--language",
        "en",
        stdout=out,
        stderr=err,
    )
    batch = SheetImport.objects.get()
    assert out.getvalue() == (
        f"{batch.code}: read 2, ready 0, imported 1, already imported 0, duplicates 0, "
        "refused 1, not attempted 0\n"
    )
    case = Case.objects.get()
    assert err.getvalue().splitlines() == [
        f"line 4: Imported {case.survivor.code} {case.code}",
        "line 5: Refused — Sex: This field is required.",
    ]


def test_the_command_refuses_a_wrong_file_and_changes_nothing(
    case_worker: User, agency_a: Agency, tmp_path: Path
) -> None:
    path = tmp_path / "rows.xlsx"
    path.write_bytes(b"not a workbook")
    with pytest.raises(CommandError, match="not an XLSX file"):
        call_command(
            "import_sheet",
            str(path),
            *("--agency", agency_a.code, "--user", case_worker.username, "--language", "en"),
        )
    with pytest.raises(CommandError, match="هذا ليس ملف XLSX"):
        call_command(
            "import_sheet", str(path), "--agency", agency_a.code, "--user", case_worker.username
        )
    with pytest.raises(CommandError, match="no agency"):
        call_command(
            "import_sheet", str(path), "--agency", "AG-NONE", "--user", case_worker.username
        )
    assert SheetImport.objects.count() == 0
