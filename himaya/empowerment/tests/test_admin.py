"""Administrators keep the programmes' rules up to date; a stale edit changes nothing."""

import pytest

from himaya.agencies.models import Role
from himaya.audit.models import AuditEvent
from himaya.empowerment.models import Programme

pytestmark = pytest.mark.django_db

URL = "/admin/empowerment/programme/{pk}/change/"


def form_data(programme: Programme, **changes: object) -> dict:
    data = {
        "name_ar": programme.name_ar,
        "name_en": programme.name_en,
        "kind": programme.kind,
        "operator_ar": programme.operator_ar,
        "operator_en": programme.operator_en,
        "managing_agency": "",
        "allowed_sexes": programme.allowed_sexes,
        "min_age": programme.min_age or "",
        "max_age": programme.max_age or "",
        "household_roles": programme.household_roles,
        "amount_min": programme.amount_min or "",
        "amount_max": programme.amount_max or "",
        "description_ar": programme.description_ar,
        "description_en": programme.description_en,
        "source": programme.source,
        "is_active": "on",
        "expected_version": programme.version,
    }
    if programme.requires_reintegration:
        data["requires_reintegration"] = "on"
    if programme.facts_verified:
        data["facts_verified"] = "on"
    data.update(changes)
    return data


def test_an_administrator_changes_the_age_limit_of_microfinance(personas, login) -> None:
    programme = Programme.objects.get(slug="microfinance")
    client = login(personas[Role.ADMINISTRATOR])
    response = client.post(URL.format(pk=programme.pk), form_data(programme, max_age=60))
    assert response.status_code == 302
    programme.refresh_from_db()
    assert (programme.max_age, programme.version) == (60, 2)
    event = AuditEvent.objects.get(action="empowerment.programme.changed")
    assert (event.object_code, event.details) == ("microfinance", {"fields": ["max_age"]})


def test_a_stale_programme_edit_is_refused_and_changes_nothing(personas, login) -> None:
    programme = Programme.objects.get(slug="microfinance")
    stale = form_data(programme, max_age=60)
    Programme.objects.filter(pk=programme.pk).update(version=5)
    response = login(personas[Role.ADMINISTRATOR]).post(URL.format(pk=programme.pk), stale)
    assert response.status_code == 200
    programme.refresh_from_db()
    assert (programme.max_age, programme.version) == (65, 5)


@pytest.mark.parametrize("role", [Role.EMPOWERMENT_OFFICER, Role.ANALYST, Role.CASE_WORKER])
def test_other_roles_cannot_change_a_programme(role, personas, login) -> None:
    programme = Programme.objects.get(slug="microfinance")
    response = login(personas[role]).post(
        URL.format(pk=programme.pk), form_data(programme, max_age=60)
    )
    assert response.status_code == 302  # to the administration sign-in
    programme.refresh_from_db()
    assert (programme.max_age, programme.version) == (65, 1)
