"""Write a .env with fresh development keys, once; an existing .env is left alone."""

import base64
import secrets
import sys
from pathlib import Path

target = Path(sys.argv[1] if len(sys.argv) > 1 else ".env")
if target.exists():
    print(f"{target} exists; keys kept.")
    raise SystemExit(0)
fernet_key = base64.urlsafe_b64encode(secrets.token_bytes(32)).decode("ascii")
target.write_text(
    "\n".join(
        [
            "# Development settings written by make run. Never use these keys in production.",
            "HIMAYA_ENV=dev",
            f"SECRET_KEY={secrets.token_urlsafe(50)}",
            f"HIMAYA_FIELD_KEYS={fernet_key}",
            f"HIMAYA_BLIND_INDEX_KEY={secrets.token_urlsafe(32)}",
            "# The demo's privileged users skip the second factor (refused in production).",
            "HIMAYA_DEMO_SKIP_OTP=true",
            "",
        ]
    )
)
target.chmod(0o600)
print(f"{target} written with new development keys.")
