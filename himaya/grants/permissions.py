"""Capabilities of grants (``grants.manage_grants`` is declared with the foundation)."""

from django.utils.translation import gettext_lazy as _

from himaya.agencies.models import Role
from himaya.agencies.permissions import declare

declare(
    "grants.view_grants",
    _("See grants: all of them for grants officers, one's own NGO's for NGO staff"),
    [Role.GRANTS_OFFICER, Role.PARTNER_STAFF],
)
