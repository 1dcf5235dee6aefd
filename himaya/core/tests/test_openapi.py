"""The committed OpenAPI schema is the one the code generates (no drift)."""

from pathlib import Path

import pytest
from django.db import connection
from django.utils import translation
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.renderers import OpenApiYamlRenderer

SCHEMA = Path(__file__).resolve().parents[3] / "docs" / "openapi.yaml"


@pytest.mark.skipif(
    connection.vendor != "sqlite",
    reason="the committed schema is generated on the embedded database; integer ranges "
    "in it follow the database engine",
)
def test_the_committed_api_schema_matches_the_code() -> None:
    with translation.override("en"):
        schema = SchemaGenerator().get_schema(request=None, public=True)
        rendered = OpenApiYamlRenderer().render(schema, renderer_context={}).decode("utf-8")
    assert rendered == SCHEMA.read_text(encoding="utf-8"), (
        "docs/openapi.yaml is out of date: run make schema"
    )
