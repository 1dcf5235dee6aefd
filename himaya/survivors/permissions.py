"""Capabilities of the survivors app (the others it uses are declared in agencies)."""

from django.utils.translation import gettext_lazy as _

from himaya.agencies.models import Role
from himaya.agencies.permissions import declare

declare(
    "survivors.record_consent",
    _("Record and withdraw survivors' consent (within the agency's survivors)"),
    [Role.CASE_WORKER, Role.SUPERVISOR],
)
declare(
    "survivors.review_duplicates",
    _("Review possible duplicate registrations (within the agency's survivors)"),
    [Role.SUPERVISOR],
)
