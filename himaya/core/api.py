"""What every API route shares: the page of a list, the JSON parser, the error answer.

Input from outside is checked before it reaches a query or a rule, and a bad value is
answered with 400 and a message in the user's language, never with a server error:

- ``limit`` and ``offset`` must be whole numbers written in digits (Arabic-Indic digits
  too). Anything else, a ``limit`` of 0 and negative numbers are refused with 400. A number
  that is only too large is reduced to the largest one allowed: ``limit`` to
  ``MAX_PAGE_SIZE``, ``offset`` to ``MAX_OFFSET`` (which gives an empty page), so that no
  number too large for the database ever reaches a query.
- ``after`` and ``before`` (``KeysetPagination``) must be positions the list wrote in
  its ``next`` and ``previous`` links; anything else is refused with 400.
- A JSON body larger than ``MAX_JSON_BODY_BYTES`` or nested deeper than
  ``MAX_JSON_DEPTH`` is refused with 400 before any view sees it.
"""

import codecs
from collections.abc import Mapping
from typing import Any, NoReturn

from django.conf import settings
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers
from rest_framework.exceptions import ParseError, ValidationError
from rest_framework.pagination import BasePagination, LimitOffsetPagination
from rest_framework.parsers import BaseParser
from rest_framework.renderers import JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.utils import json as drf_json
from rest_framework.utils.urls import remove_query_param, replace_query_param

from himaya.core.bounds import MAX_INTEGER
from himaya.core.keyset import Page, keyset_page

# The most rows one page of a list holds; a larger ``limit`` is reduced to it.
MAX_PAGE_SIZE = 200
# The largest ``offset`` looked at; a larger one is reduced to it (an empty page).
MAX_OFFSET = 10**9
# Digits beyond this many make a number larger than any bound above: not even converted.
_MAX_DIGITS = 18
# A JSON body: at most this many bytes, and arrays or objects at most this deep.
MAX_JSON_BODY_BYTES = 1_000_000
MAX_JSON_DEPTH = 64


def _refuse(name: str, message: str) -> NoReturn:
    raise ValidationError({name: [message]})


def _whole_number(raw: str, *, name: str, smallest: int, largest: int) -> int:
    """``raw`` as a whole number between ``smallest`` and ``largest`` (a larger one is
    reduced to ``largest``); anything else is refused with 400."""
    value = raw.strip()
    sign = -1 if value.startswith("-") else 1
    digits = value[1:] if value[:1] in ("+", "-") else value
    if not digits.isdecimal():
        _refuse(name, _("%(name)s must be a whole number written in digits.") % {"name": name})
    # So many digits are beyond every bound: the number is not even converted.
    number = sign * (10**_MAX_DIGITS if len(digits) > _MAX_DIGITS else int(digits))
    if number < smallest:
        _refuse(
            name,
            _("%(name)s must be at least %(smallest)s.") % {"name": name, "smallest": smallest},
        )
    return min(number, largest)


class Pagination(LimitOffsetPagination):
    """Limit and offset paging with bounded, checked parameters (see the module)."""

    max_limit = MAX_PAGE_SIZE
    max_offset = MAX_OFFSET

    def get_limit(self, request: Request) -> int:
        raw = request.query_params.get(self.limit_query_param)
        if raw is None or raw == "":
            return int(self.default_limit or MAX_PAGE_SIZE)
        return _whole_number(
            raw, name=self.limit_query_param, smallest=1, largest=int(self.max_limit)
        )

    def get_offset(self, request: Request) -> int:
        raw = request.query_params.get(self.offset_query_param)
        if raw is None or raw == "":
            return 0
        return _whole_number(raw, name=self.offset_query_param, smallest=0, largest=self.max_offset)


