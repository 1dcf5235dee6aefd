"""Memberships change only through their actions: nobody touches their own, roles that reach
survivors' data wait for a second administrator, and every change is in the audit chain."""

from collections.abc import Callable
from pathlib import Path

import pytest
from django.test import Client
from django_otp.plugins.otp_totp.models import TOTPDevice

from himaya.accounts.models import User
from himaya.accounts.tests.factories import UserFactory
from himaya.agencies import actions, rules
from himaya.agencies.actions import MembershipRefused
from himaya.agencies.models import Membership, MembershipStatus, Role
from himaya.agencies.permissions import CAPABILITIES
from himaya.audit.models import AuditEvent

pytestmark = pytest.mark.django_db

ADD_URL = "/admin/agencies/membership/add/"
LIST_URL = "/admin/agencies/membership/"


def signed_in(user: User) -> Client:
    """A fresh client for ``user``, second factor verified (two administrators act at once)."""
    client = Client()
    client.force_login(user)
    device, _ = TOTPDevice.objects.get_or_create(user=user, name="test", confirmed=True)
    session = client.session
    session["otp_device_id"] = device.persistent_id
    session.save()
    return client


@pytest.fixture
def admin_one(make_persona: Callable[..., User]) -> User:
    return make_persona(Role.ADMINISTRATOR, username="admin_one")


@pytest.fixture
def admin_two(make_persona: Callable[..., User]) -> User:
    return make_persona(Role.ADMINISTRATOR, username="admin_two")


@pytest.fixture
def newcomer(db: None) -> User:
    return UserFactory(username="newcomer")


def _membership_state(user: User) -> list[tuple[str, str, bool]]:
    return sorted(user.memberships.values_list("role", "status", "is_active"))


def _fresh(user: User) -> User:
    return User.objects.get(pk=user.pk)


def _run_action(client: Client, action: str, membership: Membership, **extra: str):
    return client.post(
        LIST_URL,
        {"action": action, "_selected_action": [str(membership.pk)], "index": "0", **extra},
        follow=True,
    )


# --- the administrator and their own memberships -----------------------------------------


def test_an_administrator_cannot_add_a_membership_for_themselves_in_the_admin(
    admin_one, agency_a
) -> None:
    before = _membership_state(admin_one)
    response = signed_in(admin_one).post(
        ADD_URL, {"user": admin_one.pk, "agency": agency_a.pk, "role": Role.CASE_WORKER}
    )
    assert response.status_code == 200
    assert "لا يمكنك إنشاء عضوياتك أو تغييرها" in response.content.decode()
    assert _membership_state(admin_one) == before
    assert not _fresh(admin_one).has_perm("survivors.view_identity")
    refusal = AuditEvent.objects.get(action="agencies.membership_refused")
    assert (refusal.actor, refusal.details["attempt"], refusal.details["reason"]) == (
        admin_one,
        "propose",
        "own_membership",
    )
    assert refusal.details["role"] == Role.CASE_WORKER
    assert refusal.details["member"] == "admin_one"


@pytest.mark.parametrize(
    ("action", "extra"),
    [
        ("deactivate", {}),
        ("change_role", {"role": Role.CASE_WORKER}),
        ("approve", {}),
        ("reject", {}),
    ],
)
def test_an_administrator_cannot_change_their_own_membership_with_any_action(
    admin_one, action, extra
) -> None:
    membership = admin_one.memberships.get()
    response = _run_action(signed_in(admin_one), action, membership, **extra)
    assert response.status_code == 200
    membership.refresh_from_db()
    assert (membership.role, membership.status, membership.is_active, membership.version) == (
        Role.ADMINISTRATOR,
        MembershipStatus.ACTIVE,
        True,
        1,
    )
    assert AuditEvent.objects.filter(
        action="agencies.membership_refused", actor=admin_one, details__attempt=action
    ).exists()


def test_the_membership_change_page_edits_nothing_directly(admin_one, case_worker) -> None:
    membership = case_worker.memberships.get()
    client = signed_in(admin_one)
    page = client.get(f"{LIST_URL}{membership.pk}/change/")
    assert page.status_code == 200
    html = page.content.decode()
    assert 'name="is_active"' not in html
    assert 'name="role"' not in html
    response = client.post(
        f"{LIST_URL}{membership.pk}/change/",
        {"user": case_worker.pk, "agency": membership.agency_id, "role": Role.SUPERVISOR},
    )
    assert response.status_code == 403
    membership.refresh_from_db()
    assert (membership.role, membership.is_active, membership.version) == (
        Role.CASE_WORKER,
        True,
        1,
    )


