"""API errors as problem details (RFC 9457), the same body for every route.

``exception_handler`` is DRF's handler for the whole API: a ``DomainError`` raised by an
action, DRF's own errors (validation, parsing, authentication, permission, throttling)
and a missing record all answer ``application/problem+json`` with ``type``, ``title``,
``status``, ``detail`` and, for invalid input, ``errors`` (messages per field).
The error handlers of ``core.views`` answer an unknown URL (and any other error) under
an API prefix the same way, never with an HTML page. ``document_errors`` adds these
answers to every operation of the schema.
"""

from http import HTTPStatus
from typing import Any

from django.core.exceptions import ObjectDoesNotExist
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import Http404
from django.utils.translation import gettext as _
from rest_framework import exceptions
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from himaya.core.errors import DomainError

CONTENT_TYPE = "application/problem+json"
ERROR_STATUSES = (400, 401, 403, 404, 405, 409, 413, 415, 429)


def _titles() -> dict[int, str]:
    return {
        400: _("The input is not valid"),
        401: _("Sign in first"),
        403: _("Not allowed"),
        404: _("Not found"),
        405: _("Method not allowed"),
        406: _("Not acceptable"),
        409: _("Conflict"),
        413: _("The request is too large"),
        415: _("Unsupported media type"),
        429: _("Too many requests"),
        500: _("Server error"),
    }


def problem(
    status: int, detail: str, *, errors: dict[str, list[str]] | None = None, title: str = ""
) -> dict[str, Any]:
    body: dict[str, Any] = {
        "type": "about:blank",
        "title": title or _titles().get(status, HTTPStatus(status).phrase),
        "status": status,
        "detail": detail,
    }
    if errors:
        body["errors"] = errors
    return body


def _flatten(detail: Any, prefix: str = "") -> dict[str, list[str]]:
    """DRF's nested validation detail as ``{"field.sub": [messages]}``."""
    if isinstance(detail, dict):
        flat: dict[str, list[str]] = {}
        for key, value in detail.items():
            name = f"{prefix}.{key}" if prefix else str(key)
            flat.update(_flatten(value, name))
        return flat
    if isinstance(detail, list):
        if all(not isinstance(item, dict | list) for item in detail):
            return {prefix or "non_field_errors": [str(item) for item in detail]}
        flat = {}
        for index, item in enumerate(detail):
            flat.update(_flatten(item, f"{prefix}.{index}" if prefix else str(index)))
        return flat
    return {prefix or "non_field_errors": [str(detail)]}


def _first_message(errors: dict[str, list[str]]) -> str:
    for messages in errors.values():
        if messages:
            return messages[0]
    return _("The input is not valid")


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    if isinstance(exc, DomainError):
        errors = {name: [str(m) for m in messages] for name, messages in exc.errors.items()}
        body = problem(exc.status, str(exc.message), errors=errors, title=str(exc.title))
        body.update(getattr(exc, "extensions", {}))  # extension members (RFC 9457, 3.2)
        return Response(body, status=exc.status, content_type=CONTENT_TYPE)
    if isinstance(exc, Http404 | ObjectDoesNotExist):
        exc = exceptions.NotFound(_("Not found."))
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied(_("You may not do this."))
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, exceptions.ValidationError):
        errors = _flatten(exc.detail)
        body = problem(response.status_code, _first_message(errors), errors=errors)
    else:
        detail = exc.detail if isinstance(exc, exceptions.APIException) else str(exc)
        text = detail if isinstance(detail, str) else _first_message(_flatten(detail))
        body = problem(response.status_code, str(text))
    response.data = body
    response.content_type = CONTENT_TYPE
    return response


def is_api_path(path: str) -> bool:
    return "/api/" in path


PROBLEM_SCHEMA = {
    "type": "object",
    "description": "Problem details (RFC 9457).",
    "properties": {
        "type": {"type": "string"},
        "title": {"type": "string"},
        "status": {"type": "integer"},
        "detail": {"type": "string"},
        "errors": {
            "type": "object",
            "additionalProperties": {"type": "array", "items": {"type": "string"}},
        },
    },
    "required": ["type", "title", "status", "detail"],
}


def document_errors(result: dict[str, Any], **_: Any) -> dict[str, Any]:
    """drf-spectacular hook: every operation may answer the problem statuses."""
    components = result.setdefault("components", {}).setdefault("schemas", {})
    components["Problem"] = PROBLEM_SCHEMA
    reference = {"$ref": "#/components/schemas/Problem"}
    for operations in result.get("paths", {}).values():
        for operation in operations.values():
            if not isinstance(operation, dict) or "responses" not in operation:
                continue
            for status in ERROR_STATUSES:
                operation["responses"][str(status)] = {
                    "description": HTTPStatus(status).phrase,
                    "content": {CONTENT_TYPE: {"schema": reference}},
                }
    return result
