"""Pages of the survivors app: thin views over the selectors and actions."""

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import get_language, gettext_lazy, pgettext_lazy
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from himaya.accounts.acting import acting_user
from himaya.agencies.models import Agency, Role
from himaya.agencies.selectors import agency_ids_for
from himaya.audit.exports import Column, export_list
from himaya.core.codes import is_valid_code
from himaya.core.countries import country_name
from himaya.core.errors import DomainError
from himaya.core.forms import show_refusal
from himaya.core.ratelimit import spend, too_many
from himaya.core.rows import render_part
from himaya.survivors import actions, rules
from himaya.survivors.actions import DocumentInput, DuplicateSuspected, TooManyDuplicateChecks
from himaya.survivors.forms import (
    AgeAssessmentForm,
    BestInterestsAssessmentForm,
    BestInterestsDeterminationForm,
    ChildFlagsForm,
    ConsentForm,
    DocumentForm,
    EditIdentityForm,
    EndGuardianForm,
    GuardianForm,
    RegisterForm,
    RevealForm,
    ReviewDecisionForm,
    SearchForm,
    WithdrawConsentForm,
)
from himaya.survivors.models import Survivor
from himaya.survivors.selectors import (
    age_assessments_of,
    awaits_review,
    best_interests_assessments_of,
    best_interests_determinations_of,
    consents_of,
    current_guardians,
    documents_of,
    get_consent_or_404,
    get_review_or_404,
    get_survivor_of_case_or_404,
    get_survivor_or_404,
    guardian_appointments_of,
    presumed_child,
    review_list,
    search_survivors,
    survivor_list,
    survivor_list_first_page,
    survivor_rows_page,
    survivors_visible_to,
)

PAGE_SIZE = 25


def _optional_url(name: str, **query: str) -> str:
    """A link to a page of another app, or "" while that page does not exist."""
    try:
        url = reverse(name)
    except NoReverseMatch:
        return ""
    return f"{url}?{urlencode(query)}" if query else url


def _list_columns(names: bool) -> list[Column]:
    """The survivors list's columns in an export, as the page shows them: the masked first
    name only where the page shows it, nothing else of the identity."""
    masked = [
        Column(
            _("First name (masked)"),
            lambda s: rules.masked_first_name(s.name_ar or s.name_latin or ""),
        )
    ]
    return [
        Column(_("Code"), lambda s: s.code),
        *(masked if names else []),
        Column(_("Sex"), lambda s: s.get_sex_display()),
        Column(_("Year of birth"), lambda s: s.birth_year),
        Column(_("Age estimated"), lambda s: _("estimated") if s.age_is_estimated else ""),
        Column(_("Nationality"), lambda s: country_name(s.nationality)),
        Column(
            _("Governorate of origin"),
            lambda s: s.governorate_of_origin.name if s.governorate_of_origin else "",
        ),
        Column(_("Registered by"), lambda s: s.registered_by_agency.name),
        Column(_("Registered on"), lambda s: timezone.localtime(s.created_at).date()),
    ]


