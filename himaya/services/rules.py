"""Pure rules of services: delivery transitions and small-group suppression of feedback."""

from datetime import date, timedelta

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from himaya.core.languages import LANGUAGES
from himaya.services.models import TRANSITIONS, InterpreterProvider, InterpreterSex

# Aggregates of survivor feedback hide groups smaller than this, so that no rating can be
# traced back to one person.
MIN_GROUP_SIZE = 3


def delivery_can_move(from_status: str, to_status: str) -> bool:
    return to_status in TRANSITIONS.get(from_status, frozenset())


def interpreter_problems(
    *, needed: bool, language: str, provided_by: str, sex: str, delivered: bool
) -> dict[str, Promise]:
    """Why the interpretation recorded on a delivery is refused, per field (empty when
    it holds): nothing is recorded unless an interpreter was needed; the language is one
    of the known ones; once delivered, who interpreted (or that nobody could) is said."""
    problems: dict[str, Promise] = {}
    if not needed:
        if language or provided_by or sex:
            problems["interpreter_needed"] = _("Record an interpreter only when one was needed.")
        return problems
    if language not in {code for code, _label in LANGUAGES}:
        problems["interpreter_language"] = _("Choose the language to interpret.")
    if provided_by and provided_by not in InterpreterProvider.values:
        problems["interpreter_provided_by"] = _("Choose who provided the interpreter.")
    if delivered and not provided_by:
        problems["interpreter_provided_by"] = _(
            "Say who interpreted, or that no interpreter was available."
        )
    if sex and (sex not in InterpreterSex.values or provided_by == "none_available"):
        problems["interpreter_sex"] = _(
            "The interpreter's sex is recorded only for an interpreter."
        )
    return problems


def is_reportable(count: int, *, minimum: int = MIN_GROUP_SIZE) -> bool:
    """Whether a group of ratings is large enough to be shown."""
    return count >= minimum


def week_bounds(today: date) -> tuple[date, date]:
    """Monday and Sunday of the week of ``today``."""
    monday = today - timedelta(days=today.weekday())
    return monday, monday + timedelta(days=6)
