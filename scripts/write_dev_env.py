"""Write a .env with fresh development keys, once.

An existing .env keeps its values; a key it lacks (one added to the project since the file
was written) is appended with a fresh value, so that the settings start.
"""

import base64
import secrets
import sys
from pathlib import Path

target = Path(sys.argv[1] if len(sys.argv) > 1 else ".env")
fernet_key = base64.urlsafe_b64encode(secrets.token_bytes(32)).decode("ascii")
keys = {
    "SECRET_KEY": secrets.token_urlsafe(50),
    "HIMAYA_FIELD_KEYS": fernet_key,
    "HIMAYA_BLIND_INDEX_KEY": secrets.token_urlsafe(32),
    "HIMAYA_AUDIT_KEY": secrets.token_urlsafe(32),
}

if target.exists():
    text = target.read_text()
    lines = text.splitlines()
    present = {line.split("=", 1)[0].strip() for line in lines if "=" in line}
    missing = [name for name in keys if name not in present]
    if not missing:
        print(f"{target} exists; keys kept.")
        raise SystemExit(0)
    with target.open("a") as env_file:
        separator = "" if not text or text.endswith("\n") else "\n"
        env_file.write(separator + "".join(f"{name}={keys[name]}\n" for name in missing))
    print(f"{target} exists; keys kept, new development keys added: {', '.join(missing)}.")
    raise SystemExit(0)

target.write_text(
    "\n".join(
        [
            "# Development settings written by make run. Never use these keys in production.",
            "HIMAYA_ENV=dev",
            *(f"{name}={value}" for name, value in keys.items()),
            "# The demo's privileged users skip the second factor (refused in production).",
            "HIMAYA_DEMO_SKIP_OTP=true",
            "",
        ]
    )
)
target.chmod(0o600)
print(f"{target} written with new development keys.")
