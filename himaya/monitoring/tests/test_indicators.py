"""Every indicator equals an independent computation, in plain Python over the rows the
factories made, for every day and every cell."""

import datetime
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

import pytest

from himaya.agencies.models import Governorate
from himaya.cases.models import CarePlan, Case, IdentificationDecision
from himaya.fund.models import PaymentRequest
from himaya.monitoring import rules
from himaya.monitoring.actions import compute_indicators
from himaya.monitoring.indicators import REGISTRY
from himaya.monitoring.models import DailyValue
from himaya.monitoring.tests.samples import CAIRO, DAYS, make_dataset
from himaya.referrals.models import Referral
from himaya.screening.models import Screening
from himaya.services.models import ServiceDelivery
from himaya.shelters.models import DailyOccupancy

pytestmark = pytest.mark.django_db


@pytest.fixture
def dataset() -> None:
    make_dataset()
    compute_indicators(start=DAYS[0], end=DAYS[-1])


def stored(code: str, day: datetime.date) -> dict[str, Decimal]:
    return {row.cell: row.numerator for row in DailyValue.objects.filter(indicator=code, day=day)}


def stored_denominators(code: str, day: datetime.date) -> dict[str, Decimal | None]:
    return {row.cell: row.denominator for row in DailyValue.objects.filter(indicator=code, day=day)}


def members(case: Case, day: datetime.date) -> dict[str, set[str]]:
    """Each disaggregation's members for a case, computed without the database's help."""
    survivor = case.survivor
    if survivor.birth_year is None:
        age = "none"
    else:
        age = "child" if day.year - survivor.birth_year < 18 else "adult"
    forms = {
        (form.parent.code if form.parent else form.code) for form in case.exploitation_forms.all()
    }
    gov = case.governorate_of_exploitation
    return {
        "sex": {survivor.sex},
        "age": {age},
        "nat": {"egyptian" if survivor.nationality == "EG" else "foreign"},
        "form": forms or {"none"},
        "gov": {gov.code if gov else "none"},
        "agency": {case.lead_agency.code},
        "channel": {case.identified_by},
        "reason": {case.closure_reason},
    }


def count_cells(
    cases: Iterable[Case], day: datetime.date, dimensions: tuple[str, ...]
) -> dict[str, Decimal]:
    cells: Counter[str] = Counter()
    for case in set(cases):
        cells[""] += 1
        found = members(case, day)
        for dimension in dimensions:
            for member in found[dimension]:
                cells[f"{dimension}={member}"] += 1
    return {cell: Decimal(n) for cell, n in cells.items()} or {"": Decimal(0)}


def decided(status: str, day: datetime.date) -> list[Case]:
    return [d.case for d in IdentificationDecision.objects.filter(status=status, decided_on=day)]


def with_zero_total(cells: dict[str, Decimal]) -> dict[str, Decimal]:
    return {"": Decimal(0), **cells}


@pytest.mark.parametrize("status", ["possible", "identified"])
def test_victims_are_counted_from_the_identification_decisions_in_every_cell(
    dataset: None, status: str
) -> None:
    code = {"possible": "possible_victims", "identified": "identified_victims"}[status]
    dimensions = REGISTRY[code].dimensions
    for day in DAYS:
        assert stored(code, day) == with_zero_total(
            count_cells(decided(status, day), day, dimensions)
        ), day


def test_children_identified_counts_only_those_under_18_in_the_year(dataset: None) -> None:
    dimensions = REGISTRY["children_identified"].dimensions
    for day in DAYS:
        children = [
            case
            for case in decided("identified", day)
            if case.survivor.birth_year is not None and day.year - case.survivor.birth_year < 18
        ]
        assert stored("children_identified", day) == with_zero_total(
            count_cells(children, day, dimensions)
        )


def test_days_to_identification_adds_up_the_days_since_first_contact(dataset: None) -> None:
    dimensions = REGISTRY["days_to_identification"].dimensions
    for day in DAYS:
        numerators: Counter[str] = Counter()
        denominators: Counter[str] = Counter()
        for decision in IdentificationDecision.objects.filter(status="identified", decided_on=day):
            days = (decision.decided_on - decision.case.first_contact_on).days
            found = members(decision.case, day)
            for cell in [""] + [f"{d}={m}" for d in dimensions for m in found[d]]:
                numerators[cell] += days
                denominators[cell] += 1
        assert stored("days_to_identification", day) == with_zero_total(
            {cell: Decimal(n) for cell, n in numerators.items()}
        )
        assert stored_denominators("days_to_identification", day) == with_zero_total(
            {cell: Decimal(n) for cell, n in denominators.items()}
        )


def first_service(case: Case) -> datetime.date | None:
    days = [
        d.delivered_on
        for d in ServiceDelivery.objects.filter(case=case, status="delivered")
        if d.delivered_on
    ]
    return min(days) if days else None


