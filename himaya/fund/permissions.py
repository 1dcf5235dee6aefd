"""Capabilities of the fund app (the request and approval capabilities live in agencies)."""

from django.utils.translation import gettext_lazy as _

from himaya.agencies.models import Role
from himaya.agencies.permissions import declare

declare(
    "fund.view_payments",
    _("See every assistance payment, budget line and fund statement (national)"),
    [Role.FUND_OFFICER, Role.FUND_APPROVER],
)
declare(
    "fund.view_case_payments",
    _("See the assistance payments of the cases one works on"),
    [Role.CASE_WORKER, Role.SUPERVISOR],
)
declare(
    "fund.view_totals",
    _("See the fund's totals by budget line and purpose (no case)"),
    [Role.FUND_OFFICER, Role.FUND_APPROVER, Role.ANALYST],
)
