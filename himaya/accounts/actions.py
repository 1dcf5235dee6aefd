"""Writes of the accounts app: enrolment codes, second-factor enrolment and verification.

A password alone never enrols an authenticator. Enrolment starts with either a one-time
enrolment code that an administrator issued for this user (kept only as a salted hash,
single use, expiring), or, to replace an authenticator, a current code from one the user
already has. Only then is a new device with a fresh key made, bound to this session; the
user confirms it with a code it shows, which spends the enrolment code and retires the
user's earlier devices. Every step, and every refused attempt, is in the audit trail.
"""

import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta

from django.conf import settings
from django.contrib.auth.hashers import check_password, make_password
from django.contrib.sessions.backends.base import SessionBase
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_otp.plugins.otp_totp.models import TOTPDevice

from himaya.accounts import rules
from himaya.accounts.models import EnrolmentCode, User
from himaya.audit.actions import record_event
from himaya.core.errors import Forbidden, Message

SESSION_KEY = "himaya_enrolment"


class EnrolmentRefused(Forbidden):
    """A rule of enrolment refused the step; nothing changed but the audit event.

    ``reason`` is a short code, kept in the audit row of the refused attempt.
    """

    def __init__(self, message: Message, *, reason: str) -> None:
        super().__init__(message)
        self.reason = reason


def enrolment_code_lifetime() -> timedelta:
    """How long an enrolment code stays valid (``ENROLMENT_CODE_VALID_HOURS``, 72 by default)."""
    return timedelta(hours=int(getattr(settings, "ENROLMENT_CODE_VALID_HOURS", 72)))


@contextmanager
def _refusals_audited(action: str, *, actor: User, member: User) -> Iterator[None]:
    """Run the body in a transaction; a refusal is audited after that transaction rolled back."""
    try:
        with transaction.atomic():
            yield
    except EnrolmentRefused as refusal:
        record_event(
            action=action,
            actor=actor,
            object_type="accounts.user",
            object_code=member.get_username(),
            details={"reason": refusal.reason},
        )
        raise


def _new_code(user: User, *, issued_by: User | None) -> tuple[EnrolmentCode, str]:
    raw = rules.new_enrolment_code(lambda alphabet: secrets.choice(alphabet))
    now = timezone.now()
    EnrolmentCode.objects.filter(user=user, used_at=None, revoked_at=None).update(revoked_at=now)
    record = EnrolmentCode.objects.create(
        user=user,
        code_hash=make_password(rules.normalise_enrolment_code(raw)),
        issued_by=issued_by,
        issued_at=now,
        expires_at=now + enrolment_code_lifetime(),
    )
    return record, raw


def issue_enrolment_code(*, user: User, by: User) -> str:
    """An administrator issues a one-time enrolment code for someone else; returns it once."""
    with _refusals_audited("auth.enrolment_code_refused", actor=by, member=user):
        if not by.has_perm("accounts.manage_users"):
            raise EnrolmentRefused(
                _("Only a system administrator can issue enrolment codes."),
                reason="not_administrator",
            )
        if by.pk == user.pk:
            raise EnrolmentRefused(
                _("You cannot issue an enrolment code for yourself; another administrator must."),
                reason="own_account",
            )
        if not user.is_active:
            raise EnrolmentRefused(_("This user account is inactive."), reason="inactive_user")
        record, raw = _new_code(user, issued_by=by)
        record_event(
            action="auth.enrolment_code_issued",
            actor=by,
            object_type="accounts.user",
            object_code=user.get_username(),
            details={"expires_at": record.expires_at.isoformat()},
        )
    return raw


@transaction.atomic
def issue_bootstrap_enrolment_code(*, user: User) -> str:
    """An enrolment code issued from the command line (the first administrators of an
    installation have nobody to issue theirs). No page and no API calls it."""
    record, raw = _new_code(user, issued_by=None)
    record_event(
        action="auth.enrolment_code_issued",
        object_type="accounts.user",
        object_code=user.get_username(),
        details={"expires_at": record.expires_at.isoformat(), "via": "command line"},
    )
    return raw


def _matching_code(user: User, code: str) -> EnrolmentCode:
    """The user's enrolment code that ``code`` is, if it may still be used; refuses otherwise."""
    normalised = rules.normalise_enrolment_code(code)
    if not normalised:
        raise EnrolmentRefused(
            _("Enter the enrolment code your administrator gave you."), reason="no_code"
        )
    candidates = EnrolmentCode.objects.select_for_update(no_key=True).filter(user=user)[:10]
    now = timezone.now()
    for record in candidates:
        if check_password(normalised, record.code_hash):
            refusal = rules.enrolment_code_refusal(
                exists=True,
                used=record.used_at is not None,
                revoked=record.revoked_at is not None,
                expired=record.expires_at <= now,
            )
            if refusal is not None:
                reason = (
                    "used"
                    if record.used_at is not None
                    else "revoked"
                    if record.revoked_at is not None
                    else "expired"
                )
                raise EnrolmentRefused(refusal, reason=reason)
            return record
    raise EnrolmentRefused(_("This enrolment code is not valid."), reason="wrong_code")


