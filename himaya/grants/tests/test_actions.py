from datetime import date
from decimal import Decimal

import pytest
import time_machine

from himaya.audit.models import AuditEvent
from himaya.grants import actions
from himaya.grants.models import DeletionRefused, Grant, GrantReport, Tranche, TrancheStatus
from himaya.grants.selectors import recorded_activity
from himaya.grants.tests.factories import make_grant

pytestmark = pytest.mark.django_db


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
    released = actions.release_tranche(tranche=first, by=grants_officer)
    assert (released.status, released.released_on) == (TrancheStatus.RELEASED, date(2025, 10, 5))
    with pytest.raises(actions.GrantError):
        actions.release_tranche(tranche=second, by=grants_officer)
    report = actions.submit_report(
        tranche=first,
        narrative="قدمنا الدعم النفسي لعشرين ناجية",
        people_served=20,
        services_delivered=45,
        by=ngo_staff,
    )
    assert (report.period_start, report.period_end) == (date(2025, 7, 1), date(2025, 9, 30))
    with pytest.raises(actions.GrantError):
        actions.release_tranche(tranche=second, by=grants_officer)
    second.refresh_from_db()
    assert (second.status, second.version) == (TrancheStatus.PENDING, 1)
    actions.review_report(report=report, approve=True, note="", by=grants_officer)
    assert actions.release_tranche(tranche=second, by=grants_officer).status == "released"


def test_a_returned_report_is_corrected_and_submitted_again(
    grants_officer, ngo_staff, ngo_a
) -> None:
    grant = make_grant(ngo_a)
    first = grant.tranches.get(sequence=1)
    actions.release_tranche(tranche=first, by=grants_officer)
    report = actions.submit_report(
        tranche=first, narrative="تقرير أولي", people_served=5, services_delivered=5, by=ngo_staff
    )
    with pytest.raises(actions.GrantError):
        actions.review_report(report=report, approve=False, note="", by=grants_officer)
    actions.review_report(report=report, approve=False, note="أرفقوا الأعداد", by=grants_officer)
    again = actions.submit_report(
        tranche=first, narrative="تقرير مصحح", people_served=7, services_delivered=9, by=ngo_staff
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
    actions.release_tranche(tranche=first, by=grants_officer)
    with pytest.raises(actions.GrantError):
        actions.submit_report(
            tranche=first,
            narrative="x",
            people_served=1,
            services_delivered=1,
            by=other_ngo_staff,
        )
    assert GrantReport.objects.count() == 0


def test_ngo_staff_cannot_release_tranches(ngo_staff, ngo_a) -> None:
    first = make_grant(ngo_a).tranches.get(sequence=1)
    with pytest.raises(actions.GrantError):
        actions.release_tranche(tranche=first, by=ngo_staff)
    first.refresh_from_db()
    assert first.status == TrancheStatus.PENDING


def test_grants_are_never_deleted(ngo_a) -> None:
    grant = make_grant(ngo_a)
    with pytest.raises(DeletionRefused):
        grant.delete()
    with pytest.raises(DeletionRefused):
        Tranche.objects.all().delete()
    assert Grant.objects.count() == 1 and Tranche.objects.count() == 3


def test_recorded_activity_is_none_where_himaya_has_no_such_record(ngo_a) -> None:
    from django.apps import apps

    recorded = recorded_activity(ngo_a, date(2025, 7, 1), date(2025, 9, 30))
    has_deliveries = any(m.__name__ == "ServiceDelivery" for m in apps.get_models())
    if not has_deliveries:
        assert recorded["services_delivered"] is None
    assert set(recorded) == {"services_delivered", "referrals_accepted", "referrals_completed"}


def test_recorded_activity_counts_the_services_the_ngo_delivered_in_the_period(ngo_a) -> None:
    services = pytest.importorskip("himaya.services.tests.factories")
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
