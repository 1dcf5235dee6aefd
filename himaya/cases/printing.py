"""The printable case summary (PDF), in the reader's language.

The summary shows the survivor by code, sex, year of birth and nationality only. The
identity (names, date of birth, document numbers) is printed only when the reader holds
``survivors.view_identity`` and asks for it with a purpose, the way the survivor's page
reveals it: that reading is recorded (``survivor.identity_viewed``) with its purpose, and
so is every summary produced (``case.summary_printed``). A case outside the reader's
scope is not found.
"""

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from himaya.accounts.acting import acting_user
from himaya.accounts.models import User
from himaya.audit.actions import record_event
from himaya.cases import selectors
from himaya.cases.models import Case
from himaya.cases.views import works
from himaya.core.errors import DomainError, Forbidden
from himaya.core.pdf import pdf_response, render_pdf
from himaya.survivors.actions import reveal_identity
from himaya.survivors.countries import country_name
from himaya.survivors.forms import RevealForm
from himaya.survivors.selectors import documents_of

TEMPLATE = "cases/pdf/summary.html"


def summary_filename(case: Case) -> str:
    return f"case-summary-{case.code}.pdf"


def _latest_risk(case: Case) -> Any:
    """The most recent assessment (the prefetched list is ordered newest first)."""
    return next(iter(case.risk_assessments.all()), None)


def _context(case: Case, identity: dict[str, Any] | None) -> dict[str, Any]:
    return {
        "case": case,
        "survivor": case.survivor,
        "nationality": country_name(case.survivor.nationality),
        "country_of_exploitation": country_name(case.country_of_exploitation),
        "exploitation_forms": [form.name for form in case.exploitation_forms.all()],
        "phase_changes": list(case.phase_changes.all()),
        "risk": _latest_risk(case),
        "care_plans": list(case.care_plans.all()),
        "pending_closure": case.pending_closure,
        "identity": identity,
    }


def _identity(case: Case, *, purpose_label: str) -> dict[str, Any]:
    return {
        "purpose": purpose_label,
        "documents": [
            {"document": doc, "country": country_name(doc.issuing_country)}
            for doc in documents_of(case.survivor)
        ],
    }


@transaction.atomic
def print_case_summary(
    *, request: HttpRequest, case: Case, by: User, purpose: str = "", purpose_label: str = ""
) -> bytes:
    """Render the summary and record it; with a ``purpose``, the identity is included
    after ``reveal_identity`` allows it (and records the reading). Refused, nothing is
    recorded."""
    identity = None
    if purpose:
        if not by.has_perm("survivors.view_identity"):
            raise Forbidden(_("You are not allowed to see the survivor's identity."))
        reveal_identity(survivor=case.survivor, by=by, purpose=purpose)
        identity = _identity(case, purpose_label=purpose_label)
    content = render_pdf(request, TEMPLATE, _context(case, identity))
    record_event(
        action="case.summary_printed",
        actor=by,
        obj=case,
        purpose=purpose,
        details={"survivor": case.survivor.code, "identity": identity is not None},
    )
    return content


@works
@require_GET
def choose_purpose(request: HttpRequest, code: str) -> HttpResponse:
    """The page that asks why the identity is needed before printing it on the summary."""
    case = selectors.get_case_or_404(acting_user(request), code)
    if not request.user.has_perm("survivors.view_identity"):
        raise PermissionDenied
    return render(request, "cases/print_summary.html", {"case": case, "form": RevealForm()})


@works
@require_http_methods(["GET", "POST"])
def case_summary_pdf(request: HttpRequest, code: str) -> HttpResponse:
    """GET: the summary with the identity masked. POST with a purpose: with the identity."""
    user = acting_user(request)
    case = selectors.case_detail(user, code)
    purpose = purpose_label = ""
    if request.method == "POST":
        form = RevealForm(request.POST)
        if not form.is_valid():
            message = _("Choose why you need to see the identity.")
            return render(request, "cases/refused.html", {"message": message}, status=400)
        purpose = form.cleaned_data["purpose"]
        purpose_label = str(dict(form.fields["purpose"].choices)[purpose])  # type: ignore[attr-defined]
    try:
        content = print_case_summary(
            request=request, case=case, by=user, purpose=purpose, purpose_label=purpose_label
        )
    except DomainError as error:
        return render(
            request, "cases/refused.html", {"message": error.message}, status=error.status
        )
    return pdf_response(content, filename=summary_filename(case))
