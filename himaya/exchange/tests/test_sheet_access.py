"""Spreadsheets in, pages and API: every role against every page and operation; a refusal
changes nothing."""

import datetime
from collections.abc import Callable, Iterator
from typing import Any

import pytest
import time_machine
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import translation

from himaya.accounts.models import User
from himaya.agencies.models import Agency, Role
from himaya.cases.models import Case
from himaya.exchange import sheet_views
from himaya.exchange.sheet_actions import preview_sheet
from himaya.exchange.sheet_models import SheetImport
from himaya.exchange.tests.test_sheets import good, workbook
from himaya.survivors.models import Survivor

pytestmark = pytest.mark.django_db

ROLES = [role.value for role in Role] + ["outsider"]
WORKERS = {Role.CASE_WORKER.value, Role.SUPERVISOR.value}


@pytest.fixture(autouse=True)
def frozen_time() -> Iterator[None]:
    with (
        time_machine.travel(datetime.datetime(2026, 6, 15, 9, 0, tzinfo=datetime.UTC), tick=False),
        translation.override("en"),
    ):
        yield


@pytest.fixture
def batch(personas: dict[str, User], agency_a: Agency) -> SheetImport:
    """A checked upload of agency A's case worker, awaiting import."""
    return preview_sheet(
        by=personas[Role.CASE_WORKER],
        agency=agency_a,
        file_name="june.xlsx",
        content=workbook(good()),
    )


def expect(allowed: set[str], *, outsider: int = 404, others: int = 403) -> dict[str, int]:
    return {
        role: 200 if role in allowed else outsider if role == "outsider" else others
        for role in ROLES
    }


OPEN_TO_IMPORTERS = expect(WORKERS | {"outsider"})
ONE_UPLOAD = expect(WORKERS)

READS: list[tuple[str, bool, dict[str, int]]] = [
    ("exchange_sheets:upload", False, OPEN_TO_IMPORTERS),
    ("exchange_sheets:template", False, OPEN_TO_IMPORTERS),
    ("exchange_sheets:detail", True, ONE_UPLOAD),
    ("exchange_sheets:progress", True, ONE_UPLOAD),
    ("exchange_sheets:api_template", False, OPEN_TO_IMPORTERS),
    ("exchange_sheets:api_detail", True, ONE_UPLOAD),
]


@pytest.mark.parametrize(("name", "by_code", "expected"), READS, ids=[r[0] for r in READS])
def test_every_role_gets_the_expected_status_on_each_page_and_api_read(
    personas: dict[str, User],
    batch: SheetImport,
    login: Callable[[User], Client],
    name: str,
    by_code: bool,
    expected: dict[str, int],
) -> None:
    url = reverse(name, kwargs={"code": batch.code} if by_code else None)
    got = {role: login(personas[role]).get(url).status_code for role in ROLES}
    assert got == expected


def test_the_upload_list_shows_only_the_uploads_of_the_users_agencies(
    personas: dict[str, User], batch: SheetImport, login: Callable[[User], Client]
) -> None:
    url = reverse("exchange_sheets:upload")
    assert batch.code in login(personas[Role.SUPERVISOR]).get(url).content.decode()
    assert batch.code not in login(personas["outsider"]).get(url).content.decode()


def _state(batch: SheetImport) -> tuple[object, ...]:
    batch.refresh_from_db()
    return (
        batch.status,
        batch.imported_at,
        SheetImport.objects.count(),
        Survivor.objects.count(),
        Case.objects.count(),
    )


CONFIRM_PAGE = {**expect(set()), Role.CASE_WORKER.value: 302, Role.SUPERVISOR.value: 302}
CONFIRM_API = {
    **expect(set()),
    Role.CASE_WORKER.value: 202,
    Role.SUPERVISOR.value: 403,
}


@pytest.mark.parametrize("role", ROLES)
def test_only_the_uploader_confirms_an_upload_and_a_refusal_changes_nothing(
    personas: dict[str, User],
    batch: SheetImport,
    login: Callable[[User], Client],
    role: str,
    django_capture_on_commit_callbacks: Any,
) -> None:
    before = _state(batch)
    client = login(personas[role])
    with django_capture_on_commit_callbacks(execute=True):
        page = client.post(reverse("exchange_sheets:confirm", kwargs={"code": batch.code}))
    assert page.status_code == CONFIRM_PAGE[role]
    if role == Role.CASE_WORKER.value:
        assert _state(batch)[0] == "imported"
        assert (Survivor.objects.count(), Case.objects.count()) == (1, 1)
        return
    assert _state(batch) == before
    api = client.post(reverse("exchange_sheets:api_confirm", kwargs={"code": batch.code}))
    assert api.status_code == CONFIRM_API[role]
    assert _state(batch) == before


def test_the_uploader_confirms_through_the_api_once(
    personas: dict[str, User],
    batch: SheetImport,
    login: Callable[[User], Client],
    django_capture_on_commit_callbacks: Any,
) -> None:
    client = login(personas[Role.CASE_WORKER])
    url = reverse("exchange_sheets:api_confirm", kwargs={"code": batch.code})
    with django_capture_on_commit_callbacks(execute=True):
        first = client.post(url)
    assert (first.status_code, first.json()["status"]) == (202, "importing")
    done = client.get(reverse("exchange_sheets:api_detail", kwargs={"code": batch.code})).json()
    assert done["status"] == "imported"
    assert [line["outcome"] for line in done["report"]] == ["imported"]
    second = client.post(url)
    assert second.status_code == 409
    assert (Survivor.objects.count(), Case.objects.count()) == (1, 1)


