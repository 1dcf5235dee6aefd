"""Writes of the survivors app. Every write with a rule goes through a function here.

Each action re-checks the capability and the scope itself, writes the audit trail
(records named by their public code, never by a name) and, where the survivor has
cases, the case timeline.
"""

import datetime
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from himaya.agencies.models import Agency, Role
from himaya.agencies.selectors import agency_ids_for
from himaya.audit.actions import record_event
from himaya.cases.actions import record_case_event
from himaya.cases.models import Case
from himaya.core.locking import save_with_version
from himaya.core.typing import AnyUser
from himaya.survivors import rules
from himaya.survivors.indexes import document_index, name_index
from himaya.survivors.models import Consent, ConsentPurpose, Survivor, SurvivorDocument
from himaya.survivors.selectors import possible_duplicates, survivors_visible_to

IDENTITY_FIELDS = (
    "name_ar",
    "name_latin",
    "aliases",
    "date_of_birth",
    "phone",
    "address",
    "family_contact",
)
CLEAR_FIELDS = (
    "sex",
    "birth_year",
    "age_is_estimated",
    "nationality",
    "governorate_of_origin",
    "languages",
    "has_disability",
)


class RevealPurpose:
    """Why someone reads a survivor's identity; recorded with each reading."""

    CARE = "care"
    REFERRAL = "referral"
    LEGAL = "legal"
    SAFETY = "safety"
    CORRECTION = "correction"

    choices: list[tuple[str, Promise]] = [
        (CARE, _("Care and case management")),
        (REFERRAL, _("Referral to another agency")),
        (LEGAL, _("Legal proceedings")),
        (SAFETY, _("Safety of the survivor")),
    ]
    values = frozenset(value for value, _label in choices)


class SurvivorError(Exception):
    """A domain rule refused the action; ``message`` is shown to the user."""

    def __init__(self, message: str | Promise) -> None:
        super().__init__(str(message))
        self.message = message


class SurvivorNotFound(SurvivorError):
    def __init__(self) -> None:
        super().__init__(_("No such survivor."))


class DuplicateSuspected(SurvivorError):
    """Registration matched existing survivors; ``visible_codes`` are those the user may see."""

    def __init__(self, *, visible_codes: list[str], hidden_count: int) -> None:
        super().__init__(
            _(
                "A survivor with the same name and year of birth, or the same document "
                "number, is already registered. Check before registering again."
            )
        )
        self.visible_codes = visible_codes
        self.hidden_count = hidden_count


def _require(user: AnyUser, permission: str) -> None:
    if not user.is_authenticated or not user.has_perm(permission):
        raise SurvivorError(_("You are not allowed to do this."))


def _require_in_scope(user: AnyUser, survivor: Survivor) -> None:
    if not survivors_visible_to(user).filter(pk=survivor.pk).exists():
        raise SurvivorNotFound


def _refresh_indexes(survivor: Survivor) -> None:
    survivor.name_ar_index = name_index(survivor.name_ar or "")
    survivor.name_latin_index = name_index(survivor.name_latin or "")


@dataclass(frozen=True)
class DocumentInput:
    kind: str
    number: str
    issuing_country: str = ""


