"""Spreadsheets in: the survivors-and-cases template, and reading it back.

The template (``template_bytes``) has one sheet, "survivors and cases", whose first row
holds the headers in Arabic and the second in English; the third is an example that is
never imported. Coded columns carry a list validation drawn from the same choices as the
registration and case forms, kept on a hidden sheet "lists"; the cells where leading
zeros matter (references, phones, document numbers, dates) are formatted as text. A
second sheet, "instructions", explains each column in both languages.

``read_sheet`` reads an upload into rows of plain strings, keyed by column: it refuses a
file that is not XLSX, too large once unpacked, without the template's sheet or headers,
or with too many rows. Formula cells are read as the value last saved with them, never
evaluated. ``form_data`` turns one row into the data of the registration and case forms;
nothing here writes to the database.
"""

import datetime
import hashlib
import hmac
import io
import json
import zipfile
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

import openpyxl
from django.conf import settings
from django.db.models import Choices
from django.utils import translation
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from himaya.agencies.models import Agency, Governorate
from himaya.cases.models import ExploitationForm, IdentificationChannel, RecruitmentChannel
from himaya.core import countries
from himaya.core.crypto import ascii_digits, strip_invisible
from himaya.core.errors import Invalid
from himaya.survivors.models import DocumentKind, MigrationStatus, Sex

SHEET = "survivors and cases"
INSTRUCTIONS = "instructions"
LISTS = "lists"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
FILENAME = "himaya-survivors-and-cases.xlsx"

MAX_UPLOAD_BYTES = 2 * 1024 * 1024  # the file as uploaded
MAX_UNPACKED_BYTES = 40 * 1024 * 1024  # its parts once unzipped: no zip bomb is opened
MAX_ROWS = 5000  # rows of data (the example and empty rows not counted): checked by the queue
MAX_CELL_LENGTH = 5000
MAX_LINES = 20 * MAX_ROWS  # lines scanned, empty ones included

HEADER_ROWS = 2  # Arabic, then English
EXAMPLE_LINE = 3
FIRST_LINE = 3  # the example is skipped by its reference
EXAMPLE_REFERENCE = "EXAMPLE"
SEPARATOR = " · "
FORMULA_START = ("=", "+", "-", "@")
YES, NO = "yes", "no"

TEXT, DATE, NUMBER, CHOICE, YES_NO = "text", "date", "number", "choice", "yes_no"

Options = Callable[[], list[tuple[str, str, str]]]  # (code, Arabic, English)


@dataclass(frozen=True)
class Column:
    key: str
    label: Promise
    kind: str = TEXT
    required: bool = False
    as_text: bool = False  # formatted as text: leading zeros kept
    width: int = 20
    help: Promise | str = ""
    options: Options | None = None


def _bilingual(label: Promise | str) -> tuple[str, str]:
    with translation.override("ar"):
        arabic = str(label)
    with translation.override("en"):
        english = str(label)
    return arabic, english


def _from_choices(choices: type[Choices]) -> Options:
    def options() -> list[tuple[str, str, str]]:
        return [(str(value), *_bilingual(label)) for value, label in choices.choices]

    return options


def _countries() -> list[tuple[str, str, str]]:
    codes = [*countries.FREQUENT, countries.STATELESS]
    codes += sorted(code for code in countries.CODES if code not in codes)
    result = []
    for code in codes:
        with translation.override("ar"):
            arabic = countries.country_name(code)
        with translation.override("en"):
            english = countries.country_name(code)
        result.append((code, arabic, english))
    return result


def _governorates() -> list[tuple[str, str, str]]:
    return [(g.code, g.name_ar, g.name_en) for g in Governorate.objects.order_by("code")]


def _forms() -> list[tuple[str, str, str]]:
    return [(f.code, f.name_ar, f.name_en) for f in ExploitationForm.objects.order_by("order")]


def _agencies() -> list[tuple[str, str, str]]:
    return [
        (a.code, a.name_ar, a.name_en)
        for a in Agency.objects.filter(is_active=True).order_by("name_en")
    ]


