"""Who reaches which page and endpoint of the exchange app: every role, and a case
worker of another agency."""

from collections.abc import Callable

import pytest
from django.test import Client
from django.urls import reverse

from himaya.accounts.models import User
from himaya.agencies.models import Role
from himaya.audit.models import AuditEvent
from himaya.cases.models import Case
from himaya.exchange.tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db

TABLE_ROLES = {Role.OPERATOR, Role.ANALYST, Role.SUPERVISOR, Role.ADMINISTRATOR}
EXPORT_ROLES = {Role.ANALYST, Role.ADMINISTRATOR}
CASE_ROLES = {Role.CASE_WORKER, Role.SUPERVISOR}
EVERYONE = [role.value for role in Role] + ["outsider"]


def expected(who: str, allowed: set[str], *, scoped: bool = False) -> int:
    if who == "outsider":
        return 404 if scoped else (200 if Role.CASE_WORKER in allowed else 403)
    return 200 if who in allowed else 403


@pytest.fixture
def signed_in(
    personas: dict[str, User],
    login: Callable[[User], Client],
    with_password: Callable[[User], User],
) -> Callable[[str], Client]:
    def sign_in(who: str) -> Client:
        return login(with_password(personas[who]))

    return sign_in


@pytest.mark.parametrize("who", EVERYONE)
def test_the_tables_page_and_api_answer_only_the_roles_that_see_tables(
    who: str, signed_in: Callable[[str], Client]
) -> None:
    client = signed_in(who)
    status = expected(who, TABLE_ROLES)

    assert client.get(reverse("exchange:tables")).status_code == status
    assert client.get(reverse("exchange:tables"), {"name": "sdg_16_2_2"}).status_code == status
    api = client.get(reverse("exchange:api_table", args=["victims_by_form"]))
    assert api.status_code == status
    if status == 403:
        assert api["Content-Type"].startswith("application/problem+json")


@pytest.mark.parametrize("who", EVERYONE)
def test_the_export_page_and_api_answer_only_analysts_and_administrators(
    who: str, signed_in: Callable[[str], Client]
) -> None:
    client = signed_in(who)
    status = expected(who, EXPORT_ROLES)
    before = AuditEvent.objects.filter(action="exchange.statistics_exported").count()

    assert client.get(reverse("exchange:export")).status_code == status
    api = client.post(
        reverse("exchange:api_export"),
        {"layout": "ctdc", "file": "csv", "purpose": "SDG report", "password": PASSWORD},
        content_type="application/json",
    )

    assert api.status_code == status
    written = AuditEvent.objects.filter(action="exchange.statistics_exported").count() - before
    assert written == (1 if status == 200 else 0)


@pytest.mark.parametrize("who", EVERYONE)
def test_a_case_s_trafficking_details_answer_its_team_only(
    who: str, signed_in: Callable[[str], Client], make_case: Callable[..., Case]
) -> None:
    case = make_case()
    client = signed_in(who)
    status = expected(who, CASE_ROLES, scoped=True)

    assert client.get(reverse("exchange:details_edit", args=[case.code])).status_code == status
    assert client.get(reverse("exchange:details_panel", args=[case.code])).status_code == status


def test_an_export_without_the_password_is_refused_and_written_nowhere(
    signed_in: Callable[[str], Client],
) -> None:
    client = signed_in(Role.ANALYST)

    api = client.post(
        reverse("exchange:api_export"),
        {"purpose": "SDG report", "password": "wrong"},
        content_type="application/json",
    )
    page = client.post(
        reverse("exchange:export"),
        {"layout": "ctdc", "format": "csv", "k": "11", "purpose": "x", "password": "wrong"},
    )

    assert api.status_code == 403 and api.json()["errors"]["password"]
    assert page.status_code == 403
    assert not AuditEvent.objects.filter(action="exchange.statistics_exported").exists()


def test_the_export_page_downloads_the_file_for_an_analyst(
    signed_in: Callable[[str], Client],
) -> None:
    page = signed_in(Role.ANALYST).post(
        reverse("exchange:export"),
        {"layout": "htcds", "format": "xlsx", "k": "11", "purpose": "IOM", "password": PASSWORD},
    )

    assert page.status_code == 200
    assert page["Content-Disposition"].endswith('.xlsx"')
    assert AuditEvent.objects.get(action="exchange.statistics_exported").purpose == "IOM"


@pytest.mark.parametrize("name", ["nothing", "٣", "victims_by_form\u200b"])
def test_an_unknown_table_is_a_problem_not_an_error(
    name: str, signed_in: Callable[[str], Client]
) -> None:
    response = signed_in(Role.ANALYST).get(reverse("exchange:api_table", args=[name]))

    assert response.status_code == 404
    assert response["Content-Type"].startswith("application/problem+json")


def test_bad_export_input_is_a_400_problem(signed_in: Callable[[str], Client]) -> None:
    response = signed_in(Role.ANALYST).post(
        reverse("exchange:api_export"),
        {"k": 10**30, "purpose": "x", "password": PASSWORD, "layout": "csv"},
        content_type="application/json",
    )

    assert response.status_code == 400
    assert set(response.json()["errors"]) >= {"k", "layout"}
