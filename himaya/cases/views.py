"""Pages of the cases app: thin views over forms, selectors and actions."""

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from himaya.agencies.models import Governorate
from himaya.cases import actions, selectors
from himaya.cases.exceptions import CaseError, CaseForbidden
from himaya.cases.forms import (
    CarePlanForm,
    CaseDetailsForm,
    ClosureForm,
    DecisionForm,
    GoalEditForm,
    GoalForm,
    MoveForm,
    OpenCaseForm,
    ReassignForm,
    RiskEditForm,
    RiskFields,
    VersionedForm,
)
from himaya.cases.models import TRANSITIONS, CarePlanStatus, ClosureStatus, Phase
from himaya.cases.panels import panels_for, queue_sections_for
from himaya.core.locking import ConcurrentEditError

work = [login_required, permission_required("cases.work_cases", raise_exception=True)]
supervise = [login_required, permission_required("cases.supervise", raise_exception=True)]


def _decorate(view: Any, decorators: list[Any]) -> Any:
    for decorator in reversed(decorators):
        view = decorator(view)
    return view


def works(view: Any) -> Any:
    return _decorate(view, work)


def supervises(view: Any) -> Any:
    return _decorate(view, supervise)


def _conflict(request: HttpRequest, form: Any, fresh: Any, fields: list[str]) -> list[Any]:
    """Show a stale edit: keep what was typed, list the saved values, offer the new version."""
    messages.error(request, str(ConcurrentEditError.message))
    data = request.POST.copy()
    data["version"] = str(fresh.version)
    form.data = data
    saved = []
    for name in fields:
        field = form.fields.get(name)
        value = getattr(fresh, name, "")
        display = getattr(fresh, f"get_{name}_display", None)
        if display is not None:
            value = display()
        saved.append((field.label if field else name, value))
    return saved


def _error(request: HttpRequest, error: CaseError) -> None:
    messages.error(request, str(error.message))


# --- lists ------------------------------------------------------------------------------


@works
def case_list(request: HttpRequest) -> HttpResponse:
    params = {
        key: request.GET.get(key, "").strip()
        for key in ("q", "phase", "agency", "governorate", "form")
    }
    cases = selectors.case_list(
        request.user,
        query=params["q"],
        phase=params["phase"],
        agency=params["agency"],
        governorate=params["governorate"],
        form=params["form"],
    )
    page = Paginator(cases, 25).get_page(request.GET.get("page"))
    return render(
        request,
        "cases/list.html",
        {
            "page": page,
            "params": params,
            "phases": Phase.choices,
            "agencies": list(selectors.lead_agencies_for(request.user)),
            "governorates": list(Governorate.objects.order_by("name_en")),
            "forms": list(selectors.exploitation_forms()),
        },
    )


