"""The review queue and the merges leave the system through the export door: survivors by
code only, the rows the supervisor's scope holds, a purpose, the password, one audit row."""

import datetime
from collections.abc import Callable
from typing import Any

import pytest
import time_machine
from django.test import Client
from django.urls import reverse

from himaya.accounts.models import User
from himaya.accounts.tests.factories import PASSWORD
from himaya.agencies.models import Agency, Role
from himaya.audit.tests.exported import csv_rows, exports_written, sheet_rows
from himaya.duplicates import actions
from himaya.duplicates.tests.conftest import Pairs

pytestmark = pytest.mark.django_db

QUEUE = reverse("duplicates:queue")
MERGES = reverse("duplicates:merges")


def _post(client: Client, url: str, fmt: str) -> Any:
    return client.post(f"{url}?export={fmt}", {"purpose": "reporting", "password": PASSWORD})


def test_the_review_queue_exports_the_pairs_in_scope_by_code_only(
    supervisor: User, pairs: Pairs, login_english: Callable[[User], Client]
) -> None:
    client = login_english(supervisor)
    assert 'data-testid="export-links"' in client.get(QUEUE).content.decode()
    rows = sheet_rows(_post(client, QUEUE, "xlsx"))
    first, second = pairs.in_scope.survivor_a.code, pairs.in_scope.survivor_b.code
    assert rows == [["First survivor", "Second survivor", "Score"], [first, second, 97]]
    assert pairs.fatma_in_b.code not in str(rows)  # the pair across agencies is not in scope
    assert "Fatma" not in str(rows) and "فاطمة" not in str(rows)
    [event] = exports_written()
    assert (event.object_code, event.purpose, event.details["rows"]) == (
        "duplicates-review-queue",
        "reporting",
        1,
    )


def test_the_merges_export_their_codes_and_days_merged_and_undone(
    supervisor: User, pairs: Pairs, login_english: Callable[[User], Client]
) -> None:
    with time_machine.travel(datetime.datetime(2026, 11, 2, 23, 30, tzinfo=datetime.UTC)):
        merge = actions.merge_pair(
            pair=pairs.in_scope, by=supervisor, keep=pairs.fatma_ar, expected_version=1
        )
    with time_machine.travel(datetime.datetime(2026, 11, 4, 9, tzinfo=datetime.UTC)):
        actions.undo_merge(merge=merge, by=supervisor)
    client = login_english(supervisor)
    assert 'data-testid="export-links"' in client.get(MERGES).content.decode()
    rows = csv_rows(_post(client, MERGES, "csv"))
    assert rows == [
        ["Survivor kept", "Survivor removed", "Merged on", "Undone on"],
        # Merged at 01:30 on 3 November in Cairo.
        [pairs.fatma_ar.code, pairs.fatma_latin.code, "2026-11-03", "2026-11-04"],
    ]
    [event] = exports_written()
    assert (event.object_code, event.details["format"], event.details["rows"]) == (
        "duplicates-merges",
        "csv",
        1,
    )


@pytest.mark.parametrize("url", [QUEUE, MERGES])
def test_a_case_worker_may_not_export_the_duplicates_lists(
    url: str, case_worker: User, pairs: Pairs, login_english: Callable[[User], Client]
) -> None:
    assert _post(login_english(case_worker), url, "csv").status_code == 403
    assert exports_written() == []


@pytest.mark.parametrize("url", [QUEUE, MERGES])
def test_a_post_without_an_export_is_refused_and_writes_nothing(
    url: str, supervisor: User, pairs: Pairs, login_english: Callable[[User], Client]
) -> None:
    response = login_english(supervisor).post(url, {"purpose": "reporting", "password": PASSWORD})
    assert response.status_code == 405
    assert exports_written() == []


def test_a_supervisor_of_another_agency_exports_none_of_agency_a_pairs(
    make_persona: Callable[..., User],
    agency_b: Agency,
    pairs: Pairs,
    login_english: Callable[[User], Client],
) -> None:
    other = make_persona(Role.SUPERVISOR, agency_b, "supervisor_b")
    rows = csv_rows(_post(login_english(other), QUEUE, "csv"))
    assert rows == [["First survivor", "Second survivor", "Score"]]
