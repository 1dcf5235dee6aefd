"""A process killed (SIGKILL) inside a multi-step write leaves every invariant intact.

The sound data of each test is copied into a database file; a child process runs one write
on it (a referral with its audit row, a payment with its ledger line, a transfer between
shelters) and kills itself at a chosen point before the write commits; then
``manage.py check_invariants`` runs on the file in a fresh process and the write is found
wholly undone.
"""

import json
import os
import signal
import sqlite3
import subprocess
import sys
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.db import connection

from himaya.accounts.models import User
from himaya.agencies.models import Agency, Role
from himaya.fund import actions as fund_actions
from himaya.fund.tests.factories import BudgetLineFactory, make_case
from himaya.integrity.selectors import check_invariants
from himaya.integrity.tests.helpers import with_phase_history
from himaya.referrals.tests.factories import CaseFactory, give_consent
from himaya.shelters import actions as shelter_actions
from himaya.shelters.tests.factories import CaseFactory as ShelterCaseFactory
from himaya.shelters.tests.factories import make_shelter, make_unit

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "sqlite", reason="copies the SQLite test database"),
]

ROOT = Path(settings.BASE_DIR)


def copy_database(path: Path) -> Path:
    """The test database as it is now (uncommitted rows included), in a file."""
    assert check_invariants() == {"ledger": [], "stays": [], "audit": [], "phases": []}
    connection.ensure_connection()
    path.write_bytes(connection.connection.serialize())
    return path


def environment(database: Path) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if key != "DATABASE_URL"}
    env.update(DATABASE_URL=f"sqlite:///{database}", HIMAYA_SKIP_DOTENV="1")
    env.update(HIMAYA_AUDIT_ANCHOR_PATH=str(database.with_suffix(".anchors")))
    return env


def crash(database: Path, scenario: str, point: str, **args: Any) -> int:
    child = subprocess.run(  # noqa: S603 (the test's own interpreter and module)
        [
            sys.executable,
            "-m",
            "himaya.integrity.tests.crash_child",
            scenario,
            point,
            json.dumps(args),
        ],
        cwd=ROOT,
        env=environment(database),
        capture_output=True,
        timeout=120,
        check=False,
    )
    sys.stderr.write(child.stderr.decode("utf-8", "replace")[-1500:])
    return child.returncode


def invariants_hold(database: Path) -> bool:
    check = subprocess.run(
        [sys.executable, "manage.py", "check_invariants"],
        cwd=ROOT,
        env=environment(database),
        capture_output=True,
        timeout=120,
        check=False,
    )
    return check.returncode == 0


def rows(database: Path, sql: str) -> list[tuple[Any, ...]]:
    with sqlite3.connect(database) as db:
        return db.execute(sql).fetchall()


@pytest.fixture
def referral_world(personas: dict[str, User], agency_a: Agency) -> dict[str, str]:
    worker = personas[Role.CASE_WORKER]
    partner = personas[Role.PARTNER_STAFF].memberships.get().agency
    case = with_phase_history(CaseFactory(lead_agency=agency_a, case_worker=worker))
    give_consent(case.survivor, worker, recipient=partner)
    return {
        "case": case.code,
        "to_agency": partner.code,
        "service_type": "legal_aid",
        "by": worker.username,
    }


@pytest.mark.parametrize("point", ["before_audit", "after_audit"])
def test_a_referral_killed_before_it_commits_leaves_no_trace(
    referral_world: dict[str, str], point: str, tmp_path: Path
) -> None:
    database = copy_database(tmp_path / "himaya.sqlite3")
    audit_before = rows(database, "SELECT count(*) FROM audit_auditevent")
    assert crash(database, "referral", point, **referral_world) == -signal.SIGKILL
    assert invariants_hold(database)
    assert rows(database, "SELECT count(*) FROM referrals_referral") == [(0,)]
    assert rows(database, "SELECT count(*) FROM audit_auditevent") == audit_before


def test_a_referral_left_to_finish_is_written_with_its_audit_row(
    referral_world: dict[str, str], tmp_path: Path
) -> None:
    database = copy_database(tmp_path / "himaya.sqlite3")
    (audit_before,) = rows(database, "SELECT count(*) FROM audit_auditevent")
    assert crash(database, "referral", "none", **referral_world) == 0
    assert invariants_hold(database)
    assert rows(database, "SELECT count(*) FROM referrals_referral") == [(1,)]
    assert rows(database, "SELECT count(*) FROM audit_auditevent") == [(audit_before[0] + 1,)]


@pytest.fixture
def payment_world(make_persona: Callable[..., User]) -> dict[str, str]:
    officer = make_persona(Role.FUND_OFFICER, None, "crash_officer")
    approver = make_persona(Role.FUND_APPROVER, None, "crash_approver")
    case = with_phase_history(make_case())
    payment = fund_actions.request_payment(
        case=case,
        budget_line=BudgetLineFactory(),
        purpose="medical",
        amount=Decimal("500.00"),
        justification="علاج",
        by=officer,
    )
    payment = fund_actions.approve_payment(
        payment=payment, by=approver, expected_version=payment.version
    )
    return {"payment": payment.code, "by": officer.username}


@pytest.mark.parametrize("point", ["after_ledger"])
def test_a_payment_killed_before_it_commits_is_not_paid_nor_on_the_ledger(
    payment_world: dict[str, str], point: str, tmp_path: Path
) -> None:
    database = copy_database(tmp_path / "himaya.sqlite3")
    assert crash(database, "payment", point, **payment_world) == -signal.SIGKILL
    assert invariants_hold(database)
    assert rows(database, "SELECT status FROM fund_paymentrequest") == [("approved",)]
    assert rows(database, "SELECT count(*) FROM fund_ledgerentry WHERE kind = 'payment'") == [(0,)]


@pytest.fixture
def transfer_world(case_worker: User, agency_a: Agency) -> dict[str, str]:
    first = make_shelter("EG-C")
    make_unit(first, beds=1)
    second = make_shelter("EG-GZ")
    make_unit(second, beds=1)
    case = with_phase_history(ShelterCaseFactory(lead_agency=agency_a, case_worker=case_worker))
    stay = shelter_actions.admit_to_shelter(case=case, shelter=first, by=case_worker)
    return {"stay": stay.code, "shelter": second.code, "by": case_worker.username}


@pytest.mark.parametrize("point", ["after_end"])
def test_a_transfer_killed_halfway_leaves_the_person_in_the_first_bed(
    transfer_world: dict[str, str], point: str, tmp_path: Path
) -> None:
    database = copy_database(tmp_path / "himaya.sqlite3")
    assert crash(database, "transfer", point, **transfer_world) == -signal.SIGKILL
    assert invariants_hold(database)
    assert rows(database, "SELECT code, status FROM shelters_stay") == [
        (transfer_world["stay"], "open")
    ]
