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
command centre's dashboard, board and the board's live part, asked by its operator; then
the writes: a registration, a referral, a payment request and its approval, and a mixed
workload of reads and writes. With
``--national`` the data is the national generator's (``generate_national``: every
governorate and every app's records), and its busiest case worker is the one who signs in. With
``--explain`` it first prints ``EXPLAIN (ANALYZE, BUFFERS)`` of the main query of each
list (case list, case API, work queue, survivors list and both searches) as the signed-in
case worker runs it.

    .venv/bin/python benchmarks/load.py [--cases 200000] [--users 10,50] [--seconds 30]
        [--workers 3] [--pages queue,cases,...,register,refer,pay-request,pay-approve,mixed]
        [--keep] [--reuse] [--explain] [--national]

The writes go through the JSON API as a browser's script sends them: the session cookie,
the CSRF token of the ``csrftoken`` cookie in ``X-CSRFToken`` and a new ``Idempotency-Key``
on every request; any answer but 2xx is an error (the first body of each is printed once).
``register`` registers a survivor with a made-up name (again with ``confirm_duplicate``
if a possible duplicate answers 409) and opens a case for them: one operation, two
requests, timed together. ``refer`` refers a case of the worker's agency, whose survivor
consented, to a partner agency. ``pay-request`` asks for an assistance payment for a case,
by a fund officer, on a budget line the benchmark opens and keeps funded; ``pay-approve``
approves a waiting request, by a fund approver (another person: four eyes), who signs in
with a second factor as the operators do. The approvers take the requests made during the
run first, then a pool of waiting requests the benchmark writes before each run. Each
simulated user writes under their own account (``load-writer-N``, ``load-fund-officer-N``,
``load-fund-approver-N``): the project serialises one person's registrations on their row,
which fifty people sharing one account would turn into a queue of the benchmark's own. The
approvers are in an agency of their own, so that a request notifies the ministry's fund
approvers only, as it does in service. ``mixed`` drives, for each simulated user, a
weighted draw per request among the reads (work queue, a case, a search by name) and the
four writes (``MIXED``): its row (``mixed``) counts every operation, and the indented rows
under it each operation's own times within the mix.

The limits that guard a person's pace are off in the served process (``ENV``): the API's
requests per person (``HIMAYA_API_RATE`` empty), and the duplicate checks per person and
hour that a registration runs (``HIMAYA_DUPLICATE_CHECKS_PER_HOUR``, raised). The
benchmark measures speed: the limits have their own tests, and a 429 here would be an
artefact of a hundred registrations a minute by one person. The tasks a write starts (the
deliveries of the notifications of a referral or a payment request) are queued as in
service, to a task store of their own that no consumer reads, and not run within the
request as the tests run them.

The queries column of a write counts one request made through the test client (signed
in, JSON, ``Idempotency-Key``) after one warm-up write; ``register`` shows its two
requests as ``survivor+case``.

