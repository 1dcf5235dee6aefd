"""Spreadsheets in, by the task queue: an upload is checked and imported in the background,
its page follows the progress, a run that dies is taken up where it stopped, a run that
always fails is stopped, an import over the hourly allowance waits and goes on, and a
checked upload never confirmed has its file deleted."""

import datetime
from collections.abc import Callable, Iterator
from typing import Any

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client, override_settings
from django.urls import reverse
from django.utils import timezone, translation

from himaya.accounts.models import User
from himaya.agencies.models import Agency
from himaya.audit.models import AuditEvent
from himaya.cases.models import Case
from himaya.exchange import sheet_actions
from himaya.exchange.sheet_actions import (
    MAX_ATTEMPTS,
    confirm_sheet_import,
    import_rows,
    preview_sheet,
    sweep_sheet_imports,
    upload_sheet,
    work_on,
)
from himaya.exchange.sheet_models import SheetImport, SheetRow
from himaya.exchange.tests.test_sheets import good, outcomes, workbook
from himaya.survivors.models import Survivor

pytestmark = pytest.mark.django_db

START = datetime.datetime(2026, 6, 15, 9, 0, tzinfo=datetime.UTC)


@pytest.fixture(autouse=True)
def clock() -> Iterator[Any]:
    with (
        time_machine.travel(START, tick=False) as traveller,
        translation.override("en"),
    ):
        yield traveller


def three_rows() -> bytes:
    """Three good rows of three different people (no document, so no shared number)."""
    return workbook(
        good(),
        good(
            reference="A-2", name_ar="منى علي", name_latin="", document_number="", document_kind=""
        ),
        good(
            reference="A-3", name_ar="هدى سعيد", name_latin="", document_number="", document_kind=""
        ),
    )


def confirmed(by: User, agency: Agency, content: bytes) -> SheetImport:
    """A checked upload whose import was confirmed, its work not yet run."""
    batch = preview_sheet(by=by, agency=agency, file_name="a.xlsx", content=content)
    return confirm_sheet_import(batch=batch, by=by, queue=False)


def test_the_page_keeps_the_upload_and_the_queue_checks_it_after_the_commit(
    case_worker: User,
    agency_a: Agency,
    login_english: Callable[[User], Client],
    django_capture_on_commit_callbacks: Any,
) -> None:
    client = login_english(case_worker)
    with django_capture_on_commit_callbacks(execute=False) as queued:
        page = client.post(
            reverse("exchange_sheets:upload"),
            {"agency": agency_a.pk, "file": SimpleUploadedFile("a.xlsx", three_rows())},
        )
    batch = SheetImport.objects.get()
    assert page.status_code == 302
    assert (batch.status, batch.rows_read, batch.rows_done, batch.report) == ("checking", 3, 0, [])
    detail = client.get(reverse("exchange_sheets:detail", kwargs={"code": batch.code}))
    text = detail.content.decode()
    assert 'data-testid="sheet-progress" data-status="checking"' in text
    assert "Checking the rows: 0 of 3." in text
    assert 'data-testid="sheet-report"' not in text
    assert len(queued) == 1
    queued[0]()
    batch.refresh_from_db()
    assert (batch.status, batch.rows_done, batch.rows_ready) == ("previewed", 3, 3)
    assert outcomes(batch) == {4: "ready", 5: "ready", 6: "ready"}
    assert Survivor.objects.count() == 0


def test_the_progress_answer_shows_the_rows_done_then_reloads_the_page_when_done(
    case_worker: User, agency_a: Agency, login_english: Callable[[User], Client]
) -> None:
    batch = confirmed(case_worker, agency_a, three_rows())
    SheetImport.objects.filter(pk=batch.pk).update(rows_done=2)
    client = login_english(case_worker)
    url = reverse("exchange_sheets:progress", kwargs={"code": batch.code})
    working = client.get(url, headers={"HX-Request": "true"})
    assert working.status_code == 200
    assert "Importing the rows: 2 of 3." in working.content.decode()
    assert 'value="66"' in working.content.decode()
    assert "HX-Refresh" not in working.headers
    work_on(batch.pk)
    done = client.get(url, headers={"HX-Request": "true"})
    assert (done.status_code, done.headers["HX-Refresh"]) == (200, "true")
    assert Case.objects.count() == 3


