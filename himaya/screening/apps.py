from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ScreeningConfig(AppConfig):
    name = "himaya.screening"
    label = "screening"
    verbose_name = _("Screening")

    def ready(self) -> None:
        from himaya.cases.proposals import register_screening_outcome
        from himaya.screening import nav  # noqa: F401

        register_screening_outcome(_outcome_of_screening)


def _outcome_of_screening(code: str) -> str | None:
    """The outcome of the screening with this code, in the reader's language."""
    from himaya.screening.models import Screening

    screening = Screening.objects.filter(code=code).only("outcome").first()
    return str(screening.get_outcome_display()) if screening is not None else None
