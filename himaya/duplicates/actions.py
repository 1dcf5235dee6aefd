"""Writes of duplicate detection: finding pairs, merging, undoing a merge, marking two
survivors as different people, and the settings. Each write re-checks the capability
and the scope, locks what it changes and writes the audit trail (codes and counts only).
"""

import datetime
import decimal
import uuid
from collections.abc import Callable
from typing import Any

from django.db import IntegrityError, connection, models, transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from himaya.accounts.models import User
from himaya.audit.actions import record_event, record_reading
from himaya.core.errors import Conflict, Forbidden, Invalid, NotFound
from himaya.core.locking import save_with_version
from himaya.duplicates import rules
from himaya.duplicates.models import CandidatePair, DuplicateSettings, MergeRecord, PairStatus
from himaya.duplicates.selectors import (
    LikelyMatch,
    current_weights,
    documents_of,
    duplicate_settings,
    likely_matches,
    match_record_of,
    merges_visible_to,
    pairs_visible_to,
)
from himaya.survivors import rules as survivor_rules
from himaya.survivors.actions import (
    rebuild_search_index,
    refresh_match_keys,
    sync_survivor_access,
)
from himaya.survivors.models import Survivor, SurvivorAccess, SurvivorMatchKey, SurvivorSearchToken

# Rows derived from a survivor and rebuilt after a merge or its undoing, never re-pointed.
DERIVED = (SurvivorAccess, SurvivorSearchToken, SurvivorMatchKey)
# This app's own records of a survivor: they describe the merge and stay as they are.
OWN = (CandidatePair, MergeRecord)


class PairNotFound(NotFound):
    def __init__(self) -> None:
        super().__init__(_("No such pair."))


def _require(user: Any, permission: str) -> None:
    if user is None or not user.is_authenticated or not user.has_perm(permission):
        raise Forbidden(_("You are not allowed to do this."))


# --- what a person is shown -------------------------------------------------------------


def find_likely_matches(user: User, survivor: Survivor, numbers: list[str]) -> list[LikelyMatch]:
    """The likely matches, among those ``user`` may see, of a survivor being registered
    (never saved), written to the audit trail by code: asked only by a case worker who
    registers survivors."""
    _require(user, "survivors.register")
    _require(user, "cases.work_cases")
    found = likely_matches(user, survivor, numbers)
    record_event(
        action="duplicates.likely_matches_checked",
        actor=user,
        object_type="survivors.survivor",
        details={"shown": [match.code for match in found]},
    )
    return found


def record_pair_viewed(
    *, pair: CandidatePair, by: User, request: HttpRequest | None = None
) -> None:
    """A reviewer was shown a pair side by side: one reading in the audit trail."""
    _require(by, "duplicates.review")
    record_reading(
        action="duplicates.pair_viewed",
        actor=by,
        obj=pair.survivor_a,
        request=request,
        details={"other": pair.survivor_b.code, "pair": pair.pk},
    )


# --- finding pairs ----------------------------------------------------------------------


def find_duplicates(
    *,
    estimate: bool = True,
    progress: Callable[[int], object] | None = None,
    total: Callable[[int], object] | None = None,
) -> dict[str, int]:
    """Score the whole registry: pairs sharing a blocking key (read from the keys'
    table, nothing decrypted to block), weights estimated by EM and saved, every pair at
    or above the review threshold kept as an open pair (pairs already marked distinct or
    merged are never proposed again), then automatic merging if it is switched on.
    ``total`` is told how many survivors will be read, ``progress`` how many were."""
    keys: dict[int, list[str]] = {}
    for survivor_id, key in SurvivorMatchKey.objects.values_list("survivor_id", "key").iterator(
        chunk_size=5000
    ):
        keys.setdefault(survivor_id, []).append(key)
    pairs = rules.blocked_pairs(keys)
    needed = sorted({pk for pair in pairs for pk in pair})
    if total is not None:
        total(len(needed))
    records: dict[int, survivor_rules.MatchRecord] = {}
    for start in range(0, len(needed), 1000):
        chunk = needed[start : start + 1000]
        numbers = documents_of(chunk)
        for survivor in Survivor.objects.filter(pk__in=chunk, is_active=True):
            records[survivor.pk] = match_record_of(survivor, numbers.get(survivor.pk, []))
        if progress is not None:
            progress(len(chunk))
    pairs = {pair for pair in pairs if pair[0] in records and pair[1] in records}
    settings = duplicate_settings()
    weights = current_weights()
    if estimate and pairs:
        weights = rules.estimate_from_pairs(pairs, records)
        settings.weights = rules.weights_as_dict(weights)
        if settings.pk:
            DuplicateSettings.objects.filter(pk=settings.pk).update(weights=settings.weights)
        else:
            settings.save()
    found = rules.score_pairs(pairs, records, weights=weights, threshold=settings.review_threshold)
    created = 0
    for scored in found:
        first, second = survivor_rules.pair_ids(int(scored.first), int(scored.second))  # type: ignore[call-overload]
        why = rules.reasons(scored.levels, weights, frequency=scored.frequency)
        pair, made = CandidatePair.objects.get_or_create(
            survivor_a_id=first,
            survivor_b_id=second,
            defaults={"score": scored.score, "reasons": why},
        )
        if made:
            created += 1
        elif pair.status == PairStatus.OPEN:
            CandidatePair.objects.filter(pk=pair.pk).update(score=scored.score, reasons=why)
    merged = auto_merge() if settings.auto_merge_enabled else 0
    record_event(
        action="duplicates.search_run",
        object_type="duplicates.candidatepair",
        details={"compared": len(pairs), "found": len(found), "new": created, "merged": merged},
    )
    return {"compared": len(pairs), "found": len(found), "new": created, "merged": merged}


