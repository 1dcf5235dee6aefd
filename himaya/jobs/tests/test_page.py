"""The administrator sees the jobs' outcomes and failures; nobody else does."""

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.test import Client
from django.utils import timezone

from himaya.accounts.models import User
from himaya.agencies.models import Role
from himaya.jobs.actions import record_outcome, record_started
from himaya.jobs.models import JobRun, RunStatus
from himaya.monitoring.tasks import DAILY_INDICATORS, REFRESH_DIRTY_DAYS

pytestmark = pytest.mark.django_db

PAGE = "/jobs/"


def failed_run(task_id: str = "t-1") -> JobRun:
    record_started(task_id=task_id, task_name=DAILY_INDICATORS, args_summary="", retries_left=0)
    return record_outcome(
        task_id=task_id,
        task_name=DAILY_INDICATORS,
        status=RunStatus.FAILED,
        retries_left=0,
        error="RuntimeError: the indicator store is unavailable",
    )


@pytest.mark.parametrize("role", [role.value for role in Role])
def test_only_the_administrator_opens_the_jobs_page(
    role: str, personas: dict[str, User], login: Callable[[User], Client]
) -> None:
    failed_run()
    response = login(personas[role]).get(PAGE)
    if role == Role.ADMINISTRATOR:
        assert response.status_code == 200
        assert [run.task_id for run in response.context["failures"]] == ["t-1"]
    else:
        assert response.status_code == 403
        assert b"indicator store" not in response.content


def test_a_visitor_who_has_not_signed_in_is_sent_to_sign_in(client: Client) -> None:
    response = client.get(PAGE)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_the_page_shows_each_jobs_last_outcome_and_the_failures_with_their_error(
    make_persona: Callable[..., User], login: Callable[[User], Client]
) -> None:
    with time_machine.travel(datetime(2026, 11, 28, 23, 0, tzinfo=UTC), tick=False):
        failed_run("failed-1")
    with time_machine.travel(datetime(2026, 11, 28, 23, 1, tzinfo=UTC), tick=False):
        record_started(
            task_id="ok-1", task_name=REFRESH_DIRTY_DAYS, args_summary="", retries_left=3
        )
        record_outcome(
            task_id="ok-1", task_name=REFRESH_DIRTY_DAYS, status=RunStatus.OK, retries_left=3
        )
    client = login(make_persona(Role.ADMINISTRATOR))
    client.cookies["himaya_language"] = "en"
    response = client.get(PAGE)
    html = response.content.decode()
    states = {state.name: state for state in response.context["jobs"]}
    assert states[DAILY_INDICATORS].last_success is None
    assert states[DAILY_INDICATORS].last_failure == datetime(2026, 11, 28, 23, 0, tzinfo=UTC)
    assert states[REFRESH_DIRTY_DAYS].last_success == datetime(2026, 11, 28, 23, 1, tzinfo=UTC)
    assert [run.task_id for run in response.context["failures"]] == ["failed-1"]
    assert [run.task_id for run in response.context["runs"]] == ["ok-1", "failed-1"]
    assert "Daily indicators" in html
    assert "RuntimeError: the indicator store is unavailable" in html
    assert DAILY_INDICATORS not in html  # the job's code is never shown


def test_the_administrator_sees_the_failure_in_the_administration_site_read_only(
    make_persona: Callable[..., User], login: Callable[[User], Client]
) -> None:
    run = failed_run()
    client = login(make_persona(Role.ADMINISTRATOR))
    listing = client.get("/admin/jobs/jobrun/", {"status__exact": "failed"})
    assert listing.status_code == 200
    assert list(listing.context["cl"].result_list) == [run]
    detail = client.get(f"/admin/jobs/jobrun/{run.pk}/change/")
    assert detail.status_code == 200
    assert detail.context["has_change_permission"] is False
    assert client.get("/admin/jobs/jobrun/add/").status_code == 403
    assert client.post(f"/admin/jobs/jobrun/{run.pk}/delete/", {"post": "yes"}).status_code == 403
    assert JobRun.objects.filter(pk=run.pk, status=RunStatus.FAILED).exists()


def test_the_home_page_counts_the_jobs_that_failed_in_the_last_day(
    make_persona: Callable[..., User], login: Callable[[User], Client]
) -> None:
    failed_run("recent")
    old = failed_run("old")
    JobRun.objects.filter(pk=old.pk).update(started_at=timezone.now() - timedelta(days=2))
    client = login(make_persona(Role.ADMINISTRATOR))
    client.cookies["himaya_language"] = "en"
    html = client.get("/").content.decode()
    assert "1 background job failed in the last day" in html
