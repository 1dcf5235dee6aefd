"""Writes of the referrals app. Every change goes through a function here, which
re-checks permission, scope, consent and state, and writes the case timeline and the
audit trail."""

from collections.abc import Callable, Iterable
from datetime import datetime, timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from himaya.accounts.models import User
from himaya.agencies.models import Agency
from himaya.audit.actions import record_event, record_reading
from himaya.cases.actions import clear_case_deadline, set_case_deadline
from himaya.cases.models import Case, DeadlineKind
from himaya.core.errors import Forbidden, Invalid
from himaya.core.locking import save_with_version
from himaya.notifications.actions import notify
from himaya.notifications.rules import bilingual
from himaya.notifications.selectors import members_of
from himaya.referrals import rules
from himaya.referrals.models import (
    ConsentBasis,
    Referral,
    SharedField,
    Status,
    response_hours,
)
from himaya.referrals.selectors import (
    embassy_refusal,
    is_recipient,
    is_sender,
    may_override_consent,
    recipient_consent_stands,
    sending_agency_ids,
    sharing_allowed,
)
from himaya.services.models import ServiceType
from himaya.survivors.models import Survivor
from himaya.survivors.rules import age_on
from himaya.timeline.actions import record_on_case
from himaya.timeline.models import EventKind


class ReferralError(Invalid):
    """A referral change refused by a rule; ``message`` is shown to the user."""


class ReferralForbidden(Forbidden):
    """The user may see the referral or the case, but not make this change."""


class ConsentMissing(ReferralError):
    """No consent on file for this recipient, and no valid override."""


class EmbassyRefused(ReferralError):
    """The embassy rule refuses the referral (``rules.embassy_refusal``); ``reason`` is
    its code."""

    def __init__(
        self,
        message: str | Promise,
        *,
        reason: str,
        override_attempted: bool,
        field: str | None = None,
    ) -> None:
        super().__init__(message, field=field)
        self.reason = reason
        self.override_attempted = override_attempted


EMBASSY_MESSAGES: dict[str, str | Promise] = {
    rules.EMBASSY_NO_COUNTRY: _(
        "This embassy has no country on record: it cannot receive a referral."
    ),
    rules.EMBASSY_OTHER_COUNTRY: _(
        "An embassy receives a referral only for a survivor of the country it represents, "
        "and this embassy does not represent the survivor's nationality."
    ),
    rules.EMBASSY_NO_CONSENT: _(
        "An embassy receives a referral only with the survivor's own consent for that "
        "embassy, and that consent is not on file. Record the consent first."
    ),
    rules.EMBASSY_PROTECTED: _(
        "No embassy receives a referral for an asylum seeker or a refugee, whatever the "
        "consent: their state may be the danger they fled."
    ),
}
EMBASSY_NO_OVERRIDE = _(
    "No override is possible for an embassy: it receives a referral only with the "
    "survivor's own consent for that embassy, and that consent is not on file."
)


def _embassy_refused(reason: str, *, override_attempted: bool) -> EmbassyRefused:
    if reason == rules.EMBASSY_NO_CONSENT and override_attempted:
        return EmbassyRefused(
            EMBASSY_NO_OVERRIDE,
            reason=reason,
            override_attempted=True,
            field="override_reason",
        )
    return EmbassyRefused(
        EMBASSY_MESSAGES[reason],
        reason=reason,
        override_attempted=override_attempted,
        field="to_agency" if reason != rules.EMBASSY_NO_CONSENT else None,
    )


def create_referral(
    *,
    case: Case,
    to_agency: Agency,
    service_type: ServiceType,
    shared_fields: Iterable[str],
    by: User,
    medical_note: str = "",
    safety_note: str = "",
    override_reason: str = "",
) -> Referral:
    """Refer ``case`` to ``to_agency``. Refused without consent on file unless a supervisor
    of the referring agency overrides it with a written reason; to an embassy, refused
    unless the embassy rule holds (no override at all).

    The referral is written in one transaction (``_create_referral``). When the embassy
    rule refuses it, that transaction is rolled back and the refused attempt alone is
    then written to the audit trail, as ``referral.refused``."""
    try:
        return _create_referral(
            case=case,
            to_agency=to_agency,
            service_type=service_type,
            shared_fields=shared_fields,
            by=by,
            medical_note=medical_note,
            safety_note=safety_note,
            override_reason=override_reason,
        )
    except EmbassyRefused as refusal:
        _record_refusal(case=case, to_agency=to_agency, by=by, refusal=refusal)
        raise


