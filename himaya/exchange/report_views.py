"""Pages and API of the monthly national reports: the list of past reports with their
Arabic and English PDFs, the download, the "make now" action of an analyst, and the
dashboard's panel that leads to them."""

import datetime
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from himaya.accounts.acting import acting_user
from himaya.agencies.permissions import require_capability
from himaya.audit.actions import record_event
from himaya.core.errors import DomainError
from himaya.core.forms import StyledForm, show_refusal
from himaya.core.pdf import pdf_response
from himaya.core.typing import AnyUser
from himaya.exchange import monthly
from himaya.exchange.models import MonthlyReport

LIST_ROWS = 60


class MonthForm(StyledForm):
    month = forms.CharField(
        label=gettext_lazy("Month"),
        max_length=7,
        # Shown under the box (a browser without a month picker shows a text box); the box
        # itself opens on the month usually reported, the one before this one.
        widget=forms.TextInput(attrs={"type": "month", "aria-describedby": "month-help"}),
        help_text=gettext_lazy("The month to report, as YYYY-MM."),
    )

    def clean_month(self) -> datetime.date:
        try:
            return monthly.parse_month(self.cleaned_data["month"])
        except ValueError as error:
            raise forms.ValidationError(_("Give the month as YYYY-MM.")) from error


def reports_visible_to(user: AnyUser) -> QuerySet[MonthlyReport]:
    """The stored reports ``user`` may list (without their PDFs)."""
    if user.has_perm(monthly.VIEW):
        return MonthlyReport.objects.defer("pdf_ar", "pdf_en")
    return MonthlyReport.objects.none()


def _report_or_404(user: AnyUser, month: str) -> MonthlyReport:
    try:
        on = monthly.parse_month(month)
    except ValueError as error:
        raise Http404 from error
    report = MonthlyReport.objects.filter(month=on).first()
    if report is None:
        raise Http404
    return report


def _download(user: Any, month: str, language: str) -> HttpResponse:
    require_capability(user, monthly.VIEW)
    if language not in monthly.LANGUAGES:
        raise Http404
    report = _report_or_404(user, month)
    code = monthly.month_code(report.month)
    record_event(
        action="exchange.monthly_report_downloaded",
        actor=user,
        object_type="exchange.monthlyreport",
        object_code=code,
        details={"language": language},
    )
    content = bytes(report.pdf_ar if language == "ar" else report.pdf_en)
    return pdf_response(content, filename=f"monthly-{code}-{language}.pdf")


def _default_month() -> str:
    from django.utils import timezone

    return monthly.month_code(monthly.previous_month(timezone.localdate()))


def _list_page(request: HttpRequest, form: MonthForm | None, status: int = 200) -> HttpResponse:
    user = acting_user(request)
    may_produce = user.has_perm(monthly.PRODUCE)
    if may_produce and form is None:
        form = MonthForm(initial={"month": _default_month()})
    return render(
        request,
        "exchange/monthly_reports.html",
        {
            "reports": list(reports_visible_to(user)[:LIST_ROWS]),
            "form": form if may_produce else None,
        },
        status=status,
    )


@login_required
@require_GET
def monthly_reports(request: HttpRequest) -> HttpResponse:
    require_capability(acting_user(request), monthly.VIEW)
    return _list_page(request, None)


@login_required
@require_GET
def monthly_report_pdf(request: HttpRequest, month: str, language: str) -> HttpResponse:
    return _download(acting_user(request), month, language)


@login_required
@require_POST
def monthly_report_make(request: HttpRequest) -> HttpResponse:
    """Make (or make again) the report of the month given, now."""
    user = acting_user(request)
    require_capability(user, monthly.PRODUCE)
    form = MonthForm(request.POST)
    if not form.is_valid():
        return _list_page(request, form, status=400)
    try:
        report = monthly.produce_monthly_report(month=form.cleaned_data["month"], by=user)
    except DomainError as error:
        show_refusal(error, form=form)
        return _list_page(request, form, status=error.status)
    messages.success(
        request,
        _("The monthly national report of %(month)s was made.")
        % {"month": monthly.month_code(report.month)},
    )
    return redirect("exchange:monthly_reports")


@login_required
@require_GET
def monthly_panel(request: HttpRequest) -> HttpResponse:
    """The dashboard's panel: the way to the monthly reports and, for an analyst, the
    form that makes one now (an htmx fragment)."""
    user = acting_user(request)
    require_capability(user, monthly.VIEW)
    may_produce = user.has_perm(monthly.PRODUCE)
    latest = reports_visible_to(user).only("month").first()
    return render(
        request,
        "exchange/partials/monthly_panel.html",
        {
            "latest": latest,
            "form": MonthForm(initial={"month": _default_month()}) if may_produce else None,
        },
    )


# --- API --------------------------------------------------------------------------------------


class MonthlyReportOut(serializers.Serializer[Any]):
    month = serializers.CharField(help_text="YYYY-MM")
    created_at = serializers.DateTimeField()
    updated_at = serializers.DateTimeField()
    pdf_ar = serializers.CharField(help_text="the address of the Arabic PDF")
    pdf_en = serializers.CharField(help_text="the address of the English PDF")


def _api_row(report: MonthlyReport) -> dict[str, Any]:
    code = monthly.month_code(report.month)
    return {
        "month": code,
        "created_at": report.created_at,
        "updated_at": report.updated_at,
        "pdf_ar": reverse("exchange:api_monthly_report_pdf", args=[code, "ar"]),
        "pdf_en": reverse("exchange:api_monthly_report_pdf", args=[code, "en"]),
    }


class MonthlyReportListApi(APIView):
    @extend_schema(
        operation_id="exchange_monthly_reports",
        responses={200: MonthlyReportOut(many=True)},
    )
    def get(self, request: Request) -> Response:
        """The stored monthly national reports, the latest month first (at most 60)."""
        user = acting_user(request)
        require_capability(user, monthly.VIEW)
        rows = [_api_row(r) for r in reports_visible_to(user)[:LIST_ROWS]]
        return Response(MonthlyReportOut(rows, many=True).data)


class MonthlyReportPdfApi(APIView):
    @extend_schema(
        operation_id="exchange_monthly_report_pdf",
        parameters=[
            OpenApiParameter("month", str, OpenApiParameter.PATH, description="YYYY-MM"),
            OpenApiParameter("language", str, OpenApiParameter.PATH, enum=["ar", "en"]),
        ],
        responses={(200, "application/pdf"): OpenApiTypes.BINARY, 404: None},
    )
    def get(self, request: Request, month: str, language: str) -> HttpResponse:
        """The PDF of a stored monthly report in Arabic or in English (audited)."""
        return _download(acting_user(request), month, language)
