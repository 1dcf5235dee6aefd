import datetime
from collections.abc import Iterator

import pytest
import time_machine

from himaya.accounts import demo as accounts_demo
from himaya.accounts.models import User
from himaya.agencies import demo as agencies_demo
from himaya.agencies.models import Agency
from himaya.cases import demo
from himaya.cases.models import TRANSITIONS, Case, Phase, PhaseChange
from himaya.services import demo as services_demo
from himaya.services.models import ServiceDelivery, ServiceFeedback
from himaya.survivors.tests.factories import SurvivorFactory
from himaya.timeline.models import CaseEvent

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def frozen_time() -> Iterator[None]:
    with time_machine.travel(datetime.datetime(2026, 6, 15, 9, 0, tzinfo=datetime.UTC), tick=False):
        yield


@pytest.fixture
def demo_survivors() -> None:
    agencies_demo.seed()
    accounts_demo.seed()
    for username, agency in (
        ("caseworker", agencies_demo.CAIRO_DIRECTORATE),
        ("caseworker.alex", agencies_demo.ALEXANDRIA_DIRECTORATE),
    ):
        SurvivorFactory.create_batch(
            20,
            registered_by=User.objects.get(username=username),
            registered_by_agency=Agency.objects.get(name_en=agency),
        )


def counts() -> tuple[int, ...]:
    return (
        Case.objects.count(),
        CaseEvent.objects.count(),
        PhaseChange.objects.count(),
        ServiceDelivery.objects.count(),
        ServiceFeedback.objects.count(),
    )


def test_demo_seeding_twice_creates_nothing_the_second_time(demo_survivors: None) -> None:
    demo.seed()
    services_demo.seed()
    first = counts()
    assert first[0] > 10
    demo.seed()
    services_demo.seed()
    assert counts() == first


def test_demo_phase_histories_follow_the_transition_table(demo_survivors: None) -> None:
    demo.seed()
    for change in PhaseChange.objects.exclude(from_phase=""):
        assert change.to_phase in TRANSITIONS[change.from_phase], change
    for case in Case.objects.filter(phase=Phase.CLOSED):
        assert case.closed_on is not None
        assert case.closure_reason
    assert all(case.first_contact_on >= datetime.date(2024, 6, 1) for case in Case.objects.all())


def test_every_demo_case_carries_its_identification_decisions(demo_survivors: None) -> None:
    from himaya.cases.models import CaseDeadline, DeadlineKind, IdentificationDecision

    demo.seed()
    cases = list(Case.objects.all())
    assert cases
    statuses = set()
    for case in cases:
        decisions = list(IdentificationDecision.objects.filter(case=case).order_by("id"))
        assert decisions[0].status == "possible"
        assert decisions[0].decided_on == case.identified_on
        assert case.identification_status == decisions[-1].status
        assert case.identification_decided_on == decisions[-1].decided_on
        waiting = CaseDeadline.objects.filter(
            case=case, kind=DeadlineKind.IDENTIFICATION, done_at__isnull=True
        ).exists()
        assert waiting == (case.identification_status == "possible")
        if case.identification_status == "identified":
            assert decisions[-1].decided_by.username == "supervisor"
        statuses.add(case.identification_status)
    assert statuses == {"possible", "identified"}


def test_the_demo_hands_one_case_over_and_names_platforms_in_a_few_once(
    demo_survivors: None,
) -> None:
    from himaya.cases.models import CasePlatform, CaseTransfer, TransferStatus
    from himaya.survivors.models import SurvivorAccess

    demo.seed()
    transfers = list(CaseTransfer.objects.select_related("case", "to_agency"))
    uses = CasePlatform.objects.count()
    demo.seed()

    assert [t.status for t in transfers] == [TransferStatus.ACCEPTED]
    transfer = transfers[0]
    assert transfer.case.lead_agency == transfer.to_agency
    assert transfer.to_agency.name_en == agencies_demo.ALEXANDRIA_DIRECTORATE
    assert transfer.case.case_worker.username == "caseworker.alex"
    assert set(
        SurvivorAccess.objects.filter(survivor=transfer.case.survivor).values_list(
            "agency", flat=True
        )
    ) == {transfer.to_agency_id}
    assert uses > 0
    assert (CaseTransfer.objects.count(), CasePlatform.objects.count()) == (1, uses)
