"""Migration and protection status, and age assessments with the presumption of minority."""

import datetime

import pytest
from django.conf import settings
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from himaya.accounts.models import User
from himaya.agencies.models import Agency
from himaya.audit.models import AuditEvent
from himaya.survivors import actions, rules, selectors
from himaya.survivors.actions import SurvivorError, SurvivorForbidden, SurvivorNotFound
from himaya.survivors.models import AgeAssessment, MigrationStatus, Survivor
from himaya.survivors.tests.conftest import World

ON = datetime.date(2026, 6, 1)

# --- the presumption of minority, as a table ------------------------------------------


@pytest.mark.parametrize(
    ("birth_year", "assessed_adult", "child"),
    [
        (None, None, True),  # unknown age: presumed a child
        (2009, None, True),  # estimated 17
        (2008, None, False),  # 18
        (2001, None, False),  # 25
        (None, True, False),  # unknown age, assessed adult
        (2009, True, False),  # estimated 17, assessed adult
        (None, False, True),  # unknown age, assessed child
        (2009, False, True),  # estimated 17, assessed child
        (2008, False, True),  # 18 on paper, assessed child
        (2001, False, True),  # 25 on paper, assessed child
        (2008, True, False),  # 18, assessed adult
        (2001, True, False),  # 25, assessed adult
    ],
)
def test_a_survivor_is_presumed_a_child_until_an_assessment_says_adult(
    birth_year: int | None, assessed_adult: bool | None, child: bool
) -> None:
    assert rules.is_presumed_child(birth_year, on=ON, assessed_adult=assessed_adult) is child


@pytest.mark.parametrize(
    ("is_adult", "age", "assessed_on", "problem"),
    [
        (True, None, ON, None),
        (False, None, ON, None),
        (True, 25, ON, None),
        (True, 18, ON, None),
        (False, 17, ON, None),
        (True, 17, ON, "assessment_result_inconsistent"),
        (False, 18, ON, "assessment_result_inconsistent"),
        (True, 121, ON, "implausible_age"),
        (True, 25, ON + datetime.timedelta(days=1), "assessment_in_future"),
    ],
)
def test_an_age_assessment_is_refused_when_its_result_does_not_hold_together(
    is_adult: bool, age: int | None, assessed_on: datetime.date, problem: str | None
) -> None:
    assert (
        rules.age_assessment_problem(
            is_adult=is_adult, estimated_age=age, assessed_on=assessed_on, today=ON
        )
        == problem
    )


@pytest.mark.parametrize(
    ("status", "registered", "protected"),
    [
        (MigrationStatus.ASYLUM_SEEKER, False, True),
        (MigrationStatus.REFUGEE, False, True),
        (MigrationStatus.REGULAR, True, True),
        (MigrationStatus.REGULAR, False, False),
        (MigrationStatus.IRREGULAR, False, False),
        (MigrationStatus.STATELESS, False, False),
        (MigrationStatus.NOT_KNOWN, False, False),
    ],
)
def test_asylum_seekers_refugees_and_unhcr_registrations_are_under_protection(
    status: str, registered: bool, protected: bool
) -> None:
    assert (
        rules.is_under_international_protection(
            migration_status=status, unhcr_registered=registered
        )
        is protected
    )


# --- recording an assessment -----------------------------------------------------------


def _assess(survivor: Survivor, by: User, agency: Agency, **kwargs: object) -> AgeAssessment:
    values: dict[str, object] = {
        "method": "medical",
        "assessed_on": timezone.localdate(),
        "is_adult": True,
        "estimated_age": 25,
    }
    values.update(kwargs)
    return actions.record_age_assessment(
        survivor=survivor,
        by=by,
        agency=agency,
        **values,  # type: ignore[arg-type]
    )


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("birth_year_age", "assessment", "child"),
    [
        (None, None, True),
        (17, None, True),
        (18, None, False),
        (25, None, False),
        (None, True, False),
        (17, True, False),
        (None, False, True),
        (25, False, True),
    ],
)
def test_the_selector_feeds_the_rule_with_the_latest_assessment(
    world: World,
    case_worker: User,
    agency_a: Agency,
    birth_year_age: int | None,
    assessment: bool | None,
    child: bool,
) -> None:
    survivor = world.registered_by_a
    today = timezone.localdate()
    survivor.birth_year = None if birth_year_age is None else today.year - birth_year_age
    survivor.save()
    if assessment is not None:
        # An older assessment with the opposite result: the latest one decides.
        _assess(
            survivor,
            case_worker,
            agency_a,
            is_adult=not assessment,
            estimated_age=None,
            assessed_on=today - datetime.timedelta(days=30),
        )
        _assess(survivor, case_worker, agency_a, is_adult=assessment, estimated_age=None)
    assert selectors.presumed_child(survivor) is child
    assert selectors.assessed_adult(survivor) is assessment


