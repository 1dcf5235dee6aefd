"""Transfer of a case to another agency: the rules, the access before and after, the pages
and the API."""

import datetime
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest
import time_machine
from django.test import Client
from django.urls import reverse
from django.utils import translation

from himaya.accounts.models import User
from himaya.agencies.models import Agency, AgencyKind, Role
from himaya.agencies.tests.factories import AgencyFactory, governorate
from himaya.audit.models import AuditEvent
from himaya.cases import actions, selectors
from himaya.cases.exceptions import CaseConflict, CaseError, CaseForbidden
from himaya.cases.models import Case, CaseTransfer, Phase, TransferStatus
from himaya.cases.tests.factories import (
    CarePlanFactory,
    CarePlanGoalFactory,
    CaseFactory,
    RiskAssessmentFactory,
)
from himaya.core.errors import Conflict
from himaya.core.locking import ConcurrentEditError
from himaya.survivors.models import (
    BestInterestsAssessment,
    BestInterestsRecommendation,
    Consent,
    ConsentPurpose,
    SurvivorAccess,
)
from himaya.survivors.selectors import survivors_visible_to
from himaya.survivors.tests.factories import ConsentFactory, SurvivorFactory
from himaya.timeline.models import EventKind

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2026, 6, 15)


@pytest.fixture(autouse=True)
def frozen_time() -> Iterator[None]:
    with time_machine.travel(datetime.datetime(2026, 6, 15, 9, 0, tzinfo=datetime.UTC), tick=False):
        yield


@dataclass
class World:
    case: Case
    sender: Agency
    receiver: Agency
    users: dict[str, User]
    consent: Consent


# Personas of the access matrix: the sending agency A, the receiving agency B, a third
# agency C (each a case worker and a supervisor), and one user of each other role.
CASE_PERSONAS = ["a_worker", "a_supervisor", "b_worker", "b_supervisor", "c_worker", "c_supervisor"]
OTHER_ROLES = [role.value for role in Role if role not in {Role.CASE_WORKER, Role.SUPERVISOR}]
PERSONAS = CASE_PERSONAS + OTHER_ROLES


@pytest.fixture
def world(make_persona: Callable[..., User], agency_a: Agency, agency_b: Agency) -> World:
    agency_c = AgencyFactory(name_en="Agency C", name_ar="الجهة ج", governorate=governorate("EG-C"))
    users = {
        "a_worker": make_persona(Role.CASE_WORKER, agency_a, "a_worker"),
        "a_supervisor": make_persona(Role.SUPERVISOR, agency_a, "a_supervisor"),
        "b_worker": make_persona(Role.CASE_WORKER, agency_b, "b_worker"),
        "b_supervisor": make_persona(Role.SUPERVISOR, agency_b, "b_supervisor"),
        "c_worker": make_persona(Role.CASE_WORKER, agency_c, "c_worker"),
        "c_supervisor": make_persona(Role.SUPERVISOR, agency_c, "c_supervisor"),
    }
    for role in OTHER_ROLES:
        users[role] = make_persona(role)
    case = CaseFactory(
        lead_agency=agency_a,
        case_worker=users["a_worker"],
        survivor=SurvivorFactory(registered_by_agency=agency_a, birth_year=1999),
    )
    consent = ConsentFactory(
        survivor=case.survivor,
        purpose=ConsentPurpose.REFERRAL,
        recipient=agency_b,
        given_on=datetime.date(2026, 6, 1),
    )
    return World(case, agency_a, agency_b, users, consent)


def propose(world: World, **kwargs: Any) -> CaseTransfer:
    return actions.propose_case_transfer(
        case=world.case,
        to_agency=kwargs.pop("to_agency", world.receiver),
        reason=kwargs.pop("reason", "انتقلت الناجية للإقامة في الإسكندرية"),
        by=kwargs.pop("by", world.users["a_supervisor"]),
        **kwargs,
    )


def case_state(case: Case) -> tuple[Any, ...]:
    case.refresh_from_db()
    return (
        case.lead_agency_id,
        case.case_worker_id,
        case.phase,
        case.version,
        case.events.count(),
        set(SurvivorAccess.objects.filter(survivor=case.survivor).values_list("agency", flat=True)),
    )


