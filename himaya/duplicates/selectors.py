"""Scoped reads of duplicate detection.

A supervisor (``duplicates.review``) sees a candidate pair only when both survivors lie
in their scope (``survivors_visible_to``); a pair with one survivor outside it stays
hidden from them (404), and waits for a supervisor who sees both.
"""

from collections.abc import Hashable
from dataclasses import dataclass

from django.db.models import QuerySet
from django.http import Http404

from himaya.core.typing import AnyUser
from himaya.duplicates import rules
from himaya.duplicates.models import CandidatePair, DuplicateSettings, MergeRecord, PairStatus
from himaya.survivors import rules as survivor_rules
from himaya.survivors.indexes import survivor_match_tokens
from himaya.survivors.models import Survivor, SurvivorDocument
from himaya.survivors.selectors import match_candidate_ids, survivors_visible_to


def duplicate_settings() -> DuplicateSettings:
    """The settings row (the defaults, unsaved, until an administrator saves them)."""
    return DuplicateSettings.objects.order_by("pk").first() or DuplicateSettings()


def current_weights() -> rules.MatchWeights:
    """The weights last estimated from the registry, or the stated defaults."""
    stored = duplicate_settings().weights
    return rules.weights_from_dict(stored) if stored else rules.DEFAULT_WEIGHTS


def documents_of(survivor_ids: list[int]) -> dict[int, list[str]]:
    """The active document numbers (decrypted) of these survivors."""
    numbers: dict[int, list[str]] = {}
    rows = SurvivorDocument.objects.filter(survivor_id__in=survivor_ids, is_active=True).only(
        "survivor_id", "number"
    )
    for document in rows:
        numbers.setdefault(document.survivor_id, []).append(document.number or "")
    return numbers


def match_record_of(survivor: Survivor, document_numbers: list[str]) -> survivor_rules.MatchRecord:
    """What the scoring reads of a survivor (decrypted here, kept in memory only)."""
    return survivor_rules.match_record(
        names=[survivor.name_ar or "", survivor.name_latin or "", survivor.aliases or ""],
        birth_year=survivor.birth_year,
        date_of_birth=survivor.date_of_birth or "",
        sex=survivor.sex,
        nationality=survivor.nationality,
        document_numbers=document_numbers,
        phones=survivor.phone or "",
    )


# The unsaved survivor among the candidates (no saved survivor has this id).
NEW = 0


@dataclass(frozen=True)
class LikelyMatch:
    code: str
    score: float
    reasons: list[dict[str, object]]


def likely_matches(
    user: AnyUser,
    survivor: Survivor,
    document_numbers: list[str],
    *,
    limit: int = 5,
) -> list[LikelyMatch]:
    """The survivors the user may see that score at or above the review threshold with
    an unsaved ``survivor``: found through the blocking keys' index (only the candidates
    sharing a key are decrypted), by public code, best first."""
    tokens = survivor_match_tokens(survivor, document_numbers)
    candidates = match_candidate_ids(tokens, exclude_pk=survivor.pk)
    if not candidates:
        return []
    visible = list(survivors_visible_to(user).filter(pk__in=candidates, is_active=True))
    if not visible:
        return []
    weights = current_weights()
    threshold = duplicate_settings().review_threshold
    numbers = documents_of([other.pk for other in visible])
    records = {other.pk: match_record_of(other, numbers.get(other.pk, [])) for other in visible}
    records[NEW] = match_record_of(survivor, document_numbers)
    codes: dict[Hashable, str] = {other.pk: other.code for other in visible}
    scored = rules.score_pairs(
        [(NEW, other.pk) for other in visible], records, weights=weights, threshold=threshold
    )
    found = [
        LikelyMatch(
            code=codes[pair.second],
            score=pair.score,
            reasons=rules.reasons(pair.levels, weights, frequency=pair.frequency),
        )
        for pair in scored
    ]
    found.sort(key=lambda match: (-match.score, match.code))
    return found[:limit]


def pairs_visible_to(user: AnyUser) -> QuerySet[CandidatePair]:
    """Pairs both of whose survivors the user may see, for a holder of ``duplicates.review``."""
    if not user.is_authenticated or not user.has_perm("duplicates.review"):
        return CandidatePair.objects.none()
    visible = survivors_visible_to(user).values("pk")
    return CandidatePair.objects.filter(survivor_a__in=visible, survivor_b__in=visible)


def review_queue(user: AnyUser, *, threshold: float | None = None) -> QuerySet[CandidatePair]:
    """Open pairs at or above the review threshold, best score first."""
    if threshold is None:
        threshold = duplicate_settings().review_threshold
    return (
        pairs_visible_to(user)
        .filter(status=PairStatus.OPEN, score__gte=threshold)
        .select_related("survivor_a", "survivor_b")
        .order_by("-score", "id")
    )


def get_pair_or_404(user: AnyUser, pair_id: int) -> CandidatePair:
    pair = pairs_visible_to(user).select_related("survivor_a", "survivor_b").filter(pk=pair_id)
    found = pair.first()
    if found is None:
        raise Http404
    return found


def merges_visible_to(user: AnyUser) -> QuerySet[MergeRecord]:
    """Merges whose kept survivor the user may see (to read or undo them)."""
    if not user.is_authenticated or not user.has_perm("duplicates.review"):
        return MergeRecord.objects.none()
    return MergeRecord.objects.filter(kept__in=survivors_visible_to(user).values("pk"))


def get_merge_or_404(user: AnyUser, merge_id: int) -> MergeRecord:
    found = merges_visible_to(user).filter(pk=merge_id).first()
    if found is None:
        raise Http404
    return found
