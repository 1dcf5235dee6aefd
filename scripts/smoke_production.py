"""A production smoke test: Himaya as a national installation runs it, end to end.

Production settings (``HIMAYA_ENV=production``, fresh random keys) on PostgreSQL and Redis;
``migrate`` and ``collectstatic``; gunicorn serving on loopback and the task consumer
(``run_huey``) beside it. Then, from outside, over HTTP as a reverse proxy that terminates
TLS would speak (``X-Forwarded-Proto: https``): the sign-in page, a sign-in as a case
worker, the worklist; then the daily indicator job, sent through the Redis queue and run
by the consumer; then both processes are stopped with the signals an operator uses, and
must stop cleanly. Any step that fails stops the test with a non-zero exit and says which.

    python scripts/smoke_production.py [--database himaya_smoke] [--port 8899]

Needs the PostgreSQL server (127.0.0.1:5432, user postgres) and Redis (127.0.0.1:6379;
database 14 is used and emptied).
"""

# The processes started are this project's own commands and the machine's psql and
# redis-cli, with fixed arguments: nothing comes from outside.
# ruff: noqa: S603, S607

import argparse
import base64
import http.client
import os
import re
import secrets
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parents[1]
PYTHON = str(ROOT / ".venv" / "bin" / "python")
GUNICORN = str(ROOT / ".venv" / "bin" / "gunicorn")
USERNAME = "smoke.worker"
PASSWORD = secrets.token_urlsafe(18)

SETUP_USER = f"""
from himaya.accounts.models import User
from himaya.agencies.models import Agency, AgencyKind, Governorate, Membership, Role
governorate = Governorate.objects.order_by("pk").first()
agency, _ = Agency.objects.get_or_create(
    name_en="Smoke test directorate",
    defaults=dict(
        name_ar="مديرية اختبار التشغيل", kind=AgencyKind.DIRECTORATE, governorate=governorate
    ),
)
user, _ = User.objects.get_or_create(username="{USERNAME}")
user.set_password("{PASSWORD}")
user.save()
Membership.objects.get_or_create(user=user, agency=agency, role=Role.CASE_WORKER)
"""

# The queue keeps no results (settings.HUEY): the consumer's record of the run is the answer.
RUN_DAILY_JOB = """
import time
from himaya.jobs.models import JobRun, RunStatus
from himaya.monitoring.tasks import compute_daily_indicators
compute_daily_indicators()
for _ in range(240):
    run = JobRun.objects.filter(task_name="compute_daily_indicators").order_by("-pk").first()
    if run is not None and run.status != RunStatus.RUNNING:
        break
    time.sleep(0.5)
print("the consumer recorded the daily job as", run.status if run else None)
assert run is not None and run.status == RunStatus.OK, run
"""


def step(message: str) -> None:
    print(f"-- {message}", flush=True)


def fail(message: str) -> None:
    print(f"SMOKE TEST FAILED: {message}", file=sys.stderr, flush=True)
    raise SystemExit(1)


def production_environment(database: str) -> dict[str, str]:
    fernet_key = base64.urlsafe_b64encode(secrets.token_bytes(32)).decode()
    return {
        **os.environ,
        "HIMAYA_ENV": "production",
        "HIMAYA_SKIP_DOTENV": "1",
        "DEBUG": "false",
        "SECRET_KEY": secrets.token_urlsafe(60),
        "HIMAYA_FIELD_KEYS": fernet_key,
        "HIMAYA_BLIND_INDEX_KEY": secrets.token_urlsafe(40),
        "HIMAYA_AUDIT_KEY": secrets.token_urlsafe(40),
        "DATABASE_URL": f"postgres://postgres@127.0.0.1:5432/{database}",
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "SECURE_PROXY_SSL_HEADER": "HTTP_X_FORWARDED_PROTO,https",
        "HIMAYA_REDIS_URL": "redis://127.0.0.1:6379/14",
        "HIMAYA_HUEY_IMMEDIATE": "false",
        "HIMAYA_AUDIT_ANCHOR_PATH": str(Path(tempfile.mkdtemp()) / "anchors.log"),
    }


def manage(env: dict[str, str], *args: str, stdin: str | None = None) -> str:
    done = subprocess.run(
        [PYTHON, "manage.py", *args],
        cwd=ROOT,
        env=env,
        input=stdin,
        capture_output=True,
        text=True,
        timeout=600,
    )
    if done.returncode != 0:
        fail(f"manage.py {' '.join(args)}:\n{done.stdout}\n{done.stderr}")
    return done.stdout


def psql(command: str) -> None:
    subprocess.run(
        ["psql", "-h", "127.0.0.1", "-U", "postgres", "-qc", command],
        check=True,
        capture_output=True,
    )


