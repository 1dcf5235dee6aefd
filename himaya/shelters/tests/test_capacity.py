"""The shelter's own staff manage its units and beds; nobody else can."""

from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation

from himaya.accounts.models import User
from himaya.agencies.models import Agency, Role
from himaya.audit.models import AuditEvent
from himaya.core.locking import ConcurrentEditError
from himaya.shelters import actions, rules, selectors
from himaya.shelters.models import Bed, BedKind, Stay, Unit
from himaya.shelters.tests.factories import CaseFactory, ShelterFactory, make_shelter, make_unit

pytestmark = pytest.mark.django_db

ROLES = [role.value for role in Role] + ["outsider", "other_shelter_staff"]

UNIT_POST = {
    "label": "غرفة الفتيات",
    "sex": "female",
    "accepts_adolescents": "on",
    "languages": "ar, en",
    "security_level": "2",
}


@pytest.fixture
def world(
    personas: dict[str, User], agency_a: Agency, make_persona: Callable[..., User]
) -> dict[str, Any]:
    """The staff's shelter: one unit of two beds, the first occupied, and a spare bed out of
    service; another shelter with its own staff."""
    staff_agency = personas["shelter_staff"].memberships.get().agency
    shelter = ShelterFactory(agency=staff_agency, governorate=staff_agency.governorate)
    unit = make_unit(shelter, label="نساء", beds=2)
    worker = personas["case_worker"]
    stay = actions.admit_to_shelter(
        case=CaseFactory(lead_agency=agency_a, case_worker=worker), shelter=shelter, by=worker
    )
    spare = Bed.objects.create(unit=unit, label="S1", is_active=False)
    other = make_shelter("EG-GZ")
    other_unit = make_unit(other, beds=1)
    personas["other_shelter_staff"] = make_persona(
        Role.SHELTER_STAFF, other.agency, "other_shelter_staff"
    )
    free = Bed.objects.filter(unit=unit).exclude(pk=stay.bed_id).exclude(pk=spare.pk).get()
    return {
        "shelter": shelter,
        "unit": unit,
        "stay": stay,
        "occupied": stay.bed,
        "free": free,
        "spare": spare,
        "other": other,
        "other_unit": other_unit,
    }


def _snapshot() -> list[tuple[Any, ...]]:
    units = list(Unit.objects.order_by("pk").values_list(*["pk", "version", *actions.UNIT_FIELDS]))
    beds = list(Bed.objects.order_by("pk").values_list("pk", "unit_id", "label", "is_active"))
    return [*units, *beds]


def _status(role: str, success: int) -> int:
    return success if role == "shelter_staff" else 403


# --- access: every role × every page and write ------------------------------------------


GETS: list[tuple[str, Callable[[dict[str, Any]], str]]] = [
    ("units", lambda w: reverse("shelters:units", args=[w["shelter"].code])),
    ("unit_add", lambda w: reverse("shelters:unit_add", args=[w["shelter"].code])),
    (
        "unit_edit",
        lambda w: reverse("shelters:unit_edit", args=[w["shelter"].code, w["unit"].pk]),
    ),
]


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(("name", "url"), GETS, ids=[g[0] for g in GETS])
def test_only_the_shelters_own_staff_open_the_capacity_pages(
    role: str,
    name: str,
    url: Callable[[dict[str, Any]], str],
    world: dict[str, Any],
    personas: dict[str, User],
    login: Callable[[User], Client],
) -> None:
    response = login(personas[role]).get(url(world))
    assert response.status_code == _status(role, 200), (name, role)


def _post_add_unit(client: Client, w: dict[str, Any]) -> Any:
    return client.post(reverse("shelters:unit_add", args=[w["shelter"].code]), UNIT_POST)


def _post_edit_unit(client: Client, w: dict[str, Any]) -> Any:
    unit = w["unit"]
    return client.post(
        reverse("shelters:unit_edit", args=[w["shelter"].code, unit.pk]),
        {**UNIT_POST, "label": unit.label, "accepts_adults": "on", "version": unit.version},
    )