# --- proposing -------------------------------------------------------------------------------


def test_proposing_a_transfer_records_it_on_the_consent_with_a_timeline_line_and_an_audit_row(
    world: World,
) -> None:
    transfer = propose(world)

    assert transfer.status == TransferStatus.PROPOSED
    assert transfer.from_agency == world.sender
    assert transfer.to_agency == world.receiver
    assert transfer.consent == world.consent
    assert transfer.proposed_on == TODAY
    assert list(world.case.events.values_list("kind", flat=True)) == [
        EventKind.CASE_TRANSFER_PROPOSED.value
    ]
    audit = AuditEvent.objects.get(action="case.transfer_proposed")
    assert audit.object_code == transfer.code
    assert audit.details["to_agency"] == world.receiver.code


def test_proposing_without_consent_on_file_records_the_consent_given_that_day(
    world: World,
) -> None:
    world.consent.delete()

    transfer = propose(world, consent_given_on=datetime.date(2026, 6, 14))

    consent = Consent.objects.get(survivor=world.case.survivor, purpose=ConsentPurpose.REFERRAL)
    assert transfer.consent == consent
    assert consent.recipient == world.receiver
    assert consent.given_on == datetime.date(2026, 6, 14)


def test_proposing_without_consent_and_without_its_date_is_refused_and_changes_nothing(
    world: World,
) -> None:
    world.consent.delete()
    before = case_state(world.case)

    with pytest.raises(CaseError) as refused:
        propose(world)

    assert refused.value.field == "consent_given_on"
    assert CaseTransfer.objects.count() == 0
    assert case_state(world.case) == before


def test_a_consent_naming_another_agency_does_not_cover_the_transfer(world: World) -> None:
    world.consent.recipient = AgencyFactory()
    world.consent.save()

    with pytest.raises(CaseError):
        propose(world)

    assert CaseTransfer.objects.count() == 0


@pytest.mark.parametrize(
    ("kind", "field"),
    [(AgencyKind.POLICE, "to_agency"), (AgencyKind.EMBASSY, "to_agency")],
    ids=["police", "embassy"],
)
def test_a_transfer_goes_only_to_an_agency_that_leads_cases(
    world: World, kind: str, field: str
) -> None:
    other = AgencyFactory(kind=kind)

    with pytest.raises(CaseError) as refused:
        propose(world, to_agency=other)

    assert refused.value.field == field
    assert CaseTransfer.objects.count() == 0


def test_a_transfer_to_the_lead_agency_itself_is_refused(world: World) -> None:
    with pytest.raises(CaseError):
        propose(world, to_agency=world.sender)


@pytest.mark.parametrize("persona", ["a_worker", "b_supervisor", "c_supervisor"])
def test_only_a_supervisor_of_the_lead_agency_proposes(world: World, persona: str) -> None:
    before = case_state(world.case)

    with pytest.raises(CaseForbidden):
        propose(world, by=world.users[persona])

    assert CaseTransfer.objects.count() == 0
    assert case_state(world.case) == before


def test_a_closed_case_is_not_transferred(world: World) -> None:
    Case.objects.filter(pk=world.case.pk).update(
        phase=Phase.CLOSED, closed_on=TODAY, closure_reason="reintegrated"
    )
    world.case.refresh_from_db()

    with pytest.raises(CaseError):
        propose(world)


def test_a_second_proposal_while_one_waits_is_a_conflict(world: World) -> None:
    propose(world)

    with pytest.raises(CaseConflict):
        propose(world)

    assert CaseTransfer.objects.count() == 1


def test_a_presumed_child_without_a_best_interests_assessment_is_not_transferred(
    world: World,
) -> None:
    world.case.survivor.birth_year = 2012
    world.case.survivor.save()
    before = case_state(world.case)

    with pytest.raises(Conflict) as refused:
        propose(world)

    with translation.override("en"):
        assert "best-interests assessment" in str(refused.value.message)
    assert CaseTransfer.objects.count() == 0
    assert case_state(world.case) == before


