"""Idempotent API writes: a POST repeated with the same ``Idempotency-Key`` makes one record
and answers the same; the same key with another request is refused with 422."""

import json
import threading
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from django.db import connection
from django.test import Client, RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from himaya.accounts.models import User
from himaya.agencies.models import Agency, Role
from himaya.audit.models import AuditEvent
from himaya.fund.models import PaymentRequest
from himaya.fund.tests.factories import BudgetLineFactory, make_case
from himaya.integrity.idempotency import REPLAYED_HEADER, claim, prune_keys, request_hash
from himaya.integrity.models import IdempotencyKey
from himaya.integrity.tests.helpers import signed_in
from himaya.referrals.models import Referral
from himaya.referrals.tests.factories import CaseFactory, give_consent

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english(client: Client) -> None:
    client.cookies["himaya_language"] = "en"


@pytest.fixture
def fund_officer(make_persona: Callable[..., User]) -> User:
    return make_persona(Role.FUND_OFFICER, None, "fund_officer_idem")


def payment_body() -> dict[str, Any]:
    return {
        "case": make_case().code,
        "budget_line": BudgetLineFactory().code,
        "purpose": "medical",
        "amount": "1500.00",
        "justification": "أدوية مزمنة",
    }


def hash_of(url: str, body: dict[str, Any]) -> str:
    fake = RequestFactory().post(url, json.dumps(body), content_type="application/json")
    return request_hash(fake)


def post(client: Client, url: str, body: dict[str, Any], key: str | None) -> Any:
    headers = {"Idempotency-Key": key} if key is not None else {}
    return client.post(url, json.dumps(body), content_type="application/json", headers=headers)


def test_a_payment_request_sent_three_times_with_one_key_is_made_once(
    login: Callable[[User], Client], fund_officer: User
) -> None:
    client = login(fund_officer)
    body = payment_body()
    url = reverse("fund:api_request")
    answers = [post(client, url, body, "pay-7f3c") for _ in range(3)]
    assert [answer.status_code for answer in answers] == [201, 201, 201]
    assert answers[1].content == answers[0].content == answers[2].content
    assert REPLAYED_HEADER not in answers[0]
    assert answers[1][REPLAYED_HEADER] == "true"
    assert PaymentRequest.objects.count() == 1
    assert AuditEvent.objects.filter(action="fund.payment_requested").count() == 1
    assert IdempotencyKey.objects.get().status_code == 201


def test_the_same_key_with_another_body_is_refused_and_changes_nothing(
    login: Callable[[User], Client], fund_officer: User
) -> None:
    client = login(fund_officer)
    body = payment_body()
    url = reverse("fund:api_request")
    assert post(client, url, body, "pay-1").status_code == 201
    refused = post(client, url, {**body, "amount": "1600.00"}, "pay-1")
    assert refused.status_code == 422
    assert refused["Content-Type"] == "application/problem+json"
    assert refused.json() == {
        "type": "about:blank",
        "title": "Idempotency key reused",
        "status": 422,
        "detail": "This idempotency key was already used with another request.",
    }
    assert list(PaymentRequest.objects.values_list("amount", flat=True)) == [1500]


def test_without_a_key_every_request_is_a_new_write(
    login: Callable[[User], Client], fund_officer: User
) -> None:
    client = login(fund_officer)
    body = payment_body()
    url = reverse("fund:api_request")
    assert [post(client, url, body, None).status_code for _ in range(2)] == [201, 201]
    assert PaymentRequest.objects.count() == 2
    assert IdempotencyKey.objects.count() == 0


def test_keys_belong_to_their_user(
    login: Callable[[User], Client],
    fund_officer: User,
    make_persona: Callable[..., User],
) -> None:
    other = make_persona(Role.FUND_OFFICER, None, "fund_officer_other")
    body = payment_body()
    url = reverse("fund:api_request")
    assert post(login(fund_officer), url, body, "shared").status_code == 201
    assert post(signed_in(other), url, body, "shared").status_code == 201
    assert PaymentRequest.objects.count() == 2


def test_a_refused_write_is_answered_the_same_again_without_a_second_try(
    login: Callable[[User], Client], fund_officer: User
) -> None:
    client = login(fund_officer)
    body = {**payment_body(), "amount": "-5"}
    url = reverse("fund:api_request")
    first, again = (post(client, url, body, "bad-1") for _ in range(2))
    assert first.status_code == again.status_code == 400
    assert first.content == again.content
    assert PaymentRequest.objects.count() == 0


def test_a_referral_sent_twice_with_one_key_is_sent_once(
    login: Callable[[User], Client], personas: dict[str, User], agency_a: Agency
) -> None:
    worker = personas[Role.CASE_WORKER]
    partner = personas[Role.PARTNER_STAFF].memberships.get().agency
    case = CaseFactory(lead_agency=agency_a, case_worker=worker)
    give_consent(case.survivor, worker, recipient=partner)
    client = login(worker)
    body = {
        "case": case.code,
        "to_agency": partner.code,
        "service_type": "legal_aid",
        "shared_fields": ["first_name", "languages"],
    }
    url = reverse("referrals:api_create")
    first, again = (post(client, url, body, "ref-1") for _ in range(2))
    assert first.status_code == again.status_code == 201
    assert first.json() == again.json()
    assert Referral.objects.count() == 1
    assert AuditEvent.objects.filter(action__startswith="referral.").count() == 1