def _yes_no() -> list[tuple[str, str, str]]:
    return [(YES, *_bilingual(gettext_lazy("Yes"))), (NO, *_bilingual(gettext_lazy("No")))]


DATE_HELP = gettext_lazy("A date as YYYY-MM-DD, for example 2026-03-05.")

COLUMNS: tuple[Column, ...] = (
    Column(
        "reference",
        gettext_lazy("Your reference"),
        as_text=True,
        help=gettext_lazy(
            "Your agency's own number for this person, if you keep one. A row with a "
            "reference already imported is not imported again."
        ),
    ),
    Column("name_ar", gettext_lazy("Name in Arabic script"), width=28),
    Column("name_latin", gettext_lazy("Name in Latin script"), width=28),
    Column("aliases", gettext_lazy("Other names and aliases"), width=24),
    Column("sex", gettext_lazy("Sex"), CHOICE, required=True, options=_from_choices(Sex)),
    Column("date_of_birth", gettext_lazy("Date of birth"), DATE, as_text=True, help=DATE_HELP),
    Column("birth_year", gettext_lazy("Year of birth"), NUMBER, width=12),
    Column("estimated_age", gettext_lazy("Estimated age (years)"), NUMBER, width=12),
    Column("age_is_estimated", gettext_lazy("The age is estimated"), YES_NO, options=_yes_no),
    Column("nationality", gettext_lazy("Nationality"), CHOICE, required=True, options=_countries),
    Column(
        "governorate_of_origin",
        gettext_lazy("Governorate of origin"),
        CHOICE,
        options=_governorates,
    ),
    Column("languages", gettext_lazy("Languages spoken")),
    Column("has_disability", gettext_lazy("Has a disability"), YES_NO, options=_yes_no),
    Column(
        "migration_status",
        gettext_lazy("Migration status"),
        CHOICE,
        options=_from_choices(MigrationStatus),
    ),
    Column("unhcr_registered", gettext_lazy("Registered with UNHCR"), YES_NO, options=_yes_no),
    Column("unhcr_reference", gettext_lazy("UNHCR reference number"), as_text=True),
    Column(
        "phone",
        gettext_lazy("Phone"),
        as_text=True,
        help=gettext_lazy("With its leading zero or +, for example 01001234567."),
    ),
    Column("address", gettext_lazy("Address"), width=28),
    Column("family_contact", gettext_lazy("Family contact"), width=28),
    Column(
        "document_kind",
        gettext_lazy("Identity document"),
        CHOICE,
        options=_from_choices(DocumentKind),
    ),
    Column("document_number", gettext_lazy("Document number"), as_text=True),
    Column("document_country", gettext_lazy("Issuing country"), CHOICE, options=_countries),
    Column(
        "first_contact_on",
        gettext_lazy("Date of first contact"),
        DATE,
        required=True,
        as_text=True,
        help=DATE_HELP,
    ),
    Column(
        "identified_on", gettext_lazy("Date of identification"), DATE, as_text=True, help=DATE_HELP
    ),
    Column(
        "identified_by",
        gettext_lazy("Identified through"),
        CHOICE,
        required=True,
        options=_from_choices(IdentificationChannel),
    ),
    Column(
        "identifying_agency",
        gettext_lazy("Identifying agency"),
        CHOICE,
        width=28,
        options=_agencies,
    ),
    Column(
        "exploitation_form",
        gettext_lazy("Form of exploitation"),
        CHOICE,
        width=28,
        options=_forms,
    ),
    Column(
        "exploitation_form_2",
        gettext_lazy("Another form of exploitation"),
        CHOICE,
        width=28,
        options=_forms,
    ),
    Column(
        "recruitment_channel",
        gettext_lazy("Recruitment channel"),
        CHOICE,
        required=True,
        options=_from_choices(RecruitmentChannel),
    ),
    Column(
        "country_of_exploitation",
        gettext_lazy("Country of exploitation"),
        CHOICE,
        required=True,
        options=_countries,
    ),
    Column(
        "governorate_of_exploitation",
        gettext_lazy("Governorate of exploitation"),
        CHOICE,
        options=_governorates,
    ),
    Column("is_transnational", gettext_lazy("Transnational case"), YES_NO, options=_yes_no),
    Column("screening_code", gettext_lazy("Screening reference"), as_text=True),
    Column(
        "confirm_duplicate",
        gettext_lazy("Register despite a likely duplicate"),
        YES_NO,
        width=24,
        options=_yes_no,
        help=gettext_lazy(
            "Leave empty. Write yes only after a first import named a likely duplicate and "
            "you checked that the existing record is another person."
        ),
    ),
)
BY_KEY = {column.key: column for column in COLUMNS}

