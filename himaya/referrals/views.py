from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.paginator import Page, Paginator
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from django.views.decorators.http import require_POST

from himaya.accounts.acting import acting_user
from himaya.audit.exports import Column, export_list
from himaya.cases.selectors import get_case_or_404
from himaya.core.errors import DomainError
from himaya.core.forms import show_refusal
from himaya.referrals import actions
from himaya.referrals.filters import ReferralFilter
from himaya.referrals.forms import CompleteForm, DeclineForm, ReferralForm, VersionForm
from himaya.referrals.models import Referral
from himaya.referrals.selectors import (
    get_referral_or_404,
    incoming_referrals,
    is_recipient,
    is_sender,
    may_override_consent,
    outgoing_referrals,
    overdue_referrals,
    referrals_of_case,
)

PAGE_SIZE = 50


@login_required
@permission_required("cases.work_cases", raise_exception=True)
def create(request: HttpRequest) -> HttpResponse:
    case = get_case_or_404(request.user, request.GET.get("case", ""))
    can_override = may_override_consent(request.user, case)
    form = ReferralForm(request.POST or None, exclude_agency_id=case.lead_agency_id)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            referral = actions.create_referral(
                case=case,
                to_agency=data["to_agency"],
                service_type=data["service_type"],
                shared_fields=data["shared_fields"],
                medical_note=data["medical_note"],
                safety_note=data["safety_note"],
                override_reason=data["override_reason"] if can_override else "",
                by=acting_user(request),
            )
        except DomainError as error:
            show_refusal(error, form=form)
        else:
            messages.success(request, str(actions.SENT_MESSAGE))
            return redirect("referrals:detail", code=referral.code)
    return render(
        request,
        "referrals/create.html",
        {"case": case, "form": form, "can_override": can_override},
    )


def _columns(*, incoming: bool) -> list[Column]:
    return [
        Column(_("Referral"), lambda r: r.code),
        Column(_("Case"), lambda r: r.case.code),
        Column(
            _("From") if incoming else _("To"),
            lambda r: (r.from_agency if incoming else r.to_agency).name,
        ),
        Column(_("Service"), lambda r: r.service_type.name),
        Column(pgettext_lazy("state of a record", "Status"), lambda r: r.get_status_display()),
        Column(_("Overdue"), lambda r: str(_("Yes")) if r.is_overdue else ""),
        Column(_("Sent"), lambda r: r.sent_at),
        Column(_("Answer expected by"), lambda r: r.respond_by),
    ]


def _chosen(request: HttpRequest, referrals: QuerySet[Referral]) -> QuerySet[Referral]:
    chosen: QuerySet[Referral] = ReferralFilter(request.GET, queryset=referrals).qs
    return chosen.select_related("case", "from_agency", "to_agency", "service_type")


def _listing(request: HttpRequest, referrals: QuerySet[Referral]) -> dict[str, object]:
    """The page of the filtered list, and whether it shows the overdue referrals only."""
    chosen = ReferralFilter(request.GET, queryset=referrals)
    overdue_only = bool(chosen.is_valid() and chosen.form.cleaned_data.get("overdue"))
    page: Page[Referral] = Paginator(chosen.qs, PAGE_SIZE).get_page(request.GET.get("page"))
    return {"page": page, "overdue_only": overdue_only}


@login_required
@permission_required("referrals.receive", raise_exception=True)
def inbox(request: HttpRequest) -> HttpResponse:
    referrals = incoming_referrals(request.user)
    exported = export_list(
        request,
        name="referrals-received",
        title=_("Incoming referrals"),
        columns=_columns(incoming=True),
        rows=_chosen(request, referrals).iterator(),
    )
    if exported is not None:
        return exported
    return render(request, "referrals/inbox.html", _listing(request, referrals))


