"""Idempotent API writes: the ``Idempotency-Key`` header on a POST to the API.

The first request with a key claims it (a row of ``IdempotencyKey``, unique per user and
key) and its answer is stored; every later request of the same user with the same key and
the same method, path and body gets that stored answer again, and the write is not done a
second time. A request that arrives while the first is still being answered waits for
its answer. The same key with another request is refused (422, problem details). Keys
expire after ``settings.IDEMPOTENCY_TTL``; a claim left unanswered by a process that died
is taken over after ``settings.IDEMPOTENCY_STALE_AFTER``.

The middleware covers every POST under an API prefix (``core.problems.is_api_path``) of a
signed-in user, whatever view answers it; a request without the header is served as
before.
"""

import hashlib
import time
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils import timezone
from django.utils.translation import gettext as _

from himaya.core.problems import CONTENT_TYPE, is_api_path, problem
from himaya.integrity.models import IdempotencyKey

HEADER = "Idempotency-Key"
REPLAYED_HEADER = "Idempotent-Replayed"
MAX_KEY_LENGTH = 255
POLL_SECONDS = 0.05


def request_hash(request: HttpRequest) -> str:
    """SHA-256 of what makes two requests the same: method, path, query and body."""
    digest = hashlib.sha256()
    for part in (request.method or "", request.get_full_path()):
        digest.update(part.encode("utf-8") + b"\x1f")
    digest.update(request.body)
    return digest.hexdigest()


def valid_key(key: str) -> bool:
    """A key is 1 to 255 visible ASCII characters (a UUID, typically)."""
    return 0 < len(key) <= MAX_KEY_LENGTH and all(33 <= ord(char) <= 126 for char in key)


def ttl() -> timedelta:
    return timedelta(seconds=int(settings.IDEMPOTENCY_TTL_SECONDS))


def stale_after() -> timedelta:
    return timedelta(seconds=int(settings.IDEMPOTENCY_STALE_SECONDS))


def _problem(status: int, detail: str, title: str) -> JsonResponse:
    return JsonResponse(
        problem(status, detail, title=title), status=status, content_type=CONTENT_TYPE
    )


def _replay(record: IdempotencyKey) -> HttpResponse:
    response = HttpResponse(
        bytes(record.body), status=record.status_code or 200, content_type=record.content_type
    )
    response[REPLAYED_HEADER] = "true"
    return response


def _take(*, user_id: int, key: str, digest: str, now: Any) -> int | None:
    """One statement, committed on its own: the key claimed for this request, or ``None``
    when a claim stands. A new key is inserted; an expired claim, or an unanswered one of
    the same request left by a process that died (older than ``stale_after``), is taken
    over in the same statement. Nothing else is read or written."""
    ops = connection.ops
    table = ops.quote_name(IdempotencyKey._meta.db_table)
    user, name, hashed, created, completed, status, kind, body = (
        ops.quote_name(column)
        for column in (
            "user_id",
            "key",
            "request_hash",
            "created_at",
            "completed_at",
            "status_code",
            "content_type",
            "body",
        )
    )
    sql = (
        f"INSERT INTO {table} ({user}, {name}, {hashed}, {created}, "  # noqa: S608  # names from the model  # nosec B608
        f"{completed}, {status}, {kind}, {body}) "
        "VALUES (%s, %s, %s, %s, NULL, NULL, '', %s) "
        f"ON CONFLICT ({user}, {name}) DO UPDATE SET {hashed} = excluded.{hashed}, "
        f"{created} = excluded.{created}, {completed} = NULL, {status} = NULL, "
        f"{kind} = '', {body} = excluded.{body} "
        f"WHERE {table}.{created} < %s OR ({table}.{completed} IS NULL "
        f"AND {table}.{created} < %s AND {table}.{hashed} = excluded.{hashed}) "
        "RETURNING id"
    )
    stamp = ops.adapt_datetimefield_value
    params: list[Any] = [
        user_id,
        key,
        digest,
        stamp(now),
        b"",
        stamp(now - ttl()),
        stamp(now - stale_after()),
    ]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        row = cursor.fetchone()
    return None if row is None else int(row[0])


def claim(*, user_id: int, key: str, digest: str) -> IdempotencyKey | HttpResponse:
    """The new claim on the key (the caller answers), or the answer to give instead."""
    wait_until = time.monotonic() + float(settings.IDEMPOTENCY_WAIT_SECONDS)
    while True:
        now = timezone.now()
        taken = _take(user_id=user_id, key=key, digest=digest, now=now)
        if taken is not None:
            return IdempotencyKey(
                pk=taken, user_id=user_id, key=key, request_hash=digest, created_at=now
            )
        existing = IdempotencyKey.objects.filter(user_id=user_id, key=key).first()
        if existing is None:
            continue  # answered and pruned meanwhile: claim it again
        if existing.request_hash != digest:
            return _problem(
                422,
                _("This idempotency key was already used with another request."),
                _("Idempotency key reused"),
            )
        if existing.completed_at is not None:
            return _replay(existing)
        if existing.created_at < now - stale_after():
            continue  # left by a process that died: the next claim takes it over
        if time.monotonic() > wait_until:
            return _problem(
                409,
                _("A request with this idempotency key is still being answered; try again."),
                _("Conflict"),
            )
        time.sleep(POLL_SECONDS)


def complete(record: IdempotencyKey, response: HttpResponse) -> None:
    """Keep the answer; a server error or a streamed answer is not kept (retry may run)."""
    if response.status_code >= 500 or response.streaming:
        release(record)
        return
    IdempotencyKey.objects.filter(pk=record.pk).update(
        completed_at=timezone.now(),
        status_code=response.status_code,
        content_type=response.get("Content-Type", ""),
        body=response.content,
    )


def release(record: IdempotencyKey) -> None:
    IdempotencyKey.objects.filter(pk=record.pk, completed_at__isnull=True).delete()


def prune_keys() -> int:
    """Delete the expired keys; answer how many."""
    deleted, _kinds = IdempotencyKey.objects.filter(created_at__lt=timezone.now() - ttl()).delete()
    return deleted


class IdempotencyMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        key = request.headers.get(HEADER)
        user: Any = getattr(request, "user", None)
        if (
            key is None
            or request.method != "POST"
            or not is_api_path(request.path)
            or user is None
            or not user.is_authenticated
        ):
            return self.get_response(request)
        key = key.strip()
        if not valid_key(key):
            return _problem(
                400,
                _("The idempotency key must be 1 to 255 visible ASCII characters."),
                _("The input is not valid"),
            )
        try:
            digest = request_hash(request)
        except RequestDataTooBig:
            return _problem(
                413,
                _("The request is too large to be sent with an idempotency key."),
                _("The request is too large"),
            )
        outcome = claim(user_id=user.pk, key=key, digest=digest)
        if isinstance(outcome, HttpResponse):
            return outcome
        try:
            response = self.get_response(request)
        except BaseException:
            release(outcome)
            raise
        complete(outcome, response)
        return response
