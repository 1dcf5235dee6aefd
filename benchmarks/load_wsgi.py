"""The project's WSGI application with two more URLs: the bare views of the load benchmark.

The bare view runs through the same middleware as every page (session, sign-in, second
factor, language) and answers with one indexed query, so that a page's time divided by
the bare view's is what the page itself costs. The audited bare view also appends one row
to the audit trail as a reading, as every search and every read of identifying data does:
what such a page costs beyond its audit row is its time divided by this view's.
"""

import os

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "himaya.settings")

import django

django.setup()

from django.conf import settings  # noqa: E402
from django.contrib.auth.decorators import login_required  # noqa: E402
from django.core.wsgi import get_wsgi_application  # noqa: E402
from django.http import HttpRequest, HttpResponse  # noqa: E402
from django.urls import include, path  # noqa: E402

from himaya.audit.actions import record_reading  # noqa: E402
from himaya.cases.models import Case  # noqa: E402


@login_required
def bare(request: HttpRequest) -> HttpResponse:
    found = Case.objects.filter(code=request.GET.get("code", "")).values_list("id", flat=True)
    return HttpResponse(f"{found.first()}", content_type="text/plain")


@login_required
def bare_audited(request: HttpRequest) -> HttpResponse:
    found = Case.objects.filter(code=request.GET.get("code", "")).values_list("id", flat=True)
    record_reading(
        action="load.bare_viewed", actor=request.user, object_type="load", request=request
    )
    return HttpResponse(f"{found.first()}", content_type="text/plain")


urlpatterns = [
    path("load-bare/", bare),
    path("load-bare-audited/", bare_audited),
    path("", include(settings.ROOT_URLCONF)),
]
settings.ROOT_URLCONF = __name__
application = get_wsgi_application()
