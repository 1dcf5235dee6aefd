"""The centre's part of the demo: the on-call roster, two reports received (one an
emergency about a child), an incident with a task for the police, the alerts of the day
and a situation report. Idempotent: nothing is added twice."""

import datetime

from django.utils import timezone

from himaya.accounts.models import User
from himaya.agencies.models import Agency, Governorate
from himaya.operations import actions
from himaya.operations.models import (
    Channel,
    IncidentKind,
    Intake,
    OnCallEntry,
    ReportSubscription,
    SituationReport,
    TaskKind,
)

POLICE = "Anti-Trafficking Police Unit"


def seed() -> str:
    operator = User.objects.filter(username="operator").first()
    supervisor = User.objects.filter(username="supervisor").first()
    analyst = User.objects.filter(username="analyst").first()
    if operator is None:
        return "no operator: run the accounts demo first"
    for level, user in ((1, operator), (2, supervisor)):
        if user is not None:
            OnCallEntry.objects.get_or_create(level=level, user=user)
    if analyst is not None:
        ReportSubscription.objects.get_or_create(user=analyst)
    cairo = Governorate.objects.filter(code="EG-C").first()
    if not Intake.objects.exists():
        child = actions.record_intake(
            by=operator,
            channel=Channel.HOTLINE,
            summary="بلاغ عن طفلة تعمل في منزل دون أجر وتمنع من الخروج.",
            about_child=True,
            person_details="طفلة، نحو 13 سنة",
            location="حي شبرا",
            governorate=cairo,
        )
        actions.record_intake(
            by=operator,
            channel=Channel.WHATSAPP,
            summary="رسالة عن عمال محتجزة جوازات سفرهم في ورشة.",
            anonymous=True,
            governorate=cairo,
        )
        incident = actions.open_incident(
            by=operator,
            kind=IncidentKind.CHILD_AT_RISK,
            title="طفلة في عمل منزلي قسري",
            intake=child,
        )
        police = Agency.objects.filter(name_en=POLICE).first()
        if police is not None:
            actions.assign_task(
                incident=incident,
                by=operator,
                kind=TaskKind.POLICE,
                agency=police,
                description="زيارة العنوان مع الأخصائية الاجتماعية خلال ساعتين",
                due_at=timezone.now() + datetime.timedelta(hours=2),
            )
    raised = actions.evaluate_alerts()
    yesterday = timezone.localdate() - datetime.timedelta(days=1)
    if not SituationReport.objects.filter(day=yesterday).exists():
        from himaya.operations.report import produce_situation_report

        produce_situation_report(day=yesterday)
    return f"{Intake.objects.count()} reports, {raised} alerts raised, report of {yesterday}"