@transaction.atomic
def _record_refusal(
    *,
    case: Case,
    to_agency: Agency,
    by: User,
    refusal: EmbassyRefused,
) -> None:
    record_event(
        action="referral.refused",
        actor=by,
        object_type="cases.case",
        object_code=case.code,
        purpose="referral",
        details={
            "case": case.code,
            "to_agency": to_agency.code,
            "reason": refusal.reason,
            "override_attempted": refusal.override_attempted,
        },
    )


@transaction.atomic
def _create_referral(
    *,
    case: Case,
    to_agency: Agency,
    service_type: ServiceType,
    shared_fields: Iterable[str],
    by: User,
    medical_note: str,
    safety_note: str,
    override_reason: str,
) -> Referral:
    senders = sending_agency_ids(by)
    if case.lead_agency_id not in senders:
        raise ReferralForbidden(_("You cannot refer this case."))
    if case.is_closed:
        raise ReferralError(_("A closed case cannot be referred."))
    if not to_agency.is_active or to_agency.pk == case.lead_agency_id:
        raise ReferralError(_("Choose another active agency."), field="to_agency")
    if not service_type.is_active:
        raise ReferralError(_("Choose a service."), field="service_type")
    try:
        fields = rules.clean_shared_fields(shared_fields)
    except ValueError as error:
        raise ReferralError(_("Choose fields from the list."), field="shared_fields") from error
    if SharedField.MEDICAL_NEEDS in fields and not medical_note.strip():
        raise ReferralError(_("Write the medical needs note you share."), field="medical_note")
    if SharedField.SAFETY_NOTE in fields and not safety_note.strip():
        raise ReferralError(_("Write the safety note you share."), field="safety_note")

    purpose = rules.consent_purpose_for(to_agency.kind)
    survivor: Survivor = case.survivor
    override_reason = override_reason.strip()
    if rules.is_embassy(to_agency.kind) and rules.refused_to_embassy(fields):
        raise ReferralError(
            _("An embassy never receives the justice record of a case."), field="shared_fields"
        )
    if rules.is_embassy(to_agency.kind):
        refusal = embassy_refusal(survivor, to_agency)
        if refusal is not None:
            raise _embassy_refused(refusal, override_attempted=bool(override_reason))
        basis = ConsentBasis.CONSENT
        override_reason = ""
    elif recipient_consent_stands(survivor, to_agency):
        basis = ConsentBasis.CONSENT
    elif not override_reason:
        raise ConsentMissing(
            _(
                "The survivor's consent to share with this agency is not on file. "
                "Record the consent first, or ask a supervisor to override with a reason."
            )
        )
    elif not may_override_consent(by, case):
        raise ConsentMissing(
            _("Only a supervisor of the referring agency may override a missing consent."),
            field="override_reason",
        )
    else:
        basis = ConsentBasis.OVERRIDE

    now = timezone.now()
    referral = Referral.objects.create(
        case=case,
        from_agency_id=case.lead_agency_id,
        to_agency=to_agency,
        service_type=service_type,
        shared_fields=fields,
        medical_note=medical_note.strip() if SharedField.MEDICAL_NEEDS in fields else "",
        safety_note=safety_note.strip() if SharedField.SAFETY_NOTE in fields else "",
        status=Status.SENT,
        sent_at=now,
        respond_by=rules.response_deadline(now, response_hours()),
        sent_by=by,
        consent_basis=basis,
        override_reason=override_reason if basis == ConsentBasis.OVERRIDE else "",
        override_by=by if basis == ConsentBasis.OVERRIDE else None,
    )
    set_case_deadline(
        case=case,
        kind=DeadlineKind.REFERRAL_ANSWER,
        due_on=timezone.localtime(referral.respond_by).date(),
        source_code=referral.code,
    )
    notify_received(referral)
    # The audit rows last: appending one holds the audit chain's head until the commit.
    record_on_case(
        case=case,
        kind=EventKind.REFERRAL_SENT,
        by=by,
        summary=lambda: (
            gettext("Referred to %(agency)s for %(service)s")
            % {"agency": to_agency.name, "service": service_type.name}
        ),
        obj=referral,
        action="referral.created",
        purpose="referral",
        details={
            "case": case.code,
            "to_agency": to_agency.code,
            "service": service_type.code,
            "shared_fields": fields,
            "consent_basis": basis.value,
        },
    )
    if basis == ConsentBasis.OVERRIDE:
        record_on_case(
            case=case,
            kind=EventKind.REFERRAL_CONSENT_OVERRIDDEN,
            by=by,
            summary=lambda: (
                gettext("Consent overridden by a supervisor: %(reason)s")
                % {"reason": override_reason}
            ),
            obj=referral,
            purpose="referral",
            details={"case": case.code, "to_agency": to_agency.code, "consent_purpose": purpose},
        )
    return referral


