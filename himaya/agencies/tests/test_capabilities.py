import io
from pathlib import Path

import pytest
import rules
from django.contrib.auth.models import _user_has_perm
from django.core.management import call_command

from himaya.agencies.backends import answers_first
from himaya.agencies.models import Membership, Role
from himaya.agencies.permissions import CAPABILITIES, roles_of

pytestmark = pytest.mark.django_db

ACCESS_DOC = Path(__file__).resolve().parents[3] / "docs" / "access.md"


def test_the_documented_role_capability_table_is_the_one_declared_in_code() -> None:
    out = io.StringIO()
    call_command("capability_table", stdout=out)
    assert out.getvalue() == ACCESS_DOC.read_text(encoding="utf-8"), (
        "docs/access.md is out of date: run make schema"
    )


def test_every_capability_names_at_least_one_role() -> None:
    assert [name for name, cap in CAPABILITIES.items() if not cap.roles] == []


def test_roles_come_only_from_active_memberships(case_worker) -> None:
    assert roles_of(case_worker) == frozenset({Role.CASE_WORKER.value})
    Membership.objects.filter(user=case_worker).update(is_active=False)
    fresh = type(case_worker).objects.get(pk=case_worker.pk)
    assert roles_of(fresh) == frozenset()
    assert not fresh.has_perm("cases.work_cases")


def test_an_inactive_user_holds_no_capability(case_worker) -> None:
    case_worker.is_active = False
    case_worker.save()
    fresh = type(case_worker).objects.get(pk=case_worker.pk)
    assert [name for name in CAPABILITIES if fresh.has_perm(name)] == []


@pytest.mark.parametrize("role", [role.value for role in Role])
def test_a_capability_answered_from_the_table_is_the_answer_of_djangos_backends(
    make_persona, role: str
) -> None:
    user = make_persona(role)
    through_backends = {name: _user_has_perm(user, name, None) for name in CAPABILITIES}
    fresh = type(user).objects.get(pk=user.pk)
    answered = {name: fresh.has_perm(name) for name in CAPABILITIES}
    assert answered == through_backends
    assert answered == {name: role in cap.roles for name, cap in CAPABILITIES.items()}


def test_a_superuser_holds_every_capability_and_other_names_go_to_the_backends(
    case_worker,
) -> None:
    case_worker.is_superuser = True
    case_worker.save()
    fresh = type(case_worker).objects.get(pk=case_worker.pk)
    assert all(fresh.has_perm(name) for name in CAPABILITIES)
    worker = type(case_worker).objects.get(pk=case_worker.pk)
    worker.is_superuser = False
    assert not worker.has_perm("auth.change_user")  # not a capability: Django's model rights


def test_a_capability_whose_rule_is_replaced_is_answered_by_the_new_rule(case_worker) -> None:
    original = rules.permissions.permissions["cases.work_cases"]
    rules.set_perm("cases.work_cases", rules.always_deny)
    try:
        fresh = type(case_worker).objects.get(pk=case_worker.pk)
        assert not fresh.has_perm("cases.work_cases")
    finally:
        rules.set_perm("cases.work_cases", original)
    assert type(case_worker).objects.get(pk=case_worker.pk).has_perm("cases.work_cases")


def test_the_table_answers_only_while_its_backend_is_the_first_to_answer_permissions() -> None:
    first = "himaya.agencies.backends.CapabilityBackend"
    assert answers_first(("axes.backends.AxesStandaloneBackend", first))
    assert not answers_first(("django.contrib.auth.backends.ModelBackend", first))
    assert not answers_first(("django.contrib.auth.backends.ModelBackend",))
