from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EmpowermentConfig(AppConfig):
    name = "himaya.empowerment"
    label = "empowerment"
    verbose_name = _("Empowerment")

    def ready(self) -> None:
        from himaya.cases.panels import CasePanel, register_panel
        from himaya.empowerment import nav, permissions  # noqa: F401

        register_panel(
            CasePanel(
                key="empowerment",
                label=_("Economic empowerment"),
                url_name="empowerment:case_panel",
                permission="cases.work_cases",
                order=60,
            )
        )
