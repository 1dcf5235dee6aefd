from django.utils.translation import gettext_lazy as _

from himaya.core.nav import NavItem, register

register(
    NavItem(
        key="audit",
        label=_("Audit trail"),
        url_name="audit:events",
        permission="audit.view_trail",
        description=_("Browse who did what, to which record, when and from where."),
        order=900,
    )
)
