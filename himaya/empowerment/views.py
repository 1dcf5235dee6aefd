"""Pages of the empowerment app: thin views over selectors, forms and actions."""

from collections.abc import Callable
from datetime import timedelta
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from django.views.decorators.http import require_http_methods, require_POST

from himaya.accounts.acting import acting_user
from himaya.agencies.permissions import require_capability
from himaya.audit.exports import Column, export_list
from himaya.cases.selectors import get_case_or_404
from himaya.core.errors import DomainError
from himaya.core.forms import show_refusal
from himaya.empowerment import actions, selectors
from himaya.empowerment.exceptions import EmpowermentError
from himaya.empowerment.forms import (
    DecisionForm,
    MoveForm,
    ProjectForm,
    ReferForm,
    RescheduleForm,
    VisitForm,
)
from himaya.empowerment.models import Enrolment, EnrolmentStatus, Programme
from himaya.empowerment.selectors import MANAGE, OUTCOMES, REFER


def _project_activity(enrolment: Enrolment) -> str:
    project = getattr(enrolment, "project", None)  # the reverse side raises when absent
    return project.get_activity_type_display() if project is not None else ""


@login_required
@require_http_methods(["GET", "POST"])  # POST: the export door
def enrolment_list(request: HttpRequest) -> HttpResponse:
    require_capability(request.user, MANAGE, REFER)
    exported = export_list(
        request,
        name="enrolments",
        title=_("Enrolments in empowerment programmes"),
        columns=[
            Column(_("Enrolment"), lambda e: e.code),
            Column(_("Case"), lambda e: e.case.code),
            Column(_("Programme"), lambda e: e.programme.name),
            Column(_("Referred on"), lambda e: e.referred_on),
            Column(pgettext("state of a record", "Status"), lambda e: e.get_status_display()),
            Column(_("Project"), _project_activity),
        ],
        rows=selectors.enrolment_list_for(request.user),
    )
    if exported is not None:
        return exported
    if request.method == "POST":
        return HttpResponseNotAllowed(["GET"])
    enrolments = list(selectors.enrolment_list_for(request.user)[:200])
    return render(request, "empowerment/enrolment_list.html", {"enrolments": enrolments})


# Rows of each table of the work queue the page shows; the export holds them all.
QUEUE_ROWS = 200


@login_required
@require_http_methods(["GET", "POST"])  # POST: the export door
def work_queue(request: HttpRequest) -> HttpResponse:
    """The officer's referrals awaiting a decision and overdue follow-up visits; each table
    exports on its own (``table=overdue`` for the second), all its rows, by code."""
    require_capability(request.user, MANAGE)
    today = timezone.localdate()
    if request.GET.get("table") == "overdue":
        exported = export_list(
            request,
            name="empowerment-overdue-visits",
            title=_("Overdue follow-up visits"),
            columns=[
                Column(_("Project"), lambda v: v.project.code),
                Column(_("Programme"), lambda v: v.project.enrolment.programme.name),
                Column(_("Visit"), lambda v: v.number),
                Column(_("Due on"), lambda v: v.due_on),
                Column(_("Governorate"), lambda v: v.project.governorate.name),
            ],
            rows=selectors.overdue_visits_for(request.user, today).iterator(),
        )
    else:
        exported = export_list(
            request,
            name="empowerment-pending-referrals",
            title=_("Referrals awaiting your decision"),
            columns=[
                Column(_("Enrolment"), lambda e: e.code),
                Column(_("Programme"), lambda e: e.programme.name),
                Column(_("Referred on"), lambda e: e.referred_on),
            ],
            rows=selectors.pending_referrals_for(request.user).iterator(),
        )
    if exported is not None:
        return exported
    if request.method == "POST":
        return HttpResponseNotAllowed(["GET"])
    # One row more than the page shows tells whether the page holds the whole table.
    pending = list(selectors.pending_referrals_for(request.user)[: QUEUE_ROWS + 1])
    overdue = list(selectors.overdue_visits_for(request.user, today)[: QUEUE_ROWS + 1])
    return render(
        request,
        "empowerment/queue.html",
        {
            "pending": pending[:QUEUE_ROWS],
            "more_pending": len(pending) > QUEUE_ROWS,
            "overdue": overdue[:QUEUE_ROWS],
            "more_overdue": len(overdue) > QUEUE_ROWS,
            "shown": QUEUE_ROWS,
            "today": today,
        },
    )


