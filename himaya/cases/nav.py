from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext_lazy

from himaya.cases.panels import CasePanel, register_panel
from himaya.core.counts import CountProvider, register_count
from himaya.core.nav import NavItem, register
from himaya.core.typing import AnyUser
from himaya.notifications.events import Event, register_event

register(
    NavItem(
        key="cases.queue",
        label=_("My work queue"),
        url_name="cases:queue",
        permission="cases.work_cases",
        description=_("Your open cases, the services planned this week and what is overdue."),
        order=20,
    ),
    NavItem(
        key="cases.list",
        label=_("Cases"),
        url_name="cases:list",
        permission="cases.work_cases",
        description=_("Search the agency's cases by code, phase, governorate and exploitation."),
        order=21,
    ),
    NavItem(
        key="cases.approvals",
        label=_("Approvals"),
        url_name="cases:approvals",
        permission="cases.supervise",
        description=_("Care plans and closures waiting for a supervisor's decision."),
        order=22,
    ),
    NavItem(
        key="cases.transfers",
        label=_("Case transfers"),
        url_name="cases:transfers",
        permission="cases.work_cases",
        description=_(
            "Cases proposed to your agency by another one, and the cases your agency handed over."
        ),
        order=23,
    ),
)

# The survivor's panel on the case page: the view belongs to survivors, which sits below
# cases and so cannot register it itself.
register_panel(
    CasePanel(
        key="survivor",
        label=_("Survivor and consent"),
        url_name="survivors:case_panel",
        permission="survivors.register",
        order=5,
    )
)


# --- counts on the home page -------------------------------------------------------------


def _overdue_on_worklist(user: AnyUser) -> int:
    from himaya.cases.selectors import worklist_cases

    return worklist_cases(user).filter(next_due_on__lt=timezone.localdate()).count()


def _new_on_worklist(user: AnyUser) -> int:
    from himaya.cases.selectors import worklist_cases

    return worklist_cases(user).filter(new_until__gte=timezone.localdate()).count()


def _care_plans_to_decide(user: AnyUser) -> int:
    from himaya.cases.selectors import pending_approvals

    return int(pending_approvals(user)["care_plans"].exclude(author_id=user.pk).count())


def _transfers_to_decide(user: AnyUser) -> int:
    from himaya.cases.selectors import incoming_transfers

    return int(incoming_transfers(user).count())


def _closures_to_decide(user: AnyUser) -> int:
    from himaya.cases.selectors import pending_approvals

    return int(pending_approvals(user)["closures"].exclude(requested_by_id=user.pk).count())


register_count(
    CountProvider(
        key="cases.overdue",
        permission="cases.work_cases",
        label=ngettext_lazy(
            "%(count)s of your cases has an overdue action",
            "%(count)s of your cases have an overdue action",
            "count",
        ),
        url_name="cases:queue",
        count=_overdue_on_worklist,
        order=10,
    ),
    CountProvider(
        key="cases.new",
        permission="cases.work_cases",
        label=ngettext_lazy(
            "%(count)s case is new on your worklist this week",
            "%(count)s cases are new on your worklist this week",
            "count",
        ),
        url_name="cases:queue",
        count=_new_on_worklist,
        order=11,
    ),
    CountProvider(
        key="cases.care_plans",
        permission="cases.supervise",
        label=ngettext_lazy(
            "%(count)s care plan awaits your decision",
            "%(count)s care plans await your decision",
            "count",
        ),
        url_name="cases:approvals",
        count=_care_plans_to_decide,
        order=12,
    ),
    CountProvider(
        key="cases.closures",
        permission="cases.supervise",
        label=ngettext_lazy(
            "%(count)s closure request awaits your decision",
            "%(count)s closure requests await your decision",
            "count",
        ),
        url_name="cases:approvals",
        count=_closures_to_decide,
        order=13,
    ),
    CountProvider(
        key="cases.transfers",
        permission="cases.supervise",
        label=ngettext_lazy(
            "%(count)s case transfer awaits your agency's answer",
            "%(count)s case transfers await your agency's answer",
            "count",
        ),
        url_name="cases:transfers",
        count=_transfers_to_decide,
        order=14,
    ),
)


register_event(
    Event(
        code="cases.closure_waiting",
        label=_("The closure of a case waits for your approval"),
        subject=_("Closure of case %(case_code)s waits for approval"),
        body=_(
            "A closure of case %(case_code)s was requested. A supervisor other than the "
            "person who requested it decides on it."
        ),
    ),
)