def test_a_presumed_child_with_a_best_interests_assessment_on_file_is_transferred(
    world: World,
) -> None:
    survivor = world.case.survivor
    survivor.birth_year = 2012
    survivor.save()
    BestInterestsAssessment.objects.create(
        survivor=survivor,
        case=world.case,
        assessed_on=datetime.date(2026, 6, 10),
        assessed_by=world.users["a_worker"],
        summary="تقييم المصلحة الفضلى",
        child_views_heard=True,
        recommendation=BestInterestsRecommendation.STAY_IN_CARE,
    )

    transfer = propose(world)

    assert transfer.status == TransferStatus.PROPOSED


# --- answering -------------------------------------------------------------------------------


def test_accepting_moves_the_case_with_its_whole_history_to_the_receiving_agency(
    world: World,
) -> None:
    case = world.case
    RiskAssessmentFactory(case=case, assessor=world.users["a_worker"])
    plan = CarePlanFactory(case=case, author=world.users["a_worker"])
    CarePlanGoalFactory(care_plan=plan)
    actions.add_case_note(case=case, body="ملاحظة من الجهة المرسلة", by=world.users["a_worker"])
    actions.move_case(
        case=case, to_phase=Phase.PROTECTION, by=world.users["a_worker"], expected_version=1
    )
    case.refresh_from_db()
    phase_changes = list(case.phase_changes.values_list("pk", flat=True))
    events = list(case.events.values_list("pk", flat=True))
    transfer = propose(world)

    actions.accept_case_transfer(
        transfer=transfer,
        by=world.users["b_supervisor"],
        version=transfer.version,
        case_worker=world.users["b_worker"],
    )

    case.refresh_from_db()
    transfer.refresh_from_db()
    assert case.lead_agency == world.receiver
    assert case.case_worker == world.users["b_worker"]
    assert case.assigned_on == TODAY
    assert case.phase == Phase.PROTECTION
    assert list(case.phase_changes.values_list("pk", flat=True)) == phase_changes
    assert set(events) < set(case.events.values_list("pk", flat=True))
    assert case.events.filter(kind=EventKind.CASE_TRANSFER_ACCEPTED).count() == 1
    assert case.notes.count() == 1
    assert case.care_plans.get() == plan
    assert case.risk_assessments.count() == 1
    assert transfer.status == TransferStatus.ACCEPTED
    assert transfer.decided_by == world.users["b_supervisor"]
    assert transfer.decided_on == TODAY
    assert set(
        SurvivorAccess.objects.filter(survivor=case.survivor).values_list("agency", flat=True)
    ) == {world.receiver.pk}
    assert (
        AuditEvent.objects.filter(
            action="case.transfer_accepted", object_code=transfer.code
        ).count()
        == 1
    )


def test_accepting_without_choosing_gives_the_case_to_the_accepting_supervisor(
    world: World,
) -> None:
    transfer = propose(world)

    actions.accept_case_transfer(
        transfer=transfer, by=world.users["b_supervisor"], version=transfer.version
    )

    world.case.refresh_from_db()
    assert world.case.case_worker == world.users["b_supervisor"]
    assert world.case.next_due_on is not None
    assert world.case.new_until == TODAY + datetime.timedelta(days=7)


def test_the_chosen_case_worker_must_belong_to_the_receiving_agency(world: World) -> None:
    transfer = propose(world)
    before = case_state(world.case)

    with pytest.raises(CaseError) as refused:
        actions.accept_case_transfer(
            transfer=transfer,
            by=world.users["b_supervisor"],
            version=transfer.version,
            case_worker=world.users["c_worker"],
        )

    assert refused.value.field == "case_worker"
    assert case_state(world.case) == before
    transfer.refresh_from_db()
    assert transfer.status == TransferStatus.PROPOSED


@pytest.mark.parametrize("persona", ["a_supervisor", "b_worker", "c_supervisor"])
def test_only_a_supervisor_of_the_receiving_agency_answers(world: World, persona: str) -> None:
    transfer = propose(world)
    before = case_state(world.case)

    with pytest.raises(CaseForbidden):
        actions.accept_case_transfer(
            transfer=transfer, by=world.users[persona], version=transfer.version
        )
    with pytest.raises(CaseForbidden):
        actions.refuse_case_transfer(
            transfer=transfer, by=world.users[persona], version=transfer.version, reason="لا"
        )

    assert case_state(world.case) == before
    transfer.refresh_from_db()
    assert (transfer.status, transfer.version) == (TransferStatus.PROPOSED, 1)


