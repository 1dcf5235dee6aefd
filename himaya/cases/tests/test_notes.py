"""Case notes: seen and written only by the case's team, encrypted, signed, revised without
losing the earlier text, and never printed."""

from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import translation

from himaya.accounts.models import User
from himaya.agencies.models import Role
from himaya.audit.models import AuditEvent
from himaya.cases import actions, selectors
from himaya.cases.exceptions import CaseError, CaseForbidden
from himaya.cases.models import Case, CaseNote, CaseNoteRevision, ClosureReason
from himaya.cases.tests.factories import CaseFactory
from himaya.core.locking import ConcurrentEditError
from himaya.core.tests.pdftext import pdf_text
from himaya.timeline.models import CaseEvent, EventKind

pytestmark = pytest.mark.django_db

PROBLEM = "application/problem+json"
TEXT = "زارت الناجية المكتب وطلبت تأجيل الجلسة"
SECRET = "Mentioned a new address in Giza"
OTHER_ROLES = [role.value for role in Role if role not in {Role.CASE_WORKER, Role.SUPERVISOR}]
TEAM = [Role.CASE_WORKER.value, Role.SUPERVISOR.value]


@pytest.fixture
def case(personas: dict[str, User]) -> Case:
    worker = personas[Role.CASE_WORKER]
    lead = worker.memberships.get().agency
    return CaseFactory(lead_agency=lead, case_worker=worker)


def _notes(case: Case) -> list[tuple[str, int]]:
    return [(note.body, note.version) for note in CaseNote.objects.filter(case=case)]


def _note_events(case: Case) -> int:
    return CaseEvent.objects.filter(
        case=case, kind__in=[EventKind.CASE_NOTE_ADDED, EventKind.CASE_NOTE_REVISED]
    ).count()


def _raw_body(table: str, pk: int) -> str:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT body FROM {table} WHERE id = %s", [pk])  # noqa: S608
        return str(cursor.fetchone()[0])


# --- who sees and writes --------------------------------------------------------------


@pytest.mark.parametrize("role", TEAM)
def test_the_case_worker_and_supervisor_of_the_lead_agency_add_and_see_notes(
    case: Case, personas: dict[str, User], login: Callable[[User], Client], role: str
) -> None:
    client = login(personas[role])

    page = client.post(reverse("cases:note_add", args=[case.code]), {"body": TEXT})
    api = client.post(
        reverse("cases:api_note_list", args=[case.code]),
        {"body": SECRET},
        content_type="application/json",
    )
    shown = client.get(reverse("cases:detail", args=[case.code]))
    listed = client.get(reverse("cases:api_note_list", args=[case.code]))

    assert page.status_code == 302
    assert page["Location"] == reverse("cases:detail", args=[case.code]) + "#notes"
    assert api.status_code == 201
    assert api.json()["author"] == personas[role].username
    assert sorted(_notes(case)) == sorted([(TEXT, 1), (SECRET, 1)])
    assert TEXT in shown.content.decode()
    assert [row["body"] for row in listed.json()["results"]] == [SECRET, TEXT]
    assert _note_events(case) == 2


def test_a_case_worker_of_another_agency_does_not_find_the_case_and_nothing_changes(
    case: Case, personas: dict[str, User], login: Callable[[User], Client]
) -> None:
    note = actions.add_case_note(case=case, body=TEXT, by=personas[Role.CASE_WORKER])
    client = login(personas["outsider"])

    page = client.post(reverse("cases:note_add", args=[case.code]), {"body": SECRET})
    revise = client.post(
        reverse("cases:note_revise", args=[note.code]), {"body": SECRET, "version": 1}
    )
    listed = client.get(reverse("cases:api_note_list", args=[case.code]))
    added = client.post(
        reverse("cases:api_note_list", args=[case.code]),
        {"body": SECRET},
        content_type="application/json",
    )

    assert (page.status_code, revise.status_code, listed.status_code, added.status_code) == (
        404,
        404,
        404,
        404,
    )
    assert TEXT.encode() not in listed.content
    assert _notes(case) == [(TEXT, 1)]
    assert _note_events(case) == 1


@pytest.mark.parametrize("role", OTHER_ROLES)
def test_other_roles_are_refused_with_403_and_nothing_changes(
    case: Case, personas: dict[str, User], login: Callable[[User], Client], role: str
) -> None:
    note = actions.add_case_note(case=case, body=TEXT, by=personas[Role.CASE_WORKER])
    client = login(personas[role])

    page = client.post(reverse("cases:note_add", args=[case.code]), {"body": SECRET})
    revise = client.post(
        reverse("cases:note_revise", args=[note.code]), {"body": SECRET, "version": 1}
    )
    listed = client.get(reverse("cases:api_note_list", args=[case.code]))
    added = client.post(
        reverse("cases:api_note_list", args=[case.code]),
        {"body": SECRET},
        content_type="application/json",
    )

    assert (page.status_code, revise.status_code, listed.status_code, added.status_code) == (
        403,
        403,
        403,
        403,
    )
    assert added["Content-Type"] == PROBLEM
    assert TEXT.encode() not in listed.content
    assert _notes(case) == [(TEXT, 1)]
    assert _note_events(case) == 1


