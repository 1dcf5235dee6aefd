from django.utils.translation import gettext_lazy as _

from himaya.core.nav import NavItem, register

register(
    NavItem(
        key="shelters-find-bed",
        label=_("Find a bed"),
        url_name="shelters:find_bed",
        permission="shelters.find_bed",
        description=_("Free eligible beds tonight across the shelters, nearest first."),
        order=400,
    ),
    NavItem(
        key="shelters",
        label=_("Shelters"),
        url_name="shelters:list",
        permission="shelters.find_bed",
        description=_("Shelters, their units, beds and occupancy."),
        order=410,
    ),
)
