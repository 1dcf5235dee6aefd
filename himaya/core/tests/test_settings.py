"""Production refuses to start without real secrets or with demo shortcuts."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]


def _start(env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("HIMAYA_", "SECRET_KEY"))}
    return subprocess.run(
        [sys.executable, "-c", "import django; django.setup()"],
        cwd="/",  # away from the project's .env
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


KEYS = {
    "HIMAYA_FIELD_KEYS": "Jm8nN0Zw7rY0qW1l0c9dQ2s6vZ3xK4b5n6m7a8s9d0E=",
    "HIMAYA_BLIND_INDEX_KEY": "k",
    "SECRET_KEY": "s" * 50,
}


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({**KEYS, "SECRET_KEY": ""}, "SECRET_KEY is required in production"),
        ({**KEYS, "HIMAYA_FIELD_KEYS": ""}, "HIMAYA_FIELD_KEYS and HIMAYA_BLIND_INDEX_KEY"),
        ({**KEYS, "HIMAYA_BLIND_INDEX_KEY": ""}, "HIMAYA_FIELD_KEYS and HIMAYA_BLIND_INDEX_KEY"),
        ({**KEYS, "HIMAYA_DEMO_SKIP_OTP": "true"}, "HIMAYA_DEMO_SKIP_OTP is refused"),
    ],
)
def test_production_refuses_to_start(env: dict[str, str], message: str) -> None:
    result = _start({"HIMAYA_ENV": "production", **env})
    assert result.returncode == 1
    assert message in result.stderr


def test_production_starts_with_real_keys() -> None:
    result = _start({"HIMAYA_ENV": "production", **KEYS})
    assert result.returncode == 0, result.stderr