EXAMPLE: dict[str, str] = {
    "reference": EXAMPLE_REFERENCE,
    "name_ar": "فاطمة أحمد علي",
    "name_latin": "Fatma Ahmed Ali",
    "sex": Sex.FEMALE,
    "birth_year": "2001",
    "nationality": "EG",
    "governorate_of_origin": "EG-SHG",
    "phone": "01001234567",
    "document_kind": DocumentKind.NATIONAL_ID,
    "document_number": "02912345678901",
    "document_country": "EG",
    "first_contact_on": "2026-03-05",
    "identified_by": IdentificationChannel.HOTLINE,
    "exploitation_form": "forced_labour",
    "recruitment_channel": RecruitmentChannel.SOCIAL_MEDIA,
    "country_of_exploitation": "EG",
    "governorate_of_exploitation": "EG-C",
    "is_transnational": NO,
}


def option_label(option: tuple[str, str, str]) -> str:
    """How an option appears in a list: its code, then its names in Arabic and English."""
    code, arabic, english = option
    return SEPARATOR.join([code, arabic, english] if arabic != english else [code, english])


# --- the template ----------------------------------------------------------------------


def _header_cells(sheet: Worksheet) -> None:
    bold = Font(bold=True)
    required_fill = PatternFill("solid", fgColor="FCE4D6")
    plain_fill = PatternFill("solid", fgColor="DDEBF7")
    for index, column in enumerate(COLUMNS, start=1):
        arabic, english = _bilingual(column.label)
        mark = " *" if column.required else ""
        for row, text in ((1, arabic + mark), (2, english + mark)):
            cell = sheet.cell(row=row, column=index, value=text)
            cell.font = bold
            cell.fill = required_fill if column.required else plain_fill
            cell.alignment = Alignment(wrap_text=True, vertical="top")
        sheet.column_dimensions[get_column_letter(index)].width = column.width
    sheet.freeze_panes = sheet.cell(row=FIRST_LINE, column=2)


def _lists_sheet(book: openpyxl.Workbook) -> dict[str, str]:
    """The hidden sheet of options, one column per list; the range of each list by key."""
    sheet = book.create_sheet(LISTS)
    sheet.sheet_state = "hidden"
    ranges: dict[str, str] = {}
    made: dict[Options, str] = {}
    for column in COLUMNS:
        if column.options is None:
            continue
        if column.options in made:
            ranges[column.key] = made[column.options]
            continue
        index = len(made) + 1
        letter = get_column_letter(index)
        sheet.cell(row=1, column=index, value=column.key)
        options = column.options()
        for row, option in enumerate(options, start=2):
            sheet.cell(row=row, column=index, value=option_label(option)).number_format = "@"
        last = max(len(options) + 1, 2)
        made[column.options] = ranges[column.key] = f"{LISTS}!${letter}$2:${letter}${last}"
    return ranges


def _example_value(column: Column) -> str | None:
    value = EXAMPLE.get(column.key)
    if value is None:
        return None
    if column.options is None:
        return value
    for option in column.options():
        if option[0] == value:
            return option_label(option)
    return None


