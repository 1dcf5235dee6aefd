"""The error pages: 400, 403, 404, 500 and a refused form (CSRF).

Under an API prefix each answers problem details (``core.problems``), never an HTML page.
Elsewhere the page is in the normal layout, in the reader's language, with a way back.
The 404 page is the same for a missing record and one outside the reader's scope: its
text never says which.

The 500 page is rendered from a standalone template without the request's context
processors, so that it needs no database query and shows even when the database is down.
"""

from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import DisallowedHost
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.template import loader
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import get_language, get_language_bidi
from django.utils.translation import gettext as _

from himaya.core.problems import CONTENT_TYPE, is_api_path, problem


def _problem(status: int, detail: str) -> JsonResponse:
    return JsonResponse(
        problem(status, detail),
        status=status,
        content_type=CONTENT_TYPE,
        json_dumps_params={"ensure_ascii": False},
    )


def _back_url(request: HttpRequest) -> str:
    """The page the reader came from, when it is one of this site's own; else empty."""
    referer = request.META.get("HTTP_REFERER", "")
    try:
        host = request.get_host()
    except DisallowedHost:
        return ""
    same_site = url_has_allowed_host_and_scheme(
        referer, allowed_hosts={host}, require_https=request.is_secure()
    )
    return referer if referer and same_site else ""


def _page(request: HttpRequest, template: str, status: int) -> HttpResponse:
    """An error page in the layout. A request refused before authentication (a bad host
    name, for one) has no user yet: it is shown as to someone signed out."""
    if not hasattr(request, "user"):
        request.user = AnonymousUser()
    # The address typed may carry a search for a name: an error page never writes its query
    # string back into the page (the language switch returns to the bare path).
    context = {"back_url": _back_url(request), "language_next": request.path}
    return render(request, template, context, status=status)


def bad_request(request: HttpRequest, exception: Exception) -> HttpResponse:
    if is_api_path(request.path):
        return _problem(400, _("The request could not be understood."))
    return _page(request, "errors/400.html", 400)


def permission_denied(request: HttpRequest, exception: Exception) -> HttpResponse:
    if is_api_path(request.path):
        return _problem(403, _("You may not do this."))
    return _page(request, "errors/403.html", 403)


def not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    """The same answer for a missing record and one the reader may not see."""
    if is_api_path(request.path):
        return _problem(404, _("There is nothing at this address."))
    return _page(request, "errors/404.html", 404)


def server_error(request: HttpRequest) -> HttpResponse:
    """No context processor, no session, no database: only the language and the text."""
    if is_api_path(request.path):
        return _problem(500, _("Something went wrong on our side. Try again in a moment."))
    template = loader.get_template("errors/500.html")
    body = template.render(
        {"LANGUAGE_CODE": get_language() or "ar", "LANGUAGE_BIDI": get_language_bidi()}
    )
    return HttpResponse(body, status=500)


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """A form sent with an expired or missing security token (``CSRF_FAILURE_VIEW``)."""
    if is_api_path(request.path):
        return _problem(403, _("The security token of the request is missing or expired."))
    return _page(request, "errors/csrf.html", 403)
