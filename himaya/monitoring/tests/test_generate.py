"""The synthetic national dataset: counts, scope, constraints, reproducibility, refusal."""

import itertools
import re
from datetime import date
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import connection, transaction
from django.db.models import Count, Exists, OuterRef
from django.test import override_settings

from himaya.agencies.models import Governorate
from himaya.audit.models import AuditEvent
from himaya.audit.selectors import verify_chain
from himaya.cases.models import Case, IdentificationDecision, Phase, PhaseChange
from himaya.core.codes import is_valid_code
from himaya.empowerment.models import Enrolment
from himaya.fund.models import BudgetLine, LedgerEntry, PaymentRequest
from himaya.fund.selectors import balances_of, ledger_balances
from himaya.monitoring.generate import (
    AUDIT_ACTION,
    GenerationRefused,
    code_tokens,
    generate,
    table_digest,
)
from himaya.referrals.models import Referral
from himaya.screening.models import Screening
from himaya.services.models import ServiceDelivery
from himaya.shelters.models import Stay
from himaya.survivors.indexes import search_token, survivor_match_tokens, survivor_search_tokens
from himaya.survivors.models import (
    Consent,
    Survivor,
    SurvivorAccess,
    SurvivorMatchKey,
    SurvivorSearchToken,
)
from himaya.survivors.rules import code_terms

pytestmark = pytest.mark.django_db

UNTIL = date(2026, 6, 30)
CASES = 200


def run(seed: int = 7, cases: int = CASES, *, match_keys: bool = True) -> dict[str, int]:
    return generate(
        cases=cases,
        seed=seed,
        years=3,
        batch=50,
        until=UNTIL,
        pool_size=60,
        match_keys=match_keys,
        report=lambda _: None,
    )


DIGESTED = [Survivor, Case, PhaseChange, Referral, Stay, PaymentRequest, LedgerEntry, Enrolment]


def digest_of_a_fresh_run(seed: int) -> str:
    """Generate into the database as it is, take the digest, and roll everything back."""
    with transaction.atomic():
        run(seed=seed)
        digest = table_digest(DIGESTED)
        transaction.set_rollback(True)
    return digest


def test_the_generator_writes_the_cases_asked_for_and_every_table_around_them() -> None:
    counts = run()

    assert Case.objects.count() == CASES
    assert Survivor.objects.count() == CASES
    assert SurvivorAccess.objects.count() == CASES
    for model in (
        PhaseChange,
        IdentificationDecision,
        Screening,
        ServiceDelivery,
        Referral,
        Consent,
        Stay,
        PaymentRequest,
        LedgerEntry,
        Enrolment,
        SurvivorSearchToken,
    ):
        assert model.objects.count() > 0, model
        assert counts[model._meta.label] == model.objects.count(), model
    assert counts["cases.Case"] == CASES
    assert Case.exploitation_forms.through.objects.count() >= CASES


def test_every_case_is_seen_by_its_lead_agency_through_the_access_rows() -> None:
    run()

    seen = SurvivorAccess.objects.filter(
        survivor=OuterRef("survivor"), agency=OuterRef("lead_agency")
    )
    assert Case.objects.exclude(Exists(seen)).count() == 0


def test_every_governorate_has_cases_once_there_are_enough_of_them() -> None:
    run(cases=60)

    governorates = set(Case.objects.values_list("lead_agency__governorate__code", flat=True))
    assert governorates == set(Governorate.objects.values_list("code", flat=True))
    assert len(governorates) == 27


def test_the_rows_keep_every_constraint_and_the_history_matches_the_current_state() -> None:
    run()

    connection.check_constraints()  # foreign keys (deferred until commit otherwise)
    for case in Case.objects.prefetch_related("phase_changes", "identification_decisions"):
        moves = sorted(case.phase_changes.all(), key=lambda move: (move.changed_on, move.id))
        assert moves[0].from_phase == ""
        assert moves[-1].to_phase == case.phase
        assert all(a.to_phase == b.from_phase for a, b in itertools.pairwise(moves))
        decisions = sorted(case.identification_decisions.all(), key=lambda d: d.id)
        assert decisions[-1].status == case.identification_status
        assert decisions[-1].decided_on == case.identification_decided_on
        assert case.first_contact_on <= case.identified_on <= UNTIL
        if case.phase == Phase.CLOSED:
            assert case.closed_on is not None and case.closure_reason
    open_per_bed = Stay.objects.filter(status="open").values("bed").annotate(n=Count("id"))
    assert all(row["n"] == 1 for row in open_per_bed)
    for line in BudgetLine.objects.all():
        assert balances_of(line).available >= Decimal(0)
        # the sums the line keeps are those of the ledger the generator wrote
        assert balances_of(line) == ledger_balances(line.entries.all())
    assert all(is_valid_code(code, "CS") for code in Case.objects.values_list("code", flat=True))
    assert all(
        is_valid_code(code, "SV") for code in Survivor.objects.values_list("code", flat=True)
    )
    for referral in Referral.objects.exclude(answered_at=None):
        assert referral.answered_at > referral.sent_at
    assert set(
        Case.objects.exclude(screening_code="").values_list("screening_code", flat=True)
    ) <= set(Screening.objects.values_list("code", flat=True))


