"""Writes of the justice app. Each re-checks permission, scope and state itself, writes
under a lock and a version check, and leaves a line on the case's timeline with its
audit row. The timeline and the audit trail never hold a reference number or a name."""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from himaya.accounts.models import User
from himaya.audit.actions import record_reading
from himaya.cases.models import Case
from himaya.core import bounds
from himaya.core.errors import Forbidden, Invalid
from himaya.core.locking import ConcurrentEditError, save_with_version
from himaya.justice import rules
from himaya.justice.models import (
    Charge,
    ChargeAgainstSurvivor,
    ChargeResult,
    CriminalProceeding,
    Hearing,
    Offence,
    Outcome,
    ProceedingStatus,
    ProtectionMeasure,
    SurvivorRole,
)
from himaya.justice.selectors import may_edit, shared_case_ids
from himaya.timeline.actions import record_on_case
from himaya.timeline.models import EventKind

PURPOSE = "legal"


class JusticeError(Invalid):
    """A rule of the justice app refused the change; ``message`` is shown to the user."""


class JusticeForbidden(Forbidden):
    """The user may read the case's justice record but not change it."""


MONEY_MESSAGES: dict[str, Promise] = {
    "negative": _("%(what)s cannot be negative."),
    "too_large": _("%(what)s is too large."),
    "cents": _("%(what)s has at most two decimal places."),
}


def _refuse(problem: bounds.Message | None, field: str) -> None:
    if problem is not None:
        raise JusticeError(problem, field=field)


def _max_length(model: type[Any], field: str) -> int:
    return int(model._meta.get_field(field).max_length or bounds.MAX_TEXT_LENGTH)


def _require_editor(user: User, case: Case) -> None:
    if not may_edit(user, case):
        raise JusticeForbidden(_("Only the case's team records and changes its justice record."))


def _text(value: str, *, what: Promise, model: type[Any], field: str) -> str:
    value = (value or "").strip()
    _refuse(bounds.text_problem(value, what=what, max_length=_max_length(model, field)), field)
    return value


def _date(value: date | None, *, what: Promise, field: str, required: bool = True) -> None:
    if value is None:
        if required:
            raise JusticeError(_("%(what)s is required.") % {"what": what}, field=field)
        return
    _refuse(bounds.record_date_problem(value, what=what, today=timezone.localdate()), field)


def _money(amount: Decimal | None, *, what: Promise, field: str) -> None:
    problem = rules.money_problem(amount)
    if problem is not None:
        raise JusticeError(MONEY_MESSAGES[problem] % {"what": what}, field=field)


def _choices(values: Iterable[str], allowed: list[str], field: str) -> list[str]:
    picked = set(values)
    if picked - set(allowed):
        raise JusticeError(_("Choose from the list."), field=field)
    return [value for value in allowed if value in picked]


@dataclass(frozen=True)
class ProceedingDetails:
    """What the case's team types about a proceeding (everything but its status)."""

    police_report_ref: str
    prosecution_ref: str
    court: str
    offences: list[str]
    survivor_role: str
    protection_measures: list[str]
    protection_other: str
    reported_on: date
    compensation_claimed: Decimal | None = None
    claimed_on: date | None = None
    compensation_received: Decimal | None = None
    received_on: date | None = None


DETAIL_FIELDS = [
    "police_report_ref",
    "prosecution_ref",
    "court",
    "offences",
    "survivor_role",
    "protection_measures",
    "protection_other",
    "reported_on",
    "compensation_claimed",
    "claimed_on",
    "compensation_received",
    "received_on",
]