def _post_add_beds(client: Client, w: dict[str, Any]) -> Any:
    unit = w["unit"]
    return client.post(
        reverse("shelters:beds_add", args=[w["shelter"].code, unit.pk]),
        {f"unit{unit.pk}-beds": "2", f"unit{unit.pk}-cots": "1"},
    )


def _post_out_of_service(client: Client, w: dict[str, Any]) -> Any:
    return client.post(
        reverse("shelters:bed_service", args=[w["shelter"].code, w["free"].pk]),
        {"in_service": "0"},
    )


def _post_back_into_service(client: Client, w: dict[str, Any]) -> Any:
    return client.post(
        reverse("shelters:bed_service", args=[w["shelter"].code, w["spare"].pk]),
        {"in_service": "1"},
    )


WRITES: list[tuple[str, Callable[[Client, dict[str, Any]], Any]]] = [
    ("add_unit", _post_add_unit),
    ("edit_unit", _post_edit_unit),
    ("add_beds", _post_add_beds),
    ("out_of_service", _post_out_of_service),
    ("back_into_service", _post_back_into_service),
]


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(("name", "post"), WRITES, ids=[w[0] for w in WRITES])
def test_only_the_shelters_own_staff_change_its_capacity(
    role: str,
    name: str,
    post: Callable[[Client, dict[str, Any]], Any],
    world: dict[str, Any],
    personas: dict[str, User],
    login: Callable[[User], Client],
) -> None:
    before = _snapshot()
    events = AuditEvent.objects.filter(action__startswith="shelters.").count()

    response = post(login(personas[role]), world)

    assert response.status_code == _status(role, 302), (name, role)
    if role == "shelter_staff":
        assert _snapshot() != before
        assert AuditEvent.objects.filter(action__startswith="shelters.").count() == events + 1
    else:
        assert _snapshot() == before
        assert AuditEvent.objects.filter(action__startswith="shelters.").count() == events


def test_the_staff_add_a_unit_with_its_eligibility(
    world: dict[str, Any], personas: dict[str, User], login: Callable[[User], Client]
) -> None:
    response = _post_add_unit(login(personas["shelter_staff"]), world)

    assert response.status_code == 302
    unit = Unit.objects.get(shelter=world["shelter"], label="غرفة الفتيات")
    assert (unit.sex, unit.accepts_children, unit.accepts_adolescents, unit.accepts_adults) == (
        "female",
        False,
        True,
        False,
    )
    assert (unit.languages, unit.security_level, unit.version) == ("ar,en", 2, 1)
    event = AuditEvent.objects.get(action="shelters.unit_added")
    assert event.object_code == world["shelter"].code


def test_the_staff_edit_a_unit_and_its_version_moves_on(
    world: dict[str, Any], personas: dict[str, User], login: Callable[[User], Client]
) -> None:
    response = _post_edit_unit(login(personas["shelter_staff"]), world)

    assert response.status_code == 302
    unit = Unit.objects.get(pk=world["unit"].pk)
    assert (unit.accepts_adolescents, unit.security_level, unit.version) == (True, 2, 2)
    event = AuditEvent.objects.get(action="shelters.unit_updated")
    assert event.details["changed"] == ["accepts_adolescents", "security_level"]


def test_a_stale_unit_edit_is_refused_shown_and_changes_nothing(
    world: dict[str, Any], personas: dict[str, User], login: Callable[[User], Client]
) -> None:
    unit = world["unit"]
    Unit.objects.filter(pk=unit.pk).update(version=2)  # someone saved it meanwhile
    before = _snapshot()

    response = login(personas["shelter_staff"]).post(
        reverse("shelters:unit_edit", args=[world["shelter"].code, unit.pk]),
        {**UNIT_POST, "label": "اسم جديد", "version": 1},
    )

    assert response.status_code == 400
    assert 'data-testid="form-error"' in response.content.decode()
    assert 'value="اسم جديد"' in response.content.decode()
    assert _snapshot() == before


