"""Pure rules of referrals: states, deadlines, consent purpose and what is shared."""

from collections.abc import Iterable, Mapping
from datetime import datetime, timedelta

SENT = "sent"
ACCEPTED = "accepted"
DECLINED = "declined"
COMPLETED = "completed"
CANCELLED = "cancelled"

TRANSITIONS: dict[str, frozenset[str]] = {
    SENT: frozenset({ACCEPTED, DECLINED, CANCELLED}),
    ACCEPTED: frozenset({COMPLETED, CANCELLED}),
    DECLINED: frozenset(),
    COMPLETED: frozenset(),
    CANCELLED: frozenset(),
}
OPEN_STATUSES = frozenset({SENT, ACCEPTED})

# What the receiving agency does (accept, decline, complete) and what the sender does.
RECEIVER_STATUSES = frozenset({ACCEPTED, DECLINED, COMPLETED})
SENDER_STATUSES = frozenset({CANCELLED})

FIRST_NAME = "first_name"
FULL_NAME = "full_name"
SEX = "sex"
AGE = "age"
NATIONALITY = "nationality"
LANGUAGES = "languages"
PHONE = "phone"
DISABILITY = "disability"
MEDICAL_NEEDS = "medical_needs"
SAFETY_NOTE = "safety_note"
SHAREABLE = (
    FIRST_NAME,
    FULL_NAME,
    SEX,
    AGE,
    NATIONALITY,
    LANGUAGES,
    PHONE,
    DISABILITY,
    MEDICAL_NEEDS,
    SAFETY_NOTE,
)

EMBASSY_KIND = "embassy"


def can_transition(current: str, target: str) -> bool:
    return target in TRANSITIONS.get(current, frozenset())


def response_deadline(sent_at: datetime, hours: int) -> datetime:
    if hours <= 0:
        raise ValueError("the response time must be at least one hour")
    return sent_at + timedelta(hours=hours)


def is_overdue(*, status: str, respond_by: datetime, now: datetime) -> bool:
    """A referral is overdue while nobody has answered it and its deadline has passed."""
    return status == SENT and now > respond_by


def consent_purpose_for(agency_kind: str) -> str:
    """Sharing with an embassy needs the embassy consent; anything else the referral one."""
    return "embassy" if agency_kind == EMBASSY_KIND else "referral"


def clean_shared_fields(fields: Iterable[str]) -> list[str]:
    """The picked fields in the fixed order, without repeats; unknown names are refused."""
    picked = set(fields)
    unknown = picked.difference(SHAREABLE)
    if unknown:
        raise ValueError(f"not shareable: {sorted(unknown)}")
    return [name for name in SHAREABLE if name in picked]


def shows_shared_fields(*, is_open: bool, consent_stands: bool, overridden: bool) -> bool:
    """The partner sees the shared fields only while the referral is open and its basis
    for sharing stands (the consent still on file, or a supervisor's override)."""
    return is_open and (consent_stands or overridden)


def first_name(full_name: str) -> str:
    parts = full_name.split()
    return parts[0] if parts else ""


def age_in(birth_year: int | None, year: int) -> int | None:
    if birth_year is None or birth_year > year:
        return None
    return year - birth_year


def shared_values(fields: Iterable[str], source: Mapping[str, str]) -> list[tuple[str, str]]:
    """(field, value) pairs for exactly the picked fields, from a mapping of every
    shareable field to its display value."""
    return [(name, source.get(name, "")) for name in clean_shared_fields(fields)]