@login_required
@permission_required("survivors.register", raise_exception=True)
@require_http_methods(["GET", "POST"])  # POST: the export door
def survivor_list_view(request: HttpRequest) -> HttpResponse:
    """The survivors in scope, latest first, or those a search finds, a page at a time.

    The list is never counted: a "next" link continues after the last code shown. A
    search shows masked first names to those who may see identity, and is audited.
    """
    form = SearchForm(request.GET or None)
    query = ""
    if form.is_valid():
        query = form.cleaned_data["q"].strip()
    after = request.GET.get("after", "").strip()
    if not is_valid_code(after, "SV"):
        after = ""
    if query and request.method == "GET":
        wait = spend(request, "survivor-search", "HIMAYA_SEARCH_RATE")
        if wait is not None:
            return too_many(request, wait)
    survivors = (
        search_survivors(request.user, query) if query else survivors_visible_to(request.user)
    )
    names = bool(query) and request.user.has_perm("survivors.view_identity")
    exported = export_list(
        request,
        name="survivors",
        title=_("Survivors"),
        columns=_list_columns(names),
        rows=survivor_list(survivors, names=names),
    )
    if exported is not None:
        return exported
    # The page's lines as plain columns, in the reader's language: no model built a row.
    english = (get_language() or "ar").startswith("en")
    first = (
        None
        if query or after
        else survivor_list_first_page(request.user, size=PAGE_SIZE, english=english)
    )
    page = first or survivor_rows_page(
        survivors, after=after, size=PAGE_SIZE, names=names, english=english
    )
    if query:
        actions.record_search(
            by=acting_user(request),
            results=len(page.rows),
            more=page.next_after is not None,
            names_shown=names,
        )
    results = render_part(
        "survivors/results.html",
        {
            "rows": page.rows,
            "page": page,
            "query": query,
            "after": after,
            "names": names,
            "estimated": _("estimated"),
            "query_string": request.GET.urlencode(),
            # Each row links to its survivor: the address is made once, not reversed per row.
            "survivor_path": reverse("survivors:detail", kwargs={"code": "~"}).removesuffix("~/"),
        },
    )
    if request.htmx:  # type: ignore[attr-defined]
        return HttpResponse(results)
    return render(request, "survivors/list.html", {"form": form, "page": page, "results": results})


def _case_agencies(request: HttpRequest) -> Any:
    ids = agency_ids_for(request.user, Role.CASE_WORKER, Role.SUPERVISOR)
    return Agency.objects.filter(pk__in=ids).order_by("name_en")


@login_required
@permission_required("survivors.register", raise_exception=True)
@require_http_methods(["GET", "POST"])
def register_view(request: HttpRequest) -> HttpResponse:
    agencies = _case_agencies(request)
    form = RegisterForm(request.POST or None, agencies=agencies)
    duplicate: DuplicateSuspected | None = None
    status = 200
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        documents = []
        if data.get("document_kind"):
            documents.append(
                DocumentInput(
                    kind=data["document_kind"],
                    number=data["document_number"],
                    issuing_country=data.get("document_country") or "",
                )
            )
        try:
            survivor = actions.register_survivor(
                by=acting_user(request),
                agency=data["agency"],
                identity=form.identity(),
                clear=form.clear(),
                documents=documents,
                confirm_duplicate=bool(data.get("confirm_duplicate")),
            )
        except DuplicateSuspected as exc:
            duplicate = exc
        except TooManyDuplicateChecks as exc:
            show_refusal(exc, form=form)
            status = 429
        except DomainError as exc:
            show_refusal(exc, form=form)
        else:
            messages.success(
                request,
                _("Survivor registered with the code %(code)s.") % {"code": survivor.code},
            )
            if awaits_review(survivor):
                messages.warning(request, str(actions.REVIEW_NOTICE))
            return redirect("survivors:detail", code=survivor.code)
    return render(
        request,
        "survivors/register.html",
        {"form": form, "duplicate": duplicate},
        status=status,
    )


@login_required
@permission_required("survivors.review_duplicates", raise_exception=True)
@require_http_methods(["GET", "POST"])
def review_list_view(request: HttpRequest) -> HttpResponse:
    """The supervisor's queue of possible duplicates among the agency's survivors; the list
    exports as the page shows it (a match outside the agency's scope without its code)."""
    reviews = review_list(request.user)
    outside = _("Outside your agency's scope")
    exported = export_list(
        request,
        name="survivors-possible-duplicates",
        title=gettext_lazy("Possible duplicates"),
        columns=[
            Column(gettext_lazy("Survivor registered"), lambda r: r.survivor_code),
            Column(gettext_lazy("Survivor matched"), lambda r: r.matched_code or outside),
            Column(gettext_lazy("Reason"), lambda r: r.get_reason_display()),
            Column(gettext_lazy("Found on"), lambda r: timezone.localdate(r.created_at)),
            Column(pgettext_lazy("state of a record", "Status"), lambda r: r.get_status_display()),
        ],
        rows=reviews,
    )
    if exported is not None:
        return exported
    if request.method == "POST":
        return HttpResponseNotAllowed(["GET"])
    for review in reviews:
        review.form = ReviewDecisionForm(initial={"version": review.version})  # type: ignore[attr-defined]
    return render(request, "survivors/reviews.html", {"reviews": reviews})