def _instructions(book: openpyxl.Workbook) -> None:
    sheet = book.create_sheet(INSTRUCTIONS)
    sheet.column_dimensions["A"].width = 34
    sheet.column_dimensions["B"].width = 70
    sheet.column_dimensions["C"].width = 70
    bold = Font(bold=True)
    general = [
        gettext_lazy(
            "One row per person: the survivor is registered and a case is opened for your "
            "agency, with the same rules as the registration and case forms."
        ),
        gettext_lazy(
            "Keep the two header rows as they are. Row 3 is an example: it is never "
            "imported; write your rows below it."
        ),
        gettext_lazy("Columns marked * are required. Choose coded values from each cell's list."),
        gettext_lazy(
            "Give at least one of the two names, and the date of birth, the year of birth or "
            "an estimated age."
        ),
        gettext_lazy(
            "Upload the file on the page Spreadsheet import: it is checked first, and "
            "imported only when you confirm. Each refused row is named by its line and "
            "reason; the others are imported."
        ),
        gettext_lazy(
            "A row already imported for your agency (same reference, or the same values "
            "when there is no reference) is not imported again."
        ),
        gettext_lazy(
            "A row that matches a survivor already registered is not imported. Check the "
            "existing record; if it is another person, write yes in the last column."
        ),
        gettext_lazy(
            "Do not begin a cell with =, +, - or @ (a phone number may begin with +). "
            "Formulas are not evaluated."
        ),
    ]
    sheet.cell(row=1, column=1, value="العربية").font = bold
    sheet.cell(row=1, column=2, value="English").font = bold
    row = 2
    for text in general:
        arabic, english = _bilingual(text)
        sheet.cell(row=row, column=1, value=arabic).alignment = Alignment(wrap_text=True)
        sheet.cell(row=row, column=2, value=english).alignment = Alignment(wrap_text=True)
        row += 1
    row += 1
    for index, heading in enumerate(
        (gettext_lazy("Column"), gettext_lazy("In Arabic"), gettext_lazy("In English")), start=1
    ):
        arabic, english = _bilingual(heading)
        sheet.cell(row=row, column=index, value=f"{arabic} / {english}").font = bold
    row += 1
    required = gettext_lazy("Required.")
    from_list = gettext_lazy("Choose from the list.")
    for column in COLUMNS:
        parts: list[Promise | str] = []
        if column.required:
            parts.append(required)
        if column.options is not None:
            parts.append(from_list)
        if column.help:
            parts.append(column.help)
        arabic, english = _bilingual(column.label)
        texts = [_bilingual(part) for part in parts]
        sheet.cell(row=row, column=1, value=f"{arabic} / {english}")
        sheet.cell(row=row, column=2, value=" ".join(t[0] for t in texts))
        sheet.cell(row=row, column=3, value=" ".join(t[1] for t in texts))
        row += 1
    for line in sheet.iter_rows():
        for cell in line:
            cell.alignment = Alignment(wrap_text=True, vertical="top")


# Templates built, by language and lists (see ``template_bytes``): a few at most.
_TEMPLATES: dict[str, bytes] = {}
TEMPLATES_KEPT = 8


def template_bytes() -> bytes:
    """The XLSX template in the active language.

    Writing its formats and lists into every line a sheet may hold costs about a second;
    what it holds depends only on the language, the lines a sheet may hold and the options
    of its lists (read from the database on each call, a few small queries). It is built
    once for each of these and kept in the process: a changed option (a governorate
    renamed, a form of exploitation added) makes another template."""
    lists: dict[Options, list[tuple[str, str, str]]] = {}
    for column in COLUMNS:
        if column.options is not None and column.options not in lists:
            lists[column.options] = column.options()
    language = translation.get_language() or "ar"
    content = json.dumps(
        [language, MAX_ROWS, list(lists.values())], ensure_ascii=False, default=str
    )
    key = hashlib.sha256(content.encode()).hexdigest()
    kept = _TEMPLATES.get(key)
    if kept is None:
        kept = _build_template()
        while len(_TEMPLATES) >= TEMPLATES_KEPT:
            _TEMPLATES.pop(next(iter(_TEMPLATES)))
        _TEMPLATES[key] = kept
    return kept