@transaction.atomic
def register_survivor(
    *,
    by: Any,
    agency: Agency,
    identity: dict[str, str],
    clear: dict[str, Any],
    documents: list[DocumentInput] | None = None,
    confirm_duplicate: bool = False,
    request: HttpRequest | None = None,
) -> Survivor:
    """Register a survivor for ``agency`` (where ``by`` is a case worker or supervisor).

    Raises ``DuplicateSuspected`` when the name and year of birth, or a document number,
    match an existing survivor, unless ``confirm_duplicate`` is given; the confirmation
    is written to the audit trail.
    """
    _require(by, "survivors.register")
    if agency.pk not in agency_ids_for(by, Role.CASE_WORKER, Role.SUPERVISOR):
        raise SurvivorError(_("You can register survivors only for your own agency."))
    documents = [doc for doc in (documents or []) if doc.number.strip()]
    survivor = Survivor(registered_by_agency=agency, registered_by=by)
    for name in IDENTITY_FIELDS:
        setattr(survivor, name, (identity.get(name) or "").strip())
    for name in CLEAR_FIELDS:
        if name in clear:
            setattr(survivor, name, clear[name])
    _refresh_indexes(survivor)
    document_indexes = {document_index(doc.number) for doc in documents}
    duplicates = possible_duplicates(
        name_indexes={survivor.name_ar_index, survivor.name_latin_index},
        birth_year=survivor.birth_year,
        document_indexes=document_indexes,
    )
    if duplicates and not confirm_duplicate:
        visible = set(
            survivors_visible_to(by)
            .filter(pk__in=[s.pk for s in duplicates])
            .values_list("pk", flat=True)
        )
        raise DuplicateSuspected(
            visible_codes=[s.code for s in duplicates if s.pk in visible],
            hidden_count=sum(1 for s in duplicates if s.pk not in visible),
        )
    survivor.save()
    for doc in documents:
        SurvivorDocument.objects.create(
            survivor=survivor,
            kind=doc.kind,
            number=doc.number.strip(),
            number_index=document_index(doc.number),
            issuing_country=doc.issuing_country,
            recorded_by=by,
        )
    details: dict[str, Any] = {"agency": agency.code, "documents": len(documents)}
    if duplicates:
        details["registered_despite_duplicates"] = [s.code for s in duplicates]
    record_event(
        action="survivor.registered", actor=by, obj=survivor, request=request, details=details
    )
    return survivor


@transaction.atomic
def update_identity(
    *,
    survivor: Survivor,
    by: Any,
    expected_version: int,
    identity: dict[str, str],
    clear: dict[str, Any],
    request: HttpRequest | None = None,
) -> Survivor:
    """Change identity and clear data; a stale ``expected_version`` changes nothing."""
    _require(by, "survivors.register")
    _require_in_scope(by, survivor)
    changed: list[str] = []
    for name in IDENTITY_FIELDS:
        if name in identity:
            value = (identity[name] or "").strip()
            if value != getattr(survivor, name):
                changed.append(name)
            setattr(survivor, name, value)
    for name in CLEAR_FIELDS:
        if name in clear:
            if clear[name] != getattr(survivor, name):
                changed.append(name)
            setattr(survivor, name, clear[name])
    _refresh_indexes(survivor)
    fields = [*IDENTITY_FIELDS, *CLEAR_FIELDS, "name_ar_index", "name_latin_index"]
    save_with_version(survivor, expected_version=expected_version, fields=fields)
    # Field names only: the values are personal data and stay out of the trail.
    record_event(
        action="survivor.identity_updated",
        actor=by,
        obj=survivor,
        request=request,
        details={"fields": sorted(changed)},
    )
    return survivor


@transaction.atomic
def add_document(
    *,
    survivor: Survivor,
    by: Any,
    kind: str,
    number: str,
    issuing_country: str = "",
    request: HttpRequest | None = None,
) -> SurvivorDocument:
    _require(by, "survivors.register")
    _require_in_scope(by, survivor)
    if not rules.compact_document_number(number):
        raise SurvivorError(_("Enter the document number."))
    document = SurvivorDocument.objects.create(
        survivor=survivor,
        kind=kind,
        number=number.strip(),
        number_index=document_index(number),
        issuing_country=issuing_country,
        recorded_by=by,
    )
    record_event(
        action="survivor.document_added",
        actor=by,
        obj=survivor,
        request=request,
        details={"kind": kind, "document": document.pk},
    )
    return document


@transaction.atomic
def reveal_identity(
    *, survivor: Survivor, by: Any, purpose: str, request: HttpRequest | None = None
) -> Survivor:
    """Record one reading of the survivor's identity, with its purpose, and allow it."""
    if purpose not in RevealPurpose.values and purpose != RevealPurpose.CORRECTION:
        raise SurvivorError(_("Choose why you need to see the identity."))
    _require(by, "survivors.view_identity")
    _require_in_scope(by, survivor)
    record_event(
        action="survivor.identity_viewed",
        actor=by,
        obj=survivor,
        purpose=purpose,
        request=request,
    )
    return survivor


