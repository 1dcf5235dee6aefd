"""The follow-up schedule in time: twelve visits, overdue the day after, rescheduling."""

from datetime import date
from decimal import Decimal

import pytest
import time_machine

from himaya.agencies.tests.factories import governorate
from himaya.core.locking import ConcurrentEditError
from himaya.empowerment import actions, selectors
from himaya.empowerment.models import ActivityType
from himaya.empowerment.tests.factories import EnrolmentFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def project(case_a, mastoura, officer):
    enrolment = EnrolmentFactory(programme=mastoura, case=case_a, status="enrolled")
    with time_machine.travel("2026-03-10 10:00+02:00", tick=False):
        return actions.start_project(
            enrolment=enrolment,
            activity_type=ActivityType.FOOD,
            started_on=date(2026, 3, 1),
            amount=Decimal("9000.00"),
            governorate=governorate("EG-C"),
            baseline_income=Decimal("350.00"),
            by=officer,
        )


def test_twelve_visits_are_planned_six_monthly_then_quarterly_to_two_years(project) -> None:
    assert list(project.visits.values_list("number", "due_on")) == [
        (1, date(2026, 4, 1)),
        (2, date(2026, 5, 1)),
        (3, date(2026, 6, 1)),
        (4, date(2026, 7, 1)),
        (5, date(2026, 8, 1)),
        (6, date(2026, 9, 1)),
        (7, date(2026, 12, 1)),
        (8, date(2027, 3, 1)),
        (9, date(2027, 6, 1)),
        (10, date(2027, 9, 1)),
        (11, date(2027, 12, 1)),
        (12, date(2028, 3, 1)),
    ]


def test_a_visit_is_not_overdue_on_its_due_date_but_is_the_day_after(project, officer) -> None:
    assert list(selectors.overdue_visits_for(officer, date(2026, 4, 1))) == []
    overdue = list(selectors.overdue_visits_for(officer, date(2026, 4, 2)))
    assert [visit.number for visit in overdue] == [1]


def test_the_overdue_visit_shows_in_the_officer_work_queue(project, officer, login) -> None:
    with time_machine.travel("2026-05-15 10:00+02:00", tick=False):
        response = login(officer).get("/empowerment/queue/")
    html = response.content.decode()
    assert response.status_code == 200
    assert html.count(f"{project.enrolment.code}/?visit=") == 2
    assert "1 إبريل 2026" in html and "1 مايو 2026" in html  # the day, in Arabic


def test_rescheduling_a_visit_moves_it_out_of_the_overdue_list(project, officer) -> None:
    visit = project.visits.get(number=1)
    with time_machine.travel("2026-04-05 10:00+02:00", tick=False):
        actions.reschedule_visit(
            visit=visit, due_on=date(2026, 4, 20), expected_version=1, by=officer
        )
    visit.refresh_from_db()
    assert (visit.due_on, visit.version) == (date(2026, 4, 20), 2)
    assert list(selectors.overdue_visits_for(officer, date(2026, 4, 5))) == []
    assert [v.number for v in selectors.overdue_visits_for(officer, date(2026, 4, 21))] == [1]


def test_a_stale_reschedule_is_refused_and_the_date_stays(project, officer) -> None:
    visit = project.visits.get(number=2)
    actions.reschedule_visit(visit=visit, due_on=date(2026, 5, 10), expected_version=1, by=officer)
    with pytest.raises(ConcurrentEditError):
        actions.reschedule_visit(
            visit=visit, due_on=date(2026, 6, 10), expected_version=1, by=officer
        )
    visit.refresh_from_db()
    assert (visit.due_on, visit.version) == (date(2026, 5, 10), 2)


def test_a_done_visit_is_never_overdue(project, officer) -> None:
    visit = project.visits.get(number=1)
    with time_machine.travel("2026-04-03 10:00+02:00", tick=False):
        actions.record_visit(
            visit=visit,
            done_on=date(2026, 4, 3),
            project_status="active",
            monthly_income=Decimal("600.00"),
            expected_version=1,
            by=officer,
        )
    assert list(selectors.overdue_visits_for(officer, date(2026, 4, 4))) == []
