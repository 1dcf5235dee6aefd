"""Scoped reads of survivors and their consent.

Every read of a survivor starts from ``survivors_visible_to``: survivors of the cases
led by an agency where the user is a case worker or supervisor, plus survivors that
such an agency registered and that have no case yet. Everyone else (administrators,
analysts, auditors, fund, grants and empowerment officers, operators) sees none here.
"""

import datetime
from typing import Any

from django.db.models import Exists, F, OuterRef, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from himaya.agencies.models import Agency, Role
from himaya.agencies.selectors import agency_ids_for
from himaya.core.codes import is_valid_code
from himaya.core.typing import AnyUser
from himaya.survivors import rules
from himaya.survivors.indexes import document_index, name_index
from himaya.survivors.models import (
    Consent,
    PossibleDuplicate,
    ReviewStatus,
    Survivor,
    SurvivorDocument,
)


def standing_consents(
    survivor: Survivor,
    *,
    purpose: str,
    recipient: Agency | None = None,
    on: datetime.date | None = None,
) -> QuerySet[Consent]:
    """The survivor's consents for ``purpose`` that stand on ``on`` (today by default).

    The query form of ``rules.consent_stands``: given on or before that day and not
    withdrawn by then. With a ``recipient``, only the consents naming it, and those
    naming no recipient where ``rules.open_consent_covers`` the purpose (never for an
    embassy).
    """
    on = on or timezone.localdate()
    consents = Consent.objects.filter(survivor=survivor, purpose=purpose, given_on__lte=on)
    consents = consents.filter(Q(withdrawn_on__isnull=True) | Q(withdrawn_on__gt=on))
    if recipient is not None:
        named = Q(recipient=recipient)
        if rules.open_consent_covers(purpose):
            named |= Q(recipient__isnull=True)
        consents = consents.filter(named)
    return consents


def consent_on_file(
    survivor: Survivor,
    *,
    purpose: str,
    recipient: Agency | None = None,
    on: datetime.date | None = None,
) -> bool:
    """Whether a consent of the survivor for ``purpose`` (and ``recipient``) stands on
    ``on`` (today by default): see ``standing_consents``."""
    return standing_consents(survivor, purpose=purpose, recipient=recipient, on=on).exists()


def _case_agencies(user: AnyUser) -> set[int]:
    """The agencies whose cases (and survivors) the user works on."""
    return agency_ids_for(user, Role.CASE_WORKER, Role.SUPERVISOR)


def survivors_visible_to(user: AnyUser) -> QuerySet[Survivor]:
    """Survivors of the cases the user may see (led by one of the user's case agencies,
    for a holder of ``cases.work_cases``), and survivors registered by one of those
    agencies that have no case yet. The cases are reached through ``Survivor.cases``."""
    if not user.is_authenticated or not user.has_perm("survivors.register"):
        return Survivor.objects.none()
    agencies = _case_agencies(user)
    if not agencies:
        return Survivor.objects.none()
    has_case = Exists(Survivor.objects.filter(pk=OuterRef("pk"), cases__isnull=False))
    visible: Any = Q(registered_by_agency_id__in=agencies) & ~has_case
    if user.has_perm("cases.work_cases"):
        in_visible_case = Exists(
            Survivor.objects.filter(pk=OuterRef("pk"), cases__lead_agency_id__in=agencies)
        )
        visible = in_visible_case | visible
    return Survivor.objects.filter(visible)


def get_survivor_or_404(user: AnyUser, code: str) -> Survivor:
    """The survivor with this code if the user may see it; 404 for missing and forbidden."""
    survivor = (
        survivors_visible_to(user)
        .select_related("governorate_of_origin", "registered_by_agency")
        .filter(code=code.strip().upper())
        .first()
    )
    if survivor is None:
        raise Http404
    return survivor


def get_survivor_of_case_or_404(user: AnyUser, case_code: str) -> Survivor:
    """The survivor of the case with this code, if the user may see that very case and
    its survivor; 404 for a missing case and a forbidden one alike."""
    if not user.has_perm("cases.work_cases"):
        raise Http404
    survivor = (
        survivors_visible_to(user)
        .select_related("governorate_of_origin")
        .filter(cases__code=case_code, cases__lead_agency_id__in=_case_agencies(user))
        .first()
    )
    if survivor is None:
        raise Http404
    return survivor


