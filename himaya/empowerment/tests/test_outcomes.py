"""Outcome figures against a small fixture computed by hand (today: 15 January 2028)."""

from datetime import date
from decimal import Decimal

import pytest

from himaya.agencies.tests.factories import governorate
from himaya.empowerment.models import ProgrammeKind
from himaya.empowerment.selectors import outcomes
from himaya.empowerment.tests.factories import (
    CaseFactory,
    EnrolmentFactory,
    ProgrammeFactory,
    ProjectFactory,
)
from himaya.survivors.models import Sex

pytestmark = pytest.mark.django_db
TODAY = date(2028, 1, 15)

# started_on, closed after N months (None: still running), baseline, latest income
FEMALE_CAIRO = [
    (date(2025, 12, 1), None, "500", "1500"),  # A
    (date(2025, 12, 1), 8, "500", "0"),  # B
    (date(2026, 6, 1), None, "400", "1000"),  # C
    (date(2026, 6, 1), 13, "400", "200"),  # D
    (date(2026, 12, 1), 3, "300", None),  # E
    (date(2027, 3, 1), None, "300", "800"),  # F
    (date(2027, 9, 1), None, "600", "900"),  # G
]
MALE_ALEXANDRIA = (date(2026, 6, 1), None, "500", "700")  # H


def project(programme, sex, row, gov="EG-C"):
    started_on, closed_after, baseline, latest = row
    case = CaseFactory(survivor__sex=sex)
    return ProjectFactory(
        enrolment__programme=programme,
        enrolment__case=case,
        started_on=started_on,
        governorate=governorate(gov),
        baseline_income=Decimal(baseline),
        latest_income=None if latest is None else Decimal(latest),
        status="closed" if closed_after is not None else "active",
        closed_on=date(2027, 1, 1) if closed_after is not None else None,
        closed_after_months=closed_after,
        with_visits=False,
    )


@pytest.fixture
def fixture():
    loans = ProgrammeFactory(name_en="Loans", kind=ProgrammeKind.LOAN)
    training = ProgrammeFactory(name_en="Training", kind=ProgrammeKind.TRAINING)
    for row in FEMALE_CAIRO:
        project(loans, Sex.FEMALE, row)
    project(loans, Sex.MALE, MALE_ALEXANDRIA, "EG-ALX")
    for status in ["completed"] * 4 + ["dropped_out", "active", "referred"]:
        EnrolmentFactory(programme=training, status=status, case__survivor__sex=Sex.FEMALE)
    return loans, training


def test_outcomes_by_sex_for_women(fixture) -> None:
    rows = {row.key: row for row in outcomes(by="sex", today=TODAY)}
    women = rows["female"]
    assert women.projects == 7
    # 6 months: A-F are old enough (G is not); E closed after 3 months → 5 of 6.
    # 12 months: A-E are old enough; B (8) and E (3) closed before → 3 of 5.
    # 24 months: only A and B are old enough → fewer than five, withheld.
    assert [(s.months, s.projects, s.share) for s in women.survival] == [
        (6, 6, Decimal("83.3")),
        (12, 5, Decimal("60.0")),
        (24, None, None),
    ]
    # Income: the six projects with a latest income (not E).
    assert women.with_income == 6
    assert women.baseline_income == Decimal("450.00")  # 2700 / 6
    assert women.latest_income == Decimal("733.33")  # 4400 / 6
    assert women.income_change == Decimal("283.33")
    # Training: 4 completed of 5 ended (the active and referred ones do not count).
    assert (women.training_ended, women.training_completed) == (5, Decimal("80.0"))


def test_a_cell_of_fewer_than_five_people_is_withheld_entirely(fixture) -> None:
    men = {row.key: row for row in outcomes(by="sex", today=TODAY)}["male"]
    assert men.projects is None
    assert [(s.projects, s.share) for s in men.survival] == [(None, None)] * 3
    assert (men.with_income, men.baseline_income, men.latest_income, men.income_change) == (
        None,
        None,
        None,
        None,
    )


def test_outcomes_by_programme_include_every_project_of_the_programme(fixture) -> None:
    loans, training = fixture
    rows = {row.label: row for row in outcomes(by="programme", today=TODAY)}
    row = rows[loans.name]
    assert row.projects == 8
    assert [(s.months, s.projects, s.share) for s in row.survival] == [
        (6, 7, Decimal("85.7")),  # 6 of 7
        (12, 6, Decimal("66.7")),  # 4 of 6
        (24, None, None),
    ]
    assert row.baseline_income == Decimal("457.14")  # 3200 / 7
    assert row.latest_income == Decimal("728.57")  # 5100 / 7
    assert row.income_change == Decimal("271.43")
    assert rows[training.name].training_completed == Decimal("80.0")
    assert rows[training.name].projects is None


def test_outcomes_by_governorate_withhold_alexandria(fixture) -> None:
    rows = {row.key: row for row in outcomes(by="governorate", today=TODAY)}
    cairo = rows[str(governorate("EG-C").pk)]
    alexandria = rows[str(governorate("EG-ALX").pk)]
    assert cairo.projects == 7
    assert cairo.training_completed == Decimal("80.0")
    assert alexandria.projects is None


def test_outcomes_take_a_fixed_number_of_queries(fixture, django_assert_num_queries) -> None:
    with django_assert_num_queries(3):
        outcomes(by="programme", today=TODAY)
    with django_assert_num_queries(2):
        outcomes(by="sex", today=TODAY)


def test_the_outcomes_page_shows_aggregates_only_and_withholds_small_cells(
    fixture, personas, login
) -> None:
    import time_machine

    from himaya.empowerment.models import Enrolment, Project

    with time_machine.travel("2028-01-15 10:00+02:00", tick=False):
        response = login(personas["analyst"]).get("/empowerment/outcomes/")
    html = response.content.decode()
    assert response.status_code == 200
    assert "83.3%" in html or "83,3%" in html
    assert "✱" in html
    for code in [
        *Enrolment.objects.values_list("code", flat=True),
        *Enrolment.objects.values_list("case__code", flat=True),
        *Enrolment.objects.values_list("case__survivor__code", flat=True),
        *Project.objects.values_list("code", flat=True),
    ]:
        assert code not in html
    from himaya.survivors.models import Survivor

    for survivor in Survivor.objects.all():
        assert survivor.name_ar not in html
        assert survivor.name_latin not in html
