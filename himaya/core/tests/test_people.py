"""A person is named by their name, not their username, wherever a page shows or offers
them."""

import pytest
from django import forms
from django.template import Context, Template

from himaya.accounts.models import User
from himaya.accounts.tests.factories import UserFactory
from himaya.core.forms import PersonChoiceField, person_label

pytestmark = pytest.mark.django_db


def test_a_person_with_a_name_is_offered_by_name_and_username_and_one_without_by_username() -> None:
    named = UserFactory(username="mona.a", first_name="منى", last_name="عبد الله")
    unnamed = UserFactory(username="desk7", first_name="", last_name="")
    assert person_label(named) == "منى عبد الله (mona.a)"
    assert person_label(unnamed) == "desk7"

    class Choose(forms.Form):
        who = PersonChoiceField(queryset=User.objects.order_by("username"))

    html = str(Choose()["who"])
    assert f'<option value="{unnamed.pk}">desk7</option>' in html
    assert f'<option value="{named.pk}">منى عبد الله (mona.a)</option>' in html


def test_the_person_filter_writes_the_full_name_or_the_username_or_nothing() -> None:
    template = Template("{% load himaya_format %}[{{ who|person }}]")
    named = UserFactory(username="mona.a", first_name="منى", last_name="<b>")
    unnamed = UserFactory(username="desk7", first_name="", last_name="")
    assert template.render(Context({"who": named})) == "[منى &lt;b&gt;]"
    assert template.render(Context({"who": unnamed})) == "[desk7]"
    assert template.render(Context({"who": None})) == "[]"