PostgreSQL is reached at ``--server`` (default: the local server with trust auth); the
database ``--database`` (default ``himaya_load``) is dropped and made again unless
``--reuse`` is given, and dropped at the end unless ``--keep`` is given. The writes add
their records to the database: a kept one grows with every run.
"""

from __future__ import annotations

import argparse
import collections
import datetime
import http.client
import json
import os
import re
import signal
import statistics
import subprocess
import sys
import threading
import time
import urllib.parse
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from random import Random

ROOT = Path(__file__).resolve().parents[1]
PASSWORD = "load-benchmark-password-2026"
WORKER = "load-case-worker"
OPERATOR = "load-operator"
WRITER = "load-writer"
FUND_OFFICER = "load-fund-officer"
APPROVER = "load-fund-approver"
APPROVERS_AGENCY = "Load fund approvers"
LOAD_LINE = "Load benchmark assistance"
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
    # The limits on a person's pace, off or out of reach: see the module's docstring.
    "HIMAYA_API_RATE": "",
    "HIMAYA_DUPLICATE_CHECKS_PER_HOUR": "1000000000",
    # Tasks (the deliveries of notifications) queued as in service, not run in the request
    # as the tests run them: to a store of their own that no consumer reads.
    "HIMAYA_HUEY_IMMEDIATE": "0",
    "HIMAYA_HUEY_PATH": "/tmp/himaya-load-tasks.sqlite3",
    # Pages keep what they keep in service (the dashboard's figures), in each worker's memory.
    "HIMAYA_PAGES_CACHE": "1",
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


# The reads and writes of the mixed workload, with the weight of each in the draw.
MIXED = {
    "queue": 30,
    "case": 25,
    "survivor-search": 15,
    "register": 8,
    "refer": 8,
    "pay-request": 7,
    "pay-approve": 7,
}
# The writes, each by the role that makes it (a simulated user's own account of that role).
WRITES = {"register": WRITER, "refer": WRITER, "pay-request": FUND_OFFICER, "pay-approve": APPROVER}
# Cases in each pool of the writes (referred, asked payments for).
POOL = 2000
# Waiting payment requests written before each run of the approvals, per second of run.
PENDING_PER_SECOND = 150
AMOUNT = "150.00"
LETTERS = "ابتثجحخدذرزسشصضطظعغفقكلمنهوي"


@dataclass
class Writes:
    """What the writes name: found or made once in the database before the runs."""

    agency: str  # the writers' agency (the worker's), which leads the cases they open
    referred: list[str]  # open cases of that agency whose survivors consented to referrals
    partner: str  # the agency they are referred to
    service: str
    funded: list[str]  # open cases the fund officers ask payments for
    line: str  # the benchmark's budget line
    # Waiting requests as (code, version): made in the run at the left, the pool at the right.
    pending: collections.deque[tuple[str, int]] = field(default_factory=collections.deque)


def ensure_staff(count: int) -> None:
    """The people who write, one of each per simulated user: case workers of the worker's
    agency, fund officers of the generated fund officers' agency (the ministry; else the
    worker's), and fund approvers, each with a confirmed authenticator (the role needs a
    second factor), in an agency of their own."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from benchmarks import population
    from himaya.accounts.models import User
    from himaya.agencies.models import Agency, AgencyKind, Membership, Role

    home = Membership.objects.filter(user__username=WORKER, is_active=True).first()
    if home is None:
        raise RuntimeError("the benchmark's worker holds no membership")
    fund = (
        Membership.objects.filter(role=Role.FUND_OFFICER, is_active=True)
        .exclude(user__username__startswith=FUND_OFFICER)
        .order_by("id")
        .first()
    )
    approvers = Agency.objects.filter(name_en=APPROVERS_AGENCY).first() or population.agency(
        APPROVERS_AGENCY, kind=AgencyKind.MINISTRY
    )
    staff = (
        (WRITER, Role.CASE_WORKER, home.agency),
        (FUND_OFFICER, Role.FUND_OFFICER, fund.agency if fund else home.agency),
        (APPROVER, Role.FUND_APPROVER, approvers),
    )
    for prefix, role, agency in staff:
        for n in range(count):
            username = f"{prefix}-{n}"
            if User.objects.filter(username=username).exists():
                continue
            user = population.person(username, role, agency)
            user.set_password(PASSWORD)
            user.save(update_fields=["password"])
            if prefix == APPROVER:
                TOTPDevice.objects.create(user=user, name="load", confirmed=True)


