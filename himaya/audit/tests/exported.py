"""What the export tests of every app read: the audit rows of exports, and the rows of an
exported workbook or CSV file."""

import csv
import io
from typing import Any

import openpyxl

from himaya.audit import exports
from himaya.audit.models import AuditEvent


def exports_written() -> list[AuditEvent]:
    """The "list.exported" audit rows, in the order they were written."""
    return list(AuditEvent.objects.filter(action=exports.ACTION).order_by("sequence"))


def sheet_rows(response: Any) -> list[list[object]]:
    """The rows of the first sheet of an exported workbook (openpyxl opens it)."""
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    return [list(row) for row in book.active.iter_rows(values_only=True)]


def csv_rows(response: Any) -> list[list[str]]:
    """The rows of an exported CSV file (UTF-8 with its byte order mark)."""
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
