"""Pure rules of the justice track: the states of a proceeding, money, charges, and who
outside the case's team may read the justice record."""

from collections.abc import Iterable
from decimal import Decimal

REPORTED = "reported"
UNDER_INVESTIGATION = "under_investigation"
PROSECUTED = "prosecuted"
TRIED = "tried"
CLOSED = "closed"

# A proceeding moves forward one step at a time, and may close at any stage (a complaint
# shelved, a case dismissed or withdrawn). A closed proceeding stays closed.
TRANSITIONS: dict[str, frozenset[str]] = {
    REPORTED: frozenset({UNDER_INVESTIGATION, CLOSED}),
    UNDER_INVESTIGATION: frozenset({PROSECUTED, CLOSED}),
    PROSECUTED: frozenset({TRIED, CLOSED}),
    TRIED: frozenset({CLOSED}),
    CLOSED: frozenset(),
}

PENDING = "pending"

# Results of a request not to punish the survivor for an offence committed as a direct
# consequence of being trafficked.
RESULT_PENDING = "pending"
RESULT_REFUSED = "refused"
RESULT_CONVICTED = "convicted"

JUSTICE = "justice"  # the referral's shared field that opens the justice record
ACCEPTED = "accepted"  # the referral status in which it is open to the partner
EMBASSY_KIND = "embassy"

CENT = Decimal("0.01")
MAX_AMOUNT = Decimal("9999999999.99")  # what a 12-digit, 2-place column holds


def can_transition(current: str, target: str) -> bool:
    return target in TRANSITIONS.get(current, frozenset())


def allowed_targets(current: str) -> list[str]:
    """The statuses a proceeding may move to, in the order of the track."""
    order = [REPORTED, UNDER_INVESTIGATION, PROSECUTED, TRIED, CLOSED]
    return [status for status in order if can_transition(current, status)]


def closing_needs_outcome(target: str, outcome: str) -> bool:
    """A proceeding closes only with its outcome known (not "pending")."""
    return target == CLOSED and outcome in ("", PENDING)


def money_problem(amount: Decimal | None) -> str | None:
    """Why an amount of money is refused: ``negative``, ``too_large`` or ``cents`` (more than
    two decimal places); ``None`` when it is acceptable or absent. A court may award more
    than was claimed, so received and claimed are not compared."""
    if amount is None:
        return None
    if not amount.is_finite():
        return "too_large"
    if amount < 0:
        return "negative"
    if amount > MAX_AMOUNT:
        return "too_large"
    if amount != amount.quantize(CENT):
        return "cents"
    return None


def amount_and_date_agree(amount: Decimal | None, on: object | None) -> bool:
    """An amount of compensation goes with its date, and a date with its amount."""
    return (amount is None) == (on is None)


def charge_result_needs_date(result: str, result_on: object | None) -> bool:
    """A charge's result other than "pending" needs the date it was reached."""
    return result != RESULT_PENDING and result_on is None


def drop_request_complete(requested_on: object | None, requested_to: str) -> bool:
    """A request to drop a charge names both its date and to whom it went, or neither."""
    return (requested_on is None) == (not requested_to.strip())


def justification_missing(arising_from_trafficking: bool, justification: str) -> bool:
    """A charge said to arise from being trafficked carries a short justification."""
    return arising_from_trafficking and not justification.strip()


def partner_sees_justice(
    *,
    agency_kind: str,
    referral_status: str,
    shared_fields: Iterable[str],
    sharing_allowed: bool,
) -> bool:
    """Whether a receiving agency reads a case's justice record through one referral:
    never an embassy; otherwise only while the referral is accepted, shares "justice",
    and its basis for sharing (the survivor's consent) stands."""
    if agency_kind == EMBASSY_KIND:
        return False
    return referral_status == ACCEPTED and JUSTICE in set(shared_fields) and sharing_allowed
