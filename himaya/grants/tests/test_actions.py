from collections.abc import Iterator
from datetime import date
from decimal import Decimal

import pytest
import time_machine
from django.utils import translation

from himaya.audit.models import AuditEvent
from himaya.core.locking import ConcurrentEditError
from himaya.core.models import DeletionRefused
from himaya.grants import actions
from himaya.grants.models import Grant, GrantReport, Tranche, TrancheStatus
from himaya.grants.selectors import recorded_activity
from himaya.grants.tests.factories import make_grant

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english() -> Iterator[None]:
    with translation.override("en"):
        yield


def test_a_grant_is_created_with_tranches_that_add_up(grants_officer, ngo_a) -> None:
    grant = actions.create_grant(
        ngo=ngo_a,
        title="منحة الحماية",
        amount=Decimal("250000"),
        starts_on=date(2025, 7, 1),
        ends_on=date(2026, 6, 30),
        phases=["prevention", "protection"],
        services="توعية\nإيواء",
        tranches=[(date(2025, 7, 1), Decimal("150000")), (date(2026, 1, 1), Decimal("100000"))],
        by=grants_officer,
    )
    assert list(grant.tranches.values_list("sequence", "amount")) == [
        (1, Decimal("150000.00")),
        (2, Decimal("100000.00")),
    ]
    assert AuditEvent.objects.filter(action="grants.grant_created").count() == 1


def test_a_grant_whose_tranches_do_not_add_up_is_refused(grants_officer, ngo_a) -> None:
    with pytest.raises(actions.GrantError):
        actions.create_grant(
            ngo=ngo_a,
            title="x",
            amount=Decimal("250000"),
            starts_on=date(2025, 7, 1),
            ends_on=date(2026, 6, 30),
            phases=["protection"],
            services="",
            tranches=[(date(2025, 7, 1), Decimal("100000"))],
            by=grants_officer,
        )
    assert Grant.objects.count() == 0 and Tranche.objects.count() == 0


def test_a_grant_to_an_agency_that_is_not_an_ngo_is_refused(grants_officer, agency_a) -> None:
    with pytest.raises(actions.GrantError):
        actions.create_grant(
            ngo=agency_a,
            title="x",
            amount=Decimal("1"),
            starts_on=date(2025, 7, 1),
            ends_on=date(2026, 6, 30),
            phases=["protection"],
            services="",
            tranches=[(date(2025, 7, 1), Decimal("1"))],
            by=grants_officer,
        )
    assert Grant.objects.count() == 0


@time_machine.travel("2025-10-05 10:00:00+02:00", tick=False)
def test_a_tranche_is_released_only_after_the_previous_report_is_approved(
    grants_officer, ngo_staff, ngo_a
) -> None:
    grant = make_grant(ngo_a)
    first, second, _third = grant.tranches.all()
    released = actions.release_tranche(tranche=first, by=grants_officer, expected_version=1)
    assert (released.status, released.released_on) == (TrancheStatus.RELEASED, date(2025, 10, 5))
    with pytest.raises(actions.GrantConflict, match="report on the previous period"):
        actions.release_tranche(tranche=second, by=grants_officer, expected_version=1)
    report = actions.submit_report(
        tranche=first,
        narrative="قدمنا الدعم النفسي لعشرين ناجية",
        people_served=20,
        services_delivered=45,
        by=ngo_staff,
        expected_version=0,
    )
    assert (report.period_start, report.period_end) == (date(2025, 7, 1), date(2025, 9, 30))
    with pytest.raises(actions.GrantConflict, match="report on the previous period"):
        actions.release_tranche(tranche=second, by=grants_officer, expected_version=1)
    second.refresh_from_db()
    assert (second.status, second.version) == (TrancheStatus.PENDING, 1)
    actions.review_report(
        report=report, approve=True, note="", by=grants_officer, expected_version=1
    )
    released = actions.release_tranche(tranche=second, by=grants_officer, expected_version=1)
    assert released.status == "released"


def test_a_returned_report_is_corrected_and_submitted_again(
    grants_officer, ngo_staff, ngo_a
) -> None:
    grant = make_grant(ngo_a)
    first = grant.tranches.get(sequence=1)
    actions.release_tranche(tranche=first, by=grants_officer, expected_version=1)
    report = actions.submit_report(
        tranche=first,
        narrative="تقرير أولي",
        people_served=5,
        services_delivered=5,
        by=ngo_staff,
        expected_version=0,
    )
    with pytest.raises(actions.GrantError, match="must change"):
        actions.review_report(
            report=report, approve=False, note="", by=grants_officer, expected_version=1
        )
    actions.review_report(
        report=report,
        approve=False,
        note="أرفقوا الأعداد",
        by=grants_officer,
        expected_version=1,
    )
    again = actions.submit_report(
        tranche=first,
        narrative="تقرير مصحح",
        people_served=7,
        services_delivered=9,
        by=ngo_staff,
        expected_version=2,
    )
    assert (again.pk, again.status, again.people_served, again.version) == (
        report.pk,
        "submitted",
        7,
        3,
    )


def test_only_the_ngos_own_staff_report_on_its_grant(
    grants_officer, other_ngo_staff, ngo_a
) -> None:
    first = make_grant(ngo_a).tranches.get(sequence=1)
    actions.release_tranche(tranche=first, by=grants_officer, expected_version=1)
    with pytest.raises(actions.GrantForbidden):
        actions.submit_report(
            tranche=first,
            narrative="x",
            people_served=1,
            services_delivered=1,
            by=other_ngo_staff,
            expected_version=0,
        )
    assert GrantReport.objects.count() == 0


