"""Every indicator equals an independent computation, in plain Python over the rows the
factories made, for every day and every cell."""

import datetime
import statistics
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

import pytest

from himaya.agencies.models import Governorate
from himaya.cases.models import CarePlan, Case, IdentificationDecision
from himaya.cases.tests.factories import CaseFactory
from himaya.fund.models import PaymentRequest
from himaya.monitoring import rules
from himaya.monitoring.actions import compute_indicators
from himaya.monitoring.indicators import REGISTRY
from himaya.monitoring.models import DailyValue
from himaya.monitoring.tests.samples import CAIRO, DAYS, make_dataset
from himaya.referrals.models import Referral
from himaya.returns.tests.factories import ReturnPlanFactory
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
        "sexage": {f"{survivor.sex}-{age}"},
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


def medians(pairs: list[tuple[str, Decimal]]) -> dict[str, tuple[Decimal, Decimal]]:
    """The median (to the hundredth) and the number of values of every cell."""
    found: dict[str, list[Decimal]] = {"": []}
    for cell, days in pairs:
        found.setdefault(cell, []).append(days)
    return {
        cell: (
            Decimal(statistics.median(values)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
            if values
            else Decimal(0),
            Decimal(len(values)),
        )
        for cell, values in found.items()
    }


def stored_pairs(code: str, day: datetime.date) -> dict[str, tuple[Decimal, Decimal | None]]:
    rows = DailyValue.objects.filter(indicator=code, day=day)
    return {r.cell: (r.numerator, r.denominator) for r in rows}


def test_days_to_identification_is_the_median_of_the_days_since_first_contact(
    dataset: None,
) -> None:
    dimensions = REGISTRY["days_to_identification"].dimensions
    for day in DAYS:
        pairs = []
        for decision in IdentificationDecision.objects.filter(status="identified", decided_on=day):
            days = Decimal((decision.decided_on - decision.case.first_contact_on).days)
            found = members(decision.case, day)
            for cell in [""] + [f"{d}={m}" for d in dimensions for m in found[d]]:
                pairs.append((cell, days))
        assert stored_pairs("days_to_identification", day) == medians(pairs)
        total = DailyValue.objects.get(indicator="days_to_identification", day=day, cell="")
        assert total.value == (total.numerator if total.denominator else None)


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


def test_the_sdg_window_of_a_period_counts_the_cases_whose_windows_begin_or_end_in_it() -> None:
    """A period shorter than the window counts by the database the cases decided in every
    day's window, and one by one those decided near its ends: the two agree with each day
    computed alone and with the decisions themselves."""
    make_dataset()
    year = datetime.timedelta(days=365)
    undecided = Case.objects.exclude(identification_decisions__status="identified")
    ending, gap, covered = list(undecided.order_by("id")[:3])
    first = IdentificationDecision.objects.filter(status="identified").first()
    assert first is not None

    def identify(case: Case, on: datetime.date) -> None:
        IdentificationDecision.objects.create(
            case=case,
            status="identified",
            decided_on=on,
            deciding_agency=case.lead_agency,
            decided_by=first.decided_by,
            grounds="قرار نهائي",
        )

    identify(ending, DAYS[2] - year)  # its window ends the day before DAYS[2]
    identify(gap, DAYS[3] - year)  # out of the window on DAYS[3] only
    identify(gap, DAYS[4])
    identify(covered, DAYS[1] - year)  # and again within every day's window
    identify(covered, DAYS[0] - datetime.timedelta(days=100))
    item = REGISTRY["sdg_16_2_2"]
    period = item.compute_range(DAYS[0], DAYS[-1])
    assert {day: sorted(cells) for day, cells in period.items()} == {
        day: sorted(item.compute(day)) for day in DAYS
    }
    for day in DAYS:
        cases = {
            d.case
            for d in IdentificationDecision.objects.filter(status="identified")
            if day - year < d.decided_on <= day
        }
        expected = with_zero_total(count_cells(cases, day, item.dimensions))
        found = {
            f"{value.dimension}={value.member}" if value.dimension else "": value.numerator
            for value in period[day]
        }
        assert found == expected
        assert (ending in cases, gap in cases, covered in cases) == (
            day < DAYS[2],
            day != DAYS[3],
            True,
        )


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


def in_days(waited: datetime.timedelta) -> Decimal:
    return Decimal(waited.days * 86_400 + waited.seconds) / Decimal(86_400)


def test_time_to_answer_a_referral_and_to_pay_a_request_are_medians(dataset: None) -> None:
    referrals = list(Referral.objects.exclude(answered_at=None))
    payments = list(PaymentRequest.objects.exclude(paid_at=None).exclude(status="rejected"))
    assert referrals and payments
    for day in DAYS:
        pairs = []
        for r in referrals:
            if r.answered_at.astimezone(CAIRO).date() == day:
                waited = in_days(r.answered_at - r.sent_at)
                for cell in ("", f"agency={r.to_agency.code}", f"service={r.service_type.code}"):
                    pairs.append((cell, waited))
        assert stored_pairs("referral_answer_days", day) == medians(pairs)
        pairs = []
        for p in payments:
            if p.paid_at.astimezone(CAIRO).date() == day:
                gov = p.case.governorate_of_exploitation
                for cell in ("", f"purpose={p.purpose}", f"gov={gov.code if gov else 'none'}"):
                    pairs.append((cell, in_days(p.paid_at - p.created_at)))
        assert stored_pairs("days_to_pay", day) == medians(pairs)


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


def test_a_period_computed_at_once_equals_its_days_computed_one_by_one() -> None:
    make_dataset()
    last = DAYS[-1] + datetime.timedelta(days=8)
    compute_indicators(start=DAYS[0], end=last)
    fields = ("indicator", "day", "cell", "numerator", "denominator", "value", "member_en")
    at_once = sorted(DailyValue.objects.values_list(*fields))
    DailyValue.objects.all().delete()
    day = DAYS[0]
    while day <= last:
        compute_indicators(start=day, end=day)
        day += datetime.timedelta(days=1)
    assert sorted(DailyValue.objects.values_list(*fields)) == at_once
    assert {row[0] for row in at_once} == set(REGISTRY)


def test_a_period_across_a_new_year_counts_the_age_group_of_each_days_year() -> None:
    make_dataset()
    item = REGISTRY["possible_victims"]
    start, end = datetime.date(2025, 12, 30), datetime.date(2026, 1, 2)
    assert item.compute_range(start, end) == {
        day: item.compute(day) for day in (start + datetime.timedelta(n) for n in range(4))
    }


def test_survivors_identified_again_after_an_earlier_closed_case() -> None:
    make_dataset()
    day = DAYS[3]
    again = [d.case for d in IdentificationDecision.objects.filter(status="identified")][:2]
    for case in again:
        earlier = CaseFactory(survivor=case.survivor, lead_agency=case.lead_agency)
        Case.objects.filter(pk=earlier.pk).update(
            phase="closed",
            closed_on=day - datetime.timedelta(days=30),
            closure_reason="lost_contact",
        )
        IdentificationDecision.objects.filter(case=case, status="identified").update(decided_on=day)
    compute_indicators(start=DAYS[0], end=DAYS[-1])
    dimensions = REGISTRY["identified_again"].dimensions
    for on in DAYS:
        expected = [
            case
            for case in decided("identified", on)
            if Case.objects.filter(survivor=case.survivor, closed_on__lt=on)
            .exclude(pk=case.pk)
            .exists()
        ]
        assert stored("identified_again", on) == with_zero_total(
            count_cells(expected, on, dimensions)
        )
    assert stored("identified_again", day)[""] == Decimal(2)


def test_returns_arrived_count_the_arrivals_of_the_day_and_not_the_cancelled() -> None:
    data = make_dataset()
    day = DAYS[2]
    arrived, cancelled = data.cases[0], data.cases[1]
    ReturnPlanFactory(case=arrived, status="completed", arrived_on=day)
    ReturnPlanFactory(
        case=cancelled, status="cancelled", arrived_on=day, cancel_reason="لم يعد ممكناً"
    )
    compute_indicators(start=day, end=day, codes=["returns_arrived"])
    cells = stored("returns_arrived", day)
    sex = arrived.survivor.sex
    assert cells[""] == Decimal(1)
    assert cells[f"sex={sex}"] == Decimal(1)
    assert sum(n for cell, n in cells.items() if cell.startswith("sex=")) == Decimal(1)