UPLOAD_PAGE = {
    **expect(set(), outsider=400),
    Role.CASE_WORKER.value: 302,
    Role.SUPERVISOR.value: 302,
}
UPLOAD_API = {
    **expect(set(), outsider=400),
    Role.CASE_WORKER.value: 202,
    Role.SUPERVISOR.value: 202,
}


@pytest.mark.parametrize("role", ROLES)
def test_every_role_uploading_for_agency_a_gets_the_expected_status(
    personas: dict[str, User],
    agency_a: Agency,
    login: Callable[[User], Client],
    role: str,
    django_capture_on_commit_callbacks: Any,
) -> None:
    client = login(personas[role])
    content = workbook(good())
    page = client.post(
        reverse("exchange_sheets:upload"),
        {"agency": agency_a.pk, "file": SimpleUploadedFile("a.xlsx", content)},
    )
    assert page.status_code == UPLOAD_PAGE[role]
    with django_capture_on_commit_callbacks(execute=True):
        api = client.post(
            reverse("exchange_sheets:api_upload"),
            {
                "agency": agency_a.code,
                "file": SimpleUploadedFile("a.xlsx", content),
                "import_rows": "true",
            },
        )
    assert api.status_code == UPLOAD_API[role]
    if role in WORKERS:
        assert SheetImport.objects.filter(agency=agency_a, uploaded_by=personas[role]).count() == 2
        assert (api.json()["status"], api.json()["rows_read"]) == ("checking", 1)
        done = SheetImport.objects.get(code=api.json()["code"])
        assert done.status == "imported"
        assert [line["outcome"] for line in done.report] == ["imported"]
        assert Case.objects.get().lead_agency == agency_a
    else:
        assert (SheetImport.objects.count(), Survivor.objects.count()) == (0, 0)


def test_an_upload_that_is_not_xlsx_is_refused_on_the_page_and_in_the_api(
    personas: dict[str, User], agency_a: Agency, login: Callable[[User], Client]
) -> None:
    client = login(personas[Role.CASE_WORKER])
    arabic = client.post(
        reverse("exchange_sheets:upload"),
        {"agency": agency_a.pk, "file": SimpleUploadedFile("a.xlsx", b"name,sex\n")},
    )
    assert arabic.status_code == 400
    assert "هذا ليس ملف XLSX" in arabic.content.decode()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    page = client.post(
        reverse("exchange_sheets:upload"),
        {"agency": agency_a.pk, "file": SimpleUploadedFile("a.xlsx", b"name,sex\n")},
    )
    assert page.status_code == 400
    assert "This is not an XLSX file" in page.content.decode()
    api = client.post(
        reverse("exchange_sheets:api_upload"),
        {"file": SimpleUploadedFile("a.xlsx", b"name,sex\n")},
    )
    assert api.status_code == 400
    assert api.json()["errors"]["file"] == [
        "This is not an XLSX file: save it as an Excel workbook (.xlsx) and try again."
    ]
    assert SheetImport.objects.count() == 0


def test_the_report_page_shows_each_line_with_its_outcome_and_reason(
    personas: dict[str, User], agency_a: Agency, login: Callable[[User], Client]
) -> None:
    batch = preview_sheet(
        by=personas[Role.CASE_WORKER],
        agency=agency_a,
        file_name="a.xlsx",
        content=workbook(good(), good(reference="A-2", sex="")),
    )
    page = login(personas[Role.CASE_WORKER]).get(
        reverse("exchange_sheets:detail", kwargs={"code": batch.code})
    )
    text = page.content.decode()
    assert 'data-line="4" data-outcome="ready"' in text
    assert 'data-line="5" data-outcome="refused"' in text
    assert "Sex: This field is required." in text
    assert 'data-testid="sheet-confirm"' in text


def test_the_report_shows_the_lines_of_one_outcome_and_says_how_many_more_there_are(
    personas: dict[str, User],
    agency_a: Agency,
    login: Callable[[User], Client],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    batch = preview_sheet(
        by=personas[Role.CASE_WORKER],
        agency=agency_a,
        file_name="a.xlsx",
        content=workbook(good(), good(reference="A-2", sex=""), good(reference="A-3", sex="")),
    )
    client = login(personas[Role.CASE_WORKER])
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    url = reverse("exchange_sheets:detail", kwargs={"code": batch.code})
    text = client.get(url).content.decode()
    assert "All lines (3)" in text and "Ready to import (1)" in text and "Refused (2)" in text
    refused = client.get(f"{url}?outcome=refused").content.decode()
    assert 'data-outcome="refused"' in refused and 'data-outcome="ready"' not in refused
    unknown = client.get(f"{url}?outcome=%3Cscript%3E").content.decode()
    assert unknown.count("data-line=") == 3
    monkeypatch.setattr(sheet_views, "REPORT_LINES", 1)
    cut = client.get(url).content.decode()
    assert cut.count("data-line=") == 1
    assert "2 more lines are not shown: choose an outcome above." in cut