def _build_template() -> bytes:
    """The XLSX template: its three sheets, lists, text formats and the example row."""
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = SHEET
    if (translation.get_language() or "ar").startswith("ar"):
        sheet.sheet_view.rightToLeft = True
    _header_cells(sheet)
    _instructions(book)
    ranges = _lists_sheet(book)
    last = FIRST_LINE + MAX_ROWS
    grey = Font(italic=True, color="808080")
    for index, column in enumerate(COLUMNS, start=1):
        letter = get_column_letter(index)
        example = sheet.cell(row=EXAMPLE_LINE, column=index, value=_example_value(column))
        example.font = grey
        if column.as_text:
            for row in range(EXAMPLE_LINE, last + 1):
                sheet.cell(row=row, column=index).number_format = "@"
        if column.key in ranges:
            validation = DataValidation(
                type="list",
                formula1=ranges[column.key],
                allow_blank=True,
                showErrorMessage=True,
                errorTitle=_("Not in the list"),
                error=_("Choose a value from the list."),
            )
            validation.add(f"{letter}{EXAMPLE_LINE}:{letter}{last}")
            sheet.add_data_validation(validation)
    book.active = 0
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


# --- reading an upload -----------------------------------------------------------------


@dataclass
class SheetRowData:
    """One non-empty row of an upload: its line and its cells as text, by column key."""

    line: int
    values: dict[str, str]
    problems: list[str] = field(default_factory=list)


def _header_key(text: str) -> str:
    return " ".join(strip_invisible(text).replace("*", " ").split()).casefold()


def _known_headers() -> dict[str, str]:
    known: dict[str, str] = {}
    for column in COLUMNS:
        for label in _bilingual(column.label):
            known[_header_key(label)] = column.key
        known[_header_key(column.key)] = column.key
    return known


