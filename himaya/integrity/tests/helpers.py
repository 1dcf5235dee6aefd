"""Helpers of the integrity tests."""

import datetime as dt

from django.test import Client
from django_otp.plugins.otp_totp.models import TOTPDevice

from himaya.accounts.models import User
from himaya.cases.models import Case, PhaseChange


def signed_in(user: User) -> Client:
    """A client of its own for ``user``, signed in with the second factor verified."""
    client = Client()
    client.cookies["himaya_language"] = "en"
    client.force_login(user)
    device, _created = TOTPDevice.objects.get_or_create(user=user, name="test", confirmed=True)
    session = client.session
    session["otp_device_id"] = device.persistent_id
    session.save()
    return client


def with_phase_history(case: Case) -> Case:
    """Give a case built by a factory the phase history its phase implies."""
    PhaseChange.objects.create(
        case=case, from_phase="", to_phase="identification", changed_on=dt.date(2025, 9, 1)
    )
    if case.phase != "identification":
        PhaseChange.objects.create(
            case=case,
            from_phase="identification",
            to_phase=case.phase,
            changed_on=dt.date(2025, 9, 2),
        )
    return case
