"""Pages of the cases app: thin views over forms, selectors and actions.

A refused action shows why (``show_refusal``): beside the field at fault, on the form, or
at the top of the page. A form that does not validate answers 400 with the page.
"""

import dataclasses
import functools
from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Model, Q
from django.http import HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.shortcuts import redirect, render
from django.template.backends.utils import csrf_input
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import get_language, gettext_lazy, pgettext_lazy
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from himaya.accounts.models import User
from himaya.audit.exports import Column, export_list
from himaya.cases import actions, selectors
from himaya.cases.filters import CaseFilter
from himaya.cases.forms import (
    CarePlanForm,
    CaseDetailsForm,
    CaseNoteForm,
    CaseNoteReviseForm,
    ClosureForm,
    DecisionForm,
    DigitalEvidenceForm,
    GoalEditForm,
    GoalForm,
    IdentificationForm,
    MoveForm,
    OpenCaseForm,
    ReassignForm,
    RiskEditForm,
    RiskFields,
    TechnologyForm,
    TransferAcceptForm,
    TransferProposeForm,
    TransferRefuseForm,
)
from himaya.cases.models import (
    TRANSITIONS,
    CarePlan,
    Case,
    CaseNote,
    CaseTransfer,
    DeadlineKind,
    Phase,
    RiskLevel,
)
from himaya.cases.panels import panels_for, queue_sections_for
from himaya.cases.rules import Section
from himaya.core.errors import DomainError, Forbidden
from himaya.core.forms import VersionedForm, show_refusal
from himaya.core.keyset import keyset_page
from himaya.core.locking import ConcurrentEditError
from himaya.core.rows import render_part
from himaya.core.templatetags.himaya_format import person

View = Callable[..., HttpResponse]


def works(view: View) -> View:
    """Case workers and supervisors (a case outside their agencies is not found)."""
    return login_required(permission_required("cases.work_cases", raise_exception=True)(view))


def supervises(view: View) -> View:
    """Supervisors only."""
    return login_required(permission_required("cases.supervise", raise_exception=True)(view))


def _user(request: HttpRequest) -> User:
    """The signed-in user (every view here requires one)."""
    assert isinstance(request.user, User)
    return request.user


def _status(form: Any, saved: list[Any] | None = None) -> int:
    """A page showing what someone else saved meanwhile answers 409 (the technology page
    does too); one whose form was refused, 400."""
    if saved:
        return 409
    return 400 if form.is_bound and form.errors else 200


def _conflict(
    request: HttpRequest, form: Any, fresh: Model, fields: list[str]
) -> list[tuple[Any, Any]]:
    """Show a stale edit: keep what was typed, list the saved values, offer the new version."""
    messages.error(request, str(ConcurrentEditError.message))
    data = request.POST.copy()
    data["version"] = str(getattr(fresh, "version", ""))
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


def _refused_page(request: HttpRequest, error: DomainError) -> HttpResponse:
    """A refusal that leaves nothing to correct on the page (the user may not do this)."""
    return render(request, "cases/refused.html", {"message": error.message}, status=error.status)


# --- lists ------------------------------------------------------------------------------

CASES_PER_PAGE = 25


