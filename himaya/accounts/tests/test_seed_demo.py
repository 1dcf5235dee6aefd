import io

import pytest
from django.core.management import call_command

from himaya.accounts.models import User
from himaya.agencies.models import Agency, Membership, Role

pytestmark = pytest.mark.django_db(transaction=True)


def _counts() -> dict[str, int]:
    from django.apps import apps

    return {
        model._meta.label: model._default_manager.count()
        for model in apps.get_models()
        if model._meta.app_label not in {"audit", "sessions", "axes", "contenttypes", "auth"}
    }


def test_the_demo_has_one_user_per_role_and_a_second_run_duplicates_nothing() -> None:
    out = io.StringIO()
    call_command("seed_demo", stdout=out)
    first = _counts()
    assert {m.role for m in Membership.objects.all()} == {role.value for role in Role}
    assert Agency.objects.filter(kind="shelter").count() >= 3
    assert "Himaya-Demo-2026" in out.getvalue()
    assert not User.objects.filter(is_superuser=True).exists()

    call_command("seed_demo", "--quiet-logins", stdout=io.StringIO())
    assert _counts() == first