def _clean_details(details: ProceedingDetails) -> dict[str, Any]:
    model = CriminalProceeding
    offences = _choices(details.offences, Offence.values, "offences")
    if not offences:
        raise JusticeError(_("Choose at least one offence."), field="offences")
    if details.survivor_role not in SurvivorRole.values:
        raise JusticeError(_("Choose the survivor's role."), field="survivor_role")
    measures = _choices(
        details.protection_measures, ProtectionMeasure.values, "protection_measures"
    )
    other = _text(
        details.protection_other,
        what=_("The other protection measure"),
        model=model,
        field="protection_other",
    )
    if ProtectionMeasure.OTHER in measures and not other:
        raise JusticeError(_("Say which other protection measure."), field="protection_other")
    _date(details.reported_on, what=_("The date of the report"), field="reported_on")
    for amount, on, amount_field, on_field, what in (
        (
            details.compensation_claimed,
            details.claimed_on,
            "compensation_claimed",
            "claimed_on",
            _("The compensation claimed"),
        ),
        (
            details.compensation_received,
            details.received_on,
            "compensation_received",
            "received_on",
            _("The compensation received"),
        ),
    ):
        _money(amount, what=what, field=amount_field)
        if not rules.amount_and_date_agree(amount, on):
            raise JusticeError(
                _("Give both the amount and its date, or neither."),
                field=amount_field if amount is None else on_field,
            )
        _date(on, what=_("The date"), field=on_field, required=False)
    return {
        "police_report_ref": _text(
            details.police_report_ref,
            what=_("The police report reference"),
            model=model,
            field="police_report_ref",
        ),
        "prosecution_ref": _text(
            details.prosecution_ref,
            what=_("The prosecution case reference"),
            model=model,
            field="prosecution_ref",
        ),
        "court": _text(details.court, what=_("The court"), model=model, field="court"),
        "offences": offences,
        "survivor_role": details.survivor_role,
        "protection_measures": measures,
        "protection_other": other if ProtectionMeasure.OTHER in measures else "",
        "reported_on": details.reported_on,
        "compensation_claimed": details.compensation_claimed,
        "claimed_on": details.claimed_on,
        "compensation_received": details.compensation_received,
        "received_on": details.received_on,
    }


def _audit_details(proceeding: CriminalProceeding) -> dict[str, Any]:
    """What the audit row keeps of a proceeding: codes and states, never a reference."""
    return {
        "case": proceeding.case.code,
        "status": proceeding.status,
        "outcome": proceeding.outcome,
        "offences": list(proceeding.offences),
        "survivor_role": proceeding.survivor_role,
        "protection_measures": list(proceeding.protection_measures),
        "compensation_claimed": (
            str(proceeding.compensation_claimed)
            if proceeding.compensation_claimed is not None
            else None
        ),
        "compensation_received": (
            str(proceeding.compensation_received)
            if proceeding.compensation_received is not None
            else None
        ),
    }


def _locked_proceeding(proceeding: CriminalProceeding) -> CriminalProceeding:
    return (
        CriminalProceeding.objects.select_for_update(no_key=True)
        .select_related("case", "case__lead_agency")
        .get(pk=proceeding.pk)
    )


@transaction.atomic
def record_proceeding(*, case: Case, details: ProceedingDetails, by: User) -> CriminalProceeding:
    """The case's team records a criminal proceeding the survivor takes part in."""
    case = Case.objects.select_for_update(no_key=True).select_related("lead_agency").get(pk=case.pk)
    _require_editor(by, case)
    fields = _clean_details(details)
    proceeding = CriminalProceeding.objects.create(case=case, recorded_by=by, **fields)
    record_on_case(
        case=case,
        kind=EventKind.PROCEEDING_RECORDED,
        by=by,
        summary=lambda: (
            gettext("Criminal proceeding recorded: %(offences)s")
            % {"offences": "، ".join(proceeding.offence_labels())}
        ),
        obj=proceeding,
        action="justice.proceeding_recorded",
        purpose=PURPOSE,
        details=_audit_details(proceeding),
    )
    return proceeding


@transaction.atomic
def update_proceeding(
    *,
    proceeding: CriminalProceeding,
    details: ProceedingDetails,
    by: User,
    expected_version: int,
) -> CriminalProceeding:
    """The case's team corrects or completes a proceeding (not its status)."""
    proceeding = _locked_proceeding(proceeding)
    _require_editor(by, proceeding.case)
    for name, value in _clean_details(details).items():
        setattr(proceeding, name, value)
    save_with_version(proceeding, expected_version=expected_version, fields=DETAIL_FIELDS)
    record_on_case(
        case=proceeding.case,
        kind=EventKind.PROCEEDING_UPDATED,
        by=by,
        summary=lambda: gettext("Criminal proceeding updated"),
        obj=proceeding,
        action="justice.proceeding_updated",
        purpose=PURPOSE,
        details=_audit_details(proceeding),
    )
    return proceeding