@login_required
@permission_required("survivors.review_duplicates", raise_exception=True)
@require_POST
def decide_review_view(request: HttpRequest, review_id: int) -> HttpResponse:
    review = get_review_or_404(request.user, review_id)
    form = ReviewDecisionForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("The form was incomplete: nothing was changed."))
        return redirect("survivors:reviews")
    try:
        actions.decide_possible_duplicate(
            review=review,
            by=acting_user(request),
            status=form.cleaned_data["status"],
            expected_version=form.cleaned_data["version"],
        )
    except DomainError as exc:
        show_refusal(exc, request=request)
    else:
        messages.success(request, _("The decision on the possible match was recorded."))
    return redirect("survivors:reviews")


def _detail_context(request: HttpRequest, survivor: Survivor, **extra: Any) -> dict[str, Any]:
    consents = list(consents_of(survivor))
    today = timezone.localdate()
    for consent in consents:
        consent.stands = rules.consent_stands(  # type: ignore[attr-defined]
            given_on=consent.given_on, withdrawn_on=consent.withdrawn_on, on=today
        )
    latest_assessment = age_assessments_of(survivor).filter(assessed_on__lte=today).first()
    context_child = rules.is_presumed_child(
        survivor.birth_year,
        on=today,
        assessed_adult=latest_assessment.is_adult if latest_assessment else None,
    )
    context: dict[str, Any] = {
        "survivor": survivor,
        "latest_age_assessment": latest_assessment,
        "presumed_child": rules.is_presumed_child(
            survivor.birth_year,
            on=today,
            assessed_adult=latest_assessment.is_adult if latest_assessment else None,
        ),
        "nationality": country_name(survivor.nationality),
        "documents": [
            {"document": doc, "country": country_name(doc.issuing_country)}
            for doc in documents_of(survivor)
        ],
        "consents": consents,
        "reveal_form": RevealForm(),
        "consent_form": _consent_form(survivor, child=context_child),
        "document_form": DocumentForm(),
        "identity": None,
        "screening_url": _optional_url("screening:start", survivor=survivor.code),
        "open_case_url": _optional_url("cases:open", survivor=survivor.code),
        "can_view_identity": request.user.has_perm("survivors.view_identity"),
        "can_record_consent": request.user.has_perm("survivors.record_consent"),
    }
    context.update(_children_context(request, survivor, child=context_child))
    context.update(extra)
    return context


@login_required
@require_GET
def detail_view(request: HttpRequest, code: str) -> HttpResponse:
    survivor = get_survivor_or_404(request.user, code)
    return render(request, "survivors/detail.html", _detail_context(request, survivor))


@login_required
@require_POST
def reveal_view(request: HttpRequest, code: str) -> HttpResponse:
    """Show the identity block after the user gives a purpose: one audit row per reveal."""
    survivor = get_survivor_or_404(request.user, code)
    form = RevealForm(request.POST)
    identity = None
    if form.is_valid():
        try:
            actions.reveal_identity(
                survivor=survivor,
                by=acting_user(request),
                purpose=form.cleaned_data["purpose"],
            )
        except DomainError as exc:
            show_refusal(exc, form=form)
        else:
            identity = {
                "survivor": survivor,
                "documents": [
                    {"document": doc, "country": country_name(doc.issuing_country)}
                    for doc in documents_of(survivor)
                ],
                "purpose": dict(form.fields["purpose"].choices)[form.cleaned_data["purpose"]],  # type: ignore[attr-defined]
            }
    if request.htmx:  # type: ignore[attr-defined]
        return render(
            request,
            "survivors/partials/identity.html",
            {"survivor": survivor, "identity": identity, "reveal_form": form},
        )
    context = _detail_context(request, survivor, identity=identity, reveal_form=form)
    return render(request, "survivors/detail.html", context)


