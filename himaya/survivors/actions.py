"""Writes of the survivors app. Every write with a rule goes through a function here.

Each action re-checks the capability and the scope itself, writes the audit trail
(records named by their public code, never by a name) and, where the survivor has
cases, the case timeline.
"""

import datetime
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from himaya.accounts.models import User
from himaya.agencies.models import Agency, Role
from himaya.agencies.selectors import agency_ids_for
from himaya.audit.actions import record_event, record_reading
from himaya.audit.models import AuditEvent
from himaya.core import bounds
from himaya.core.errors import Conflict, Forbidden, Invalid, NotFound, RateLimited
from himaya.core.locking import save_with_version
from himaya.core.typing import AnyUser
from himaya.survivors import rules
from himaya.survivors.indexes import (
    document_index,
    name_index,
    rebuild_match_keys,
    rebuild_search_tokens,
    survivor_match_tokens,
    survivor_search_tokens,
)
from himaya.survivors.models import (
    AgeAssessment,
    AgeAssessmentMethod,
    BestInterestsAssessment,
    BestInterestsDetermination,
    BestInterestsRecommendation,
    ChildAssent,
    Consent,
    ConsentPurpose,
    DeterminationDecision,
    DurableSolution,
    GuardianAppointment,
    GuardianKind,
    PossibleDuplicate,
    Survivor,
    SurvivorAccess,
    SurvivorDocument,
    SurvivorMatchKey,
    SurvivorSearchToken,
)
from himaya.survivors.selectors import (
    current_guardians,
    possible_duplicates,
    presumed_child,
    reviews_visible_to,
    survivor_ids_with_documents,
    survivors_visible_to,
)
from himaya.timeline.actions import record_case_event, record_on_case
from himaya.timeline.models import EventKind