def test_refusing_keeps_the_case_where_it_is_and_says_why(world: World) -> None:
    transfer = propose(world)
    lead, worker, phase, version, events, access = case_state(world.case)

    actions.refuse_case_transfer(
        transfer=transfer,
        by=world.users["b_supervisor"],
        version=transfer.version,
        reason="لا توجد طاقة استيعابية حاليا",
    )

    assert case_state(world.case) == (lead, worker, phase, version, events + 1, access)
    transfer.refresh_from_db()
    assert transfer.status == TransferStatus.REFUSED
    assert transfer.refusal_reason == "لا توجد طاقة استيعابية حاليا"
    assert world.case.events.filter(kind=EventKind.CASE_TRANSFER_REFUSED).count() == 1


def test_refusing_without_a_reason_is_refused(world: World) -> None:
    transfer = propose(world)

    with pytest.raises(CaseError) as refused:
        actions.refuse_case_transfer(
            transfer=transfer, by=world.users["b_supervisor"], version=1, reason="  "
        )

    assert refused.value.field == "reason"
    transfer.refresh_from_db()
    assert transfer.status == TransferStatus.PROPOSED


def test_the_sending_supervisor_withdraws_a_waiting_transfer(world: World) -> None:
    transfer = propose(world)

    actions.withdraw_case_transfer(
        transfer=transfer, by=world.users["a_supervisor"], version=transfer.version
    )

    transfer.refresh_from_db()
    assert transfer.status == TransferStatus.WITHDRAWN
    assert world.case.events.filter(kind=EventKind.CASE_TRANSFER_WITHDRAWN).count() == 1
    with pytest.raises(CaseConflict):
        actions.accept_case_transfer(
            transfer=transfer, by=world.users["b_supervisor"], version=transfer.version
        )
    world.case.refresh_from_db()
    assert world.case.lead_agency == world.sender


def test_a_stale_version_is_refused_and_changes_nothing(world: World) -> None:
    transfer = propose(world)
    before = case_state(world.case)

    with pytest.raises(ConcurrentEditError):
        actions.accept_case_transfer(
            transfer=transfer, by=world.users["b_supervisor"], version=transfer.version + 1
        )

    assert case_state(world.case) == before


def test_a_consent_withdrawn_before_the_answer_stops_the_acceptance(world: World) -> None:
    transfer = propose(world)
    Consent.objects.filter(pk=world.consent.pk).update(withdrawn_on=TODAY)
    before = case_state(world.case)

    with pytest.raises(CaseConflict):
        actions.accept_case_transfer(
            transfer=transfer, by=world.users["b_supervisor"], version=transfer.version
        )

    assert case_state(world.case) == before


# --- access before and after -----------------------------------------------------------------


def _statuses(world: World, login: Callable[[User], Client], url: str) -> dict[str, int]:
    return {persona: login(world.users[persona]).get(url).status_code for persona in PERSONAS}


def _expect(allowed: set[str], *, hidden: set[str] = frozenset()) -> dict[str, int]:
    """200 for ``allowed``; 404 for the other case workers and supervisors; 403 for the
    roles that never work on cases."""
    result = {}
    for persona in PERSONAS:
        if persona in allowed:
            result[persona] = 200
        elif persona in CASE_PERSONAS or persona in hidden:
            result[persona] = 404
        else:
            result[persona] = 403
    return result


SENDER = {"a_worker", "a_supervisor"}
RECEIVER = {"b_worker", "b_supervisor"}


def test_before_acceptance_only_the_sending_team_sees_the_case(
    world: World, login: Callable[[User], Client]
) -> None:
    transfer = propose(world)
    code = world.case.code

    assert _statuses(world, login, reverse("cases:detail", args=[code])) == _expect(SENDER)
    assert _statuses(world, login, reverse("cases:api_detail", args=[code])) == _expect(SENDER)
    assert _statuses(world, login, reverse("cases:transfer", args=[transfer.code])) == _expect(
        SENDER | {"b_supervisor"}
    )