@works
@require_http_methods(["GET", "POST"])  # POST: the export door
def case_list(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    cases = selectors.case_list(user)
    # The filters are read only when one is given: the list as it first opens (most views)
    # does not build and check the filter form.
    if any(request.GET.get(name, "").strip() for name in CaseFilter.base_filters):
        cases = CaseFilter(request.GET, queryset=cases).qs
    exported = export_list(
        request,
        name="cases",
        title=gettext_lazy("Cases"),
        columns=[
            Column(gettext_lazy("Case"), lambda c: c.code),
            Column(gettext_lazy("Survivor"), lambda c: c.survivor.code),
            Column(gettext_lazy("Phase"), lambda c: c.get_phase_display()),
            Column(gettext_lazy("Lead agency"), lambda c: c.lead_agency.name),
            Column(gettext_lazy("Case worker"), lambda c: person(c.case_worker)),
            Column(
                gettext_lazy("Governorate of exploitation"),
                lambda c: (
                    c.governorate_of_exploitation.name if c.governorate_of_exploitation else ""
                ),
            ),
            Column(
                gettext_lazy("Forms of exploitation"),
                lambda c: "، ".join(f.name for f in c.exploitation_forms.all()),
            ),
            Column(gettext_lazy("First contact"), lambda c: c.first_contact_on),
        ],
        rows=cases,
    )
    if exported is not None:
        return exported
    if request.method == "POST":
        return HttpResponseNotAllowed(["GET"])
    params = {name: request.GET.get(name, "").strip() for name in CaseFilter.base_filters}
    english = (get_language() or "ar").startswith("en")
    values = selectors.case_list_values(cases, english=english)
    try:
        page = keyset_page(
            values,
            ordering=selectors.CASE_LIST_ORDER,
            size=CASES_PER_PAGE,
            after=request.GET.get("after"),
            before=request.GET.get("before"),
        )
    except ValueError:  # a position the list did not write: its first page
        page = keyset_page(values, ordering=selectors.CASE_LIST_ORDER, size=CASES_PER_PAGE)
    # The page's lines as plain columns: no model built for a row, nothing decrypted.
    page = dataclasses.replace(page, rows=selectors.case_rows(page.rows, english=english))
    choices = selectors.list_filter_choices(user, english=english)
    return render(
        request,
        "cases/list.html",
        {
            "page": page,
            "rows": render_part(
                "cases/rows.html",
                {
                    "rows": page.rows,
                    "nothing": _("No case matches."),
                    # Each row links to its case: the address is made once, not per row.
                    "case_path": reverse("cases:detail", kwargs={"code": "~"}).removesuffix("~/"),
                },
            ),
            "params": params,
            "phases": Phase.choices,
            "agencies": choices.agencies,
            "governorates": choices.governorates,
            "forms": choices.forms,
        },
    )


_SECTION_LABELS = {
    Section.OVERDUE: gettext_lazy("Overdue"),
    Section.HIGH_RISK: gettext_lazy("High and critical risk"),
    Section.NEW: gettext_lazy("New this week: assigned or identified"),
    Section.REST: gettext_lazy("Other open cases"),
}


def _yes_no(value: bool) -> str:
    return _("Yes") if value else _("No")


def _worklist_columns(sort: str) -> list[Column]:
    """The worklist's columns in an export: survivors by code, never by name; the section
    of each row when the list is sorted by urgency (the page's headings)."""
    section = [
        Column(
            pgettext_lazy("part of the worklist", "Section"),
            lambda row: str(_SECTION_LABELS[row.section]),
        )
    ]
    return [
        *(section if sort == "urgency" else []),
        Column(gettext_lazy("Case"), lambda row: row.case.code),
        Column(gettext_lazy("Survivor"), lambda row: row.case.survivor.code),
        Column(gettext_lazy("Phase"), lambda row: row.case.get_phase_display()),
        Column(
            gettext_lazy("Risk"),
            lambda row: (
                row.case.get_risk_level_display() if row.case.risk_level else _("Not assessed")
            ),
        ),
        Column(gettext_lazy("Next action"), lambda row: row.case.get_next_action_display()),
        Column(gettext_lazy("Due"), lambda row: row.case.next_due_on),
        Column(gettext_lazy("Overdue"), lambda row: _yes_no(row.is_overdue)),
        Column(gettext_lazy("Child"), lambda row: _yes_no(row.is_child)),
        Column(gettext_lazy("Foreign national"), lambda row: _yes_no(row.is_foreign)),
    ]


# The words of the worklist's cells (``cases/jinja2/cases/worklist_rows.html``).
_WORKLIST_WORDS = {
    "case": gettext_lazy("Case"),
    "survivor": gettext_lazy("Survivor"),
    "phase": gettext_lazy("Phase"),
    "risk": gettext_lazy("Risk"),
    "next_action": gettext_lazy("Next action"),
    "due": gettext_lazy("Due"),
    "to_note": gettext_lazy("To note"),
    "hidden": gettext_lazy("Hidden: your role may not see identities"),
    "not_assessed": gettext_lazy("Not assessed"),
    "overdue": gettext_lazy("Overdue"),
    "child": gettext_lazy("Child"),
    "foreign": gettext_lazy("Foreign national"),
}


@works
@require_http_methods(["GET", "POST"])  # POST: the export door
def queue(request: HttpRequest) -> HttpResponse:
    """The worklist: open cases by urgency (or due date, or risk), 25 at a time; the next
    page is fetched with htmx. Showing survivors' first names is one audit row a page.
    The export holds the whole worklist of the scope and sort, survivors by code."""
    user = _user(request)
    scopes = selectors.worklist_scopes(user)
    default_scope = "agency" if "agency" in scopes else "mine"
    scope = request.GET.get("scope", default_scope)
    scope = scope if scope in scopes else default_scope
    sort = request.GET.get("sort", "urgency")
    sort = sort if sort in selectors.WORKLIST_SORTS else "urgency"
    today = timezone.localdate()
    exported = export_list(
        request,
        name="cases-worklist",
        title=gettext_lazy("My work queue"),
        columns=_worklist_columns(sort),
        rows=selectors.worklist_rows(user, scope=scope, sort=sort, today=today),
    )
    if exported is not None:
        return exported
    if request.method == "POST":
        return HttpResponseNotAllowed(["GET"])
    after = request.GET.get("after", "")[:64]
    page = selectors.worklist_page(user, scope=scope, sort=sort, after=after, today=today)
    if page.shows_names:
        actions.record_worklist_read(by=user, case_codes=[row.case.code for row in page.rows])
    cursor = selectors.parse_cursor(after) if after else None
    previous = cursor[0] if cursor and sort == "urgency" else None
    items = []
    for row in page.rows:
        heading = None
        if sort == "urgency" and row.section != previous:
            heading = _SECTION_LABELS[row.section]
            previous = row.section
        items.append((row, heading))
    context = {
        "page": page,
        "items": items,
        "scope": scope,
        "scopes": scopes if len(scopes) > 1 else (),
        "sort": sort,
        "sorts": selectors.WORKLIST_SORTS,
    }
    context["rows"] = render_part(
        "cases/worklist_rows.html",
        {
            **context,
            "words": {key: str(word) for key, word in _WORKLIST_WORDS.items()},
            "labels": {
                "phase": dict(Phase.choices),
                "risk": dict(RiskLevel.choices),
                "action": dict(DeadlineKind.choices),
            },
        },
    )
    if request.htmx and after:  # type: ignore[attr-defined]
        return HttpResponse(context["rows"])
    sections = []
    for section in queue_sections_for(user):
        try:
            sections.append((section, reverse(section.url_name)))
        except NoReverseMatch:
            continue
    return render(request, "cases/queue.html", {**context, "sections": sections})


@supervises
@require_http_methods(["GET", "POST"])  # POST: the export door
def approvals(request: HttpRequest) -> HttpResponse:
    """Care plans and closures waiting for a supervisor; each table exports on its own
    (``table=closures`` for the second), cases by code only as on the page."""
    pending = selectors.pending_approvals(request.user)
    if request.GET.get("table") == "closures":
        exported = export_list(
            request,
            name="cases-pending-closures",
            title=gettext_lazy("Closures waiting for approval"),
            columns=[
                Column(gettext_lazy("Request"), lambda c: c.code),
                Column(gettext_lazy("Case"), lambda c: c.case.code),
                Column(gettext_lazy("Reason"), lambda c: c.get_reason_display()),
                Column(gettext_lazy("Requested by"), lambda c: person(c.requested_by)),
            ],
            rows=pending["closures"],
        )
    else:
        exported = export_list(
            request,
            name="cases-pending-care-plans",
            title=gettext_lazy("Care plans waiting for approval"),
            columns=[
                Column(gettext_lazy("Care plan"), lambda p: p.code),
                Column(gettext_lazy("Case"), lambda p: p.case.code),
                Column(gettext_lazy("Author"), lambda p: person(p.author)),
                Column(gettext_lazy("Submitted at"), lambda p: p.submitted_at),
            ],
            rows=pending["care_plans"],
        )
    if exported is not None:
        return exported
    if request.method == "POST":
        return HttpResponseNotAllowed(["GET"])
    return render(
        request,
        "cases/approvals.html",
        {"care_plans": list(pending["care_plans"]), "closures": list(pending["closures"])},
    )


# --- a case -----------------------------------------------------------------------------


@works
def open_case(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    if request.method == "POST":
        form = OpenCaseForm(request.POST, user=user)
        if form.is_valid():
            data = form.cleaned_data
            try:
                case = actions.open_case(
                    survivor=data["survivor"],
                    by=user,
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
                )
            except DomainError as error:
                show_refusal(error, form=form)
            else:
                messages.success(request, _("Case %(code)s opened.") % {"code": case.code})
                return redirect("cases:detail", code=case.code)
    else:
        form = OpenCaseForm(
            user=user,
            initial={
                "survivor": request.GET.get("survivor", ""),
                "screening_code": request.GET.get("screening", ""),
                "first_contact_on": timezone.localdate(),
                "country_of_exploitation": "EG",
            },
        )
    return render(request, "cases/open.html", {"form": form}, status=_status(form))


@functools.lru_cache(maxsize=8)
def _transition_rows(language: str | None) -> list[tuple[str, str]]:
    """The table of allowed phase changes, written once per language (``language`` is the
    key; the labels are read in the active one)."""
    comma = "، " if (language or "ar").startswith("ar") else ", "
    return [
        (
            str(Phase(phase).label),
            comma.join(str(Phase(p).label) for p in Phase.values if p in targets),
        )
        for phase, targets in TRANSITIONS.items()
    ]


def _case_page(
    request: HttpRequest,
    code: str,
    *,
    status: int = 200,
    identification_form: IdentificationForm | None = None,
    note_form: CaseNoteForm | None = None,
) -> HttpResponse:
    user = _user(request)
    page = selectors.case_page(user, code, english=(get_language() or "ar").startswith("en"))
    case = page.case
    if identification_form is None:
        identification_form = IdentificationForm(
            initial={"decided_on": timezone.localdate(), "version": case.version}
        )
    panels = []
    for panel in panels_for(user):
        try:
            panels.append((panel, reverse(panel.url_name, kwargs={"code": case.code})))
        except NoReverseMatch:
            continue
    # The body is written by Jinja2 (``core.rows``), the layout around it by the pages' engine.
    body = render_part(
        "cases/detail.html",
        {
            "case": case,
            "page": page,
            "transitions": _transition_rows(get_language()),
            "panels": panels,
            "is_supervisor": selectors.supervises(user, case),
            "may_print_identity": user.has_perm("survivors.view_identity"),
            "identification": selectors.identification_state(
                user, case, today=timezone.localdate()
            ),
            "identification_form": identification_form,
            "note_form": note_form or CaseNoteForm(),
            "csrf_input": csrf_input(request),
        },
    )
    return render(
        request, "cases/detail.html", {"case": case, "page": page, "body": body}, status=status
    )


@works
def detail(request: HttpRequest, code: str) -> HttpResponse:
    return _case_page(request, code)


@works
def timeline(request: HttpRequest, code: str) -> HttpResponse:
    """Every line of a case's timeline, newest first, a page at a time."""
    case = selectors.get_case_or_404(_user(request), code)
    page = Paginator(selectors.case_timeline(case), selectors.TIMELINE_PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(request, "cases/timeline.html", {"case": case, "page": page})


@works
def edit(request: HttpRequest, code: str) -> HttpResponse:
    user = _user(request)
    case = selectors.get_case_or_404(user, code)
    saved: list[Any] = []
    fields = list(actions.EDITABLE_CASE_FIELDS)
    if request.method == "POST":
        form = CaseDetailsForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                actions.update_case(
                    case=case,
                    by=user,
                    expected_version=data["version"],
                    changes={name: data[name] for name in fields},
                    exploitation_forms=data["exploitation_forms"],
                )
            except ConcurrentEditError:
                case.refresh_from_db()
                saved = _conflict(request, form, case, fields)
            except DomainError as error:
                show_refusal(error, form=form)
            else:
                messages.success(request, _("Case details saved."))
                return redirect("cases:detail", code=case.code)
    else:
        initial = {name: getattr(case, name) for name in fields}
        initial["exploitation_forms"] = list(case.exploitation_forms.all())
        initial["version"] = case.version
        form = CaseDetailsForm(initial=initial)
    return render(
        request,
        "cases/edit.html",
        {"case": case, "form": form, "saved": saved},
        status=_status(form, saved),
    )


@works
@require_POST
def move(request: HttpRequest, code: str) -> HttpResponse:
    user = _user(request)
    case = selectors.get_case_or_404(user, code)
    form = MoveForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose the new phase."))
        return _case_page(request, code, status=400)
    try:
        actions.move_case(
            case=case,
            to_phase=form.cleaned_data["to_phase"],
            by=user,
            expected_version=form.cleaned_data["version"],
            on=form.cleaned_data["on"],
        )
    except DomainError as error:
        show_refusal(error, request=request)
    else:
        messages.success(
            request, _("The case is now in %(phase)s.") % {"phase": case.get_phase_display()}
        )
    return redirect("cases:detail", code=case.code)


@works
@require_POST
def identify(request: HttpRequest, code: str) -> HttpResponse:
    """Record the identification decision; a refusal shows the case page with the reason."""
    user = _user(request)
    case = selectors.get_case_or_404(user, code)
    form = IdentificationForm(request.POST)
    if not form.is_valid():
        return _case_page(request, code, status=400, identification_form=form)
    data = form.cleaned_data
    try:
        actions.decide_identification(
            case=case,
            status=data["status"],
            decided_on=data["decided_on"],
            grounds=data["grounds"],
            by=user,
            version=data["version"],
        )
    except ConcurrentEditError as error:
        fresh = selectors.get_case_or_404(user, code)
        posted = request.POST.copy()
        posted["version"] = str(fresh.version)
        form.data = posted
        form.add_error(None, str(error.message))
        return _case_page(request, code, status=error.status, identification_form=form)
    except DomainError as error:
        show_refusal(error, form=form)
        return _case_page(request, code, status=error.status, identification_form=form)
    messages.success(request, _("Identification decision recorded."))
    return redirect("cases:detail", code=case.code)


@works
def request_closure(request: HttpRequest, code: str) -> HttpResponse:
    user = _user(request)
    case = selectors.get_case_or_404(user, code)
    if request.method == "POST":
        form = ClosureForm(request.POST)
        if form.is_valid():
            try:
                actions.request_closure(
                    case=case,
                    by=user,
                    reason=form.cleaned_data["reason"],
                    note=form.cleaned_data["note"],
                )
            except DomainError as error:
                show_refusal(error, form=form)
            else:
                messages.success(request, _("Closure requested; a supervisor will decide."))
                return redirect("cases:detail", code=case.code)
    else:
        form = ClosureForm()
    return render(request, "cases/closure.html", {"case": case, "form": form}, status=_status(form))


@supervises
def decide_closure(request: HttpRequest, code: str) -> HttpResponse:
    user = _user(request)
    closure = selectors.get_closure_or_404(user, code)
    if request.method == "POST":
        form = DecisionForm(request.POST)
        if form.is_valid():
            try:
                actions.decide_closure(
                    closure=closure,
                    by=user,
                    approve=form.cleaned_data["decision"] == "approve",
                    expected_version=form.cleaned_data["version"],
                )
            except Forbidden as error:
                return _refused_page(request, error)
            except DomainError as error:
                show_refusal(error, form=form)
            else:
                messages.success(request, _("Decision recorded."))
                return redirect("cases:approvals")
    else:
        form = DecisionForm(initial={"version": closure.version})
    return render(
        request,
        "cases/decide_closure.html",
        {"closure": closure, "form": form},
        status=_status(form),
    )


@supervises
def reassign(request: HttpRequest, code: str) -> HttpResponse:
    user = _user(request)
    case = selectors.get_case_or_404(user, code)
    try:
        actions.require_supervises(user, case)
    except Forbidden as error:
        return _refused_page(request, error)
    workers = selectors.case_workers_of(case.lead_agency_id)
    saved: list[Any] = []
    if request.method == "POST":
        form = ReassignForm(request.POST, workers=workers)
        if form.is_valid():
            try:
                actions.reassign_case(
                    case=case,
                    to_worker=form.cleaned_data["case_worker"],
                    by=user,
                    expected_version=form.cleaned_data["version"],
                )
            except ConcurrentEditError:
                case.refresh_from_db()
                saved = _conflict(request, form, case, ["case_worker"])
            except DomainError as error:
                show_refusal(error, form=form)
            else:
                messages.success(request, _("Case reassigned."))
                return redirect("cases:detail", code=case.code)
    else:
        form = ReassignForm(
            workers=workers, initial={"version": case.version, "case_worker": case.case_worker}
        )
    return render(
        request,
        "cases/reassign.html",
        {"case": case, "form": form, "saved": saved},
        status=_status(form, saved),
    )


# --- risk -------------------------------------------------------------------------------


@works
def risk_new(request: HttpRequest, code: str) -> HttpResponse:
    user = _user(request)
    case = selectors.get_case_or_404(user, code)
    if request.method == "POST":
        form = RiskFields(request.POST)
        if form.is_valid():
            try:
                actions.assess_risk(case=case, by=user, **form.cleaned_data)
            except DomainError as error:
                show_refusal(error, form=form)
            else:
                messages.success(request, _("Risk assessment recorded."))
                return redirect("cases:detail", code=case.code)
    else:
        form = RiskFields(initial={"assessed_on": timezone.localdate()})
    return render(
        request, "cases/risk.html", {"case": case, "form": form, "saved": []}, status=_status(form)
    )


@works
def risk_edit(request: HttpRequest, code: str) -> HttpResponse:
    user = _user(request)
    assessment = selectors.get_risk_assessment_or_404(user, code)
    case = assessment.case
    saved: list[Any] = []
    if request.method == "POST":
        form = RiskEditForm(request.POST)
        if form.is_valid():
            data = dict(form.cleaned_data)
            version = data.pop("version")
            try:
                actions.update_risk_assessment(
                    assessment=assessment, by=user, expected_version=version, **data
                )
            except ConcurrentEditError:
                assessment.refresh_from_db()
                saved = _conflict(
                    request, form, assessment, ["level", "factors", "assessed_on", "note"]
                )
            except DomainError as error:
                show_refusal(error, form=form)
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
        status=_status(form, saved),
    )


# --- care plans -------------------------------------------------------------------------


@works
@require_POST
def care_plan_new(request: HttpRequest, code: str) -> HttpResponse:
    user = _user(request)
    case = selectors.get_case_or_404(user, code)
    try:
        plan = actions.create_care_plan(case=case, by=user)
    except DomainError as error:
        show_refusal(error, request=request)
        return redirect("cases:detail", code=case.code)
    return redirect("cases:care_plan", code=plan.code)


def _care_plan_page(
    request: HttpRequest,
    plan: CarePlan,
    *,
    form: CarePlanForm | None = None,
    goal_form: GoalForm | None = None,
    saved: list[Any] | None = None,
    status: int = 200,
) -> HttpResponse:
    user = _user(request)
    goal_form = goal_form or GoalForm()
    for field in goal_form.fields.values():  # the goal's fields belong to the plan's form
        field.widget.attrs["form"] = "care-plan-form"
    return render(
        request,
        "cases/care_plan.html",
        {
            "plan": plan,
            "case": plan.case,
            "form": form
            or CarePlanForm(initial={"summary": plan.summary, "version": plan.version}),
            "goal_form": goal_form,
            "goals": list(plan.goals.all()),
            "saved": saved or [],
            "may_submit": selectors.may_submit_care_plan(user, plan),
            "can_decide": selectors.may_decide_care_plan(user, plan),
            "decision_form": DecisionForm(initial={"version": plan.version}),
        },
        status=status,
    )


def _add_goal(request: HttpRequest, plan: CarePlan) -> HttpResponse:
    """Add a goal, and save the summary typed on the same page with it (one form): the
    summary is checked against the version it was read at, and nothing is saved unless
    both are."""
    user = _user(request)
    goal_form = GoalForm(request.POST)
    form = CarePlanForm(request.POST) if "summary" in request.POST else None
    saved: list[Any] = []
    if goal_form.is_valid() and (form is None or form.is_valid()):
        try:
            with transaction.atomic():
                if form is not None and form.cleaned_data["summary"] != plan.summary:
                    actions.update_care_plan(
                        plan=plan,
                        by=user,
                        expected_version=form.cleaned_data["version"],
                        summary=form.cleaned_data["summary"],
                    )
                actions.add_care_plan_goal(plan=plan, by=user, **goal_form.cleaned_data)
        except ConcurrentEditError:
            plan.refresh_from_db()
            saved = _conflict(request, form, plan, ["summary"])
        except DomainError as error:
            show_refusal(error, form=goal_form)
        else:
            messages.success(request, _("Goal added."))
            return redirect("cases:care_plan", code=plan.code)
        plan.refresh_from_db()
    status = max(_status(goal_form), _status(form, saved) if form is not None else 200)
    return _care_plan_page(
        request, plan, form=form, goal_form=goal_form, saved=saved, status=status
    )


@works
def care_plan(request: HttpRequest, code: str) -> HttpResponse:
    user = _user(request)
    plan = selectors.get_care_plan_or_404(user, code)
    if request.method != "POST":
        return _care_plan_page(request, plan)
    # A goal typed on the page is added whichever button sent the form (Enter in the goal
    # field sends it with the first button, the summary's).
    if request.POST.get("form") == "goal" or request.POST.get("description", "").strip():
        return _add_goal(request, plan)
    form = CarePlanForm(request.POST)
    saved: list[Any] = []
    if form.is_valid():
        try:
            actions.update_care_plan(
                plan=plan,
                by=user,
                expected_version=form.cleaned_data["version"],
                summary=form.cleaned_data["summary"],
            )
        except ConcurrentEditError:
            plan.refresh_from_db()
            saved = _conflict(request, form, plan, ["summary"])
        except DomainError as error:
            show_refusal(error, form=form)
        else:
            messages.success(request, _("Care plan saved."))
            return redirect("cases:care_plan", code=plan.code)
    return _care_plan_page(request, plan, form=form, saved=saved, status=_status(form, saved))


@works
def goal_edit(request: HttpRequest, code: str) -> HttpResponse:
    user = _user(request)
    goal = selectors.get_goal_or_404(user, code)
    saved: list[Any] = []
    if request.method == "POST":
        form = GoalEditForm(request.POST)
        if form.is_valid():
            data = dict(form.cleaned_data)
            version = data.pop("version")
            try:
                actions.update_care_plan_goal(goal=goal, by=user, expected_version=version, **data)
            except ConcurrentEditError:
                goal.refresh_from_db()
                saved = _conflict(request, form, goal, ["description", "target_on", "is_achieved"])
            except DomainError as error:
                show_refusal(error, form=form)
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
    return render(
        request,
        "cases/goal.html",
        {"goal": goal, "form": form, "saved": saved},
        status=_status(form, saved),
    )


@works
@require_POST
def care_plan_submit(request: HttpRequest, code: str) -> HttpResponse:
    user = _user(request)
    plan = selectors.get_care_plan_or_404(user, code)
    form = VersionedForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("The form was incomplete: reload the page."))
        return _care_plan_page(request, plan, status=400)
    try:
        actions.submit_care_plan(plan=plan, by=user, expected_version=form.cleaned_data["version"])
    except DomainError as error:
        show_refusal(error, request=request)
    else:
        messages.success(request, _("Care plan submitted for approval."))
    return redirect("cases:care_plan", code=plan.code)


@supervises
@require_POST
def care_plan_decide(request: HttpRequest, code: str) -> HttpResponse:
    user = _user(request)
    plan = selectors.get_care_plan_or_404(user, code)
    form = DecisionForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose a decision."))
        return _care_plan_page(request, plan, status=400)
    try:
        actions.decide_care_plan(
            plan=plan,
            by=user,
            approve=form.cleaned_data["decision"] == "approve",
            expected_version=form.cleaned_data["version"],
            note=form.cleaned_data["note"],
        )
    except Forbidden as error:
        return _refused_page(request, error)
    except DomainError as error:
        show_refusal(error, request=request)
    else:
        messages.success(request, _("Decision recorded."))
    return redirect("cases:care_plan", code=plan.code)


# --- case notes ---------------------------------------------------------------------------


@works
@require_POST
def add_note(request: HttpRequest, code: str) -> HttpResponse:
    """Write a note on the case; a refusal shows the case page with the reason."""
    user = _user(request)
    case = selectors.get_case_or_404(user, code)
    form = CaseNoteForm(request.POST)
    if form.is_valid():
        try:
            actions.add_case_note(case=case, body=form.cleaned_data["body"], by=user)
        except DomainError as error:
            show_refusal(error, form=form)
            return _case_page(request, code, status=error.status, note_form=form)
        messages.success(request, _("Note added."))
        return redirect(reverse("cases:detail", kwargs={"code": case.code}) + "#notes")
    return _case_page(request, code, status=400, note_form=form)


def _revise_page(
    request: HttpRequest, note: CaseNote, form: CaseNoteReviseForm, *, status: int = 200
) -> HttpResponse:
    return render(
        request,
        "cases/note_revise.html",
        {"case": note.case, "note": note, "form": form},
        status=status,
    )


@works
def revise_note(request: HttpRequest, code: str) -> HttpResponse:
    """The author gives a note a new text; the earlier one is kept."""
    user = _user(request)
    note = selectors.get_case_note_or_404(user, code)
    if not selectors.may_revise_note(user, note):
        return _refused_page(
            request, Forbidden(gettext_lazy("Only the author of a note may revise it."))
        )
    if request.method != "POST":
        form = CaseNoteReviseForm(initial={"body": note.body, "version": note.version})
        return _revise_page(request, note, form)
    form = CaseNoteReviseForm(request.POST)
    if not form.is_valid():
        return _revise_page(request, note, form, status=400)
    try:
        actions.revise_case_note(
            note=note,
            body=form.cleaned_data["body"],
            by=user,
            version=form.cleaned_data["version"],
        )
    except ConcurrentEditError as error:
        fresh = selectors.get_case_note_or_404(user, code)
        posted = request.POST.copy()
        posted["version"] = str(fresh.version)
        form.data = posted
        form.add_error(None, str(error.message))
        return _revise_page(request, fresh, form, status=error.status)
    except DomainError as error:
        show_refusal(error, form=form)
        return _revise_page(request, note, form, status=error.status)
    messages.success(request, _("Note revised."))
    return redirect(reverse("cases:detail", kwargs={"code": note.case.code}) + "#notes")


# --- transfers ------------------------------------------------------------------------------


@supervises
def transfer_propose(request: HttpRequest, code: str) -> HttpResponse:
    """A supervisor of the lead agency proposes to hand the case over to another agency."""
    user = _user(request)
    case = selectors.get_case_or_404(user, code)
    try:
        actions.require_supervises(user, case)
    except Forbidden as error:
        return _refused_page(request, error)
    destinations = selectors.transfer_destinations(case)
    if request.method == "POST":
        form = TransferProposeForm(request.POST, destinations=destinations)
        if form.is_valid():
            data = form.cleaned_data
            try:
                transfer = actions.propose_case_transfer(
                    case=case,
                    to_agency=data["to_agency"],
                    reason=data["reason"],
                    by=user,
                    consent_given_on=data["consent_given_on"],
                )
            except DomainError as error:
                show_refusal(error, form=form)
            else:
                messages.success(
                    request,
                    _("Transfer proposed to %(agency)s: its supervisors will answer.")
                    % {"agency": transfer.to_agency.name},
                )
                return redirect("cases:detail", code=case.code)
    else:
        form = TransferProposeForm(destinations=destinations)
    return render(
        request,
        "cases/transfer_propose.html",
        {"case": case, "form": form},
        status=_status(form),
    )


TRANSFERS_PER_PAGE = 25


@works
@require_http_methods(["GET", "POST"])  # POST: the export door
def transfers(request: HttpRequest) -> HttpResponse:
    """Transfers proposed to the user's agencies (for its supervisors to answer), and the
    trace of the cases the user's agencies handed over: codes, dates, agencies, statuses."""
    user = _user(request)
    sent = selectors.transfers_sent(user)
    may_answer = user.has_perm("cases.supervise")
    # Each table exports on its own (``table=incoming`` for the first, which only the
    # supervisors who answer see), cases by code only as on the page.
    if request.GET.get("table") == "incoming" and may_answer:
        exported = export_list(
            request,
            name="cases-transfers-incoming",
            title=gettext_lazy("Transfers waiting for your agency's answer"),
            columns=[
                Column(gettext_lazy("Transfer"), lambda t: t.code),
                Column(gettext_lazy("Case"), lambda t: t.case.code),
                Column(gettext_lazy("From"), lambda t: t.from_agency.name),
                Column(gettext_lazy("Proposed on"), lambda t: t.proposed_on),
            ],
            rows=selectors.incoming_transfers(user),
        )
    else:
        exported = export_list(
            request,
            name="cases-transfers-sent",
            title=gettext_lazy("Cases your agency proposed to hand over"),
            columns=[
                Column(gettext_lazy("Case"), lambda t: t.case.code),
                Column(gettext_lazy("Proposed on"), lambda t: t.proposed_on),
                Column(gettext_lazy("To"), lambda t: t.to_agency.name),
                Column(pgettext_lazy("state of a record", "Status"), _transfer_status),
                Column(gettext_lazy("Answered on"), lambda t: t.decided_on or ""),
            ],
            rows=sent,
        )
    if exported is not None:
        return exported
    if request.method == "POST":
        return HttpResponseNotAllowed(["GET"])
    try:
        page = keyset_page(
            sent,
            ordering=selectors.TRANSFERS_SENT_ORDER,
            size=TRANSFERS_PER_PAGE,
            after=request.GET.get("after"),
            before=request.GET.get("before"),
        )
    except ValueError:  # a position the list did not write: its first page
        page = keyset_page(sent, ordering=selectors.TRANSFERS_SENT_ORDER, size=TRANSFERS_PER_PAGE)
    return render(
        request,
        "cases/transfers.html",
        {
            "incoming": list(selectors.incoming_transfers(user)),
            "may_answer": may_answer,
            "page": page,
        },
    )


def _transfer_status(transfer: CaseTransfer) -> str:
    return str(transfer.get_status_display())


def _transfer_page(
    request: HttpRequest,
    transfer: CaseTransfer,
    *,
    accept_form: TransferAcceptForm | None = None,
    refuse_form: TransferRefuseForm | None = None,
    status: int = 200,
) -> HttpResponse:
    user = _user(request)
    may_decide = selectors.may_decide_transfer(user, transfer)
    workers = selectors.case_workers_of(transfer.to_agency_id)
    initial = {"version": transfer.version}
    return render(
        request,
        "cases/transfer.html",
        {
            "transfer": transfer,
            # The summary without identity, while the receiving supervisors decide; the team
            # that leads the case reads the case itself.
            "summary": selectors.transfer_summary(transfer, today=timezone.localdate())
            if transfer.is_proposed
            else None,
            "leads_case": selectors.works_on(user, transfer.case),
            "may_decide": may_decide,
            "may_withdraw": selectors.may_withdraw_transfer(user, transfer),
            "accept_form": accept_form or TransferAcceptForm(workers=workers, initial=initial),
            "refuse_form": refuse_form or TransferRefuseForm(initial=initial),
            "withdraw_form": VersionedForm(initial=initial),
        },
        status=status,
    )


@works
def transfer_detail(request: HttpRequest, code: str) -> HttpResponse:
    return _transfer_page(request, selectors.get_transfer_or_404(_user(request), code))


@supervises
@require_POST
def transfer_accept(request: HttpRequest, code: str) -> HttpResponse:
    user = _user(request)
    transfer = selectors.get_transfer_or_404(user, code)
    form = TransferAcceptForm(
        request.POST, workers=selectors.case_workers_of(transfer.to_agency_id)
    )
    if not form.is_valid():
        return _transfer_page(request, transfer, accept_form=form, status=400)
    try:
        actions.accept_case_transfer(
            transfer=transfer,
            by=user,
            version=form.cleaned_data["version"],
            case_worker=form.cleaned_data["case_worker"],
        )
    except Forbidden as error:
        return _refused_page(request, error)
    except DomainError as error:
        show_refusal(error, form=form)
        fresh = selectors.get_transfer_or_404(user, code)
        return _transfer_page(request, fresh, accept_form=form, status=error.status)
    messages.success(request, _("Transfer accepted: the case is now led by your agency."))
    return redirect("cases:detail", code=transfer.case.code)


@supervises
@require_POST
def transfer_refuse(request: HttpRequest, code: str) -> HttpResponse:
    user = _user(request)
    transfer = selectors.get_transfer_or_404(user, code)
    form = TransferRefuseForm(request.POST)
    if not form.is_valid():
        return _transfer_page(request, transfer, refuse_form=form, status=400)
    try:
        actions.refuse_case_transfer(
            transfer=transfer,
            by=user,
            version=form.cleaned_data["version"],
            reason=form.cleaned_data["reason"],
        )
    except Forbidden as error:
        return _refused_page(request, error)
    except DomainError as error:
        show_refusal(error, form=form)
        fresh = selectors.get_transfer_or_404(user, code)
        return _transfer_page(request, fresh, refuse_form=form, status=error.status)
    messages.success(request, _("Transfer refused: the sending agency keeps the case."))
    return redirect("cases:transfers")


@supervises
@require_POST
def transfer_withdraw(request: HttpRequest, code: str) -> HttpResponse:
    user = _user(request)
    transfer = selectors.get_transfer_or_404(user, code)
    form = VersionedForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("The form was incomplete: reload the page."))
        return _transfer_page(request, transfer, status=400)
    try:
        actions.withdraw_case_transfer(
            transfer=transfer, by=user, version=form.cleaned_data["version"]
        )
    except Forbidden as error:
        return _refused_page(request, error)
    except DomainError as error:
        show_refusal(error, request=request)
        return _transfer_page(
            request, selectors.get_transfer_or_404(user, code), status=error.status
        )
    messages.success(request, _("Transfer withdrawn."))
    return redirect("cases:detail", code=transfer.case.code)