def _cell_text(value: Any) -> str:
    """A cell's value as text: numbers without a spurious ``.0``, dates as ISO dates."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return YES if value else NO
    if isinstance(value, datetime.datetime):
        return value.date().isoformat()
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return strip_invisible(str(value)).strip()


def _check_archive(content: bytes) -> None:
    if len(content) > MAX_UPLOAD_BYTES:
        raise Invalid(
            _("The file is larger than %(size)s MB: split it into smaller files.")
            % {"size": MAX_UPLOAD_BYTES // (1024 * 1024)},
            field="file",
        )
    not_xlsx = Invalid(
        _("This is not an XLSX file: save it as an Excel workbook (.xlsx) and try again."),
        field="file",
    )
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            parts = archive.infolist()
            names = {part.filename for part in parts}
    except (zipfile.BadZipFile, ValueError, OSError):
        raise not_xlsx from None
    if "[Content_Types].xml" not in names or not any(n.startswith("xl/") for n in names):
        raise not_xlsx
    if len(parts) > 500 or sum(part.file_size for part in parts) > MAX_UNPACKED_BYTES:
        raise Invalid(_("The file is too large once unpacked."), field="file")


def read_sheet(content: bytes) -> list[SheetRowData]:
    """The rows of an upload of the template (refused with ``Invalid`` when it is not one).

    The example row and empty rows are left out; each row keeps its line in the sheet.
    """
    _check_archive(content)
    try:
        book = openpyxl.load_workbook(
            io.BytesIO(content), read_only=True, data_only=True, keep_links=False
        )
    except Exception:  # openpyxl raises many kinds on a damaged file
        raise Invalid(_("This file could not be read as an XLSX workbook."), field="file") from None
    try:
        if SHEET not in book.sheetnames:
            raise Invalid(
                _(
                    'The sheet "%(sheet)s" is missing: download the template and copy your '
                    "rows into it."
                )
                % {"sheet": SHEET},
                field="file",
            )
        return _rows(book[SHEET])
    finally:
        book.close()


def _rows(sheet: Any) -> list[SheetRowData]:
    rows: Iterator[Sequence[Any]] = sheet.iter_rows(values_only=True)
    headers = [list(next(rows, ())) for _line in range(HEADER_ROWS)]
    known = _known_headers()
    positions: dict[str, int] = {}
    for header_row in headers:
        for index, value in enumerate(header_row):
            key = known.get(_header_key(_cell_text(value)))
            if key is not None and key not in positions:
                positions[key] = index
    missing = [column for column in COLUMNS if column.key not in positions]
    if missing:
        raise Invalid(
            _(
                "This is not the Himaya template: these columns are missing: %(columns)s. "
                "Download the template and copy your rows into it."
            )
            % {"columns": ", ".join(str(column.label) for column in missing)},
            field="file",
        )
    found: list[SheetRowData] = []
    for line, cells in enumerate(rows, start=HEADER_ROWS + 1):
        if line > MAX_LINES:
            raise Invalid(
                _("The file has more than %(rows)s rows: split it into smaller files.")
                % {"rows": MAX_ROWS},
                field="file",
            )
        values = {
            key: _cell_text(cells[index]) if index < len(cells) else ""
            for key, index in positions.items()
        }
        if not any(values.values()):
            continue
        if values["reference"].casefold() == EXAMPLE_REFERENCE.casefold():
            continue
        if len(found) >= MAX_ROWS:
            raise Invalid(
                _("The file has more than %(rows)s rows: split it into smaller files.")
                % {"rows": MAX_ROWS},
                field="file",
            )
        found.append(SheetRowData(line=line, values=values))
    if not found:
        raise Invalid(_("The file has no rows to import below the example."), field="file")
    return found


# --- from cells to the forms' data ------------------------------------------------------


@dataclass(frozen=True)
class Lookups:
    """What coded cells are read against, built once per file: for each list, every way
    of writing an option (the list's entry, the code, either name) folded, to its code;
    and the primary keys of the reference tables by code."""

    options: dict[str, dict[str, str]]
    governorates: dict[str, int]
    forms: dict[str, int]
    agencies: dict[str, int]


def lookups() -> Lookups:
    made: dict[Options, dict[str, str]] = {}
    options: dict[str, dict[str, str]] = {}
    for column in COLUMNS:
        if column.options is None:
            continue
        if column.options not in made:
            table: dict[str, str] = {}
            for option in column.options():
                for text in (option_label(option), *option):
                    table.setdefault(text.casefold(), option[0])
            made[column.options] = table
        options[column.key] = made[column.options]
    return Lookups(
        options=options,
        governorates=dict(Governorate.objects.values_list("code", "pk")),
        forms=dict(ExploitationForm.objects.values_list("code", "pk")),
        agencies=dict(Agency.objects.filter(is_active=True).values_list("code", "pk")),
    )


def _option_code(column: Column, text: str, known: Lookups) -> str:
    """The code of a coded cell: the list's entry, the code alone or a name in either
    language. Anything else is passed on as typed, for the form to refuse."""
    table = known.options.get(column.key)
    if not text or table is None:
        return text
    folded = text.casefold()
    if folded in table:
        return table[folded]
    first = folded.split(SEPARATOR.strip(), 1)[0].strip()
    return table.get(first, text)


def _yes(column: Column, text: str, known: Lookups) -> bool | None:
    value = _option_code(column, text, known).casefold()
    if value in ("", NO, "0", "false", "لا"):
        return False
    if value in (YES, "1", "true", "x", "نعم"):
        return True
    return None


def _formula_like(column: Column, text: str) -> bool:
    if not text.startswith(FORMULA_START):
        return False
    # A phone number in international form begins with +.
    return not (column.key == "phone" and text[0] == "+" and text[1:].replace(" ", "").isdigit())


def cell_problems(row: SheetRowData, known: Lookups) -> list[str]:
    """What is wrong with the row's cells before any form sees them."""
    problems = []
    for column in COLUMNS:
        text = row.values.get(column.key, "")
        label = str(column.label)
        if _formula_like(column, text):
            problems.append(
                _("%(column)s: a cell may not begin with =, +, - or @.") % {"column": label}
            )
        elif len(text) > MAX_CELL_LENGTH:
            problems.append(_("%(column)s: the text is too long.") % {"column": label})
        elif column.kind == YES_NO and _yes(column, text, known) is None:
            problems.append(_("%(column)s: write yes or no.") % {"column": label})
    return problems


def form_data(
    row: SheetRowData, *, agency: Agency, known: Lookups
) -> tuple[dict[str, Any], dict[str, Any]]:
    """The data of the registration form and of the case form for one row, as a person
    would have typed them; the forms then apply their own rules."""
    values = {column.key: row.values.get(column.key, "") for column in COLUMNS}
    for column in COLUMNS:
        if column.kind in (NUMBER, DATE):
            values[column.key] = ascii_digits(values[column.key])
        elif column.kind == CHOICE:
            values[column.key] = _option_code(column, values[column.key], known)
    flags = {c.key: bool(_yes(c, values[c.key], known)) for c in COLUMNS if c.kind == YES_NO}
    governorates, forms = known.governorates, known.forms

    def pk_of(table: dict[str, int], code: str) -> str:
        return str(table.get(code, code)) if code else ""

    survivor: dict[str, Any] = {
        "agency": str(agency.pk),
        "name_ar": values["name_ar"],
        "name_latin": values["name_latin"],
        "aliases": values["aliases"],
        "sex": values["sex"],
        "date_of_birth": values["date_of_birth"],
        "birth_year": values["birth_year"],
        "estimated_age": values["estimated_age"],
        "nationality": values["nationality"],
        "governorate_of_origin": pk_of(governorates, values["governorate_of_origin"]),
        "languages": values["languages"],
        "migration_status": values["migration_status"],
        "unhcr_reference": values["unhcr_reference"],
        "phone": values["phone"],
        "address": values["address"],
        "family_contact": values["family_contact"],
        "document_kind": values["document_kind"],
        "document_number": values["document_number"],
        "document_country": values["document_country"],
    }
    for name in ("age_is_estimated", "has_disability", "unhcr_registered", "confirm_duplicate"):
        if flags[name]:
            survivor[name] = "on"
    identifying = values["identifying_agency"]
    identifying_pk = known.agencies.get(identifying) if identifying else None
    case: dict[str, Any] = {
        "first_contact_on": values["first_contact_on"],
        "identified_on": values["identified_on"],
        "identified_by": values["identified_by"],
        "identifying_agency": str(identifying_pk or identifying),
        "exploitation_forms": [
            pk_of(forms, code)
            for code in dict.fromkeys((values["exploitation_form"], values["exploitation_form_2"]))
            if code
        ],
        "recruitment_channel": values["recruitment_channel"],
        "country_of_exploitation": values["country_of_exploitation"],
        "governorate_of_exploitation": pk_of(governorates, values["governorate_of_exploitation"]),
        "screening_code": values["screening_code"],
    }
    if flags["is_transnational"]:
        case["is_transnational"] = "on"
    return survivor, case


def import_key(row: SheetRowData, *, agency: Agency) -> str:
    """The row's key for this agency: a keyed digest of its reference, or of all its
    values when the reference is empty. The same row gives the same key in any file."""
    reference = " ".join(ascii_digits(row.values.get("reference", "")).split()).casefold()
    if reference:
        message = f"ref\x1f{reference}"
    else:
        values = {key: " ".join(value.split()) for key, value in sorted(row.values.items())}
        message = "row\x1f" + json.dumps(values, ensure_ascii=False, sort_keys=True)
    key = settings.BLIND_INDEX_KEY.encode("utf-8")
    payload = f"exchange.sheet_row\x1f{agency.code}\x1f{message}".encode()
    return hmac.new(key, payload, hashlib.sha256).hexdigest()