def prepare_writes(furnished: str) -> Writes:
    """The pools of the writes: open cases of the worker's agency whose survivors hold a
    standing consent to referrals (given here where missing), a partner agency of the same
    governorate and a service, open cases to pay for, and a budget line of the current
    fiscal year with money enough (opened again when it runs low). The worker's cases
    are left out, so that the pages they read stay what they were."""
    from django.db.models import Q
    from django.utils import timezone

    from himaya.accounts.models import User
    from himaya.agencies.models import Agency, AgencyKind, Membership
    from himaya.cases.models import Case, Phase
    from himaya.fund import actions as fund
    from himaya.fund.models import BudgetLine, Source
    from himaya.fund.rules import MAX_LINE_AMOUNT
    from himaya.fund.selectors import balances_of
    from himaya.services.models import ServiceType
    from himaya.survivors.models import Consent, ConsentPurpose

    today = timezone.localdate()
    home = Membership.objects.select_related("agency").get(
        user__username=f"{WRITER}-0", is_active=True
    )
    agency = home.agency
    # Not the worker's cases: their deadlines and timelines stay what the pages read.
    open_cases = (
        Case.objects.exclude(phase=Phase.CLOSED)
        .exclude(case_worker__username=WORKER)
        .exclude(code=furnished)
        .order_by("id")
    )
    referred = list(open_cases.filter(lead_agency=agency).values_list("code", "survivor_id")[:POOL])
    survivors = {survivor for _code, survivor in referred}
    consented = set(
        Consent.objects.filter(
            survivor_id__in=survivors,
            purpose=ConsentPurpose.REFERRAL,
            recipient=None,
            given_on__lte=today,
        )
        .filter(Q(withdrawn_on__isnull=True) | Q(withdrawn_on__gt=today))
        .values_list("survivor_id", flat=True)
    )
    worker = User.objects.get(username=WORKER)
    Consent.objects.bulk_create(
        Consent(
            survivor_id=survivor,
            purpose=ConsentPurpose.REFERRAL,
            given_on=today - datetime.timedelta(days=30),
            recorded_by=worker,
        )
        for survivor in sorted(survivors - consented)
    )
    partners = Agency.objects.filter(is_active=True, kind=AgencyKind.NGO).exclude(pk=agency.pk)
    partner = (
        partners.filter(governorate=agency.governorate_id).order_by("id").first()
        or partners.order_by("id").first()
    )
    service = ServiceType.objects.filter(is_active=True).order_by("order", "code").first()
    if not referred or partner is None or service is None:
        raise RuntimeError("no case, partner agency or service to refer to")
    year, _next = fund.open_fiscal_years(today=today)
    line = BudgetLine.objects.filter(name_en=LOAD_LINE, fiscal_year=year).order_by("-id").first()
    if line is None or balances_of(line).available < MAX_LINE_AMOUNT / 10:
        line = fund.open_budget_line(
            fiscal_year=year,
            name_ar="مساعدات قياس الحمل",
            name_en=LOAD_LINE,
            source=Source.GOVERNMENT,
            amount=MAX_LINE_AMOUNT,
            by=User.objects.get(username=f"{APPROVER}-0"),
        )
    return Writes(
        agency=agency.code,
        referred=[code for code, _survivor in referred],
        partner=partner.code,
        service=service.code,
        funded=list(open_cases.values_list("code", flat=True)[:POOL]),
        line=line.code,
    )


def top_up_pending(writes: Writes, count: int) -> None:
    """At least ``count`` requests waiting for approval on the benchmark's line, read again
    from the database (in ``writes.pending``); the missing ones written in bulk, as a fund
    officer's requests under the limits in force."""
    from benchmarks import population
    from himaya.accounts.models import User
    from himaya.cases.models import Case
    from himaya.fund.models import BudgetLine, PaymentRequest, Purpose, Status
    from himaya.fund.selectors import limit_for

    line = BudgetLine.objects.select_related("fiscal_year").get(code=writes.line)
    waiting = PaymentRequest.objects.filter(budget_line=line, status=Status.REQUESTED)
    writes.pending.clear()
    writes.pending.extend(waiting.order_by("id").values_list("code", "version"))
    missing = count - len(writes.pending)
    if missing <= 0:
        return
    limit = limit_for(line.fiscal_year, Purpose.EMERGENCY_CASH)
    officer = User.objects.get(username=f"{FUND_OFFICER}-0")
    cases = list(Case.objects.filter(code__in=writes.funded).values_list("id", flat=True))
    rows = population.coded(
        [
            PaymentRequest(
                case_id=cases[n % len(cases)],
                budget_line=line,
                purpose=Purpose.EMERGENCY_CASH,
                amount=AMOUNT,
                justification="دعم عاجل للسكن والطعام",
                requested_by=officer,
                approvals_required=1,
                limit_per_request=limit.per_request if limit is not None else None,
                limit_per_survivor_year=limit.per_survivor_year if limit is not None else None,
            )
            for n in range(missing)
        ]
    )
    made = PaymentRequest.objects.bulk_create(rows, batch_size=population.BATCH)
    writes.pending.extend((row.code, row.version) for row in made)