def test_another_agencys_importer_cannot_follow_the_progress(
    case_worker: User, personas: dict[str, User], agency_a: Agency, login: Callable[[User], Client]
) -> None:
    batch = confirmed(case_worker, agency_a, three_rows())
    url = reverse("exchange_sheets:progress", kwargs={"code": batch.code})
    assert login(personas["outsider"]).get(url).status_code == 404
    assert login(personas["analyst"]).get(url).status_code == 403


def test_an_import_that_died_half_way_goes_on_where_it_stopped(
    case_worker: User, agency_a: Agency, monkeypatch: pytest.MonkeyPatch
) -> None:
    batch = confirmed(case_worker, agency_a, three_rows())
    real = sheet_actions._import_row
    calls = {"n": 0}

    def dies_at_the_second_row(check: Any, **kwargs: Any) -> Any:
        calls["n"] += 1
        if calls["n"] == 2:
            raise SystemExit("the worker was killed")
        return real(check, **kwargs)

    monkeypatch.setattr(sheet_actions, "_import_row", dies_at_the_second_row)
    with pytest.raises(SystemExit):
        import_rows(batch.pk)
    batch.refresh_from_db()
    assert (batch.status, batch.attempts, SheetRow.objects.count()) == ("importing", 1, 1)
    monkeypatch.setattr(sheet_actions, "_import_row", real)
    import_rows(batch.pk)
    batch.refresh_from_db()
    assert batch.status == "imported"
    assert outcomes(batch) == {4: "imported", 5: "imported", 6: "imported"}
    assert (Survivor.objects.count(), Case.objects.count(), SheetRow.objects.count()) == (3, 3, 3)
    assert batch.content == ""


def test_work_that_fails_every_time_is_stopped_with_the_rows_it_made_listed(
    case_worker: User, agency_a: Agency, monkeypatch: pytest.MonkeyPatch
) -> None:
    batch = confirmed(case_worker, agency_a, three_rows())
    real = sheet_actions._import_row

    def fails_after_the_first_row(check: Any, **kwargs: Any) -> Any:
        if check.row.line > 4:
            raise RuntimeError("the database went away")
        return real(check, **kwargs)

    monkeypatch.setattr(sheet_actions, "_import_row", fails_after_the_first_row)
    for _run in range(MAX_ATTEMPTS):
        with pytest.raises(RuntimeError):
            import_rows(batch.pk)
    assert import_rows(batch.pk) is None
    batch.refresh_from_db()
    assert (batch.status, batch.content, batch.rows_read, batch.rows_imported) == (
        "failed",
        "",
        3,
        1,
    )
    assert outcomes(batch) == {4: "imported"}
    assert (
        AuditEvent.objects.filter(action="exchange.sheet_failed", object_code=batch.code).count()
        == 1
    )
    assert Case.objects.count() == 1


@override_settings(DUPLICATE_CHECKS_PER_HOUR=2)
def test_over_the_hourly_allowance_the_queued_import_waits_then_goes_on_by_itself(
    case_worker: User,
    agency_a: Agency,
    clock: Any,
    login_english: Callable[[User], Client],
) -> None:
    batch = confirmed(case_worker, agency_a, three_rows())
    import_rows(batch.pk)
    batch.refresh_from_db()
    assert (batch.status, batch.rows_done, SheetRow.objects.count()) == ("importing", 2, 2)
    assert batch.progress_at == START + sheet_actions.RESUME_AFTER
    page = login_english(case_worker).get(
        reverse("exchange_sheets:detail", kwargs={"code": batch.code})
    )
    at = timezone.localtime(START + sheet_actions.RESUME_AFTER).strftime("%H:%M")
    assert f"the import goes on by itself at {at}." in page.content.decode()
    # The sweep leaves a waiting import alone.
    assert sweep_sheet_imports(now=START + datetime.timedelta(minutes=5)) == ([], 0)
    clock.shift(datetime.timedelta(hours=1, minutes=1))
    work_on(batch.pk)
    batch.refresh_from_db()
    assert batch.status == "imported"
    assert outcomes(batch) == {4: "imported", 5: "imported", 6: "imported"}
    assert (batch.rows_imported, batch.rows_not_attempted, Case.objects.count()) == (3, 0, 3)