@login_required
def queue_section(request: HttpRequest) -> HttpResponse:
    """The case worker's work queue section: programme decisions on her cases."""
    require_capability(request.user, REFER)
    since = timezone.localdate() - timedelta(days=30)
    enrolments = list(selectors.programme_news_for(request.user, since)[:20])
    return render(
        request,
        "empowerment/partials/queue_section.html",
        {
            "awaiting": [e for e in enrolments if e.status == EnrolmentStatus.REFERRED],
            "declined": [e for e in enrolments if e.status == EnrolmentStatus.DECLINED],
        },
    )


def _programme_text(programme: Programme) -> str:
    """The programme cell as the page shows it: the name, whether it is inactive, and the
    description."""
    parts = [str(programme.name)]
    if not programme.is_active:
        parts.append(_("inactive"))
    if programme.description:
        parts.append(str(programme.description))
    return " · ".join(parts)


def _who_may_join(programme: Programme) -> str:
    """The eligibility cell as the page shows it, its lines joined by semicolons."""
    lines = []
    if programme.min_age or programme.max_age:
        lines.append(
            _("Ages %(low)s to %(high)s")
            % {"low": programme.min_age or "—", "high": programme.max_age or "—"}
        )
    if programme.allowed_sexes:
        lines.append(f"{_('Restricted by sex')}: {' · '.join(programme.allowed_sex_labels)}")
    if programme.household_roles:
        lines.append(f"{_('Household roles')}: {' · '.join(programme.household_role_labels)}")
    if programme.requires_reintegration:
        lines.append(_("Case in reintegration or follow-up"))
    return "; ".join(lines)


@login_required
@require_http_methods(["GET", "POST"])  # POST: the export door
def programme_list(request: HttpRequest) -> HttpResponse:
    require_capability(request.user, MANAGE, REFER)
    programmes = list(selectors.programmes_visible_to(request.user))
    exported = export_list(
        request,
        name="empowerment-programmes",
        title=_("Empowerment programmes"),
        columns=[
            Column(_("Programme"), _programme_text),
            Column(_("Kind"), lambda p: p.get_kind_display()),
            Column(_("Run by"), lambda p: p.operator),
            Column(
                _("Managing agency"),
                lambda p: str(p.managing_agency.name) if p.managing_agency else "—",
            ),
            Column(_("Who may join"), _who_may_join),
            Column(_("Facts verified"), lambda p: _("Yes") if p.facts_verified else _("To verify")),
        ],
        rows=programmes,
    )
    if exported is not None:
        return exported
    return render(request, "empowerment/programme_list.html", {"programmes": programmes})


WITHHELD = "✱"


def _or_withheld(value: Any) -> Any:
    return WITHHELD if value is None else value


def _share(share: Any, count: Any) -> str:
    """A share cell as the page shows it: ``83.3% (6)``, or withheld."""
    return WITHHELD if share is None else f"{share}% ({count})"


def _running_at(checkpoint: int) -> Callable[[Any], str]:
    """The cell of the ``checkpoint``-th survival share of a row, as the page shows it."""

    def cell(row: Any) -> str:
        survival = row.survival[checkpoint]
        return _share(survival.share, survival.projects)

    return cell


def _outcome_columns(label: str) -> list[Column]:
    """The columns of an outcomes table, with the small cells withheld as on the page."""
    running = [_("Running at 6 months"), _("Running at 12 months"), _("Running at 24 months")]
    return [
        Column(label, lambda row: str(row.label)),
        Column(_("Projects"), lambda row: _or_withheld(row.projects)),
        *(Column(header, _running_at(i)) for i, header in enumerate(running)),
        Column(_("Income before (EGP)"), lambda row: _or_withheld(row.baseline_income)),
        Column(_("Latest income (EGP)"), lambda row: _or_withheld(row.latest_income)),
        Column(_("Change (EGP)"), lambda row: _or_withheld(row.income_change)),
        Column(
            _("Training completed"),
            lambda row: _share(row.training_completed, row.training_ended),
        ),
    ]


