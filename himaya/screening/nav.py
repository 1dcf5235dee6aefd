from django.utils.translation import gettext_lazy as _

from himaya.cases.panels import CasePanel, register_panel
from himaya.core.nav import NavItem, register

register(
    NavItem(
        key="screening",
        label=_("Screenings"),
        url_name="screening:list",
        permission="survivors.register",
        description=_(
            "Screen survivors against the ILO/EC trafficking indicators and see the outcome."
        ),
        order=220,
    )
)
register_panel(
    CasePanel(
        key="screening",
        label=_("Screenings"),
        url_name="screening:case_panel",
        permission="survivors.register",
        order=20,
    )
)