def _change_status(
    *,
    referral: Referral,
    target: str,
    by: User,
    expected_version: int,
    allowed: Callable[[User, Referral], bool],
    fields: dict[str, Any],
    summary: Callable[[], str],
) -> Referral:
    locked = (
        Referral.objects.select_for_update(no_key=True)
        .select_related("case", "to_agency")
        .get(pk=referral.pk)
    )
    if not allowed(by, locked):
        raise ReferralForbidden(_("You cannot change this referral."))
    if not rules.can_transition(locked.status, target):
        raise ReferralError(
            _("A referral that is %(status)s cannot become %(target)s.")
            % {"status": locked.get_status_display(), "target": Status(target).label}
        )
    previous = locked.status
    locked.status = target
    for name, value in fields.items():
        setattr(locked, name, value)
    save_with_version(locked, expected_version=expected_version, fields=["status", *fields])
    if previous == Status.SENT:  # answered or cancelled: nothing left to chase
        clear_case_deadline(
            case=locked.case, kind=DeadlineKind.REFERRAL_ANSWER, source_code=locked.code
        )
    record_on_case(
        case=locked.case,
        kind=EventKind(f"referral.{target}"),
        by=by,
        summary=summary,
        obj=locked,
        purpose="referral",
        details={"case": locked.case.code, "from": previous, "to": target},
    )
    referral.refresh_from_db()
    return locked


@transaction.atomic
def accept_referral(*, referral: Referral, by: User, expected_version: int) -> Referral:
    return _change_status(
        referral=referral,
        target=Status.ACCEPTED,
        by=by,
        expected_version=expected_version,
        allowed=is_recipient,
        fields={"answered_at": timezone.now(), "answered_by": by},
        summary=lambda: (
            gettext("Referral accepted by %(agency)s") % {"agency": referral.to_agency.name}
        ),
    )


@transaction.atomic
def decline_referral(
    *,
    referral: Referral,
    by: User,
    reason: str,
    expected_version: int,
) -> Referral:
    reason = reason.strip()
    if not reason:
        raise ReferralError(_("Give the reason for declining."), field="reason")
    return _change_status(
        referral=referral,
        target=Status.DECLINED,
        by=by,
        expected_version=expected_version,
        allowed=is_recipient,
        fields={"answered_at": timezone.now(), "answered_by": by, "decline_reason": reason},
        summary=lambda: (
            gettext("Referral declined by %(agency)s") % {"agency": referral.to_agency.name}
        ),
    )


@transaction.atomic
def complete_referral(
    *,
    referral: Referral,
    by: User,
    outcome: str,
    expected_version: int,
) -> Referral:
    outcome = outcome.strip()
    if not outcome:
        raise ReferralError(_("Write the outcome of the service."), field="outcome")
    return _change_status(
        referral=referral,
        target=Status.COMPLETED,
        by=by,
        expected_version=expected_version,
        allowed=is_recipient,
        fields={"completed_at": timezone.now(), "completed_by": by, "outcome_note": outcome},
        summary=lambda: (
            gettext("Referral completed by %(agency)s") % {"agency": referral.to_agency.name}
        ),
    )


@transaction.atomic
def cancel_referral(*, referral: Referral, by: User, expected_version: int) -> Referral:
    return _change_status(
        referral=referral,
        target=Status.CANCELLED,
        by=by,
        expected_version=expected_version,
        allowed=is_sender,
        fields={"cancelled_at": timezone.now(), "cancelled_by": by},
        summary=lambda: (
            gettext("Referral to %(agency)s cancelled") % {"agency": referral.to_agency.name}
        ),
    )


