"""Authentication events go into the audit trail.

These receivers listen to Django's and django-axes' authentication signals, which are
the only way those frameworks report them; no domain logic hangs on signals.
"""

from typing import Any

from axes.signals import user_locked_out
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver
from django.http import HttpRequest

from himaya.audit.actions import record_event


@receiver(user_logged_in)
def _logged_in(sender: Any, request: HttpRequest, user: Any, **_: Any) -> None:
    record_event(action="auth.login", actor=user, request=request)


@receiver(user_logged_out)
def _logged_out(sender: Any, request: HttpRequest, user: Any, **_: Any) -> None:
    if user is not None:
        record_event(action="auth.logout", actor=user, request=request)


@receiver(user_login_failed)
def _login_failed(
    sender: Any, credentials: dict[str, Any], request: HttpRequest | None = None, **_: Any
) -> None:
    record_event(
        action="auth.login_failed",
        actor_username=str(credentials.get("username", ""))[:150],
        request=request,
    )


@receiver(user_locked_out)
def _locked_out(sender: Any, request: HttpRequest, username: str | None = None, **_: Any) -> None:
    record_event(action="auth.locked_out", actor_username=(username or "")[:150], request=request)