def _edit_initial(survivor: Survivor) -> dict[str, Any]:
    initial: dict[str, Any] = {
        name: getattr(survivor, name)
        for name in (
            "name_ar",
            "name_latin",
            "aliases",
            "phone",
            "address",
            "family_contact",
            "unhcr_reference",
        )
    }
    initial.update(
        {
            "date_of_birth": survivor.date_of_birth or None,
            "sex": survivor.sex,
            "birth_year": survivor.birth_year,
            "age_is_estimated": survivor.age_is_estimated,
            "nationality": survivor.nationality,
            "governorate_of_origin": survivor.governorate_of_origin_id,
            "languages": survivor.languages,
            "has_disability": survivor.has_disability,
            "migration_status": survivor.migration_status,
            "unhcr_registered": survivor.unhcr_registered,
            "version": survivor.version,
        }
    )
    return initial


@login_required
@require_http_methods(["GET", "POST"])
def edit_view(request: HttpRequest, code: str) -> HttpResponse:
    survivor = get_survivor_or_404(request.user, code)
    if not request.user.has_perm("survivors.register"):
        return HttpResponse(status=403)
    conflict = False
    if request.method == "POST":
        form = EditIdentityForm(request.POST)
        if form.is_valid():
            try:
                actions.update_identity(
                    survivor=survivor,
                    by=acting_user(request),
                    expected_version=form.cleaned_data["version"],
                    identity=form.identity(),
                    clear=form.clear(),
                )
            except DomainError as exc:
                conflict = exc.status == 409
                show_refusal(exc, form=form)
            else:
                messages.success(request, _("The survivor's record was saved."))
                return redirect("survivors:detail", code=survivor.code)
    else:
        # The form shows the identity: this reading is recorded like any other.
        actions.reveal_identity(
            survivor=survivor,
            by=acting_user(request),
            purpose=actions.RevealPurpose.CORRECTION,
        )
        form = EditIdentityForm(initial=_edit_initial(survivor))
    status = 409 if conflict else 200
    return render(
        request,
        "survivors/edit.html",
        {"form": form, "survivor": survivor, "conflict": conflict},
        status=status,
    )


@login_required
@require_POST
def add_document_view(request: HttpRequest, code: str) -> HttpResponse:
    survivor = get_survivor_or_404(request.user, code)
    form = DocumentForm(request.POST)
    if form.is_valid():
        try:
            actions.add_document(survivor=survivor, by=acting_user(request), **form.cleaned_data)
        except DomainError as exc:
            show_refusal(exc, form=form)
        else:
            messages.success(request, _("The document was recorded."))
            return redirect("survivors:detail", code=survivor.code)
    context = _detail_context(request, survivor, document_form=form)
    return render(request, "survivors/detail.html", context, status=400)


@login_required
@require_POST
def record_consent_view(request: HttpRequest, code: str) -> HttpResponse:
    survivor = get_survivor_or_404(request.user, code)
    form = _consent_form(survivor, child=presumed_child(survivor), data=request.POST)
    if form.is_valid():
        try:
            actions.record_consent(survivor=survivor, by=acting_user(request), **form.cleaned_data)
        except DomainError as exc:
            show_refusal(exc, form=form)
        else:
            messages.success(request, _("The consent was recorded."))
            return redirect("survivors:detail", code=survivor.code)
    context = _detail_context(request, survivor, consent_form=form)
    return render(request, "survivors/detail.html", context, status=400)


@login_required
@require_POST
def withdraw_consent_view(request: HttpRequest, code: str, consent_id: int) -> HttpResponse:
    survivor = get_survivor_or_404(request.user, code)
    consent = get_consent_or_404(survivor, consent_id)
    form = WithdrawConsentForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("The form was incomplete: nothing was changed."))
        return redirect("survivors:detail", code=survivor.code)
    try:
        actions.withdraw_consent(
            consent=consent,
            by=acting_user(request),
            expected_version=form.cleaned_data["version"],
        )
    except DomainError as exc:
        show_refusal(exc, request=request)
    else:
        messages.success(request, _("The consent was withdrawn from today."))
    return redirect("survivors:detail", code=survivor.code)


