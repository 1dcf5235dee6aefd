from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EmpowermentConfig(AppConfig):
    name = "himaya.empowerment"
    label = "empowerment"
    verbose_name = _("Empowerment")

    def ready(self) -> None:
        from himaya.cases.panels import (
            CasePanel,
            QueueSection,
            register_panel,
            register_queue_section,
        )
        from himaya.empowerment import nav  # noqa: F401

        register_panel(
            CasePanel(
                key="empowerment",
                label=_("Economic empowerment"),
                url_name="empowerment:case_panel",
                permission="cases.work_cases",
                order=60,
            )
        )
        register_queue_section(
            QueueSection(
                key="empowerment",
                label=_("Programme decisions"),
                url_name="empowerment:queue_section",
                permission="cases.work_cases",
                order=60,
            )
        )
