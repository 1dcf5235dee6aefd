"""Pages of duplicate detection: the review queue, a pair side by side, merges and their
undoing, the settings, and the likely matches shown while a survivor is registered."""

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from himaya.accounts.acting import acting_user
from himaya.audit.exports import Column, export_list
from himaya.core.errors import DomainError
from himaya.core.forms import show_refusal
from himaya.duplicates import actions
from himaya.duplicates.forms import MergeForm, SettingsForm, VersionForm, unsaved_survivor
from himaya.duplicates.labels import describe
from himaya.duplicates.selectors import (
    duplicate_settings,
    get_merge_or_404,
    get_pair_or_404,
    merges_visible_to,
    review_queue,
)
from himaya.survivors.models import Survivor

# The review queue and the merges show their best or latest rows up to this many.
SHOWN = 200


@login_required
@permission_required("duplicates.review", raise_exception=True)
@require_http_methods(["GET", "POST"])
def queue_view(request: HttpRequest) -> HttpResponse:
    """The pairs waiting for review, best score first; the list exports by codes only."""
    # Codes only: the survivors' encrypted columns are neither read nor decrypted.
    pairs = review_queue(request.user).only("score", "survivor_a__code", "survivor_b__code")
    exported = export_list(
        request,
        name="duplicates-review-queue",
        title=gettext_lazy("Likely duplicates"),
        columns=[
            Column(gettext_lazy("First survivor"), lambda pair: pair.survivor_a.code),
            Column(gettext_lazy("Second survivor"), lambda pair: pair.survivor_b.code),
            Column(gettext_lazy("Score"), lambda pair: _percent(pair.score)),
        ],
        rows=pairs,
    )
    if exported is not None:
        return exported
    if request.method == "POST":
        return HttpResponseNotAllowed(["GET"])
    return render(request, "duplicates/queue.html", {"pairs": list(pairs[:SHOWN])})


def _percent(score: Any) -> int:
    """A score as the queue shows it: a whole percentage."""
    return round(float(score) * 100)


@login_required
@permission_required("duplicates.review", raise_exception=True)
@require_GET
def pair_view(request: HttpRequest, pair_id: int) -> HttpResponse:
    pair = get_pair_or_404(request.user, pair_id)
    actions.record_pair_viewed(pair=pair, by=acting_user(request), request=request)
    sides = [_side(pair.survivor_a), _side(pair.survivor_b)]
    form = VersionForm(initial={"version": pair.version})
    context = {"pair": pair, "sides": sides, "form": form, "reasons": describe(pair.reasons)}
    return render(request, "duplicates/pair.html", context)


def _side(survivor: Survivor) -> dict[str, Any]:
    return {
        "survivor": survivor,
        "cases": survivor.cases.count(),
        "documents": survivor.documents.filter(is_active=True).count(),
    }


@login_required
@permission_required("duplicates.review", raise_exception=True)
@require_POST
def merge_view(request: HttpRequest, pair_id: int) -> HttpResponse:
    pair = get_pair_or_404(request.user, pair_id)
    form = MergeForm(request.POST)
    sides = {pair.survivor_a.code: pair.survivor_a, pair.survivor_b.code: pair.survivor_b}
    if not form.is_valid() or form.cleaned_data["keep"] not in sides:
        messages.error(request, _("The form was incomplete: nothing was changed."))
        return redirect("duplicates:pair", pair_id=pair.pk)
    try:
        record = actions.merge_pair(
            pair=pair,
            by=acting_user(request),
            keep=sides[form.cleaned_data["keep"]],
            expected_version=form.cleaned_data["version"],
        )
    except DomainError as exc:
        show_refusal(exc, request=request)
        return redirect("duplicates:pair", pair_id=pair.pk)
    messages.success(
        request,
        _("The two records were merged into %(code)s. The merge can be undone.")
        % {"code": form.cleaned_data["keep"]},
    )
    return redirect("duplicates:merge", merge_id=record.pk)


