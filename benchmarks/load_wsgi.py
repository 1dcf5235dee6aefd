"""The project's WSGI application with one more URL: the bare view of the load benchmark.

The bare view runs through the same middleware as every page (session, sign-in, second
factor, language) and answers with one indexed query, so that a page's time divided by
the bare view's is what the page itself costs.
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

from himaya.cases.models import Case  # noqa: E402


@login_required
def bare(request: HttpRequest) -> HttpResponse:
    found = Case.objects.filter(code=request.GET.get("code", "")).values_list("id", flat=True)
    return HttpResponse(f"{found.first()}", content_type="text/plain")


urlpatterns = [path("load-bare/", bare), path("", include(settings.ROOT_URLCONF))]
settings.ROOT_URLCONF = __name__
application = get_wsgi_application()
