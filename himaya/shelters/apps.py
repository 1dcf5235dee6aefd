from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SheltersConfig(AppConfig):
    name = "himaya.shelters"
    label = "shelters"
    verbose_name = _("Shelters")

    def ready(self) -> None:
        from himaya.cases.panels import CasePanel, register_panel
        from himaya.shelters import nav  # noqa: F401

        register_panel(
            CasePanel(
                key="shelter",
                label=_("Shelter"),
                url_name="shelters:case_panel",
                permission="cases.work_cases",
                order=40,
            )
        )