def test_a_stale_unit_edit_is_refused_by_the_action(
    world: dict[str, Any], personas: dict[str, User]
) -> None:
    unit = world["unit"]
    with pytest.raises(ConcurrentEditError):
        actions.update_unit(
            unit=unit,
            by=personas["shelter_staff"],
            expected_version=unit.version - 1,
            eligibility={"label": "غرفة أخرى"},
        )
    assert Unit.objects.get(pk=unit.pk).label == "نساء"


def test_a_unit_of_another_shelter_is_not_found_under_ones_own_shelter(
    world: dict[str, Any], personas: dict[str, User], login: Callable[[User], Client]
) -> None:
    client = login(personas["shelter_staff"])
    other_unit = world["other_unit"]
    other_bed = other_unit.beds.get()
    before = _snapshot()
    own = world["shelter"].code

    edit = client.post(
        reverse("shelters:unit_edit", args=[own, other_unit.pk]), {**UNIT_POST, "version": 1}
    )
    beds = client.post(reverse("shelters:beds_add", args=[own, other_unit.pk]), {})
    service = client.post(reverse("shelters:bed_service", args=[own, other_bed.pk]), {})

    assert (edit.status_code, beds.status_code, service.status_code) == (404, 404, 404)
    assert _snapshot() == before


def test_the_actions_refuse_anyone_but_the_shelters_staff(
    world: dict[str, Any], personas: dict[str, User]
) -> None:
    before = _snapshot()
    for role in ["case_worker", "administrator", "other_shelter_staff"]:
        user = personas[role]
        with pytest.raises(actions.ShelterForbidden):
            actions.add_unit(shelter=world["shelter"], by=user, eligibility={"label": "x"})
        with pytest.raises(actions.ShelterForbidden):
            actions.update_unit(unit=world["unit"], by=user, expected_version=1, eligibility={})
        with pytest.raises(actions.ShelterForbidden):
            actions.add_beds(unit=world["unit"], by=user, beds=1)
        with pytest.raises(actions.ShelterForbidden):
            actions.set_bed_in_service(bed=world["free"], by=user, in_service=False)
    assert _snapshot() == before


def test_beds_and_cots_are_added_after_the_ones_the_unit_has(
    world: dict[str, Any], personas: dict[str, User]
) -> None:
    unit = world["unit"]
    Bed.objects.create(unit=unit, label="B7")

    added = actions.add_beds(unit=unit, by=personas["shelter_staff"], beds=2, cots=1)

    assert [(bed.label, bed.kind) for bed in added] == [
        ("B8", BedKind.BED),
        ("B9", BedKind.BED),
        ("C1", BedKind.COT),
    ]


def test_a_unit_name_already_used_in_the_shelter_is_refused(
    world: dict[str, Any], personas: dict[str, User], login: Callable[[User], Client]
) -> None:
    before = _snapshot()
    response = login(personas["shelter_staff"]).post(
        reverse("shelters:unit_add", args=[world["shelter"].code]), {**UNIT_POST, "label": "نساء"}
    )
    assert response.status_code == 400
    assert _snapshot() == before


# --- a bed that holds a person --------------------------------------------------------------


def test_an_occupied_bed_cannot_be_taken_out_of_service(
    world: dict[str, Any], personas: dict[str, User], login: Callable[[User], Client]
) -> None:
    bed = world["occupied"]
    before = _snapshot()

    response = login(personas["shelter_staff"]).post(
        reverse("shelters:bed_service", args=[world["shelter"].code, bed.pk]),
        {"in_service": "0"},
        follow=True,
    )

    assert response.status_code == 200
    assert f"السرير {bed.label} يشغله شخص الليلة" in response.content.decode()
    assert _snapshot() == before
    assert not AuditEvent.objects.filter(action="shelters.bed_out_of_service").exists()
    assert Stay.objects.get(pk=world["stay"].pk).status == "open"