@pytest.mark.django_db
def test_recording_an_age_assessment_writes_it_and_one_audit_row_without_the_age(
    world: World, case_worker: User, agency_a: Agency
) -> None:
    survivor = world.registered_by_a
    assessment = _assess(survivor, case_worker, agency_a, note="  X-ray of the wrist  ")

    assert (assessment.method, assessment.is_adult, assessment.estimated_age) == (
        "medical",
        True,
        25,
    )
    assert (assessment.assessed_by, assessment.agency, assessment.note) == (
        case_worker,
        agency_a,
        "X-ray of the wrist",
    )
    [event] = AuditEvent.objects.filter(action="survivor.age_assessed")
    assert event.actor == case_worker
    assert event.object_code == survivor.code
    assert event.details == {
        "assessment": assessment.pk,
        "method": "medical",
        "agency": agency_a.code,
    }


@pytest.mark.django_db
def test_an_inconsistent_assessment_is_refused_and_records_nothing(
    world: World, case_worker: User, agency_a: Agency
) -> None:
    audit_before = AuditEvent.objects.count()
    with pytest.raises(SurvivorError) as refused:
        _assess(world.registered_by_a, case_worker, agency_a, is_adult=True, estimated_age=16)
    assert refused.value.field == "estimated_age"
    assert AgeAssessment.objects.count() == 0
    assert AuditEvent.objects.count() == audit_before


@pytest.mark.django_db
def test_an_assessment_of_a_survivor_out_of_scope_is_not_found_and_records_nothing(
    world: World, case_worker: User, agency_a: Agency
) -> None:
    audit_before = AuditEvent.objects.count()
    with pytest.raises(SurvivorNotFound):
        _assess(world.registered_by_b, case_worker, agency_a)
    assert AgeAssessment.objects.count() == 0
    assert AuditEvent.objects.count() == audit_before


@pytest.mark.django_db
def test_an_assessment_for_another_agency_is_forbidden_and_records_nothing(
    world: World, case_worker: User, agency_b: Agency
) -> None:
    with pytest.raises(SurvivorForbidden):
        _assess(world.registered_by_a, case_worker, agency_b)
    assert AgeAssessment.objects.count() == 0


# --- the page ---------------------------------------------------------------------------


def _edit_data(**extra: str) -> dict[str, str]:
    return {
        "version": "1",
        "name_ar": "فاطمة أحمد علي",
        "name_latin": "Fatma Ahmed Ali",
        "sex": "female",
        "birth_year": "1999",
        "nationality": "ER",
        "migration_status": "refugee",
        "unhcr_registered": "on",
        "unhcr_reference": "555-12C00123",
        **extra,
    }


@pytest.mark.django_db
def test_the_edit_form_changes_the_migration_status_and_keeps_the_reference_encrypted(
    login: Client, case_worker: User, world: World
) -> None:
    survivor = world.registered_by_a
    client = login(case_worker)  # type: ignore[operator]
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"

    response = client.post(reverse("survivors:edit", args=[survivor.code]), _edit_data())

    assert response.status_code == 302
    survivor.refresh_from_db()
    assert (survivor.migration_status, survivor.unhcr_registered) == ("refugee", True)
    assert survivor.unhcr_reference == "555-12C00123"
    assert survivor.version == 2
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT unhcr_reference FROM survivors_survivor WHERE id = %s", [survivor.pk]
        )
        [stored] = cursor.fetchone()
    assert "555-12C00123" not in stored
    event = AuditEvent.objects.filter(action="survivor.identity_updated").get()
    assert {"migration_status", "unhcr_registered", "unhcr_reference"} <= set(
        event.details["fields"]
    )
    page = client.get(reverse("survivors:detail", args=[survivor.code])).content.decode()
    assert 'data-testid="migration-status">Refugee<' in page


