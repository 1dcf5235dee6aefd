"""Second factor for privileged roles, and the end of idle sessions."""

import time
from collections.abc import Callable

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _

from himaya.accounts.rules import needs_second_factor, session_is_idle
from himaya.agencies.permissions import roles_of
from himaya.audit.actions import record_event

_OPEN_PREFIXES = ("/static/", "/i18n/")
_SECOND_FACTOR_PATHS = ("/accounts/second-factor/", "/accounts/logout/")


class SecondFactorMiddleware:
    """A user whose roles need TOTP reaches nothing but enrolment or verification
    until the session is verified."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        if (
            user.is_authenticated
            and not settings.DEMO_SKIP_OTP
            and not request.path.startswith(_OPEN_PREFIXES + _SECOND_FACTOR_PATHS)
            and needs_second_factor(roles_of(user))
            and not getattr(user, "is_verified", lambda: False)()
        ):
            return redirect("accounts:second_factor")
        return self.get_response(request)


class IdleTimeoutMiddleware:
    SESSION_KEY = "himaya_last_seen"
    REFRESH_SECONDS = 60

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.user.is_authenticated:
            now = time.time()
            last_seen = request.session.get(self.SESSION_KEY)
            if session_is_idle(
                last_seen=last_seen, now=now, limit_seconds=settings.IDLE_TIMEOUT_SECONDS
            ):
                record_event(action="auth.session_expired", actor=request.user, request=request)
                logout(request)
                messages.info(request, _("Your session ended after inactivity. Sign in again."))
                return redirect(settings.LOGIN_URL)
            # Refresh the mark at most once a minute, so that reads don't all write.
            if last_seen is None or now - last_seen >= self.REFRESH_SECONDS:
                request.session[self.SESSION_KEY] = now
        return self.get_response(request)