def _cases_of(survivor: Survivor) -> list[Case]:
    return list(Case.objects.filter(survivor=survivor).order_by("created_at", "id"))


@transaction.atomic
def record_consent(
    *,
    survivor: Survivor,
    by: Any,
    purpose: str,
    recipient: Agency | None = None,
    given_on: datetime.date | None = None,
    note: str = "",
    request: HttpRequest | None = None,
) -> Consent:
    """Record the survivor's consent for one purpose (and one recipient where it applies)."""
    _require(by, "survivors.record_consent")
    _require_in_scope(by, survivor)
    if purpose not in ConsentPurpose.values:
        raise SurvivorError(_("Choose the purpose of the consent."))
    problem = rules.consent_recipient_problem(
        purpose=purpose, recipient_kind=recipient.kind if recipient is not None else None
    )
    if problem == "recipient_required":
        raise SurvivorError(_("Name the agency that will receive the data."))
    if problem == "recipient_not_embassy":
        raise SurvivorError(_("Sharing with an embassy needs an embassy as recipient."))
    today = timezone.localdate()
    given_on = given_on or today
    if given_on > today:
        raise SurvivorError(_("A consent cannot be given in the future."))
    standing = Consent.objects.select_for_update().filter(
        survivor=survivor, purpose=purpose, recipient=recipient, withdrawn_on__isnull=True
    )
    if standing.exists():
        raise SurvivorError(_("A consent for this purpose and this recipient is already on file."))
    consent = Consent.objects.create(
        survivor=survivor,
        purpose=purpose,
        recipient=recipient,
        given_on=given_on,
        recorded_by=by,
        note=note.strip(),
    )
    record_event(
        action="survivor.consent_recorded",
        actor=by,
        obj=survivor,
        request=request,
        details={
            "consent": consent.pk,
            "purpose": purpose,
            "recipient": recipient.code if recipient is not None else "",
            "given_on": given_on.isoformat(),
        },
    )

    def summary() -> str:
        return gettext("Consent recorded: %(purpose)s") % {"purpose": consent.get_purpose_display()}

    for case in _cases_of(survivor):
        record_case_event(
            case=case,
            kind="survivor.consent_recorded",
            by=by,
            summary=summary,
            object_code=survivor.code,
        )
    return consent


@transaction.atomic
def withdraw_consent(
    *,
    consent: Consent,
    by: Any,
    expected_version: int,
    withdrawn_on: datetime.date | None = None,
    request: HttpRequest | None = None,
) -> Consent:
    """Withdraw a consent from ``withdrawn_on`` (today by default) on."""
    _require(by, "survivors.record_consent")
    survivor = consent.survivor
    _require_in_scope(by, survivor)
    today = timezone.localdate()
    withdrawn_on = withdrawn_on or today
    if withdrawn_on > today:
        raise SurvivorError(_("A consent cannot be withdrawn in the future."))
    problem = rules.withdrawal_problem(
        given_on=consent.given_on, withdrawn_on=consent.withdrawn_on, on=withdrawn_on
    )
    if problem == "already_withdrawn":
        raise SurvivorError(_("This consent is already withdrawn."))
    if problem == "before_given":
        raise SurvivorError(_("A consent cannot be withdrawn before the day it was given."))
    consent.withdrawn_on = withdrawn_on
    save_with_version(consent, expected_version=expected_version, fields=["withdrawn_on"])
    record_event(
        action="survivor.consent_withdrawn",
        actor=by,
        obj=survivor,
        request=request,
        details={
            "consent": consent.pk,
            "purpose": consent.purpose,
            "withdrawn_on": withdrawn_on.isoformat(),
        },
    )

    def summary() -> str:
        return gettext("Consent withdrawn: %(purpose)s") % {
            "purpose": consent.get_purpose_display()
        }

    for case in _cases_of(survivor):
        record_case_event(
            case=case,
            kind="survivor.consent_withdrawn",
            by=by,
            summary=summary,
            object_code=survivor.code,
        )
    return consent
