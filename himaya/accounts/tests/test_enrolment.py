"""A password alone never enrols an authenticator: the first enrolment needs a one-time code
from an administrator, a replacement a code from the authenticator one has."""

from collections.abc import Callable

import pytest
import time_machine
from django.test import Client
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from himaya.accounts import actions
from himaya.accounts.models import EnrolmentCode, User
from himaya.accounts.tests.factories import PASSWORD
from himaya.agencies.models import Role
from himaya.audit.models import AuditEvent

pytestmark = pytest.mark.django_db

ENROL = "/accounts/second-factor/enrol/"
START = "2026-11-28 09:00 +0200"


def _code(device: TOTPDevice) -> str:
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):06d}"


def _sign_in(username: str) -> Client:
    client = Client()
    response = client.post("/accounts/login/", {"username": username, "password": PASSWORD})
    assert response.status_code == 302
    return client


def _refusals(user: User) -> list[str]:
    return list(
        AuditEvent.objects.filter(action="auth.totp_enrolment_refused", actor=user)
        .order_by("sequence")
        .values_list("details__reason", flat=True)
    )


@pytest.fixture
def administrator(make_persona: Callable[..., User]) -> User:
    return make_persona(Role.ADMINISTRATOR, username="admin_one")


def _enrol(client: Client, code: str) -> TOTPDevice:
    """Open an enrolment with ``code`` and confirm the new authenticator."""
    response = client.post(ENROL, {"code": code})
    assert (response.status_code, response.url) == (302, ENROL)
    page = client.get(ENROL)
    assert page.context["step"] == "scan"
    device = TOTPDevice.objects.get(confirmed=False, user__username=page.context["user"].username)
    response = client.post(ENROL, {"token": _code(device)})
    assert (response.status_code, response.url) == (302, "/")
    return device


def test_a_privileged_user_without_an_authenticator_is_asked_for_an_enrolment_code(
    supervisor,
) -> None:
    client = _sign_in("supervisor_a")
    assert client.get("/accounts/second-factor/").url == ENROL
    page = client.get(ENROL)
    assert page.status_code == 200
    assert page.context["step"] == "code"
    html = page.content.decode()
    assert 'data-testid="totp-secret"' not in html
    assert "رمز التسجيل" in html
    assert TOTPDevice.objects.filter(user=supervisor).count() == 0


def test_enrolment_without_a_code_is_refused_audited_and_changes_nothing(supervisor) -> None:
    client = _sign_in("supervisor_a")
    for data in ({"code": ""}, {"token": "123456"}, {}):
        response = client.post(ENROL, data)
        assert response.status_code == 200
        assert response.context["step"] == "code"
        assert "أدخل رمز التسجيل الذي أعطاك إياه المسؤول." in response.content.decode()
    assert TOTPDevice.objects.filter(user=supervisor).count() == 0
    assert client.get("/").status_code == 302
    assert _refusals(supervisor) == ["no_code", "no_code", "no_code"]


def test_enrolment_with_a_wrong_code_is_refused(supervisor, administrator) -> None:
    actions.issue_enrolment_code(user=supervisor, by=administrator)
    client = _sign_in("supervisor_a")
    response = client.post(ENROL, {"code": "AAAA-BBBB-CCCC"})
    assert response.status_code == 200
    assert "رمز التسجيل هذا غير صالح." in response.content.decode()
    assert TOTPDevice.objects.filter(user=supervisor).count() == 0
    assert EnrolmentCode.objects.get(user=supervisor).used_at is None
    assert _refusals(supervisor) == ["wrong_code"]


def test_enrolment_with_an_expired_code_is_refused(supervisor, administrator) -> None:
    with time_machine.travel(START, tick=False) as traveller:
        code = actions.issue_enrolment_code(user=supervisor, by=administrator)
        traveller.shift(72 * 3600 + 1)
        client = _sign_in("supervisor_a")
        response = client.post(ENROL, {"code": code})
    assert response.status_code == 200
    assert "انتهت صلاحية رمز التسجيل هذا" in response.content.decode()
    assert TOTPDevice.objects.filter(user=supervisor).count() == 0
    assert _refusals(supervisor) == ["expired"]


def test_a_valid_code_enrols_once_and_every_step_is_audited(supervisor, administrator) -> None:
    with time_machine.travel(START, tick=False):
        code = actions.issue_enrolment_code(user=supervisor, by=administrator)
        record = EnrolmentCode.objects.get(user=supervisor)
        assert code.replace("-", "") not in record.code_hash
        client = _sign_in("supervisor_a")
        device = _enrol(client, code.lower().replace("-", " "))
        assert client.get("/").status_code == 200

        device.refresh_from_db()
        record.refresh_from_db()
        assert device.confirmed
        assert record.used_at is not None

        # The same code never enrols a second authenticator.
        again = _sign_in("supervisor_a")
        response = again.post(ENROL, {"code": code})
        assert response.status_code == 200
        assert "استُخدم رمز التسجيل هذا من قبل" in response.content.decode()
    assert list(TOTPDevice.objects.filter(user=supervisor).values_list("pk", flat=True)) == [
        device.pk
    ]
    trail = list(
        AuditEvent.objects.filter(action__regex=r"^auth\.(totp|enrolment)")
        .order_by("sequence")
        .values_list("action", "actor__username")
    )
    assert trail == [
        ("auth.enrolment_code_issued", "admin_one"),
        ("auth.totp_enrolment_started", "supervisor_a"),
        ("auth.totp_enrolled", "supervisor_a"),
        ("auth.totp_enrolment_refused", "supervisor_a"),
    ]
    assert _refusals(supervisor) == ["used"]