def test_ngo_staff_cannot_release_tranches(ngo_staff, ngo_a) -> None:
    first = make_grant(ngo_a).tranches.get(sequence=1)
    with pytest.raises(actions.GrantForbidden):
        actions.release_tranche(tranche=first, by=ngo_staff, expected_version=1)
    first.refresh_from_db()
    assert first.status == TrancheStatus.PENDING


def test_grants_are_never_deleted(ngo_a) -> None:
    grant = make_grant(ngo_a)
    with pytest.raises(DeletionRefused):
        grant.delete()
    with pytest.raises(DeletionRefused):
        Tranche.objects.all().delete()
    assert Grant.objects.count() == 1 and Tranche.objects.count() == 3


def test_recorded_activity_counts_the_referrals_the_ngo_accepted_and_completed(ngo_a) -> None:
    from datetime import datetime, time

    from django.utils import timezone

    from himaya.referrals.models import Status
    from himaya.referrals.tests.factories import ReferralFactory

    def at(day: date) -> datetime:
        return timezone.make_aware(datetime.combine(day, time(12)))

    in_period, later = at(date(2025, 8, 1)), at(date(2025, 10, 2))
    ReferralFactory(to_agency=ngo_a, status=Status.ACCEPTED, answered_at=in_period)
    ReferralFactory(
        to_agency=ngo_a,
        status=Status.COMPLETED,
        answered_at=in_period,
        completed_at=in_period,
        outcome_note="done",
    )
    ReferralFactory(to_agency=ngo_a, status=Status.ACCEPTED, answered_at=later)
    ReferralFactory(
        to_agency=ngo_a, status=Status.DECLINED, answered_at=in_period, decline_reason="full"
    )
    ReferralFactory(status=Status.ACCEPTED, answered_at=in_period)  # another agency
    recorded = recorded_activity(ngo_a, date(2025, 7, 1), date(2025, 9, 30))
    assert recorded == {
        "services_delivered": 0,
        "referrals_accepted": 2,
        "referrals_completed": 1,
    }


def test_recorded_activity_counts_the_services_the_ngo_delivered_in_the_period(ngo_a) -> None:
    from himaya.services.tests import factories as services

    services.DeliveredFactory(provider=ngo_a, delivered_on=date(2025, 8, 1))
    services.DeliveredFactory(provider=ngo_a, delivered_on=date(2025, 9, 30))
    services.DeliveredFactory(provider=ngo_a, delivered_on=date(2025, 10, 1))
    services.ServiceDeliveryFactory(provider=ngo_a)  # planned, not delivered
    services.DeliveredFactory(delivered_on=date(2025, 8, 1))  # another provider
    recorded = recorded_activity(ngo_a, date(2025, 7, 1), date(2025, 9, 30))
    assert recorded["services_delivered"] == 2


def test_a_grant_names_the_service_types_it_commits_to(grants_officer, ngo_a) -> None:
    from django.apps import apps

    service_type = apps.get_model("services", "ServiceType")
    chosen = list(service_type.objects.filter(code__in=["psychological", "shelter"]))
    grant = actions.create_grant(
        ngo=ngo_a,
        title="منحة الإيواء",
        amount=Decimal("1000"),
        starts_on=date(2025, 7, 1),
        ends_on=date(2026, 6, 30),
        phases=["protection"],
        services="",
        tranches=[(date(2025, 7, 1), Decimal("1000"))],
        by=grants_officer,
        service_types=chosen,
    )
    assert sorted(grant.service_types.values_list("code", flat=True)) == [
        "psychological",
        "shelter",
    ]


@pytest.fixture
def released(grants_officer, ngo_a) -> Tranche:
    first = make_grant(ngo_a).tranches.get(sequence=1)
    return actions.release_tranche(tranche=first, by=grants_officer, expected_version=1)


def _report(tranche: Tranche, by, version: int | None) -> GrantReport:
    return actions.submit_report(
        tranche=tranche,
        narrative="جلسات دعم",
        people_served=3,
        services_delivered=4,
        by=by,
        expected_version=version,
    )


def test_a_stale_or_missing_version_refuses_a_release_and_changes_nothing(
    grants_officer, ngo_a
) -> None:
    first = make_grant(ngo_a).tranches.get(sequence=1)
    with pytest.raises(ConcurrentEditError):
        actions.release_tranche(tranche=first, by=grants_officer, expected_version=2)
    with pytest.raises(actions.GrantConflict, match="version of the record you read is missing"):
        actions.release_tranche(tranche=first, by=grants_officer, expected_version=None)
    first.refresh_from_db()
    assert (first.status, first.version) == (TrancheStatus.PENDING, 1)
    assert not AuditEvent.objects.filter(action="grants.tranche_released").exists()


def test_a_first_report_is_made_on_version_0_only(ngo_staff, released) -> None:
    for version in (1, None):
        with pytest.raises((ConcurrentEditError, actions.GrantConflict)):
            _report(released, ngo_staff, version)
    assert GrantReport.objects.count() == 0
    report = _report(released, ngo_staff, 0)
    with pytest.raises(ConcurrentEditError):
        _report(released, ngo_staff, 0)  # a second first report: someone reported meanwhile
    report.refresh_from_db()
    assert (report.version, GrantReport.objects.count()) == (1, 1)


def test_a_stale_or_missing_version_refuses_a_review_and_changes_nothing(
    grants_officer, ngo_staff, released
) -> None:
    report = _report(released, ngo_staff, 0)
    for version, refusal in ((2, ConcurrentEditError), (None, actions.GrantConflict)):
        with pytest.raises(refusal):
            actions.review_report(
                report=report, approve=True, note="", by=grants_officer, expected_version=version
            )
    report.refresh_from_db()
    assert (report.status, report.version, report.reviewed_by) == ("submitted", 1, None)
