from django.utils.translation import gettext_lazy as _

from himaya.core.nav import NavItem, register

register(
    NavItem(key="home", label=_("Home"), url_name="home", permission="core.use_himaya", order=0)
)