def test_an_invalid_key_is_refused_as_bad_input(
    login: Callable[[User], Client], fund_officer: User
) -> None:
    client = login(fund_officer)
    for key in ("", "x" * 256, "مفتاح", "a b"):
        answer = post(client, reverse("fund:api_request"), payment_body(), key)
        assert answer.status_code == 400, key
        assert answer["Content-Type"] == "application/problem+json"
    assert PaymentRequest.objects.count() == 0


def test_an_expired_key_may_be_used_again(
    login: Callable[[User], Client], fund_officer: User, settings: Any
) -> None:
    client = login(fund_officer)
    body = payment_body()
    url = reverse("fund:api_request")
    assert post(client, url, body, "old").status_code == 201
    IdempotencyKey.objects.update(created_at=timezone.now() - timedelta(days=2))
    assert post(client, url, body, "old").status_code == 201
    assert PaymentRequest.objects.count() == 2
    IdempotencyKey.objects.update(created_at=timezone.now() - timedelta(days=2))
    assert prune_keys() == 1
    assert IdempotencyKey.objects.count() == 0


def test_a_claim_left_by_a_dead_process_is_taken_over(
    login: Callable[[User], Client], fund_officer: User
) -> None:
    body, url = payment_body(), reverse("fund:api_request")
    IdempotencyKey.objects.create(user=fund_officer, key="orphan", request_hash=hash_of(url, body))
    IdempotencyKey.objects.update(created_at=timezone.now() - timedelta(minutes=10))
    client = login(fund_officer)
    assert post(client, url, body, "orphan").status_code == 201
    assert PaymentRequest.objects.count() == 1


def test_a_repeat_while_the_first_is_answered_waits_then_is_told_to_retry(
    login: Callable[[User], Client], fund_officer: User, settings: Any
) -> None:
    settings.IDEMPOTENCY_WAIT_SECONDS = 0
    client = login(fund_officer)
    body = payment_body()
    url = reverse("fund:api_request")
    IdempotencyKey.objects.create(user=fund_officer, key="busy", request_hash=hash_of(url, body))
    answer = post(client, url, body, "busy")
    assert answer.status_code == 409
    assert PaymentRequest.objects.count() == 0


@pytest.mark.postgres
@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs concurrent writers")
@pytest.mark.django_db(transaction=True)
def test_one_key_sent_by_eight_threads_at_once_makes_one_record(
    fund_officer: User,
) -> None:
    body = payment_body()
    url = reverse("fund:api_request")
    clients = [signed_in(fund_officer) for _ in range(8)]
    answers: list[Any] = []
    start = threading.Barrier(len(clients))

    def send(client: Client) -> None:
        try:
            start.wait()
            answers.append(post(client, url, body, "together"))
        finally:
            connection.close()

    threads = [threading.Thread(target=send, args=(client,)) for client in clients]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert [answer.status_code for answer in answers] == [201] * 8
    assert len({answer.content for answer in answers}) == 1
    assert PaymentRequest.objects.count() == 1
    assert AuditEvent.objects.filter(action="fund.payment_requested").count() == 1


def test_a_body_too_large_to_keep_is_refused_with_a_key_and_changes_nothing(
    login: Callable[[User], Client], fund_officer: User, settings: Any
) -> None:
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 100
    client = login(fund_officer)
    answer = post(client, reverse("fund:api_request"), payment_body(), "big")
    assert answer.status_code == 413
    assert answer["Content-Type"] == "application/problem+json"
    assert PaymentRequest.objects.count() == 0
    assert IdempotencyKey.objects.count() == 0


def test_a_new_key_is_claimed_in_one_statement(fund_officer: User) -> None:
    with CaptureQueriesContext(connection) as queries:
        claimed = claim(user_id=fund_officer.pk, key="fresh", digest="a" * 64)
    assert len(queries) == 1
    assert isinstance(claimed, IdempotencyKey)
    stored = IdempotencyKey.objects.get()
    assert (stored.pk, stored.key, stored.request_hash, stored.completed_at) == (
        claimed.pk,
        "fresh",
        "a" * 64,
        None,
    )


def test_a_claim_left_by_a_dead_process_is_not_taken_over_by_another_request(
    login: Callable[[User], Client], fund_officer: User
) -> None:
    body, url = payment_body(), reverse("fund:api_request")
    IdempotencyKey.objects.create(user=fund_officer, key="orphan", request_hash="b" * 64)
    IdempotencyKey.objects.update(created_at=timezone.now() - timedelta(minutes=10))
    answer = post(login(fund_officer), url, body, "orphan")
    assert answer.status_code == 422
    assert PaymentRequest.objects.count() == 0
    assert IdempotencyKey.objects.get().request_hash == "b" * 64