class Browser:
    """Requests as a TLS-terminating proxy forwards them; cookies kept by hand (they are
    Secure, so a client library would not send them over plain HTTP)."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.cookies: dict[str, str] = {}

    def request(
        self, method: str, path: str, body: dict[str, str] | None = None
    ) -> tuple[int, dict[str, str], str]:
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        headers = {
            "Host": "localhost",
            "X-Forwarded-Proto": "https",
            "Accept-Language": "ar",
            "Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items()),
        }
        payload = None
        if body is not None:
            payload = urlencode(body)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
            headers["Referer"] = f"https://localhost{path}"
            headers["Origin"] = "https://localhost"
        connection.request(method, path, payload, headers)
        response = connection.getresponse()
        for name, value in response.getheaders():
            if name.lower() == "set-cookie":
                key, _, rest = value.partition("=")
                self.cookies[key] = rest.split(";", 1)[0]
        text = response.read().decode("utf-8", "replace")
        answer = (response.status, {k.lower(): v for k, v in response.getheaders()}, text)
        connection.close()
        return answer


def wait_until_served(browser: Browser, server: subprocess.Popen[bytes]) -> None:
    for _ in range(60):
        if server.poll() is not None:
            fail(f"gunicorn stopped with exit code {server.returncode}")
        try:
            status, _headers, _text = browser.request("GET", "/accounts/login/")
            if status == 200:
                return
        except OSError:
            pass
        time.sleep(0.5)
    fail("gunicorn did not answer within 30 seconds")


def stop(process: subprocess.Popen[bytes], sig: int, name: str) -> None:
    process.send_signal(sig)
    try:
        code = process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        process.kill()
        fail(f"{name} did not stop within 30 seconds")
    if code not in (0, -sig):
        fail(f"{name} stopped with exit code {code}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", default="himaya_smoke")
    parser.add_argument("--port", type=int, default=8899)
    options = parser.parse_args()
    env = production_environment(options.database)

    step(f"fresh PostgreSQL database {options.database}, Redis database 14 emptied")
    psql(f"DROP DATABASE IF EXISTS {options.database}")
    psql(f"CREATE DATABASE {options.database}")
    subprocess.run(["redis-cli", "-n", "14", "FLUSHDB"], check=True, capture_output=True)

    step("production settings pass the deployment checks")
    manage(env, "check", "--deploy", "--fail-level", "WARNING")
    step("migrate, collectstatic, a case worker")
    manage(env, "migrate", "--no-input", "-v", "0")
    manage(env, "collectstatic", "--no-input", "-v", "0")
    manage(env, "shell", stdin=SETUP_USER)

    step(f"gunicorn on 127.0.0.1:{options.port} and the task consumer on Redis")
    server = subprocess.Popen(
        [GUNICORN, "himaya.wsgi", "-b", f"127.0.0.1:{options.port}", "-w", "2"],
        cwd=ROOT,
        env=env,
    )
    consumer = subprocess.Popen([PYTHON, "manage.py", "run_huey"], cwd=ROOT, env=env)
    try:
        browser = Browser(options.port)
        wait_until_served(browser, server)

        step("plain HTTP is sent to HTTPS")
        plain = http.client.HTTPConnection("127.0.0.1", options.port, timeout=30)
        plain.request("GET", "/accounts/login/", headers={"Host": "localhost"})
        redirect = plain.getresponse()
        if redirect.status != 301 or not redirect.getheader("Location", "").startswith("https://"):
            fail(f"plain HTTP answered {redirect.status} {redirect.getheader('Location')}")
        plain.close()

        step("sign in as a case worker")
        status, headers, text = browser.request("GET", "/accounts/login/")
        if "strict-transport-security" not in headers:
            fail("no HSTS header on the sign-in page")
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', text)
        if status != 200 or token is None:
            fail(f"sign-in page answered {status} without a form")
        status, headers, _text = browser.request(
            "POST",
            "/accounts/login/",
            {"csrfmiddlewaretoken": token[1], "username": USERNAME, "password": PASSWORD},
        )
        if status != 302:
            fail(f"sign-in answered {status}")

        step("the worklist, in Arabic")
        status, headers, text = browser.request("GET", "/cases/queue/")
        if status != 200 or 'dir="rtl"' not in text:
            fail(f"the worklist answered {status}")
        if "no-store" not in headers.get("cache-control", ""):
            fail("the worklist may be cached")
        status, _headers, _text = browser.request("GET", "/static/core/himaya.css")
        if status != 200:
            fail(f"a static file answered {status}")

        step("the daily indicator job through the Redis queue")
        print(manage(env, "shell", stdin=RUN_DAILY_JOB).strip())
    finally:
        step("stop: SIGTERM to gunicorn, SIGINT to the consumer")
        if server.poll() is None:
            stop(server, signal.SIGTERM, "gunicorn")
        if consumer.poll() is None:
            stop(consumer, signal.SIGINT, "the task consumer")
    psql(f"DROP DATABASE IF EXISTS {options.database}")
    print("production smoke test passed", flush=True)


if __name__ == "__main__":
    main()
