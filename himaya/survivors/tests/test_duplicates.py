"""Duplicate checks at registration: audited, rate-limited, never an oracle out of scope.

Every door is covered: the action, the registration page and the API. A match that the
registering worker may see is named by its code; a match outside the worker's scope is
never named nor counted: the survivor is registered and one review record waits for a
supervisor of the registering agency.
"""

import datetime
from typing import Any

import pytest
import time_machine
from django.urls import reverse
from django.utils import translation

from himaya.audit.models import AuditEvent
from himaya.survivors import actions
from himaya.survivors.actions import (
    REVIEW_NOTICE,
    DocumentInput,
    DuplicateSuspected,
    TooManyDuplicateChecks,
)
from himaya.survivors.api import CLEAR_FIELDS
from himaya.survivors.models import PossibleDuplicate, Survivor, SurvivorDocument
from himaya.survivors.tests.factories import SurvivorDocumentFactory, SurvivorFactory

pytestmark = pytest.mark.django_db

NOW = datetime.datetime(2026, 6, 15, 9, tzinfo=datetime.UTC)
CREATED_KEYS = {*CLEAR_FIELDS, "duplicate_review", "detail"}


def arabic(message: Any) -> str:
    """A message (lazy, or a function giving it) as an Arabic page shows it; it must be
    translated."""
    render = message if callable(message) else lambda: str(message)
    with translation.override("ar"):
        text = render()
    with translation.override("en"):
        assert text != render(), "no Arabic translation"
    return text


def problem(code: str) -> str:
    return arabic(lambda: actions.problem_message(code))


def checks() -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(action="survivor.duplicate_checked").order_by("sequence"))


def counts() -> dict[str, int]:
    return {
        "survivors": Survivor.objects.count(),
        "documents": SurvivorDocument.objects.count(),
        "reviews": PossibleDuplicate.objects.count(),
        # Signing in is audited too: only the survivors' part of the trail is compared.
        "events": AuditEvent.objects.filter(action__startswith="survivor.").count(),
    }


def register(user: Any, agency: Any, **kwargs: Any) -> Survivor:
    return actions.register_survivor(
        by=user,
        agency=agency,
        identity=kwargs.pop("identity", {"name_latin": "Huda Kamal Said"}),
        clear=kwargs.pop("clear", {"birth_year": 1995, "nationality": "EG"}),
        **kwargs,
    )


def api_create(client: Any, **payload: Any) -> Any:
    return client.post(reverse("survivors:api_create"), payload, content_type="application/json")


def page_data(agency: Any, **values: str) -> dict[str, Any]:
    return {"agency": agency.pk, "sex": "female", "nationality": "EG", **values}


# ---------------------------------------------------------------- the audit row of each check


def test_every_registration_writes_one_check_row_with_codes_and_counts_only(
    case_worker, agency_a, world
) -> None:
    survivor = register(case_worker, agency_a, documents=[DocumentInput("passport", "Q7654321")])
    [row] = checks()
    assert (row.actor, row.object_type, row.object_code) == (
        case_worker,
        "survivors.survivor",
        "",
    )
    assert row.details == {
        "agency": agency_a.code,
        "criteria": ["name_year", "document"],
        "matches": 0,
        "in_scope": [],
        "outside_scope": [],
    }
    assert "Huda" not in str(row.details) and "Q7654321" not in str(row.details)
    assert Survivor.objects.filter(pk=survivor.pk).exists()


def test_a_registration_appends_its_audit_rows_after_its_other_writes_in_order(
    case_worker, agency_a, world
) -> None:
    # Appending to the audit chain holds its head until the commit: a registration
    # appends last, so that the head is held for the shortest time.
    survivor = register(case_worker, agency_a)
    rows = list(AuditEvent.objects.filter(action__startswith="survivor.").order_by("sequence"))
    assert [row.action for row in rows] == ["survivor.duplicate_checked", "survivor.registered"]
    assert all(row.occurred_at >= survivor.created_at for row in rows)


def test_a_refused_registration_keeps_the_audit_row_of_its_check(
    case_worker, agency_a, world
) -> None:
    before = Survivor.objects.count()
    with pytest.raises(DuplicateSuspected):
        register(
            case_worker,
            agency_a,
            identity={"name_ar": "فاطمة أحمد علي"},
            clear={"birth_year": 1999},
        )
    assert Survivor.objects.count() == before
    [row] = checks()
    assert row.details["matches"] == 1
    assert row.details["in_scope"] == [world.registered_by_a.code]
    assert "فاطمة" not in str(row.details)