@login_required
@require_GET
def case_panel_view(request: HttpRequest, code: str) -> HttpResponse:
    """The case page's panel: the survivor's clear data and which consents stand today.

    ``code`` is the case's code; the panel answers 404 unless the user may see that case.
    """
    survivor = get_survivor_of_case_or_404(request.user, code)
    today = timezone.localdate()
    consents = [
        consent
        for consent in consents_of(survivor)
        if rules.consent_stands(
            given_on=consent.given_on, withdrawn_on=consent.withdrawn_on, on=today
        )
    ]
    child = presumed_child(survivor)
    context = {
        "survivor": survivor,
        "nationality": country_name(survivor.nationality),
        "consents": consents,
        "child": child,
        "has_current_guardian": child and current_guardians(survivor).exists(),
    }
    return render(request, "survivors/partials/case_panel.html", context)


# --- children's safeguards -------------------------------------------------------------


def _consent_form(survivor: Survivor, *, child: bool, data: Any = None) -> ConsentForm:
    """The consent form; for a presumed child, with the guardian's consent and the
    child's own assent."""
    guardians = current_guardians(survivor) if child else None
    return ConsentForm(data, guardians=guardians)


def _own_agencies(request: HttpRequest) -> QuerySet[Agency]:
    ids = agency_ids_for(request.user, Role.CASE_WORKER, Role.SUPERVISOR)
    return Agency.objects.filter(pk__in=ids).order_by("name_en")


def _children_context(request: HttpRequest, survivor: Survivor, *, child: bool) -> dict[str, Any]:
    """What the survivor page's section on a child's safeguards shows."""
    appointments = list(guardian_appointments_of(survivor))
    today = timezone.localdate()
    for appointment in appointments:
        appointment.is_current = appointment.appointed_on <= today and (  # type: ignore[attr-defined]
            appointment.ended_on is None or appointment.ended_on > today
        )
    return {
        "child": child,
        "guardians": appointments,
        "has_current_guardian": any(a.is_current for a in appointments),  # type: ignore[attr-defined]
        "best_interests_assessments": list(best_interests_assessments_of(survivor)),
        "best_interests_determinations": list(best_interests_determinations_of(survivor)),
        "age_assessments": list(age_assessments_of(survivor)),
        "can_work_on_child": request.user.has_perm("survivors.register"),
        "can_determine": request.user.has_perm("cases.supervise"),
        "guardian_form": GuardianForm(),
        "best_interests_form": BestInterestsAssessmentForm(),
        "determination_form": BestInterestsDeterminationForm(),
        "flags_form": ChildFlagsForm(
            initial={
                "unaccompanied": survivor.unaccompanied,
                "separated": survivor.separated,
                "version": survivor.version,
            }
        ),
        "age_form": AgeAssessmentForm(agencies=_own_agencies(request)),
    }


def _after_child_action(
    request: HttpRequest, survivor: Survivor, *, done: str, form_name: str, form: Any
) -> HttpResponse:
    """Back to the survivor page on success; the page (or, for htmx, the section) with the
    form and its errors otherwise."""
    if not form.errors:
        messages.success(request, done)
        if request.htmx:  # type: ignore[attr-defined]
            survivor = get_survivor_or_404(request.user, survivor.code)
            context = _detail_context(request, survivor)
            return render(request, "survivors/partials/children.html", context)
        return redirect(f"{reverse('survivors:detail', args=[survivor.code])}#children")
    context = _detail_context(request, survivor, **{form_name: form})
    if request.htmx:  # type: ignore[attr-defined]
        # htmx swaps only successful answers: the section with its errors comes back as one.
        return render(request, "survivors/partials/children.html", context)
    return render(request, "survivors/detail.html", context, status=400)


def _child_post(
    request: HttpRequest, code: str, permission: str = "survivors.register"
) -> Survivor:
    survivor = get_survivor_or_404(request.user, code)
    if not request.user.has_perm(permission):
        raise PermissionDenied
    return survivor


