"""Fill the worklist of the cases that exist: the deadlines already known (referrals
waiting for an answer, follow-up visits of projects) and each case's worklist columns."""

from typing import Any

from django.db import migrations
from django.db.models import Min
from django.utils import timezone

from himaya.cases import rules


def load(apps: Any, schema_editor: Any) -> None:
    Case = apps.get_model("cases", "Case")
    CaseDeadline = apps.get_model("cases", "CaseDeadline")
    RiskAssessment = apps.get_model("cases", "RiskAssessment")
    CarePlan = apps.get_model("cases", "CarePlan")
    Referral = apps.get_model("referrals", "Referral")
    Project = apps.get_model("empowerment", "Project")

    open_deadlines = set(
        CaseDeadline.objects.filter(done_at__isnull=True).values_list(
            "case_id", "kind", "source_code"
        )
    )
    new = []
    for referral in Referral.objects.filter(status="sent").only("case_id", "code", "respond_by"):
        key = (referral.case_id, "referral_answer", referral.code)
        if key not in open_deadlines:
            due = timezone.localtime(referral.respond_by).date()
            new.append(CaseDeadline(case_id=key[0], kind=key[1], source_code=key[2], due_on=due))
    projects = (
        Project.objects.exclude(status="closed")
        .filter(visits__done_on__isnull=True)
        .annotate(next_visit=Min("visits__due_on"))
        .values_list("enrolment__case_id", "code", "next_visit")
    )
    for case_id, code, next_visit in projects:
        if next_visit is not None and (case_id, "follow_up_visit", code) not in open_deadlines:
            new.append(
                CaseDeadline(
                    case_id=case_id, kind="follow_up_visit", source_code=code, due_on=next_visit
                )
            )
    CaseDeadline.objects.bulk_create(new, batch_size=1000)

    deadlines: dict[int, list[tuple[str, Any]]] = {}
    for case_id, kind, due_on in CaseDeadline.objects.filter(done_at__isnull=True).values_list(
        "case_id", "kind", "due_on"
    ):
        deadlines.setdefault(case_id, []).append((kind, due_on))
    latest: dict[int, tuple[str, Any]] = {}
    for case_id, level, assessed_on in RiskAssessment.objects.order_by(
        "case_id", "assessed_on", "id"
    ).values_list("case_id", "level", "assessed_on"):
        latest[case_id] = (level, assessed_on)
    approved = set(CarePlan.objects.filter(status="approved").values_list("case_id", flat=True))
    changed = []
    for case in Case.objects.only(
        "id", "phase", "first_contact_on", "identified_on", "assigned_on", "created_at"
    ).iterator(chunk_size=2000):
        if case.assigned_on is None:
            case.assigned_on = timezone.localtime(case.created_at).date()
        state = rules.worklist_state(
            phase=case.phase,
            first_contact_on=case.first_contact_on,
            identified_on=case.identified_on,
            assigned_on=case.assigned_on,
            latest_risk=latest.get(case.pk),
            has_approved_plan=case.pk in approved,
            deadlines=deadlines.get(case.pk, []),
        )
        case.next_action = state.next_action
        case.next_due_on = state.next_due_on
        case.risk_level = state.risk_level
        case.risk_rank = state.risk_rank
        case.new_until = state.new_until
        changed.append(case)
    Case.objects.bulk_update(
        changed,
        ["assigned_on", "next_action", "next_due_on", "risk_level", "risk_rank", "new_until"],
        batch_size=1000,
    )


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0009_worklist_deadlines"),
        ("referrals", "0001_referrals_with_shared_fields_and_deadlines"),
        ("empowerment", "0002_fill_programmes"),
    ]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