# --- technology-facilitated trafficking -----------------------------------------------------

_TECHNOLOGY_FIELDS = {
    "recruitment_platforms": "recruitment",
    "control_platforms": "control",
    "exploitation_platforms": "exploitation",
}


def _technology_page(
    request: HttpRequest,
    case: Case,
    *,
    form: TechnologyForm | None = None,
    evidence_form: DigitalEvidenceForm | None = None,
    saved: list[Any] | None = None,
    status: int = 200,
) -> HttpResponse:
    used = selectors.platforms_by_role(case)
    platforms = (
        selectors.online_platforms(active_only=False)
        .filter(Q(is_active=True) | Q(case_uses__case=case))
        .distinct()
    )
    if form is None:
        initial: dict[str, Any] = {name: used[role] for name, role in _TECHNOLOGY_FIELDS.items()}
        initial["exploited_online"] = case.exploited_online
        initial["version"] = case.version
        form = TechnologyForm(platforms=platforms, initial=initial)
    return render(
        request,
        "cases/technology.html",
        {
            "case": case,
            "form": form,
            "evidence_form": evidence_form
            or DigitalEvidenceForm(initial={"recorded_on": timezone.localdate()}),
            "evidence": (
                list(selectors.digital_evidence_of(case))
                if "digital_evidence"
                in getattr(case, "sections_holding_rows", {"digital_evidence"})
                else []
            ),
            "saved": saved or [],
        },
        status=status,
    )


