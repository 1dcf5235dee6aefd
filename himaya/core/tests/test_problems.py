"""One error model: every refusal of the API answers problem details (RFC 9457)."""

from collections.abc import Callable

import pytest
from django import forms
from django.test import Client, RequestFactory
from django.utils import translation
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from himaya.accounts.models import User
from himaya.core import context
from himaya.core.errors import Conflict, DomainError, Forbidden, Invalid, NotFound, RateLimited
from himaya.core.forms import StyledForm, show_refusal
from himaya.core.locking import ConcurrentEditError
from himaya.core.problems import CONTENT_TYPE, document_errors

PROBLEM_KEYS = {"type", "title", "status", "detail"}


class _Input(serializers.Serializer[dict[str, object]]):
    amount = serializers.IntegerField(max_value=10)
    items = serializers.ListField(child=serializers.DictField(child=serializers.CharField()))


class _Refusing(APIView):
    permission_classes: list[type] = []
    authentication_classes: list[type] = []
    error: Exception | None = None

    def post(self, request: Request) -> Response:
        if self.error is not None:
            raise self.error
        data = _Input(data=request.data)
        data.is_valid(raise_exception=True)
        return Response({"ok": True})


def _post(error: Exception | None, body: dict[str, object] | None = None) -> Response:
    view = _Refusing.as_view(error=error)
    request = RequestFactory().post("/x/api/", body or {}, content_type="application/json")
    response: Response = view(request)
    response.render()
    return response


@pytest.mark.parametrize(
    ("error", "status"),
    [
        (Invalid("The amount is too large.", field="amount"), 400),
        (DomainError("Refused."), 400),
        (Forbidden("Only a supervisor may do this."), 403),
        (NotFound("No such record."), 404),
        (Conflict("Changed meanwhile."), 409),
        (RateLimited("Too many checks."), 429),
    ],
)
def test_a_domain_error_answers_problem_details_with_its_status(
    error: DomainError, status: int
) -> None:
    response = _post(error)
    assert response.status_code == status
    assert response["Content-Type"].startswith(CONTENT_TYPE)
    assert set(response.data) >= PROBLEM_KEYS
    assert response.data["status"] == status
    assert response.data["detail"] == str(error.message)
    assert response.data["type"] == "about:blank"


def test_the_field_at_fault_is_named_in_errors() -> None:
    response = _post(Invalid("The amount is too large.", field="amount"))
    assert response.data["errors"] == {"amount": ["The amount is too large."]}


def test_a_stale_version_is_a_conflict() -> None:
    user = User(username="someone")
    response = _post(ConcurrentEditError(user))
    assert response.status_code == 409
    assert response.data["detail"] == str(ConcurrentEditError.message)


def test_validation_errors_are_flattened_per_field_and_the_first_one_is_the_detail() -> None:
    response = _post(None, {"amount": 99, "items": [{"a": "x"}, "not a dict"]})
    assert response.status_code == 400
    assert response["Content-Type"].startswith(CONTENT_TYPE)
    assert set(response.data["errors"]) == {"amount", "items.1"}
    assert response.data["detail"] == response.data["errors"]["amount"][0]


def test_problem_titles_follow_the_language() -> None:
    with translation.override("ar"):
        response = _post(Forbidden("ممنوع"))
    assert response.data["title"] == "غير مسموح"


@pytest.mark.django_db
def test_an_unknown_address_under_an_api_prefix_answers_problem_details(
    login: Callable[[User], Client], case_worker: User
) -> None:
    response = login(case_worker).get("/cases/api/no/such/thing/")
    assert response.status_code == 404
    assert response["Content-Type"].startswith(CONTENT_TYPE)
    assert set(response.json()) >= PROBLEM_KEYS


@pytest.mark.django_db
def test_an_unknown_page_address_answers_an_html_page(
    login: Callable[[User], Client], case_worker: User
) -> None:
    response = login(case_worker).get("/cases/no/such/page/at/all/")
    assert response.status_code == 404
    assert response["Content-Type"].startswith("text/html")


def test_the_schema_hook_documents_the_problem_answers_of_every_operation() -> None:
    schema: dict[str, object] = {
        "paths": {"/x/api/": {"post": {"responses": {"200": {"description": "OK"}}}}}
    }
    result = document_errors(schema)
    responses = result["paths"]["/x/api/"]["post"]["responses"]
    assert set(responses) == {"200", "400", "401", "403", "404", "405", "409", "413", "415", "429"}
    assert result["components"]["schemas"]["Problem"]["required"] == sorted(
        PROBLEM_KEYS, key=["type", "title", "status", "detail"].index
    )


class _Form(StyledForm):
    amount = forms.IntegerField()


def test_a_refusal_naming_a_field_shows_on_that_field() -> None:
    form = _Form(data={"amount": "5"})
    assert form.is_valid()
    show_refusal(Invalid("Too much.", field="amount"), form=form)
    assert form.errors == {"amount": ["Too much."]}


def test_a_refusal_naming_no_field_of_the_form_shows_on_the_whole_form() -> None:
    form = _Form(data={"amount": "5"})
    assert form.is_valid()
    show_refusal(Conflict("Changed meanwhile.", field="version"), form=form)
    assert form.non_field_errors() == ["Changed meanwhile."]


def test_the_client_address_is_known_while_a_request_is_served_and_only_then() -> None:
    seen: list[str | None] = []

    def view(request: object) -> object:
        seen.append(context.client_address())
        return object()

    middleware = context.RequestContextMiddleware(view)  # type: ignore[arg-type]
    middleware(RequestFactory().get("/", REMOTE_ADDR="203.0.113.9"))
    assert seen == ["203.0.113.9"]
    assert context.client_address() is None
