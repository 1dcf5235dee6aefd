"""Recording a screening: outcome, versions, explanation, audit trail and case timeline."""

import datetime as dt

import pytest
import time_machine
from django.utils import translation

from himaya.audit.models import AuditEvent
from himaya.cases.models import Case
from himaya.screening import demo, rules
from himaya.screening.actions import record_screening
from himaya.screening.exceptions import ScreeningError
from himaya.screening.models import Screening, ScreeningAnswer, rule_name
from himaya.screening.tests.factories import SurvivorFactory, labour_set
from himaya.timeline.models import CaseEvent

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2026, 11, 28, 10, 0, tzinfo=dt.UTC)


@pytest.fixture
def survivor(agency_a, case_worker):
    return SurvivorFactory(
        registered_by_agency=agency_a, registered_by=case_worker, birth_year=1995
    )


def screen(user, survivor, pattern, children=False):
    indicator_set = labour_set(children)
    return record_screening(
        by=user,
        survivor=survivor,
        indicator_set=indicator_set,
        answers=demo.answers_for(indicator_set, pattern),
        consent_by="person",
    )


@time_machine.travel(NOW, tick=False)
@pytest.mark.parametrize(
    ("pattern", "outcome", "positive"),
    [
        ("indicated", "indicated", ["DR", "EX", "CD"]),
        ("probable", "probable", ["DR", "EX"]),
        ("exploitation", "exploitation", ["EX"]),
        ("not_indicated", "not_indicated", []),
    ],
)
def test_each_answer_pattern_gives_its_outcome_category(
    case_worker, survivor, pattern, outcome, positive
) -> None:
    screening = screen(case_worker, survivor, pattern)
    assert screening.outcome == outcome
    assert screening.positive_dimensions == positive
    assert screening.offers_case is (outcome in {"indicated", "probable"})


@time_machine.travel(NOW, tick=False)
def test_a_screening_stores_every_answer_and_the_versions(case_worker, survivor, agency_a) -> None:
    screening = screen(case_worker, survivor, "indicated")
    assert screening.code.startswith("SC")
    assert screening.rule_version == rules.RULE_VERSION == "ilo-ec-2009/2"
    assert screening.catalogue_version == "ilo-ec-2009"
    assert screening.agency == agency_a
    assert screening.screened_on == dt.date(2026, 11, 28)
    assert screening.child_rule is False
    answers = ScreeningAnswer.objects.filter(screening=screening)
    assert answers.count() == 67
    assert answers.filter(answer="yes").count() == 7
    assert answers.filter(answer="unknown").count() == 2
    assert answers.filter(answer="no").count() == 58


def test_an_indicator_left_out_is_stored_as_unknown(case_worker, survivor) -> None:
    screening = record_screening(
        by=case_worker,
        survivor=survivor,
        indicator_set=labour_set(),
        answers={},
        consent_by="person",
    )
    assert set(screening.answers.values_list("answer", flat=True)) == {"unknown"}
    assert screening.outcome == "not_indicated"


def test_the_stored_outcome_keeps_its_rule_version_when_the_rule_changes(
    case_worker, survivor, monkeypatch
) -> None:
    first = screen(case_worker, survivor, "probable")
    monkeypatch.setattr(rules, "RULE_VERSION", "ilo-ec-2009/2-test")
    monkeypatch.setattr(
        rules, "POSITIVE_WHEN", (rules.Threshold(strong=1), rules.Threshold(medium=1))
    )
    first.refresh_from_db()
    assert (first.outcome, first.rule_version) == ("probable", "ilo-ec-2009/2")
    indicator_set = labour_set()
    rerun = record_screening(
        by=case_worker,
        survivor=survivor,
        indicator_set=indicator_set,
        answers=demo.answers_for(indicator_set, "probable"),
        consent_by="person",
    )
    assert rerun.pk != first.pk
    first.refresh_from_db()
    assert (first.outcome, first.rule_version) == ("probable", "ilo-ec-2009/2")
    assert (rerun.outcome, rerun.rule_version) == ("indicated", "ilo-ec-2009/2-test")
    assert Screening.objects.filter(survivor=survivor).count() == 2