def made_up_name(rng: Random) -> str:
    """Three made-up words of Arabic letters: a name nobody else holds."""
    return " ".join("".join(rng.choice(LETTERS) for _ in range(6)) for _ in range(3))


def survivor_body(rng: Random) -> dict[str, object]:
    return {
        "name_ar": made_up_name(rng),
        "sex": rng.choice(["female", "female", "male"]),
        "birth_year": rng.randint(1975, 2008),
        "nationality": "EG",
    }


def case_body(survivor: str, agency: str) -> dict[str, object]:
    return {
        "survivor": survivor,
        "lead_agency": agency,
        "first_contact_on": datetime.date.today().isoformat(),
        "identified_by": "hotline",
    }


def referral_body(case: str, writes: Writes) -> dict[str, object]:
    return {
        "case": case,
        "to_agency": writes.partner,
        "service_type": writes.service,
        "shared_fields": [],
    }


def payment_body(case: str, writes: Writes) -> dict[str, object]:
    return {
        "case": case,
        "budget_line": writes.line,
        "purpose": "emergency_cash",
        "amount": AMOUNT,
        "justification": "دعم عاجل للسكن والطعام",
    }


REGISTER_PATH = "/survivors/api/survivors/create/"
OPEN_PATH = "/cases/api/cases/open/"
REFER_PATH = "/referrals/api/new/"
PAY_REQUEST_PATH = "/fund/api/payments/request/"
APPROVE_PATH = "/fund/api/payments/{code}/approve/"


def operate(
    name: str, seat: dict[str, Client], reads: dict[str, str], writes: Writes, rng: Random
) -> tuple[int, bytes]:
    """One operation of a simulated user: a read as the worker, or a write under the user's
    own account of the write's role. The answer that decides: a registration's is the
    opening of the case, unless the survivor's registration failed."""
    if name in reads:
        return seat[WORKER].request("GET", reads[name])
    client = seat[WRITES[name]]
    if name == "register":
        payload = survivor_body(rng)
        status, body = client.post_json(REGISTER_PATH, payload)
        if status == 409:  # a possible duplicate: registered anyway, as the worker confirms
            status, body = client.post_json(REGISTER_PATH, {**payload, "confirm_duplicate": True})
        if status != 201:
            return status, body
        return client.post_json(OPEN_PATH, case_body(json.loads(body)["code"], writes.agency))
    if name == "refer":
        return client.post_json(REFER_PATH, referral_body(rng.choice(writes.referred), writes))
    if name == "pay-request":
        status, body = client.post_json(
            PAY_REQUEST_PATH, payment_body(rng.choice(writes.funded), writes)
        )
        if status == 201:
            made = json.loads(body)
            writes.pending.appendleft((made["code"], made["version"]))
        return status, body
    try:
        code, version = writes.pending.popleft()
    except IndexError:
        return 0, b"no payment request waits for approval"
    return client.post_json(APPROVE_PATH.format(code=code), {"version": version})


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

    def request(
        self, method: str, path: str, body: str | None = None, extra: dict[str, str] | None = None
    ) -> tuple[int, bytes]:
        headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())}
        if body is not None:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
            headers["Referer"] = f"http://127.0.0.1:{self.port}{path}"
        headers.update(extra or {})
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

    def post_json(self, path: str, payload: dict[str, object]) -> tuple[int, bytes]:
        """A write of the API as the browser's script sends it: the CSRF token of the cookie
        in its header (over plain HTTP Django checks no Referer, and no Origin is sent) and
        a new idempotency key."""
        body = json.dumps(payload)
        return self.request(
            "POST",
            path,
            body,
            {
                "Content-Type": "application/json",
                "Accept": "application/json",
                "X-CSRFToken": self.cookies.get("csrftoken", ""),
                "Idempotency-Key": str(uuid.uuid4()),
            },
        )

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
        if username.startswith((OPERATOR, APPROVER)):
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


