"""Project-wide middleware: the chosen language, and no caching of personal data.

Language: Arabic unless the person chose English on a page. The choice made with the
language switch (a cookie) is the only input; the browser's Accept-Language header is
ignored, so that the system opens in Arabic everywhere.
"""

from collections.abc import Callable
from urllib.parse import urlsplit

from django.conf import settings
from django.http import HttpRequest, HttpResponseBase
from django.middleware.locale import LocaleMiddleware
from django.utils import translation


class ChosenLanguageMiddleware(LocaleMiddleware):
    def process_request(self, request: HttpRequest) -> None:
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME, "")
        supported = {code for code, _name in settings.LANGUAGES}
        language = chosen if chosen in supported else settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = translation.get_language()


def _static_prefix() -> str:
    path = urlsplit(str(settings.STATIC_URL or "")).path
    return "/" + path.strip("/") + "/" if path.strip("/") else ""


def _signed_in(request: HttpRequest) -> bool:
    user = getattr(request, "user", None)
    return bool(user is not None and user.is_authenticated)


class NoStoreMiddleware:
    """No browser or proxy keeps a copy of personal data.

    Every answer to a signed-in person, and every API answer (paths with an ``/api/``
    segment, the schema included), carries ``Cache-Control: no-store, private``, replacing
    whatever the view set. Static files are the exception: whitenoise serves them before
    this middleware, and any other answer under ``STATIC_URL`` is left as it is.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response
        self.static_prefix = _static_prefix()

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        signed_in_before = _signed_in(request)
        response = self.get_response(request)
        if self.static_prefix and request.path.startswith(self.static_prefix):
            return response
        if signed_in_before or _signed_in(request) or "/api/" in request.path_info:
            response["Cache-Control"] = "no-store, private"
        return response
