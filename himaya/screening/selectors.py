"""Scoped reads of screenings and of the indicator catalogue.

A screening is visible with its survivor: to case workers and supervisors of the agency
that performed it, and to those who may see the survivor (``survivors_visible_to``: the
survivor's visible cases, or registered by their agency and without a case yet).
"""

from django.db.models import Prefetch, Q, QuerySet
from django.http import Http404

from himaya.agencies.models import Role
from himaya.agencies.selectors import agency_ids_for
from himaya.core.typing import AnyUser
from himaya.screening.models import (
    ExploitationKind,
    IndicatorSet,
    Screening,
    ScreeningAnswer,
    TraffickingIndicator,
)
from himaya.survivors.models import Survivor
from himaya.survivors.selectors import survivors_visible_to

CAPABILITY = "survivors.register"


def survivors_in_scope(user: AnyUser) -> QuerySet[Survivor]:
    """The survivors this user may screen and whose screenings they may read."""
    if not user.is_authenticated or not user.has_perm(CAPABILITY):
        return Survivor.objects.none()
    return survivors_visible_to(user)


def screenings_visible_to(user: AnyUser) -> QuerySet[Screening]:
    if not user.is_authenticated or not user.has_perm(CAPABILITY):
        return Screening.objects.none()
    agencies = agency_ids_for(user, Role.CASE_WORKER, Role.SUPERVISOR)
    survivors = survivors_in_scope(user).values("pk")
    return Screening.objects.filter(Q(agency_id__in=agencies) | Q(survivor_id__in=survivors))


def screening_list(user: AnyUser) -> QuerySet[Screening]:
    return screenings_visible_to(user).select_related(
        "survivor", "indicator_set", "agency", "screened_by"
    )


def get_screening_or_404(user: AnyUser, code: str) -> Screening:
    """The screening with this code if the user may see it; 404 for missing and forbidden."""
    screening = (
        screening_list(user)
        .prefetch_related(
            Prefetch(
                "answers",
                queryset=ScreeningAnswer.objects.select_related("indicator").order_by(
                    "indicator__position", "id"
                ),
            )
        )
        .filter(code=(code or "").strip().upper())
        .first()
    )
    if screening is None:
        raise Http404
    return screening


def get_survivor_to_screen_or_404(user: AnyUser, code: str) -> Survivor:
    survivor = survivors_in_scope(user).filter(code=(code or "").strip().upper()).first()
    if survivor is None:
        raise Http404
    return survivor


def indicator_sets(user: AnyUser) -> QuerySet[IndicatorSet]:
    """Indicator sets of every catalogue version, newest version first."""
    if not user.is_authenticated or not user.has_perm(CAPABILITY):
        return IndicatorSet.objects.none()
    return IndicatorSet.objects.select_related("catalogue").order_by(
        "-catalogue__created_at", "-catalogue_id", "code"
    )


def newest_sets() -> QuerySet[IndicatorSet]:
    """For each set code, the set of the newest catalogue version that has it."""
    every = IndicatorSet.objects.select_related("catalogue").order_by(
        "-catalogue__created_at", "-catalogue_id", "code"
    )
    newest: dict[str, int] = {}
    for pk, code in every.values_list("pk", "code"):
        newest.setdefault(code, pk)
    return every.filter(pk__in=newest.values()).order_by("code")


def current_sets(user: AnyUser) -> QuerySet[IndicatorSet]:
    if not user.is_authenticated or not user.has_perm(CAPABILITY):
        return IndicatorSet.objects.none()
    return newest_sets()


def get_indicator_set_or_404(user: AnyUser, pk: int | str) -> IndicatorSet:
    try:
        pk = int(pk)
    except (TypeError, ValueError):
        raise Http404 from None
    found = indicator_sets(user).filter(pk=pk).first()
    if found is None:
        raise Http404
    return found


def proposed_set(
    sets: list[IndicatorSet], *, child: bool, exploitation: str = ExploitationKind.LABOUR
) -> IndicatorSet | None:
    """The set proposed first: for the form of exploitation asked (labour unless said
    otherwise), for children when the survivor may be under 18 or of unknown age, for
    adults otherwise; then a set of the same age group; the first set when none fits."""
    for indicator_set in sets:
        if indicator_set.exploitation == exploitation and indicator_set.for_children == child:
            return indicator_set
    for indicator_set in sets:
        if indicator_set.for_children == child:
            return indicator_set
    return sets[0] if sets else None


def indicators_of(indicator_set: IndicatorSet) -> QuerySet[TraffickingIndicator]:
    return indicator_set.indicators.order_by("position", "id")


def screenings_of_case(user: AnyUser, case_code: str) -> QuerySet[Screening]:
    from himaya.cases.selectors import get_case_or_404

    case = get_case_or_404(user, case_code)
    return screening_list(user).filter(survivor_id=case.survivor_id)
