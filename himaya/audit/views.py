from django.contrib.auth.decorators import login_required, permission_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from himaya.audit.forms import EventFilterForm
from himaya.audit.selectors import events_visible_to, filter_events


@login_required
@permission_required("audit.view_trail", raise_exception=True)
def event_list(request: HttpRequest) -> HttpResponse:
    form = EventFilterForm(request.GET or None)
    events = events_visible_to(request.user)
    if form.is_valid():
        events = filter_events(events, **form.cleaned_data)
    elif form.is_bound:
        events = events.none()
    page = Paginator(events.select_related("actor"), 50).get_page(request.GET.get("page"))
    template = "audit/partials/events.html" if request.htmx else "audit/events.html"  # type: ignore[attr-defined]
    # The pages keep the filters: their links carry the query without the page number.
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, template, {"form": form, "page": page, "query": query.urlencode()})
