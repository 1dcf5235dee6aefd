"""The printable referral form (PDF): the referral exactly as its detail page shows it to
the same reader, in the reader's language.

The receiving agency's staff get the shared fields only while the referral's basis for
sharing stands (``actions.read_shared_fields`` decides, reading and auditing them as the
page does); the referring agency sees which fields were shared, never their values. The
form is recorded (``referral.form_printed``) each time it is produced; a referral outside
the reader's scope is not found.
"""

from typing import Any

from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.views.decorators.http import require_GET

from himaya.accounts.acting import acting_user
from himaya.accounts.models import User
from himaya.audit.actions import record_event
from himaya.core.pdf import pdf_response, render_pdf
from himaya.referrals import actions
from himaya.referrals.models import Referral
from himaya.referrals.selectors import get_referral_or_404, is_recipient, is_sender

TEMPLATE = "referrals/pdf/referral.html"


def referral_filename(referral: Referral) -> str:
    return f"referral-{referral.code}.pdf"


@transaction.atomic
def print_referral(*, request: HttpRequest, referral: Referral, by: User) -> bytes:
    """Render the form with what the detail page shows this reader, and record it."""
    shared = actions.read_shared_fields(referral=referral, by=by)
    context: dict[str, Any] = {
        "referral": referral,
        "is_recipient": is_recipient(by, referral),
        "is_sender": is_sender(by, referral),
        "shared": shared,
        "consent_withdrawn": actions.consent_withdrawn(referral),
    }
    content = render_pdf(request, TEMPLATE, context)
    fields = [key for key, _label, _value in shared or []]
    record_event(
        action="referral.form_printed",
        actor=by,
        obj=referral,
        purpose="referral" if fields else "",
        details={"case": referral.case.code, "fields": fields},
    )
    return content


@login_required
@require_GET
def referral_pdf(request: HttpRequest, code: str) -> HttpResponse:
    user = acting_user(request)
    referral = get_referral_or_404(user, code)
    content = print_referral(request=request, referral=referral, by=user)
    return pdf_response(content, filename=referral_filename(referral))
