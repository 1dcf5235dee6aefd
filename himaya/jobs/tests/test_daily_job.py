"""The daily indicators run once per day at 01:00 Cairo time, on the SQLite queue of one
machine and on the Redis queue of the national deployment; a failure is retried three
times a minute apart and recorded for the administrator."""

from datetime import UTC, date, datetime

import pytest
import time_machine

from himaya.jobs.models import JobDay, JobRun, RunStatus
from himaya.jobs.schedule import local_crontab
from himaya.jobs.tests.conftest import Indicators, drive
from himaya.monitoring.tasks import DAILY_INDICATORS, compute_daily_indicators

QUEUES = [
    pytest.param("sqlite_queue", id="sqlite"),
    pytest.param("redis_queue", id="redis", marks=pytest.mark.redis),
]
# 01:00 in Cairo on 29 November 2026 (winter time, UTC+2).
ONE_IN_THE_MORNING = datetime(2026, 11, 28, 23, 0, tzinfo=UTC)


def daily_runs() -> list[tuple[str, int]]:
    return [
        (run.status, run.attempts)
        for run in JobRun.objects.filter(task_name=DAILY_INDICATORS).order_by("id")
    ]


@pytest.mark.parametrize(
    ("utc", "due"),
    [
        pytest.param(datetime(2026, 11, 28, 23, 0), True, id="winter-01:00-cairo"),
        pytest.param(datetime(2026, 11, 28, 22, 59), False, id="winter-00:59-cairo"),
        pytest.param(datetime(2026, 11, 29, 1, 0), False, id="winter-01:00-utc"),
        pytest.param(datetime(2026, 7, 14, 22, 0), True, id="summer-01:00-cairo"),
        pytest.param(datetime(2026, 7, 14, 23, 0), False, id="summer-02:00-cairo"),
    ],
)
def test_the_daily_schedule_reads_one_in_the_morning_on_cairos_clock(
    utc: datetime, due: bool
) -> None:
    assert local_crontab(minute="0", hour="1")(utc) is due


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("queue", QUEUES)
def test_the_daily_job_computes_yesterday_once_however_often_it_runs(
    queue: str, request: pytest.FixtureRequest, indicators: Indicators
) -> None:
    huey = request.getfixturevalue(queue)
    with time_machine.travel(ONE_IN_THE_MORNING, tick=False) as clock:
        drive(huey)
        assert indicators.computed == [(date(2026, 11, 28), date(2026, 11, 28))]

        # A second consumer enqueues the job in the same minute: it does nothing more.
        drive(huey)
        assert indicators.computed == [(date(2026, 11, 28), date(2026, 11, 28))]
        # Other apps' nightly jobs keep their own days; this job's are its own.
        assert list(
            JobDay.objects.filter(task_name=DAILY_INDICATORS).values_list("task_name", "day")
        ) == [(DAILY_INDICATORS, date(2026, 11, 28))]
        assert daily_runs() == [(RunStatus.OK, 1), (RunStatus.OK, 1)]

        # Later that night the job is not due; the next night it computes the next day.
        clock.shift(3600)
        drive(huey)
        assert len(indicators.computed) == 1
        clock.move_to(datetime(2026, 11, 29, 23, 0, tzinfo=UTC))
        drive(huey)
    assert indicators.computed == [
        (date(2026, 11, 28), date(2026, 11, 28)),
        (date(2026, 11, 29), date(2026, 11, 29)),
    ]
    assert JobDay.objects.filter(task_name=DAILY_INDICATORS).count() == 2


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("queue", QUEUES)
def test_a_failing_daily_job_is_retried_three_times_a_minute_apart_then_recorded_as_failed(
    queue: str, request: pytest.FixtureRequest, indicators: Indicators
) -> None:
    huey = request.getfixturevalue(queue)
    indicators.failures_left = 10
    with time_machine.travel(ONE_IN_THE_MORNING, tick=False) as clock:
        drive(huey)
        assert daily_runs() == [(RunStatus.RETRYING, 1)]
        clock.shift(30)
        drive(huey, periodic=False)  # the retry waits its minute
        assert daily_runs() == [(RunStatus.RETRYING, 1)]
        for attempt in (2, 3):
            clock.shift(31 if attempt == 2 else 61)
            drive(huey, periodic=False)
            assert daily_runs() == [(RunStatus.RETRYING, attempt)]
        clock.shift(61)
        drive(huey, periodic=False)
        clock.shift(61)
        assert drive(huey, periodic=False) == 0  # nothing is left to retry
    assert daily_runs() == [(RunStatus.FAILED, 4)]
    run = JobRun.objects.get(task_name=DAILY_INDICATORS)
    assert run.retries_left == 0
    assert run.error == "RuntimeError: the indicator store is unavailable"
    assert run.finished_at == datetime(2026, 11, 28, 23, 3, 3, tzinfo=UTC)
    # The failed day is not claimed: a later run still computes it.
    assert indicators.computed == []
    assert JobDay.objects.count() == 0


@pytest.mark.django_db(transaction=True)
def test_a_retry_after_a_failure_computes_the_day_and_keeps_the_first_error(
    sqlite_queue: object, indicators: Indicators
) -> None:
    indicators.failures_left = 1
    with time_machine.travel(ONE_IN_THE_MORNING, tick=False) as clock:
        drive(sqlite_queue)
        clock.shift(61)
        drive(sqlite_queue, periodic=False)
    assert daily_runs() == [(RunStatus.OK, 2)]
    assert JobRun.objects.get(task_name=DAILY_INDICATORS).error == (
        "RuntimeError: the indicator store is unavailable"
    )
    assert indicators.computed == [(date(2026, 11, 28), date(2026, 11, 28))]
    assert JobDay.objects.count() == 1


@pytest.mark.django_db
def test_in_immediate_mode_calling_the_task_runs_it_at_once_and_records_it(
    indicators: Indicators,
) -> None:
    with time_machine.travel(datetime(2026, 3, 2, 8, 0, tzinfo=UTC), tick=False):
        compute_daily_indicators()
        compute_daily_indicators()
    assert indicators.computed == [(date(2026, 3, 1), date(2026, 3, 1))]
    assert daily_runs() == [(RunStatus.OK, 1), (RunStatus.OK, 1)]


@pytest.mark.django_db
def test_the_daily_job_runs_the_monitoring_indicators_of_yesterday_once(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from himaya.monitoring import actions

    asked: list[tuple[date, date]] = []
    real = actions.compute_indicators

    def spy(*, start: date, end: date, codes: list[str] | None = None) -> int:
        asked.append((start, end))
        return real(start=start, end=end, codes=codes)

    monkeypatch.setattr(actions, "compute_indicators", spy)
    with time_machine.travel(ONE_IN_THE_MORNING, tick=False):
        compute_daily_indicators()
        compute_daily_indicators()
    assert asked == [(date(2026, 11, 28), date(2026, 11, 28))]
    assert daily_runs() == [(RunStatus.OK, 1), (RunStatus.OK, 1)]
