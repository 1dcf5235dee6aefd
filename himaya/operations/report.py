"""The daily situation report: yesterday's key indicators with their change, the open
alerts and incidents, the shelters near capacity and the overdue referrals, as a PDF in
Arabic and in English. Aggregates and codes only: no survivor appears in it."""

import datetime
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.core.mail import EmailMessage
from django.db import transaction
from django.db.models import Count
from django.http import HttpRequest
from django.utils import timezone, translation
from django.utils.formats import number_format
from django.utils.translation import gettext as _

from himaya.audit.actions import record_event
from himaya.core.pdf import render_pdf
from himaya.monitoring.indicators import get_indicator
from himaya.monitoring.models import DailyValue
from himaya.operations import rules
from himaya.operations.models import (
    Alert,
    AlertStatus,
    Incident,
    IncidentStatus,
    ReportSubscription,
    SituationReport,
)
from himaya.referrals.models import Referral
from himaya.shelters.models import Shelter
from himaya.shelters.selectors import with_bed_counts

TEMPLATE = "operations/pdf/situation_report.html"
KEY_INDICATORS = (
    "possible_victims",
    "identified_victims",
    "children_identified",
    "served_within_24h",
    "no_service_72h",
    "shelter_occupancy",
    "free_beds",
    "referrals_overdue",
)
LIST_ROWS = 25


class _Scheduler(AnonymousUser):
    """The reader named in the footer of a report produced by the scheduler."""

    def get_username(self) -> str:
        return "himaya"


def _shown(value: Decimal | None) -> str:
    if value is None:
        return "—"
    if value == value.to_integral_value():
        return number_format(int(value), force_grouping=True)
    return number_format(value, decimal_pos=2, force_grouping=True)


def _signed(current: Decimal | None, previous: Decimal | None) -> str:
    if current is None or previous is None:
        return "—"
    delta = current - previous
    if delta == 0:
        return "0"
    return ("+" if delta > 0 else "−") + _shown(abs(delta))


def gather(day: datetime.date) -> dict[str, Any]:
    """What the report of ``day`` says (language-neutral figures and codes)."""
    before = day - datetime.timedelta(days=1)
    values = {
        (code, d): v
        for code, d, v in DailyValue.objects.filter(
            cell="", day__in=[day, before], indicator__in=KEY_INDICATORS
        ).values_list("indicator", "day", "value")
    }
    indicators = []
    for code in KEY_INDICATORS:
        item = get_indicator(code)
        if item is None:
            continue
        current, previous = values.get((code, day)), values.get((code, before))
        indicators.append(
            {"item": item, "value": _shown(current), "change": _signed(current, previous)}
        )
    alerts = Alert.objects.exclude(status=AlertStatus.RESOLVED)
    alert_counts = dict(
        alerts.values_list("severity")
        .annotate(n=Count("id"))
        .order_by()
        .values_list("severity", "n")
    )
    by_rule = list(alerts.values("rule").annotate(n=Count("id")).order_by("-n", "rule"))
    incidents = list(
        Incident.objects.filter(status=IncidentStatus.OPEN)
        .select_related("governorate")
        .annotate(open_tasks=Count("tasks"))
        .order_by("-opened_at")[:LIST_ROWS]
    )
    near = [
        s
        for s in with_bed_counts(
            Shelter.objects.filter(is_active=True).select_related("governorate", "agency")
        )
        if rules.near_capacity(s.beds_in_service, s.beds_occupied)  # type: ignore[attr-defined]
    ]
    now = timezone.now()
    overdue = (
        Referral.objects.filter(
            answered_at__isnull=True, cancelled_at__isnull=True, respond_by__lt=now
        )
        .values("to_agency__name_ar", "to_agency__name_en", "to_agency__code")
        .annotate(n=Count("id"))
        .order_by("-n", "to_agency__code")
    )
    overdue_rows = list(overdue[:LIST_ROWS])
    overdue_total = Referral.objects.filter(
        answered_at__isnull=True, cancelled_at__isnull=True, respond_by__lt=now
    ).count()
    return {
        "day": day,
        "indicators": indicators,
        "alerts_critical": alert_counts.get("critical", 0),
        "alerts_warning": alert_counts.get("warning", 0),
        "alerts_by_rule": by_rule,
        "incidents": incidents,
        "incidents_open": Incident.objects.filter(status=IncidentStatus.OPEN).count(),
        "near_capacity": near,
        "overdue": overdue_rows,
        "overdue_total": overdue_total,
    }


def render(day: datetime.date, language: str, data: dict[str, Any] | None = None) -> bytes:
    request = HttpRequest()
    request.user = _Scheduler()
    data = data if data is not None else gather(day)
    with translation.override(language):
        from himaya.operations.models import AlertRule

        labels = dict(AlertRule.choices)
        context = {
            **data,
            "rule_rows": [
                {"label": str(labels.get(row["rule"], row["rule"])), "n": row["n"]}
                for row in data["alerts_by_rule"]
            ],
            "arabic": language == "ar",
        }
        return render_pdf(request, TEMPLATE, context)


@transaction.atomic
def produce_situation_report(*, day: datetime.date) -> SituationReport:
    """Write (or write again) the report of ``day`` in both languages."""
    data = gather(day)
    report, _created = SituationReport.objects.update_or_create(
        day=day, defaults={"pdf_ar": render(day, "ar", data), "pdf_en": render(day, "en", data)}
    )
    record_event(
        action="operations.situation_report_produced",
        object_type="operations.situationreport",
        object_code=day.isoformat(),
        actor_username="scheduler",
    )
    return report


def send_situation_report(*, report: SituationReport) -> int:
    """E-mail the report (both PDFs attached) to each active subscriber with an address."""
    people = [
        s.user
        for s in ReportSubscription.objects.filter(
            is_active=True, user__is_active=True
        ).select_related("user")
        if s.user.email
    ]
    sent = 0
    for person in people:
        with translation.override("ar"):
            subject = _("Daily situation report of %(day)s") % {"day": report.day.isoformat()}
            body = _(
                "The daily situation report is attached, in Arabic and in English. "
                "It holds aggregates only."
            )
        message = EmailMessage(
            subject=subject,
            body=body,
            from_email=getattr(settings, "DEFAULT_FROM_EMAIL", None),
            to=[person.email],
        )
        message.attach(
            f"situation-{report.day.isoformat()}-ar.pdf", bytes(report.pdf_ar), "application/pdf"
        )
        message.attach(
            f"situation-{report.day.isoformat()}-en.pdf", bytes(report.pdf_en), "application/pdf"
        )
        sent += message.send(fail_silently=False)
    SituationReport.objects.filter(pk=report.pk).update(sent_to=sent)
    return sent


def daily_report(day: datetime.date) -> SituationReport:
    report = produce_situation_report(day=day)
    send_situation_report(report=report)
    return report
