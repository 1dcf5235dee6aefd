"""The auditor's page keeps its filters from page to page, and names actions and
purposes in the reader's language, chosen from a list rather than typed as codes."""

from collections.abc import Callable

import pytest
from django.test import Client
from django.utils import translation
from django.utils.translation import pgettext

from himaya.accounts.models import User
from himaya.agencies.models import Role
from himaya.audit.actions import record_event

pytestmark = pytest.mark.django_db


def test_the_page_links_carry_the_filters(
    login: Callable[[User], Client], make_persona: Callable[..., User], case_worker: User
) -> None:
    for number in range(60):
        record_event(action="case.opened", actor=case_worker, object_code=f"C{number}")
    record_event(action="referral.sent", actor=case_worker)
    client = login(make_persona(Role.AUDITOR))
    first = client.get("/audit/", {"action": "case.opened", "actor": "case_worker_a"})
    text = first.content.decode()
    assert 'href="?action=case.opened&amp;actor=case_worker_a&amp;page=2"' in text
    second = client.get("/audit/", {"action": "case.opened", "actor": "case_worker_a", "page": 2})
    page = second.context["page"]
    assert [event.action for event in page] == ["case.opened"] * 10
    assert 'href="?action=case.opened&amp;actor=case_worker_a&amp;page=1"' in (
        second.content.decode()
    )


def test_actions_are_chosen_and_shown_in_arabic_with_the_code_as_small_print(
    login: Callable[[User], Client], make_persona: Callable[..., User], case_worker: User
) -> None:
    record_event(action="case.opened", actor=case_worker, object_code="CS-1")
    client = login(make_persona(Role.AUDITOR))
    text = client.get("/audit/", {"action": "case.opened"}).content.decode()
    with translation.override("ar"):
        label = pgettext("audit trail", "Case opened")
    assert label != "Case opened"
    assert '<select name="action"' in text
    assert f'<option value="case.opened" selected>{label}</option>' in text
    assert f'<td data-action="case.opened">{label} <small' in text
    assert ">case.opened</small></td>" in text


def test_an_action_matches_exactly_and_a_group_matches_its_prefix(
    login: Callable[[User], Client], make_persona: Callable[..., User], case_worker: User
) -> None:
    record_event(action="case.opened", actor=case_worker)
    record_event(action="case.closed", actor=case_worker)
    record_event(action="shelters.admitted", actor=case_worker)
    record_event(action="shelter.admitted", actor=case_worker)
    client = login(make_persona(Role.AUDITOR))
    exact = client.get("/audit/", {"action": "case.closed"}).context["page"]
    assert [event.action for event in exact] == ["case.closed"]
    group = client.get("/audit/", {"action": "shelter"}).context["page"]
    assert [event.action for event in group] == ["shelter.admitted", "shelters.admitted"]


def test_an_unknown_action_code_is_refused_and_lists_nothing(
    login: Callable[[User], Client], make_persona: Callable[..., User], case_worker: User
) -> None:
    record_event(action="case.opened", actor=case_worker)
    client = login(make_persona(Role.AUDITOR))
    response = client.get("/audit/", {"action": "case.op"})
    assert response.status_code == 200
    assert list(response.context["page"]) == []
    assert "invalid-feedback" in response.content.decode()