@login_required
@permission_required("cases.work_cases", raise_exception=True)
def sent(request: HttpRequest) -> HttpResponse:
    referrals = outgoing_referrals(request.user)
    exported = export_list(
        request,
        name="referrals-sent",
        title=_("Sent referrals"),
        columns=_columns(incoming=False),
        rows=_chosen(request, referrals).iterator(),
    )
    if exported is not None:
        return exported
    return render(request, "referrals/sent.html", _listing(request, referrals))


@login_required
def detail(request: HttpRequest, code: str) -> HttpResponse:
    referral = get_referral_or_404(request.user, code)
    recipient = is_recipient(request.user, referral)
    sender = is_sender(request.user, referral)
    shared = actions.read_shared_fields(referral=referral, by=acting_user(request))
    version_initial = {"version": referral.version}
    return render(
        request,
        "referrals/detail.html",
        {
            "referral": referral,
            "is_recipient": recipient,
            "is_sender": sender,
            "shared": shared,
            "consent_withdrawn": actions.consent_withdrawn(referral),
            "version_form": VersionForm(initial=version_initial),
            "decline_form": DeclineForm(initial=version_initial),
            "complete_form": CompleteForm(initial=version_initial),
        },
    )


def _run(request: HttpRequest, referral: Referral, form: VersionForm, action: str) -> HttpResponse:
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, str(error))
        return redirect("referrals:detail", code=referral.code)
    data = form.cleaned_data
    try:
        if action == "accept":
            actions.accept_referral(
                referral=referral,
                by=acting_user(request),
                expected_version=data["version"],
            )
        elif action == "decline":
            actions.decline_referral(
                referral=referral,
                by=acting_user(request),
                reason=data["reason"],
                expected_version=data["version"],
            )
        elif action == "complete":
            actions.complete_referral(
                referral=referral,
                by=acting_user(request),
                outcome=data["outcome"],
                expected_version=data["version"],
            )
        else:
            actions.cancel_referral(
                referral=referral,
                by=acting_user(request),
                expected_version=data["version"],
            )
    except DomainError as error:
        show_refusal(error, request=request)
    else:
        messages.success(request, str(actions.DONE_MESSAGES[action]))
    return redirect("referrals:detail", code=referral.code)


def _forbidden() -> HttpResponse:
    return HttpResponse(status=403)


@login_required
@require_POST
def accept(request: HttpRequest, code: str) -> HttpResponse:
    referral = get_referral_or_404(request.user, code)
    if not is_recipient(request.user, referral):
        return _forbidden()
    return _run(request, referral, VersionForm(request.POST), "accept")


@login_required
@require_POST
def decline(request: HttpRequest, code: str) -> HttpResponse:
    referral = get_referral_or_404(request.user, code)
    if not is_recipient(request.user, referral):
        return _forbidden()
    return _run(request, referral, DeclineForm(request.POST), "decline")


@login_required
@require_POST
def complete(request: HttpRequest, code: str) -> HttpResponse:
    referral = get_referral_or_404(request.user, code)
    if not is_recipient(request.user, referral):
        return _forbidden()
    return _run(request, referral, CompleteForm(request.POST), "complete")


@login_required
@require_POST
def cancel(request: HttpRequest, code: str) -> HttpResponse:
    referral = get_referral_or_404(request.user, code)
    if not is_sender(request.user, referral):
        return _forbidden()
    return _run(request, referral, VersionForm(request.POST), "cancel")


@login_required
def case_panel(request: HttpRequest, code: str) -> HttpResponse:
    if not request.user.has_perm("cases.work_cases"):
        raise Http404
    case = get_case_or_404(request.user, code)
    referrals = referrals_of_case(request.user, case.pk)
    return render(
        request,
        "referrals/partials/case_panel.html",
        {"case": case, "referrals": list(referrals)},
    )


@login_required
@permission_required("cases.work_cases", raise_exception=True)
def queue_overdue(request: HttpRequest) -> HttpResponse:
    """The work queue's section: referrals my agency sent that nobody answered in time."""
    referrals = overdue_referrals(request.user)
    return render(
        request,
        "referrals/partials/queue_overdue.html",
        {"referrals": list(referrals[:20]), "count": referrals.count()},
    )