def test_the_explanation_names_the_positive_dimensions_and_their_indicators(
    case_worker, survivor
) -> None:
    screening = screen(case_worker, survivor, "probable")
    english = screening.explanation_en
    assert "Outcome: Trafficking probable." in english
    assert "Deceptive recruitment (1 strong, 1 medium)" in english
    assert "Misled about the type of job, the place of work or who the employer is" in english
    assert "Exploitative conditions (1 strong, 1 medium)" in english
    assert "Excessive working days or hours" in english
    assert "Coercion at destination (1 medium)" in english  # observed, below threshold
    arabic = screening.explanation_ar
    assert "التجنيد بالخداع" in arabic
    assert "خداع بشأن طبيعة العمل أو مكانه أو صاحب العمل" in arabic
    with translation.override("ar"):
        assert f"{rule_name('ilo-ec-2009/2')}." in arabic  # the rule in words, not its code


@time_machine.travel(NOW, tick=False)
def test_the_child_rule_applies_to_a_survivor_who_may_be_under_18(case_worker, agency_a) -> None:
    child = SurvivorFactory(
        registered_by_agency=agency_a, registered_by=case_worker, birth_year=2009
    )
    screening = screen(case_worker, child, "probable")  # adult set chosen, child by age
    assert screening.child_rule is True
    assert screening.outcome == "indicated"
    assert "Child rule" in screening.explanation_en


def test_the_children_set_applies_the_child_rule(case_worker, survivor) -> None:
    screening = screen(case_worker, survivor, "indicated", children=True)
    assert screening.child_rule is True
    assert screening.indicator_set.code == "C_LAB"
    assert screening.answers.count() == 65


def test_recording_writes_the_audit_trail_without_personal_data(case_worker, survivor) -> None:
    screening = screen(case_worker, survivor, "indicated")
    event = AuditEvent.objects.get(action="screening.recorded")
    assert event.object_code == screening.code
    assert event.actor == case_worker
    assert event.details == {
        "survivor": survivor.code,
        "indicator_set": "A_LAB",
        "catalogue_version": "ilo-ec-2009",
        "rule_version": "ilo-ec-2009/2",
        "outcome": "indicated",
        "positive_dimensions": ["DR", "EX", "CD"],
        "child_rule": False,
        "consent_by": "person",
        "child_assent": False,
        "provisional_set": False,
        "interpreter_needed": None,
        "interpreter_provided_by": "",
    }


def test_recording_writes_the_timeline_of_the_survivors_open_case(
    case_worker, survivor, agency_a
) -> None:
    case = Case.objects.create(
        survivor=survivor,
        lead_agency=agency_a,
        case_worker=case_worker,
        first_contact_on=dt.date(2026, 11, 1),
    )
    screening = screen(case_worker, survivor, "exploitation")
    event = CaseEvent.objects.get(case=case, kind="screening.recorded")
    assert event.object_code == screening.code
    assert event.actor == case_worker


def test_an_outsider_cannot_screen_a_survivor_of_another_agency(outsider, survivor) -> None:
    with pytest.raises(ScreeningError):
        screen(outsider, survivor, "indicated")
    assert Screening.objects.count() == 0
    assert AuditEvent.objects.filter(action="screening.recorded").count() == 0


def test_answers_for_indicators_of_another_set_are_refused(case_worker, survivor) -> None:
    with pytest.raises(ScreeningError):
        record_screening(
            by=case_worker,
            survivor=survivor,
            indicator_set=labour_set(),
            answers={"C_LAB-DR-S01": "yes"},
            consent_by="person",
        )
    assert Screening.objects.count() == 0


def test_demo_seed_screens_survivors_once_with_every_outcome(make_persona, agency_a) -> None:
    worker = make_persona("case_worker", agency_a, "demo_worker")
    for year in (1990, 1985, 1999, 2001, 1978):
        SurvivorFactory(registered_by_agency=agency_a, registered_by=worker, birth_year=year)
    first = demo.seed()
    assert first == "5 screenings created, 5 in all"
    assert demo.seed() == "0 screenings created, 5 in all"
    assert set(Screening.objects.values_list("outcome", flat=True)) == {
        "indicated",
        "probable",
        "exploitation",
        "not_indicated",
    }
