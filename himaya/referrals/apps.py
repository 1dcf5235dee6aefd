from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReferralsConfig(AppConfig):
    name = "himaya.referrals"
    label = "referrals"
    verbose_name = _("Referrals")

    def ready(self) -> None:
        from himaya.cases import panels
        from himaya.referrals import nav  # noqa: F401

        panels.register_panel(
            panels.CasePanel(
                key="referrals",
                label=_("Referrals"),
                url_name="referrals:case_panel",
                permission="cases.work_cases",
                order=30,
            )
        )
        panels.register_queue_section(
            panels.QueueSection(
                key="overdue_referrals",
                label=_("Overdue referrals"),
                url_name="referrals:queue_overdue",
                permission="cases.work_cases",
                order=40,
            )
        )
