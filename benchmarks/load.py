"""Load benchmark: the case worker's pages under a closed loop of signed-in users.

Builds a PostgreSQL database holding ``--cases`` survivors and cases in one agency (bulk
inserts through ``benchmarks/population.py``), serves the project with gunicorn (sync
workers) beside a bare view that runs one indexed query through the same middleware, then
drives each page with 10 and 50 signed-in users who ask again as soon as they are answered
(no think time). For every page it prints p50/p95/p99, errors, requests per second, the
queries one request runs, and its p95 as a ratio to the bare view's p95 at the same load,
measured in the same run: the machine is shared, so only the ratios carry over. A search
appends a row to the audit trail, a durable write the bare view does not make: the
searches are also compared with a bare view that appends one (``bare-audited``).

The pages: the bare view, the work queue, the case list and a case, the case list API, the
survivors list, a search for a survivor's exact name and one for a part of it, and the
command centre's dashboard, board and the board's live part, asked by its operator. With
``--national`` the data is the national generator's (``generate_national``: every
governorate and every app's records), and its busiest case worker is the one who signs in. With
``--explain`` it first prints ``EXPLAIN (ANALYZE, BUFFERS)`` of the main query of each
list (case list, case API, work queue, survivors list and both searches) as the signed-in
case worker runs it.

    .venv/bin/python benchmarks/load.py [--cases 200000] [--users 10,50] [--seconds 30]
        [--workers 3] [--pages queue,cases,...] [--keep] [--reuse] [--explain] [--national]

PostgreSQL is reached at ``--server`` (default: the local server with trust auth); the
database ``--database`` (default ``himaya_load``) is dropped and made again unless
``--reuse`` is given, and dropped at the end unless ``--keep`` is given.
"""

from __future__ import annotations

import argparse
import datetime
import http.client
import os
import re
import signal
import statistics
import subprocess
import sys
import threading
import time
import urllib.parse
from dataclasses import dataclass, field
from pathlib import Path
from random import Random

ROOT = Path(__file__).resolve().parents[1]
PASSWORD = "load-benchmark-password-2026"
WORKER = "load-case-worker"
OPERATOR = "load-operator"
EXACT_NAME = "سلمى عبد الرحمن البنا"
# One word of the name above, which no other survivor's name holds. Not "الرحمن": the
# search reads "عبد الرحمن" as one compound name, so that word alone finds nobody.
PART_OF_NAME = "البنا"
ENV = {
    "HIMAYA_ENV": "test",
    "HIMAYA_SKIP_DOTENV": "1",
    "HIMAYA_FIELD_KEYS": "Jm8nN0Zw7rY0qW1l0c9dQ2s6vZ3xK4b5n6m7a8s9d0E=",
    "HIMAYA_BLIND_INDEX_KEY": "load-benchmark-blind-index-key",
    "HIMAYA_AUDIT_KEY": "load-benchmark-audit-key-0123456789abcdef",
    "SECRET_KEY": "load-benchmark-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz",
    "DJANGO_SETTINGS_MODULE": "himaya.settings",
}


def _django(database_url: str) -> None:
    os.environ.update(ENV)
    os.environ["DATABASE_URL"] = database_url
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def _psql(server: str, sql: str) -> None:
    subprocess.run(
        ["psql", f"{server}/postgres", "-qc", sql], check=True, capture_output=True, text=True
    )


