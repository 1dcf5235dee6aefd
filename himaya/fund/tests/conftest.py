from collections.abc import Callable
from pathlib import Path

import pytest
from django.conf import LazySettings

from himaya.accounts.models import User
from himaya.agencies.models import Agency, Role


@pytest.fixture(autouse=True)
def media_root(settings: LazySettings, tmp_path: Path) -> Path:
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def officer(make_persona: Callable[..., User]) -> User:
    return make_persona(Role.FUND_OFFICER, None, "fund_officer_1")


@pytest.fixture
def approver(make_persona: Callable[..., User]) -> User:
    return make_persona(Role.FUND_APPROVER, None, "fund_approver_1")


@pytest.fixture
def second_approver(make_persona: Callable[..., User]) -> User:
    return make_persona(Role.FUND_APPROVER, None, "fund_approver_2")


@pytest.fixture
def officer_approver(make_persona: Callable[..., User]) -> User:
    """Someone who holds both roles: four eyes must still stop them approving their own."""
    user = make_persona(Role.FUND_OFFICER, None, "officer_and_approver")
    from himaya.agencies.models import Membership

    agency: Agency = user.memberships.get().agency
    Membership.objects.create(user=user, agency=agency, role=Role.FUND_APPROVER)
    Membership.objects.create(user=user, agency=agency, role=Role.ADMINISTRATOR)
    return user