@transaction.atomic
def move_proceeding(
    *,
    proceeding: CriminalProceeding,
    to: str,
    outcome: str,
    by: User,
    expected_version: int,
) -> CriminalProceeding:
    """Move a proceeding along its track (``TRANSITIONS``); closing it needs its outcome."""
    proceeding = _locked_proceeding(proceeding)
    _require_editor(by, proceeding.case)
    if to not in ProceedingStatus.values:
        raise JusticeError(_("Choose the new status."), field="to")
    if outcome not in Outcome.values:
        raise JusticeError(_("Choose the outcome."), field="outcome")
    if proceeding.version != expected_version:
        raise ConcurrentEditError(proceeding)
    if not rules.can_transition(proceeding.status, to):
        raise JusticeError(
            _("A proceeding cannot move from “%(current)s” to “%(target)s”.")
            % {
                "current": proceeding.get_status_display(),
                "target": ProceedingStatus(to).label,
            },
            field="to",
        )
    if rules.closing_needs_outcome(to, outcome):
        raise JusticeError(_("Give the outcome before closing the proceeding."), field="outcome")
    previous = proceeding.status
    proceeding.status = to
    proceeding.outcome = outcome
    save_with_version(proceeding, expected_version=expected_version, fields=["status", "outcome"])
    record_on_case(
        case=proceeding.case,
        kind=EventKind.PROCEEDING_MOVED,
        by=by,
        summary=lambda: (
            gettext("Criminal proceeding: %(status)s (outcome: %(outcome)s)")
            % {
                "status": ProceedingStatus(to).label,
                "outcome": Outcome(outcome).label,
            }
        ),
        obj=proceeding,
        action="justice.proceeding_moved",
        purpose=PURPOSE,
        details={**_audit_details(proceeding), "from": previous},
    )
    return proceeding


@transaction.atomic
def record_hearing(
    *,
    proceeding: CriminalProceeding,
    held_on: date,
    purpose: str,
    by: User,
    court: str = "",
    survivor_attended: bool = False,
    support_provided: str = "",
    note: str = "",
) -> Hearing:
    """The case's team records a court hearing of a proceeding that is not closed."""
    proceeding = _locked_proceeding(proceeding)
    _require_editor(by, proceeding.case)
    if proceeding.status == ProceedingStatus.CLOSED:
        raise JusticeError(_("This proceeding is closed: no hearing can be added."))
    _date(held_on, what=_("The date of the hearing"), field="held_on")
    purpose = _text(purpose, what=_("The purpose"), model=Hearing, field="purpose")
    if not purpose:
        raise JusticeError(_("Say what the hearing was for."), field="purpose")
    hearing = Hearing.objects.create(
        proceeding=proceeding,
        held_on=held_on,
        court=_text(court, what=_("The court"), model=Hearing, field="court") or proceeding.court,
        purpose=purpose,
        survivor_attended=survivor_attended,
        support_provided=_text(
            support_provided,
            what=_("The support provided"),
            model=Hearing,
            field="support_provided",
        ),
        note=_text(note, what=_("The note"), model=Hearing, field="note"),
        recorded_by=by,
    )
    record_on_case(
        case=proceeding.case,
        kind=EventKind.HEARING_RECORDED,
        by=by,
        summary=lambda: gettext("Court hearing on %(day)s") % {"day": held_on.isoformat()},
        obj=hearing,
        action="justice.hearing_recorded",
        purpose=PURPOSE,
        details={
            "case": proceeding.case.code,
            "proceeding": proceeding.code,
            "survivor_attended": survivor_attended,
        },
    )
    return hearing


@dataclass(frozen=True)
class ChargeDetails:
    charge: str
    authority: str
    arising_from_trafficking: bool
    justification: str = ""
    charge_other: str = ""
    drop_requested_on: date | None = None
    drop_requested_to: str = ""
    result: str = ChargeResult.PENDING
    result_on: date | None = None


CHARGE_FIELDS = [
    "charge",
    "charge_other",
    "authority",
    "arising_from_trafficking",
    "justification",
    "drop_requested_on",
    "drop_requested_to",
    "result",
    "result_on",
]