class KeysetPagination(BasePagination):
    """Pages of a long list without counting it (``core.keyset``).

    ``limit`` rows (checked as by ``Pagination``), the first ones or those ``after`` or
    ``before`` a position; the answer is ``{"next", "previous", "results"}``, the links
    to the pages on either side or null. The view names the order of the list in
    ``keyset_ordering``: two fields, the second unique, backed by an index.
    """

    limit_query_param = "limit"
    after_query_param = "after"
    before_query_param = "before"
    max_limit = MAX_PAGE_SIZE

    def __init__(self) -> None:
        self.request: Request | None = None
        self.page: Page[Any] | None = None

    def get_limit(self, request: Request) -> int:
        raw = request.query_params.get(self.limit_query_param)
        if raw is None or raw == "":
            return int(api_settings.PAGE_SIZE or MAX_PAGE_SIZE)
        return _whole_number(raw, name=self.limit_query_param, smallest=1, largest=self.max_limit)

    def paginate_queryset(self, queryset: Any, request: Request, view: Any = None) -> list[Any]:
        self.request = request
        after = request.query_params.get(self.after_query_param) or None
        before = None if after else request.query_params.get(self.before_query_param) or None
        try:
            self.page = keyset_page(
                queryset,
                ordering=view.keyset_ordering,
                size=self.get_limit(request),
                after=after,
                before=before,
            )
        except ValueError:
            name = self.after_query_param if after else self.before_query_param
            _refuse(name, _("%(name)s is not a position in this list.") % {"name": name})
        return self.page.rows

    def _link(self, name: str, position: str | None) -> str | None:
        if position is None or self.request is None:
            return None
        url = self.request.build_absolute_uri()
        for param in (self.after_query_param, self.before_query_param):
            url = remove_query_param(url, param)
        return str(replace_query_param(url, name, position))

    def get_paginated_response(self, data: Any) -> Response:
        assert self.page is not None
        return Response(
            {
                "next": self._link(self.after_query_param, self.page.next),
                "previous": self._link(self.before_query_param, self.page.previous),
                "results": data,
            }
        )

    def get_paginated_response_schema(self, schema: dict[str, Any]) -> dict[str, Any]:
        link = {"type": "string", "format": "uri", "nullable": True}
        return {
            "type": "object",
            "required": ["next", "previous", "results"],
            "properties": {
                "next": {**link, "description": "The next page, or null after the last."},
                "previous": {**link, "description": "The page before, or null on the first."},
                "results": schema,
            },
        }

    def get_schema_operation_parameters(self, view: Any) -> list[dict[str, Any]]:
        position = "A position from the `next` or `previous` link of the list."
        return [
            {
                "name": self.limit_query_param,
                "required": False,
                "in": "query",
                "description": f"Rows per page (at most {self.max_limit}).",
                "schema": {"type": "integer", "minimum": 1},
            },
            {
                "name": self.after_query_param,
                "required": False,
                "in": "query",
                "description": f"{position} The rows that follow it.",
                "schema": {"type": "string"},
            },
            {
                "name": self.before_query_param,
                "required": False,
                "in": "query",
                "description": f"{position} The rows that precede it.",
                "schema": {"type": "string"},
            },
        ]


def json_depth(value: Any) -> int:
    """How deeply arrays and objects nest in ``value`` (a scalar is 0), without recursion."""
    deepest = 0
    pending: list[tuple[Any, int]] = [(value, 0)]
    while pending:
        item, depth = pending.pop()
        if isinstance(item, Mapping):
            children: Any = item.values()
        elif isinstance(item, list):
            children = item
        else:
            continue
        depth += 1
        deepest = max(deepest, depth)
        if depth > MAX_JSON_DEPTH:
            return depth
        pending.extend((child, depth) for child in children)
    return deepest


class BoundedJSONParser(BaseParser):
    """JSON with a bounded size and depth; a malformed body is a 400 with a message.

    Not a subclass of DRF's ``JSONParser``: DRF hands such a parser the whole body, read
    into memory first; this one gets the stream and reads at most one byte more than
    ``MAX_JSON_BODY_BYTES``.
    """

    media_type = "application/json"
    renderer_class = JSONRenderer
    strict = api_settings.STRICT_JSON

    def parse(
        self,
        stream: Any,
        media_type: str | None = None,
        parser_context: Mapping[str, Any] | None = None,
    ) -> Any:
        context = parser_context or {}
        encoding = context.get("encoding") or settings.DEFAULT_CHARSET
        body = stream.read(MAX_JSON_BODY_BYTES + 1)
        if len(body) > MAX_JSON_BODY_BYTES:
            raise ParseError(
                _("The request body is larger than %(size)s bytes.") % {"size": MAX_JSON_BODY_BYTES}
            )
        try:
            text = codecs.decode(body, encoding)
            parse_constant = drf_json.strict_constant if self.strict else None
            data = drf_json.loads(text, parse_constant=parse_constant)
        except RecursionError:
            depth = MAX_JSON_DEPTH + 1
        except (ValueError, LookupError) as error:
            raise ParseError(_("The request body is not valid JSON.")) from error
        else:
            depth = json_depth(data)
        if depth > MAX_JSON_DEPTH:
            raise ParseError(
                _("The request body nests arrays or objects deeper than %(depth)s levels.")
                % {"depth": MAX_JSON_DEPTH}
            )
        if holds_nul(data):
            # PostgreSQL stores no NUL character in text: refused here, for every field.
            raise ParseError(_("The request body holds a NUL character, which no field accepts."))
        return data


def holds_nul(data: Any) -> bool:
    """Whether a NUL character sits in any string, key or value, of parsed JSON (whose
    depth is already bounded)."""
    if isinstance(data, str):
        return "\x00" in data
    if isinstance(data, dict):
        return any(holds_nul(key) or holds_nul(value) for key, value in data.items())
    if isinstance(data, list):
        return any(holds_nul(item) for item in data)
    return False


class VersionField(serializers.IntegerField):
    """The ``version`` of a record as the client read it.

    A whole number: a JSON integer or a string of digits, between ``min_value`` (1 unless
    told) and ``MAX_INTEGER``. A fraction, an exponent (``1e9``), a boolean, a sign or
    any other text is refused with 400 before it reaches a query.
    """

    default_error_messages = {
        "invalid": _("The version must be a whole number written in digits."),
    }

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", MAX_INTEGER)
        super().__init__(**kwargs)

    def to_internal_value(self, data: Any) -> int:
        if isinstance(data, str) and data.isascii() and data.isdecimal():
            # So many digits are beyond every bound: the number is not even converted.
            number = MAX_INTEGER + 1 if len(data) > _MAX_DIGITS else int(data)
        elif isinstance(data, int) and not isinstance(data, bool):
            number = data
        else:
            self.fail("invalid")
        return int(super().to_internal_value(number))