def auto_merge() -> int:
    """Merge every open pair at or above the automatic threshold, when an administrator
    switched automatic merging on (the older survivor is kept). Returns how many."""
    settings = duplicate_settings()
    threshold = max(settings.auto_merge_threshold, survivor_rules.AUTO_MERGE_MINIMUM)
    if not settings.auto_merge_enabled:
        return 0
    merged = 0
    for pair in CandidatePair.objects.filter(status=PairStatus.OPEN, score__gte=threshold):
        try:
            with transaction.atomic():
                _merge(pair=pair, by=None, keep_id=pair.survivor_a_id)
        except (Conflict, IntegrityError, Survivor.DoesNotExist):
            continue
        merged += 1
    return merged


# --- raw rows: what a merge removes is kept exactly as stored (ciphertext included) ----


def _jsonable(value: Any) -> Any:
    if isinstance(value, datetime.datetime | datetime.date | datetime.time):
        return value.isoformat()
    if isinstance(value, decimal.Decimal | uuid.UUID):
        return str(value)
    if isinstance(value, memoryview | bytes):
        return bytes(value).hex()
    return value


def _raw_rows(model: type[models.Model], pks: list[Any]) -> list[dict[str, Any]]:
    if not pks:
        return []
    quote = connection.ops.quote_name
    columns = [field.column for field in model._meta.concrete_fields]
    pk_column = model._meta.pk.column
    placeholders = ", ".join(["%s"] * len(pks))
    sql = (
        f"SELECT {', '.join(quote(c) for c in columns)} FROM {quote(model._meta.db_table)} "  # noqa: S608  # quoted model identifiers, values as parameters  # nosec B608
        f"WHERE {quote(pk_column)} IN ({placeholders}) ORDER BY {quote(pk_column)}"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, pks)
        return [
            dict(zip(columns, [_jsonable(v) for v in row], strict=True))
            for row in cursor.fetchall()
        ]


def _insert_raw(model: type[models.Model], rows: list[dict[str, Any]]) -> None:
    quote = connection.ops.quote_name
    for row in rows:
        columns = list(row)
        sql = (
            f"INSERT INTO {quote(model._meta.db_table)} "  # noqa: S608  # quoted model identifiers, values as parameters  # nosec B608
            f"({', '.join(quote(c) for c in columns)}) "
            f"VALUES ({', '.join(['%s'] * len(columns))})"
        )
        with connection.cursor() as cursor:
            cursor.execute(sql, [row[c] for c in columns])


def survivor_relations() -> list[tuple[type[models.Model], models.ForeignKey[Any, Any]]]:
    """Every foreign key (and one-to-one key) to ``Survivor`` in any app, found from the
    model's relations (hidden ones included), less the derived rows and this app's own."""
    found: list[tuple[type[models.Model], Any]] = []
    for relation in Survivor._meta.get_fields(include_hidden=True):
        if not isinstance(relation, models.ForeignObjectRel) or relation.concrete:
            continue
        if not (relation.one_to_many or relation.one_to_one):
            continue
        model: Any = relation.related_model
        if model in DERIVED or model in OWN or not isinstance(model, type):
            continue
        found.append((model, relation.field))
    found.sort(key=lambda item: (item[0]._meta.label, item[1].name))
    return found


