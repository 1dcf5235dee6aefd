"""Capabilities of the services app."""

from django.utils.translation import gettext_lazy as _

from himaya.agencies.models import Role
from himaya.agencies.permissions import declare

declare(
    "services.view_feedback_report",
    _("See survivors' ratings of services in aggregate, per service and provider"),
    [Role.SUPERVISOR, Role.ANALYST],
)
declare(
    "services.deliver",
    _("See and confirm the services the agency is asked to provide for cases"),
    [Role.PARTNER_STAFF, Role.SHELTER_STAFF],
)