@pytest.mark.django_db
def test_a_unhcr_reference_without_registration_is_refused_on_the_form(
    login: Client, case_worker: User, world: World
) -> None:
    survivor = world.registered_by_a
    data = _edit_data()
    del data["unhcr_registered"]

    response = login(case_worker).post(  # type: ignore[operator]
        reverse("survivors:edit", args=[survivor.code]), data
    )

    assert response.status_code == 200
    assert 'data-error-for="unhcr_reference"' in response.content.decode()
    survivor.refresh_from_db()
    assert (survivor.version, survivor.migration_status, survivor.unhcr_reference) == (
        1,
        "not_known",
        "",
    )


@pytest.mark.django_db
def test_the_survivor_page_shows_the_child_presumption_and_the_latest_assessment(
    login: Client, case_worker: User, agency_a: Agency, world: World
) -> None:
    survivor = world.registered_by_a
    survivor.birth_year = None
    survivor.save()
    client = login(case_worker)  # type: ignore[operator]
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    url = reverse("survivors:detail", args=[survivor.code])

    before = client.get(url).content.decode()
    _assess(survivor, case_worker, agency_a, method="documents")
    after = client.get(url).content.decode()

    assert 'data-testid="presumed-child">yes' in before
    assert 'data-testid="presumed-child">no' in after
    assert "age assessment: Documents" in after


# --- the API ----------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_api_shows_and_changes_the_protection_status_with_the_version(
    login: Client, case_worker: User, world: World
) -> None:
    survivor = world.registered_by_a
    client = login(case_worker)  # type: ignore[operator]
    url = reverse("survivors:api_protection", args=[survivor.code])
    body = {
        "version": 1,
        "migration_status": "asylum_seeker",
        "unhcr_registered": True,
        "unhcr_reference": "555-12C00999",
    }

    response = client.post(url, body, content_type="application/json")
    stale = client.post(
        url, {**body, "migration_status": "regular"}, content_type="application/json"
    )
    detail = client.get(
        reverse("survivors:api_detail", args=[survivor.code]), {"purpose": "care"}
    ).json()

    assert response.status_code == 200
    assert response.json()["migration_status"] == "asylum_seeker"
    assert response.json()["version"] == 2
    assert stale.status_code == 409
    survivor.refresh_from_db()
    assert (survivor.version, survivor.migration_status) == (2, "asylum_seeker")
    assert (detail["migration_status"], detail["unhcr_registered"]) == ("asylum_seeker", True)
    assert detail["identity"]["unhcr_reference"] == "555-12C00999"


@pytest.mark.django_db
def test_the_api_refuses_a_unhcr_reference_without_registration_and_changes_nothing(
    login: Client, case_worker: User, world: World
) -> None:
    survivor = world.registered_by_a
    response = login(case_worker).post(  # type: ignore[operator]
        reverse("survivors:api_protection", args=[survivor.code]),
        {
            "version": 1,
            "migration_status": "refugee",
            "unhcr_registered": False,
            "unhcr_reference": "555-12C00999",
        },
        content_type="application/json",
    )
    assert response.status_code == 400
    assert response["Content-Type"].startswith("application/problem+json")
    assert list(response.json()["errors"]) == ["unhcr_reference"]
    survivor.refresh_from_db()
    assert (survivor.version, survivor.migration_status, survivor.unhcr_reference) == (
        1,
        "not_known",
        "",
    )


@pytest.mark.django_db
def test_the_api_does_not_change_a_survivor_out_of_scope(
    login: Client, case_worker: User, world: World
) -> None:
    survivor = world.registered_by_b
    response = login(case_worker).post(  # type: ignore[operator]
        reverse("survivors:api_protection", args=[survivor.code]),
        {"version": 1, "migration_status": "refugee", "unhcr_registered": False},
        content_type="application/json",
    )
    assert response.status_code == 404
    survivor.refresh_from_db()
    assert (survivor.version, survivor.migration_status) == (1, "not_known")