def test_the_check_row_counts_matches_out_of_scope_that_the_answer_never_names(
    outsider, agency_b, world
) -> None:
    register(
        outsider, agency_b, identity={"name_latin": "Fatma Ahmed Ali"}, clear={"birth_year": 1999}
    )
    [row] = checks()
    assert row.details["matches"] == 1
    assert row.details["in_scope"] == []
    assert row.details["outside_scope"] == [world.registered_by_a.code]


# ---------------------------------------------------------------- rate limit


@time_machine.travel(NOW, tick=False)
def test_checks_over_the_hourly_limit_are_refused_and_write_nothing(
    case_worker, supervisor, agency_a, settings
) -> None:
    settings.DUPLICATE_CHECKS_PER_HOUR = 2
    register(case_worker, agency_a, identity={"name_latin": "One"})
    register(case_worker, agency_a, identity={"name_latin": "Two"})
    before = counts()
    with pytest.raises(TooManyDuplicateChecks):
        register(case_worker, agency_a, identity={"name_latin": "Three"})
    assert counts() == before
    # The limit is per user: a colleague still registers.
    register(supervisor, agency_a, identity={"name_latin": "Four"})
    # An hour after the first checks, the worker registers again.
    with time_machine.travel(NOW + datetime.timedelta(hours=1, seconds=1), tick=False):
        register(case_worker, agency_a, identity={"name_latin": "Three"})
    assert Survivor.objects.count() == 4


@time_machine.travel(NOW, tick=False)
def test_api_answers_429_over_the_limit_and_registers_nothing(
    login, case_worker, agency_a, settings
) -> None:
    settings.DUPLICATE_CHECKS_PER_HOUR = 1
    client = login(case_worker)
    assert api_create(client, name_latin="First Person", birth_year=1990).status_code == 201
    before = counts()
    response = api_create(
        client,
        name_latin="Second Person",
        birth_year=1991,
        documents=[{"kind": "passport", "number": "Z1"}],
    )
    assert response.status_code == 429
    assert response["Content-Type"] == "application/problem+json"
    assert set(response.json()) == {"type", "title", "status", "detail"}
    assert response.json()["detail"] == arabic(TooManyDuplicateChecks().message)
    assert counts() == before


@time_machine.travel(NOW, tick=False)
def test_page_shows_the_limit_with_429_and_registers_nothing(
    login, case_worker, agency_a, settings
) -> None:
    settings.DUPLICATE_CHECKS_PER_HOUR = 1
    client = login(case_worker)
    data = page_data(agency_a, name_latin="First Person", birth_year="1990")
    assert client.post(reverse("survivors:register"), data).status_code == 302
    before = counts()
    response = client.post(reverse("survivors:register"), {**data, "name_latin": "Second Person"})
    assert response.status_code == 429
    html = response.content.decode()
    assert arabic(TooManyDuplicateChecks().message) in html
    assert 'value="Second Person"' in html
    assert counts() == before


# ---------------------------------------------------------------- what the answer discloses


def test_api_match_out_of_scope_answers_201_with_only_the_review_notice(
    login, outsider, world
) -> None:
    hidden = world.registered_by_a  # agency A's survivor, with passport "P 123-456"
    response = api_create(
        login(outsider),
        name_latin="Another Name",
        birth_year=1970,
        documents=[{"kind": "passport", "number": "p123456"}],
    )
    assert response.status_code == 201
    body = response.json()
    assert set(body) == CREATED_KEYS
    assert (body["duplicate_review"], body["detail"]) == (True, arabic(REVIEW_NOTICE))
    assert hidden.code not in response.content.decode()
    [review] = PossibleDuplicate.objects.all()
    assert (review.survivor.code, review.matched, review.reason, review.status) == (
        body["code"],
        hidden,
        "document",
        "open",
    )