@works
def technology(request: HttpRequest, code: str) -> HttpResponse:
    """The platforms used to recruit, control and exploit, online exploitation and the
    references of digital evidence."""
    user = _user(request)
    case = selectors.get_case_or_404(user, code)
    if request.method != "POST":
        return _technology_page(request, case)
    platforms = selectors.online_platforms(active_only=False)
    form = TechnologyForm(request.POST, platforms=platforms)
    if not form.is_valid():
        return _technology_page(request, case, form=form, status=400)
    data = form.cleaned_data
    try:
        actions.update_case_technology(
            case=case,
            by=user,
            expected_version=data["version"],
            exploited_online=data["exploited_online"],
            recruitment_platforms=data["recruitment_platforms"],
            control_platforms=data["control_platforms"],
            exploitation_platforms=data["exploitation_platforms"],
        )
    except ConcurrentEditError:
        case.refresh_from_db()
        saved = _conflict(request, form, case, ["exploited_online"])
        return _technology_page(request, case, form=form, saved=saved, status=409)
    except DomainError as error:
        show_refusal(error, form=form)
        return _technology_page(request, case, form=form, status=error.status)
    messages.success(request, _("Online platforms saved."))
    return redirect(reverse("cases:detail", kwargs={"code": case.code}) + "#technology")


@works
@require_POST
def evidence_add(request: HttpRequest, code: str) -> HttpResponse:
    user = _user(request)
    case = selectors.get_case_or_404(user, code)
    form = DigitalEvidenceForm(request.POST)
    if not form.is_valid():
        return _technology_page(request, case, evidence_form=form, status=400)
    try:
        actions.add_digital_evidence(case=case, by=user, **form.cleaned_data)
    except DomainError as error:
        show_refusal(error, form=form)
        return _technology_page(request, case, evidence_form=form, status=error.status)
    messages.success(request, _("Digital evidence reference recorded."))
    return redirect(reverse("cases:detail", kwargs={"code": case.code}) + "#technology")
