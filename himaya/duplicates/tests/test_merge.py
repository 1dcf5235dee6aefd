"""Merging two survivors, undoing it exactly, marking two as different people."""

from typing import Any

import pytest

from himaya.accounts.models import User
from himaya.agencies.models import Agency, Membership, Role
from himaya.audit.models import AuditEvent
from himaya.cases.tests.factories import CaseFactory
from himaya.core.errors import Conflict, Forbidden, NotFound
from himaya.duplicates import actions
from himaya.duplicates.models import CandidatePair, MergeRecord, PairStatus
from himaya.duplicates.tests.conftest import Pairs, survivor
from himaya.survivors.models import (
    PossibleDuplicate,
    Survivor,
    SurvivorAccess,
    SurvivorMatchKey,
    SurvivorSearchToken,
)
from himaya.survivors.tests.factories import ConsentFactory, SurvivorDocumentFactory

pytestmark = pytest.mark.django_db


def snapshot() -> dict[str, Any]:
    """Every row of every table a merge touches: the survivors, every table pointing to
    them (all apps), and the derived rows (without their own ids)."""
    tables: dict[str, Any] = {
        "survivors": list(Survivor._base_manager.order_by("pk").values()),
    }
    for model, _field in actions.survivor_relations():
        tables[model._meta.label] = list(model._base_manager.order_by("pk").values())
    for model in (SurvivorAccess, SurvivorSearchToken, SurvivorMatchKey):
        rows = model._base_manager.values()
        tables[model._meta.label] = sorted(
            tuple(sorted((k, v) for k, v in row.items() if k != "id")) for row in rows
        )
    return tables


@pytest.fixture
def rich(pairs: Pairs, case_worker: User, agency_a: Agency) -> Pairs:
    """The Latin-script record holds a case, a consent, a document and a review."""
    removed = pairs.fatma_latin
    CaseFactory(survivor=removed, lead_agency=agency_a, case_worker=case_worker)
    ConsentFactory(survivor=removed)
    SurvivorDocumentFactory(survivor=removed, number="P 998877")
    SurvivorDocumentFactory(survivor=pairs.fatma_ar, number="N 112233")
    # A review joining the two: merged, it would join a survivor to itself.
    PossibleDuplicate.objects.create(
        survivor=removed, matched=pairs.fatma_ar, found_by=case_worker, reason="name_year"
    )
    for made in (removed, pairs.fatma_ar):
        actions.refresh_match_keys(survivor=made)
    return pairs


def test_a_merge_re_points_every_row_and_removes_the_other_survivor(
    rich: Pairs, supervisor: User
) -> None:
    kept, removed = rich.fatma_ar, rich.fatma_latin
    record = actions.merge_pair(pair=rich.in_scope, by=supervisor, keep=kept, expected_version=1)
    assert not Survivor.objects.filter(pk=removed.pk).exists()
    assert kept.cases.count() == 1
    assert kept.consents.count() == 1
    assert sorted(d.number for d in kept.documents.all()) == ["N 112233", "P 998877"]
    assert PossibleDuplicate.objects.count() == 0
    assert record.repointed["cases.Case.survivor_id"]
    assert list(record.set_aside) == ["survivors.PossibleDuplicate.survivor_id"]
    rich.in_scope.refresh_from_db()
    assert rich.in_scope.status == PairStatus.MERGED
    event = AuditEvent.objects.get(action="duplicates.merged")
    assert event.details["removed"] == removed.code
    assert event.details["rows"]["cases.Case.survivor_id"] == 1
    # The kept survivor's blocking keys now hold the removed one's document.
    assert SurvivorMatchKey.objects.filter(survivor=kept).count() > 0


def test_merge_then_undo_restores_every_row_exactly(rich: Pairs, supervisor: User) -> None:
    before = snapshot()
    stored = list(
        Survivor._base_manager.raw("SELECT id, name_ar FROM survivors_survivor ORDER BY id")
    )
    record = actions.merge_pair(
        pair=rich.in_scope, by=supervisor, keep=rich.fatma_ar, expected_version=1
    )
    assert snapshot() != before
    actions.undo_merge(merge=record, by=supervisor)
    assert snapshot() == before
    after = list(
        Survivor._base_manager.raw("SELECT id, name_ar FROM survivors_survivor ORDER BY id")
    )
    assert [(s.pk, s.name_ar) for s in after] == [(s.pk, s.name_ar) for s in stored]
    record.refresh_from_db()
    assert record.undone_at is not None
    rich.in_scope.refresh_from_db()
    assert rich.in_scope.status == PairStatus.OPEN
    assert AuditEvent.objects.filter(action="duplicates.merge_undone").count() == 1


def test_a_merge_cannot_be_undone_twice(rich: Pairs, supervisor: User) -> None:
    record = actions.merge_pair(
        pair=rich.in_scope, by=supervisor, keep=rich.fatma_latin, expected_version=1
    )
    actions.undo_merge(merge=record, by=supervisor)
    before = snapshot()
    with pytest.raises(Conflict):
        actions.undo_merge(merge=record, by=supervisor)
    assert snapshot() == before


def test_a_supervisor_cannot_merge_a_survivor_outside_their_scope(
    pairs: Pairs, supervisor: User
) -> None:
    before = snapshot()
    with pytest.raises(NotFound):
        actions.merge_pair(
            pair=pairs.across, by=supervisor, keep=pairs.fatma_ar, expected_version=1
        )
    assert snapshot() == before
    assert MergeRecord.objects.count() == 0
    assert not AuditEvent.objects.filter(action="duplicates.merged").exists()


