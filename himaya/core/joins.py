"""Rows joined to the people and agencies they name, reading only the names.

A page that lists risk assessments with their assessor, or decisions with the deciding
agency, shows a name: joining every column of the user (a password hash among them) or of
the agency makes the query dearer to build and to read, and carries what the page never
shows. ``names_joined`` joins each relation for its name columns only; touching another
column of a joined record would cost a query of its own, which the pages' query counts
would show.
"""

from typing import TypeVar

from django.contrib.auth import get_user_model
from django.db.models import Model, QuerySet

from himaya.core.models import BilingualNamed

M = TypeVar("M", bound=Model)

PERSON_NAME_COLUMNS = ("username", "first_name", "last_name")
BILINGUAL_NAME_COLUMNS = ("name_ar", "name_en")


def name_columns(model: type[Model]) -> tuple[str, ...]:
    """The columns that name a record of this model on a page."""
    if issubclass(model, BilingualNamed):
        return BILINGUAL_NAME_COLUMNS
    if issubclass(model, get_user_model()):
        return PERSON_NAME_COLUMNS
    raise ValueError(f"{model._meta.label} has no name columns declared")


def names_joined(queryset: QuerySet[M], *relations: str) -> QuerySet[M]:
    """The queryset's own columns, with each relation joined for its name only."""
    model = queryset.model
    columns = [field.name for field in model._meta.concrete_fields]
    for relation in relations:
        target = model._meta.get_field(relation).related_model
        assert isinstance(target, type)
        columns += [f"{relation}__{column}" for column in name_columns(target)]
    return queryset.select_related(*relations).only(*columns)