@works
def queue(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    sections = []
    for section in queue_sections_for(request.user):
        try:
            sections.append((section, reverse(section.url_name)))
        except NoReverseMatch:
            continue
    week: list[Any] = []
    try:
        from himaya.services.selectors import deliveries_this_week

        week = list(deliveries_this_week(request.user, today=today))
    except ImportError:  # pragma: no cover - services is part of the project
        week = []
    return render(
        request,
        "cases/queue.html",
        {
            "cases": list(selectors.my_open_cases(request.user)),
            "week": week,
            "sections": sections,
            "today": today,
        },
    )


@supervises
def approvals(request: HttpRequest) -> HttpResponse:
    pending = selectors.pending_approvals(request.user)
    return render(
        request,
        "cases/approvals.html",
        {"care_plans": list(pending["care_plans"]), "closures": list(pending["closures"])},
    )


# --- a case -----------------------------------------------------------------------------


@works
def open_case(request: HttpRequest) -> HttpResponse:
    agencies = selectors.lead_agencies_for(request.user)
    if request.method == "POST":
        form = OpenCaseForm(request.POST, agencies=agencies)
        if form.is_valid():
            data = form.cleaned_data
            survivor = selectors.survivor_for_case(request.user, data["survivor"])
            if survivor is None:
                form.add_error("survivor", _("No survivor with this code is known to you."))
            else:
                try:
                    case = actions.open_case(
                        survivor=survivor,
                        by=request.user,
                        lead_agency=data["lead_agency"],
                        first_contact_on=data["first_contact_on"],
                        identified_on=data["identified_on"],
                        identified_by=data["identified_by"],
                        identifying_agency=data["identifying_agency"],
                        exploitation_forms=data["exploitation_forms"],
                        recruitment_channel=data["recruitment_channel"],
                        country_of_exploitation=data["country_of_exploitation"],
                        governorate_of_exploitation=data["governorate_of_exploitation"],
                        is_transnational=data["is_transnational"],
                        screening_code=data["screening_code"],
                        request=request,
                    )
                except CaseError as error:
                    form.add_error(None, str(error.message))
                else:
                    messages.success(request, _("Case %(code)s opened.") % {"code": case.code})
                    return redirect("cases:detail", code=case.code)
    else:
        form = OpenCaseForm(
            agencies=agencies,
            initial={
                "survivor": request.GET.get("survivor", ""),
                "screening_code": request.GET.get("screening", ""),
                "first_contact_on": timezone.localdate(),
                "country_of_exploitation": "EG",
            },
        )
    return render(request, "cases/open.html", {"form": form})


@works
def detail(request: HttpRequest, code: str) -> HttpResponse:
    case = selectors.case_detail(request.user, code)
    panels = []
    for panel in panels_for(request.user):
        try:
            panels.append((panel, reverse(panel.url_name, kwargs={"code": case.code})))
        except NoReverseMatch:
            continue
    care_plans = list(case.care_plans.all())
    closures = list(case.closure_requests.all())
    return render(
        request,
        "cases/detail.html",
        {
            "case": case,
            "transitions": [
                (Phase(phase).label, [Phase(p).label for p in Phase.values if p in targets])
                for phase, targets in TRANSITIONS.items()
            ],
            "move_form": MoveForm(initial={"version": case.version}),
            "allowed": [(p, Phase(p).label) for p in case.allowed_phases() if p != Phase.CLOSED],
            "can_close": Phase.CLOSED in case.allowed_phases(),
            "pending_closure": next(
                (c for c in closures if c.status == ClosureStatus.PENDING), None
            ),
            "closures": closures,
            "risks": list(case.risk_assessments.all()),
            "care_plans": care_plans,
            "open_plan": next((p for p in care_plans if p.status != CarePlanStatus.APPROVED), None),
            "events": list(case.events.all()),
            "phase_changes": list(case.phase_changes.all()),
            "panels": panels,
            "is_supervisor": actions.supervises(request.user, case),
        },
    )


@works
def edit(request: HttpRequest, code: str) -> HttpResponse:
    case = selectors.get_case_or_404(request.user, code)
    saved: list[Any] = []
    fields = list(actions.EDITABLE_CASE_FIELDS)
    if request.method == "POST":
        form = CaseDetailsForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                actions.update_case(
                    case=case,
                    by=request.user,
                    expected_version=data["version"],
                    changes={name: data[name] for name in fields},
                    exploitation_forms=data["exploitation_forms"],
                    request=request,
                )
            except ConcurrentEditError:
                case.refresh_from_db()
                saved = _conflict(request, form, case, fields)
            except CaseError as error:
                form.add_error(None, str(error.message))
            else:
                messages.success(request, _("Case details saved."))
                return redirect("cases:detail", code=case.code)
    else:
        initial = {name: getattr(case, name) for name in fields}
        initial["exploitation_forms"] = list(case.exploitation_forms.all())
        initial["version"] = case.version
        form = CaseDetailsForm(initial=initial)
    return render(request, "cases/edit.html", {"case": case, "form": form, "saved": saved})


@works
@require_POST
def move(request: HttpRequest, code: str) -> HttpResponse:
    case = selectors.get_case_or_404(request.user, code)
    form = MoveForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose the new phase."))
        return redirect("cases:detail", code=case.code)
    try:
        actions.move_case(
            case=case,
            to_phase=form.cleaned_data["to_phase"],
            by=request.user,
            expected_version=form.cleaned_data["version"],
            on=form.cleaned_data["on"],
            request=request,
        )
    except ConcurrentEditError as error:
        messages.error(request, str(error.message))
    except CaseError as error:
        _error(request, error)
    else:
        messages.success(
            request, _("The case is now in %(phase)s.") % {"phase": case.get_phase_display()}
        )
    return redirect("cases:detail", code=case.code)


@works
def request_closure(request: HttpRequest, code: str) -> HttpResponse:
    case = selectors.get_case_or_404(request.user, code)
    if request.method == "POST":
        form = ClosureForm(request.POST)
        if form.is_valid():
            try:
                actions.request_closure(
                    case=case,
                    by=request.user,
                    reason=form.cleaned_data["reason"],
                    note=form.cleaned_data["note"],
                    request=request,
                )
            except CaseError as error:
                form.add_error(None, str(error.message))
            else:
                messages.success(request, _("Closure requested; a supervisor will decide."))
                return redirect("cases:detail", code=case.code)
    else:
        form = ClosureForm()
    return render(request, "cases/closure.html", {"case": case, "form": form})


@supervises
def decide_closure(request: HttpRequest, code: str) -> HttpResponse:
    closure = selectors.get_closure_or_404(request.user, code)
    if request.method == "POST":
        form = DecisionForm(request.POST)
        if form.is_valid():
            try:
                actions.decide_closure(
                    closure=closure,
                    by=request.user,
                    approve=form.cleaned_data["decision"] == "approve",
                    expected_version=form.cleaned_data["version"],
                    request=request,
                )
            except ConcurrentEditError as error:
                form.add_error(None, str(error.message))
            except CaseForbidden as error:
                return _forbidden(request, error)
            except CaseError as error:
                form.add_error(None, str(error.message))
            else:
                messages.success(request, _("Decision recorded."))
                return redirect("cases:approvals")
    else:
        form = DecisionForm(initial={"version": closure.version})
    return render(request, "cases/decide_closure.html", {"closure": closure, "form": form})


def _forbidden(request: HttpRequest, error: CaseError) -> HttpResponse:
    return render(request, "cases/refused.html", {"message": error.message}, status=403)


@supervises
def reassign(request: HttpRequest, code: str) -> HttpResponse:
    case = selectors.get_case_or_404(request.user, code)
    if not actions.supervises(request.user, case):
        return _forbidden(
            request, CaseForbidden(_("Only a supervisor of the lead agency may decide this."))
        )
    workers = selectors.case_workers_of(case.lead_agency_id)
    saved: list[Any] = []
    if request.method == "POST":
        form = ReassignForm(request.POST, workers=workers)
        if form.is_valid():
            try:
                actions.reassign_case(
                    case=case,
                    to_worker=form.cleaned_data["case_worker"],
                    by=request.user,
                    expected_version=form.cleaned_data["version"],
                    request=request,
                )
            except ConcurrentEditError:
                case.refresh_from_db()
                saved = _conflict(request, form, case, ["case_worker"])
            except CaseError as error:
                form.add_error(None, str(error.message))
            else:
                messages.success(request, _("Case reassigned."))
                return redirect("cases:detail", code=case.code)
    else:
        form = ReassignForm(
            workers=workers, initial={"version": case.version, "case_worker": case.case_worker}
        )
    return render(request, "cases/reassign.html", {"case": case, "form": form, "saved": saved})


# --- risk -------------------------------------------------------------------------------


@works
def risk_new(request: HttpRequest, code: str) -> HttpResponse:
    case = selectors.get_case_or_404(request.user, code)
    if request.method == "POST":
        form = RiskFields(request.POST)
        if form.is_valid():
            try:
                actions.assess_risk(
                    case=case, by=request.user, request=request, **form.cleaned_data
                )
            except CaseError as error:
                form.add_error(None, str(error.message))
            else:
                messages.success(request, _("Risk assessment recorded."))
                return redirect("cases:detail", code=case.code)
    else:
        form = RiskFields(initial={"assessed_on": timezone.localdate()})
    return render(request, "cases/risk.html", {"case": case, "form": form, "saved": []})


@works
def risk_edit(request: HttpRequest, code: str) -> HttpResponse:
    assessment = selectors.get_risk_assessment_or_404(request.user, code)
    case = assessment.case
    saved: list[Any] = []
    if request.method == "POST":
        form = RiskEditForm(request.POST)
        if form.is_valid():
            data = dict(form.cleaned_data)
            version = data.pop("version")
            try:
                actions.update_risk_assessment(
                    assessment=assessment,
                    by=request.user,
                    expected_version=version,
                    request=request,
                    **data,
                )
            except ConcurrentEditError:
                assessment.refresh_from_db()
                saved = _conflict(
                    request, form, assessment, ["level", "factors", "assessed_on", "note"]
                )
            except CaseError as error:
                form.add_error(None, str(error.message))
            else:
                messages.success(request, _("Risk assessment saved."))
                return redirect("cases:detail", code=case.code)
    else:
        form = RiskEditForm(
            initial={
                "level": assessment.level,
                "factors": assessment.factors,
                "assessed_on": assessment.assessed_on,
                "note": assessment.note,
                "version": assessment.version,
            }
        )
    return render(
        request,
        "cases/risk.html",
        {"case": case, "form": form, "assessment": assessment, "saved": saved},
    )


# --- care plans -------------------------------------------------------------------------


@works
@require_POST
def care_plan_new(request: HttpRequest, code: str) -> HttpResponse:
    case = selectors.get_case_or_404(request.user, code)
    try:
        plan = actions.create_care_plan(case=case, by=request.user, request=request)
    except CaseError as error:
        _error(request, error)
        return redirect("cases:detail", code=case.code)
    return redirect("cases:care_plan", code=plan.code)


@works
def care_plan(request: HttpRequest, code: str) -> HttpResponse:
    plan = selectors.get_care_plan_or_404(request.user, code)
    saved: list[Any] = []
    form = CarePlanForm(initial={"summary": plan.summary, "version": plan.version})
    goal_form = GoalForm()
    if request.method == "POST" and request.POST.get("form") == "goal":
        goal_form = GoalForm(request.POST)
        if goal_form.is_valid():
            try:
                actions.add_care_plan_goal(
                    plan=plan, by=request.user, request=request, **goal_form.cleaned_data
                )
            except CaseError as error:
                goal_form.add_error(None, str(error.message))
            else:
                messages.success(request, _("Goal added."))
                return redirect("cases:care_plan", code=plan.code)
    elif request.method == "POST":
        form = CarePlanForm(request.POST)
        if form.is_valid():
            try:
                actions.update_care_plan(
                    plan=plan,
                    by=request.user,
                    expected_version=form.cleaned_data["version"],
                    summary=form.cleaned_data["summary"],
                    request=request,
                )
            except ConcurrentEditError:
                plan.refresh_from_db()
                saved = _conflict(request, form, plan, ["summary"])
            except CaseError as error:
                form.add_error(None, str(error.message))
            else:
                messages.success(request, _("Care plan saved."))
                return redirect("cases:care_plan", code=plan.code)
    goals = list(plan.goals.all())
    return render(
        request,
        "cases/care_plan.html",
        {
            "plan": plan,
            "case": plan.case,
            "form": form,
            "goal_form": goal_form,
            "goals": goals,
            "saved": saved,
            "editable": plan.status in {CarePlanStatus.DRAFT, CarePlanStatus.RETURNED},
            "is_author": plan.author_id == request.user.pk,
            "can_decide": plan.status == CarePlanStatus.SUBMITTED
            and plan.author_id != request.user.pk
            and actions.supervises(request.user, plan.case),
            "decision_form": DecisionForm(initial={"version": plan.version}),
        },
    )


@works
def goal_edit(request: HttpRequest, code: str) -> HttpResponse:
    goal = selectors.get_goal_or_404(request.user, code)
    saved: list[Any] = []
    if request.method == "POST":
        form = GoalEditForm(request.POST)
        if form.is_valid():
            data = dict(form.cleaned_data)
            version = data.pop("version")
            try:
                actions.update_care_plan_goal(
                    goal=goal, by=request.user, expected_version=version, request=request, **data
                )
            except ConcurrentEditError:
                goal.refresh_from_db()
                saved = _conflict(request, form, goal, ["description", "target_on", "is_achieved"])
            except CaseError as error:
                form.add_error(None, str(error.message))
            else:
                messages.success(request, _("Goal saved."))
                return redirect("cases:care_plan", code=goal.care_plan.code)
    else:
        form = GoalEditForm(
            initial={
                "description": goal.description,
                "target_on": goal.target_on,
                "is_achieved": goal.is_achieved,
                "version": goal.version,
            }
        )
    return render(request, "cases/goal.html", {"goal": goal, "form": form, "saved": saved})


@works
@require_POST
def care_plan_submit(request: HttpRequest, code: str) -> HttpResponse:
    plan = selectors.get_care_plan_or_404(request.user, code)
    form = VersionedForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("The form was incomplete: reload the page."))
        return redirect("cases:care_plan", code=plan.code)
    try:
        actions.submit_care_plan(
            plan=plan,
            by=request.user,
            expected_version=form.cleaned_data["version"],
            request=request,
        )
    except ConcurrentEditError as error:
        messages.error(request, str(error.message))
    except CaseError as error:
        _error(request, error)
    else:
        messages.success(request, _("Care plan submitted for approval."))
    return redirect("cases:care_plan", code=plan.code)


@supervises
@require_POST
def care_plan_decide(request: HttpRequest, code: str) -> HttpResponse:
    plan = selectors.get_care_plan_or_404(request.user, code)
    form = DecisionForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose a decision."))
        return redirect("cases:care_plan", code=plan.code)
    try:
        actions.decide_care_plan(
            plan=plan,
            by=request.user,
            approve=form.cleaned_data["decision"] == "approve",
            expected_version=form.cleaned_data["version"],
            note=form.cleaned_data["note"],
            request=request,
        )
    except ConcurrentEditError as error:
        messages.error(request, str(error.message))
    except CaseForbidden as error:
        return _forbidden(request, error)
    except CaseError as error:
        _error(request, error)
    else:
        messages.success(request, _("Decision recorded."))
    return redirect("cases:care_plan", code=plan.code)
