"""Scoped reads of survivors and their consent."""

from django.db.models import Q
from django.utils import timezone

from himaya.agencies.models import Agency
from himaya.survivors.models import Consent, Survivor


def consent_on_file(survivor: Survivor, *, purpose: str, recipient: Agency | None = None) -> bool:
    """Whether the survivor's consent for ``purpose`` (and ``recipient``) stands today.

    A consent with no recipient covers the purpose for every recipient; a withdrawn
    consent covers nothing from its withdrawal date on.
    """
    today = timezone.localdate()
    consents = Consent.objects.filter(survivor=survivor, purpose=purpose, given_on__lte=today)
    consents = consents.filter(Q(withdrawn_on__isnull=True) | Q(withdrawn_on__gt=today))
    if recipient is not None:
        consents = consents.filter(Q(recipient=recipient) | Q(recipient__isnull=True))
    return consents.exists()