def test_a_wrong_code_from_the_new_authenticator_confirms_nothing(
    supervisor, administrator
) -> None:
    with time_machine.travel(START, tick=False):
        code = actions.issue_enrolment_code(user=supervisor, by=administrator)
        client = _sign_in("supervisor_a")
        client.post(ENROL, {"code": code})
        device = TOTPDevice.objects.get(user=supervisor, confirmed=False)
        wrong = "000000" if _code(device) != "000000" else "111111"
        response = client.post(ENROL, {"token": wrong})
    assert response.status_code == 200
    assert "هذا الرمز غير صالح" in response.content.decode()
    assert not TOTPDevice.objects.get(pk=device.pk).confirmed
    assert EnrolmentCode.objects.get(user=supervisor).used_at is None
    assert client.get("/").status_code == 302
    assert AuditEvent.objects.filter(action="auth.totp_enrol_failed", actor=supervisor).count() == 1


def test_an_enrolment_opened_in_one_session_cannot_be_finished_in_another(
    supervisor, administrator
) -> None:
    with time_machine.travel(START, tick=False):
        code = actions.issue_enrolment_code(user=supervisor, by=administrator)
        owner = _sign_in("supervisor_a")
        owner.post(ENROL, {"code": code})
        device = TOTPDevice.objects.get(user=supervisor, confirmed=False)
        other = _sign_in("supervisor_a")
        page = other.get(ENROL)
        assert page.context["step"] == "code"
        assert 'data-testid="totp-secret"' not in page.content.decode()
        other.post(ENROL, {"token": _code(device)})
    assert not TOTPDevice.objects.get(pk=device.pk).confirmed
    assert other.get("/").status_code == 302


def test_a_newer_code_cancels_the_earlier_one(supervisor, administrator) -> None:
    first = actions.issue_enrolment_code(user=supervisor, by=administrator)
    actions.issue_enrolment_code(user=supervisor, by=administrator)
    response = _sign_in("supervisor_a").post(ENROL, {"code": first})
    assert "استُبدل رمز التسجيل هذا برمز أحدث" in response.content.decode()
    assert _refusals(supervisor) == ["revoked"]


def test_an_enrolled_user_replaces_the_authenticator_with_a_code_from_it(supervisor) -> None:
    old = TOTPDevice.objects.create(user=supervisor, name="old phone", confirmed=True)
    with time_machine.travel(START, tick=False):
        client = _sign_in("supervisor_a")
        new = _enrol(client, _code(old))
    assert list(TOTPDevice.objects.filter(user=supervisor).values_list("pk", flat=True)) == [new.pk]
    enrolled = AuditEvent.objects.get(action="auth.totp_enrolled")
    assert enrolled.details == {"by": "existing_factor", "replaced_devices": 1}


def test_an_administrator_issues_a_code_in_the_admin_shown_once(
    login, supervisor, administrator
) -> None:
    client = login(administrator)
    response = client.post(
        "/admin/accounts/user/",
        {"action": "issue_enrolment_code", "_selected_action": [str(supervisor.pk)]},
    )
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    code = response.context["code"]
    assert f'data-testid="enrolment-code">{code}<' in response.content.decode()
    record = EnrolmentCode.objects.get(user=supervisor)
    assert (record.issued_by, record.used_at) == (administrator, None)
    assert code not in record.code_hash
    event = AuditEvent.objects.get(action="auth.enrolment_code_issued")
    assert (event.actor, event.object_code) == (administrator, "supervisor_a")
    assert code not in str(event.details)


def test_an_administrator_cannot_issue_a_code_for_themselves(login, administrator) -> None:
    client = login(administrator)
    response = client.post(
        "/admin/accounts/user/",
        {"action": "issue_enrolment_code", "_selected_action": [str(administrator.pk)]},
        follow=True,
    )
    assert response.status_code == 200
    assert "لا يمكنك إصدار رمز تسجيل لنفسك" in response.content.decode()
    assert EnrolmentCode.objects.count() == 0
    event = AuditEvent.objects.get(action="auth.enrolment_code_refused")
    assert (event.actor, event.details["reason"]) == (administrator, "own_account")


def test_only_an_administrator_issues_codes(supervisor, case_worker) -> None:
    with pytest.raises(actions.EnrolmentRefused):
        actions.issue_enrolment_code(user=case_worker, by=supervisor)
    assert EnrolmentCode.objects.count() == 0


def test_the_demo_setting_still_skips_enrolment(client, supervisor, settings) -> None:
    settings.DEMO_SKIP_OTP = True
    client.post("/accounts/login/", {"username": "supervisor_a", "password": PASSWORD})
    assert client.get("/").status_code == 200


def test_the_set_up_command_prints_a_code_that_enrols_once(supervisor) -> None:
    import io

    from django.core.management import call_command

    out = io.StringIO()
    with time_machine.travel(START, tick=False):
        call_command("issue_enrolment_code", "supervisor_a", stdout=out)
        code = out.getvalue().split(": ")[1].split(" ")[0]
        _enrol(_sign_in("supervisor_a"), code)
    record = EnrolmentCode.objects.get(user=supervisor)
    assert (record.issued_by, record.used_at is not None) == (None, True)
    assert code not in record.code_hash


def test_a_password_set_in_the_admin_is_an_audit_event(login, case_worker, administrator) -> None:
    response = login(administrator).post(
        f"/admin/accounts/user/{case_worker.pk}/password/",
        {"password1": "Another-Long-Pass-2026", "password2": "Another-Long-Pass-2026"},
    )
    assert response.status_code == 302
    event = AuditEvent.objects.get(action="admin.changed")
    assert (event.actor, event.object_type, event.object_code) == (
        administrator,
        "accounts.user",
        str(case_worker.pk),
    )
    assert "Another-Long-Pass-2026" not in str(event.details)
