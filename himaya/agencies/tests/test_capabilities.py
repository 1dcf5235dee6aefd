import io
from pathlib import Path

import pytest
from django.core.management import call_command

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
