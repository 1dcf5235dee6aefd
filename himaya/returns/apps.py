from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReturnsConfig(AppConfig):
    name = "himaya.returns"
    label = "returns"
    verbose_name = _("Return and reintegration")

    def ready(self) -> None:
        from himaya.cases.panels import (
            CasePanel,
            QueueSection,
            register_panel,
            register_queue_section,
        )
        from himaya.returns import nav  # noqa: F401

        register_panel(
            CasePanel(
                key="returns",
                label=_("Reflection period and return"),
                url_name="returns:case_panel",
                permission="cases.work_cases",
                order=70,
            )
        )
        register_queue_section(
            QueueSection(
                key="returns",
                label=_("Reflection periods and returns"),
                url_name="returns:queue_section",
                permission="cases.work_cases",
                order=70,
            )
        )