def _clean_charge(details: ChargeDetails) -> dict[str, Any]:
    model = ChargeAgainstSurvivor
    if details.charge not in Charge.values:
        raise JusticeError(_("Choose the charge."), field="charge")
    other = _text(details.charge_other, what=_("The charge"), model=model, field="charge_other")
    if details.charge == Charge.OTHER and not other:
        raise JusticeError(_("Say which charge."), field="charge_other")
    authority = _text(details.authority, what=_("The authority"), model=model, field="authority")
    if not authority:
        raise JusticeError(_("Name the authority that brought the charge."), field="authority")
    justification = _text(
        details.justification, what=_("The justification"), model=model, field="justification"
    )
    if rules.justification_missing(details.arising_from_trafficking, justification):
        raise JusticeError(
            _("Say briefly why the charge arises from being trafficked."), field="justification"
        )
    requested_to = _text(
        details.drop_requested_to,
        what=_("To whom the request went"),
        model=model,
        field="drop_requested_to",
    )
    if not rules.drop_request_complete(details.drop_requested_on, requested_to):
        raise JusticeError(
            _("Give both the date of the request to drop the charge and to whom it went."),
            field="drop_requested_to" if details.drop_requested_on else "drop_requested_on",
        )
    _date(
        details.drop_requested_on,
        what=_("The date of the request"),
        field="drop_requested_on",
        required=False,
    )
    if details.result not in ChargeResult.values:
        raise JusticeError(_("Choose the result."), field="result")
    if rules.charge_result_needs_date(details.result, details.result_on):
        raise JusticeError(_("Give the date of the result."), field="result_on")
    _date(details.result_on, what=_("The date of the result"), field="result_on", required=False)
    return {
        "charge": details.charge,
        "charge_other": other if details.charge == Charge.OTHER else "",
        "authority": authority,
        "arising_from_trafficking": details.arising_from_trafficking,
        "justification": justification,
        "drop_requested_on": details.drop_requested_on,
        "drop_requested_to": requested_to,
        "result": details.result,
        "result_on": details.result_on if details.result != ChargeResult.PENDING else None,
    }


def _charge_audit(charge: ChargeAgainstSurvivor) -> dict[str, Any]:
    return {
        "case": charge.case.code,
        "charge": charge.charge,
        "arising_from_trafficking": charge.arising_from_trafficking,
        "drop_requested": charge.drop_requested_on is not None,
        "result": charge.result,
    }


@transaction.atomic
def record_charge(*, case: Case, details: ChargeDetails, by: User) -> ChargeAgainstSurvivor:
    """The case's team records a charge brought against the survivor."""
    case = Case.objects.select_for_update(no_key=True).select_related("lead_agency").get(pk=case.pk)
    _require_editor(by, case)
    charge = ChargeAgainstSurvivor.objects.create(
        case=case, recorded_by=by, **_clean_charge(details)
    )
    record_on_case(
        case=case,
        kind=EventKind.CHARGE_RECORDED,
        by=by,
        summary=lambda: (
            gettext("Charge against the survivor recorded: %(charge)s")
            % {"charge": Charge(charge.charge).label}
        ),
        obj=charge,
        action="justice.charge_recorded",
        purpose=PURPOSE,
        details=_charge_audit(charge),
    )
    return charge


@transaction.atomic
def update_charge(
    *,
    charge: ChargeAgainstSurvivor,
    details: ChargeDetails,
    by: User,
    expected_version: int,
) -> ChargeAgainstSurvivor:
    """The case's team records the request to drop a charge, its result, or a correction."""
    charge = (
        ChargeAgainstSurvivor.objects.select_for_update(no_key=True)
        .select_related("case", "case__lead_agency")
        .get(pk=charge.pk)
    )
    _require_editor(by, charge.case)
    for name, value in _clean_charge(details).items():
        setattr(charge, name, value)
    save_with_version(charge, expected_version=expected_version, fields=CHARGE_FIELDS)
    record_on_case(
        case=charge.case,
        kind=EventKind.CHARGE_UPDATED,
        by=by,
        summary=lambda: (
            gettext("Charge against the survivor: %(result)s")
            % {"result": ChargeResult(charge.result).label}
        ),
        obj=charge,
        action="justice.charge_updated",
        purpose=PURPOSE,
        details=_charge_audit(charge),
    )
    return charge


def read_references(*, proceeding: CriminalProceeding, by: User) -> dict[str, str]:
    """The police and prosecution references of a proceeding, for a reader who may see it
    (the case's team, or a partner the justice record is shared with); the read is audited
    with purpose "legal". Refused (404-like, by the selectors) for anyone else."""
    case = proceeding.case
    if not may_edit(by, case) and case.pk not in shared_case_ids(by):
        raise JusticeForbidden(_("You may not read this proceeding."))
    record_reading(
        action="justice.references_read",
        actor=by,
        obj=proceeding,
        purpose=PURPOSE,
        details={"case": case.code},
    )
    return {
        "police_report_ref": proceeding.police_report_ref,
        "prosecution_ref": proceeding.prosecution_ref,
    }