def test_the_search_tokens_are_those_the_registry_would_write() -> None:
    run(cases=30)

    for survivor in Survivor.objects.order_by("pk")[:30]:
        stored = set(
            SurvivorSearchToken.objects.filter(survivor=survivor).values_list("kind", "token")
        )
        assert stored == survivor_search_tokens(survivor)
    code = "SV-7K3M-9QXP-R"
    assert sorted(code_tokens(code)) == sorted(
        (kind, search_token(kind, text)) for kind, text in code_terms(code)
    )


def test_the_blocking_keys_are_those_the_registry_would_write() -> None:
    run(cases=30)

    survivors = list(Survivor.objects.order_by("pk")[:30])
    with_latin = [s for s in survivors if s.name_latin]
    assert with_latin and len(with_latin) < len(survivors)
    for survivor in survivors:
        stored = set(
            SurvivorMatchKey.objects.filter(survivor=survivor).values_list("key", flat=True)
        )
        assert stored == survivor_match_tokens(survivor, [])
        assert len(stored) >= 3  # a pair of parts in two windows of the year, at least


def test_without_blocking_keys_none_is_written() -> None:
    run(cases=5, match_keys=False)

    assert Survivor.objects.count() == 5
    assert not SurvivorMatchKey.objects.exists()


def test_the_same_seed_gives_the_same_data_and_another_seed_other_data() -> None:
    first = digest_of_a_fresh_run(seed=11)
    second = digest_of_a_fresh_run(seed=11)
    other = digest_of_a_fresh_run(seed=12)

    assert first == second
    assert other != first


def test_one_summary_audit_row_is_written_and_the_chain_still_verifies() -> None:
    before = AuditEvent.objects.count()

    run(cases=20)

    assert AuditEvent.objects.count() == before + 1
    event = AuditEvent.objects.get(action=AUDIT_ACTION)
    assert event.details["cases"] == 20
    assert verify_chain().broken is None


@override_settings(PRODUCTION=True)
def test_the_generator_refuses_to_run_in_production_and_writes_nothing() -> None:
    with pytest.raises(GenerationRefused):
        run(cases=5)
    with pytest.raises(CommandError):
        call_command("generate_national", "--cases", "5", stdout=StringIO())

    assert Case.objects.count() == 0
    assert Survivor.objects.count() == 0


def test_the_command_prints_rows_per_table_and_the_time_taken() -> None:
    out = StringIO()

    call_command(
        "generate_national",
        "--cases",
        "30",
        "--seed",
        "3",
        "--until",
        "2026-06-30",
        "--pool",
        "40",
        stdout=out,
    )

    text = out.getvalue()
    assert "30 of 30 cases" in text
    assert "cases.Case" in text and "rows/s" in text
    assert Case.objects.count() == 30


def stored_indexes() -> list[tuple[str, str]]:
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute(
                "SELECT name, coalesce(sql, '') FROM sqlite_master WHERE type = 'index'"
                " ORDER BY name"
            )
        else:
            cursor.execute(
                "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint"
                " UNION ALL SELECT indexname, indexdef FROM pg_indexes"
                " WHERE schemaname = current_schema() ORDER BY 1, 2"
            )
            # PostgreSQL prints the condition of a partial index made again from its own
            # definition with its casts in other places (the same condition): compare the
            # definitions without casts, brackets and spaces.
            return sorted(
                (name, re.sub(r"::[a-z ]+(\[\])?|[()\[\]\s]", "", definition))
                for name, definition in cursor.fetchall()
            )
        return list(cursor.fetchall())


@pytest.mark.django_db(transaction=True)
def test_outside_a_transaction_the_indexes_dropped_for_the_load_are_all_created_again() -> None:
    before = stored_indexes()
    messages: list[str] = []

    generate(cases=40, seed=3, years=1, until=UNTIL, pool_size=20, report=messages.append)

    assert stored_indexes() == before
    assert any("created again" in message for message in messages)
    assert Case.objects.count() == 40
    connection.check_constraints()