def test_only_the_author_may_revise_a_note(
    case: Case, personas: dict[str, User], login: Callable[[User], Client]
) -> None:
    note = actions.add_case_note(case=case, body=TEXT, by=personas[Role.CASE_WORKER])
    supervisor = personas[Role.SUPERVISOR]

    with pytest.raises(CaseForbidden):
        actions.revise_case_note(note=note, body=SECRET, by=supervisor, version=1)
    page = login(supervisor).post(
        reverse("cases:note_revise", args=[note.code]), {"body": SECRET, "version": 1}
    )
    api = login(supervisor).post(
        reverse("cases:api_note_revise", args=[note.code]),
        {"body": SECRET, "version": 1},
        content_type="application/json",
    )

    assert (page.status_code, api.status_code) == (403, 403)
    assert _notes(case) == [(TEXT, 1)]
    assert CaseNoteRevision.objects.count() == 0
    assert selectors.may_revise_note(supervisor, note) is False
    assert selectors.may_revise_note(personas[Role.CASE_WORKER], note) is True


# --- integrity ------------------------------------------------------------------------


def test_the_text_is_stored_encrypted(case: Case, personas: dict[str, User]) -> None:
    note = actions.add_case_note(case=case, body=TEXT, by=personas[Role.CASE_WORKER])

    raw = _raw_body("cases_casenote", note.pk)

    assert raw != TEXT
    assert TEXT not in raw
    assert raw.startswith("gAAAAA")  # a Fernet token
    assert CaseNote.objects.get(pk=note.pk).body == TEXT


def test_the_signature_verifies_and_a_changed_text_is_detected(
    case: Case, personas: dict[str, User]
) -> None:
    note = actions.add_case_note(case=case, body=TEXT, by=personas[Role.CASE_WORKER])
    assert CaseNote.objects.get(pk=note.pk).verify() is True

    CaseNote.objects.filter(pk=note.pk).update(body="نص آخر")
    tampered = CaseNote.objects.get(pk=note.pk)

    assert tampered.body == "نص آخر"
    assert tampered.verify() is False


def test_a_note_moved_to_another_author_no_longer_verifies(
    case: Case, personas: dict[str, User]
) -> None:
    note = actions.add_case_note(case=case, body=TEXT, by=personas[Role.CASE_WORKER])

    CaseNote.objects.filter(pk=note.pk).update(author=personas[Role.SUPERVISOR])

    assert CaseNote.objects.get(pk=note.pk).verify() is False


def test_a_revision_keeps_the_earlier_text_encrypted_and_signed(
    case: Case, personas: dict[str, User], login: Callable[[User], Client]
) -> None:
    author = personas[Role.CASE_WORKER]
    note = actions.add_case_note(case=case, body=TEXT, by=author)

    response = login(author).post(
        reverse("cases:note_revise", args=[note.code]), {"body": SECRET, "version": 1}
    )

    assert response.status_code == 302
    fresh = CaseNote.objects.get(pk=note.pk)
    assert (fresh.body, fresh.version, fresh.verify()) == (SECRET, 2, True)
    [revision] = CaseNoteRevision.objects.filter(note=note)
    assert (revision.body, revision.version, revision.verify()) == (TEXT, 1, True)
    assert TEXT not in _raw_body("cases_casenoterevision", revision.pk)
    page = login(author).get(reverse("cases:detail", args=[case.code])).content.decode()
    assert 'data-testid="note-revised"' in page
    assert 'data-revision="1"' in page
    assert TEXT in page


def test_a_stale_version_is_refused_with_409_and_nothing_changes(
    case: Case, personas: dict[str, User], login: Callable[[User], Client]
) -> None:
    author = personas[Role.CASE_WORKER]
    note = actions.add_case_note(case=case, body=TEXT, by=author)
    actions.revise_case_note(note=note, body="النص الثاني", by=author, version=1)
    client = login(author)

    with pytest.raises(ConcurrentEditError):
        actions.revise_case_note(
            note=CaseNote.objects.get(pk=note.pk), body=SECRET, by=author, version=1
        )
    page = client.post(
        reverse("cases:note_revise", args=[note.code]), {"body": SECRET, "version": 1}
    )
    api = client.post(
        reverse("cases:api_note_revise", args=[note.code]),
        {"body": SECRET, "version": 1},
        content_type="application/json",
    )

    assert (page.status_code, api.status_code) == (409, 409)
    assert api["Content-Type"] == PROBLEM
    assert 'name="version" value="2"' in page.content.decode()
    assert _notes(case) == [("النص الثاني", 2)]
    assert CaseNoteRevision.objects.filter(note=note).count() == 1


