"""Pages of a long list without counting it: keyset paging.

A list ordered by two fields (a date, then the public code that breaks ties) is cut
after or before the position of a row: ``after`` answers the rows that follow it,
``before`` the rows that precede it, and one more row than the page shows tells whether
another page follows. No request counts the list, and each one reads a page from an
index on (scope, the two fields) whatever the depth, where counting and an offset read
every row of the scope.

A position is written ``<value>_<value>``, e.g. ``2026-03-01_CS-7K3M-9QXP-R``: both
values are shown on the page already (a date and a public code), so a position in an
address says nothing more about the records than the page does.
"""

from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from django.core.exceptions import ValidationError
from django.db.models import Field, Model, Q, QuerySet

M = TypeVar("M", bound=Model)

SEPARATOR = "_"
# A position longer than this is not even read (a date and a code are far shorter).
MAX_POSITION_LENGTH = 80


@dataclass(frozen=True)
class Page(Generic[M]):
    """The rows of one page, and the positions of the pages on either side (or None)."""

    rows: list[M]
    next: str | None
    previous: str | None

    def __iter__(self) -> Any:
        return iter(self.rows)

    def __len__(self) -> int:
        return len(self.rows)


def _name(ordering: str) -> str:
    return ordering.lstrip("-")


def position_of(row: Model | dict[str, Any], ordering: tuple[str, str]) -> str:
    """The position of ``row`` (a model or a row of ``values()``) in a list ordered by
    ``ordering``."""
    values = []
    for name in ordering:
        value = row[_name(name)] if isinstance(row, dict) else getattr(row, _name(name))
        values.append(value.isoformat() if hasattr(value, "isoformat") else str(value))
    return SEPARATOR.join(values)


def read_position(model: type[Model], ordering: tuple[str, str], raw: str) -> tuple[Any, Any]:
    """The values of a position written by ``position_of``; ``ValueError`` if malformed."""
    if len(raw) > MAX_POSITION_LENGTH or raw.count(SEPARATOR) != 1:
        raise ValueError(raw)
    first, second = raw.split(SEPARATOR)
    values = []
    for name, text in zip(ordering, (first, second), strict=True):
        field = model._meta.get_field(_name(name))
        assert isinstance(field, Field), name  # an ordering names concrete fields
        try:
            values.append(field.to_python(text))
        except ValidationError as error:
            raise ValueError(raw) from error
    if any(value in (None, "") for value in values):
        raise ValueError(raw)
    return values[0], values[1]


def _beyond(ordering: tuple[str, str], values: tuple[Any, Any], *, forward: bool) -> Q:
    """Rows strictly beyond the position in the list's order (``forward``) or before it.

    Written so that the index answers a range: the first field is bounded on its own
    (``<=``), and the rows that share its value are told apart by the second.
    """
    (first, second), (a, b) = ordering, values

    def op(name: str, strict: bool) -> str:
        descending = name.startswith("-")
        smaller = descending == forward
        return ("lt" if smaller else "gt") + ("" if strict else "e")

    return Q(**{f"{_name(first)}__{op(first, False)}": a}) & (
        Q(**{f"{_name(first)}__{op(first, True)}": a})
        | Q(**{f"{_name(second)}__{op(second, True)}": b})
    )


def _reversed(name: str) -> str:
    return name[1:] if name.startswith("-") else f"-{name}"


def keyset_page(
    queryset: QuerySet[M],
    *,
    ordering: tuple[str, str],
    size: int,
    after: str | None = None,
    before: str | None = None,
) -> Page[M]:
    """One page of ``queryset`` in ``ordering``: the first, or the one after or before
    a position (``after`` wins when both are given). Raises ``ValueError`` for a
    malformed position. One query (with the queryset's prefetches)."""
    model = queryset.model
    if after:
        values = read_position(model, ordering, after)
        rows = list(
            queryset.filter(_beyond(ordering, values, forward=True)).order_by(*ordering)[: size + 1]
        )
        more = len(rows) > size
        rows = rows[:size]
        return Page(
            rows=rows,
            next=position_of(rows[-1], ordering) if more else None,
            previous=position_of(rows[0], ordering) if rows else None,
        )
    if before:
        values = read_position(model, ordering, before)
        backwards = tuple(_reversed(name) for name in ordering)
        rows = list(
            queryset.filter(_beyond(ordering, values, forward=False)).order_by(*backwards)[
                : size + 1
            ]
        )
        more = len(rows) > size
        rows = rows[:size][::-1]
        return Page(
            rows=rows,
            next=position_of(rows[-1], ordering) if rows else None,
            previous=position_of(rows[0], ordering) if more else None,
        )
    rows = list(queryset.order_by(*ordering)[: size + 1])
    more = len(rows) > size
    rows = rows[:size]
    return Page(rows=rows, next=position_of(rows[-1], ordering) if more else None, previous=None)
