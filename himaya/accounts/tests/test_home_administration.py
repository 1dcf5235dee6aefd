"""The system administrator's home links to the administration of users, agencies and
memberships; no other role sees these links."""

from collections.abc import Callable

import pytest
from django.test import Client

from himaya.accounts.models import User
from himaya.accounts.tests.factories import UserFactory
from himaya.agencies.models import Agency, Membership, MembershipStatus, Role

pytestmark = pytest.mark.django_db

LINKS = {
    "users": "/admin/accounts/user/",
    "agencies": "/admin/agencies/agency/",
    "memberships": "/admin/agencies/membership/",
    "approvals": "/admin/agencies/membership/?status__exact=pending",
}


def test_the_administrator_home_links_to_users_agencies_and_memberships(
    login: Callable[[User], Client], personas: dict[str, User]
) -> None:
    html = login(personas[Role.ADMINISTRATOR]).get("/").content.decode()
    assert 'data-testid="administration"' in html
    for key, url in LINKS.items():
        assert f'<a href="{url}" data-admin-link="{key}">' in html


def test_each_administration_link_opens_for_the_administrator(
    login: Callable[[User], Client], personas: dict[str, User]
) -> None:
    client = login(personas[Role.ADMINISTRATOR])
    for url in LINKS.values():
        assert client.get(url).status_code == 200, url


def test_the_administrator_sees_how_many_proposals_wait_for_a_second_approval(
    login: Callable[[User], Client], personas: dict[str, User], agency_a: Agency
) -> None:
    administrator = personas[Role.ADMINISTRATOR]
    other_administrator = UserFactory(username="second_admin")
    for proposer in (other_administrator, other_administrator, administrator):
        Membership.objects.create(
            user=UserFactory(),
            agency=agency_a,
            role=Role.CASE_WORKER,
            status=MembershipStatus.PENDING,
            is_active=False,
            proposed_by=proposer,
        )
    html = login(administrator).get("/").content.decode()
    # The administrator's own proposal waits for someone else.
    assert 'data-testid="pending-proposals">2</span>' in html


@pytest.mark.parametrize("role", [role for role in Role if role != Role.ADMINISTRATOR])
def test_no_other_role_sees_the_administration_links(
    login: Callable[[User], Client], personas: dict[str, User], role: Role
) -> None:
    html = login(personas[role]).get("/").content.decode()
    assert 'data-testid="administration"' not in html
    assert "data-admin-link" not in html
    assert "/admin/" not in html
