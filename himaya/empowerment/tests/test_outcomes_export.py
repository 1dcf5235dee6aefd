"""The outcome tables leave the system through the export door: the cells the page shows,
small cells withheld the same way, no code of a person, a purpose, one audit row."""

from collections.abc import Callable, Iterator

import pytest
import time_machine
from django.test import Client
from django.urls import reverse

from himaya.accounts.models import User
from himaya.accounts.tests.factories import PASSWORD
from himaya.audit.models import AuditEvent
from himaya.audit.tests.exported import csv_rows as _csv
from himaya.audit.tests.exported import exports_written as _exports
from himaya.audit.tests.exported import sheet_rows as _sheet
from himaya.empowerment.models import Enrolment
from himaya.empowerment.tests.test_outcomes import fixture  # noqa: F401

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fixture", "on_the_day")]

URL = reverse("empowerment:outcomes")
HEADERS = [
    "Projects",
    "Running at 6 months",
    "Running at 12 months",
    "Running at 24 months",
    "Income before (EGP)",
    "Latest income (EGP)",
    "Change (EGP)",
    "Training completed",
]


@pytest.fixture
def on_the_day() -> Iterator[None]:
    with time_machine.travel("2028-01-15 10:00+02:00", tick=False):
        yield


@pytest.fixture
def login(login_english: Callable[[User], Client]) -> Callable[[User], Client]:
    """Signed in, reading English (the root conftest's ``login_english``)."""
    return login_english


@pytest.mark.parametrize(
    ("by", "first"),
    [("programme", "By programme"), ("governorate", "By governorate"), ("sex", "By sex")],
)
def test_each_outcome_table_exports_the_cells_the_page_shows(
    by: str, first: str, personas: dict[str, User], login: Callable[[User], Client]
) -> None:
    client = login(personas["analyst"])
    page = client.get(URL)
    assert f'data-testid="export-links-{by}"' in page.content.decode()
    (rows,) = [rows for key, _, rows in page.context["tables"] if key == by]

    body = {"purpose": "statistics", "password": PASSWORD}
    sheet = _sheet(client.post(f"{URL}?table={by}&export=xlsx", body))
    assert sheet[0] == [first, *HEADERS]
    assert [row[0] for row in sheet[1:]] == [str(row.label) for row in rows]
    for row, line in zip(rows, sheet[1:], strict=True):
        assert line[1] == ("✱" if row.projects is None else row.projects)
        for shown, cell in zip(row.survival, line[2:5], strict=True):
            assert cell == ("✱" if shown.share is None else f"{shown.share}% ({shown.projects})")
    table = _csv(client.post(f"{URL}?table={by}&export=csv", body))
    assert [row[:2] for row in table] == [[str(c) for c in row[:2]] for row in sheet]

    codes = [*Enrolment.objects.values_list("code", flat=True)]
    codes += [*Enrolment.objects.values_list("case__survivor__code", flat=True)]
    assert not any(code in str(sheet) + str(table) for code in codes)
    assert [(e.object_code, e.purpose) for e in _exports()] == [
        (f"empowerment-outcomes-{by}", "statistics"),
        (f"empowerment-outcomes-{by}", "statistics"),
    ]


def test_the_governorate_table_withholds_the_small_cells_the_page_withholds(
    personas: dict[str, User], login: Callable[[User], Client]
) -> None:
    client = login(personas["analyst"])
    body = {"purpose": "statistics", "password": PASSWORD}
    sheet = _sheet(client.post(f"{URL}?table=governorate&export=xlsx", body))
    assert any("✱" in row for row in sheet[1:])
    assert "83.3% (6)" in str(_sheet(client.post(f"{URL}?table=sex&export=xlsx", body)))


@pytest.mark.parametrize("role", ["case_worker", "fund_officer", "partner_staff"])
def test_a_role_that_may_not_see_the_outcomes_gets_no_export_and_no_audit_row(
    role: str, personas: dict[str, User], login: Callable[[User], Client]
) -> None:
    client = login(personas[role])
    before = AuditEvent.objects.count()
    for fmt in ("xlsx", "csv"):
        response = client.post(
            f"{URL}?table=sex&export={fmt}", {"purpose": "statistics", "password": PASSWORD}
        )
        assert response.status_code == 403
    assert AuditEvent.objects.count() == before


def test_an_outcomes_export_without_a_purpose_is_refused_and_writes_nothing(
    personas: dict[str, User], login: Callable[[User], Client]
) -> None:
    client = login(personas["analyst"])
    before = AuditEvent.objects.count()
    refused = client.post(f"{URL}?table=programme&export=csv", {"password": PASSWORD})
    assert refused.status_code == 400
    assert refused["Content-Type"].startswith("text/html")
    assert AuditEvent.objects.count() == before