def drive_ops(
    seats: list[dict[str, Client]],
    weights: dict[str, int],
    reads: dict[str, str],
    writes: Writes,
    seconds: float,
    reported: set[str],
) -> tuple[dict[str, Run], float]:
    """Each seat (a simulated user) runs operations drawn by ``weights`` back to back; the
    times and errors of each operation apart. The first error body of each operation is
    printed once (``reported`` holds those already shown)."""
    runs = {name: Run() for name in weights}
    names, shares = list(weights), list(weights.values())
    stop = time.perf_counter() + seconds
    shown = threading.Lock()

    def loop(number: int, seat: dict[str, Client]) -> None:
        rng = Random(f"{number}-{stop}")
        while time.perf_counter() < stop:
            name = rng.choices(names, shares)[0]
            started = time.perf_counter()
            try:
                status, body = operate(name, seat, reads, writes, rng)
            except (http.client.HTTPException, OSError, ValueError, KeyError) as error:
                status, body = 0, repr(error).encode()
            elapsed = time.perf_counter() - started
            run = runs[name]
            failed = not 200 <= status < 300
            with run.lock:
                run.latencies.append(elapsed)
                run.errors += failed
            if failed:
                with shown:
                    first = name not in reported
                    reported.add(name)
                if first:
                    text = body[:800].decode("utf-8", "replace")
                    print(f"  first error of {name}: {status} {text}", flush=True)

    threads = [
        threading.Thread(target=loop, args=(number, seat)) for number, seat in enumerate(seats)
    ]
    began = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return runs, time.perf_counter() - began


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


