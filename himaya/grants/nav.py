from django.utils.translation import gettext_lazy as _

from himaya.core.nav import NavItem, register

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
