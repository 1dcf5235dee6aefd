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
from typing import Any, TypedDict

from django.conf import settings
from django.db import connection
from django.db.models import Exists, F, OuterRef, Q, QuerySet, Subquery
from django.db.models.expressions import RawSQL
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from himaya.agencies.models import Agency, Role
from himaya.agencies.selectors import agency_ids_for
from himaya.core.codes import is_valid_code
from himaya.core.errors import Conflict, DomainError
from himaya.core.prepared import PreparedValues
from himaya.core.typing import AnyUser
from himaya.survivors import rules
from himaya.survivors.indexes import document_index, search_token
from himaya.survivors.models import (
    AgeAssessment,
    BestInterestsAssessment,
    BestInterestsDetermination,
    Consent,
    ConsentPurpose,
    DeterminationDecision,
    DurableSolution,
    GuardianAppointment,
    PossibleDuplicate,
    ReviewStatus,
    Sex,
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


def statistics_policy() -> str:
    """How aggregates treat a survivor with no standing statistics consent (a setting,
    ``HIMAYA_STATISTICS_WITHOUT_CONSENT``: ``aggregates`` or ``excluded``)."""
    policy = str(getattr(settings, "STATISTICS_WITHOUT_CONSENT", rules.STATISTICS_AGGREGATES))
    return policy if policy in rules.STATISTICS_POLICIES else rules.STATISTICS_EXCLUDED


def in_statistics(path: str, *, on: datetime.date, record_level: bool = False) -> Q:
    """The filter, on rows reaching a survivor through ``path`` (``"case__survivor"``),
    that keeps only those ``rules.counts_in_statistics`` allows on ``on``: every row for
    aggregates where the policy allows it, otherwise those whose survivor's statistics
    consent stands on that day. An unknown policy is read as the strict one."""
    if not rules.counts_in_statistics(
        consented=False, policy=statistics_policy(), record_level=record_level
    ):
        standing = Consent.objects.filter(
            survivor=OuterRef(path), purpose=ConsentPurpose.STATISTICS, given_on__lte=on
        ).filter(Q(withdrawn_on__isnull=True) | Q(withdrawn_on__gt=on))
        return Q(Exists(standing))
    return Q()


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
        sql = f"SELECT w0.survivor_id FROM {tokens} w0 WHERE {first}"  # noqa: S608  # search terms are parameters  # nosec B608
        for number, word in enumerate(words[1:], start=1):
            alias = f"w{number}"
            sql += (
                f" AND EXISTS (SELECT 1 FROM {tokens} {alias} "  # noqa: S608  # search terms are parameters  # nosec B608
                f"WHERE {alias}.survivor_id = w0.survivor_id AND {tokens_in(word, alias)})"
            )
        parts.append(sql)
    if terms.whole:
        whole = tokens_in(terms.whole, "t")
        parts.append(f"SELECT t.survivor_id FROM {tokens} t WHERE {whole}")  # noqa: S608  # terms are parameters  # nosec B608
    by_number = document_index(query)
    if by_number:
        parts.append(
            f"SELECT survivor_id FROM {documents} "  # noqa: S608  # number is a parameter  # nosec B608
            "WHERE number_index = %s AND is_active = %s"
        )
        params.extend([by_number, True])
    if not parts:
        return None
    return RawSQL(" UNION ".join(parts), params)  # noqa: S611  # parts built above, values as parameters  # nosec B611


# Up to this many matches, a search reads the matching survivors' ids before the page.
FEW_MATCHES = 1000


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
    # A rare word (the usual search: a name, a phone, a document) matches few survivors:
    # they are read first, and the page keeps those in scope by index probes. Left to
    # plan the whole search at once, the database may walk the scope in registration
    # order to fill a page, through every survivor of the agency when the few matches
    # are old ones. A common word matches many: one query walks the scope and stops at
    # the page's end.
    first = f"SELECT survivor_id FROM ({matching.sql}) m LIMIT %s"  # noqa: S608  # nosec B608
    with connection.cursor() as cursor:
        cursor.execute(first, [*matching.params, FEW_MATCHES + 1])
        found = [row[0] for row in cursor.fetchall()]
    if len(found) <= FEW_MATCHES:
        return visible.filter(pk__in=found)
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

    rows: list[Any]  # survivors, or ``SurvivorRow`` lines for the list page
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


class SurvivorRow(TypedDict):
    """One line of the survivors list, read as plain columns: no model is built for it. A
    dictionary, which a template reads faster than an object's attributes; the year of
    birth is text ("—" when unknown), which a template writes faster than a number."""

    code: str
    sex: str
    birth_year: str
    age_is_estimated: bool
    nationality: str
    governorate_of_origin: str
    registered_by_agency: str
    created_at: datetime.datetime
    masked_name: str


def _survivor_rows(queryset: QuerySet[Survivor], *, names: bool, english: bool) -> QuerySet[Any]:
    name = "name_en" if english else "name_ar"
    columns = ["id", "code", "sex", "birth_year", "age_is_estimated", "nationality", "created_at"]
    if names:
        columns += ["name_ar", "name_latin"]
    rows: QuerySet[Any] = queryset.order_by("-id").values(
        *columns,
        governorate=F(f"governorate_of_origin__{name}"),
        agency=F(f"registered_by_agency__{name}"),
    )
    return rows


# The first page of one agency's survivors (what a case worker of one agency opens), by
# language and page size: composed once per process, planned for each agency on each run.
_FIRST_PAGES: dict[tuple[bool, int], PreparedValues] = {}


def _first_page_query(english: bool, size: int) -> PreparedValues:
    prepared = _FIRST_PAGES.get((english, size))
    if prepared is None:
        prepared = _FIRST_PAGES[english, size] = PreparedValues(
            lambda key: _survivor_rows(
                # The page's survivors are the agency's latest access rows: read first, by
                # the access index, so that the database plans a join of a page's rows
                # (in about half the time it took to plan a semi-join of the whole scope).
                Survivor.objects.filter(
                    pk__in=SurvivorAccess.objects.filter(agency_id=key)
                    .order_by("-survivor_id")
                    .values("survivor_id")[: size + 1]
                ),
                names=False,
                english=english,
            )[: size + 1],
            plan_once=False,
        )
    return prepared


def survivor_list_first_page(user: AnyUser, *, size: int, english: bool) -> "SurvivorPage | None":
    """The first page of the survivors list of a case worker or supervisor of one agency
    (the same rows as ``survivor_rows_page`` of ``survivors_visible_to``), or None for
    anyone else, whose list is composed as a query of its own."""
    if not user.is_authenticated or not user.has_perm("survivors.register"):
        return None
    if not user.has_perm("cases.work_cases"):
        return None
    agencies = _case_agencies(user)
    if len(agencies) != 1:
        return None
    [agency] = agencies
    found = _first_page_query(english, size).rows(agency)
    return _page_of(found, size=size, names=False)


def survivor_rows_page(
    queryset: QuerySet[Survivor],
    *,
    after: str = "",
    size: int,
    names: bool = False,
    english: bool = False,
) -> SurvivorPage:
    """The page ``survivor_page`` reads, as plain rows in the reader's language: the same
    query's columns, without building a survivor, an agency and a governorate a row."""
    rows = _survivor_rows(queryset, names=names, english=english)
    if after:
        position = queryset.filter(code=after.strip().upper()).values("pk")[:1]
        rows = rows.filter(pk__lt=Subquery(position))
    return _page_of(list(rows[: size + 1]), size=size, names=names)


def _page_of(found: list[dict[str, Any]], *, size: int, names: bool) -> SurvivorPage:
    more = len(found) > size
    found = found[:size]
    sexes = dict(Sex.choices)
    page = [
        SurvivorRow(
            code=row["code"],
            sex=str(sexes.get(row["sex"], row["sex"])),
            birth_year="—" if row["birth_year"] is None else str(row["birth_year"]),
            age_is_estimated=row["age_is_estimated"],
            nationality=row["nationality"],
            governorate_of_origin=row["governorate"] or "",
            registered_by_agency=row["agency"] or "",
            created_at=row["created_at"],
            masked_name=(
                rules.masked_first_name(row["name_ar"] or row["name_latin"] or "") if names else ""
            ),
        )
        for row in found
    ]
    return SurvivorPage(rows=page, next_after=found[-1]["code"] if more else None)


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
    # The holders of the documents are found first (an index lookup), so that the
    # condition below is an OR of index lookups only: a subquery inside the OR would keep
    # PostgreSQL from the indexes and scan every survivor.
    holders = survivor_ids_with_documents(document_indexes)
    condition: Any = Q(pk__in=holders)
    if names and birth_year is not None:
        condition |= Q(birth_year=birth_year) & (
            Q(name_ar_index__in=names) | Q(name_latin_index__in=names)
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


def assessed_adult_subquery(survivor_field: str, *, on: datetime.date) -> Subquery:
    """``assessed_adult`` as a subquery for a query of other records: the result of the
    latest age assessment made on or before ``on`` of the survivor that ``survivor_field``
    (an outer field holding the survivor's id) names; NULL without one."""
    latest = (
        AgeAssessment.objects.filter(survivor_id=OuterRef(survivor_field), assessed_on__lte=on)
        .order_by("-assessed_on", "-id")
        .values("is_adult")[:1]
    )
    return Subquery(latest)


def presumed_child(survivor: Survivor, *, on: datetime.date | None = None) -> bool:
    """``rules.is_presumed_child`` for this survivor on ``on`` (today by default), fed with
    the year of birth (clear; the encrypted date is not read) and the latest age
    assessment."""
    day = on or timezone.localdate()
    return rules.is_presumed_child(
        survivor.birth_year, on=day, assessed_adult=assessed_adult(survivor, on=day)
    )


def current_guardians(
    survivor: Survivor, *, on: datetime.date | None = None
) -> QuerySet[GuardianAppointment]:
    """The survivor's guardians appointed on or before ``on`` (today by default) whose
    appointment has not ended by then, latest first."""
    day = on or timezone.localdate()
    return (
        GuardianAppointment.objects.filter(survivor=survivor, appointed_on__lte=day)
        .filter(Q(ended_on__isnull=True) | Q(ended_on__gt=day))
        .select_related("appointing_agency")
        .order_by("-appointed_on", "-id")
    )


def guardian_appointments_of(survivor: Survivor) -> QuerySet[GuardianAppointment]:
    """Every guardian appointment of the survivor, latest first (scope checked by the caller)."""
    return (
        GuardianAppointment.objects.filter(survivor=survivor)
        .select_related("appointing_agency", "recorded_by")
        .order_by("-appointed_on", "-id")
    )


def best_interests_assessments_of(survivor: Survivor) -> QuerySet[BestInterestsAssessment]:
    """The survivor's best-interests assessments, latest first (scope checked by the caller)."""
    return (
        BestInterestsAssessment.objects.filter(survivor=survivor)
        .select_related("case", "assessed_by")
        .order_by("-assessed_on", "-id")
    )


def best_interests_determinations_of(
    survivor: Survivor,
) -> QuerySet[BestInterestsDetermination]:
    """The survivor's best-interests determinations, latest first (scope checked by the caller)."""
    return (
        BestInterestsDetermination.objects.filter(survivor=survivor)
        .select_related("recorded_by")
        .order_by("-decided_on", "-id")
    )


BEST_INTERESTS_PURPOSES = frozenset({"closure", "transfer", "return"})


def guardian_refusal(*, survivor: Survivor) -> DomainError | None:
    """Why a step that needs a child's guardian cannot go on, or ``None``: a ``Conflict``
    for a presumed child (``presumed_child``) with no guardian currently appointed."""
    if not presumed_child(survivor):
        return None
    if current_guardians(survivor).exists():
        return None
    return Conflict(
        _(
            "This survivor is presumed a child and has no guardian appointed: appoint a "
            "guardian on the survivor's page first."
        )
    )


def best_interests_refusal(*, survivor: Survivor, purpose: str) -> DomainError | None:
    """Why a step that needs the child's best interests on file cannot go on, or ``None``.

    ``purpose`` is ``"closure"`` or ``"transfer"`` (a best-interests assessment on file)
    or ``"return"`` (a best-interests determination by a panel that decided in favour of
    a return to the country or governorate of origin). ``None`` when the survivor is not
    presumed a child today (``presumed_child``) or when the record is on file; otherwise a
    ``Conflict`` saying what is missing. Nothing is written.
    """
    if purpose not in BEST_INTERESTS_PURPOSES:
        raise ValueError(f"unknown purpose {purpose!r}")
    if not presumed_child(survivor):
        return None
    today = timezone.localdate()
    if purpose == "return":
        in_favour = BestInterestsDetermination.objects.filter(
            survivor=survivor,
            decided_on__lte=today,
            durable_solution=DurableSolution.RETURN,
            decision=DeterminationDecision.IN_FAVOUR,
        )
        if in_favour.exists():
            return None
        return Conflict(
            _(
                "This survivor is presumed a child: a return needs a best-interests "
                "determination by a panel that decided in favour of the return."
            )
        )
    if BestInterestsAssessment.objects.filter(survivor=survivor, assessed_on__lte=today).exists():
        return None
    if purpose == "closure":
        return Conflict(
            _(
                "This survivor is presumed a child: record a best-interests assessment "
                "before the case is closed."
            )
        )
    return Conflict(
        _(
            "This survivor is presumed a child: record a best-interests assessment "
            "before the case is transferred."
        )
    )


# A blocking key shared by more survivors than this is too common to tell anything
# (a frequent pair of names): it is skipped rather than compared with all of them.
MAX_BLOCK = 500


def match_candidate_ids(
    tokens: set[str], *, exclude_pk: int | None = None, max_block: int = MAX_BLOCK
) -> set[int]:
    """Survivors (whatever the scope) sharing a blocking key with these keyed tokens
    (``indexes.survivor_match_tokens``), read from the index on the key; keys shared by
    more than ``max_block`` survivors are skipped. Callers keep what the user may see."""
    from himaya.survivors.models import SurvivorMatchKey

    found: set[int] = set()
    for token in sorted(tokens):
        ids = list(
            SurvivorMatchKey.objects.filter(key=token).values_list("survivor_id", flat=True)[
                : max_block + 1
            ]
        )
        if len(ids) <= max_block:
            found.update(ids)
    found.discard(exclude_pk or 0)
    return found
