"""Pages of the notification centre: a person's own notifications and preferences."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from himaya.accounts.acting import acting_user
from himaya.notifications import actions, rules, selectors
from himaya.notifications.events import registered_events

PAGE_SIZE = 30


def _list_context(request: HttpRequest) -> dict[str, object]:
    language = get_language() or "ar"
    page = Paginator(selectors.notifications_of(request.user), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return {
        "page": page,
        "items": [selectors.shown(notification, language) for notification in page],
    }


def badge(request: HttpRequest) -> HttpResponse:
    """The unread count of the navigation, fetched by the page once it is loaded, so that
    no page pays for it: one query on the partial index of unread notifications."""
    if not request.user.is_authenticated:
        return HttpResponse(status=204)
    return render(
        request,
        "notifications/partials/badge.html",
        {"unread": selectors.unread_count(request.user)},
    )


@login_required
def notification_list(request: HttpRequest) -> HttpResponse:
    template = (
        "notifications/partials/list.html"
        if request.htmx  # type: ignore[attr-defined]
        else "notifications/list.html"
    )
    return render(request, template, _list_context(request))


@login_required
@require_POST
def mark_read(request: HttpRequest, pk: int) -> HttpResponse:
    notification = selectors.get_notification_or_404(request.user, pk)
    actions.mark_read(user=acting_user(request), notification_id=notification.pk)
    if request.htmx:  # type: ignore[attr-defined]
        return render(request, "notifications/partials/list.html", _list_context(request))
    return redirect("notifications:list")


@login_required
@require_POST
def mark_all_read(request: HttpRequest) -> HttpResponse:
    actions.mark_all_read(user=acting_user(request))
    if request.htmx:  # type: ignore[attr-defined]
        return render(request, "notifications/partials/list.html", _list_context(request))
    messages.success(request, _("All your notifications are marked read."))
    return redirect("notifications:list")


@login_required
def open_notification(request: HttpRequest, pk: int) -> HttpResponse:
    """Mark the notification read and go to the page it points to (a local link only)."""
    notification = selectors.get_notification_or_404(request.user, pk)
    if request.method == "POST":
        actions.mark_read(user=acting_user(request), notification_id=notification.pk)
        link = notification.link
        if link.startswith("/") and not link.startswith("//"):
            return redirect(link)
    return redirect("notifications:list")


@login_required
def preferences(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        chosen = {
            event.code: [
                channel
                for channel in rules.SENT_CHANNELS
                if request.POST.get(f"{event.code}:{channel}") == "on"
            ]
            for event in registered_events()
        }
        actions.set_preferences(user=acting_user(request), enabled=chosen)
        messages.success(request, _("Your notification preferences are saved."))
        return redirect("notifications:preferences")
    return render(
        request,
        "notifications/preferences.html",
        {
            "rows": selectors.preference_rows(request.user),
            "channel_labels": selectors.channel_labels(),
        },
    )