def test_the_sweep_queues_again_work_that_stopped_moving_and_only_that(
    case_worker: User, agency_a: Agency, clock: Any
) -> None:
    stalled = confirmed(case_worker, agency_a, three_rows())
    moving = upload_sheet(
        by=case_worker, agency=agency_a, file_name="b.xlsx", content=three_rows(), queue=False
    )
    SheetImport.objects.filter(pk=stalled.pk).update(
        progress_at=START - datetime.timedelta(minutes=11)
    )
    SheetImport.objects.filter(pk=moving.pk).update(
        progress_at=START - datetime.timedelta(minutes=9)
    )
    queued, expired = sweep_sheet_imports()
    assert (queued, expired) == ([stalled.pk], 0)
    stalled.refresh_from_db()
    moving.refresh_from_db()
    # The queue runs at once in the tests: the stalled import is done.
    assert (stalled.status, moving.status, Case.objects.count()) == ("imported", "checking", 3)


def test_a_checked_upload_never_confirmed_has_its_file_deleted_after_the_days_kept(
    case_worker: User, agency_a: Agency, clock: Any, login_english: Callable[[User], Client]
) -> None:
    old = preview_sheet(by=case_worker, agency=agency_a, file_name="a.xlsx", content=three_rows())
    clock.shift(datetime.timedelta(days=6))
    recent = preview_sheet(
        by=case_worker, agency=agency_a, file_name="b.xlsx", content=three_rows()
    )
    clock.shift(datetime.timedelta(days=1, minutes=1))
    assert sweep_sheet_imports() == ([], 1)
    old.refresh_from_db()
    recent.refresh_from_db()
    assert (old.status, old.content) == ("expired", "")
    assert recent.status == "previewed" and recent.content != ""
    assert AuditEvent.objects.filter(action="exchange.sheet_expired").count() == 1
    client = login_english(case_worker)
    page = client.get(reverse("exchange_sheets:detail", kwargs={"code": old.code}))
    assert "its file was deleted" in page.content.decode()
    assert 'data-testid="sheet-confirm"' not in page.content.decode()
    refused = client.post(reverse("exchange_sheets:api_confirm", kwargs={"code": old.code}))
    assert refused.status_code == 409
    old.refresh_from_db()
    assert (old.status, Survivor.objects.count()) == ("expired", 0)


def test_an_upload_still_being_checked_cannot_be_confirmed(
    case_worker: User, agency_a: Agency, login: Callable[[User], Client]
) -> None:
    batch = upload_sheet(
        by=case_worker, agency=agency_a, file_name="a.xlsx", content=three_rows(), queue=False
    )
    answer = login(case_worker).post(
        reverse("exchange_sheets:api_confirm", kwargs={"code": batch.code})
    )
    assert answer.status_code == 409
    batch.refresh_from_db()
    assert (batch.status, batch.imported_at, Survivor.objects.count()) == ("checking", None, 0)


def test_a_file_of_five_thousand_rows_is_within_the_limits_and_read_whole() -> None:
    rows = [
        good(reference=f"R-{n}", name_latin=f"Person {n}", document_number="", document_kind="")
        for n in range(5000)
    ]
    content = workbook(*rows)
    assert len(content) < sheet_actions.sheets.MAX_UPLOAD_BYTES
    read = sheet_actions.sheets.read_sheet(content)
    assert [row.line for row in (read[0], read[-1])] == [4, 5003]
    assert len(read) == 5000
