from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class JusticeConfig(AppConfig):
    name = "himaya.justice"
    label = "justice"
    verbose_name = _("Justice")

    def ready(self) -> None:
        from himaya.audit.labels import register_actions
        from himaya.cases.panels import CasePanel, register_panel

        register_panel(
            CasePanel(
                key="justice",
                label=_("Justice and non-punishment"),
                url_name="justice:case_panel",
                permission="cases.work_cases",
                order=70,
            )
        )
        register_actions(
            {
                "justice.references_read": pgettext_lazy(
                    "audit trail", "Police and prosecution references read"
                ),
            }
        )