def test_a_supervisor_of_both_agencies_merges_across_agencies(
    pairs: Pairs, supervisor: User, agency_b: Agency
) -> None:
    Membership.objects.create(user=supervisor, agency=agency_b, role=Role.SUPERVISOR)
    supervisor = User.objects.get(pk=supervisor.pk)
    actions.merge_pair(pair=pairs.across, by=supervisor, keep=pairs.fatma_ar, expected_version=1)
    assert not Survivor.objects.filter(pk=pairs.fatma_in_b.pk).exists()


def test_a_case_worker_cannot_merge_and_nothing_changes(pairs: Pairs, case_worker: User) -> None:
    before = snapshot()
    with pytest.raises(Forbidden):
        actions.merge_pair(
            pair=pairs.in_scope, by=case_worker, keep=pairs.fatma_ar, expected_version=1
        )
    assert snapshot() == before


def test_a_stale_version_merges_nothing(pairs: Pairs, supervisor: User) -> None:
    before = snapshot()
    with pytest.raises(Conflict):
        actions.merge_pair(
            pair=pairs.in_scope, by=supervisor, keep=pairs.fatma_ar, expected_version=7
        )
    assert snapshot() == before


def test_two_open_stays_cannot_be_merged_and_nothing_changes(
    pairs: Pairs, supervisor: User, case_worker: User, agency_a: Agency
) -> None:
    import datetime

    from himaya.shelters.models import Stay
    from himaya.shelters.tests.factories import BedFactory, make_unit

    unit = make_unit(beds=1)
    for made in (pairs.fatma_ar, pairs.fatma_latin):
        case = CaseFactory(survivor=made, lead_agency=agency_a, case_worker=case_worker)
        Stay.objects.create(
            case=case,
            survivor=made,
            bed=BedFactory(unit=unit),
            shelter=unit.shelter,
            status="open",
            admitted_on=datetime.date(2026, 11, 1),
            admitted_by=case_worker,
        )
    before = snapshot()
    with pytest.raises(actions.MergeRefused):
        actions.merge_pair(
            pair=pairs.in_scope, by=supervisor, keep=pairs.fatma_ar, expected_version=1
        )
    assert snapshot() == before
    assert MergeRecord.objects.count() == 0


def test_marked_distinct_a_pair_is_never_proposed_again(pairs: Pairs, supervisor: User) -> None:
    actions.mark_distinct(pair=pairs.in_scope, by=supervisor, expected_version=1)
    pairs.in_scope.refresh_from_db()
    assert pairs.in_scope.status == PairStatus.DISTINCT
    actions.find_duplicates()
    pairs.in_scope.refresh_from_db()
    assert pairs.in_scope.status == PairStatus.DISTINCT
    assert (
        CandidatePair.objects.filter(
            survivor_a=pairs.in_scope.survivor_a_id, survivor_b=pairs.in_scope.survivor_b_id
        ).count()
        == 1
    )


def test_the_registry_search_finds_one_person_across_scripts_and_agencies(
    case_worker: User, outsider: User, agency_a: Agency, agency_b: Agency
) -> None:
    first = survivor(
        agency_a, case_worker, name_ar="عبد الله محمود حسن", name_latin="", birth_year=1995
    )
    second = survivor(
        agency_b, outsider, name_ar="", name_latin="Abdallah Mahmoud Hassan", birth_year=1996
    )
    survivor(agency_b, outsider, name_ar="", name_latin="Mariam Youssef", birth_year=1980)
    counts = actions.find_duplicates()
    assert counts["new"] == 1
    pair = CandidatePair.objects.get()
    assert {pair.survivor_a_id, pair.survivor_b_id} == {first.pk, second.pk}
    assert pair.reasons[0]["reason"] == "names_same"


def test_automatic_merging_is_off_unless_an_administrator_switches_it_on(
    case_worker: User, agency_a: Agency, make_persona: Any
) -> None:
    first = survivor(agency_a, case_worker, name_latin="Khadija Omar Ali", birth_year=1990)
    SurvivorDocumentFactory(survivor=first, number="A7654321")
    second = survivor(agency_a, case_worker, name_latin="Khadiga Omer Aly", birth_year=1990)
    SurvivorDocumentFactory(survivor=second, number="a 765 4321")
    for made in (first, second):
        actions.refresh_match_keys(survivor=made)
    actions.find_duplicates(estimate=False)
    assert Survivor.objects.filter(pk__in=[first.pk, second.pk]).count() == 2
    administrator = make_persona(Role.ADMINISTRATOR)
    actions.update_settings(
        by=administrator,
        expected_version=1,
        review_threshold=0.8,
        auto_merge_enabled=True,
        auto_merge_threshold=0.995,
    )
    actions.find_duplicates(estimate=False)
    assert Survivor.objects.filter(pk__in=[first.pk, second.pk]).count() == 1
    assert MergeRecord.objects.get().automatic


def test_automatic_merging_below_the_high_precision_threshold_is_refused(
    make_persona: Any,
) -> None:
    from himaya.core.errors import Invalid

    administrator = make_persona(Role.ADMINISTRATOR)
    with pytest.raises(Invalid):
        actions.update_settings(
            by=administrator,
            expected_version=1,
            review_threshold=0.8,
            auto_merge_enabled=True,
            auto_merge_threshold=0.9,
        )