def test_the_action_explains_why_an_occupied_bed_stays_in_service(
    world: dict[str, Any], personas: dict[str, User]
) -> None:
    with translation.override("en"), pytest.raises(actions.ShelterError) as refused:
        actions.set_bed_in_service(
            bed=world["occupied"], by=personas["shelter_staff"], in_service=False
        )
    assert refused.value.message == (
        f"Bed {world['occupied'].label} holds a person tonight: transfer or discharge the stay "
        "before taking the bed out of service."
    )
    assert Bed.objects.get(pk=world["occupied"].pk).is_active


# --- the search and the counts see only beds in service -----------------------------------


def test_the_bed_search_stops_offering_a_bed_taken_out_of_service(
    world: dict[str, Any], personas: dict[str, User]
) -> None:
    need = rules.Need(sex="female", age=30)
    shelter = world["shelter"]
    offered = {o.shelter.pk: o.free_beds for o in selectors.availability(need)}
    assert offered[shelter.pk] == 1

    actions.set_bed_in_service(bed=world["free"], by=personas["shelter_staff"], in_service=False)

    assert shelter.pk not in {o.shelter.pk for o in selectors.availability(need)}
    listed = selectors.with_bed_counts(selectors.shelter_list(personas["shelter_staff"]))
    assert listed.get(pk=shelter.pk).beds_in_service == 1

    actions.set_bed_in_service(bed=world["spare"], by=personas["shelter_staff"], in_service=True)

    offered = {o.shelter.pk: o.free_beds for o in selectors.availability(need)}
    assert offered[shelter.pk] == 1


def test_the_search_page_no_longer_lists_the_shelter(
    world: dict[str, Any], personas: dict[str, User], login: Callable[[User], Client]
) -> None:
    client = login(personas["shelter_staff"])
    url = reverse("shelters:find_bed") + "?sex=female&age=30&security_level=1"
    assert world["shelter"].code in client.get(url).content.decode()

    _post_out_of_service(client, world)

    assert world["shelter"].code not in client.get(url).content.decode()


def test_the_shelter_page_links_its_staff_to_the_capacity_pages(
    world: dict[str, Any], personas: dict[str, User], login: Callable[[User], Client]
) -> None:
    detail = reverse("shelters:detail", args=[world["shelter"].code])
    link = reverse("shelters:units", args=[world["shelter"].code])
    assert link in login(personas["shelter_staff"]).get(detail).content.decode()
    assert link not in login(personas["case_worker"]).get(detail).content.decode()


def test_the_capacity_page_takes_a_fixed_number_of_queries(
    world: dict[str, Any],
    personas: dict[str, User],
    login: Callable[[User], Client],
    django_assert_num_queries: Any,
) -> None:
    client = login(personas["shelter_staff"])
    url = reverse("shelters:units", args=[world["shelter"].code])
    client.get(url)
    with django_assert_num_queries(QUERIES):
        assert client.get(url).status_code == 200
    for _number in range(3):
        make_unit(world["shelter"], beds=3, cots=1)
    with django_assert_num_queries(QUERIES):
        assert client.get(url).status_code == 200


QUERIES = 8


def test_a_unit_edit_without_its_version_is_refused_and_changes_nothing(
    world: dict[str, Any], personas: dict[str, User], login: Callable[[User], Client]
) -> None:
    before = _snapshot()
    response = login(personas["shelter_staff"]).post(
        reverse("shelters:unit_edit", args=[world["shelter"].code, world["unit"].pk]),
        {**UNIT_POST, "label": "اسم جديد"},
    )
    assert response.status_code == 400
    assert _snapshot() == before


def test_a_unit_must_receive_some_age_group_and_speak_real_language_codes(
    world: dict[str, Any], personas: dict[str, User], login: Callable[[User], Client]
) -> None:
    before = _snapshot()
    payload = {**UNIT_POST, "languages": "arabic"}
    del payload["accepts_adolescents"]
    response = login(personas["shelter_staff"]).post(
        reverse("shelters:unit_add", args=[world["shelter"].code]), payload
    )
    assert response.status_code == 400
    form = response.context["form"]
    assert set(form.errors) == {"languages", "accepts_adults"}
    assert 'value="غرفة الفتيات"' in response.content.decode()
    assert _snapshot() == before
