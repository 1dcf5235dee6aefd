"""Every error answer of the API is problem details, as the committed schema says.

Over every API route: a made-up record code (404), an empty body to every write (400 or
another refusal), and a request without signing in (403). Each answer must carry the
``application/problem+json`` type, validate against the schema's ``Problem`` component, and
be a status that the schema documents for that operation.
"""

from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml
from django.test import Client
from django.urls import reverse

from tests import test_api_bad_input as bad
from tests.test_api_bad_input import KWARGS, NoRecord, Route, _schema_path, api_routes, post_routes

pytestmark = pytest.mark.django_db
everyone = bad.everyone  # the demo, and a client with every role in every agency

SCHEMA = yaml.safe_load((Path(__file__).resolve().parents[1] / "docs" / "openapi.yaml").read_text())
PROBLEM = SCHEMA["components"]["schemas"]["Problem"]
CONTENT_TYPE = "application/problem+json"


def _made_up_url(route: Route) -> str | None:
    kwargs = {
        name: 999_999 if converter == "int" else "XX-0000-0000-0"
        for converter, name in (
            part[1:-1].split(":") for part in route.pattern.split("/") if part.startswith("<")
        )
    }
    return reverse(route.name, kwargs=kwargs) if kwargs else None


def _check(route: Route, method: str, response: Any) -> list[str]:
    """What is wrong with this error answer (nothing: an empty list)."""
    problems = []
    if not response["Content-Type"].startswith(CONTENT_TYPE):
        problems.append(f"content type {response['Content-Type']}")
        return problems
    try:
        jsonschema.validate(response.json(), PROBLEM)
    except jsonschema.ValidationError as error:
        problems.append(f"body: {error.message}")
    if response.json().get("status") != response.status_code:
        problems.append("status in the body differs from the answer's")
    # drf-spectacular names a primary key ``id`` in its paths.
    path = _schema_path(route.pattern).replace("{pk}", "{id}")
    operation = SCHEMA["paths"].get(path, {}).get(method)
    if operation is None:
        problems.append("operation missing from the schema")
    elif str(response.status_code) not in operation["responses"]:
        problems.append(f"status {response.status_code} not documented")
    return problems


def test_a_made_up_code_on_every_route_answers_a_documented_problem(everyone: Client) -> None:
    failures = []
    checked = 0
    for route in api_routes():
        url = _made_up_url(route)
        if url is None:
            continue
        for method in sorted(route.methods & {"get", "post"}):
            response = getattr(everyone, method)(url, {}, content_type="application/json")
            if response.status_code != 404:
                failures.append((route.name, method, response.status_code, "expected 404"))
                continue
            checked += 1
            failures.extend((route.name, method, p) for p in _check(route, method, response))
    assert checked >= 20
    assert failures == []


def test_an_empty_body_on_every_write_answers_a_documented_problem(everyone: Client) -> None:
    """An empty body is a refusal for nearly every write; a write whose fields are all
    optional (a draft care plan) may accept it: then there is no error to check."""
    failures = []
    refused = 0
    for route in post_routes():
        try:
            url = reverse(route.name, kwargs=KWARGS[route.name]())
        except NoRecord:  # no such record in the demo: the made-up code test covers it
            continue
        response = everyone.post(url, {}, content_type="application/json")
        if response.status_code >= 500:
            failures.append((route.name, response.status_code, "server error"))
        if not 400 <= response.status_code < 500:
            continue
        refused += 1
        failures.extend((route.name, p) for p in _check(route, "post", response))
    assert refused >= 20
    assert failures == []


def test_every_route_refuses_a_visitor_who_has_not_signed_in_with_a_problem(
    client: Client,
) -> None:
    failures = []
    for route in api_routes():
        url = _made_up_url(route) or reverse(route.name)
        for method in sorted(route.methods & {"get", "post"}):
            response = getattr(client, method)(url)
            if response.status_code not in (401, 403):
                failures.append((route.name, method, response.status_code))
                continue
            failures.extend((route.name, method, p) for p in _check(route, method, response))
    assert failures == []
