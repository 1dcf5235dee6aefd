"""The demo: enrolments of demo cases with two years of visits, and nothing more on a rerun."""

import pytest

from himaya.accounts import demo as accounts_demo
from himaya.agencies import demo as agencies_demo
from himaya.agencies.models import Agency
from himaya.empowerment import demo
from himaya.empowerment.models import Enrolment, Programme, Project, Visit
from himaya.empowerment.tests.factories import CaseFactory
from himaya.survivors.models import Sex

pytestmark = pytest.mark.django_db


def test_demo_seed_creates_projects_with_visit_histories_and_is_idempotent() -> None:
    agencies_demo.seed()
    accounts_demo.seed()
    cairo = Agency.objects.get(name_en=agencies_demo.CAIRO_DIRECTORATE)
    for index in range(10):
        CaseFactory(
            lead_agency=cairo,
            survivor__sex=Sex.FEMALE if index % 3 else Sex.MALE,
            survivor__birth_year=1985 + index,
            phase="assistance",
        )
    first = demo.seed()
    counts = (Enrolment.objects.count(), Project.objects.count(), Visit.objects.count())
    assert first.startswith("10 enrolments")
    assert counts[1] >= 5
    mix = {"active", "struggling", "closed"}
    assert set(Project.objects.values_list("status", flat=True)) == mix
    assert (
        set(Visit.objects.exclude(project_status="").values_list("project_status", flat=True))
        == mix
    )
    assert Enrolment.objects.filter(programme__slug="vocational-training").exists()
    assert not Programme.objects.filter(managing_agency__isnull=True).exists()
    assert demo.seed().startswith("0 enrolments")
    assert (Enrolment.objects.count(), Project.objects.count(), Visit.objects.count()) == counts
    # The cases keep their phase: the phase at referral lives on the enrolment.
    assert set(Enrolment.objects.values_list("case__phase", flat=True)) == {"assistance"}
    assert set(Enrolment.objects.values_list("case_phase", flat=True)) == {"reintegration"}