@login_required
@permission_required("duplicates.review", raise_exception=True)
@require_POST
def distinct_view(request: HttpRequest, pair_id: int) -> HttpResponse:
    pair = get_pair_or_404(request.user, pair_id)
    form = VersionForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("The form was incomplete: nothing was changed."))
        return redirect("duplicates:pair", pair_id=pair.pk)
    try:
        actions.mark_distinct(
            pair=pair, by=acting_user(request), expected_version=form.cleaned_data["version"]
        )
    except DomainError as exc:
        show_refusal(exc, request=request)
        return redirect("duplicates:pair", pair_id=pair.pk)
    messages.success(
        request, _("Recorded as different people: this pair will not be proposed again.")
    )
    return redirect("duplicates:queue")


@login_required
@permission_required("duplicates.review", raise_exception=True)
@require_http_methods(["GET", "POST"])
def merge_list_view(request: HttpRequest) -> HttpResponse:
    """The merges done in the user's scope, latest first; the list exports by codes only."""
    merges = (
        merges_visible_to(request.user)
        .select_related("kept")
        .only("kept__code", "removed_code", "created_at", "undone_at")
    )
    exported = export_list(
        request,
        name="duplicates-merges",
        title=gettext_lazy("Merges done"),
        columns=[
            Column(gettext_lazy("Survivor kept"), lambda merge: merge.kept.code),
            Column(gettext_lazy("Survivor removed"), lambda merge: merge.removed_code),
            Column(gettext_lazy("Merged on"), lambda merge: timezone.localdate(merge.created_at)),
            Column(
                gettext_lazy("Undone on"),
                lambda merge: timezone.localdate(merge.undone_at) if merge.undone_at else "",
            ),
        ],
        rows=merges,
    )
    if exported is not None:
        return exported
    if request.method == "POST":
        return HttpResponseNotAllowed(["GET"])
    return render(request, "duplicates/merges.html", {"merges": list(merges[:SHOWN])})


@login_required
@permission_required("duplicates.review", raise_exception=True)
@require_GET
def merge_view_detail(request: HttpRequest, merge_id: int) -> HttpResponse:
    merge = get_merge_or_404(request.user, merge_id)
    rows = sorted((label, len(ids)) for label, ids in merge.repointed.items())
    return render(request, "duplicates/merge.html", {"merge": merge, "rows": rows})


@login_required
@permission_required("duplicates.review", raise_exception=True)
@require_POST
def undo_view(request: HttpRequest, merge_id: int) -> HttpResponse:
    merge = get_merge_or_404(request.user, merge_id)
    try:
        restored = actions.undo_merge(merge=merge, by=acting_user(request))
    except DomainError as exc:
        show_refusal(exc, request=request)
        return redirect("duplicates:merge", merge_id=merge.pk)
    messages.success(
        request, _("The merge was undone: %(code)s is back.") % {"code": restored.code}
    )
    return redirect("duplicates:merges")


@login_required
@permission_required("duplicates.configure", raise_exception=True)
@require_http_methods(["GET", "POST"])
def settings_view(request: HttpRequest) -> HttpResponse:
    current = duplicate_settings()
    initial = {
        "version": current.version,
        "review_threshold": current.review_threshold,
        "auto_merge_enabled": current.auto_merge_enabled,
        "auto_merge_threshold": current.auto_merge_threshold,
    }
    form = SettingsForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            actions.update_settings(
                by=acting_user(request),
                expected_version=form.cleaned_data["version"],
                review_threshold=form.cleaned_data["review_threshold"],
                auto_merge_enabled=form.cleaned_data["auto_merge_enabled"],
                auto_merge_threshold=form.cleaned_data["auto_merge_threshold"],
            )
        except DomainError as exc:
            show_refusal(exc, form=form)
        else:
            messages.success(request, _("The settings were saved."))
            return redirect("duplicates:settings")
    return render(request, "duplicates/settings.html", {"form": form})


@login_required
@permission_required("survivors.register", raise_exception=True)
@require_POST
def likely_matches_view(request: HttpRequest) -> HttpResponse:
    """The likely matches of the survivor being registered, among those the worker may
    see, shown before the registration is saved (a part of the registration page)."""
    if not request.user.has_perm("cases.work_cases"):
        raise Http404
    survivor, numbers = unsaved_survivor(request.POST)
    matches = actions.find_likely_matches(acting_user(request), survivor, numbers)
    return render(request, "duplicates/partials/likely_matches.html", {"matches": matches})
