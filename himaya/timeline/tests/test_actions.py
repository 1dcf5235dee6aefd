"""The timeline's writes: one line, or one line and its audit row together."""

import pytest

from himaya.accounts.models import User
from himaya.agencies.models import Agency
from himaya.audit.models import AuditEvent
from himaya.cases.tests.factories import CarePlanFactory, CaseFactory
from himaya.timeline.actions import record_case_event, record_on_case
from himaya.timeline.models import CaseEvent, EventKind

pytestmark = pytest.mark.django_db


def test_record_on_case_writes_the_line_and_its_audit_row_under_the_kind(
    case_worker: User, agency_a: Agency
) -> None:
    case = CaseFactory(lead_agency=agency_a, case_worker=case_worker)
    audit_before = AuditEvent.objects.count()
    line = record_on_case(
        case=case,
        kind=EventKind.CASE_UPDATED,
        by=case_worker,
        summary="SV-TEST",
        details={"fields": ["phase"]},
    )
    audit = AuditEvent.objects.order_by("-sequence").first()
    assert AuditEvent.objects.count() == audit_before + 1
    assert audit is not None
    assert (line.kind, line.actor, line.object_code) == ("case.updated", case_worker, "")
    assert (audit.action, audit.object_code, audit.details) == (
        "case.updated",
        case.code,
        {"fields": ["phase"]},
    )


def test_record_on_case_names_the_record_it_is_about_under_another_audit_action(
    case_worker: User, agency_a: Agency
) -> None:
    case = CaseFactory(lead_agency=agency_a, case_worker=case_worker)
    plan = CarePlanFactory(case=case, author=case_worker)
    line = record_on_case(
        case=case,
        kind=EventKind.CASE_CLOSED,
        by=case_worker,
        obj=plan,
        action=EventKind.CASE_CLOSURE_APPROVED.value,
    )
    audit = AuditEvent.objects.order_by("-sequence").first()
    assert audit is not None
    assert (line.kind, line.object_code) == ("case.closed", plan.code)
    assert (audit.action, audit.object_code) == ("case.closure_approved", plan.code)


def test_a_kind_outside_the_list_is_refused_and_writes_nothing(
    case_worker: User, agency_a: Agency
) -> None:
    case = CaseFactory(lead_agency=agency_a, case_worker=case_worker)
    lines, audit = CaseEvent.objects.count(), AuditEvent.objects.count()
    with pytest.raises(ValueError):
        record_case_event(case=case, kind="case.invented", by=case_worker)
    assert (CaseEvent.objects.count(), AuditEvent.objects.count()) == (lines, audit)