def test_after_acceptance_the_receiving_team_sees_the_case_and_the_sender_no_longer(
    world: World, login: Callable[[User], Client]
) -> None:
    transfer = propose(world)
    actions.accept_case_transfer(
        transfer=transfer, by=world.users["b_supervisor"], version=transfer.version
    )
    code = world.case.code

    assert _statuses(world, login, reverse("cases:detail", args=[code])) == _expect(RECEIVER)
    assert _statuses(world, login, reverse("cases:api_detail", args=[code])) == _expect(RECEIVER)
    assert _statuses(world, login, reverse("cases:api_note_list", args=[code])) == _expect(RECEIVER)
    assert _statuses(world, login, reverse("cases:transfer", args=[transfer.code])) == _expect(
        RECEIVER
    )
    for persona in SENDER:
        user = world.users[persona]
        assert not selectors.cases_visible_to(user).filter(pk=world.case.pk).exists()
        assert not survivors_visible_to(user).filter(pk=world.case.survivor_id).exists()
    for persona in RECEIVER:
        user = world.users[persona]
        assert selectors.get_case_or_404(user, code) == world.case
        assert survivors_visible_to(user).filter(pk=world.case.survivor_id).exists()


def test_the_receiving_supervisor_decides_on_a_summary_without_the_survivors_identity(
    world: World, login: Callable[[User], Client]
) -> None:
    transfer = propose(world)
    survivor = world.case.survivor

    response = login(world.users["b_supervisor"]).get(
        reverse("cases:transfer", args=[transfer.code])
    )

    page = response.content.decode()
    assert response.status_code == 200
    assert 'data-testid="transfer-summary"' in page
    assert 'data-testid="accept-form"' in page
    assert world.case.code in page
    assert survivor.code not in page
    assert survivor.name_ar not in page
    assert survivor.name_latin not in page


def test_the_sending_agency_keeps_a_trace_by_code_only(
    world: World, login: Callable[[User], Client]
) -> None:
    transfer = propose(world)
    actions.add_case_note(case=world.case, body="ملاحظة سرية", by=world.users["a_worker"])
    actions.accept_case_transfer(
        transfer=transfer, by=world.users["b_supervisor"], version=transfer.version
    )

    response = login(world.users["a_worker"]).get(reverse("cases:transfers"))

    page = response.content.decode()
    assert response.status_code == 200
    assert world.case.code in page
    assert world.receiver.name_ar in page
    with translation.override("ar"):
        assert str(TransferStatus.ACCEPTED.label) in page
    assert world.case.survivor.code not in page
    assert "ملاحظة سرية" not in page
    assert "الإسكندرية" not in page  # the reason for the transfer stays with the case
    api = login(world.users["a_worker"]).get(reverse("cases:api_transfers_sent"))
    assert api.json()["results"] == [
        {
            "code": transfer.code,
            "case": world.case.code,
            "to_agency": world.receiver.name_ar,
            "proposed_on": "2026-06-15",
            "decided_on": "2026-06-15",
            "status": "accepted",
        }
    ]


# --- pages and API ---------------------------------------------------------------------------


def test_the_case_page_offers_the_transfer_to_its_supervisors_only(
    world: World, login: Callable[[User], Client]
) -> None:
    url = reverse("cases:detail", args=[world.case.code])

    supervisor_page = login(world.users["a_supervisor"]).get(url).content.decode()
    worker_page = login(world.users["a_worker"]).get(url).content.decode()

    assert 'data-testid="transfer-case"' in supervisor_page
    assert 'data-testid="transfer-case"' not in worker_page


