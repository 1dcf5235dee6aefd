from django.utils.translation import gettext_lazy as _

from himaya.core.nav import NavItem, register

register(
    NavItem(
        key="empowerment_queue",
        label=_("Empowerment work"),
        url_name="empowerment:queue",
        permission="empowerment.manage_enrolments",
        description=_("Referrals awaiting your decision and overdue follow-up visits."),
        order=60,
    ),
    NavItem(
        key="empowerment_enrolments",
        label=_("Enrolments"),
        url_name="empowerment:enrolments",
        permission="empowerment.manage_enrolments",
        description=_("Survivors enrolled in the programmes your agency manages."),
        order=61,
    ),
    NavItem(
        key="empowerment_programmes",
        label=_("Empowerment programmes"),
        url_name="empowerment:programmes",
        permission="cases.work_cases",
        description=_("Programmes survivors can be referred to, and who may join them."),
        order=62,
    ),
    NavItem(
        key="empowerment_outcomes",
        label=_("Empowerment outcomes"),
        url_name="empowerment:outcomes",
        permission="empowerment.view_outcomes",
        description=_("Projects still running, income change and training completion."),
        order=63,
    ),
)