@login_required
@require_http_methods(["GET", "POST"])  # POST: the export door
def outcome_page(request: HttpRequest) -> HttpResponse:
    """The outcomes by programme, governorate and sex; each table exports on its own
    (``table=<by>``), aggregates only, small cells withheld as on the page."""
    require_capability(request.user, OUTCOMES)
    today = timezone.localdate()
    labels = {
        "programme": _("By programme"),
        "governorate": _("By governorate"),
        "sex": _("By sex"),
    }
    if request.GET.get("export"):
        by = request.GET.get("table", "programme")
        by = by if by in labels else "programme"
        exported = export_list(
            request,
            name=f"empowerment-outcomes-{by}",
            title=_("Empowerment outcomes"),
            columns=_outcome_columns(labels[by]),
            rows=selectors.outcomes(by=by, today=today),
        )
        if exported is not None:
            return exported
    tables = [(by, label, selectors.outcomes(by=by, today=today)) for by, label in labels.items()]
    return render(request, "empowerment/outcomes.html", {"tables": tables, "today": today})


def _panel_context(
    request: HttpRequest, case: Any, form: ReferForm | None = None
) -> dict[str, Any]:
    return {
        "case": case,
        "enrolments": list(selectors.enrolments_of_case(request.user, case)),
        "form": form or ReferForm(),
    }


@login_required
def case_panel(request: HttpRequest, code: str) -> HttpResponse:
    require_capability(request.user, REFER)
    case = get_case_or_404(request.user, code)
    return render(request, "empowerment/partials/case_panel.html", _panel_context(request, case))


@login_required
def refer(request: HttpRequest, code: str) -> HttpResponse:
    """Refer the survivor of a case to a programme (full page, also posted from the panel)."""
    require_capability(request.user, REFER)
    case = get_case_or_404(request.user, code)
    form = ReferForm(request.POST or None)
    decision = None
    if request.method == "POST" and form.is_valid():
        try:
            enrolment = actions.refer_survivor(
                case=case,
                programme=form.cleaned_data["programme"],
                household_role=form.cleaned_data["household_role"],
                note=form.cleaned_data["note"],
                by=acting_user(request),
            )
        except EmpowermentError as error:
            show_refusal(error, request=request)
            decision = error.decision
        except DomainError as error:
            show_refusal(error, request=request)
        else:
            messages.success(request, _("The survivor was referred to the programme."))
            return redirect("empowerment:detail", code=enrolment.code)
    return render(
        request,
        "empowerment/refer.html",
        {**_panel_context(request, case, form), "decision": decision},
        status=200 if decision is None or decision.eligible else 422,
    )


def _detail_context(request: HttpRequest, enrolment: Enrolment, **forms: Any) -> dict[str, Any]:
    manage = selectors.may_manage(request.user, enrolment.programme)
    project = getattr(enrolment, "project", None)
    today = timezone.localdate()
    visits = selectors.visits_of(project, today=today) if project is not None else []
    context: dict[str, Any] = {
        "enrolment": enrolment,
        "project": project,
        "visits": visits,
        "today": today,
        "may_manage": manage,
        "decision_form": forms.get("decision_form")
        or DecisionForm(initial={"version": enrolment.version}),
        "move_form": forms.get("move_form") or MoveForm(initial={"version": enrolment.version}),
        "project_form": forms.get("project_form") or ProjectForm(initial={"started_on": today}),
        "visit_form": forms.get("visit_form"),
        "visit_number": forms.get("visit_number"),
        "reschedule_form": forms.get("reschedule_form"),
        "allowed_moves": enrolment.allowed_moves(),
    }
    number = context["visit_number"]
    asked = request.GET.get("visit", "")
    if number is None and asked.isdecimal() and len(asked) <= 3:
        number = context["visit_number"] = int(asked)
    chosen = next((v for v in visits if v.number == number and v.done_on is None), None)
    context["chosen_visit"] = chosen
    if chosen is not None:
        context["visit_form"] = context["visit_form"] or VisitForm(
            initial={"version": chosen.version, "done_on": today}
        )
        context["reschedule_form"] = context["reschedule_form"] or RescheduleForm(
            initial={"version": chosen.version, "due_on": chosen.due_on}
        )
    move_form = context["move_form"]
    move_form.fields["to"].choices = [
        (value, label)
        for value, label in move_form.fields["to"].choices
        if value in context["allowed_moves"]
    ]
    return context


