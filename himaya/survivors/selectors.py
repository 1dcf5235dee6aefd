"""Scoped reads of survivors and their consent.

Every read of a survivor starts from ``survivors_visible_to``: survivors of the cases
led by an agency where the user is a case worker or supervisor, plus survivors that
such an agency registered and that have no case yet. Everyone else (administrators,
analysts, auditors, fund, grants and empowerment officers, operators) sees none here.
That scope is kept as rows (``SurvivorAccess``), so that a page of it is read from an
index whatever the number of survivors.
"""

import datetime
from dataclasses import dataclass
from typing import Any

from django.db.models import Exists, F, OuterRef, Q, QuerySet, Subquery
from django.db.models.expressions import RawSQL
from django.http import Http404
from django.utils import timezone

from himaya.agencies.models import Agency, Role
from himaya.agencies.selectors import agency_ids_for
from himaya.core.codes import is_valid_code
from himaya.core.typing import AnyUser
from himaya.survivors import rules
from himaya.survivors.indexes import document_index, search_token
from himaya.survivors.models import (
    AgeAssessment,
    Consent,
    PossibleDuplicate,
    ReviewStatus,
    Survivor,
    SurvivorAccess,
    SurvivorDocument,
    SurvivorSearchToken,
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
    agencies that have no case yet.

    For a holder of ``cases.work_cases`` (every case worker and supervisor) this is read
    from the access rows (``SurvivorAccess``: the same rule, kept by the actions), one
    indexed semi-join; otherwise, through the reverse relation ``Survivor.cases``.
    """
    if not user.is_authenticated or not user.has_perm("survivors.register"):
        return Survivor.objects.none()
    agencies = _case_agencies(user)
    if not agencies:
        return Survivor.objects.none()
    if user.has_perm("cases.work_cases"):
        access = SurvivorAccess.objects.filter(agency_id__in=agencies)
        return Survivor.objects.filter(pk__in=access.values("survivor_id"))
    has_case = Exists(Survivor.objects.filter(pk=OuterRef("pk"), cases__isnull=False))
    return Survivor.objects.filter(registered_by_agency_id__in=agencies).exclude(has_case)


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


# A typed search counts at most this many words; the rest are ignored.
MAX_SEARCH_WORDS = 6


def _matching_ids(query: str) -> RawSQL | None:
    """The ids of the survivors (whatever the scope) that match a typed search, as one
    subquery of indexed equalities, or ``None`` when nothing can match.

    Every word of the query must match one of its tokens (the word or its beginning, its
    phonetic key: ``rules.query_word_terms``); a phone number or the end of a code
    (``rules.search_terms``) and a document number (its blind index) are alternatives,
    united with them. Tokens only: nothing is decrypted, and no disjunction with a
    subquery keeps the database from its indexes.
    """
    # Only the table names (from the models) are written into the text; every value the
    # user typed, once turned into tokens, is a bound parameter.
    terms = rules.search_terms(query)
    tokens = SurvivorSearchToken._meta.db_table
    documents = SurvivorDocument._meta.db_table
    parts: list[str] = []
    params: list[Any] = []

    def tokens_in(found: set[tuple[str, str]], alias: str) -> str:
        digests = sorted({search_token(kind, text) for kind, text in found})
        params.extend(digests)
        return f"{alias}.token IN ({', '.join(['%s'] * len(digests))})"

    words = [word for word in terms.words if word][:MAX_SEARCH_WORDS]
    if words:
        # The survivors holding a token of the first word and, for every other word, one
        # of its tokens: semi-joins that the database may take in any order, the common
        # words checked on the few survivors the rare ones found, through the index on
        # (survivor, token). The longest word, likely the rarest, comes first.
        words.sort(key=lambda word: -max(len(text) for _kind, text in word))
        first = tokens_in(words[0], "w0")
        sql = f"SELECT w0.survivor_id FROM {tokens} w0 WHERE {first}"  # noqa: S608
        for number, word in enumerate(words[1:], start=1):
            alias = f"w{number}"
            sql += (
                f" AND EXISTS (SELECT 1 FROM {tokens} {alias} "  # noqa: S608
                f"WHERE {alias}.survivor_id = w0.survivor_id AND {tokens_in(word, alias)})"
            )
        parts.append(sql)
    if terms.whole:
        whole = tokens_in(terms.whole, "t")
        parts.append(f"SELECT t.survivor_id FROM {tokens} t WHERE {whole}")  # noqa: S608
    by_number = document_index(query)
    if by_number:
        parts.append(
            f"SELECT survivor_id FROM {documents} "  # noqa: S608
            "WHERE number_index = %s AND is_active = %s"
        )
        params.extend([by_number, True])
    if not parts:
        return None
    return RawSQL(" UNION ".join(parts), params)  # noqa: S611


def search_survivors(user: AnyUser, query: str) -> QuerySet[Survivor]:
    """Search within scope by code, a part of a name in either script (spelling variants
    included), a phone number, the end of a code or a document number.

    Matches are found first from the keyed search tokens and the blind indexes (nothing
    is decrypted), then kept only within the user's scope.
    """
    visible = survivors_visible_to(user)
    query = (query or "").strip()
    if not query:
        return visible.none()
    if is_valid_code(query, "SV"):
        return visible.filter(code=query.upper())
    matching = _matching_ids(query)
    if matching is None:
        return visible.none()
    return visible.filter(pk__in=matching)


def survivor_list(queryset: QuerySet[Survivor], *, names: bool = False) -> QuerySet[Survivor]:
    """The clear columns a list shows, in one query, latest registrations first.

    Ordered by the primary key (registration order): sorting on ``created_at`` instead
    made the database sort every survivor in scope for each page. The encrypted columns
    are not read, except the two names when ``names`` (for masked first names).
    """
    hidden = ["aliases", "date_of_birth", "phone", "address", "family_contact", "unhcr_reference"]
    if not names:
        hidden += ["name_ar", "name_latin"]
    return (
        queryset.select_related("governorate_of_origin", "registered_by_agency")
        .defer(*hidden, "name_ar_index", "name_latin_index")
        .order_by("-id")
    )


@dataclass(frozen=True)
class SurvivorPage:
    """One page of a list of survivors, and the code to continue after (or ``None``)."""

    rows: list[Survivor]
    next_after: str | None


def survivor_page(
    queryset: QuerySet[Survivor], *, after: str = "", size: int, names: bool = False
) -> SurvivorPage:
    """A page of ``size`` survivors in registration order, latest first, after the one
    whose code is ``after`` (the last code of the page before), in one query.

    The list is never counted: one more row than the page shows tells whether another
    follows. The position is a public code that the page shows already, not an internal
    number. With ``names``, each row carries ``masked_name`` (``rules.masked_first_name``):
    only these rows' names are decrypted.
    """
    rows = survivor_list(queryset, names=names)
    if after:
        position = queryset.filter(code=after.strip().upper()).values("pk")[:1]
        rows = rows.filter(pk__lt=Subquery(position))
    found = list(rows[: size + 1])
    more = len(found) > size
    found = found[:size]
    for survivor in found:
        name = (survivor.name_ar or survivor.name_latin) if names else ""
        survivor.masked_name = rules.masked_first_name(name or "")  # type: ignore[attr-defined]
    return SurvivorPage(rows=found, next_after=found[-1].code if more else None)


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


def age_assessments_of(survivor: Survivor) -> QuerySet[AgeAssessment]:
    """The survivor's age assessments, latest first (the caller has checked the scope)."""
    return AgeAssessment.objects.filter(survivor=survivor).select_related("agency", "assessed_by")


def assessed_adult(survivor: Survivor, *, on: datetime.date | None = None) -> bool | None:
    """The result of the survivor's latest age assessment made on or before ``on`` (today
    by default): ``True`` for adult, ``False`` for child, ``None`` without one."""
    day = on or timezone.localdate()
    return (
        AgeAssessment.objects.filter(survivor=survivor, assessed_on__lte=day)
        .order_by("-assessed_on", "-id")
        .values_list("is_adult", flat=True)
        .first()
    )


def presumed_child(survivor: Survivor, *, on: datetime.date | None = None) -> bool:
    """``rules.is_presumed_child`` for this survivor on ``on`` (today by default), fed with
    the year of birth (clear; the encrypted date is not read) and the latest age
    assessment."""
    day = on or timezone.localdate()
    return rules.is_presumed_child(
        survivor.birth_year, on=day, assessed_adult=assessed_adult(survivor, on=day)
    )
