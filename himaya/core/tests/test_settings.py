"""Production refuses to start with anything unsafe, and passes Django's deployment check.

Each case starts the settings in a fresh process with a valid production environment in
which exactly one variable is missing or unsafe; the refusal must name that variable.
"""

import os
import re
import secrets
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
from cryptography.fernet import Fernet

from himaya import settings as project_settings

ROOT = Path(__file__).resolve().parents[3]

# Everything the settings read that could leak in from the shell running the tests.
SETTINGS_VARIABLES = (
    "DATABASE_URL",
    "ALLOWED_HOSTS",
    "DEBUG",
    "SECRET_KEY",
    "CSRF_TRUSTED_ORIGINS",
    "SECURE_SSL_REDIRECT",
    "SECURE_HSTS_SECONDS",
    "SECURE_PROXY_SSL_HEADER",
    "DJANGO_ALLOW_ASYNC_UNSAFE",
)


def _run(
    code: list[str], env: dict[str, str], cwd: Path | str = "/"
) -> subprocess.CompletedProcess[str]:
    clean = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith("HIMAYA_") and k not in SETTINGS_VARIABLES
    }
    return subprocess.run(  # noqa: S603 (the test's own interpreter and arguments)
        [sys.executable, *code],
        cwd=cwd,  # away from the project's .env unless asked
        env={
            **clean,
            "PYTHONPATH": str(ROOT),
            "DJANGO_SETTINGS_MODULE": "himaya.settings",
            "HIMAYA_SKIP_DOTENV": "1",
            **env,
        },
        capture_output=True,
        text=True,
        check=False,
    )


