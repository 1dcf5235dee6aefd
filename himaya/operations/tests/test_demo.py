from collections.abc import Callable

import pytest

from himaya.accounts.models import User
from himaya.agencies.models import AgencyKind, Role
from himaya.agencies.tests.factories import AgencyFactory
from himaya.operations import demo
from himaya.operations.models import (
    Alert,
    Incident,
    IncidentTask,
    Intake,
    OnCallEntry,
    SituationReport,
)

pytestmark = pytest.mark.django_db


def test_the_demo_is_loaded_once_however_often_it_runs(
    make_persona: Callable[..., User],
) -> None:
    make_persona(Role.OPERATOR, username="operator")
    make_persona(Role.SUPERVISOR, username="supervisor")
    make_persona(Role.ANALYST, username="analyst")
    AgencyFactory(kind=AgencyKind.POLICE, name_en=demo.POLICE)
    demo.seed()
    demo.seed()
    assert (Intake.objects.count(), Incident.objects.count(), IncidentTask.objects.count()) == (
        2,
        1,
        1,
    )
    assert OnCallEntry.objects.count() == 2
    assert Alert.objects.filter(rule="emergency_report").count() == 1
    assert SituationReport.objects.count() == 1
