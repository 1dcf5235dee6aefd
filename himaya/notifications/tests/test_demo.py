import datetime
from collections.abc import Callable

import pytest
import time_machine

from himaya.accounts.models import User
from himaya.agencies.models import Role
from himaya.agencies.tests.factories import AgencyFactory
from himaya.empowerment.tests.factories import ProgrammeFactory, ProjectFactory
from himaya.notifications import demo
from himaya.notifications.models import Notification

pytestmark = pytest.mark.django_db


def test_the_demo_announces_what_falls_due_once_however_often_it_runs(
    make_persona: Callable[..., User],
) -> None:
    agency = AgencyFactory()
    make_persona(Role.EMPOWERMENT_OFFICER, agency, "officer")
    ProjectFactory(
        enrolment__programme=ProgrammeFactory(managing_agency=agency),
        started_on=datetime.date(2026, 2, 1),
    )
    with time_machine.travel(datetime.datetime(2026, 2, 27, 9, 0, tzinfo=datetime.UTC)):
        assert demo.seed() == "1 notifications created, 1 in the demo"
        assert demo.seed() == "0 notifications created, 1 in the demo"
    assert Notification.objects.get().event == "empowerment.visit_due"
