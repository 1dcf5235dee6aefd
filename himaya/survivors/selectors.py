"""Scoped reads of survivors and their consent.

Every read of a survivor starts from ``survivors_visible_to``: survivors of the cases
led by an agency where the user is a case worker or supervisor, plus survivors that
such an agency registered and that have no case yet. Everyone else (administrators,
analysts, auditors, fund, grants and empowerment officers, operators) sees none here.
"""

from typing import Any

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from himaya.agencies.models import Agency, Role
from himaya.agencies.selectors import agency_ids_for
from himaya.cases.models import Case
from himaya.cases.selectors import cases_visible_to
from himaya.core.codes import is_valid_code
from himaya.core.typing import AnyUser
from himaya.survivors.indexes import document_index, name_index
from himaya.survivors.models import Consent, Survivor, SurvivorDocument


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
    with_document = SurvivorDocument.objects.filter(
        number_index=document_index(query), is_active=True
    ).values("survivor_id")
    # The matches come first, from indexed equalities only; the scope is then checked on
    # the few rows found instead of on every survivor.
    matching = Survivor.objects.filter(
        Q(name_ar_index=by_name) | Q(name_latin_index=by_name) | Q(pk__in=with_document)
    ).values("pk")
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