def count_write_queries(writes: Writes) -> dict[str, str]:
    """Queries one write of each kind runs (the test client, signed in under the first
    simulated user's accounts, JSON and an idempotency key, after one warm-up write)."""
    from django.db import connection
    from django.test import Client as TestClient
    from django.test.utils import CaptureQueriesContext
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from himaya.accounts.models import User

    rng = Random()  # names not drawn in an earlier run
    signed: dict[str, TestClient] = {}
    for role in (WRITER, FUND_OFFICER, APPROVER):
        signed[role] = TestClient()
        signed[role].force_login(User.objects.get(username=f"{role}-0"))
        if role == APPROVER:
            session = signed[role].session
            device = TOTPDevice.objects.get(user__username=f"{role}-0")
            session[DEVICE_ID_SESSION_KEY] = device.persistent_id
            session.save()

    def post(role: str, path: str, payload: dict[str, object]) -> dict[str, object]:
        response = signed[role].post(
            path,
            json.dumps(payload),
            content_type="application/json",
            headers={"Idempotency-Key": str(uuid.uuid4())},
        )
        if not 200 <= response.status_code < 300:
            raise RuntimeError(f"{path} answered {response.status_code}: {response.content!r}")
        answer: dict[str, object] = response.json()
        return answer

    def register() -> tuple[int, int]:
        with CaptureQueriesContext(connection) as first:
            survivor = post(WRITER, REGISTER_PATH, survivor_body(rng))
        with CaptureQueriesContext(connection) as second:
            post(WRITER, OPEN_PATH, case_body(str(survivor["code"]), writes.agency))
        return len(first), len(second)

    def one(role: str, path: str, payload: dict[str, object]) -> int:
        with CaptureQueriesContext(connection) as queries:
            post(role, path, payload)
        return len(queries)

    def approve() -> int:
        code, version = writes.pending.pop()  # from the pool, not from the run's requests
        return one(APPROVER, APPROVE_PATH.format(code=code), {"version": version})

    counts = {}
    register()  # warm: sessions, caches
    counts["register"] = "{}+{}".format(*register())
    refer = referral_body(writes.referred[0], writes)
    one(WRITER, REFER_PATH, refer)
    counts["refer"] = str(one(WRITER, REFER_PATH, refer))
    pay = payment_body(writes.funded[0], writes)
    one(FUND_OFFICER, PAY_REQUEST_PATH, pay)
    counts["pay-request"] = str(one(FUND_OFFICER, PAY_REQUEST_PATH, pay))
    approve()
    counts["pay-approve"] = str(approve())
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
    parser.add_argument(
        "--pages",
        default=",".join(PAGES),
        help=f"among {', '.join([*PAGES, *WRITES, 'mixed'])} (the writes and mixed: on demand)",
    )
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
    unknown = sorted(set(pages) - {*PAGES, *WRITES, "mixed"})
    if unknown:
        parser.error(f"unknown page(s): {', '.join(unknown)}")
    loads = [int(n) for n in args.users.split(",") if n]
    database_url = f"{args.server}/{args.database}"

    if not args.reuse:
        _psql(args.server, f"DROP DATABASE IF EXISTS {args.database}")
        _psql(args.server, f"CREATE DATABASE {args.database}")
    _django(database_url)
    if args.reuse:
        print(f"[load] the data kept in {args.database} on PostgreSQL", flush=True)
    else:
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
    quoted = {k: urllib.parse.quote(v) for k, v in values.items()}
    paths = {name: PAGES[name].format(**quoted) for name in pages if name in PAGES}
    # The reads of the mixed workload: asked by the worker, as the pages of the same name.
    reads = {name: PAGES[name].format(**quoted) for name in MIXED if name in PAGES}
    operations = [name for name in pages if name not in PAGES]
    queries: dict[str, int | str] = {
        **count_queries({**paths, **(reads if "mixed" in operations else {})})
    }
    writes = None
    if operations:
        ensure_staff(max(loads))
        writes = prepare_writes(values["case"])
        top_up_pending(writes, 10)
        queries.update(count_write_queries(writes))
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
        roles = {OPERATOR if name in OPERATOR_PAGES else WORKER for name in paths}
        roles |= {WRITES[name] for name in operations if name in WRITES}
        if "mixed" in operations:
            roles |= {WORKER, *WRITES.values()}
        for role in roles:
            pools[role] = [Client(args.port) for _ in range(max(loads))]
            for n, client in enumerate(pools[role]):
                client.sign_in(WORKER if role == WORKER else f"{role}-{n}")
        reported: set[str] = set()
        header = (
            f"{'page':<16} {'users':>5} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} "
            f"{'errors':>6} {'req/s':>7} {'queries':>7} {'p95/bare':>8} {'/audited':>8}"
        )
        print(header)
        results: dict[tuple[str, int], float] = {}
        for users in loads:
            for name in pages:
                if name in operations and writes is not None:
                    seats = [{role: pool[n] for role, pool in pools.items()} for n in range(users)]
                    weights = MIXED if name == "mixed" else {name: 1}
                    if "pay-approve" in weights:
                        top_up_pending(writes, int(PENDING_PER_SECOND * (args.seconds + 3)))
                    warm = min(3.0, args.seconds)
                    drive_ops(seats, weights, reads, writes, warm, reported)
                    runs, took = drive_ops(seats, weights, reads, writes, args.seconds, reported)
                    rows = [(name, [t for run in runs.values() for t in run.latencies])]
                    errors = {name: sum(run.errors for run in runs.values())}
                    if name == "mixed":  # each operation's own row, under the total
                        rows += [(f"  {op}", run.latencies) for op, run in runs.items()]
                        errors.update({f"  {op}": run.errors for op, run in runs.items()})
                    for label, latencies in rows:
                        if not latencies:
                            continue
                        ms = [value * 1000 for value in latencies]
                        p95 = percentile(ms, 0.95)
                        results[(label, users)] = p95
                        ratio = p95 / results[("bare", users)]
                        counted = queries.get(label.strip(), "-") if label != "mixed" else "-"
                        print(
                            f"{label:<16} {users:>5} {statistics.median(ms):>8.0f} {p95:>8.0f} "
                            f"{percentile(ms, 0.99):>8.0f} {errors[label]:>6} "
                            f"{len(ms) / took:>7.1f} {counted:>7} {ratio:>7.1f}x",
                            flush=True,
                        )
                    continue
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
