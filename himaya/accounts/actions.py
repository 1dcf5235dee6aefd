"""Writes of the accounts app: second-factor enrolment and verification."""

from django.db import transaction
from django.http import HttpRequest
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice

from himaya.accounts.models import User
from himaya.audit.actions import record_event


def pending_totp_device(*, user: User) -> TOTPDevice:
    """The unconfirmed device the user is enrolling (created on first need)."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("-id").first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="Himaya", confirmed=False)
    return device


@transaction.atomic
def confirm_totp_enrolment(
    *, user: User, device: TOTPDevice, token: str, request: HttpRequest
) -> bool:
    if not device.verify_token(token):
        record_event(action="auth.totp_enrol_failed", actor=user, request=request)
        return False
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    TOTPDevice.objects.filter(user=user, confirmed=False).delete()
    otp_login(request, device)
    record_event(action="auth.totp_enrolled", actor=user, request=request)
    return True


@transaction.atomic
def verify_second_factor(*, user: User, token: str, request: HttpRequest) -> bool:
    for device in TOTPDevice.objects.filter(user=user, confirmed=True):
        if device.verify_token(token):
            otp_login(request, device)
            record_event(action="auth.totp_verified", actor=user, request=request)
            return True
    record_event(action="auth.totp_failed", actor=user, request=request)
    return False
