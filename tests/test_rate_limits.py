"""Too many requests get a clear 429 and change nothing.

The API counts each signed-in person's requests: over the rate, the answer is problem
details with status 429 and a Retry-After, in the person's language, and the request does
not run. Sign-in is limited by the lockout (``accounts/tests/test_login.py``) and duplicate
checks by their own hourly limit (``survivors/tests/test_duplicates.py``).
"""

from collections.abc import Callable, Iterator

import pytest
from django.core.cache import cache
from django.test import Client
from rest_framework.throttling import SimpleRateThrottle

from himaya.accounts.models import User
from himaya.cases.tests.factories import CaseFactory
from himaya.integrity.tests.helpers import signed_in

pytestmark = pytest.mark.django_db

RATE = 3


@pytest.fixture(autouse=True)
def api_rate(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """A rate of three requests a minute (the tests run with the limit off)."""
    monkeypatch.setattr(
        SimpleRateThrottle, "THROTTLE_RATES", {"user": f"{RATE}/minute", "anon": "1/minute"}
    )
    cache.clear()
    yield
    cache.clear()


def test_the_settings_limit_the_api_outside_the_tests() -> None:
    from himaya.core.tests.test_settings import _production, _run

    code = (
        "from django.conf import settings as s; "
        "r = s.REST_FRAMEWORK; "
        "print(r['DEFAULT_THROTTLE_RATES']['user'], r['DEFAULT_THROTTLE_RATES']['anon'], "
        "len(r['DEFAULT_THROTTLE_CLASSES']))"
    )
    result = _run(["-c", code], _production())
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["600/minute", "60/minute", "2"]


def test_over_the_rate_the_api_answers_429_problem_details_with_retry_after(
    login: Callable[[User], Client], case_worker: User
) -> None:
    client = login(case_worker)
    client.cookies["himaya_language"] = "en"
    answers = [client.get("/cases/api/cases/").status_code for _ in range(RATE)]
    refused = client.get("/cases/api/cases/")

    assert answers == [200] * RATE
    assert refused.status_code == 429
    assert refused["Content-Type"] == "application/problem+json"
    assert 1 <= int(refused["Retry-After"]) <= 60
    problem = refused.json()
    assert problem["status"] == 429
    assert problem["title"] == "Too many requests"
    assert problem["detail"].startswith("Request was throttled.")


def test_a_write_over_the_rate_is_refused_before_it_runs(
    login: Callable[[User], Client], case_worker: User
) -> None:
    case = CaseFactory(lead_agency=case_worker.memberships.get().agency, case_worker=case_worker)
    client = login(case_worker)
    for _ in range(RATE):
        client.get("/cases/api/cases/")
    refused = client.post(
        f"/cases/api/cases/{case.code}/transition/",
        {"to_phase": "protection", "version": case.version},
        content_type="application/json",
    )

    assert refused.status_code == 429
    case.refresh_from_db()
    assert (case.phase, case.version) == ("identification", 1)


def test_each_person_has_their_own_count(
    login: Callable[[User], Client], case_worker: User, supervisor: User
) -> None:
    first = login(case_worker)
    for _ in range(RATE):
        first.get("/cases/api/cases/")
    assert first.get("/cases/api/cases/").status_code == 429

    second = signed_in(supervisor)
    assert second.get("/cases/api/cases/").status_code == 200


def test_the_refusal_speaks_arabic_to_an_arabic_reader(
    login: Callable[[User], Client], case_worker: User
) -> None:
    client = login(case_worker)
    client.cookies["himaya_language"] = "ar"
    for _ in range(RATE):
        client.get("/cases/api/cases/")
    problem = client.get("/cases/api/cases/").json()

    assert problem["title"] == "طلبات كثيرة جدًا"
    assert problem["detail"].startswith("تم حد الطلب.")


# --- pages: the survivors search and the export door (``core.ratelimit``) ----------------


def test_the_settings_limit_searches_and_exports_outside_the_tests() -> None:
    from himaya.core.tests.test_settings import _production, _run

    code = (
        "from django.conf import settings as s; print(s.HIMAYA_SEARCH_RATE, s.HIMAYA_EXPORT_RATE)"
    )
    result = _run(["-c", code], _production())
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["60/minute", "30/hour"]


def test_a_rate_is_read_as_a_count_in_a_window_and_anything_else_is_no_limit() -> None:
    from himaya.core.ratelimit import Rate, parse_rate

    assert parse_rate("60/minute") == Rate(60, 60)
    assert parse_rate("30/hour") == Rate(30, 3600)
    assert [parse_rate(text) for text in ("", None, "60", "x/minute", "5/fortnight")] == [None] * 5


@pytest.mark.parametrize(
    ("language", "words"),
    [("en", "Try again in"), ("ar", "حاول مرة أخرى بعد")],
)
def test_a_search_over_the_rate_is_refused_with_429_and_reads_nothing(
    login: Callable[[User], Client],
    case_worker: User,
    settings: object,
    language: str,
    words: str,
) -> None:
    from himaya.audit.models import AuditEvent

    settings.HIMAYA_SEARCH_RATE = f"{RATE}/minute"  # type: ignore[attr-defined]
    client = login(case_worker)
    client.cookies["himaya_language"] = language
    answers = [client.get("/survivors/", {"q": "فاطمة"}).status_code for _ in range(RATE)]
    searches = AuditEvent.objects.filter(action="survivor.search").count()
    refused = client.get("/survivors/", {"q": "فاطمة"})

    assert answers == [200] * RATE
    assert refused.status_code == 429
    assert 1 <= int(refused["Retry-After"]) <= 60
    assert words in refused.content.decode()
    assert AuditEvent.objects.filter(action="survivor.search").count() == searches
    # The list without a search is not a search: it is not counted.
    assert client.get("/survivors/").status_code == 200


def test_an_export_over_the_rate_is_refused_with_429_and_writes_nothing(
    login: Callable[[User], Client], case_worker: User, settings: object
) -> None:
    from himaya.accounts.tests.factories import PASSWORD
    from himaya.audit.exports import ACTION
    from himaya.audit.models import AuditEvent

    settings.HIMAYA_EXPORT_RATE = "1/hour"  # type: ignore[attr-defined]
    client = login(case_worker)
    client.cookies["himaya_language"] = "en"
    first = client.post("/survivors/?export=csv", {"purpose": "reporting", "password": PASSWORD})
    rows = AuditEvent.objects.count()
    second = client.post("/cases/?export=csv", {"purpose": "reporting", "password": PASSWORD})

    assert first.status_code == 200
    assert first["Content-Disposition"].startswith('attachment; filename="survivors-')
    assert second.status_code == 429
    assert "Try again in" in second.content.decode()
    assert AuditEvent.objects.count() == rows
    assert AuditEvent.objects.filter(action=ACTION).count() == 1


# --- one count across processes: the counts live in Redis when the deployment has one ------


def test_with_a_redis_address_the_counts_live_in_that_redis_and_without_it_in_each_process() -> (
    None
):
    from himaya.core.tests.test_settings import _production, _run

    code = (
        "from django.conf import settings as s; c = s.CACHES['default']; "
        "print(c['BACKEND'].rsplit('.', 1)[1], c.get('LOCATION', '-'))"
    )
    shared = _run(["-c", code], {**_production(), "HIMAYA_REDIS_URL": "redis://queue:6379/2"})
    alone = _run(["-c", code], _production())
    assert shared.returncode == 0, shared.stderr
    assert shared.stdout.split() == ["RedisCache", "redis://queue:6379/2"]
    assert alone.stdout.split() == ["LocMemCache", "-"]


SPEND = """
import django, sys
django.setup()
from types import SimpleNamespace
from himaya.core.ratelimit import spend
person = SimpleNamespace(is_authenticated=True, pk=int(sys.argv[1]))
request = SimpleNamespace(user=person, META={})
answers = [spend(request, "search", "HIMAYA_SEARCH_RATE") for _ in range(2)]
print(" ".join("over" if wait else "ok" for wait in answers))
"""


@pytest.mark.redis
def test_two_processes_share_one_allowance_through_redis() -> None:
    redis = pytest.importorskip("redis")
    import os
    import random
    import subprocess
    import sys

    from himaya.core.tests.test_settings import ROOT

    url = os.environ.get("HIMAYA_REDIS_URL") or "redis://127.0.0.1:6379/15"
    try:
        redis.Redis.from_url(url, socket_connect_timeout=1).ping()
    except redis.exceptions.RedisError:
        if os.environ.get("HIMAYA_REDIS_REQUIRED"):  # continuous integration starts one
            raise
        pytest.skip(f"no Redis answers at {url}")
    env = {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "DJANGO_SETTINGS_MODULE": "himaya.settings",
        "HIMAYA_REDIS_URL": url,
        "HIMAYA_SEARCH_RATE": "3/day",
    }
    person = str(random.randrange(10**9, 10**10))  # a count of its own in a shared Redis

    def one_process() -> list[str]:
        result = subprocess.run(  # noqa: S603 (the test's own interpreter and arguments)
            [sys.executable, "-c", SPEND, person],
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        assert result.returncode == 0, result.stderr
        return result.stdout.split()

    assert one_process() + one_process() == ["ok", "ok", "ok", "over"]
