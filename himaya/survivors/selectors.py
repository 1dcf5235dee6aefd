"""Scoped reads of survivors and their consent.

Every read of a survivor starts from ``survivors_visible_to``: survivors of the cases
led by an agency where the user is a case worker or supervisor, plus survivors that
such an agency registered and that have no case yet. Everyone else (administrators,
analysts, auditors, fund, grants and empowerment officers, operators) sees none here.
"""

from typing import Any

from django.db.models import Exists, F, OuterRef, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from himaya.agencies.models import Agency, Role
from himaya.agencies.selectors import agency_ids_for
from himaya.cases.models import Case
from himaya.cases.selectors import cases_visible_to
from himaya.core.codes import is_valid_code
from himaya.core.typing import AnyUser
from himaya.survivors.indexes import document_index, name_index
from himaya.survivors.models import (
    Consent,
    PossibleDuplicate,
    ReviewStatus,
    Survivor,
    SurvivorDocument,
)


def consent_on_file(survivor: Survivor, *, purpose: str, recipient: Agency | None = None) -> bool:
    """Whether the survivor's consent for ``purpose`` (and ``recipient``) stands today.

    A consent with no recipient covers the purpose for every recipient; a withdrawn
    consent covers nothing from its withdrawal date on.
    """
    today = timezone.localdate()
    consents = Consent.objects.filter(survivor=survivor, purpose=purpose, given_on__lte=today)
    consents = consents.filter(Q(withdrawn_on__isnull=True) | Q(withdrawn_on__gt=today))
    if recipient is not None:
        consents = consents.filter(Q(recipient=recipient) | Q(recipient__isnull=True))
    return consents.exists()


def survivors_visible_to(user: AnyUser) -> QuerySet[Survivor]:
    if not user.is_authenticated or not user.has_perm("survivors.register"):
        return Survivor.objects.none()
    agencies = agency_ids_for(user, Role.CASE_WORKER, Role.SUPERVISOR)
    if not agencies:
        return Survivor.objects.none()
    in_visible_case = Exists(cases_visible_to(user).filter(survivor_id=OuterRef("pk")))
    has_case = Exists(Case.objects.filter(survivor_id=OuterRef("pk")))
    registered_without_case = Q(registered_by_agency_id__in=agencies) & ~has_case
    return Survivor.objects.filter(in_visible_case | registered_without_case)


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