def test_the_agency_page_shows_memberships_without_editing_them(admin_one, agency_a, case_worker):
    html = signed_in(admin_one).get(f"/admin/agencies/agency/{agency_a.pk}/change/").content
    assert b"case_worker_a" in html
    assert b'name="memberships-0-role"' not in html
    assert b'name="memberships-0-is_active"' not in html


# --- four eyes for roles that reach survivors' data ---------------------------------------


def test_a_proposed_case_worker_membership_waits_and_reaches_no_survivor_until_approved(
    admin_one, admin_two, newcomer, agency_a, case_worker
) -> None:
    from himaya.survivors.actions import sync_survivor_access
    from himaya.survivors.models import Survivor

    survivor = Survivor.objects.create(
        name_ar="هدى", registered_by_agency=agency_a, registered_by=case_worker
    )
    sync_survivor_access(survivor=survivor)
    identity_url = f"/survivors/api/survivors/{survivor.code}/?purpose=care"
    assert signed_in(case_worker).get(identity_url).status_code == 200

    response = signed_in(admin_one).post(
        ADD_URL, {"user": newcomer.pk, "agency": agency_a.pk, "role": Role.CASE_WORKER}
    )
    assert response.status_code == 302
    membership = newcomer.memberships.get()
    assert (membership.status, membership.is_active, membership.proposed_by) == (
        MembershipStatus.PENDING,
        False,
        admin_one,
    )
    assert not _fresh(newcomer).has_perm("survivors.view_identity")
    assert signed_in(newcomer).get(identity_url).status_code in {403, 404}
    assert signed_in(newcomer).get("/survivors/api/survivors/").status_code == 403

    # The proposer cannot approve their own proposal.
    _run_action(signed_in(admin_one), "approve", membership)
    membership.refresh_from_db()
    assert (membership.status, membership.is_active) == (MembershipStatus.PENDING, False)
    assert signed_in(newcomer).get(identity_url).status_code in {403, 404}

    # A second administrator approves it.
    response = _run_action(signed_in(admin_two), "approve", membership)
    assert response.status_code == 200
    membership.refresh_from_db()
    assert (membership.status, membership.is_active, membership.approved_by) == (
        MembershipStatus.ACTIVE,
        True,
        admin_two,
    )
    assert signed_in(newcomer).get(identity_url).status_code == 200

    trail = list(
        AuditEvent.objects.filter(action__startswith="agencies.membership_")
        .order_by("sequence")
        .values_list("action", "actor__username")
    )
    assert trail == [
        ("agencies.membership_proposed", "admin_one"),
        ("agencies.membership_refused", "admin_one"),
        ("agencies.membership_approved", "admin_two"),
    ]


def test_the_proposer_cannot_approve_and_the_refusal_says_why(admin_one, newcomer, agency_a):
    membership = actions.propose_membership(
        by=admin_one, user=newcomer, agency=agency_a, role=Role.SUPERVISOR
    )
    with pytest.raises(MembershipRefused) as refused:
        actions.approve_membership(membership=membership, by=admin_one)
    assert refused.value.reason == "four_eyes"
    membership.refresh_from_db()
    assert (membership.status, membership.is_active, membership.version) == (
        MembershipStatus.PENDING,
        False,
        1,
    )
    event = AuditEvent.objects.get(action="agencies.membership_refused")
    assert (event.details["attempt"], event.object_code) == ("approve", str(membership.pk))


def test_a_member_cannot_approve_their_own_membership(admin_one, admin_two, agency_a) -> None:
    membership = actions.propose_membership(
        by=admin_one, user=admin_two, agency=agency_a, role=Role.CASE_WORKER
    )
    with pytest.raises(MembershipRefused):
        actions.approve_membership(membership=membership, by=admin_two)
    membership.refresh_from_db()
    assert membership.status == MembershipStatus.PENDING


def test_someone_who_is_not_an_administrator_cannot_manage_memberships(
    supervisor, newcomer, agency_a
) -> None:
    with pytest.raises(MembershipRefused) as refused:
        actions.propose_membership(
            by=supervisor, user=newcomer, agency=agency_a, role=Role.CASE_WORKER
        )
    assert refused.value.reason == "not_administrator"
    assert newcomer.memberships.count() == 0


