from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext_lazy

from himaya.core.counts import CountProvider, register_count
from himaya.core.nav import NavItem, register
from himaya.core.typing import AnyUser

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


def _admissions_waiting(user: AnyUser) -> int:
    """Referrals accepted by the agencies of the user's shelters whose survivor has no
    open stay yet."""
    from himaya.agencies.models import Role
    from himaya.agencies.selectors import agency_ids_for
    from himaya.referrals.models import Referral, Status
    from himaya.shelters.models import Shelter, StayStatus

    shelter_agencies = Shelter.objects.filter(
        agency_id__in=agency_ids_for(user, Role.SHELTER_STAFF)
    ).values("agency_id")
    return (
        Referral.objects.filter(status=Status.ACCEPTED, to_agency_id__in=shelter_agencies)
        .exclude(case__shelter_stays__status=StayStatus.OPEN)
        .count()
    )


register_count(
    CountProvider(
        key="shelters.admissions",
        permission="shelters.manage_stays",
        label=ngettext_lazy(
            "%(count)s accepted referral awaits an admission",
            "%(count)s accepted referrals await an admission",
            "count",
        ),
        url_name="shelters:admit",
        count=_admissions_waiting,
        order=50,
    )
)