@pytest.mark.parametrize(
    ("body", "field"),
    [("   ", "body"), ("\u200b\u200f ", "body"), ("أ" * 5001, "body")],
)
def test_an_empty_or_too_long_note_is_refused_and_nothing_is_written(
    case: Case, personas: dict[str, User], body: str, field: str
) -> None:
    with translation.override("ar"), pytest.raises(CaseError) as refused:
        actions.add_case_note(case=case, body=body, by=personas[Role.CASE_WORKER])

    assert list(refused.value.errors) == [field]
    assert _notes(case) == []
    assert _note_events(case) == 0


def test_the_api_refuses_a_too_long_note_with_a_problem_naming_the_field(
    case: Case, personas: dict[str, User], login: Callable[[User], Client]
) -> None:
    response = login(personas[Role.CASE_WORKER]).post(
        reverse("cases:api_note_list", args=[case.code]),
        {"body": "x" * 5001},
        content_type="application/json",
    )

    assert response.status_code == 400
    assert response["Content-Type"] == PROBLEM
    assert list(response.json()["errors"]) == ["body"]
    assert _notes(case) == []


def test_the_page_refuses_an_empty_note_with_400_and_writes_nothing(
    case: Case, personas: dict[str, User], login: Callable[[User], Client]
) -> None:
    response = login(personas[Role.CASE_WORKER]).post(
        reverse("cases:note_add", args=[case.code]), {"body": ""}
    )

    assert response.status_code == 400
    assert 'data-error-for="body"' in response.content.decode()
    assert _notes(case) == []
    assert _note_events(case) == 0


def test_the_author_is_offered_the_revision_form_with_the_current_text(
    case: Case, personas: dict[str, User], login: Callable[[User], Client]
) -> None:
    author = personas[Role.CASE_WORKER]
    note = actions.add_case_note(case=case, body=TEXT, by=author)

    response = login(author).get(reverse("cases:note_revise", args=[note.code]))

    assert response.status_code == 200
    page = response.content.decode()
    assert TEXT in page
    assert 'name="version" value="1"' in page


def test_no_note_is_added_to_a_closed_case(case: Case, personas: dict[str, User]) -> None:
    Case.objects.filter(pk=case.pk).update(
        phase="closed", closed_on=case.first_contact_on, closure_reason=ClosureReason.DECEASED
    )
    closed = Case.objects.get(pk=case.pk)

    with pytest.raises(CaseError):
        actions.add_case_note(case=closed, body=TEXT, by=personas[Role.CASE_WORKER])

    assert _notes(case) == []


# --- the trail and the printed summary --------------------------------------------------


def test_the_audit_rows_name_the_note_by_code_and_hold_none_of_its_text(
    case: Case, personas: dict[str, User]
) -> None:
    author = personas[Role.CASE_WORKER]
    note = actions.add_case_note(case=case, body=TEXT, by=author)
    actions.revise_case_note(note=note, body=SECRET, by=author, version=1)

    rows = list(
        AuditEvent.objects.filter(action__in=["case.note_added", "case.note_revised"]).order_by(
            "sequence"
        )
    )

    assert [(row.action, row.object_code) for row in rows] == [
        ("case.note_added", note.code),
        ("case.note_revised", note.code),
    ]
    assert [row.details for row in rows] == [
        {"case": case.code, "version": 1},
        {"case": case.code, "version": 2},
    ]
    for row in rows:
        dumped = repr(row.__dict__)
        assert TEXT not in dumped
        assert SECRET not in dumped
    lines = CaseEvent.objects.filter(case=case, kind__startswith="case.note_")
    assert all(TEXT not in line.summary and SECRET not in line.summary for line in lines)


def test_notes_are_never_in_the_printed_case_summary(
    case: Case, personas: dict[str, User], login: Callable[[User], Client]
) -> None:
    author = personas[Role.CASE_WORKER]
    actions.add_case_note(case=case, body=SECRET, by=author)

    response = login(author).get(reverse("cases:summary_pdf", args=[case.code]))

    assert response.status_code == 200
    text = pdf_text(response.content)
    assert case.code in text
    assert SECRET not in text
    assert "Mentioned" not in text


def test_the_case_page_lists_notes_newest_first_in_a_fixed_number_of_queries(
    case: Case,
    personas: dict[str, User],
    login: Callable[[User], Client],
    django_assert_max_num_queries: Any,
    django_assert_num_queries: Any,
) -> None:
    author = personas[Role.CASE_WORKER]
    client = login(author)
    first = actions.add_case_note(case=case, body="الأولى", by=author)
    actions.add_case_note(case=case, body="الثانية", by=author)
    actions.revise_case_note(note=first, body="الأولى بعد المراجعة", by=author, version=1)
    client.get(reverse("cases:detail", args=[case.code]))  # warm the session

    with django_assert_max_num_queries(60) as few:
        client.get(reverse("cases:detail", args=[case.code]))
    for index in range(3):
        actions.add_case_note(case=case, body=f"ملاحظة {index}", by=author)
    with django_assert_num_queries(len(few.captured_queries)):
        page = client.get(reverse("cases:detail", args=[case.code])).content.decode()

    assert page.index("ملاحظة 2") < page.index("الثانية") < page.index("الأولى بعد المراجعة")
