"""Capabilities of the empowerment app (``empowerment.manage_enrolments`` is declared with the
foundation's; referring survivors uses ``cases.work_cases``)."""

from django.utils.translation import gettext_lazy as _

from himaya.agencies.models import Role
from himaya.agencies.permissions import declare

declare(
    "empowerment.view_outcomes",
    _("See the outcomes of empowerment programmes (aggregates only)"),
    [Role.ANALYST, Role.EMPOWERMENT_OFFICER],
)
