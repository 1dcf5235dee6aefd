from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext_lazy

from himaya.core.counts import CountProvider, register_count
from himaya.core.nav import NavItem, register
from himaya.core.typing import AnyUser

register(
    NavItem(
        key="grants",
        label=_("Grants"),
        url_name="grants:list",
        permission="grants.view_grants",
        description=_("Ministry grants to NGOs: tranches and reports"),
        order=70,
    ),
    NavItem(
        key="grants_statement",
        label=_("Grant statement"),
        url_name="grants:statement",
        permission="grants.manage_grants",
        description=_("Tranches due and released, and reports, per period"),
        order=71,
    ),
)


def _reports_to_review(user: AnyUser) -> int:
    from himaya.grants.models import GrantReport, ReportStatus

    return GrantReport.objects.filter(status=ReportStatus.SUBMITTED).count()


register_count(
    CountProvider(
        key="grants.reports",
        permission="grants.manage_grants",
        label=ngettext_lazy(
            "%(count)s grant report awaits your review",
            "%(count)s grant reports await your review",
            "count",
        ),
        url_name="grants:list",
        count=_reports_to_review,
        order=70,
    )
)
