from django.utils.translation import gettext_lazy as _

from himaya.core.nav import NavItem, register

register(
    NavItem(
        key="survivors",
        label=_("Survivors"),
        url_name="survivors:list",
        permission="survivors.register",
        description=_("Find a survivor by code, exact name or document number, or register one."),
        order=20,
    )
)

register(
    NavItem(
        key="possible_duplicates",
        label=_("Possible duplicates"),
        url_name="survivors:reviews",
        permission="survivors.review_duplicates",
        description=_(
            "Review registrations of your agency that may be the same person as another survivor."
        ),
        order=21,
    )
)
