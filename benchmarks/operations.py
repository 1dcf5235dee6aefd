"""The control and emergency centre on a generated national dataset.

``generate_national`` fills the database with ``size`` cases over one year; then two
comparisons, each timed alternately in the same run:

1. one evaluation of every alert rule (``evaluate_alerts``: a few aggregate queries, set
   based) against the daily indicator computation of one day (``compute_indicators``),
   the work the scheduler already does every night. Target: at most 0.5x. The alerts
   raised by the first evaluation are kept, so the rounds time the steady state, where
   each condition is already in the queue and nothing new is written.
2. the board's live fragment (an operator, signed in) against a bare view that runs one
   indexed query through the same middleware. Target: at most 3x.

Run: ``.venv/bin/python benchmarks/run.py --only operations --cases 1000000``
(add ``DATABASE_URL=postgres://…`` for PostgreSQL); on a database that already holds a
national dataset, add ``--as-is`` to use it instead of generating one.
"""

from collections.abc import Callable
from datetime import timedelta

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.test import Client, override_settings
from django.urls import include, path
from django.utils import timezone

from benchmarks import population
from himaya.agencies.models import Role
from himaya.agencies.permissions import forget_roles
from himaya.cases.models import Case
from himaya.monitoring.actions import compute_indicators
from himaya.monitoring.generate import generate
from himaya.operations.actions import evaluate_alerts
from himaya.operations.models import Alert

Compare = Callable[[str, Callable[[], object], Callable[[], object], int], None]


@login_required
def bare(request: HttpRequest) -> HttpResponse:
    found = Case.objects.filter(code=request.GET.get("code", "")).values_list("id", flat=True)
    return HttpResponse(f"{found.first()}", content_type="text/plain")


urlpatterns = [path("bench-bare/", bare), path("", include(settings.ROOT_URLCONF))]


def run(size: int, rounds: int, compare: Compare, compare_cost: Compare) -> None:
    until = timezone.localdate()
    if Case.objects.count() < size:  # a national dataset already there is used as it is
        generate(
            cases=size, seed=7, years=1, until=until, search_tokens=False, report=lambda _: None
        )
    yesterday = until - timedelta(days=1)
    compute_indicators(start=yesterday, end=yesterday)
    raised = evaluate_alerts()
    print(f"  ({Case.objects.count()} cases; {raised} alerts raised by the first evaluation)")

    compare_cost(
        "alert evaluation vs the daily indicators of one day",
        lambda: compute_indicators(start=yesterday, end=yesterday),
        evaluate_alerts,
        rounds,
    )
    print(f"  ({Alert.objects.count()} alerts in the queue)")

    agency = population.agency("bench-operations")
    operator = population.person("bench-operations-operator", Role.OPERATOR, agency)
    forget_roles(operator)
    client = Client()
    client.force_login(operator)
    code = Case.objects.values_list("code", flat=True).first()
    with override_settings(ROOT_URLCONF=__name__, DEMO_SKIP_OTP=True):
        board = client.get("/operations/board/live/")
        assert board.status_code == 200, board.status_code
        assert client.get(f"/bench-bare/?code={code}").status_code == 200
        compare_cost(
            "board (live fragment) vs a bare view with one indexed query",
            lambda: client.get(f"/bench-bare/?code={code}"),
            lambda: client.get("/operations/board/live/"),
            rounds,
        )
