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
# The case's justice record (criminal proceedings, hearings, charges against the survivor):
# the partner reads it on the justice pages while the referral is accepted.
JUSTICE = "justice"
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
    JUSTICE,
)

EMBASSY_KIND = "embassy"
# What an embassy never receives, whatever the consent.
NEVER_TO_EMBASSY = frozenset({JUSTICE})


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


# Why an embassy may not receive a survivor's referral (codes kept in the audit trail).
EMBASSY_NO_COUNTRY = "embassy_without_country"
EMBASSY_OTHER_COUNTRY = "embassy_of_another_country"
EMBASSY_NO_CONSENT = "embassy_consent_missing"
EMBASSY_PROTECTED = "embassy_survivor_protected"


def is_embassy(agency_kind: str) -> bool:
    return agency_kind == EMBASSY_KIND


def refused_to_embassy(fields: Iterable[str]) -> list[str]:
    """The picked fields that an embassy never receives (the justice record)."""
    return [name for name in fields if name in NEVER_TO_EMBASSY]


def embassy_refusal(
    *,
    embassy_country: str,
    survivor_nationality: str,
    consent_for_this_embassy: bool,
    survivor_protected: bool,
) -> str | None:
    """Why a survivor's referral, and so any identifying data, may not go to an embassy,
    or ``None`` when it may.

    An embassy receives something only when it represents the survivor's own country
    (an embassy with no country receives nothing) and the survivor's own consent for
    purpose "embassy", naming that very embassy, stands. No override of any kind: a
    person who fled their state may be in danger from its representatives.

    A survivor under international protection (``survivor_protected``: an asylum seeker,
    a refugee, or registered with UNHCR; ``survivors.rules.is_under_international_protection``)
    is never disclosed to any embassy, whatever the consent: that refusal comes first.
    """
    if survivor_protected:
        return EMBASSY_PROTECTED
    country = embassy_country.strip().upper()
    if not country:
        return EMBASSY_NO_COUNTRY
    if country != survivor_nationality.strip().upper():
        return EMBASSY_OTHER_COUNTRY
    if not consent_for_this_embassy:
        return EMBASSY_NO_CONSENT
    return None


def shows_shared_fields(
    *,
    is_open: bool,
    to_embassy: bool,
    consent_stands: bool,
    overridden: bool,
    embassy_refusal: str | None,
) -> bool:
    """The partner sees the shared fields only while the referral is open and its basis
    for sharing stands: for an embassy, the embassy rule (``embassy_refusal`` is
    ``None``), whatever the referral was sent on; for any other agency, the consent still
    on file or a supervisor's override."""
    if not is_open:
        return False
    if to_embassy:
        return embassy_refusal is None
    return consent_stands or overridden


def first_name(full_name: str | None) -> str:
    """The first word of a name (a partner or a shelter's staff may see no more)."""
    parts = (full_name or "").split()
    return parts[0] if parts else ""


def shared_values(fields: Iterable[str], source: Mapping[str, str]) -> list[tuple[str, str]]:
    """(field, value) pairs for exactly the picked fields, from a mapping of every
    shareable field to its display value."""
    return [(name, source.get(name, "")) for name in clean_shared_fields(fields)]
