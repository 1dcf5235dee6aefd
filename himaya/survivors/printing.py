"""The printable consent form (PDF) a survivor reads and signs, in the reader's language.

Two forms: one pre-filled from a recorded consent (its purpose, recipient agency and date),
and a blank one for a survivor's code listing every purpose to tick. Each explains the
survivor's rights in plain words and leaves lines for the signatures. The survivor is
named by code only: the name is written by hand on paper, never printed from the record.
Each form produced is recorded (``survivor.consent_form_printed``); a survivor outside the
reader's scope is not found, and a reader who may not record consent is refused.
"""

from typing import Any

from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET

from himaya.accounts.acting import acting_user
from himaya.accounts.models import User
from himaya.audit.actions import record_event
from himaya.core.pdf import pdf_response, render_pdf
from himaya.survivors.models import Consent, ConsentPurpose, Survivor
from himaya.survivors.selectors import get_consent_or_404, get_survivor_or_404

TEMPLATE = "survivors/pdf/consent.html"

# What each purpose means, in plain words, for the person who signs.
EXPLANATIONS: dict[str, Promise] = {
    ConsentPurpose.CARE: _(
        "The agency that leads your case keeps information about you and uses it to plan "
        "and give you help."
    ),
    ConsentPurpose.REFERRAL: _(
        "Your case worker may send the information you agree to share to the agency named "
        "on this form, so that it can give you a service."
    ),
    ConsentPurpose.EMBASSY: _(
        "Information may be given to the embassy of your own country named on this form, "
        "for example to issue travel documents. Nothing goes to an embassy without this "
        "consent naming that embassy."
    ),
    ConsentPurpose.STATISTICS: _(
        "Numbers that do not show your name or anything else that identifies you may be "
        "used in national statistics and reports."
    ),
}


def consent_filename(survivor: Survivor, consent: Consent | None) -> str:
    if consent is None:
        return f"consent-form-{survivor.code}.pdf"
    return f"consent-form-{survivor.code}-{consent.pk}.pdf"


def _purposes(consent: Consent | None) -> list[dict[str, Any]]:
    """The purposes the form shows: the recorded one, or every purpose to tick."""
    chosen = [consent.purpose] if consent is not None else ConsentPurpose.values
    return [
        {
            "label": ConsentPurpose(value).label,
            "explanation": EXPLANATIONS[value],
            "ticked": consent is not None,
        }
        for value in chosen
    ]


@transaction.atomic
def print_consent_form(
    *, request: HttpRequest, survivor: Survivor, consent: Consent | None, by: User
) -> bytes:
    """Render the form (blank without ``consent``) and record that it was produced."""
    context = {"survivor": survivor, "consent": consent, "purposes": _purposes(consent)}
    content = render_pdf(request, TEMPLATE, context)
    record_event(
        action="survivor.consent_form_printed",
        actor=by,
        obj=survivor,
        details={
            "consent": consent.pk if consent is not None else None,
            "purpose": consent.purpose if consent is not None else "",
        },
    )
    return content


def _form(request: HttpRequest, code: str, consent_id: int | None) -> HttpResponse:
    user = acting_user(request)
    survivor = get_survivor_or_404(user, code)
    if not user.has_perm("survivors.record_consent"):
        return HttpResponse(status=403)
    consent = get_consent_or_404(survivor, consent_id) if consent_id is not None else None
    content = print_consent_form(request=request, survivor=survivor, consent=consent, by=user)
    return pdf_response(content, filename=consent_filename(survivor, consent))


@login_required
@require_GET
def blank_consent_pdf(request: HttpRequest, code: str) -> HttpResponse:
    return _form(request, code, None)


@login_required
@require_GET
def consent_pdf(request: HttpRequest, code: str, consent_id: int) -> HttpResponse:
    return _form(request, code, consent_id)
