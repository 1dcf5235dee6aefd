"""Writes of the case timeline: a line alone, or a line and its audit row together."""

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from django.db import models, transaction
from django.utils import timezone, translation

from himaya.audit.actions import record_event
from himaya.timeline.models import CaseEvent, EventKind

if TYPE_CHECKING:
    from himaya.accounts.models import User
    from himaya.cases.models import Case

Summary = str | Callable[[], str]


def in_both_languages(summary: Summary) -> tuple[str, str]:
    """The summary written in Arabic and in English (a plain string is kept as it is)."""
    if not callable(summary):
        return str(summary)[:500], str(summary)[:500]
    with translation.override("ar"):
        arabic = str(summary())
    with translation.override("en"):
        english = str(summary())
    return arabic[:500], english[:500]


def _write_case_event(
    case: "Case", kind: EventKind, by: "User | None", texts: tuple[str, str], object_code: str
) -> CaseEvent:
    arabic, english = texts
    return CaseEvent.objects.create(
        case=case,
        occurred_at=timezone.now(),
        kind=kind.value,
        summary=arabic,
        summary_en=english,
        actor=by if getattr(by, "is_authenticated", False) else None,
        object_code=object_code,
    )


def record_case_event(
    *,
    case: "Case",
    kind: EventKind | str,
    by: "User | None" = None,
    summary: Summary = "",
    object_code: str = "",
) -> CaseEvent:
    """Append a line to the case's timeline (one row: no transaction of its own).

    Pass ``summary`` as a function that builds the text (``lambda: _("…") % {…}``): it is
    written once in each language, so that everyone reads the timeline in their own.
    ``kind`` must be one of ``EventKind``.
    """
    kind = EventKind(kind)
    return _write_case_event(case, kind, by, in_both_languages(summary), object_code)


def record_on_case(
    *,
    case: "Case",
    kind: EventKind | str,
    by: "User | None",
    summary: Summary = "",
    obj: models.Model | None = None,
    action: str = "",
    details: dict[str, Any] | None = None,
    purpose: str = "",
) -> CaseEvent:
    """The timeline line of an event and its audit row, written together.

    The audit row names ``obj`` (the case when none is given) by its code, under
    ``action`` (the event's kind when none is given); ``details`` hold no personal data.
    What may be refused (the kind, the texts) is checked before anything is written; the
    two rows are then a part of the caller's transaction, without a savepoint of their own.
    """
    kind = EventKind(kind)
    subject = obj if obj is not None else case
    texts = in_both_languages(summary)
    object_code = str(getattr(subject, "code", "")) if obj is not None else ""
    with transaction.atomic(savepoint=False):
        entry = _write_case_event(case, kind, by, texts, object_code)
        record_event(
            action=action or kind.value, actor=by, obj=subject, details=details, purpose=purpose
        )
    return entry