def build(cases: int, seed: int) -> dict[str, str]:
    """The data set: one agency with ``cases`` survivors and cases; answers the URLs to drive."""

    from benchmarks import population
    from himaya.agencies.models import Governorate, Role
    from himaya.cases.models import Case
    from himaya.survivors.indexes import name_index, rebuild_search_tokens
    from himaya.survivors.models import Survivor, SurvivorSearchToken

    rng = Random(seed)
    agency = population.agency("Load directorate")
    worker = population.person(WORKER, Role.CASE_WORKER, agency)
    worker.set_password(PASSWORD)
    worker.save(update_fields=["password"])
    colleagues = [
        population.person(f"load-colleague-{n}", Role.CASE_WORKER, agency)
        for n in range(max(1, cases // 500))
    ]
    governorates = list(Governorate.objects.all())
    started = time.perf_counter()
    made = 0
    chunk = 20_000
    while made < cases:
        size = min(chunk, cases - made)
        people = population.survivors(size, agency=agency, by=worker, rng=rng)
        population.cases(
            people,
            lead=agency,
            workers=[worker, *colleagues] if made == 0 else colleagues,
            rng=rng,
            governorates=governorates,
        )
        made += size
        print(f"  built {made:,} cases ({time.perf_counter() - started:.0f} s)", flush=True)
    # One survivor the exact name search must find, among all the others.
    target = Survivor.objects.order_by("id")[cases // 2]
    Survivor.objects.filter(pk=target.pk).update(
        name_ar=EXACT_NAME,
        name_ar_index=name_index(EXACT_NAME),
    )
    # The search tokens (part of a name, phone, code) as registration writes them.
    written = rebuild_search_tokens(Survivor, SurvivorSearchToken)
    print(f"  {written:,} search tokens ({time.perf_counter() - started:.0f} s)", flush=True)
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    own = Case.objects.filter(case_worker=worker).order_by("id").values_list("code", flat=True)
    return {"case": own.first() or "", "query": EXACT_NAME, "part": PART_OF_NAME}


def build_national(cases: int, seed: int) -> dict[str, str]:
    """The national data set of ``generate_national`` (every governorate, every app's
    records): its busiest case worker becomes the benchmark's worker, one survivor of their
    cases takes the name the searches look for."""
    from django.core.management import call_command
    from django.db.models import Count

    from himaya.accounts.models import User
    from himaya.cases.models import Case, Phase
    from himaya.survivors.indexes import name_index, survivor_search_tokens
    from himaya.survivors.models import Survivor, SurvivorSearchToken

    call_command("generate_national", cases=cases, seed=seed)
    # The dashboard shows the daily indicators of the last weeks: computed as the
    # scheduler computes them every night.
    began = time.perf_counter()
    today = datetime.date.today()
    call_command(
        "compute_indicators", start=today - datetime.timedelta(days=30), end=today, verbosity=0
    )
    print(f"  indicators of 31 days in {time.perf_counter() - began:.0f} s", flush=True)
    busiest = (
        Case.objects.exclude(case_worker=None)
        .values("case_worker")
        .annotate(held=Count("id"))
        .order_by("-held")
        .first()
    )
    if busiest is None:
        raise RuntimeError("the generator made no case with a case worker")
    worker = User.objects.get(pk=busiest["case_worker"])
    worker.username = WORKER
    worker.set_password(PASSWORD)
    worker.save(update_fields=["username", "password"])
    print(f"  the benchmark's worker holds {busiest['held']:,} cases", flush=True)
    own = Survivor.objects.filter(cases__case_worker=worker).order_by("id")
    target = own[busiest["held"] // 2]
    target.name_ar = EXACT_NAME
    target.name_ar_index = name_index(EXACT_NAME)
    target.save(update_fields=["name_ar", "name_ar_index"])
    SurvivorSearchToken.objects.filter(survivor=target).delete()
    SurvivorSearchToken.objects.bulk_create(
        SurvivorSearchToken(survivor=target, kind=kind, token=token)
        for kind, token in survivor_search_tokens(target)
    )
    first = (
        Case.objects.filter(case_worker=worker)
        .exclude(phase=Phase.CLOSED)  # the benchmark's case is one still in care
        .order_by("id")
        .values_list("code", flat=True)
    )
    return {"case": first.first() or "", "query": EXACT_NAME, "part": PART_OF_NAME}


def ensure_operators(count: int) -> None:
    """The command centre's operators who sign in for its pages, one per simulated user, in
    the worker's agency, each with a confirmed authenticator (the role needs a second
    factor; ``Client.sign_in`` answers it with the current code)."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from benchmarks import population
    from himaya.accounts.models import User
    from himaya.agencies.models import Membership, Role

    membership = Membership.objects.filter(user__username=WORKER, is_active=True).first()
    if membership is None:
        raise RuntimeError("the benchmark's worker holds no membership")
    for n in range(count):
        username = f"{OPERATOR}-{n}"
        if User.objects.filter(username=username).exists():
            continue
        operator = population.person(username, Role.OPERATOR, membership.agency)
        operator.set_password(PASSWORD)
        operator.save(update_fields=["password"])
        TOTPDevice.objects.create(user=operator, name="load", confirmed=True)


def current_code(username: str) -> str:
    """The code the user's authenticator shows now."""
    from django_otp.oath import TOTP
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device = TOTPDevice.objects.get(user__username=username, confirmed=True)
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    return f"{totp.token():0{device.digits}d}"


def furnish(code: str) -> None:
    """Give the case the benchmark opens what a case in the middle of its care holds, once:
    forms of exploitation, two risk assessments, a care plan with three goals, identification
    decisions, notes, digital evidence, a platform and a dozen lines of timeline, so that
    its page reads its sections as a real case's page does."""

    from himaya.accounts.models import User
    from himaya.cases import actions
    from himaya.cases.models import (
        CarePlan,
        CarePlanGoal,
        Case,
        CasePlatform,
        DigitalEvidence,
        ExploitationForm,
        IdentificationDecision,
        IdentificationStatus,
        OnlinePlatform,
        PlatformRole,
        RiskAssessment,
        RiskLevel,
    )
    from himaya.timeline.actions import record_case_event
    from himaya.timeline.models import EventKind

    case = Case.objects.get(code=code)
    if RiskAssessment.objects.filter(case=case).exists():
        return
    worker = User.objects.get(username=WORKER)
    day = datetime.date(2026, 3, 3)
    case.exploitation_forms.add(*ExploitationForm.objects.order_by("id")[:2])
    for level in (RiskLevel.HIGH, RiskLevel.MEDIUM):
        RiskAssessment.objects.create(
            case=case, level=level, factors=["threats"], assessed_on=day, assessor=worker
        )
    plan = CarePlan.objects.create(case=case, summary="خطة رعاية", author=worker)
    for goal in ("سكن آمن", "رعاية طبية", "تدريب مهني"):
        CarePlanGoal.objects.create(care_plan=plan, description=goal)
    for status in (IdentificationStatus.POSSIBLE, IdentificationStatus.IDENTIFIED):
        IdentificationDecision.objects.create(
            case=case,
            status=status,
            decided_on=day,
            deciding_agency=case.lead_agency,
            decided_by=worker,
            grounds="مؤشرات قوية",
        )
    for body in ("زيارة منزلية", "مكالمة متابعة", "موعد طبي"):
        actions.add_case_note(case=case, body=body, by=worker)
    DigitalEvidence.objects.create(
        case=case, description="رسائل", reference="خزنة الأدلة", recorded_on=day, recorded_by=worker
    )
    platform = OnlinePlatform.objects.order_by("id").first()
    if platform is not None:
        CasePlatform.objects.create(case=case, platform=platform, role=PlatformRole.RECRUITMENT)
    for _ in range(9):
        record_case_event(
            case=case, kind=EventKind.CASE_UPDATED, by=worker, summary="تحديث بيانات الحالة"
        )


PAGES = {
    "bare": "/load-bare/?code={case}",
    "bare-audited": "/load-bare-audited/?code={case}",
    "queue": "/cases/queue/",
    "cases": "/cases/",
    "case": "/cases/{case}/",
    "cases-api": "/cases/api/cases/",
    "survivors": "/survivors/",
    "survivor-search": "/survivors/?q={query}",
    "survivor-part": "/survivors/?q={part}",
    "dashboard": "/monitoring/",
    "board": "/operations/",
    "board-live": "/operations/board/live/",
}
# Who asks for each page: the case worker, but for the command centre's pages, which its
# operator follows (the board's live part is what the operator's browser asks every few
# seconds).
OPERATOR_PAGES = {"dashboard", "board", "board-live"}
# The pages that append a row to the audit trail on every request (a search is audited,
# whatever it finds): their p95 is also shown as a ratio to the audited bare view.
AUDITED = {"survivor-search", "survivor-part"}
# The lists whose main query ``--explain`` shows: the first query of the page that reads
# the list's table in an order.
EXPLAINED = {
    "cases": "cases_case",
    "cases-api": "cases_case",
    "queue": "cases_case",
    "survivors": "survivors_survivor",
    "survivor-search": "survivors_survivor",
    "survivor-part": "survivors_survivor",
}


class Client:
    """One signed-in user on a kept-alive connection, carrying its cookies."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.connection = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
        self.cookies: dict[str, str] = {}

    def request(self, method: str, path: str, body: str | None = None) -> tuple[int, bytes]:
        headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())}
        if body is not None:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
            headers["Referer"] = f"http://127.0.0.1:{self.port}{path}"
        for attempt in range(2):
            try:
                self.connection.request(method, path, body=body, headers=headers)
                response = self.connection.getresponse()
                data = response.read()
                break
            except (http.client.HTTPException, OSError):
                self.connection.close()
                self.connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=120)
                if attempt:
                    raise
        for header, value in response.getheaders():
            if header.lower() == "set-cookie":
                name, _, rest = value.partition("=")
                self.cookies[name.strip()] = rest.split(";", 1)[0]
        return response.status, data

    def sign_in(self, username: str = WORKER) -> None:
        status, page = self.request("GET", "/accounts/login/")
        token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', page)
        if status != 200 or token is None:
            raise RuntimeError(f"the sign-in page answered {status}")
        form = urllib.parse.urlencode(
            {
                "csrfmiddlewaretoken": token.group(1).decode(),
                "username": username,
                "password": PASSWORD,
            }
        )
        status, _ = self.request("POST", "/accounts/login/", form)
        if status != 302:
            raise RuntimeError(f"signing in answered {status}, not a redirect")
        if username.startswith(OPERATOR):
            status, page = self.request("GET", "/accounts/second-factor/")
            token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', page)
            if status != 200 or token is None:
                raise RuntimeError(f"the second-factor page answered {status}")
            form = urllib.parse.urlencode(
                {"csrfmiddlewaretoken": token.group(1).decode(), "token": current_code(username)}
            )
            status, _ = self.request("POST", "/accounts/second-factor/", form)
            if status != 302:
                raise RuntimeError(f"the second factor answered {status}, not a redirect")


@dataclass
class Run:
    latencies: list[float] = field(default_factory=list)
    errors: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)


def drive(clients: list[Client], path: str, seconds: float) -> tuple[Run, float]:
    run = Run()
    stop = time.perf_counter() + seconds

    def loop(client: Client) -> None:
        while time.perf_counter() < stop:
            started = time.perf_counter()
            try:
                status, _ = client.request("GET", path)
            except (http.client.HTTPException, OSError):
                status = 0
            elapsed = time.perf_counter() - started
            with run.lock:
                run.latencies.append(elapsed)
                if status != 200:
                    run.errors += 1

    threads = [threading.Thread(target=loop, args=(client,)) for client in clients]
    began = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return run, time.perf_counter() - began


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def count_queries(paths: dict[str, str]) -> dict[str, int]:
    """Queries one signed-in request of each page runs (the test client, same database)."""
    from django.db import connection
    from django.test import Client as TestClient
    from django.test.utils import CaptureQueriesContext, setup_test_environment

    import benchmarks.load_wsgi  # noqa: F401 — the bare view's address, as the server has it
    from himaya.accounts.models import User

    setup_test_environment()
    clients = {}
    for role, username in ((WORKER, WORKER), (OPERATOR, f"{OPERATOR}-0")):
        if User.objects.filter(username=username).exists():
            clients[role] = TestClient()
            clients[role].force_login(User.objects.get(username=username))
            if role == OPERATOR:
                from django_otp import DEVICE_ID_SESSION_KEY
                from django_otp.plugins.otp_totp.models import TOTPDevice

                session = clients[role].session
                device = TOTPDevice.objects.get(user__username=username)
                session[DEVICE_ID_SESSION_KEY] = device.persistent_id
                session.save()
    counts = {}
    for name, path in paths.items():
        client = clients[OPERATOR if name in OPERATOR_PAGES else WORKER]
        client.get(path)  # warm: sessions, caches
        with CaptureQueriesContext(connection) as queries:
            client.get(path)
        counts[name] = len(queries)
    return counts


def explain(paths: dict[str, str]) -> None:
    """``EXPLAIN (ANALYZE, BUFFERS)`` of the main query of each list, as the worker runs it."""
    from django.db import connection
    from django.test import Client as TestClient
    from django.test.utils import CaptureQueriesContext

    from himaya.accounts.models import User

    client = TestClient()
    client.force_login(User.objects.get(username=WORKER))
    for name, table in EXPLAINED.items():
        if name not in paths:
            continue
        client.get(paths[name])  # warm: sessions, caches
        with CaptureQueriesContext(connection) as queries:
            client.get(paths[name])
        main = next(
            (
                query["sql"]
                for query in queries.captured_queries
                if f'FROM "{table}"' in query["sql"] and "ORDER BY" in query["sql"]
            ),
            None,
        )
        print(f"\n[explain] {name} ({paths[name]})")
        if main is None:
            print(f"  (no ordered query of {table})")
            continue
        print(main)
        with connection.cursor() as cursor:
            cursor.execute(f"EXPLAIN (ANALYZE, BUFFERS) {main}")
            for (line,) in cursor.fetchall():
                print(f"  {line}")
    print(flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cases", type=int, default=200_000)
    parser.add_argument("--users", default="10,50", help="comma-separated loads")
    parser.add_argument("--seconds", type=float, default=30)
    parser.add_argument("--workers", type=int, default=3, help="gunicorn sync workers")
    parser.add_argument("--pages", default=",".join(PAGES), help=f"among {', '.join(PAGES)}")
    parser.add_argument("--server", default="postgres://postgres@127.0.0.1:5432")
    parser.add_argument("--database", default="himaya_load")
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--reuse", action="store_true", help="keep the data of a kept run")
    parser.add_argument("--keep", action="store_true", help="do not drop the database")
    parser.add_argument("--explain", action="store_true", help="show the lists' query plans")
    parser.add_argument(
        "--national",
        action="store_true",
        help="build the data with generate_national (every governorate and app) instead",
    )
    args = parser.parse_args()
    pages = ["bare", *[p for p in args.pages.split(",") if p and p != "bare"]]
    if AUDITED & set(pages) and "bare-audited" not in pages:
        pages.insert(1, "bare-audited")
    unknown = sorted(set(pages) - set(PAGES))
    if unknown:
        parser.error(f"unknown page(s): {', '.join(unknown)}")
    loads = [int(n) for n in args.users.split(",") if n]
    database_url = f"{args.server}/{args.database}"

    if not args.reuse:
        _psql(args.server, f"DROP DATABASE IF EXISTS {args.database}")
        _psql(args.server, f"CREATE DATABASE {args.database}")
    _django(database_url)
    where = "across the country" if args.national else "in one agency"
    print(f"[load] {args.cases:,} cases {where} on PostgreSQL", flush=True)
    started = time.perf_counter()
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)  # a kept database too
    if args.reuse:
        from himaya.cases.models import Case, Phase

        code = (
            Case.objects.filter(case_worker__username=WORKER)
            .exclude(phase=Phase.CLOSED)
            .values_list("code", flat=True)
        )
        values = {
            "case": code.order_by("id").first() or "",
            "query": EXACT_NAME,
            "part": PART_OF_NAME,
        }
    elif args.national:
        values = build_national(args.cases, args.seed)
        print(f"  data built in {time.perf_counter() - started:.0f} s", flush=True)
    else:
        values = build(args.cases, args.seed)
        print(f"  data built in {time.perf_counter() - started:.0f} s", flush=True)
    furnish(values["case"])
    if OPERATOR_PAGES & set(pages):
        ensure_operators(max(loads))
    paths = {
        name: PAGES[name].format(**{k: urllib.parse.quote(v) for k, v in values.items()})
        for name in pages
    }
    queries = count_queries(paths)
    if args.explain:
        explain(paths)

    env = {**os.environ, "DATABASE_URL": database_url, "PYTHONPATH": str(ROOT)}
    server = subprocess.Popen(
        [
            str(ROOT / ".venv" / "bin" / "gunicorn"),
            "benchmarks.load_wsgi:application",
            f"--workers={args.workers}",
            f"--bind=127.0.0.1:{args.port}",
            "--worker-class=sync",
            "--timeout=120",
            "--log-level=warning",
        ],
        cwd=ROOT,
        env=env,
        start_new_session=True,
    )
    try:
        for _ in range(100):
            try:
                http.client.HTTPConnection("127.0.0.1", args.port, timeout=1).request("HEAD", "/")
                break
            except OSError:
                time.sleep(0.2)
        pools: dict[str, list[Client]] = {}
        for role in {OPERATOR if name in OPERATOR_PAGES else WORKER for name in pages}:
            pools[role] = [Client(args.port) for _ in range(max(loads))]
            for n, client in enumerate(pools[role]):
                client.sign_in(f"{OPERATOR}-{n}" if role == OPERATOR else WORKER)
        header = (
            f"{'page':<16} {'users':>5} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} "
            f"{'errors':>6} {'req/s':>7} {'queries':>7} {'p95/bare':>8} {'/audited':>8}"
        )
        print(header)
        results: dict[tuple[str, int], float] = {}
        for users in loads:
            for name in pages:
                clients = pools[OPERATOR if name in OPERATOR_PAGES else WORKER]
                drive(clients[:users], paths[name], min(3.0, args.seconds))  # warm-up
                run, took = drive(clients[:users], paths[name], args.seconds)
                ms = [value * 1000 for value in run.latencies]
                p95 = percentile(ms, 0.95)
                results[(name, users)] = p95
                ratio = p95 / results[("bare", users)]
                audited = results.get(("bare-audited", users))
                beyond = f"{p95 / audited:>7.1f}x" if name in AUDITED and audited else f"{'':>8}"
                print(
                    f"{name:<16} {users:>5} {statistics.median(ms):>8.0f} {p95:>8.0f} "
                    f"{percentile(ms, 0.99):>8.0f} {run.errors:>6} {len(ms) / took:>7.1f} "
                    f"{queries[name]:>7} {ratio:>7.1f}x {beyond}",
                    flush=True,
                )
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)
        from django.db import connections

        connections.close_all()
        if not args.keep:
            _psql(args.server, f"DROP DATABASE IF EXISTS {args.database}")


if __name__ == "__main__":
    main()