def test_a_role_without_survivor_data_is_granted_at_once(admin_one, newcomer, agency_a) -> None:
    membership = actions.propose_membership(
        by=admin_one, user=newcomer, agency=agency_a, role=Role.ANALYST
    )
    assert (membership.status, membership.is_active) == (MembershipStatus.ACTIVE, True)
    assert _fresh(newcomer).has_perm("empowerment.view_outcomes")
    assert AuditEvent.objects.get(action="agencies.membership_granted").details["role"] == (
        Role.ANALYST
    )


def test_the_administrator_role_also_waits_for_a_second_administrator(
    admin_one, newcomer, agency_a
) -> None:
    membership = actions.propose_membership(
        by=admin_one, user=newcomer, agency=agency_a, role=Role.ADMINISTRATOR
    )
    assert (membership.status, membership.is_active) == (MembershipStatus.PENDING, False)
    assert not _fresh(newcomer).has_perm("accounts.manage_users")


def test_a_pending_membership_can_never_be_made_active_behind_the_actions(
    admin_one, newcomer, agency_a
) -> None:
    from django.db import IntegrityError, transaction

    membership = actions.propose_membership(
        by=admin_one, user=newcomer, agency=agency_a, role=Role.CASE_WORKER
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        Membership.objects.filter(pk=membership.pk).update(is_active=True)


def test_a_duplicate_membership_is_refused(admin_one, case_worker, agency_a) -> None:
    with pytest.raises(MembershipRefused) as refused:
        actions.propose_membership(
            by=admin_one, user=case_worker, agency=agency_a, role=Role.CASE_WORKER
        )
    assert refused.value.reason == "duplicate"
    assert case_worker.memberships.count() == 1


# --- every change is an audit event -------------------------------------------------------


def test_every_membership_change_writes_an_audit_event(
    admin_one, admin_two, newcomer, agency_a
) -> None:
    membership = actions.propose_membership(
        by=admin_one, user=newcomer, agency=agency_a, role=Role.CASE_WORKER
    )
    actions.reject_membership(membership=membership, by=admin_two)
    assert membership.__class__.objects.get(pk=membership.pk).status == MembershipStatus.REJECTED
    actions.reactivate_membership(membership=membership, by=admin_one)
    actions.approve_membership(membership=membership, by=admin_two)
    actions.deactivate_membership(membership=membership, by=admin_two)
    actions.reactivate_membership(membership=membership, by=admin_two)
    actions.approve_membership(membership=membership, by=admin_one)
    actions.change_membership_role(membership=membership, by=admin_one, role=Role.ANALYST)
    actions.change_membership_role(membership=membership, by=admin_one, role=Role.SUPERVISOR)
    actions.approve_membership(membership=membership, by=admin_two)

    membership.refresh_from_db()
    assert (membership.role, membership.status, membership.is_active) == (
        Role.SUPERVISOR,
        MembershipStatus.ACTIVE,
        True,
    )
    events = list(
        AuditEvent.objects.filter(object_code=str(membership.pk))
        .order_by("sequence")
        .values_list("action", "actor__username", "details__role", "details__status")
    )
    assert events == [
        ("agencies.membership_proposed", "admin_one", "case_worker", "pending"),
        ("agencies.membership_rejected", "admin_two", "case_worker", "rejected"),
        ("agencies.membership_reactivated", "admin_one", "case_worker", "pending"),
        ("agencies.membership_approved", "admin_two", "case_worker", "active"),
        ("agencies.membership_deactivated", "admin_two", "case_worker", "inactive"),
        ("agencies.membership_reactivated", "admin_two", "case_worker", "pending"),
        ("agencies.membership_approved", "admin_one", "case_worker", "active"),
        ("agencies.membership_role_changed", "admin_one", "analyst", "active"),
        ("agencies.membership_role_changed", "admin_one", "supervisor", "pending"),
        ("agencies.membership_approved", "admin_two", "supervisor", "active"),
    ]
    changed = (
        AuditEvent.objects.filter(action="agencies.membership_role_changed")
        .order_by("sequence")
        .first()
    )
    assert changed is not None
    assert changed.details["previous_role"] == Role.CASE_WORKER


def test_deactivation_in_the_admin_takes_the_role_away_at_once(admin_one, case_worker) -> None:
    membership = case_worker.memberships.get()
    response = _run_action(signed_in(admin_one), "deactivate", membership)
    assert response.status_code == 200
    assert "أوقفت عضوية واحدة." in response.content.decode()
    membership.refresh_from_db()
    assert (membership.status, membership.is_active) == (MembershipStatus.INACTIVE, False)
    assert not _fresh(case_worker).has_perm("cases.work_cases")
    assert (
        AuditEvent.objects.filter(action="agencies.membership_deactivated", actor=admin_one).count()
        == 1
    )


def test_a_role_change_in_the_admin_to_a_survivor_data_role_waits_for_approval(
    admin_one, make_persona
) -> None:
    analyst = make_persona(Role.ANALYST, username="analyst_x")
    membership = analyst.memberships.get()
    _run_action(signed_in(admin_one), "change_role", membership, role=Role.CASE_WORKER)
    membership.refresh_from_db()
    assert (membership.role, membership.status, membership.is_active) == (
        Role.CASE_WORKER,
        MembershipStatus.PENDING,
        False,
    )
    assert not _fresh(analyst).has_perm("cases.work_cases")


def test_a_role_change_in_the_admin_needs_a_chosen_role(admin_one, case_worker) -> None:
    membership = case_worker.memberships.get()
    response = _run_action(signed_in(admin_one), "change_role", membership)
    assert "اختر الدور الجديد أولًا" in response.content.decode()
    membership.refresh_from_db()
    assert (membership.role, membership.version) == (Role.CASE_WORKER, 1)


# --- the rules and the bootstrap path ------------------------------------------------------

SURVIVOR_DATA_CAPABILITIES = {
    "survivors.view_identity",
    "survivors.register",
    "survivors.record_consent",
    "survivors.review_duplicates",
    "cases.work_cases",
    "cases.supervise",
    "referrals.receive",
    "shelters.manage_stays",
    "shelters.find_bed",
    "services.deliver",
    "fund.request_payment",
    "fund.approve_payment",
    "fund.view_payments",
    "fund.view_case_payments",
    "empowerment.manage_enrolments",
}


def test_every_role_holding_a_capability_over_survivors_needs_a_second_administrator() -> None:
    holders = set().union(
        *(CAPABILITIES[name].roles for name in SURVIVOR_DATA_CAPABILITIES if name in CAPABILITIES)
    )
    assert holders == rules.SURVIVOR_DATA_ROLES
    assert all(rules.needs_second_approval(role) for role in holders)
    assert [r for r in (Role.ANALYST, Role.AUDITOR, Role.GRANTS_OFFICER) if r in holders] == []


@pytest.mark.parametrize(
    ("by", "member", "proposer", "status", "allowed"),
    [
        (1, 2, 3, MembershipStatus.PENDING, True),
        (1, 2, 1, MembershipStatus.PENDING, False),
        (1, 1, 3, MembershipStatus.PENDING, False),
        (1, 2, None, MembershipStatus.PENDING, False),
        (1, 2, 3, MembershipStatus.ACTIVE, False),
        (1, 2, 3, MembershipStatus.REJECTED, False),
    ],
)
def test_the_approval_rule(by, member, proposer, status, allowed) -> None:
    refusal = rules.refusal_to_approve(
        by_id=by, member_id=member, proposer_id=proposer, status=status
    )
    assert (refusal is None) == allowed


def test_bootstrap_grants_at_once_and_is_audited(newcomer, agency_a) -> None:
    membership = actions.bootstrap_membership(user=newcomer, agency=agency_a, role=Role.CASE_WORKER)
    again = actions.bootstrap_membership(user=newcomer, agency=agency_a, role=Role.CASE_WORKER)
    assert again.pk == membership.pk
    assert (membership.status, membership.is_active) == (MembershipStatus.ACTIVE, True)
    assert AuditEvent.objects.filter(action="agencies.membership_bootstrapped").count() == 1


def test_no_page_admin_or_api_calls_the_bootstrap() -> None:
    root = Path(__file__).resolve().parents[2]
    doors = [
        path
        for pattern in ("*/views.py", "*/api.py", "*/admin.py", "*/urls.py", "*/forms.py")
        for path in root.glob(pattern)
    ]
    assert len(doors) > 10
    assert [p.name for p in doors if "bootstrap_membership" in p.read_text(encoding="utf-8")] == []


def test_the_set_up_command_grants_a_role_at_once(newcomer, agency_a) -> None:
    import io

    from django.core.management import call_command

    out = io.StringIO()
    call_command("bootstrap_membership", "newcomer", agency_a.code, Role.ADMINISTRATOR, stdout=out)
    assert _membership_state(newcomer) == [(Role.ADMINISTRATOR, MembershipStatus.ACTIVE, True)]
    assert _fresh(newcomer).has_perm("accounts.manage_users")
    assert AuditEvent.objects.filter(action="agencies.membership_bootstrapped").count() == 1