@login_required
def enrolment_detail(request: HttpRequest, code: str) -> HttpResponse:
    enrolment = selectors.get_enrolment_or_404(request.user, code)
    return render(request, "empowerment/enrolment_detail.html", _detail_context(request, enrolment))


def _officer_post(
    request: HttpRequest, code: str, form_class: type[Any], name: str, run: Callable[..., Any]
) -> HttpResponse:
    enrolment = selectors.get_enrolment_or_404(request.user, code)
    if not selectors.may_manage(request.user, enrolment.programme):
        raise PermissionDenied
    form = form_class(request.POST)
    if form.is_valid():
        try:
            run(enrolment, form.cleaned_data)
        except DomainError as error:
            show_refusal(error, request=request)
        else:
            return redirect("empowerment:detail", code=enrolment.code)
    enrolment = selectors.get_enrolment_or_404(request.user, code)
    return render(
        request,
        "empowerment/enrolment_detail.html",
        _detail_context(request, enrolment, **{name: form}),
        status=422,
    )


@login_required
@require_POST
def decide(request: HttpRequest, code: str) -> HttpResponse:
    def run(enrolment: Enrolment, data: dict[str, Any]) -> None:
        actions.decide_enrolment(
            enrolment=enrolment,
            accept=data["decision"] == "accept",
            reason=data["reason"],
            expected_version=data["version"],
            by=acting_user(request),
        )
        messages.success(request, _("The decision was recorded."))

    return _officer_post(request, code, DecisionForm, "decision_form", run)


@login_required
@require_POST
def move(request: HttpRequest, code: str) -> HttpResponse:
    def run(enrolment: Enrolment, data: dict[str, Any]) -> None:
        actions.move_enrolment(
            enrolment=enrolment,
            to=data["to"],
            expected_version=data["version"],
            by=acting_user(request),
        )
        messages.success(request, _("The enrolment status was changed."))

    return _officer_post(request, code, MoveForm, "move_form", run)


@login_required
@require_POST
def project_start(request: HttpRequest, code: str) -> HttpResponse:
    def run(enrolment: Enrolment, data: dict[str, Any]) -> None:
        actions.start_project(enrolment=enrolment, by=acting_user(request), **data)
        messages.success(request, _("The project was recorded and its follow-up visits planned."))

    return _officer_post(request, code, ProjectForm, "project_form", run)


def _visit_post(
    request: HttpRequest,
    code: str,
    number: int,
    form_class: type[Any],
    name: str,
    run: Callable[..., Any],
) -> HttpResponse:
    visit = selectors.get_visit_or_404(request.user, code, number)
    enrolment = visit.project.enrolment
    if not selectors.may_manage(request.user, enrolment.programme):
        raise PermissionDenied
    form = form_class(request.POST)
    if form.is_valid():
        try:
            run(visit, form.cleaned_data)
        except DomainError as error:
            show_refusal(error, request=request)
        else:
            return redirect("empowerment:detail", code=enrolment.code)
    enrolment = selectors.get_enrolment_or_404(request.user, enrolment.code)
    return render(
        request,
        "empowerment/enrolment_detail.html",
        _detail_context(request, enrolment, **{name: form, "visit_number": number}),
        status=422,
    )


@login_required
@require_POST
def visit_record(request: HttpRequest, code: str, number: int) -> HttpResponse:
    def run(visit: Any, data: dict[str, Any]) -> None:
        actions.record_visit(
            visit=visit,
            done_on=data["done_on"],
            project_status=data["project_status"],
            monthly_income=data["monthly_income"],
            problems=data["problems"],
            support_given=data["support_given"],
            expected_version=data["version"],
            by=acting_user(request),
        )
        messages.success(request, _("The follow-up visit was recorded."))

    return _visit_post(request, code, number, VisitForm, "visit_form", run)


@login_required
@require_POST
def visit_reschedule(request: HttpRequest, code: str, number: int) -> HttpResponse:
    def run(visit: Any, data: dict[str, Any]) -> None:
        actions.reschedule_visit(
            visit=visit,
            due_on=data["due_on"],
            expected_version=data["version"],
            by=acting_user(request),
        )
        messages.success(request, _("The visit was rescheduled."))

    return _visit_post(request, code, number, RescheduleForm, "reschedule_form", run)