def test_api_registration_without_any_match_says_nothing_about_review(
    login, case_worker, world
) -> None:
    response = api_create(login(case_worker), name_latin="Nobody Known", birth_year=1988)
    assert response.status_code == 201
    body = response.json()
    assert set(body) == CREATED_KEYS
    assert (body["duplicate_review"], body["detail"]) == (False, "")
    assert PossibleDuplicate.objects.count() == 0


def test_api_409_names_only_visible_matches_and_has_no_hidden_count(
    login, case_worker, world
) -> None:
    # Same name and year as agency A's survivor (visible) and agency B's (hidden).
    SurvivorFactory(
        name_latin="Fatma Ahmed Ali",
        birth_year=1999,
        registered_by_agency=world.registered_by_b.registered_by_agency,
        registered_by=world.registered_by_b.registered_by,
    )
    client = login(case_worker)
    before = counts()
    response = api_create(client, name_latin="fatma ahmed ali", birth_year=1999)
    assert response.status_code == 409
    body = response.json()
    assert set(body) == {"type", "title", "status", "detail", "existing_codes"}
    assert body["status"] == 409
    assert body["detail"] == arabic(DuplicateSuspected(visible_codes=[]).message)
    assert body["existing_codes"] == [world.registered_by_a.code]
    assert counts() == {**before, "events": before["events"] + 1}  # the check row only
    response = api_create(
        client, name_latin="fatma ahmed ali", birth_year=1999, confirm_duplicate=True
    )
    assert response.status_code == 201
    assert set(response.json()) == CREATED_KEYS
    assert response.json()["duplicate_review"] is True
    [review] = PossibleDuplicate.objects.all()
    assert review.matched.registered_by_agency == world.registered_by_b.registered_by_agency


def test_two_matches_out_of_scope_open_two_reviews_and_the_answer_is_the_same(
    login, outsider, world
) -> None:
    SurvivorDocumentFactory(survivor=world.case_of_a, number="P-123456")
    response = api_create(
        login(outsider), name_latin="X Y", birth_year=1990,
        documents=[{"kind": "passport", "number": "P123456"}],
    )  # fmt: skip
    assert set(response.json()) == CREATED_KEYS
    assert world.registered_by_a.code not in response.content.decode()
    assert world.case_of_a.code not in response.content.decode()
    assert {r.matched for r in PossibleDuplicate.objects.all()} == {
        world.registered_by_a,
        world.case_of_a,
    }
    [row] = checks()
    assert row.details["matches"] == 2


# ---------------------------------------------------------------- digit forms, invisible characters


@pytest.mark.parametrize(
    "typed",
    ["P ١٢٣-٤٥٦", "P۱۲۳۴۵۶", "P\u200b123\u2060456", "\u202aP123456\u202c", "P１２３４５６"],
)
def test_another_spelling_of_a_document_number_is_blocked_and_found(
    login, case_worker, world, typed: str
) -> None:
    client = login(case_worker)
    response = api_create(
        client, name_latin="New Name", birth_year=1980,
        documents=[{"kind": "passport", "number": typed}],
    )  # fmt: skip
    assert response.status_code == 409
    assert response.json()["existing_codes"] == [world.registered_by_a.code]
    listed = client.get(reverse("survivors:api_list"), {"q": typed}).json()
    assert [row["code"] for row in listed["results"]] == [world.registered_by_a.code]
    page = client.get(reverse("survivors:list"), {"q": typed})
    assert world.registered_by_a.code in page.content.decode()


@pytest.mark.parametrize(
    "typed",
    [
        "فاطمة\u200b أحمد علي",
        "فا\u200cطمة أحمد علي",
        "\u200fفاطمة أحمد\u200d علي",
        "\ufeffفاطمة أحمد علي",
    ],
)
def test_a_name_with_invisible_characters_is_blocked_as_duplicate_and_found(
    login, case_worker, agency_a, world, typed: str
) -> None:
    client = login(case_worker)
    before = Survivor.objects.count()
    response = client.post(
        reverse("survivors:register"), page_data(agency_a, name_ar=typed, birth_year="1999")
    )
    assert 'data-testid="duplicate-warning"' in response.content.decode()
    assert Survivor.objects.count() == before
    listed = client.get(reverse("survivors:api_list"), {"q": typed}).json()
    assert [row["code"] for row in listed["results"]] == [world.registered_by_a.code]


