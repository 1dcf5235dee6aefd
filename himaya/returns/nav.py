from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext_lazy

from himaya.core.counts import CountProvider, register_count
from himaya.core.nav import NavItem, register
from himaya.core.typing import AnyUser

register(
    NavItem(
        key="returns",
        label=_("Returns"),
        url_name="returns:list",
        permission="cases.supervise",
        description=_(
            "Returns in progress, reflection periods ending soon and follow-ups overdue."
        ),
        order=320,
    ),
)


def _reflections_ending(user: AnyUser) -> int:
    from himaya.returns.selectors import reflections_ending_soon_for

    return reflections_ending_soon_for(user, timezone.localdate()).count()


register_count(
    CountProvider(
        key="returns.reflection_ending",
        permission="cases.work_cases",
        label=ngettext_lazy(
            "%(count)s reflection period ends soon",
            "%(count)s reflection periods end soon",
            "count",
        ),
        url_name="returns:list",
        count=_reflections_ending,
        order=65,
    )
)
