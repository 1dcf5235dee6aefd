"""Queries composed by the ORM once per process, then run by their SQL.

Composing a queryset (its filters and joins, then the compiler's SELECT and ORDER BY)
costs a page more Python than the database spends running it: a short query by an
indexed key takes well under a millisecond to answer and a few thousand function calls to
compose. A page that asks the same shape of query on every request, only for another
record, composes it once here: the queryset is written in the ORM as usual, with a
sentinel value standing for the record's key, compiled to SQL with its parameters and the
converters of its columns; each request then runs that SQL with its own key and converts
the rows as Django's ``values()`` does (dates, JSON, encrypted fields decrypted). On
PostgreSQL the SQL is also a prepared statement of each connection, so the database plans
it once per connection rather than on every request.

What may be prepared: a ``values()`` queryset whose shape does not depend on the request
(the same columns, filters and order for every key); the language, the user's scope and
anything else that varies is applied to the rows, or stays in a query of its own. A query
without a key (``keyed=False``: the same rows asked by every request, such as the first
rows of a list that its readers see whole) is prepared the same way and run as it is.
"""

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from django.db import connections
from django.db.backends.utils import CursorDebugWrapper, CursorWrapper

try:  # psycopg's cursor that binds parameters on the server (Django's default binds them
    # in the client, which never prepares a statement)
    from psycopg import Cursor as ServerBindingCursor
except ImportError:  # pragma: no cover - without psycopg there is no PostgreSQL
    ServerBindingCursor = None  # type: ignore[assignment,misc]
from django.db.models import QuerySet

# A key no row carries: it marks, among the compiled query's parameters, where each
# request's key goes. Any other parameter (a status, a constant) stays as compiled.
KEY_SENTINEL = -7_301_905_312


def server_cursor(connection: Any) -> Any:
    """A cursor of ``connection`` (Django's, so that the query is counted and logged as any
    other) that, on PostgreSQL, binds the parameters on the server: the query is then a
    prepared statement of the connection (``prepare_threshold`` in the settings), parsed and
    planned on its first run only. Planning a page's query with a dozen joins cost about
    1.7 ms of the 1.9 ms it took to answer."""
    if connection.vendor != "postgresql":
        return connection.cursor()
    connection.close_if_health_check_failed()
    connection.ensure_connection()
    with connection.wrap_database_errors:
        raw = ServerBindingCursor(connection.connection)
    if connection.queries_logged:
        return _LoggedCursor(raw, connection)
    return connection.make_cursor(raw)


class _LoggedCursor(CursorDebugWrapper):
    """Django's logging cursor, writing the text of the query with its parameters: a run
    of a prepared statement leaves psycopg no query text to report, and the log (the
    query counts of the tests, ``DEBUG``) would read nothing."""

    def execute(self, sql: Any, params: Any = None) -> Any:
        with self.debug_sql(self.db.ops.compose_sql(sql, params)):
            return CursorWrapper.execute(self, sql, params)


@dataclass(frozen=True)
class _Compiled:
    sql: str
    params: tuple[Any, ...]
    key_positions: tuple[int, ...]
    names: tuple[str, ...]
    converters: tuple[tuple[int, tuple[Callable[..., Any], ...], Any], ...]


class PreparedValues:
    """A ``values()`` query built by ``build(key)`` once per database connection alias,
    run for any key as ``rows(key)``: a list of dictionaries, as ``values()`` gives. With
    ``keyed=False`` the query filters on no key and runs as ``rows()``. With
    ``plan_once=False`` it is not a prepared statement: composed once, planned each run."""

    def __init__(
        self,
        build: Callable[[int], "QuerySet[Any]"],
        *,
        keyed: bool = True,
        plan_once: bool = True,
    ) -> None:
        self._build = build
        self._keyed = keyed
        # A query whose best plan depends on its key (a scope: an agency of ten survivors and
        # one of 200,000) is composed once but planned on each run, for that key.
        self._plan_once = plan_once
        self._compiled: dict[str, _Compiled] = {}

    def _compile(self, using: str) -> _Compiled:
        queryset = self._build(KEY_SENTINEL)
        query = queryset.query
        if query.selected:
            names: Sequence[str] = list(query.selected)
        else:
            names = [*query.extra_select, *query.values_select, *query.annotation_select]
        if not names:
            raise ValueError("a prepared query must name its columns with values()")
        compiler = query.get_compiler(using)
        sql, params = compiler.as_sql()
        positions = tuple(i for i, value in enumerate(params) if value == KEY_SENTINEL)
        if self._keyed and not positions:
            raise ValueError("a prepared query must filter on its key")
        if not self._keyed and positions:
            raise ValueError("a query prepared without a key must not use one")
        fields = [column[0] for column in compiler.select[: compiler.col_count]]
        converters = tuple(
            (position, tuple(functions), expression)
            for position, (functions, expression) in compiler.get_converters(fields).items()
        )
        compiled = _Compiled(sql, tuple(params), positions, tuple(names), converters)
        self._compiled[using] = compiled
        return compiled

    def rows(self, key: int | None = None, *, using: str = "default") -> list[dict[str, Any]]:
        if (key is None) == self._keyed:
            raise TypeError("a keyed query runs for a key, a query without one for none")
        compiled = self._compiled.get(using) or self._compile(using)
        params = list(compiled.params)
        for position in compiled.key_positions:
            params[position] = key
        connection = connections[using]
        with server_cursor(connection) if self._plan_once else connection.cursor() as cursor:
            cursor.execute(compiled.sql, params)
            fetched = cursor.fetchall()
        names = compiled.names
        rows = []
        for fetched_row in fetched:
            row = list(fetched_row)
            for position, functions, expression in compiled.converters:
                value = row[position]
                for function in functions:
                    value = function(value, expression, connection)
                row[position] = value
            rows.append(dict(zip(names, row, strict=True)))
        return rows