def test_the_transfer_form_proposes_and_the_receiving_supervisor_accepts_on_the_page(
    world: World, login: Callable[[User], Client]
) -> None:
    sender = login(world.users["a_supervisor"])
    response = sender.post(
        reverse("cases:transfer_propose", args=[world.case.code]),
        {"to_agency": world.receiver.pk, "reason": "انتقال الإقامة"},
    )
    assert response.status_code == 302
    transfer = CaseTransfer.objects.get()
    home = login(world.users["b_supervisor"]).get(reverse("home")).content.decode()
    assert reverse("cases:transfers") in home
    inbox = login(world.users["b_supervisor"]).get(reverse("cases:transfers")).content.decode()
    assert transfer.code in inbox

    response = login(world.users["b_supervisor"]).post(
        reverse("cases:transfer_accept", args=[transfer.code]),
        {"version": transfer.version, "case_worker": world.users["b_worker"].pk},
    )

    assert response.status_code == 302
    assert response["Location"] == reverse("cases:detail", args=[world.case.code])
    world.case.refresh_from_db()
    assert (world.case.lead_agency, world.case.case_worker) == (
        world.receiver,
        world.users["b_worker"],
    )


def test_the_transfer_form_shows_the_refusal_beside_the_field(
    world: World, login: Callable[[User], Client]
) -> None:
    world.consent.delete()

    response = login(world.users["a_supervisor"]).post(
        reverse("cases:transfer_propose", args=[world.case.code]),
        {"to_agency": world.receiver.pk, "reason": "انتقال الإقامة"},
    )

    assert response.status_code == 400
    assert 'data-error-for="consent_given_on"' in response.content.decode()
    assert CaseTransfer.objects.count() == 0


def test_the_api_answers_a_stale_version_with_409_and_changes_nothing(
    world: World, login: Callable[[User], Client]
) -> None:
    transfer = propose(world)
    before = case_state(world.case)

    response = login(world.users["b_supervisor"]).post(
        reverse("cases:api_transfer_accept", args=[transfer.code]),
        {"version": transfer.version + 1},
        content_type="application/json",
    )

    assert response.status_code == 409
    assert response["Content-Type"] == "application/problem+json"
    assert case_state(world.case) == before


def test_the_api_proposes_and_refuses(world: World, login: Callable[[User], Client]) -> None:
    response = login(world.users["a_supervisor"]).post(
        reverse("cases:api_transfer_propose", args=[world.case.code]),
        {"to_agency": world.receiver.code, "reason": "انتقال الإقامة"},
        content_type="application/json",
    )
    assert response.status_code == 201
    code = response.json()["code"]
    incoming = login(world.users["b_supervisor"]).get(reverse("cases:api_transfers_in"))
    assert [row["code"] for row in incoming.json()["results"]] == [code]
    detail = login(world.users["b_supervisor"]).get(reverse("cases:api_transfer", args=[code]))
    assert detail.json()["summary"]["code"] == world.case.code
    assert "survivor" not in detail.json()["summary"]

    response = login(world.users["b_supervisor"]).post(
        reverse("cases:api_transfer_refuse", args=[code]),
        {"version": 1, "reason": "لا توجد طاقة"},
        content_type="application/json",
    )

    assert response.status_code == 200
    assert response.json()["status"] == "refused"
    world.case.refresh_from_db()
    assert world.case.lead_agency == world.sender


def test_a_child_without_a_best_interests_assessment_is_refused_by_the_api_with_409(
    world: World, login: Callable[[User], Client]
) -> None:
    world.case.survivor.birth_year = 2013
    world.case.survivor.save()

    response = login(world.users["a_supervisor"]).post(
        reverse("cases:api_transfer_propose", args=[world.case.code]),
        {"to_agency": world.receiver.code, "reason": "انتقال الإقامة"},
        content_type="application/json",
    )

    assert response.status_code == 409
    assert CaseTransfer.objects.count() == 0


def test_the_transfer_form_is_for_the_lead_agencys_supervisors(
    world: World, login: Callable[[User], Client]
) -> None:
    url = reverse("cases:transfer_propose", args=[world.case.code])

    seen = _statuses(world, login, url)

    expected = dict.fromkeys(PERSONAS, 403)
    expected.update({"a_supervisor": 200, "b_supervisor": 404, "c_supervisor": 404})
    assert seen == expected


def test_every_case_worker_and_supervisor_reads_the_transfers_page(
    world: World, login: Callable[[User], Client]
) -> None:
    propose(world)

    seen = _statuses(world, login, reverse("cases:transfers"))

    assert seen == _expect(set(CASE_PERSONAS))
