from django.contrib.auth.decorators import login_required, permission_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _

from himaya.audit.exports import Column, export_list
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
    exported = export_list(
        request,
        name="audit-trail",
        title=_("Audit trail"),
        columns=[
            Column("#", lambda e: e.sequence),
            Column(_("When"), lambda e: e.occurred_at),
            Column(_("Who"), lambda e: e.actor_label),
            Column(_("Action"), lambda e: e.action_label),
            Column(_("Action code"), lambda e: e.action),
            Column(_("Record"), lambda e: e.object_code),
            Column(_("Purpose"), lambda e: e.purpose_label),
            Column(_("From"), lambda e: e.ip_address or ""),
        ],
        rows=events.iterator(),
    )
    if exported is not None:
        return exported
    page = Paginator(events.select_related("actor"), 50).get_page(request.GET.get("page"))
    template = "audit/partials/events.html" if request.htmx else "audit/events.html"  # type: ignore[attr-defined]
    # The pages keep the filters: their links carry the query without the page number.
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, template, {"form": form, "page": page, "query": query.urlencode()})
