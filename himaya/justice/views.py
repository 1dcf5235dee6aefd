"""Pages of the justice track: thin views over the selectors, the forms and the actions.

Reading needs the justice record to reach the user (``selectors``: the case's team, or a
partner through an accepted referral sharing "justice"); anyone else gets 404. Changing
it is for the case's team only: a partner who reads it gets 403 on a change.
"""

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from himaya.accounts.acting import acting_user
from himaya.agencies.permissions import require_capability
from himaya.cases.models import Case
from himaya.cases.selectors import get_case_or_404
from himaya.core.errors import DomainError
from himaya.core.forms import show_refusal
from himaya.justice import actions, selectors
from himaya.justice.forms import (
    ChargeEditForm,
    ChargeForm,
    HearingForm,
    MoveForm,
    ProceedingEditForm,
    ProceedingForm,
)
from himaya.justice.models import ChargeAgainstSurvivor, CriminalProceeding
from himaya.justice.selectors import EDIT, RECEIVE


def _case_context(request: HttpRequest, case: Case) -> dict[str, Any]:
    proceedings, charges = selectors.justice_of_case(request.user, case)
    return {
        "case": case,
        "proceedings": proceedings,
        "charges": charges,
        "may_edit": selectors.may_edit(request.user, case),
    }


@login_required
def case_panel(request: HttpRequest, code: str) -> HttpResponse:
    """The justice panel of the case page (the case's team only)."""
    require_capability(request.user, EDIT)
    case = get_case_or_404(request.user, code)
    return render(request, "justice/partials/case_panel.html", _case_context(request, case))


@login_required
def case_justice(request: HttpRequest, code: str) -> HttpResponse:
    """The justice record of a case: for its team, and for a partner it is shared with."""
    require_capability(request.user, EDIT, RECEIVE)
    case = selectors.get_justice_case_or_404(request.user, code)
    return render(request, "justice/case.html", _case_context(request, case))


def _editable_case(request: HttpRequest, code: str) -> Case:
    require_capability(request.user, EDIT, RECEIVE)
    case = selectors.get_justice_case_or_404(request.user, code)
    if not selectors.may_edit(request.user, case):
        raise PermissionDenied
    return case


def _editable_proceeding(request: HttpRequest, code: str) -> CriminalProceeding:
    require_capability(request.user, EDIT, RECEIVE)
    proceeding = selectors.get_proceeding_or_404(request.user, code)
    if not selectors.may_edit(request.user, proceeding.case):
        raise PermissionDenied
    return proceeding


