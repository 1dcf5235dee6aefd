"""Access matrix of the foundation's pages: every role against every page."""

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

from himaya.accounts.admin import admin_site
from himaya.agencies.models import Role

pytestmark = pytest.mark.django_db

ALL_ROLES = [role.value for role in Role]
ADMIN_PAGES = [
    "/admin/",
    "/admin/accounts/user/",
    "/admin/agencies/agency/",
    "/admin/agencies/membership/",
    "/admin/agencies/governorate/",
]


def _expected(page: str, role: str) -> int:
    if page == "/":
        return 200
    if page == "/audit/":
        return 200 if role == Role.AUDITOR else 403
    if page.startswith("/admin/"):
        return 200 if role == Role.ADMINISTRATOR else 302
    raise AssertionError(page)


@pytest.mark.parametrize("role", ALL_ROLES)
@pytest.mark.parametrize("page", ["/", "/audit/", *ADMIN_PAGES])
def test_each_role_gets_the_expected_answer_on_each_foundation_page(
    login, personas, role, page
) -> None:
    response = login(personas[role]).get(page)
    assert response.status_code == _expected(page, role)


@pytest.mark.parametrize("page", ["/", "/audit/", *ADMIN_PAGES])
def test_anonymous_visitors_are_sent_to_a_login_page(client, page) -> None:
    response = client.get(page)
    assert response.status_code == 302
    assert "/login/" in response.url


@pytest.mark.parametrize("role", ALL_ROLES)
def test_the_navigation_shows_each_role_only_what_it_may_use(login, personas, role) -> None:
    from himaya.core.nav import all_items

    user = personas[role]
    html = login(user).get("/").content.decode()
    for item in all_items():
        shown = f'data-nav="{item.key}"' in html
        assert shown == user.has_perm(item.permission), item.key


def test_a_user_without_membership_sees_only_the_home_page(login, make_persona) -> None:
    from himaya.accounts.tests.factories import UserFactory

    html = login(UserFactory()).get("/").content.decode()
    assert "ليس لديك دور نشط في أي جهة بعد" in html
    assert 'data-nav="audit"' not in html


def test_a_deactivated_agency_gives_its_members_no_role(login, case_worker, agency_a) -> None:
    agency_a.is_active = False
    agency_a.save()
    assert not case_worker.has_perm("cases.work_cases")


SURVIVOR_DATA_CAPABILITIES = [
    "survivors.view_identity",
    "survivors.register",
    "cases.work_cases",
    "cases.supervise",
    "referrals.receive",
    "shelters.manage_stays",
]


def test_the_administrator_holds_no_capability_over_survivors_data(personas) -> None:
    admin = personas[Role.ADMINISTRATOR]
    assert [c for c in SURVIVOR_DATA_CAPABILITIES if admin.has_perm(c)] == []


def test_the_administration_site_registers_no_survivor_data() -> None:
    """No survivor, screening, case or referral record, and nothing that points at a survivor."""
    from himaya.survivors.models import Survivor

    registered = list(admin_site._registry)
    apps = {model._meta.app_label for model in registered}
    assert apps & {"survivors", "screening", "cases", "referrals"} == set()
    pointing_at_survivors = [
        model._meta.label
        for model in registered
        for field in model._meta.concrete_fields
        if field.related_model is Survivor
    ]
    assert pointing_at_survivors == []


def _routes(resolver: URLResolver, prefix: str = "") -> list[str]:
    found: list[str] = []
    for pattern in resolver.url_patterns:
        route = prefix + str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            found.extend(_routes(pattern, route))
        elif isinstance(pattern, URLPattern):
            found.append(route)
    return found


SURVIVOR_DATA_PREFIXES = ("survivors/", "screening/", "cases/", "referrals/")


def test_the_administrator_is_refused_every_survivor_data_page(login, personas) -> None:
    """Every GET route of the survivor-data apps, its arguments filled with real codes."""
    from himaya.cases.models import Case
    from himaya.survivors.models import Survivor

    case_worker = personas[Role.CASE_WORKER]
    agency = case_worker.memberships.get().agency
    survivor = Survivor.objects.create(
        name_ar="هدى", registered_by_agency=agency, registered_by=case_worker
    )
    case = Case.objects.create(
        survivor=survivor,
        lead_agency=agency,
        case_worker=case_worker,
        first_contact_on="2026-11-01",
    )
    client = login(personas[Role.ADMINISTRATOR])
    checked = []
    for route in _routes(get_resolver()):
        if not route.startswith(SURVIVOR_DATA_PREFIXES):
            continue
        code = case.code if route.startswith(("cases/", "referrals/")) else survivor.code
        url = "/" + route.replace("<str:code>", code).replace("<slug:code>", code)
        if "<" in url or "(?P" in url or "^" in url:
            continue
        response = client.get(url)
        assert response.status_code in {302, 403, 404, 405}, (url, response.status_code)
        checked.append(url)
    # Every app of survivor data was reached, through its pages with and without a code.
    assert {url.split("/")[1] for url in checked} == {
        "survivors",
        "screening",
        "cases",
        "referrals",
    }
    assert len(checked) > 40