def _relation_label(model: type[models.Model], field: Any) -> str:
    return f"{model._meta.label}.{field.attname}"


def _other_survivor_columns(model: type[models.Model], field: Any) -> list[str]:
    return [
        other.attname
        for other in model._meta.concrete_fields
        if other is not field and getattr(other, "related_model", None) is Survivor
    ]


# --- merge, undo, distinct --------------------------------------------------------------


class MergeRefused(Conflict):
    """The merge cannot be done as the records stand (nothing was changed)."""


def _merge(*, pair: CandidatePair, by: User | None, keep_id: int) -> MergeRecord:
    if keep_id not in {pair.survivor_a_id, pair.survivor_b_id}:
        raise Invalid(_("Choose one of the two survivors to keep."), field="keep")
    removed_id = pair.survivor_b_id if keep_id == pair.survivor_a_id else pair.survivor_a_id
    survivors = {
        s.pk: s
        for s in Survivor.objects.select_for_update(no_key=True).filter(
            pk__in=[keep_id, removed_id]
        )
    }
    if len(survivors) != 2:
        raise PairNotFound
    kept, removed = survivors[keep_id], survivors[removed_id]
    removed_row = _raw_rows(Survivor, [removed_id])[0]
    repointed: dict[str, list[Any]] = {}
    set_aside: dict[str, list[dict[str, Any]]] = {}
    try:
        with transaction.atomic():
            for model, field in survivor_relations():
                label = _relation_label(model, field)
                rows = model._base_manager.filter(**{field.attname: removed_id})
                others = _other_survivor_columns(model, field)
                joined = models.Q()
                for column in others:
                    joined |= models.Q(**{column: keep_id})
                aside_ids = list(rows.filter(joined).values_list("pk", flat=True)) if others else []
                if aside_ids:
                    set_aside[label] = _raw_rows(model, aside_ids)
                    model._base_manager.filter(pk__in=aside_ids).delete()
                ids = sorted(rows.values_list("pk", flat=True))
                if ids:
                    model._base_manager.filter(pk__in=ids).update(**{field.attname: keep_id})
                    repointed[label] = ids
            Survivor.objects.filter(pk=removed_id).delete()
    except IntegrityError:
        raise MergeRefused(
            _("These two records cannot be merged as they stand: nothing was changed.")
        ) from None
    sync_survivor_access(survivor=kept)
    rebuild_search_index(survivor_ids=[kept.pk])
    refresh_match_keys(survivor=kept)
    now = timezone.now()
    CandidatePair.objects.filter(pk=pair.pk).update(
        status=PairStatus.MERGED,
        decided_by=by,
        decided_at=now,
        version=models.F("version") + 1,
    )
    record = MergeRecord.objects.create(
        pair=pair,
        kept=kept,
        removed_id=removed_id,
        removed_code=removed.code,
        removed_row=removed_row,
        repointed=repointed,
        set_aside=set_aside,
        merged_by=by,
        automatic=by is None,
    )
    record_event(
        action="duplicates.merged",
        actor=by,
        obj=kept,
        details={
            "removed": removed.code,
            "merge": record.pk,
            "score": round(pair.score, 4),
            "automatic": by is None,
            "rows": {label: len(ids) for label, ids in repointed.items()},
            "set_aside": {label: len(rows) for label, rows in set_aside.items()},
        },
    )
    return record


@transaction.atomic
def merge_pair(
    *, pair: CandidatePair, by: User, keep: Survivor, expected_version: int
) -> MergeRecord:
    """Merge the pair into ``keep``: every row of the other survivor, in every app, is
    re-pointed to it (cases, consents, documents, stays, payments, enrolments, history)
    and the other survivor is removed; the ``MergeRecord`` keeps what undoes it."""
    _require(by, "duplicates.review")
    locked = pairs_visible_to(by).select_for_update(no_key=True).filter(pk=pair.pk).first()
    if locked is None:
        raise PairNotFound
    if locked.status != PairStatus.OPEN:
        raise Conflict(_("This pair was already decided."))
    if locked.version != expected_version:
        raise Conflict(_("Someone else changed this pair: reload and try again."), field="version")
    return _merge(pair=locked, by=by, keep_id=keep.pk)


