"""Who sees which grants: every persona, NGO staff of two NGOs, × the selectors."""

import pytest
from django.http import Http404

from himaya.grants import selectors
from himaya.grants.tests.factories import make_grant

pytestmark = pytest.mark.django_db

# persona → (sees the grant of NGO A, sees the grant of NGO B)
EXPECTED = {
    "case_worker": (False, False),
    "supervisor": (False, False),
    "shelter_staff": (False, False),
    "fund_officer": (False, False),
    "fund_approver": (False, False),
    "empowerment_officer": (False, False),
    "grants_officer": (True, True),
    "partner_staff": (False, False),
    "operator": (False, False),
    "analyst": (False, False),
    "auditor": (False, False),
    "administrator": (False, False),
    "outsider": (False, False),
    "ngo_staff": (True, False),
    "ngo_case_worker": (True, False),
    "other_ngo_staff": (False, True),
}


@pytest.mark.parametrize("role", EXPECTED)
def test_each_persona_sees_exactly_its_grants(
    personas, grants_officer, ngo_staff, ngo_case_worker, other_ngo_staff, ngo_a, ngo_b, role
) -> None:
    people = {
        **personas,
        "grants_officer": grants_officer,
        "ngo_staff": ngo_staff,
        "ngo_case_worker": ngo_case_worker,
        "other_ngo_staff": other_ngo_staff,
    }
    grants = [make_grant(ngo_a), make_grant(ngo_b)]
    user = people[role]
    visible = set(selectors.grants_visible_to(user).values_list("pk", flat=True))
    assert tuple(grant.pk in visible for grant in grants) == EXPECTED[role]
    for grant, seen in zip(grants, EXPECTED[role], strict=True):
        if seen:
            assert selectors.get_grant_or_404(user, grant.code) == grant
        else:
            with pytest.raises(Http404):
                selectors.get_grant_or_404(user, grant.code)
