"""Writes of the cases app. Every write with a rule goes through a function here."""

from typing import Any

from django.db import transaction
from django.utils import timezone

from himaya.cases.models import Case, CaseEvent


@transaction.atomic
def record_case_event(
    *, case: Case, kind: str, by: Any = None, summary: str = "", object_code: str = ""
) -> CaseEvent:
    """Append a line to the case's timeline (other apps call this for their own events)."""
    return CaseEvent.objects.create(
        case=case,
        occurred_at=timezone.now(),
        kind=kind,
        summary=summary[:500],
        actor=by if getattr(by, "is_authenticated", False) else None,
        object_code=object_code,
    )
