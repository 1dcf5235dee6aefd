"""Real concurrency on PostgreSQL: two people acting on the same record at the same time."""

import threading
from datetime import date

import pytest
import time_machine
from django.db import connection

from himaya.empowerment import actions
from himaya.empowerment.exceptions import EmpowermentError
from himaya.empowerment.models import Enrolment, HouseholdRole
from himaya.empowerment.tests.factories import ProjectFactory

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL"),
]


@pytest.fixture(autouse=True)
def governorates(transactional_db: None) -> None:
    """Transactional tests empty the tables: put back the governorates the factories use."""
    from himaya.agencies.models import Governorate

    Governorate.objects.get_or_create(
        code="EG-C", defaults={"name_ar": "القاهرة", "name_en": "Cairo"}
    )
    Governorate.objects.get_or_create(
        code="EG-ALX", defaults={"name_ar": "الإسكندرية", "name_en": "Alexandria"}
    )


def run_together(*calls):
    barrier = threading.Barrier(len(calls))
    outcomes: list[object] = []

    def run(call):
        from django.db import connection as thread_connection

        barrier.wait()
        try:
            outcomes.append(call())
        except Exception as error:
            outcomes.append(error)
        finally:
            thread_connection.close()

    threads = [threading.Thread(target=run, args=(call,)) for call in calls]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return outcomes


def test_two_simultaneous_referrals_to_the_same_programme_make_one_enrolment(
    case_a, mastoura, case_worker, supervisor
) -> None:
    def refer(user):
        return lambda: actions.refer_survivor(
            case=case_a, programme=mastoura, household_role=HouseholdRole.HEAD, by=user
        )

    outcomes = run_together(refer(case_worker), refer(supervisor))
    assert Enrolment.objects.count() == 1
    assert sum(isinstance(o, Enrolment) for o in outcomes) == 1
    assert sum(isinstance(o, EmpowermentError) for o in outcomes) == 1


def test_two_officers_recording_the_same_visit_record_it_once(
    case_a, mastoura, officer, make_persona, officer_agency
) -> None:
    colleague = make_persona("empowerment_officer", officer_agency, "colleague")
    project = ProjectFactory(
        enrolment__programme=mastoura, enrolment__case=case_a, started_on=date(2025, 1, 1)
    )
    visit = project.visits.get(number=1)

    def record(user, status):
        def go():
            with time_machine.travel("2026-03-10 10:00+02:00", tick=False):
                return actions.record_visit(
                    visit=visit,
                    done_on=date(2025, 2, 1),
                    project_status=status,
                    expected_version=1,
                    by=user,
                )

        return go

    outcomes = run_together(record(officer, "active"), record(colleague, "struggling"))
    visit.refresh_from_db()
    assert visit.version == 2
    assert sum(not isinstance(o, Exception) for o in outcomes) == 1
    assert project.visits.filter(done_on__isnull=False).count() == 1