def _display_values(referral: Referral) -> dict[str, str]:
    survivor = referral.case.survivor
    full = " / ".join(name for name in (survivor.name_ar, survivor.name_latin) if name)
    age = age_on(survivor.birth_year, on=timezone.localdate())
    if age is None:
        age_text = ""
    else:
        age_text = gettext("%(age)s years (born %(year)s)") % {
            "age": age,
            "year": survivor.birth_year,
        }
        if survivor.age_is_estimated:
            age_text += " · " + gettext("estimated")
    return {
        rules.FIRST_NAME: rules.first_name(survivor.name_ar or survivor.name_latin),
        rules.FULL_NAME: full,
        rules.SEX: str(survivor.get_sex_display()),
        rules.AGE: age_text,
        rules.NATIONALITY: survivor.nationality,
        rules.LANGUAGES: survivor.languages,
        rules.PHONE: survivor.phone,
        rules.DISABILITY: gettext("Yes") if survivor.has_disability else gettext("No"),
        rules.MEDICAL_NEEDS: referral.medical_note,
        rules.SAFETY_NOTE: referral.safety_note,
        rules.JUSTICE: gettext("The justice record of the case, once the referral is accepted"),
    }


def read_shared_fields(*, referral: Referral, by: User) -> list[tuple[str, str, str]] | None:
    """The shared fields as (key, label, value) for the receiving agency's staff, read from
    the encrypted record now, and audited with purpose "referral". ``None`` when the user
    is not the recipient, the referral is closed, or its basis for sharing no longer stands
    (the consent withdrawn, or for an embassy the embassy rule failing today)."""
    if not is_recipient(by, referral) or not sharing_allowed(referral):
        return None
    values = rules.shared_values(referral.shared_fields, _display_values(referral))
    record_reading(
        action="referral.shared_fields_viewed",
        actor=by,
        obj=referral,
        purpose="referral",
        details={"case": referral.case.code, "fields": [key for key, _value in values]},
    )
    return [(key, str(SharedField(key).label), value) for key, value in values]


def consent_withdrawn(referral: Referral) -> bool:
    """An open referral whose basis for sharing no longer stands: sent on the survivor's
    consent that was since withdrawn, or to an embassy for which the embassy rule does not
    hold today. The partner sees no shared field."""
    return referral.is_open and not sharing_allowed(referral)


SENT_MESSAGE = _("The referral was sent.")
DONE_MESSAGES: dict[str, str | Promise] = {
    "accept": _("The referral was accepted."),
    "decline": _("The referral was declined."),
    "complete": _("The referral was completed."),
    "cancel": _("The referral was cancelled."),
}


# --- notifications ----------------------------------------------------------------------

# A referral still unanswered this many hours before its deadline is about to be overdue.
DUE_SOON_HOURS = 12


def _notify_receivers(referral: Referral, *, event: str, key: str) -> int:
    """Tell the people who answer the receiving agency's referrals (codes and names only)."""
    from django.urls import reverse

    from himaya.agencies.permissions import CAPABILITIES

    respond_by = timezone.localtime(referral.respond_by)
    return notify(
        event=event,
        recipients=members_of([referral.to_agency_id], CAPABILITIES["referrals.receive"].roles),
        key=key,
        link=reverse("referrals:detail", args=[referral.code]),
        params={
            "referral_code": referral.code,
            **bilingual("from_agency", referral.from_agency),
            **bilingual("service", referral.service_type),
            "respond_by_time": respond_by.strftime("%Y-%m-%d %H:%M"),
        },
    )


def notify_received(referral: Referral) -> int:
    """Tell the receiving agency of a referral sent to it (once per referral and person)."""
    return _notify_receivers(referral, event="referrals.received", key=referral.code)


def notify_referrals_due_soon(now: datetime) -> int:
    """Referrals unanswered whose deadline comes within ``DUE_SOON_HOURS``: once each."""
    created = 0
    due_soon = Referral.objects.filter(
        status=Status.SENT,
        respond_by__gt=now,
        respond_by__lte=now + timedelta(hours=DUE_SOON_HOURS),
    ).select_related("from_agency", "service_type")
    for referral in due_soon.order_by("respond_by", "id"):
        key = f"{referral.code}:{referral.respond_by:%Y%m%d%H%M}"
        created += _notify_receivers(referral, event="referrals.due_soon", key=key)
    return created