def test_a_name_typed_with_persian_digits_in_a_document_is_blocked_on_the_page(
    login, case_worker, agency_a, world
) -> None:
    response = login(case_worker).post(
        reverse("survivors:register"),
        page_data(
            agency_a, name_latin="Other", birth_year="1985",
            document_kind="passport", document_number="P-۱۲۳-۴۵۶",
        ),
    )  # fmt: skip
    html = response.content.decode()
    assert 'data-testid="duplicate-warning"' in html
    assert world.registered_by_a.code in html
    assert Survivor.objects.count() == 4


INVISIBLE_ONLY = [
    "\u200b",
    "\u200c\u200d",
    " \u2060 ",
    "\ufeff\u200e\u200f",
    "\u202b\u202c",
    "\u2066\u2069",
]


@pytest.mark.parametrize("invisible", INVISIBLE_ONLY)
@pytest.mark.parametrize("field", ["name_ar", "name_latin"])
def test_a_name_of_invisible_characters_only_is_refused_on_the_api(
    login, case_worker, world, field: str, invisible: str
) -> None:
    before = counts()
    other = "name_latin" if field == "name_ar" else "name_ar"
    response = api_create(
        login(case_worker), **{field: invisible, other: "Real Name"}, birth_year=1990
    )
    assert response.status_code == 400
    assert response.json()["errors"] == {field: [problem("name_invisible")]}
    assert counts() == before


