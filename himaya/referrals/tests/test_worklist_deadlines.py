"""A sent referral puts its answer on the case's worklist; the answer takes it off."""

import pytest
from django.utils import timezone

from himaya.cases.models import CaseDeadline, DeadlineKind
from himaya.referrals import actions
from himaya.referrals.tests.conftest import World
from himaya.referrals.tests.test_actions import create

pytestmark = pytest.mark.django_db


def test_sending_a_referral_sets_the_answer_deadline_on_the_case(world: World) -> None:
    referral = create(world)
    deadline = CaseDeadline.objects.get(case=world.case)
    due = timezone.localtime(referral.respond_by).date()
    assert (deadline.kind, deadline.source_code, deadline.due_on, deadline.done_at) == (
        DeadlineKind.REFERRAL_ANSWER,
        referral.code,
        due,
        None,
    )
    world.case.refresh_from_db()
    assert (world.case.next_action, world.case.next_due_on) == (
        DeadlineKind.REFERRAL_ANSWER,
        due,
    ) or world.case.next_due_on < due


def test_accepting_a_referral_clears_its_deadline(world: World) -> None:
    referral = create(world)
    actions.accept_referral(referral=referral, by=world.partner_staff, expected_version=1)
    deadline = CaseDeadline.objects.get(case=world.case)
    assert deadline.done_at is not None
    world.case.refresh_from_db()
    assert world.case.next_action != DeadlineKind.REFERRAL_ANSWER


def test_cancelling_a_referral_clears_its_deadline(world: World) -> None:
    referral = create(world)
    actions.cancel_referral(referral=referral, by=world.case_worker, expected_version=1)
    assert CaseDeadline.objects.filter(case=world.case, done_at__isnull=True).count() == 0


def test_a_refused_answer_leaves_the_deadline_open(world: World) -> None:
    referral = create(world)
    with pytest.raises(actions.ReferralForbidden):
        actions.accept_referral(referral=referral, by=world.case_worker, expected_version=1)
    assert CaseDeadline.objects.filter(case=world.case, done_at__isnull=True).count() == 1
