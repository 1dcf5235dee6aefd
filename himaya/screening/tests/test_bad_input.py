"""Numbers beyond any record and oversized answers are refused with a message, through the
pages and the API alike, and record nothing."""

import json
from collections.abc import Callable
from typing import Any

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from himaya.accounts.models import User
from himaya.agencies.models import Agency
from himaya.audit.models import AuditEvent
from himaya.core.bounds import MAX_INTEGER
from himaya.screening.actions import MAX_ANSWERS, record_screening
from himaya.screening.exceptions import ScreeningError
from himaya.screening.models import IndicatorSet, Screening, ScreeningAnswer
from himaya.screening.tests.factories import SurvivorFactory, labour_set
from himaya.survivors.models import Survivor

pytestmark = pytest.mark.django_db


@pytest.fixture
def survivor(case_worker: User, agency_a: Agency) -> Survivor:
    return SurvivorFactory(registered_by_agency=agency_a, registered_by=case_worker)


@pytest.fixture
def client_en(case_worker: User, login: Callable[[User], Client]) -> Client:
    client = login(case_worker)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def snapshot() -> tuple[int, int, int]:
    return Screening.objects.count(), ScreeningAnswer.objects.count(), AuditEvent.objects.count()


def _message(response: Any) -> str:
    body = response.json()
    if "errors" in body:
        ((_field, messages),) = body["errors"].items()
        return str(messages[0])
    if "detail" in body:
        return str(body["detail"])
    ((_field, messages),) = body.items()
    return str(messages[0])


def _payload(survivor: Survivor, **changes: Any) -> str:
    return json.dumps(
        {
            "survivor": survivor.code,
            "indicator_set": labour_set().pk,
            "answers": {},
            "consent_by": "person",
            **changes,
        }
    )


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        (
            {"indicator_set": 2**63 + 1},
            f"Ensure this value is less than or equal to {MAX_INTEGER}.",
        ),
        ({"indicator_set": 0}, "Ensure this value is greater than or equal to 1."),
        (
            {"answers": {f"X{n}": "yes" for n in range(MAX_ANSWERS + 1)}},
            f"A screening answers at most {MAX_ANSWERS} indicators.",
        ),
    ],
    ids=["set beyond 2**63", "set 0", "too many answers"],
)
def test_the_api_refuses_numbers_and_answers_out_of_bounds_and_records_nothing(
    client_en: Client, survivor: Survivor, changes: dict[str, Any], message: str
) -> None:
    before = snapshot()
    response = client_en.post(
        reverse("screening:api_screenings"),
        _payload(survivor, **changes),
        content_type="application/json",
    )
    assert response.status_code == 400
    assert _message(response) == message
    assert snapshot() == before


def test_a_refusal_names_at_most_ten_unknown_indicators(
    client_en: Client, survivor: Survivor
) -> None:
    answers = {f"UNKNOWN-{n:03}" + "x" * 100: "yes" for n in range(40)}
    before = snapshot()
    response = client_en.post(
        reverse("screening:api_screenings"),
        _payload(survivor, answers=answers),
        content_type="application/json",
    )
    assert response.status_code == 400
    named = _message(response).split(": ", 1)[1].rstrip(".").split(", ")
    assert named == [f"UNKNOWN-{n:03}" + "x" * 19 for n in range(10)]
    assert snapshot() == before


def test_an_indicator_set_number_beyond_any_record_is_not_found(client_en: Client) -> None:
    response = client_en.get(reverse("screening:api_indicators", args=[10**30]))
    assert response.status_code == 404


def test_the_start_page_treats_a_set_number_beyond_any_record_as_no_choice(
    client_en: Client, survivor: Survivor
) -> None:
    before = snapshot()
    response = client_en.get(
        reverse("screening:start"), {"survivor": survivor.code, "indicator_set": str(10**30)}
    )
    assert response.status_code == 200
    assert "screening/choose_set.html" in [t.name for t in response.templates]
    assert snapshot() == before


def test_the_action_refuses_more_answers_than_any_set_holds(
    case_worker: User, survivor: Survivor
) -> None:
    indicator_set: IndicatorSet = labour_set()
    before = snapshot()
    with pytest.raises(ScreeningError):
        record_screening(
            by=case_worker,
            survivor=survivor,
            indicator_set=indicator_set,
            answers={f"X{n}": "yes" for n in range(MAX_ANSWERS + 1)},
            consent_by="person",
        )
    assert snapshot() == before