def _existing_factor_accepts(user: User, code: str) -> bool:
    return any(
        device.verify_token(code) for device in TOTPDevice.objects.filter(user=user, confirmed=True)
    )


def begin_totp_enrolment(*, user: User, code: str, session: SessionBase) -> TOTPDevice:
    """Open an enrolment with an enrolment code, or with a current code of an existing
    authenticator: a new device with a fresh key, bound to ``session`` (the user's)."""
    with _refusals_audited("auth.totp_enrolment_refused", actor=user, member=user):
        code = code.strip()
        enrolment_code: EnrolmentCode | None = None
        if (
            rules.looks_like_totp(code)
            and TOTPDevice.objects.filter(user=user, confirmed=True).exists()
        ):
            if not _existing_factor_accepts(user, code):
                raise EnrolmentRefused(
                    _("This code from your authenticator is not valid."), reason="wrong_token"
                )
            opened_by = "existing_factor"
        else:
            enrolment_code = _matching_code(user, code)
            opened_by = "enrolment_code"
        TOTPDevice.objects.filter(user=user, confirmed=False).delete()
        device = TOTPDevice.objects.create(user=user, name="Himaya", confirmed=False)
        session[SESSION_KEY] = {
            "device": device.pk,
            "code": enrolment_code.pk if enrolment_code is not None else None,
        }
        record_event(
            action="auth.totp_enrolment_started",
            actor=user,
            details={"by": opened_by},
        )
    return device


def enrolling_device(*, user: User, session: SessionBase) -> TOTPDevice | None:
    """The new device this session is enrolling, if an enrolment was opened."""
    binding = session.get(SESSION_KEY)
    if not isinstance(binding, dict):
        return None
    return TOTPDevice.objects.filter(pk=binding.get("device"), user=user, confirmed=False).first()


def confirm_totp_enrolment(
    *, user: User, device: TOTPDevice, token: str, session: SessionBase
) -> bool:
    """Confirm the session's new device with a code it shows; spends the enrolment code and
    retires the user's earlier devices. A wrong code is audited and returns False. The
    caller then signs the session in with the device (``django_otp.login``)."""
    with _refusals_audited("auth.totp_enrolment_refused", actor=user, member=user):
        binding = session.get(SESSION_KEY)
        if not isinstance(binding, dict) or binding.get("device") != device.pk:
            raise EnrolmentRefused(
                _("Start the enrolment again with an enrolment code."), reason="not_opened"
            )
        device = TOTPDevice.objects.select_for_update(no_key=True).get(pk=device.pk)
        if device.user_id != user.pk or device.confirmed:
            raise EnrolmentRefused(
                _("Start the enrolment again with an enrolment code."), reason="not_opened"
            )
        enrolment_code = None
        if binding.get("code") is not None:
            enrolment_code = (
                EnrolmentCode.objects.select_for_update(no_key=True)
                .filter(pk=binding["code"], user=user)
                .first()
            )
            refusal = rules.enrolment_code_refusal(
                exists=enrolment_code is not None,
                used=enrolment_code is not None and enrolment_code.used_at is not None,
                revoked=enrolment_code is not None and enrolment_code.revoked_at is not None,
                expired=enrolment_code is not None and enrolment_code.expires_at <= timezone.now(),
            )
            if refusal is not None:
                raise EnrolmentRefused(refusal, reason="code_no_longer_valid")
    if not device.verify_token(token):
        record_event(action="auth.totp_enrol_failed", actor=user)
        return False
    with transaction.atomic():
        if enrolment_code is not None:
            updated = EnrolmentCode.objects.filter(
                pk=enrolment_code.pk, used_at=None, revoked_at=None
            ).update(used_at=timezone.now())
            if updated != 1:
                record_event(
                    action="auth.totp_enrolment_refused",
                    actor=user,
                    object_type="accounts.user",
                    object_code=user.get_username(),
                    details={"reason": "code_no_longer_valid"},
                )
                return False
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        retired, _deleted = TOTPDevice.objects.filter(user=user).exclude(pk=device.pk).delete()
        session.pop(SESSION_KEY, None)
        record_event(
            action="auth.totp_enrolled",
            actor=user,
            details={
                "by": "enrolment_code" if enrolment_code is not None else "existing_factor",
                "replaced_devices": retired,
            },
        )
    return True


@transaction.atomic
def verify_second_factor(*, user: User, token: str) -> TOTPDevice | None:
    """The user's confirmed device that accepts ``token`` (the caller signs the session in
    with it), or ``None``; both outcomes are audited."""
    for device in TOTPDevice.objects.filter(user=user, confirmed=True):
        if device.verify_token(token):
            record_event(action="auth.totp_verified", actor=user)
            return device
    record_event(action="auth.totp_failed", actor=user)
    return None
