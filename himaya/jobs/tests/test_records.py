"""What a run keeps: no argument values, a trimmed error, and not forever."""

from datetime import UTC, date, datetime, timedelta

import pytest

from himaya.jobs.actions import (
    error_text,
    prune_runs,
    record_outcome,
    record_started,
    run_once_per_day,
    summarise_arguments,
)
from himaya.jobs.models import ERROR_TEXT_LENGTH, JobDay, JobRun, RunStatus


def test_the_arguments_are_summarised_without_their_values() -> None:
    summary = summarise_arguments(("فاطمة محمد", "SV-7K3M-9QXP-R"), {"phone": "01001234567"})
    assert summary == "2 positional; keywords: phone"


def test_an_error_keeps_its_class_and_the_start_of_its_message() -> None:
    assert error_text(ValueError("x" * 5000)) == ("ValueError: " + "x" * 5000)[:ERROR_TEXT_LENGTH]
    assert error_text(KeyError()) == "KeyError"


@pytest.mark.django_db
def test_each_attempt_of_a_task_counts_on_one_run() -> None:
    for _attempt in range(3):
        record_started(task_id="a", task_name="job", args_summary="", retries_left=1)
    record_outcome(task_id="a", task_name="job", status=RunStatus.OK, retries_left=0)
    assert list(JobRun.objects.values_list("task_id", "attempts", "status")) == [
        ("a", 3, RunStatus.OK)
    ]


@pytest.mark.django_db
def test_a_day_is_done_once_and_a_failed_attempt_leaves_it_to_do() -> None:
    done: list[int] = []

    def fail() -> None:
        raise RuntimeError("down")

    with pytest.raises(RuntimeError):
        run_once_per_day(task_name="job", day=date(2026, 11, 28), work=fail)
    assert JobDay.objects.count() == 0
    assert run_once_per_day(task_name="job", day=date(2026, 11, 28), work=lambda: done.append(1))
    assert not run_once_per_day(
        task_name="job", day=date(2026, 11, 28), work=lambda: done.append(2)
    )
    assert run_once_per_day(task_name="other", day=date(2026, 11, 28), work=lambda: done.append(3))
    assert done == [1, 3]


@pytest.mark.django_db
def test_old_successes_are_pruned_after_two_weeks_and_failures_after_a_year() -> None:
    now = datetime(2026, 11, 29, 1, 0, tzinfo=UTC)
    for task_id, status, age in [
        ("ok-new", RunStatus.OK, 13),
        ("ok-old", RunStatus.OK, 15),
        ("failed-new", RunStatus.FAILED, 300),
        ("failed-old", RunStatus.FAILED, 366),
    ]:
        JobRun.objects.create(
            task_id=task_id, task_name="job", status=status, started_at=now - timedelta(days=age)
        )
    assert prune_runs(now=now) == 2
    assert sorted(JobRun.objects.values_list("task_id", flat=True)) == ["failed-new", "ok-new"]