def test_share_served_within_24_hours_and_cases_without_service_after_72_hours(
    dataset: None,
) -> None:
    dimensions = REGISTRY["served_within_24h"].dimensions
    for day in DAYS:
        cohort = decided("possible", day)
        served = [
            c
            for c in cohort
            if (first := first_service(c)) and first <= day + datetime.timedelta(1)
        ]
        served_cells = count_cells(served, day, dimensions)
        cohort_cells = with_zero_total(count_cells(cohort, day, dimensions))
        assert stored("served_within_24h", day) == {
            cell: served_cells.get(cell, Decimal(0)) for cell in cohort_cells
        }
        assert stored_denominators("served_within_24h", day) == with_zero_total(
            count_cells(cohort, day, dimensions)
        )
        earlier = decided("possible", day - datetime.timedelta(days=3))
        waiting = [c for c in earlier if (first := first_service(c)) is None or first > day]
        assert stored("no_service_72h", day) == with_zero_total(
            count_cells(waiting, day, dimensions)
        )


def test_cases_closed_by_reason(dataset: None) -> None:
    dimensions = REGISTRY["cases_closed"].dimensions
    for day in DAYS:
        closed = list(Case.objects.filter(closed_on=day))
        assert stored("cases_closed", day) == with_zero_total(count_cells(closed, day, dimensions))


def by_shelter(day: datetime.date, value: Callable[[DailyOccupancy], int]) -> dict[str, Decimal]:
    cells: defaultdict[str, Decimal] = defaultdict(Decimal)
    for row in DailyOccupancy.objects.filter(on=day, unit__isnull=True):
        for cell in (
            "",
            f"gov={row.shelter.governorate.code}",
            f"agency={row.shelter.agency.code}",
        ):
            cells[cell] += value(row)
    return dict(cells)


def test_shelter_occupancy_free_beds_and_full_shelters(dataset: None) -> None:
    for day in DAYS:
        assert stored("shelter_occupancy", day) == by_shelter(day, lambda r: r.occupied)
        assert stored_denominators("shelter_occupancy", day) == by_shelter(day, lambda r: r.beds)
        assert stored("free_beds", day) == by_shelter(day, lambda r: r.beds - r.occupied)
        full = {
            cell: n
            for cell, n in by_shelter(
                day, lambda r: int(r.occupied > Decimal("0.9") * r.beds)
            ).items()
            if n and not cell.startswith("agency=")
        }
        assert stored("shelters_above_90", day) == with_zero_total(full)


def referral_cells(referrals: Iterable[Referral]) -> dict[str, Decimal]:
    cells: Counter[str] = Counter()
    for referral in referrals:
        for cell in (
            "",
            f"agency={referral.to_agency.code}",
            f"service={referral.service_type.code}",
        ):
            cells[cell] += 1
    return with_zero_total({cell: Decimal(n) for cell, n in cells.items()})


def test_referrals_sent_accepted_and_overdue(dataset: None) -> None:
    everything = list(Referral.objects.all())
    for day in DAYS:
        end = datetime.datetime.combine(day + datetime.timedelta(1), datetime.time(), tzinfo=CAIRO)
        assert stored("referrals_sent", day) == referral_cells(
            r for r in everything if r.sent_at.astimezone(CAIRO).date() == day
        )
        assert stored("referrals_accepted", day) == referral_cells(
            r
            for r in everything
            if r.answered_at
            and r.answered_at.astimezone(CAIRO).date() == day
            and r.status != "declined"
        )
        assert stored("referrals_overdue", day) == referral_cells(
            r
            for r in everything
            if r.sent_at < end
            and r.respond_by < end
            and (r.answered_at is None or r.answered_at >= end)
            and (r.cancelled_at is None or r.cancelled_at >= end)
        )


def test_screenings_and_the_share_indicating_trafficking(dataset: None) -> None:
    for day in DAYS:
        done: Counter[str] = Counter()
        positive: Counter[str] = Counter()
        for screening in Screening.objects.filter(screened_on=day):
            survivor = screening.survivor
            age = (
                "none"
                if survivor.birth_year is None
                else ("child" if day.year - survivor.birth_year < 18 else "adult")
            )
            cells = [
                "",
                f"sex={survivor.sex}",
                f"age={age}",
                f"nat={'egyptian' if survivor.nationality == 'EG' else 'foreign'}",
                f"agency={screening.agency.code}",
            ]
            for cell in cells:
                done[cell] += 1
                positive[cell] += screening.outcome in ("indicated", "probable")
        assert stored("screenings", day) == with_zero_total(
            {c: Decimal(n) for c, n in done.items()}
        )
        assert stored("screenings_positive", day) == with_zero_total(
            {c: Decimal(n) for c, n in positive.items()}
        )


def test_sdg_16_2_2_rate_per_100000_over_the_last_365_days(dataset: None) -> None:
    populations = dict(Governorate.objects.values_list("code", "population"))
    national = Decimal(sum(p for p in populations.values() if p))
    dimensions = REGISTRY["sdg_16_2_2"].dimensions
    for day in DAYS:
        cases = [
            d.case
            for d in IdentificationDecision.objects.filter(status="identified")
            if day - datetime.timedelta(days=365) < d.decided_on <= day
        ]
        expected = with_zero_total(count_cells(cases, day, dimensions))
        rows = {r.cell: r for r in DailyValue.objects.filter(indicator="sdg_16_2_2", day=day)}
        assert {cell: row.numerator for cell, row in rows.items()} == expected
        for cell, row in rows.items():
            population = (
                Decimal(populations[cell[4:]])
                if cell.startswith("gov=") and cell != "gov=none"
                else national
            )
            if cell == "gov=none":
                assert row.value is None
                continue
            assert row.value == rules.value_of(rules.RATE, expected[cell], population)