@login_required
@require_POST
def appoint_guardian_view(request: HttpRequest, code: str) -> HttpResponse:
    survivor = _child_post(request, code)
    form = GuardianForm(request.POST)
    if form.is_valid():
        try:
            actions.appoint_guardian(
                survivor=survivor, by=acting_user(request), **form.cleaned_data
            )
        except DomainError as exc:
            show_refusal(exc, form=form)
    return _after_child_action(
        request,
        survivor,
        done=_("The guardian was recorded."),
        form_name="guardian_form",
        form=form,
    )


@login_required
@require_POST
def end_guardian_view(request: HttpRequest, code: str, appointment_id: int) -> HttpResponse:
    survivor = _child_post(request, code)
    appointment = guardian_appointments_of(survivor).filter(pk=appointment_id).first()
    if appointment is None:
        raise Http404
    form = EndGuardianForm(request.POST)
    if form.is_valid():
        try:
            actions.end_guardian_appointment(
                appointment=appointment,
                by=acting_user(request),
                expected_version=form.cleaned_data["version"],
                ended_on=form.cleaned_data["ended_on"],
            )
        except DomainError as exc:
            show_refusal(exc, request=request)
            return redirect(f"{reverse('survivors:detail', args=[survivor.code])}#children")
    else:
        messages.error(request, _("The form was incomplete: nothing was changed."))
        return redirect(f"{reverse('survivors:detail', args=[survivor.code])}#children")
    messages.success(request, _("The guardian's appointment was ended."))
    return redirect(f"{reverse('survivors:detail', args=[survivor.code])}#children")


@login_required
@require_POST
def best_interests_view(request: HttpRequest, code: str) -> HttpResponse:
    survivor = _child_post(request, code)
    form = BestInterestsAssessmentForm(request.POST)
    if form.is_valid():
        try:
            actions.record_best_interests_assessment(
                survivor=survivor, by=acting_user(request), **form.cleaned_data
            )
        except DomainError as exc:
            show_refusal(exc, form=form)
    return _after_child_action(
        request,
        survivor,
        done=_("The best-interests assessment was recorded."),
        form_name="best_interests_form",
        form=form,
    )


@login_required
@require_POST
def determination_view(request: HttpRequest, code: str) -> HttpResponse:
    survivor = _child_post(request, code, "cases.supervise")
    form = BestInterestsDeterminationForm(request.POST)
    if form.is_valid():
        try:
            actions.record_best_interests_determination(
                survivor=survivor, by=acting_user(request), **form.cleaned_data
            )
        except DomainError as exc:
            show_refusal(exc, form=form)
    return _after_child_action(
        request,
        survivor,
        done=_("The best-interests determination was recorded."),
        form_name="determination_form",
        form=form,
    )


@login_required
@require_POST
def child_flags_view(request: HttpRequest, code: str) -> HttpResponse:
    survivor = _child_post(request, code)
    form = ChildFlagsForm(request.POST)
    if form.is_valid():
        try:
            actions.set_child_flags(
                survivor=survivor,
                by=acting_user(request),
                unaccompanied=form.cleaned_data["unaccompanied"],
                separated=form.cleaned_data["separated"],
                expected_version=form.cleaned_data["version"],
            )
        except DomainError as exc:
            show_refusal(exc, form=form)
    return _after_child_action(
        request,
        survivor,
        done=_("The child's situation was saved."),
        form_name="flags_form",
        form=form,
    )


@login_required
@require_POST
def age_assessment_view(request: HttpRequest, code: str) -> HttpResponse:
    survivor = _child_post(request, code)
    form = AgeAssessmentForm(request.POST, agencies=_own_agencies(request))
    if form.is_valid():
        try:
            actions.record_age_assessment(
                survivor=survivor, by=acting_user(request), **form.cleaned_data
            )
        except DomainError as exc:
            show_refusal(exc, form=form)
    return _after_child_action(
        request,
        survivor,
        done=_("The age assessment was recorded."),
        form_name="age_form",
        form=form,
    )
