"""Capabilities: what each role may do, declared once, here, for every app.

Every capability is a named permission checked with ``user.has_perm(name)``; it holds
when the user has an active membership with one of the listed roles in an active
agency. The whole role × capability table is declared in this module (no app declares
capabilities of its own); which records a capability reaches (its scope) is the business
of each app's ``selectors.py``. ``manage.py capability_table`` prints the table for the
docs.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import rules
from django.core.exceptions import PermissionDenied
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from himaya.agencies.models import Role
from himaya.agencies.selectors import forget_memberships, memberships_held
from himaya.core.typing import AnyUser


@dataclass(frozen=True)
class Capability:
    name: str
    description: str | Promise
    roles: frozenset[str]


CAPABILITIES: dict[str, Capability] = {}
# The predicate each capability registered with ``rules``: while ``rules`` still holds it,
# ``agencies.backends.CapabilityBackend`` answers from the table directly.
DECLARED_PREDICATES: dict[str, Any] = {}


def roles_of(user: AnyUser) -> frozenset[str]:
    """The roles the user holds through active memberships of active agencies (cached)."""
    if not user.is_authenticated or not user.is_active:
        return frozenset()
    cached: frozenset[str] | None = getattr(user, "_himaya_roles", None)
    if cached is None:
        cached = frozenset(role for _agency, role in memberships_held(user))
        setattr(user, "_himaya_roles", cached)  # noqa: B010
    return cached


def require_capability(user: AnyUser, *names: str) -> None:
    """Refuse (403) unless the user holds at least one of the named capabilities.

    Views and API views call it; DRF answers Django's ``PermissionDenied`` with 403 too.
    """
    if not any(user.has_perm(name) for name in names):
        raise PermissionDenied


def forget_roles(user: AnyUser) -> None:
    """A membership of the user changed: what this request read of memberships is stale."""
    if hasattr(user, "_himaya_roles"):
        delattr(user, "_himaya_roles")
    user.__dict__.pop("_perm_answers", None)  # what ``User.has_perm`` kept
    forget_memberships()


def declare(name: str, description: str | Promise, roles: Iterable[str]) -> Capability:
    capability = Capability(name=name, description=description, roles=frozenset(roles))
    CAPABILITIES[name] = capability

    def holds(user: AnyUser) -> bool:
        return bool(roles_of(user) & capability.roles)

    predicates: Any = rules  # the library has no type hints
    predicate = predicates.predicate(holds, name=f"holds {name}")
    predicates.add_perm(name, predicate)
    DECLARED_PREDICATES[name] = predicate
    return capability


ANY_ROLE = [role.value for role in Role]
CASE_ROLES = [Role.CASE_WORKER, Role.SUPERVISOR]

# The whole role × capability table, app by app. Agencies imports none of these apps:
# a capability is a name that the app checks with ``user.has_perm(name)``.

declare("core.use_himaya", _("Sign in and see the home page"), ANY_ROLE)
declare("audit.view_trail", _("Browse and filter the audit trail"), [Role.AUDITOR])
declare(
    "accounts.manage_users",
    _("Create users, give and withdraw roles, manage agencies"),
    [Role.ADMINISTRATOR],
)
declare(
    "survivors.view_identity",
    _("Read a survivor's identifying data (within the agency's cases or a referral)"),
    [Role.CASE_WORKER, Role.SUPERVISOR, Role.SHELTER_STAFF, Role.PARTNER_STAFF],
)
declare("survivors.register", _("Register survivors and screen presumed victims"), CASE_ROLES)
declare(
    "survivors.record_consent",
    _("Record and withdraw survivors' consent (within the agency's survivors)"),
    CASE_ROLES,
)
declare(
    "survivors.review_duplicates",
    _("Review possible duplicate registrations (within the agency's survivors)"),
    [Role.SUPERVISOR],
)
declare(
    "duplicates.review",
    _("Review likely duplicate survivors, merge them, undo a merge (within the agency's scope)"),
    [Role.SUPERVISOR],
)
declare(
    "duplicates.configure",
    _("Set the duplicate detection thresholds and switch automatic merging on or off"),
    [Role.ADMINISTRATOR],
)
declare("cases.work_cases", _("Open and work on cases of the agency"), CASE_ROLES)
declare(
    "cases.supervise",
    _("Approve care plans and closures, reassign cases of the agency"),
    [Role.SUPERVISOR],
)
declare(
    "services.deliver",
    _("See and confirm the services the agency is asked to provide for cases"),
    [Role.PARTNER_STAFF, Role.SHELTER_STAFF],
)
declare(
    "services.view_feedback_report",
    _("See survivors' ratings of services in aggregate, per service and provider"),
    [Role.SUPERVISOR, Role.ANALYST],
)
declare(
    "referrals.receive",
    _("Receive referrals addressed to the agency and see what they share"),
    [Role.PARTNER_STAFF, Role.CASE_WORKER, Role.SUPERVISOR, Role.SHELTER_STAFF],
)
declare(
    "shelters.manage_stays",
    _("Admit, transfer and discharge residents of the agency's shelters"),
    [Role.SHELTER_STAFF],
)
declare(
    "shelters.find_bed",
    _("Search free eligible beds across the shelter network"),
    [Role.CASE_WORKER, Role.SUPERVISOR, Role.SHELTER_STAFF, Role.OPERATOR],
)
declare("fund.request_payment", _("Request assistance payments for cases"), [Role.FUND_OFFICER])
declare(
    "fund.approve_payment",
    _("Approve or reject assistance payments requested by someone else"),
    [Role.FUND_APPROVER],
)
declare(
    "fund.view_payments",
    _("See every assistance payment, budget line and fund statement (national)"),
    [Role.FUND_OFFICER, Role.FUND_APPROVER],
)
declare(
    "fund.view_case_payments",
    _("See the assistance payments of the cases one works on"),
    CASE_ROLES,
)
declare(
    "fund.view_totals",
    _("See the fund's totals by budget line and purpose (no case)"),
    [Role.FUND_OFFICER, Role.FUND_APPROVER, Role.ANALYST],
)
declare(
    "empowerment.manage_enrolments",
    _("Accept enrolments in programmes and follow survivors' projects"),
    [Role.EMPOWERMENT_OFFICER],
)
declare(
    "empowerment.view_outcomes",
    _("See the outcomes of empowerment programmes (aggregates only)"),
    [Role.ANALYST, Role.EMPOWERMENT_OFFICER],
)
declare(
    "grants.manage_grants",
    _("Manage Ministry grants to NGOs, tranches and reports"),
    [Role.GRANTS_OFFICER],
)
declare(
    "grants.view_grants",
    _("See grants: all of them for grants officers, one's own NGO's for NGO staff"),
    [Role.GRANTS_OFFICER, Role.PARTNER_STAFF],
)
declare(
    "monitoring.view_dashboard",
    _("See the daily indicators and their trends (aggregates only)"),
    [Role.OPERATOR, Role.ANALYST, Role.SUPERVISOR, Role.ADMINISTRATOR],
)
declare(
    "monitoring.manage_indicators",
    _("Set the targets and thresholds of the indicators"),
    [Role.ADMINISTRATOR],
)
declare(
    "exchange.export_statistics",
    _("Export k-anonymous record-level statistics in the CTDC and HTCDS layouts"),
    [Role.ANALYST, Role.ADMINISTRATOR],
)
declare(
    "exchange.import_statistics",
    _("Import CTDC datasets into the statistical store"),
    [Role.ANALYST, Role.ADMINISTRATOR],
)
declare(
    "exchange.view_tables",
    _("See the international tables (SDG 16.2.2, UNODC), with small cells hidden"),
    [Role.OPERATOR, Role.ANALYST, Role.SUPERVISOR, Role.ADMINISTRATOR],
)
declare(
    "exchange.produce_monthly_report",
    _("Make the monthly national report of a month now (aggregates only)"),
    [Role.ANALYST],
)
declare(
    "operations.record_intake",
    _("Record and triage reports received by the control and emergency centre"),
    [Role.OPERATOR],
)
declare(
    "operations.manage_alerts",
    _("Acknowledge, assign and resolve the centre's alerts"),
    [Role.OPERATOR, Role.SUPERVISOR],
)
declare(
    "operations.manage_incidents",
    _("Open incidents, assign tasks to agencies and log communications"),
    [Role.OPERATOR],
)
declare(
    "operations.work_tasks",
    _("See and update the incident tasks assigned to the agency (no identity)"),
    [Role.PARTNER_STAFF, Role.SHELTER_STAFF, Role.CASE_WORKER, Role.SUPERVISOR, Role.OPERATOR],
)
declare(
    "operations.view_situation_report",
    _("Read and download the daily situation report (aggregates only)"),
    [Role.OPERATOR, Role.SUPERVISOR, Role.ANALYST],
)


def capability_table() -> str:
    """The role × capability table in Markdown, generated from the declarations."""
    roles = list(Role)
    header = "| capability | " + " | ".join(str(role.label) for role in roles) + " |"
    rule = "| --- |" + " :-: |" * len(roles)
    lines = [header, rule]
    for capability in CAPABILITIES.values():
        marks = " | ".join("✓" if role.value in capability.roles else "" for role in roles)
        lines.append(f"| `{capability.name}`: {capability.description} | {marks} |")
    return "\n".join(lines)