@login_required
def proceeding_new(request: HttpRequest, code: str) -> HttpResponse:
    case = _editable_case(request, code)
    form = ProceedingForm(request.POST or None, initial={"reported_on": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        try:
            proceeding = actions.record_proceeding(
                case=case, details=form.details(), by=acting_user(request)
            )
        except DomainError as error:
            show_refusal(error, form=form)
        else:
            messages.success(request, _("The criminal proceeding was recorded."))
            return redirect("justice:proceeding", code=proceeding.code)
    status = 400 if request.method == "POST" else 200
    return render(
        request,
        "justice/proceeding_form.html",
        {"case": case, "form": form, "proceeding": None},
        status=status,
    )


def _detail_context(
    request: HttpRequest, proceeding: CriminalProceeding, **forms: Any
) -> dict[str, Any]:
    may_edit = selectors.may_edit(request.user, proceeding.case)
    references = actions.read_references(proceeding=proceeding, by=acting_user(request))
    move_form = forms.get("move_form") or MoveForm(
        initial={"version": proceeding.version, "outcome": proceeding.outcome}
    )
    targets = proceeding.allowed_targets()
    to_field: Any = move_form.fields["to"]
    to_field.choices = [(value, label) for value, label in to_field.choices if value in targets]
    return {
        "case": proceeding.case,
        "proceeding": proceeding,
        "references": references,
        "hearings": list(proceeding.hearings.all()),
        "may_edit": may_edit,
        "move_form": move_form,
        "hearing_form": forms.get("hearing_form")
        or HearingForm(initial={"held_on": timezone.localdate(), "court": proceeding.court}),
    }


@login_required
def proceeding_detail(request: HttpRequest, code: str) -> HttpResponse:
    require_capability(request.user, EDIT, RECEIVE)
    proceeding = selectors.get_proceeding_or_404(request.user, code)
    return render(request, "justice/proceeding.html", _detail_context(request, proceeding))


@login_required
def proceeding_edit(request: HttpRequest, code: str) -> HttpResponse:
    proceeding = _editable_proceeding(request, code)
    if request.method == "POST":
        form = ProceedingEditForm(request.POST)
    else:
        form = ProceedingEditForm(
            initial={
                "version": proceeding.version,
                **{name: getattr(proceeding, name) for name in actions.DETAIL_FIELDS},
            }
        )
    if request.method == "POST" and form.is_valid():
        try:
            actions.update_proceeding(
                proceeding=proceeding,
                details=form.details(),
                expected_version=form.cleaned_data["version"],
                by=acting_user(request),
            )
        except DomainError as error:
            show_refusal(error, form=form)
        else:
            messages.success(request, _("The criminal proceeding was updated."))
            return redirect("justice:proceeding", code=proceeding.code)
    return render(
        request,
        "justice/proceeding_form.html",
        {"case": proceeding.case, "form": form, "proceeding": proceeding},
        status=400 if request.method == "POST" else 200,
    )


def _proceeding_post(
    request: HttpRequest,
    code: str,
    form_class: type[Any],
    name: str,
    run: Callable[[CriminalProceeding, Any], Any],
    done: str,
) -> HttpResponse:
    proceeding = _editable_proceeding(request, code)
    form = form_class(request.POST)
    if form.is_valid():
        try:
            run(proceeding, form)
        except DomainError as error:
            show_refusal(error, form=form)
        else:
            messages.success(request, done)
            return redirect("justice:proceeding", code=proceeding.code)
    return render(
        request,
        "justice/proceeding.html",
        _detail_context(request, proceeding, **{name: form}),
        status=400,
    )


@login_required
@require_POST
def proceeding_move(request: HttpRequest, code: str) -> HttpResponse:
    return _proceeding_post(
        request,
        code,
        MoveForm,
        "move_form",
        lambda proceeding, form: actions.move_proceeding(
            proceeding=proceeding,
            to=form.cleaned_data["to"],
            outcome=form.cleaned_data["outcome"],
            expected_version=form.cleaned_data["version"],
            by=acting_user(request),
        ),
        _("The status of the proceeding was changed."),
    )


@login_required
@require_POST
def hearing_add(request: HttpRequest, code: str) -> HttpResponse:
    return _proceeding_post(
        request,
        code,
        HearingForm,
        "hearing_form",
        lambda proceeding, form: actions.record_hearing(
            proceeding=proceeding, by=acting_user(request), **form.cleaned_data
        ),
        _("The hearing was recorded."),
    )


@login_required
def charge_new(request: HttpRequest, code: str) -> HttpResponse:
    case = _editable_case(request, code)
    form = ChargeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            actions.record_charge(case=case, details=form.details(), by=acting_user(request))
        except DomainError as error:
            show_refusal(error, form=form)
        else:
            messages.success(request, _("The charge against the survivor was recorded."))
            return redirect("justice:case", code=case.code)
    return render(
        request,
        "justice/charge_form.html",
        {"case": case, "form": form, "charge": None},
        status=400 if request.method == "POST" else 200,
    )


@login_required
def charge_edit(request: HttpRequest, code: str) -> HttpResponse:
    require_capability(request.user, EDIT, RECEIVE)
    charge: ChargeAgainstSurvivor = selectors.get_charge_or_404(request.user, code)
    if not selectors.may_edit(request.user, charge.case):
        raise PermissionDenied
    if request.method == "POST":
        form = ChargeEditForm(request.POST)
    else:
        form = ChargeEditForm(
            initial={
                "version": charge.version,
                **{name: getattr(charge, name) for name in actions.CHARGE_FIELDS},
            }
        )
    if request.method == "POST" and form.is_valid():
        try:
            actions.update_charge(
                charge=charge,
                details=form.details(),
                expected_version=form.cleaned_data["version"],
                by=acting_user(request),
            )
        except DomainError as error:
            show_refusal(error, form=form)
        else:
            messages.success(request, _("The charge against the survivor was updated."))
            return redirect("justice:case", code=charge.case.code)
    return render(
        request,
        "justice/charge_form.html",
        {"case": charge.case, "form": form, "charge": charge},
        status=400 if request.method == "POST" else 200,
    )