def _load_settings(env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return _run(["-c", "from django.conf import settings; settings.SECRET_KEY"], env)


def _production() -> dict[str, str]:
    """A valid production environment with fresh keys."""
    return {
        "HIMAYA_ENV": "production",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "HIMAYA_FIELD_KEYS": Fernet.generate_key().decode(),
        "HIMAYA_BLIND_INDEX_KEY": secrets.token_urlsafe(32),
        "HIMAYA_AUDIT_KEY": secrets.token_urlsafe(32),
        "DATABASE_URL": "postgres://himaya@127.0.0.1:5432/himaya",
        "ALLOWED_HOSTS": "himaya.example.org",
    }


TEST_FIELD_KEY = "Jm8nN0Zw7rY0qW1l0c9dQ2s6vZ3xK4b5n6m7a8s9d0E="
UNSET = None
REUSED_KEY = secrets.token_urlsafe(32)

UNSAFE: list[tuple[str, dict[str, str | None], str]] = [
    ("no-database-url", {"DATABASE_URL": UNSET}, "DATABASE_URL is required in production"),
    ("no-allowed-hosts", {"ALLOWED_HOSTS": UNSET}, "ALLOWED_HOSTS must list"),
    ("any-host", {"ALLOWED_HOSTS": "*"}, "ALLOWED_HOSTS must list"),
    ("debug", {"DEBUG": "true"}, "DEBUG must be false in production"),
    ("no-secret-key", {"SECRET_KEY": UNSET}, "SECRET_KEY is required in production"),
    ("short-secret-key", {"SECRET_KEY": secrets.token_urlsafe(30)}, "SECRET_KEY is too weak"),
    ("repetitive-secret-key", {"SECRET_KEY": "abcd" * 20}, "SECRET_KEY is too weak"),
    (
        "dev-secret-key",
        {"SECRET_KEY": "dev-only-secret-key-never-used-in-production"},
        "SECRET_KEY is too weak",
    ),
    (
        "test-secret-key",
        {"SECRET_KEY": "test-secret-key-not-for-production"},
        "SECRET_KEY is too weak",
    ),
    (
        "long-test-secret-key",
        {"SECRET_KEY": "test-secret-key-not-for-production-0123456789abcdefgh"},
        "SECRET_KEY is too weak",
    ),
    (
        "insecure-secret-key",
        {"SECRET_KEY": "django-insecure-" + secrets.token_urlsafe(50)},
        "SECRET_KEY is too weak",
    ),
    ("no-field-keys", {"HIMAYA_FIELD_KEYS": UNSET}, "HIMAYA_FIELD_KEYS must be set"),
    (
        "malformed-field-key",
        {"HIMAYA_FIELD_KEYS": "not-a-fernet-key"},
        "HIMAYA_FIELD_KEYS must hold only Fernet keys",
    ),
    (
        "test-field-key",
        {"HIMAYA_FIELD_KEYS": TEST_FIELD_KEY},
        "HIMAYA_FIELD_KEYS holds a public (committed) key",
    ),
    (
        "test-field-key-among-old-keys",
        {"HIMAYA_FIELD_KEYS": f"{Fernet.generate_key().decode()},{TEST_FIELD_KEY}"},
        "HIMAYA_FIELD_KEYS holds a public (committed) key",
    ),
    ("no-blind-index-key", {"HIMAYA_BLIND_INDEX_KEY": UNSET}, "HIMAYA_BLIND_INDEX_KEY must be set"),
    (
        "short-blind-index-key",
        {"HIMAYA_BLIND_INDEX_KEY": "k"},
        "HIMAYA_BLIND_INDEX_KEY is too weak",
    ),
    (
        "repetitive-blind-index-key",
        {"HIMAYA_BLIND_INDEX_KEY": "ab" * 30},
        "HIMAYA_BLIND_INDEX_KEY is too weak",
    ),
    (
        "test-blind-index-key",
        {"HIMAYA_BLIND_INDEX_KEY": "test-blind-index-key-not-for-production"},
        "HIMAYA_BLIND_INDEX_KEY is too weak or public",
    ),
    ("no-audit-key", {"HIMAYA_AUDIT_KEY": UNSET}, "HIMAYA_AUDIT_KEY must be set"),
    (
        "short-audit-key",
        {"HIMAYA_AUDIT_KEY": secrets.token_urlsafe(16)},
        "HIMAYA_AUDIT_KEY is too weak",
    ),
    (
        "test-audit-key",
        {"HIMAYA_AUDIT_KEY": "test-audit-key-not-for-production"},
        "HIMAYA_AUDIT_KEY is too weak or public",
    ),
    (
        "audit-key-reused",
        {"HIMAYA_AUDIT_KEY": REUSED_KEY, "HIMAYA_BLIND_INDEX_KEY": REUSED_KEY},
        "SECRET_KEY, HIMAYA_BLIND_INDEX_KEY and HIMAYA_AUDIT_KEY must differ",
    ),
    ("demo-shortcut", {"HIMAYA_DEMO_SKIP_OTP": "true"}, "HIMAYA_DEMO_SKIP_OTP is refused"),
    ("short-hsts", {"SECURE_HSTS_SECONDS": "3600"}, "SECURE_HSTS_SECONDS must be at least"),
    (
        "malformed-proxy-header",
        {"SECURE_PROXY_SSL_HEADER": "HTTP_X_FORWARDED_PROTO"},
        "SECURE_PROXY_SSL_HEADER must be two values",
    ),
]


@pytest.mark.parametrize(
    ("change", "message"), [(c, m) for _, c, m in UNSAFE], ids=[i for i, _, _ in UNSAFE]
)
def test_production_refuses_an_unsafe_value_and_names_it(
    change: dict[str, str | None], message: str
) -> None:
    env = _production()
    for name, value in change.items():
        if value is None:
            env.pop(name)
        else:
            env[name] = value
    result = _load_settings(env)
    assert result.returncode == 1
    assert "ImproperlyConfigured" in result.stderr
    assert message in result.stderr


def test_production_reports_every_unsafe_value_at_once() -> None:
    env = {**_production(), "DEBUG": "true", "SECRET_KEY": "change-me"}
    env.pop("DATABASE_URL")
    result = _load_settings(env)
    assert result.returncode == 1
    for message in ("DEBUG must be false", "SECRET_KEY is too weak", "DATABASE_URL is required"):
        assert message in result.stderr


def test_every_environment_needs_the_audit_key() -> None:
    env = {
        "HIMAYA_ENV": "dev",
        "HIMAYA_FIELD_KEYS": TEST_FIELD_KEY,
        "HIMAYA_BLIND_INDEX_KEY": "dev-blind-index-key",
    }
    result = _load_settings(env)
    assert result.returncode == 1
    assert "HIMAYA_AUDIT_KEY must be set" in result.stderr
    assert _load_settings({**env, "HIMAYA_AUDIT_KEY": "dev-audit-key"}).returncode == 0


def test_production_starts_with_real_keys() -> None:
    result = _run(["-c", "import django; django.setup()"], _production())
    assert result.returncode == 0, result.stderr


def test_production_settings_pass_the_deployment_check_without_warnings() -> None:
    result = _run(
        ["manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        {**_production(), "SECURE_PROXY_SSL_HEADER": "HTTP_X_FORWARDED_PROTO,https"},
        cwd=ROOT,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "System check identified no issues (0 silenced)."
    assert "WARNING" not in result.stderr


def test_production_turns_on_https_only_transport() -> None:
    code = (
        "from django.conf import settings as s; "
        "print(s.SECURE_HSTS_SECONDS, s.SECURE_HSTS_INCLUDE_SUBDOMAINS, s.SECURE_HSTS_PRELOAD, "
        "s.SECURE_SSL_REDIRECT, s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, "
        "s.LANGUAGE_COOKIE_SECURE, s.SECURE_PROXY_SSL_HEADER)"
    )
    result = _run(
        ["-c", code], {**_production(), "SECURE_PROXY_SSL_HEADER": "HTTP_X_FORWARDED_PROTO,https"}
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split(" ", 7) == [
        "31536000",
        "True",
        "True",
        "True",
        "True",
        "True",
        "True",
        "('HTTP_X_FORWARDED_PROTO', 'https')\n",
    ]


KEY_VARIABLES = ("SECRET_KEY", "HIMAYA_FIELD_KEYS", "HIMAYA_BLIND_INDEX_KEY", "HIMAYA_AUDIT_KEY")


def _committed_values() -> set[str]:
    values: list[str] = []
    pytest_env = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["pytest_env"]
    values += [str(pytest_env[name]) for name in KEY_VARIABLES]
    assignment = re.compile(rf"\b({'|'.join(KEY_VARIABLES)})=(\S*)")
    for name in ("Makefile", ".ci/run", ".env.example"):
        values += [
            value
            for _, value in assignment.findall((ROOT / name).read_text())
            if not value.lstrip('"').startswith("$(")  # drawn afresh on each run, not committed
        ]
    default = re.compile(rf'setdefault\("({"|".join(KEY_VARIABLES)})", "([^"]*)"\)')
    values += [value for _, value in default.findall((ROOT / "benchmarks/run.py").read_text())]
    return {part for value in values for part in value.split(",") if part.strip(" \\")}


def test_every_committed_key_is_known_to_production_as_public() -> None:
    committed = _committed_values()
    assert "test-audit-key-not-for-production" in committed
    assert committed <= project_settings.PUBLIC_SECRETS