IDENTITY_FIELDS = (
    "name_ar",
    "name_latin",
    "aliases",
    "date_of_birth",
    "phone",
    "address",
    "family_contact",
    "unhcr_reference",
)
CLEAR_FIELDS = (
    "sex",
    "birth_year",
    "age_is_estimated",
    "nationality",
    "governorate_of_origin",
    "languages",
    "has_disability",
    "migration_status",
    "unhcr_registered",
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


class SurvivorError(Invalid):
    """A rule of the survivors app refused the input; ``message`` says why."""


class SurvivorForbidden(Forbidden):
    """The user may see the survivor but may not do this."""


class SurvivorNotFound(NotFound):
    """Missing or outside the user's scope: the two are never told apart."""

    def __init__(self) -> None:
        super().__init__(_("No such survivor."))


class DuplicateSuspected(Conflict):
    """Registration matched survivors that the user may see: ``visible_codes`` names them.

    Matches outside the user's scope are never named nor counted here: they go to a
    supervisor's review instead (``PossibleDuplicate``).
    """

    def __init__(self, *, visible_codes: list[str]) -> None:
        super().__init__(
            _(
                "A survivor with the same name and year of birth, or the same document "
                "number, is already registered. Check before registering again."
            )
        )
        self.visible_codes = visible_codes

    @property
    def extensions(self) -> dict[str, Any]:
        """Extension members of the problem body: the matching codes the user may see."""
        return {"existing_codes": self.visible_codes}


class TooManyDuplicateChecks(RateLimited):
    """The user checked for duplicates too often in the last hour: nothing was done."""

    def __init__(self) -> None:
        super().__init__(
            _(
                "You have registered or checked too many survivors in the last hour. "
                "Nothing was saved: try again later, or ask your supervisor."
            )
        )


# The review notice: the whole answer about matches outside the user's scope.
REVIEW_NOTICE = _("A supervisor will review a possible match.")

DUPLICATE_CHECK_WINDOW = datetime.timedelta(hours=1)
DUPLICATE_CHECKED = "survivor.duplicate_checked"


def duplicate_checks_per_hour() -> int:
    """How many duplicate checks one user may run in an hour (a setting, 30 by default)."""
    return int(getattr(settings, "DUPLICATE_CHECKS_PER_HOUR", 30))


def problem_message(code: str) -> str:
    """The message, in the active language, for a short code from ``rules``."""
    messages: dict[str, Any] = {
        "name_required": _("Enter the name in Arabic or in Latin script."),
        "name_invisible": _(
            "This name holds only invisible characters: type the name with visible letters."
        ),
        "implausible_birth_date": gettext(
            "The date of birth must lie between 1 January %(earliest)s and today."
        )
        % {"earliest": bounds.EARLIEST_BIRTH_YEAR},
        "implausible_birth_year": gettext(
            "The year of birth must lie between %(earliest)s and this year."
        )
        % {"earliest": bounds.EARLIEST_BIRTH_YEAR},
        "year_does_not_match_date": _("The year does not match the date of birth."),
        "implausible_age": gettext("The estimated age must lie between 0 and %(oldest)s years.")
        % {"oldest": rules.MAX_ESTIMATED_AGE},
        "invalid_birth_date": _("Enter a valid date of birth."),
        "document_number_required": _("Enter the document number."),
        "assessment_in_future": _("The date of the age assessment cannot be in the future."),
        "assessment_result_inconsistent": _(
            "The estimated age does not match the result: an adult is 18 or older."
        ),
        "unhcr_reference_without_registration": _(
            "A UNHCR reference number is kept only for a person registered with UNHCR."
        ),
    }
    return str(messages[code])


def _require(user: AnyUser, permission: str) -> None:
    if not user.is_authenticated or not user.has_perm(permission):
        raise SurvivorForbidden(_("You are not allowed to do this."))


def _require_in_scope(user: AnyUser, survivor: Survivor) -> None:
    if not survivors_visible_to(user).filter(pk=survivor.pk).exists():
        raise SurvivorNotFound


def _refresh_indexes(survivor: Survivor) -> None:
    survivor.name_ar_index = name_index(survivor.name_ar or "")
    survivor.name_latin_index = name_index(survivor.name_latin or "")


def _refresh_search_tokens(survivor: Survivor, *, new: bool = False) -> None:
    """Write the survivor's search tokens afresh (only when they change); a survivor just
    registered (``new``) has none to compare or remove."""
    fresh = survivor_search_tokens(survivor)
    if not new:
        stored = set(
            SurvivorSearchToken.objects.filter(survivor=survivor).values_list("kind", "token")
        )
        if fresh == stored:
            return
        SurvivorSearchToken.objects.filter(survivor=survivor).delete()
    SurvivorSearchToken.objects.bulk_create(
        SurvivorSearchToken(survivor=survivor, kind=kind, token=token) for kind, token in fresh
    )


def refresh_match_keys(*, survivor: Survivor) -> int:
    """Write the survivor's blocking keys for duplicate detection afresh (names, year of
    birth, active documents, phone): after every change of identity or documents."""
    return rebuild_match_keys(
        Survivor, SurvivorMatchKey, SurvivorDocument, survivor_ids=[survivor.pk]
    )


def _write_new_match_keys(survivor: Survivor, document_numbers: list[str]) -> None:
    """The blocking keys of a survivor just registered, from what the registration holds
    (nothing stored to remove, nothing to read back and decrypt): the keys that
    ``refresh_match_keys`` would write."""
    SurvivorMatchKey.objects.bulk_create(
        SurvivorMatchKey(survivor_id=survivor.pk, key=key)
        for key in sorted(survivor_match_tokens(survivor, document_numbers))
    )


@transaction.atomic(savepoint=False)  # a part of the caller's write: no savepoint of its own
def sync_survivor_access(*, survivor: Survivor, new: bool = False) -> set[int]:
    """Recompute from the truth which agencies see the survivor (``SurvivorAccess``).

    The lead agency of each of the survivor's cases; for a survivor without any case, the
    agency that registered it. Called by every write that registers a survivor, opens a
    case or changes a case's lead agency, inside its transaction. Returns the agencies.
    ``new``: the survivor was registered in this transaction (no case, no access row).
    """
    if new:  # just registered: no case and no access row yet
        agencies = {survivor.registered_by_agency_id}
    else:
        leads = set(survivor.cases.values_list("lead_agency_id", flat=True))
        agencies = leads or {survivor.registered_by_agency_id}
        SurvivorAccess.objects.filter(survivor=survivor).exclude(agency_id__in=agencies).delete()
    SurvivorAccess.objects.bulk_create(
        [SurvivorAccess(survivor=survivor, agency_id=agency_id) for agency_id in agencies],
        ignore_conflicts=True,
    )
    return agencies


def rebuild_search_index(*, survivor_ids: list[int] | None = None) -> int:
    """Write the search tokens of these survivors (all by default) afresh: after a bulk
    load, or after a change of the blind index key. Returns how many were written."""
    return rebuild_search_tokens(Survivor, SurvivorSearchToken, survivor_ids=survivor_ids)


SEARCHED = "survivor.search"


def record_search(*, by: User, results: int, more: bool, names_shown: bool) -> None:
    """Write one audit row for a search: how many survivors the page showed, whether more
    follow and whether masked names were shown. Never the query: it may be a name."""
    record_reading(
        action=SEARCHED,
        actor=by,
        object_type="survivors.survivor",
        details={"results": results, "more": more, "names_shown": names_shown},
    )


@dataclass(frozen=True)
class DocumentInput:
    kind: str
    number: str
    issuing_country: str = ""


def _check_identity(survivor: Survivor) -> None:
    """Refuse names without visible letters and implausible dates or years of birth.

    A valid date of birth without a year gives the year. The same rules as the forms and
    the API, so that no door goes round them.
    """
    problems = rules.name_problems(name_ar=survivor.name_ar, name_latin=survivor.name_latin)
    if problems:
        raise SurvivorError(problem_message(problems[0][1]))
    unhcr = rules.unhcr_problem(
        unhcr_registered=survivor.unhcr_registered, unhcr_reference=survivor.unhcr_reference
    )
    if unhcr is not None:
        raise SurvivorError(problem_message(unhcr), field="unhcr_reference")
    date_of_birth = None
    if survivor.date_of_birth:
        try:
            date_of_birth = datetime.date.fromisoformat(survivor.date_of_birth)
        except ValueError:
            raise SurvivorError(problem_message("invalid_birth_date")) from None
        survivor.date_of_birth = date_of_birth.isoformat()
    problem = rules.birth_problem(
        date_of_birth=date_of_birth, birth_year=survivor.birth_year, today=timezone.localdate()
    )
    if problem is not None:
        raise SurvivorError(problem_message(problem))
    if date_of_birth is not None and survivor.birth_year is None:
        survivor.birth_year = date_of_birth.year


@dataclass(frozen=True)
class DuplicateCheck:
    """What a duplicate check found, split by what the user may see."""

    visible: list[Survivor]
    hidden: list[Survivor]
    by_document: set[int]
    audit_details: dict[str, Any]

    def record(self, *, by: User) -> None:
        """Write the check to the audit trail, in the transaction that ran it."""
        record_event(
            action=DUPLICATE_CHECKED,
            actor=by,
            object_type="survivors.survivor",
            details=self.audit_details,
        )


def _check_duplicates(
    *,
    by: User,
    agency: Agency,
    survivor: Survivor,
    document_indexes: set[str],
) -> DuplicateCheck:
    """Run one duplicate check, rate-limited per user. Over the limit nothing is written and
    ``TooManyDuplicateChecks`` is raised.

    The caller writes the check to the audit trail (``DuplicateCheck.record``, codes and
    counts only) in the same transaction, whatever it found, as its last writes: appending
    to the audit chain holds the chain's head until the commit, so every audit row of a
    registration is appended after its other writes, keeping that hold short.
    """
    # One user's checks are serialised by a lock on the user's row, so that two requests
    # at once cannot both pass the last free check.
    User.objects.select_for_update(no_key=True).filter(pk=by.pk).first()
    since = timezone.now() - DUPLICATE_CHECK_WINDOW
    done = AuditEvent.objects.filter(
        action=DUPLICATE_CHECKED, actor_id=by.pk, occurred_at__gte=since
    ).count()
    if rules.is_over_check_limit(checks_in_window=done, limit=duplicate_checks_per_hour()):
        raise TooManyDuplicateChecks
    name_indexes = {survivor.name_ar_index, survivor.name_latin_index}
    found = possible_duplicates(
        name_indexes=name_indexes, birth_year=survivor.birth_year, document_indexes=document_indexes
    )
    by_document = survivor_ids_with_documents(document_indexes) if found else set()
    in_scope = set(
        survivors_visible_to(by).filter(pk__in=[s.pk for s in found]).values_list("pk", flat=True)
    )
    visible = [s for s in found if s.pk in in_scope]
    hidden = [s for s in found if s.pk not in in_scope]
    criteria = []
    if survivor.birth_year is not None and any(name_indexes):
        criteria.append("name_year")
    if document_indexes:
        criteria.append("document")
    return DuplicateCheck(
        visible=visible,
        hidden=hidden,
        by_document=by_document,
        audit_details={
            "agency": agency.code,
            "criteria": criteria,
            "matches": len(found),
            "in_scope": [s.code for s in visible],
            "outside_scope": [s.code for s in hidden],
        },
    )


def register_survivor(
    *,
    by: User,
    agency: Agency,
    identity: dict[str, str],
    clear: dict[str, Any],
    documents: list[DocumentInput] | None = None,
    confirm_duplicate: bool = False,
) -> Survivor:
    """Register a survivor for ``agency`` (where ``by`` is a case worker or supervisor).

    Every registration runs one duplicate check, written to the audit trail and limited
    per user and hour (``TooManyDuplicateChecks``: nothing is written). A match that the
    user may see raises ``DuplicateSuspected`` naming it, unless ``confirm_duplicate`` is
    given (the confirmation is audited). A match outside the user's scope is never named:
    the survivor is registered and one ``PossibleDuplicate`` per such match waits for a
    supervisor (``selectors.awaits_review(survivor)`` then holds).
    """
    outcome = _register(
        by=by,
        agency=agency,
        identity=identity,
        clear=clear,
        documents=documents or [],
        confirm_duplicate=confirm_duplicate,
    )
    # Raised outside the transaction, so that the audit row of the check stays.
    if isinstance(outcome, DuplicateSuspected):
        raise outcome
    return outcome


@transaction.atomic
def _register(
    *,
    by: User,
    agency: Agency,
    identity: dict[str, str],
    clear: dict[str, Any],
    documents: list[DocumentInput],
    confirm_duplicate: bool,
) -> Survivor | DuplicateSuspected:
    _require(by, "survivors.register")
    if agency.pk not in agency_ids_for(by, Role.CASE_WORKER, Role.SUPERVISOR):
        raise SurvivorForbidden(_("You can register survivors only for your own agency."))
    documents = [doc for doc in documents if doc.number.strip()]
    if any(not rules.is_document_number(doc.number) for doc in documents):
        raise SurvivorError(problem_message("document_number_required"))
    survivor = Survivor(registered_by_agency=agency, registered_by=by)
    for name in IDENTITY_FIELDS:
        setattr(survivor, name, (identity.get(name) or "").strip())
    for name in CLEAR_FIELDS:
        if name in clear:
            setattr(survivor, name, clear[name])
    _check_identity(survivor)
    _refresh_indexes(survivor)
    document_indexes = {document_index(doc.number) for doc in documents}
    check = _check_duplicates(
        by=by, agency=agency, survivor=survivor, document_indexes=document_indexes
    )
    if check.visible and not confirm_duplicate:
        check.record(by=by)
        return DuplicateSuspected(visible_codes=[s.code for s in check.visible])
    survivor.save()
    # A new survivor's derived rows are written from what is in hand: nothing to compare,
    # remove or read back (the same rows as recomputing them; see the tests).
    sync_survivor_access(survivor=survivor, new=True)
    _refresh_search_tokens(survivor, new=True)
    for doc in documents:
        SurvivorDocument.objects.create(
            survivor=survivor,
            kind=doc.kind,
            number=doc.number.strip(),
            number_index=document_index(doc.number),
            issuing_country=doc.issuing_country,
            recorded_by=by,
        )
    _write_new_match_keys(survivor, [doc.number.strip() for doc in documents])
    reviews = [
        PossibleDuplicate.objects.create(
            survivor=survivor,
            matched=matched,
            found_by=by,
            reason=rules.duplicate_reason(same_document=matched.pk in check.by_document),
        )
        for matched in check.hidden
    ]
    # The audit rows last (see ``_check_duplicates``), in the order things happened.
    check.record(by=by)
    details: dict[str, Any] = {"agency": agency.code, "documents": len(documents)}
    if check.visible:
        details["registered_despite_duplicates"] = [s.code for s in check.visible]
    if check.hidden:
        details["possible_duplicates_for_review"] = len(check.hidden)
    record_event(action="survivor.registered", actor=by, obj=survivor, details=details)
    for review in reviews:
        record_event(
            action="survivor.possible_duplicate_opened",
            actor=by,
            obj=survivor,
            details={"review": review.pk, "matched": review.matched.code, "reason": review.reason},
        )
    return survivor


@transaction.atomic
def update_identity(
    *,
    survivor: Survivor,
    by: User,
    expected_version: int,
    identity: dict[str, str],
    clear: dict[str, Any],
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
    _check_identity(survivor)
    _refresh_indexes(survivor)
    fields = [*IDENTITY_FIELDS, *CLEAR_FIELDS, "name_ar_index", "name_latin_index"]
    save_with_version(survivor, expected_version=expected_version, fields=fields)
    _refresh_search_tokens(survivor)
    refresh_match_keys(survivor=survivor)
    # Field names only: the values are personal data and stay out of the trail.
    record_event(
        action="survivor.identity_updated",
        actor=by,
        obj=survivor,
        details={"fields": sorted(changed)},
    )
    return survivor


@transaction.atomic
def add_document(
    *,
    survivor: Survivor,
    by: User,
    kind: str,
    number: str,
    issuing_country: str = "",
) -> SurvivorDocument:
    _require(by, "survivors.register")
    _require_in_scope(by, survivor)
    if not rules.is_document_number(number):
        raise SurvivorError(problem_message("document_number_required"))
    document = SurvivorDocument.objects.create(
        survivor=survivor,
        kind=kind,
        number=number.strip(),
        number_index=document_index(number),
        issuing_country=issuing_country,
        recorded_by=by,
    )
    refresh_match_keys(survivor=survivor)
    record_event(
        action="survivor.document_added",
        actor=by,
        obj=survivor,
        details={"kind": kind, "document": document.pk},
    )
    return document


def reveal_identity(*, survivor: Survivor, by: User, purpose: str) -> Survivor:
    """Record one reading of the survivor's identity, with its purpose, and allow it."""
    if purpose not in RevealPurpose.values and purpose != RevealPurpose.CORRECTION:
        raise SurvivorError(_("Choose why you need to see the identity."))
    _require(by, "survivors.view_identity")
    _require_in_scope(by, survivor)
    record_reading(
        action="survivor.identity_viewed",
        actor=by,
        obj=survivor,
        purpose=purpose,
    )
    return survivor


def _on_timelines(
    *, survivor: Survivor, kind: EventKind, by: User, summary: Callable[[], str]
) -> None:
    """One line on the timeline of each of the survivor's cases (none when it has none)."""
    for case in survivor.cases.order_by("created_at", "id"):
        record_case_event(case=case, kind=kind, by=by, summary=summary, object_code=survivor.code)


@transaction.atomic
def record_consent(
    *,
    survivor: Survivor,
    by: User,
    purpose: str,
    recipient: Agency | None = None,
    given_on: datetime.date | None = None,
    note: str = "",
    guardian: GuardianAppointment | None = None,
    guardian_consented_on: datetime.date | None = None,
    child_assent: str = "",
    child_assent_reason: str = "",
) -> Consent:
    """Record the survivor's consent for one purpose (and one recipient where it applies).

    For a survivor presumed a child (``selectors.presumed_child``) the consent is the
    guardian's: ``guardian`` (one of the child's current guardians) and the day they
    consented are required, and the child's own assent is recorded apart
    (``child_assent``: given, refused, or not asked with a reason). For an adult no
    guardian and no assent are kept.
    """
    _require(by, "survivors.record_consent")
    survivor = Survivor.objects.select_for_update(no_key=True).get(pk=survivor.pk)
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
    child = presumed_child(survivor, on=given_on)
    if child:
        if guardian is None:
            raise SurvivorError(
                _("This survivor is presumed a child: record the consent of the child's guardian."),
                field="guardian",
            )
        if not current_guardians(survivor, on=given_on).filter(pk=guardian.pk).exists():
            raise SurvivorError(
                _("Choose a guardian currently appointed for this child."), field="guardian"
            )
        guardian_consented_on = guardian_consented_on or given_on
        if guardian_consented_on > today:
            raise SurvivorError(
                _("A consent cannot be given in the future."), field="guardian_consented_on"
            )
        problem = rules.child_assent_problem(child_assent=child_assent, reason=child_assent_reason)
        if problem == "assent_required":
            raise SurvivorError(
                _("Record whether the child assented, refused or was not asked."),
                field="child_assent",
            )
        if problem == "assent_reason_required":
            raise SurvivorError(_("Say why the child was not asked."), field="child_assent_reason")
    else:
        guardian, guardian_consented_on = None, None
        child_assent, child_assent_reason = ChildAssent.NOT_APPLICABLE, ""
    standing = Consent.objects.select_for_update(no_key=True).filter(
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
        guardian=guardian,
        guardian_consented_on=guardian_consented_on,
        child_assent=child_assent,
        child_assent_reason=rules.visible_text(child_assent_reason)[:300],
    )
    record_event(
        action="survivor.consent_recorded",
        actor=by,
        obj=survivor,
        details={
            "consent": consent.pk,
            "purpose": purpose,
            "recipient": recipient.code if recipient is not None else "",
            "given_on": given_on.isoformat(),
            "guardian": guardian.pk if guardian is not None else "",
            "child_assent": child_assent,
        },
    )

    def summary() -> str:
        return gettext("Consent recorded: %(purpose)s") % {"purpose": consent.get_purpose_display()}

    _on_timelines(survivor=survivor, kind=EventKind.CONSENT_RECORDED, by=by, summary=summary)
    return consent


@transaction.atomic
def withdraw_consent(
    *,
    consent: Consent,
    by: User,
    expected_version: int,
    withdrawn_on: datetime.date | None = None,
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

    _on_timelines(survivor=survivor, kind=EventKind.CONSENT_WITHDRAWN, by=by, summary=summary)
    return consent


@transaction.atomic
def decide_possible_duplicate(
    *,
    review: PossibleDuplicate,
    by: User,
    status: str,
    expected_version: int,
) -> PossibleDuplicate:
    """A supervisor decides whether two survivors are one person or two.

    Only a supervisor who may see both survivors decides; a match with a survivor outside
    the agency's scope waits for the national review. The decision is recorded; merging
    records is not done here.
    """
    _require(by, "survivors.review_duplicates")
    if not reviews_visible_to(by).filter(pk=review.pk).exists():
        raise SurvivorNotFound
    if not survivors_visible_to(by).filter(pk=review.matched_id).exists():
        raise SurvivorForbidden(
            _(
                "The other survivor is outside your agency's scope: this possible match "
                "waits for the national review."
            )
        )
    if status not in PossibleDuplicate.TRANSITIONS.get(review.status, frozenset()):
        raise SurvivorError(_("This possible match has already been decided."))
    review.status = status
    review.decided_by = by
    review.decided_at = timezone.now()
    save_with_version(
        review, expected_version=expected_version, fields=["status", "decided_by", "decided_at"]
    )
    matched_code = Survivor.objects.filter(pk=review.matched_id).values_list("code", flat=True)[0]
    record_event(
        action="survivor.possible_duplicate_decided",
        actor=by,
        obj=review.survivor,
        details={"review": review.pk, "matched": matched_code, "status": status},
    )
    return review


@transaction.atomic
def record_age_assessment(
    *,
    survivor: Survivor,
    by: User,
    agency: Agency,
    method: str,
    assessed_on: datetime.date,
    is_adult: bool,
    estimated_age: int | None = None,
    note: str = "",
) -> AgeAssessment:
    """Record an age assessment of a survivor, made by ``by`` for one of their agencies.

    The latest assessment decides whether the survivor is still presumed a child
    (``rules.is_presumed_child``). The audit trail gets the method and the assessment's
    number, never the age found.
    """
    _require(by, "survivors.register")
    _require_in_scope(by, survivor)
    if agency.pk not in agency_ids_for(by, Role.CASE_WORKER, Role.SUPERVISOR):
        raise SurvivorForbidden(_("You can record an age assessment only for your own agency."))
    if method not in AgeAssessmentMethod.values:
        raise SurvivorError(_("Choose how the age was assessed."), field="method")
    problem = rules.age_assessment_problem(
        is_adult=is_adult,
        estimated_age=estimated_age,
        assessed_on=assessed_on,
        today=timezone.localdate(),
    )
    if problem is not None:
        field = "assessed_on" if problem == "assessment_in_future" else "estimated_age"
        raise SurvivorError(problem_message(problem), field=field)
    assessment = AgeAssessment.objects.create(
        survivor=survivor,
        method=method,
        assessed_on=assessed_on,
        is_adult=is_adult,
        estimated_age=estimated_age,
        assessed_by=by,
        agency=agency,
        note=note.strip(),
    )
    _record_child_event(
        survivor=survivor,
        by=by,
        kind=EventKind.AGE_ASSESSED,
        summary=lambda: (
            gettext("Age assessed: %(method)s") % {"method": assessment.get_method_display()}
        ),
        details={"assessment": assessment.pk, "method": method, "agency": agency.code},
    )
    return assessment


# --- children's safeguards -------------------------------------------------------------


def _open_cases(survivor: Survivor) -> Any:
    """The survivor's cases that are not closed, oldest first."""
    return survivor.cases.exclude(phase="closed").order_by("created_at", "id")


def _record_child_event(
    *,
    survivor: Survivor,
    by: User,
    kind: EventKind,
    summary: Callable[[], str],
    details: dict[str, Any],
) -> None:
    """A line (with its audit row) on each open case of the survivor; one audit row alone
    when the survivor has no open case. The audit row names the survivor by code."""
    cases = list(_open_cases(survivor))
    for case in cases:
        record_on_case(case=case, kind=kind, by=by, summary=summary, obj=survivor, details=details)
    if not cases:
        record_event(action=kind.value, actor=by, obj=survivor, details=details)


def _lock_in_scope(by: User, survivor: Survivor, permission: str) -> Survivor:
    _require(by, permission)
    _require_in_scope(by, survivor)
    return Survivor.objects.select_for_update(no_key=True).get(pk=survivor.pk)


def _check_record_date(value: datetime.date | None, *, what: Promise, field: str) -> None:
    if value is None:
        raise SurvivorError(_("Enter the date."), field=field)
    problem = bounds.record_date_problem(value, what=what, today=timezone.localdate())
    if problem is not None:
        raise SurvivorError(problem, field=field)


def _check_text(value: str, *, what: Promise, field: str, max_length: int) -> None:
    problem = bounds.text_problem(value, what=what, max_length=max_length)
    if problem is not None:
        raise SurvivorError(problem, field=field)


def best_interests_panel_minimum() -> int:
    """The smallest best-interests determination panel (a setting; 3 by default,
    unverified against the national child protection procedures)."""
    return int(
        getattr(settings, "BEST_INTERESTS_PANEL_MINIMUM", rules.BEST_INTERESTS_PANEL_MINIMUM)
    )


@transaction.atomic
def appoint_guardian(
    *,
    survivor: Survivor,
    by: User,
    guardian_name: str,
    kind: str,
    appointed_on: datetime.date,
    appointing_agency: Agency | None = None,
    appointing_body: str = "",
) -> GuardianAppointment:
    """Record a guardian appointed for a child survivor. The name is encrypted; the
    audit trail and the timeline hold the kind of guardian only."""
    survivor = _lock_in_scope(by, survivor, "survivors.register")
    name = rules.visible_text(guardian_name)
    if not name:
        raise SurvivorError(_("Enter the name of the guardian."), field="guardian_name")
    _check_text(name, what=_("The name of the guardian"), field="guardian_name", max_length=200)
    if kind not in GuardianKind.values:
        raise SurvivorError(_("Choose the kind of guardian."), field="kind")
    _check_record_date(appointed_on, what=_("The date of appointment"), field="appointed_on")
    body = rules.visible_text(appointing_body)
    _check_text(body, what=_("The appointing body"), field="appointing_body", max_length=200)
    if appointing_agency is None and not body:
        raise SurvivorError(
            _("Name the agency, court or committee that appointed the guardian."),
            field="appointing_body",
        )
    appointment = GuardianAppointment.objects.create(
        survivor=survivor,
        guardian_name=name,
        kind=kind,
        appointing_agency=appointing_agency,
        appointing_body=body,
        appointed_on=appointed_on,
        recorded_by=by,
    )
    _record_child_event(
        survivor=survivor,
        by=by,
        kind=EventKind.GUARDIAN_APPOINTED,
        summary=lambda: (
            gettext("Guardian appointed: %(kind)s") % {"kind": appointment.get_kind_display()}
        ),
        details={"appointment": appointment.pk, "kind": kind},
    )
    return appointment


@transaction.atomic
def end_guardian_appointment(
    *,
    appointment: GuardianAppointment,
    by: User,
    expected_version: int,
    ended_on: datetime.date | None = None,
) -> GuardianAppointment:
    """End a guardian's appointment from ``ended_on`` (today by default)."""
    survivor = _lock_in_scope(by, appointment.survivor, "survivors.register")
    appointment = GuardianAppointment.objects.select_for_update(no_key=True).get(pk=appointment.pk)
    ended_on = ended_on or timezone.localdate()
    _check_record_date(ended_on, what=_("The end of the appointment"), field="ended_on")
    problem = rules.guardian_end_problem(
        appointed_on=appointment.appointed_on, ended_on=appointment.ended_on, on=ended_on
    )
    if problem == "already_ended":
        raise SurvivorError(_("This appointment has already ended."))
    if problem == "end_before_appointment":
        raise SurvivorError(
            _("An appointment cannot end before the day it began."), field="ended_on"
        )
    appointment.ended_on = ended_on
    save_with_version(appointment, expected_version=expected_version, fields=["ended_on"])
    _record_child_event(
        survivor=survivor,
        by=by,
        kind=EventKind.GUARDIAN_ENDED,
        summary=lambda: (
            gettext("Guardian's appointment ended: %(kind)s")
            % {"kind": appointment.get_kind_display()}
        ),
        details={"appointment": appointment.pk, "ended_on": ended_on.isoformat()},
    )
    return appointment


@transaction.atomic
def record_best_interests_assessment(
    *,
    survivor: Survivor,
    by: User,
    assessed_on: datetime.date,
    summary: str,
    child_views_heard: bool,
    recommendation: str,
    case: Any = None,
) -> BestInterestsAssessment:
    """Record a best-interests assessment of a child survivor, optionally for one of the
    survivor's cases. The summary is encrypted; the audit trail holds the recommendation."""
    survivor = _lock_in_scope(by, survivor, "survivors.register")
    if case is not None and case.survivor_id != survivor.pk:
        raise SurvivorError(_("This case is not the survivor's."), field="case")
    _check_record_date(assessed_on, what=_("The date of the assessment"), field="assessed_on")
    text = rules.visible_text(summary)
    if not text:
        raise SurvivorError(_("Summarise the assessment."), field="summary")
    _check_text(text, what=_("The summary"), field="summary", max_length=bounds.MAX_TEXT_LENGTH)
    if recommendation not in BestInterestsRecommendation.values:
        raise SurvivorError(_("Choose the recommendation."), field="recommendation")
    assessment = BestInterestsAssessment.objects.create(
        survivor=survivor,
        case=case,
        assessed_on=assessed_on,
        assessed_by=by,
        summary=text,
        child_views_heard=bool(child_views_heard),
        recommendation=recommendation,
    )
    _record_child_event(
        survivor=survivor,
        by=by,
        kind=EventKind.BEST_INTERESTS_ASSESSED,
        summary=lambda: (
            gettext("Best interests assessed: %(recommendation)s")
            % {"recommendation": assessment.get_recommendation_display()}
        ),
        details={
            "assessment": assessment.pk,
            "recommendation": recommendation,
            "child_views_heard": bool(child_views_heard),
        },
    )
    return assessment


@transaction.atomic
def record_best_interests_determination(
    *,
    survivor: Survivor,
    by: User,
    decided_on: datetime.date,
    panel_members: str,
    durable_solution: str,
    decision: str,
) -> BestInterestsDetermination:
    """A supervisor records a panel's best-interests determination for a child survivor:
    the panel (at least ``best_interests_panel_minimum()`` members, one per line), the
    durable solution considered and the panel's decision."""
    survivor = _lock_in_scope(by, survivor, "cases.supervise")
    _check_record_date(decided_on, what=_("The date of the decision"), field="decided_on")
    members = rules.panel_members(panel_members)
    _check_text(
        "\n".join(members),
        what=_("The list of panel members"),
        field="panel_members",
        max_length=bounds.MAX_TEXT_LENGTH,
    )
    minimum = best_interests_panel_minimum()
    if rules.panel_problem(members=members, minimum=minimum) == "panel_too_small":
        raise SurvivorError(
            gettext("The panel needs at least %(minimum)s members, one per line.")
            % {"minimum": minimum},
            field="panel_members",
        )
    if durable_solution not in DurableSolution.values:
        raise SurvivorError(_("Choose the durable solution."), field="durable_solution")
    if decision not in DeterminationDecision.values:
        raise SurvivorError(_("Choose the panel's decision."), field="decision")
    determination = BestInterestsDetermination.objects.create(
        survivor=survivor,
        decided_on=decided_on,
        panel_members="\n".join(members),
        panel_size=len(members),
        durable_solution=durable_solution,
        decision=decision,
        recorded_by=by,
    )
    _record_child_event(
        survivor=survivor,
        by=by,
        kind=EventKind.BEST_INTERESTS_DETERMINED,
        summary=lambda: (
            gettext("Best interests determined: %(solution)s, %(decision)s")
            % {
                "solution": determination.get_durable_solution_display(),
                "decision": determination.get_decision_display(),
            }
        ),
        details={
            "determination": determination.pk,
            "durable_solution": durable_solution,
            "decision": decision,
            "panel_size": len(members),
        },
    )
    return determination


@transaction.atomic
def set_child_flags(
    *,
    survivor: Survivor,
    by: User,
    unaccompanied: bool,
    separated: bool,
    expected_version: int,
) -> Survivor:
    """Record whether the child is unaccompanied and whether separated (the two are apart:
    an unaccompanied child is without both parents and any caregiver; a separated child is
    without parents or caregiver but may be with other relatives)."""
    locked = _lock_in_scope(by, survivor, "survivors.register")
    if unaccompanied and separated:
        raise SurvivorError(
            _(
                "A child is either unaccompanied or separated: an unaccompanied child has no "
                "relative with them at all."
            ),
            field="separated",
        )
    if (unaccompanied or separated) and not presumed_child(locked):
        raise SurvivorError(
            _("Only a survivor presumed a child is unaccompanied or separated."),
            field="unaccompanied",
        )
    before = {"unaccompanied": locked.unaccompanied, "separated": locked.separated}
    locked.unaccompanied = bool(unaccompanied)
    locked.separated = bool(separated)
    save_with_version(
        locked, expected_version=expected_version, fields=["unaccompanied", "separated"]
    )
    survivor.unaccompanied, survivor.separated = locked.unaccompanied, locked.separated
    survivor.version = locked.version

    def summary() -> str:
        if locked.unaccompanied:
            return gettext("Child's situation: unaccompanied")
        if locked.separated:
            return gettext("Child's situation: separated")
        return gettext("Child's situation: neither unaccompanied nor separated")

    _record_child_event(
        survivor=locked,
        by=by,
        kind=EventKind.CHILD_FLAGS_CHANGED,
        summary=summary,
        details={
            "before": before,
            "unaccompanied": locked.unaccompanied,
            "separated": locked.separated,
        },
    )
    return locked
