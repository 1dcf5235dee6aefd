"""A project's next follow-up visit is on the case's worklist, moved by each visit."""

from datetime import date
from decimal import Decimal

import pytest
import time_machine

from himaya.cases.models import CaseDeadline, DeadlineKind
from himaya.empowerment import actions
from himaya.empowerment.tests.test_schedule import project  # noqa: F401

pytestmark = pytest.mark.django_db


def open_visit_deadlines(project) -> list[tuple[str, str, date]]:  # noqa: F811
    return list(
        CaseDeadline.objects.filter(
            case=project.enrolment.case, kind=DeadlineKind.FOLLOW_UP_VISIT, done_at__isnull=True
        ).values_list("kind", "source_code", "due_on")
    )


def test_starting_a_project_puts_its_first_visit_on_the_worklist(project) -> None:  # noqa: F811
    assert open_visit_deadlines(project) == [
        (DeadlineKind.FOLLOW_UP_VISIT, project.code, date(2026, 4, 1))
    ]


def test_recording_a_visit_moves_the_deadline_to_the_next_visit(project, officer) -> None:  # noqa: F811
    with time_machine.travel("2026-04-03 10:00+02:00", tick=False):
        actions.record_visit(
            visit=project.visits.get(number=1),
            done_on=date(2026, 4, 3),
            project_status="active",
            monthly_income=Decimal("600.00"),
            expected_version=1,
            by=officer,
        )
    assert open_visit_deadlines(project) == [
        (DeadlineKind.FOLLOW_UP_VISIT, project.code, date(2026, 5, 1))
    ]


def test_a_visit_that_closes_the_project_clears_the_deadline(project, officer) -> None:  # noqa: F811
    with time_machine.travel("2026-04-03 10:00+02:00", tick=False):
        actions.record_visit(
            visit=project.visits.get(number=1),
            done_on=date(2026, 4, 3),
            project_status="closed",
            expected_version=1,
            by=officer,
        )
    assert open_visit_deadlines(project) == []


def test_rescheduling_a_visit_moves_the_deadline(project, officer) -> None:  # noqa: F811
    with time_machine.travel("2026-04-05 10:00+02:00", tick=False):
        actions.reschedule_visit(
            visit=project.visits.get(number=1),
            due_on=date(2026, 4, 20),
            expected_version=1,
            by=officer,
        )
    assert open_visit_deadlines(project) == [
        (DeadlineKind.FOLLOW_UP_VISIT, project.code, date(2026, 4, 20))
    ]
