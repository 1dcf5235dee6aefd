import pytest
import time_machine
from django.conf import settings
from django.test import Client
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from himaya.accounts.tests.factories import PASSWORD
from himaya.agencies.models import Role
from himaya.audit.models import AuditEvent

pytestmark = pytest.mark.django_db


def _post_login(client: Client, username: str, password: str):
    return client.post("/accounts/login/", {"username": username, "password": password})


def _code(device: TOTPDevice) -> str:
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):06d}"


def test_a_case_worker_signs_in_and_the_event_is_audited(client, case_worker) -> None:
    response = _post_login(client, "case_worker_a", PASSWORD)
    assert response.status_code == 302
    assert response.url == "/"
    assert client.get("/").status_code == 200
    event = AuditEvent.objects.get(action="auth.login")
    assert (event.actor, event.ip_address) == (case_worker, "127.0.0.1")


def test_a_wrong_password_is_refused_in_arabic_and_audited(client, case_worker) -> None:
    response = _post_login(client, "case_worker_a", "wrong")
    assert response.status_code == 200
    assert "اسم المستخدم أو كلمة المرور غير صحيحة." in response.content.decode()
    assert "_auth_user_id" not in client.session
    assert list(AuditEvent.objects.values_list("action", "actor_username")) == [
        ("auth.login_failed", "case_worker_a")
    ]


def test_the_login_page_speaks_english_when_english_is_chosen(client) -> None:
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    html = client.get("/accounts/login/").content.decode()
    assert '<html lang="en" dir="ltr">' in html
    assert "Sign in to Himaya" in html


def test_repeated_failures_lock_the_account_even_for_the_right_password(
    client, case_worker
) -> None:
    for _ in range(settings.AXES_FAILURE_LIMIT):
        _post_login(client, "case_worker_a", "wrong")
    response = _post_login(client, "case_worker_a", PASSWORD)
    assert response.status_code == 429
    assert "أُقفل هذا الحساب لمدة ساعة" in response.content.decode()
    assert "_auth_user_id" not in client.session
    assert AuditEvent.objects.filter(action="auth.locked_out").exists()
    assert not AuditEvent.objects.filter(action="auth.login").exists()


def test_failures_below_the_limit_do_not_lock(client, case_worker) -> None:
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        _post_login(client, "case_worker_a", "wrong")
    assert _post_login(client, "case_worker_a", PASSWORD).status_code == 302


@pytest.mark.parametrize(
    ("role", "needs_totp"),
    [
        (Role.CASE_WORKER, False),
        (Role.SUPERVISOR, True),
        (Role.SHELTER_STAFF, False),
        (Role.FUND_OFFICER, False),
        (Role.FUND_APPROVER, True),
        (Role.EMPOWERMENT_OFFICER, False),
        (Role.GRANTS_OFFICER, False),
        (Role.PARTNER_STAFF, False),
        (Role.OPERATOR, True),
        (Role.ANALYST, False),
        (Role.AUDITOR, True),
        (Role.ADMINISTRATOR, True),
    ],
)
def test_privileged_roles_reach_nothing_before_the_second_factor(
    client, make_persona, role, needs_totp
) -> None:
    user = make_persona(role, username="person")
    _post_login(client, "person", PASSWORD)
    response = client.get("/")
    if needs_totp:
        assert (response.status_code, response.url) == (302, "/accounts/second-factor/")
    else:
        assert response.status_code == 200
    assert user.is_authenticated


def test_an_enrolled_supervisor_verifies_a_code_at_each_sign_in(client, supervisor) -> None:
    device = TOTPDevice.objects.create(user=supervisor, name="phone", confirmed=True)
    _post_login(client, "supervisor_a", PASSWORD)
    page = client.get("/accounts/second-factor/")
    assert page.context["step"] == "verify"
    bad = client.post("/accounts/second-factor/", {"token": "12ab56"})
    assert "أدخل الأرقام الستة" in bad.content.decode()
    response = client.post("/accounts/second-factor/", {"token": _code(device)})
    assert response.status_code == 302
    assert client.get("/").status_code == 200


def test_the_demo_setting_lets_privileged_users_skip_the_second_factor(
    client, supervisor, settings
) -> None:
    settings.DEMO_SKIP_OTP = True
    _post_login(client, "supervisor_a", PASSWORD)
    assert client.get("/").status_code == 200


def test_an_idle_session_ends_and_the_expiry_is_audited(client, case_worker, settings) -> None:
    with time_machine.travel("2026-11-28 09:00 +0200", tick=False) as traveller:
        _post_login(client, "case_worker_a", PASSWORD)
        assert client.get("/").status_code == 200
        traveller.shift(settings.IDLE_TIMEOUT_SECONDS - 60)
        assert client.get("/").status_code == 200
        traveller.shift(settings.IDLE_TIMEOUT_SECONDS + 1)
        response = client.get("/")
    assert (response.status_code, response.url) == (302, "/accounts/login/")
    assert "_auth_user_id" not in client.session
    assert AuditEvent.objects.filter(action="auth.session_expired", actor=case_worker).count() == 1


def test_sign_out_is_a_post_and_is_audited(client, case_worker) -> None:
    _post_login(client, "case_worker_a", PASSWORD)
    response = client.post("/accounts/logout/")
    assert response.status_code == 302
    assert client.get("/").status_code == 302
    assert AuditEvent.objects.filter(action="auth.logout", actor=case_worker).count() == 1


def test_passwords_are_hashed_with_argon2_outside_tests(settings) -> None:
    from himaya import settings as project_settings

    production_hashers = [h for h in project_settings.PASSWORD_HASHERS if "MD5" not in h]
    assert production_hashers[0] == "django.contrib.auth.hashers.Argon2PasswordHasher"
