"""Pages of the screening app: thin views over forms, selectors and the action."""

from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required, permission_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from himaya.accounts.models import User
from himaya.audit.exports import Column, export_list
from himaya.core.errors import DomainError
from himaya.core.forms import show_refusal
from himaya.screening import rules
from himaya.screening.actions import record_screening
from himaya.screening.forms import QuestionnaireForm, SetChoiceForm
from himaya.screening.models import IndicatorSet, Screening
from himaya.screening.selectors import (
    CAPABILITY,
    current_sets,
    get_screening_or_404,
    get_survivor_to_screen_or_404,
    indicators_of,
    proposed_set,
    screenings_of_case,
)
from himaya.screening.selectors import (
    screening_list as visible_screenings,
)
from himaya.survivors.selectors import assessed_adult

# The choices about interpretation carried from the start page to the questionnaire.
INTERPRETATION_FIELDS = (
    "interview_language",
    "interpreter_provided_by",
    "interpreter_sex",
    "interviewer_sex",
)


@login_required
@permission_required(CAPABILITY, raise_exception=True)
def screening_list(request: HttpRequest) -> HttpResponse:
    exported = export_list(
        request,
        name="screenings",
        title=_("Screenings"),
        columns=[
            Column(_("Screening"), lambda s: s.code),
            Column(_("Survivor"), lambda s: s.survivor.code),
            Column(_("Indicator set"), lambda s: s.indicator_set.name),
            Column(_("Outcome"), lambda s: s.get_outcome_display()),
            Column(_("Agency"), lambda s: s.agency.name),
            Column(_("Screened on"), lambda s: s.screened_on),
        ],
        rows=visible_screenings(request.user)
        .select_related("survivor", "indicator_set", "agency")
        .iterator(),
    )
    if exported is not None:
        return exported
    page = Paginator(visible_screenings(request.user), 50).get_page(request.GET.get("page"))
    return render(request, "screening/list.html", {"page": page})


@login_required
@permission_required(CAPABILITY, raise_exception=True)
def start(request: HttpRequest) -> HttpResponse:
    """Choose the set, then answer the questionnaire; the answers record a screening."""
    user = request.user
    assert isinstance(user, User)
    data = request.POST if request.method == "POST" else request.GET
    survivor = get_survivor_to_screen_or_404(user, data.get("survivor", ""))
    sets = current_sets(user)
    today = timezone.localdate()
    adult = assessed_adult(survivor, on=today)
    child = rules.child_at_recruitment(
        birth_year=survivor.birth_year, today=today, assessed_adult=adult
    )
    exploitation = data.get("exploitation", "")
    if exploitation not in rules.EXPLOITATIONS:
        exploitation = rules.LABOUR
    context: dict[str, object] = {"survivor": survivor, "may_be_child": child}
    choice = SetChoiceForm(
        data if data.get("indicator_set") else None,
        sets=sets,
        birth_year=survivor.birth_year,
        today=today,
        assessed_adult=adult,
        initial={"indicator_set": proposed_set(list(sets), child=child, exploitation=exploitation)},
    )
    if not choice.is_bound or not choice.is_valid():
        context["choice"] = choice
        status = 400 if request.method == "POST" else 200
        return render(request, "screening/choose_set.html", context, status=status)
    start = choice.cleaned_data
    indicator_set: IndicatorSet = start["indicator_set"]
    indicators = list(indicators_of(indicator_set))
    form = QuestionnaireForm(
        request.POST if request.method == "POST" else None, indicators=indicators
    )
    if request.method == "POST" and form.is_valid():
        try:
            screening = record_screening(
                by=user,
                survivor=survivor,
                indicator_set=indicator_set,
                answers=form.answers(),
                consent_by=start["consent_by"],
                child_assent=start["child_assent"],
                age_at_recruitment=start["age_at_recruitment"],
                recruited_on=start["recruited_on"],
                interpretation=choice.interpretation(),
            )
        except DomainError as error:
            show_refusal(error, request=request)
        else:
            return redirect("screening:detail", code=screening.code)
    hidden = [(name, start[name]) for name in INTERPRETATION_FIELDS if start.get(name)]
    context.update(
        {
            "indicator_set": indicator_set,
            "form": form,
            "start": start,
            "interpretation_hidden": hidden,
        }
    )
    status = 400 if request.method == "POST" else 200
    return render(request, "screening/questionnaire.html", context, status=status)


def open_case_url(screening: Screening) -> str:
    """The page opening a case for the screened survivor, with the screening's reference."""
    query = urlencode({"survivor": screening.survivor.code, "screening": screening.code})
    return f"{reverse('cases:open')}?{query}"


@login_required
@permission_required(CAPABILITY, raise_exception=True)
def detail(request: HttpRequest, code: str) -> HttpResponse:
    screening = get_screening_or_404(request.user, code)
    groups: dict[str, list[object]] = {}
    labels: dict[str, str] = {}
    for answer in screening.answers.all():
        dimension = answer.indicator.dimension
        groups.setdefault(dimension, []).append(answer)
        labels[dimension] = str(answer.indicator.get_dimension_display())
    dimensions = [
        {
            "code": d,
            "label": labels[d],
            "positive": d in screening.positive_dimensions,
            "answers": rows,
        }
        for d, rows in groups.items()
    ]
    other = rules.SEXUAL if screening.indicator_set.exploitation == rules.LABOUR else rules.LABOUR
    context = {
        "screening": screening,
        "dimensions": dimensions,
        "explanation_lines": screening.explanation.splitlines(),
        "open_case_url": open_case_url(screening) if screening.offers_case else "",
        "other_exploitation": other,
    }
    return render(request, "screening/detail.html", context)


@login_required
@permission_required(CAPABILITY, raise_exception=True)
def case_panel(request: HttpRequest, code: str) -> HttpResponse:
    screenings = screenings_of_case(request.user, code)
    return render(request, "screening/partials/case_panel.html", {"screenings": screenings})