def test_care_plans_approved_within_7_days(dataset: None) -> None:
    dimensions = REGISTRY["care_plans_within_7_days"].dimensions
    for day in DAYS:
        end = datetime.datetime.combine(day + datetime.timedelta(1), datetime.time(), tzinfo=CAIRO)
        cohort = decided("possible", day - datetime.timedelta(days=7))
        planned = [
            c
            for c in cohort
            if CarePlan.objects.filter(case=c, status="approved", decided_at__lt=end).exists()
        ]
        cohort_cells = with_zero_total(count_cells(cohort, day, dimensions))
        planned_cells = count_cells(planned, day, dimensions)
        assert stored("care_plans_within_7_days", day) == {
            cell: planned_cells.get(cell, Decimal(0)) for cell in cohort_cells
        }
        assert stored_denominators("care_plans_within_7_days", day) == cohort_cells


def mean_days(pairs: list[tuple[str, datetime.timedelta]]) -> dict[str, tuple[Decimal, Decimal]]:
    found: dict[str, tuple[Decimal, Decimal]] = {"": (Decimal(0), Decimal(0))}
    for cell, waited in pairs:
        days = Decimal(waited.total_seconds()) / Decimal(86_400)
        total, count = found.get(cell, (Decimal(0), Decimal(0)))
        found[cell] = (total + days, count + 1)
    return found


def test_time_to_answer_a_referral_and_to_pay_a_request(dataset: None) -> None:
    referrals = list(Referral.objects.exclude(answered_at=None))
    payments = list(PaymentRequest.objects.exclude(paid_at=None).exclude(status="rejected"))
    assert referrals and payments
    for day in DAYS:
        pairs = []
        for r in referrals:
            if r.answered_at.astimezone(CAIRO).date() == day:
                waited = r.answered_at - r.sent_at
                for cell in ("", f"agency={r.to_agency.code}", f"service={r.service_type.code}"):
                    pairs.append((cell, waited))
        expected = mean_days(pairs)
        rows = DailyValue.objects.filter(indicator="referral_answer_days", day=day)
        assert {r.cell: (r.numerator, r.denominator) for r in rows} == {
            cell: (total.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP), count)
            for cell, (total, count) in expected.items()
        }
        pairs = []
        for p in payments:
            if p.paid_at.astimezone(CAIRO).date() == day:
                for cell in ("", f"purpose={p.purpose}"):
                    pairs.append((cell, p.paid_at - p.created_at))
        expected = mean_days(pairs)
        rows = DailyValue.objects.filter(indicator="days_to_pay", day=day)
        assert {r.cell: (r.numerator, r.denominator) for r in rows} == {
            cell: (total.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP), count)
            for cell, (total, count) in expected.items()
        }


def test_every_indicator_computes_on_an_empty_day_with_a_zero_total() -> None:
    day = datetime.date(2026, 1, 1)
    compute_indicators(start=day, end=day)
    totals = dict(DailyValue.objects.filter(day=day, cell="").values_list("indicator", "numerator"))
    assert totals == {code: Decimal(0) for code in REGISTRY}


def consented_to_statistics(case: Case, day: datetime.date) -> bool:
    return any(
        consent.purpose == "statistics"
        and consent.given_on <= day
        and (consent.withdrawn_on is None or consent.withdrawn_on > day)
        for consent in case.survivor.consents.all()
    )


def test_where_the_law_excludes_them_survivors_without_statistics_consent_are_not_counted(
    settings: Any,
) -> None:
    from himaya.survivors.models import Consent, ConsentPurpose

    make_dataset()
    day = next(day for day in DAYS if len(decided("identified", day)) >= 2)
    cases = sorted(decided("identified", day), key=lambda case: case.pk)
    Consent.objects.filter(survivor__in=[case.survivor for case in cases]).filter(
        purpose=ConsentPurpose.STATISTICS
    ).delete()
    consenting = cases[0]
    Consent.objects.create(
        survivor=consenting.survivor,
        purpose=ConsentPurpose.STATISTICS,
        given_on=day - datetime.timedelta(days=1),
        recorded_by=consenting.case_worker,
    )

    settings.STATISTICS_WITHOUT_CONSENT = "aggregates"
    compute_indicators(start=day, end=day, codes=["identified_victims"])
    assert stored("identified_victims", day)[""] == Decimal(len(cases))

    settings.STATISTICS_WITHOUT_CONSENT = "excluded"
    compute_indicators(start=day, end=day, codes=["identified_victims"])
    counted = [case for case in cases if consented_to_statistics(case, day)]
    assert counted == [consenting]
    assert stored("identified_victims", day)[""] == Decimal(1)