def search_survivors(user: AnyUser, query: str) -> QuerySet[Survivor]:
    """Exact search within scope by code, name (Arabic or Latin) or document number.

    Names and numbers are matched through their blind indexes only: nothing is decrypted.
    """
    visible = survivors_visible_to(user)
    query = (query or "").strip()
    if not query:
        return visible.none()
    if is_valid_code(query, "SV"):
        return visible.filter(code=query.upper())
    by_name = name_index(query)
    by_number = document_index(query)
    # An empty index (nothing left of the query once normalised) matches nothing.
    condition: Any = Q(pk__in=[])
    if by_name:
        condition |= Q(name_ar_index=by_name) | Q(name_latin_index=by_name)
    if by_number:
        condition |= Q(
            pk__in=SurvivorDocument.objects.filter(number_index=by_number, is_active=True).values(
                "survivor_id"
            )
        )
    # The matches come first, from indexed equalities only; the scope is then checked on
    # the few rows found instead of on every survivor.
    matching = Survivor.objects.filter(condition).values("pk")
    return visible.filter(pk__in=matching)


def survivor_list(queryset: QuerySet[Survivor]) -> QuerySet[Survivor]:
    """The clear columns a list shows, in one query, latest registrations first.

    Ordered by the primary key (registration order): sorting on ``created_at`` instead
    made the database sort every survivor in scope for each page.
    """
    return queryset.select_related("governorate_of_origin").order_by("-id")


def possible_duplicates(
    *,
    name_indexes: set[str],
    birth_year: int | None,
    document_indexes: set[str],
    exclude_pk: int | None = None,
) -> list[Survivor]:
    """Every survivor (whatever the scope) with the same name index and year of birth,
    or the same document index. Callers show codes only of those the user may see."""
    names = {value for value in name_indexes if value}
    documents = {value for value in document_indexes if value}
    condition: Any = Q(pk__in=[])
    if names and birth_year is not None:
        condition |= Q(birth_year=birth_year) & (
            Q(name_ar_index__in=names) | Q(name_latin_index__in=names)
        )
    if documents:
        condition |= Q(
            pk__in=SurvivorDocument.objects.filter(
                number_index__in=documents, is_active=True
            ).values("survivor_id")
        )
    found = Survivor.objects.filter(condition, is_active=True)
    if exclude_pk is not None:
        found = found.exclude(pk=exclude_pk)
    return list(found.order_by("created_at", "id"))


def survivor_ids_with_documents(document_indexes: set[str]) -> set[int]:
    """Survivors (whatever the scope) holding an active document with one of these indexes."""
    indexes = {value for value in document_indexes if value}
    if not indexes:
        return set()
    return set(
        SurvivorDocument.objects.filter(number_index__in=indexes, is_active=True).values_list(
            "survivor_id", flat=True
        )
    )


def reviews_visible_to(user: AnyUser) -> QuerySet[PossibleDuplicate]:
    """Possible duplicates a supervisor reviews: those whose registered survivor is in scope.

    The matched survivor may lie outside the supervisor's scope; its code is then never
    shown (see ``review_list``).
    """
    if not user.is_authenticated or not user.has_perm("survivors.review_duplicates"):
        return PossibleDuplicate.objects.none()
    return PossibleDuplicate.objects.filter(survivor__in=survivors_visible_to(user).values("pk"))


def review_list(user: AnyUser, *, status: str = "") -> list[PossibleDuplicate]:
    """The visible review items, open ones first, each with ``matched_code``: the matched
    survivor's code when the user may see it, otherwise ``""``. Two queries."""
    # Codes only: no survivor row is loaded, so nothing is decrypted.
    reviews = reviews_visible_to(user).annotate(
        survivor_code=F("survivor__code"), any_matched_code=F("matched__code")
    )
    if status:
        reviews = reviews.filter(status=status)
    items: list[PossibleDuplicate] = list(reviews.order_by("-created_at", "-id"))
    matched_ids = {item.matched_id for item in items}
    visible = set(
        survivors_visible_to(user).filter(pk__in=matched_ids).values_list("pk", flat=True)
    )
    for item in items:
        code = getattr(item, "any_matched_code", "") if item.matched_id in visible else ""
        item.matched_code = code  # type: ignore[attr-defined]
    items.sort(key=lambda item: item.status != ReviewStatus.OPEN)
    return items


def get_review_or_404(user: AnyUser, review_id: int) -> PossibleDuplicate:
    review = reviews_visible_to(user).filter(pk=review_id).first()
    if review is None:
        raise Http404
    return review


def awaits_review(survivor: Survivor) -> bool:
    """Whether a possible match of this survivor waits for a supervisor's review."""
    return PossibleDuplicate.objects.filter(survivor=survivor, status=ReviewStatus.OPEN).exists()


def consents_of(survivor: Survivor) -> QuerySet[Consent]:
    return (
        Consent.objects.filter(survivor=survivor)
        .select_related("recipient", "recorded_by")
        .order_by("-given_on", "-id")
    )


def documents_of(survivor: Survivor) -> QuerySet[SurvivorDocument]:
    return SurvivorDocument.objects.filter(survivor=survivor, is_active=True).order_by(
        "created_at", "id"
    )


def get_consent_or_404(survivor: Survivor, consent_id: int) -> Consent:
    consent = consents_of(survivor).filter(pk=consent_id).first()
    if consent is None:
        raise Http404
    return consent
