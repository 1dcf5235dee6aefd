from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from himaya.agencies.selectors import active_memberships
from himaya.core import nav


@login_required
def home(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "core/home.html",
        {
            "memberships": list(active_memberships(request.user)),
            "work_items": [item for item in nav.items_for(request.user) if item.key != "home"],
        },
    )