@pytest.mark.parametrize("invisible", INVISIBLE_ONLY)
def test_a_name_of_invisible_characters_only_is_refused_on_the_page(
    login, case_worker, agency_a, world, invisible: str
) -> None:
    before = counts()
    response = login(case_worker).post(
        reverse("survivors:register"), page_data(agency_a, name_ar=invisible, birth_year="1990")
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert 'data-error-for="name_ar"' in html
    assert problem("name_invisible") in html
    assert counts() == before


@pytest.mark.parametrize("invisible", INVISIBLE_ONLY)
def test_a_name_of_invisible_characters_only_is_refused_by_the_action(
    case_worker, agency_a, world, invisible: str
) -> None:
    before = counts()
    with pytest.raises(actions.SurvivorError):
        register(case_worker, agency_a, identity={"name_ar": invisible, "name_latin": "Real"})
    with pytest.raises(actions.SurvivorError):
        register(case_worker, agency_a, identity={"name_latin": invisible})
    assert counts() == before


def test_editing_a_name_into_invisible_characters_is_refused(login, case_worker, world) -> None:
    survivor = world.registered_by_a
    response = login(case_worker).post(
        reverse("survivors:edit", args=[survivor.code]),
        {"version": "1", "name_ar": "\u200b", "name_latin": "", "sex": "female",
         "birth_year": "1999", "nationality": "EG"},
    )  # fmt: skip
    assert 'data-error-for="name_ar"' in response.content.decode()
    with pytest.raises(actions.SurvivorError):
        actions.update_identity(
            survivor=survivor, by=case_worker, expected_version=1,
            identity={"name_ar": "\u200b\u200c", "name_latin": ""}, clear={},
        )  # fmt: skip
    survivor.refresh_from_db()
    assert (survivor.version, survivor.name_ar) == (1, "فاطمة أحمد علي")


def test_a_document_number_of_invisible_characters_only_is_refused(
    login, case_worker, world
) -> None:
    before = counts()
    response = api_create(
        login(case_worker), name_latin="Real Name", birth_year=1990,
        documents=[{"kind": "passport", "number": "\u200b\u200c"}],
    )  # fmt: skip
    assert response.status_code == 400
    assert counts() == before
    with pytest.raises(actions.SurvivorError):
        actions.add_document(
            survivor=world.registered_by_a, by=case_worker, kind="passport", number="\u2060-"
        )
    assert counts() == before


# ---------------------------------------------------------------- dates of birth


TODAY = datetime.date(2026, 6, 15)

BAD_BIRTHS = [
    ({"date_of_birth": "0001-01-01"}, "date_of_birth", "implausible_birth_date"),
    ({"date_of_birth": "9999-12-31"}, "date_of_birth", "implausible_birth_date"),
    ({"date_of_birth": "1899-12-31"}, "date_of_birth", "implausible_birth_date"),
    ({"date_of_birth": "2026-06-16"}, "date_of_birth", "implausible_birth_date"),
    ({"birth_year": 2100}, "birth_year", "implausible_birth_year"),
    ({"birth_year": 2027}, "birth_year", "implausible_birth_year"),
    ({"birth_year": 1899}, "birth_year", "implausible_birth_year"),
    ({"birth_year": 1}, "birth_year", "implausible_birth_year"),
    ({"birth_year": 99999}, "birth_year", "implausible_birth_year"),
    ({"date_of_birth": "2001-02-03", "birth_year": 2002}, "birth_year", "year_does_not_match_date"),
]


@time_machine.travel(NOW, tick=False)
@pytest.mark.parametrize(("values", "field", "code"), BAD_BIRTHS)
def test_api_refuses_an_implausible_birth_with_400_and_creates_nothing(
    login, case_worker, world, values: dict[str, Any], field: str, code: str
) -> None:
    before = counts()
    response = api_create(login(case_worker), name_latin="Real Name", **values)
    assert response.status_code == 400
    assert response.json()["errors"] == {field: [problem(code)]}
    assert counts() == before


@time_machine.travel(NOW, tick=False)
@pytest.mark.parametrize(("values", "field", "code"), BAD_BIRTHS)
def test_page_refuses_an_implausible_birth_and_creates_nothing(
    login, case_worker, agency_a, world, values: dict[str, Any], field: str, code: str
) -> None:
    before = counts()
    data = page_data(agency_a, name_latin="Real Name", **{k: str(v) for k, v in values.items()})
    response = login(case_worker).post(reverse("survivors:register"), data)
    assert response.status_code == 200
    html = response.content.decode()
    assert f'data-error-for="{field}"' in html
    assert problem(code) in html
    assert counts() == before


@time_machine.travel(NOW, tick=False)
@pytest.mark.parametrize(
    ("identity", "clear"),
    [
        ({"date_of_birth": "0001-01-01"}, {}),
        ({"date_of_birth": "9999-12-31"}, {}),
        ({"date_of_birth": "2026-06-16"}, {}),
        ({"date_of_birth": "not a date"}, {}),
        ({}, {"birth_year": 2100}),
        ({"date_of_birth": "2001-02-03"}, {"birth_year": 2000}),
    ],
)
def test_the_action_refuses_an_implausible_birth_whatever_the_door(
    case_worker, agency_a, identity: dict[str, str], clear: dict[str, Any]
) -> None:
    with pytest.raises(actions.SurvivorError):
        register(
            case_worker, agency_a,
            identity={"name_latin": "Real Name", **identity}, clear={"birth_year": None, **clear},
        )  # fmt: skip
    assert counts() == {"survivors": 0, "documents": 0, "reviews": 0, "events": 0}


@time_machine.travel(NOW, tick=False)
def test_the_action_takes_the_year_from_a_plausible_date(case_worker, agency_a) -> None:
    survivor = register(
        case_worker, agency_a,
        identity={"name_latin": "Real Name", "date_of_birth": "1900-01-01"}, clear={},
    )  # fmt: skip
    assert (survivor.birth_year, survivor.date_of_birth) == (1900, "1900-01-01")


@time_machine.travel(NOW, tick=False)
@pytest.mark.parametrize("age", ["-1", "121", "500"])
def test_page_refuses_an_implausible_estimated_age(login, case_worker, agency_a, age: str) -> None:
    data = page_data(agency_a, name_latin="Real Name", estimated_age=age)
    response = login(case_worker).post(reverse("survivors:register"), data)
    html = response.content.decode()
    assert 'data-error-for="estimated_age"' in html
    assert problem("implausible_age") in html
    assert Survivor.objects.count() == 0


@time_machine.travel(NOW, tick=False)
def test_the_edit_page_refuses_an_implausible_date_of_birth(login, case_worker, world) -> None:
    survivor = world.registered_by_a
    response = login(case_worker).post(
        reverse("survivors:edit", args=[survivor.code]),
        {"version": "1", "name_ar": "فاطمة أحمد علي", "sex": "female",
         "date_of_birth": "0001-01-01", "nationality": "EG"},
    )  # fmt: skip
    assert response.status_code == 200
    assert 'data-error-for="date_of_birth"' in response.content.decode()
    survivor.refresh_from_db()
    assert (survivor.version, survivor.birth_year) == (1, 1999)