@transaction.atomic
def undo_merge(*, merge: MergeRecord, by: User) -> Survivor:
    """Undo a merge exactly: the removed survivor's row comes back as it was stored, every
    re-pointed row points to it again, the rows set aside return; the pair is open again."""
    _require(by, "duplicates.review")
    locked = merges_visible_to(by).select_for_update(no_key=True).filter(pk=merge.pk).first()
    if locked is None:
        raise NotFound(_("No such merge."))
    if locked.undone_at is not None:
        raise Conflict(_("This merge was already undone."))
    kept = Survivor.objects.select_for_update(no_key=True).get(pk=locked.kept_id)
    relations = {_relation_label(m, f): (m, f) for m, f in survivor_relations()}
    try:
        with transaction.atomic():
            _insert_raw(Survivor, [locked.removed_row])
            for label, ids in locked.repointed.items():
                model, field = relations[label]
                model._base_manager.filter(pk__in=ids).update(**{field.attname: locked.removed_id})
            for label, rows in locked.set_aside.items():
                _insert_raw(relations[label][0], rows)
    except (IntegrityError, KeyError):
        raise MergeRefused(
            _("This merge cannot be undone as the records stand: nothing was changed.")
        ) from None
    restored = Survivor.objects.get(pk=locked.removed_id)
    for survivor in (kept, restored):
        sync_survivor_access(survivor=survivor)
        rebuild_search_index(survivor_ids=[survivor.pk])
        refresh_match_keys(survivor=survivor)
    now = timezone.now()
    MergeRecord.objects.filter(pk=locked.pk).update(undone_at=now, undone_by=by)
    CandidatePair.objects.filter(pk=locked.pair_id).update(
        status=PairStatus.OPEN, decided_by=None, decided_at=None, version=models.F("version") + 1
    )
    record_event(
        action="duplicates.merge_undone",
        actor=by,
        obj=kept,
        details={"restored": restored.code, "merge": locked.pk},
    )
    return restored


@transaction.atomic
def mark_distinct(*, pair: CandidatePair, by: User, expected_version: int) -> CandidatePair:
    """Record that the two survivors are different people: the pair is never proposed
    again."""
    _require(by, "duplicates.review")
    locked = pairs_visible_to(by).select_for_update(no_key=True).filter(pk=pair.pk).first()
    if locked is None:
        raise PairNotFound
    if locked.status != PairStatus.OPEN:
        raise Conflict(_("This pair was already decided."))
    locked.status = PairStatus.DISTINCT
    locked.decided_by = by
    locked.decided_at = timezone.now()
    save_with_version(
        locked, expected_version=expected_version, fields=["status", "decided_by", "decided_at"]
    )
    record_event(
        action="duplicates.marked_distinct",
        actor=by,
        obj=locked.survivor_a,
        details={"other": locked.survivor_b.code, "pair": locked.pk},
    )
    return locked


@transaction.atomic
def update_settings(
    *,
    by: User,
    expected_version: int,
    review_threshold: float,
    auto_merge_enabled: bool,
    auto_merge_threshold: float,
) -> DuplicateSettings:
    """Change the thresholds and automatic merging (administrators). Automatic merging
    is allowed only from the high-precision threshold up."""
    _require(by, "duplicates.configure")
    if not 0 < review_threshold < 1:
        raise Invalid(_("The review threshold lies between 0 and 1."), field="review_threshold")
    if not survivor_rules.AUTO_MERGE_MINIMUM <= auto_merge_threshold <= 1:
        raise Invalid(
            _("Automatic merging is allowed only from a score of 0.99 up."),
            field="auto_merge_threshold",
        )
    current = duplicate_settings()
    if not current.pk:
        current.save()
    locked = DuplicateSettings.objects.select_for_update(no_key=True).get(pk=current.pk)
    locked.review_threshold = review_threshold
    locked.auto_merge_enabled = auto_merge_enabled
    locked.auto_merge_threshold = auto_merge_threshold
    save_with_version(
        locked,
        expected_version=expected_version,
        fields=["review_threshold", "auto_merge_enabled", "auto_merge_threshold"],
    )
    record_event(
        action="duplicates.settings_changed",
        actor=by,
        object_type="duplicates.duplicatesettings",
        details={
            "review_threshold": review_threshold,
            "auto_merge_enabled": auto_merge_enabled,
            "auto_merge_threshold": auto_merge_threshold,
        },
    )
    return locked
