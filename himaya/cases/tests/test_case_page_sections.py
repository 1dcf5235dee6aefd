"""The case page reads a section only when the case has rows for it, and each section it
reads costs one query whatever its number of rows."""

import datetime
from collections.abc import Callable
from typing import Any

from django.test import Client
from django.urls import reverse

from himaya.accounts.models import User
from himaya.agencies.models import Agency
from himaya.cases import actions
from himaya.cases.models import (
    Case,
    CasePlatform,
    DigitalEvidence,
    ExploitationForm,
    IdentificationDecision,
    IdentificationStatus,
    OnlinePlatform,
    PhaseChange,
    PlatformRole,
)
from himaya.cases.tests.factories import (
    CarePlanFactory,
    CarePlanGoalFactory,
    CaseFactory,
    ClosureRequestFactory,
    ProposedTransferFactory,
    RiskAssessmentFactory,
)
from himaya.timeline.actions import record_case_event
from himaya.timeline.models import EventKind

TODAY = datetime.date(2026, 11, 2)
# Session, user, the second factor's device, the reader's memberships, the case, and the
# names the case shows with which sections hold rows: what every case page costs before
# its sections.
EMPTY_CASE_QUERIES = 6
# One more for each of the eleven sections (care plans read their goals in a second
# query; notes read their earlier texts in a second query only when one was revised).
FULL_CASE_QUERIES = EMPTY_CASE_QUERIES + 11 + 1


def fill_every_section(case: Case, worker: User, other: Agency, rows: int) -> None:
    for _ in range(rows):
        RiskAssessmentFactory(case=case)
        CarePlanGoalFactory(care_plan=CarePlanFactory(case=case, author=worker))
        record_case_event(case=case, kind=EventKind.CASE_NOTE_ADDED, by=worker, summary="ملاحظة")
        PhaseChange.objects.create(
            case=case,
            from_phase=case.phase,
            to_phase=case.phase,
            changed_on=TODAY,
            changed_by=worker,
        )
        IdentificationDecision.objects.create(
            case=case,
            status=IdentificationStatus.POSSIBLE,
            decided_on=TODAY,
            deciding_agency=case.lead_agency,
            decided_by=worker,
            grounds="مؤشرات",
        )
        actions.add_case_note(case=case, body="متابعة", by=worker)
        DigitalEvidence.objects.create(
            case=case, description="رسائل", reference="خزنة", recorded_on=TODAY, recorded_by=worker
        )
    for platform in OnlinePlatform.objects.order_by("id")[:rows]:
        CasePlatform.objects.create(case=case, platform=platform, role=PlatformRole.RECRUITMENT)
    ClosureRequestFactory(case=case)  # one open request a case at most
    case.exploitation_forms.add(*ExploitationForm.objects.order_by("id")[:rows])
    ProposedTransferFactory(case=case, to_agency=other, proposed_by=worker, proposed_on=TODAY)


def test_a_case_with_nothing_but_itself_costs_six_queries(
    case_worker: User,
    agency_a: Agency,
    login: Callable[[User], Client],
    django_assert_num_queries: Any,
) -> None:
    case = CaseFactory(lead_agency=agency_a, case_worker=case_worker)
    client = login(case_worker)
    url = reverse("cases:detail", kwargs={"code": case.code})
    client.get(url)
    with django_assert_num_queries(EMPTY_CASE_QUERIES):
        response = client.get(url)
    assert response.status_code == 200


def test_a_case_with_every_section_costs_one_query_a_section_whatever_its_rows(
    case_worker: User,
    agency_a: Agency,
    agency_b: Agency,
    login: Callable[[User], Client],
    django_assert_num_queries: Any,
) -> None:
    one = CaseFactory(lead_agency=agency_a, case_worker=case_worker)
    three = CaseFactory(lead_agency=agency_a, case_worker=case_worker)
    fill_every_section(one, case_worker, agency_b, rows=1)
    fill_every_section(three, case_worker, agency_b, rows=3)
    client = login(case_worker)
    pages = {}
    for case in (one, three):
        url = reverse("cases:detail", kwargs={"code": case.code})
        client.get(url)
        with django_assert_num_queries(FULL_CASE_QUERIES):
            pages[case] = client.get(url).content.decode()
    for case, rows in ((one, 1), (three, 3)):
        page = pages[case]
        assert page.count("رسائل") == rows  # the digital evidence section
        assert page.count("متابعة") >= rows  # the notes
        assert reverse("cases:transfer", kwargs={"code": case.transfers.get().code}) in page


def test_an_empty_section_reads_as_empty_on_the_page(
    case_worker: User, agency_a: Agency, login: Callable[[User], Client]
) -> None:
    case = CaseFactory(lead_agency=agency_a, case_worker=case_worker)
    page = login(case_worker).get(reverse("cases:detail", kwargs={"code": case.code}))
    shown = page.context["page"]
    assert (
        shown.risks,
        shown.care_plans,
        shown.events,
        shown.phase_changes,
        shown.identification_decisions,
        shown.notes,
        shown.evidence,
        shown.pending_transfer,
        shown.pending_closure,
        shown.forms,
        shown.care_plan_in_preparation,
    ) == ([], [], [], [], [], [], [], None, None, [], False)


def test_a_revised_note_shows_its_earlier_texts_at_the_cost_of_one_more_query(
    case_worker: User,
    agency_a: Agency,
    login: Callable[[User], Client],
    django_assert_num_queries: Any,
) -> None:
    case = CaseFactory(lead_agency=agency_a, case_worker=case_worker)
    note = actions.add_case_note(case=case, body="أول نص", by=case_worker)
    actions.revise_case_note(note=note, body="نص ثان", by=case_worker, version=note.version)
    actions.add_case_note(case=case, body="ملاحظة لم تعدل", by=case_worker)
    client = login(case_worker)
    url = reverse("cases:detail", kwargs={"code": case.code})
    client.get(url)
    # The sections: notes and their earlier texts, and the timeline the notes wrote.
    with django_assert_num_queries(EMPTY_CASE_QUERIES + 3):
        response = client.get(url)
    notes = response.context["page"].notes
    assert [(row["body"], row["is_revised"]) for row in notes] == [
        ("ملاحظة لم تعدل", False),
        ("نص ثان", True),
    ]
    assert [revision["body"] for revision in notes[1]["revisions"]] == ["أول نص"]
    assert [row["may_revise"] for row in notes] == [True, True]
    assert 'data-testid="note-revised"' in response.content.decode()


def write_lines(case: Case, by: User, count: int) -> None:
    for number in range(count):
        record_case_event(
            case=case, kind=EventKind.CASE_UPDATED, by=by, summary=f"سطر رقم {number:03d}"
        )


def test_the_case_page_shows_the_latest_twenty_lines_and_leads_to_the_whole_timeline(
    case_worker: User, agency_a: Agency, login: Callable[[User], Client]
) -> None:
    case = CaseFactory(lead_agency=agency_a, case_worker=case_worker)
    before = case.events.count()
    write_lines(case, case_worker, 30)
    client = login(case_worker)
    page = client.get(reverse("cases:detail", kwargs={"code": case.code}))
    shown = [event["text"] for event in page.context["page"].events]
    assert shown == [f"سطر رقم {number:03d}" for number in range(29, 9, -1)]
    assert reverse("cases:timeline", kwargs={"code": case.code}) in page.content.decode()

    first = client.get(reverse("cases:timeline", kwargs={"code": case.code}))
    assert first.status_code == 200
    assert len(first.context["page"]) == 30 + before
    assert first.context["page"][0].text == "سطر رقم 029"


def test_a_short_timeline_has_no_link_to_more(
    case_worker: User, agency_a: Agency, login: Callable[[User], Client]
) -> None:
    case = CaseFactory(lead_agency=agency_a, case_worker=case_worker)
    write_lines(case, case_worker, 3)
    page = login(case_worker).get(reverse("cases:detail", kwargs={"code": case.code}))
    assert page.context["page"].more_events is False
    assert 'data-testid="whole-timeline"' not in page.content.decode()


def test_the_timeline_page_goes_fifty_lines_at_a_time_and_survives_a_bad_page_number(
    case_worker: User, agency_a: Agency, login: Callable[[User], Client]
) -> None:
    case = CaseFactory(lead_agency=agency_a, case_worker=case_worker)
    write_lines(case, case_worker, 120)
    total = case.events.count()
    client = login(case_worker)
    url = reverse("cases:timeline", kwargs={"code": case.code})
    second = client.get(url, {"page": "2"})
    assert [len(second.context["page"]), second.context["page"].number] == [50, 2]
    for hostile in ("99999999999999999999", "-1", "٢", "2\u200f", "abc"):
        response = client.get(url, {"page": hostile})
        assert response.status_code == 200
        assert 1 <= response.context["page"].number <= -(-total // 50)


def test_only_the_case_team_reads_the_timeline(
    case_worker: User,
    agency_a: Agency,
    make_persona: Callable[..., User],
    agency_b: Agency,
    login: Callable[[User], Client],
) -> None:
    from himaya.agencies.models import Role

    case = CaseFactory(lead_agency=agency_a, case_worker=case_worker)
    write_lines(case, case_worker, 2)
    url = reverse("cases:timeline", kwargs={"code": case.code})
    other_agency = make_persona(Role.CASE_WORKER, agency_b)
    shelter = make_persona(Role.SHELTER_STAFF, agency_a)
    assert login(other_agency).get(url).status_code == 404
    assert login(shelter).get(url).status_code == 403
    assert Client().get(url).status_code == 302


def test_the_case_api_reads_the_case_and_its_forms_whatever_its_sections(
    case_worker: User,
    agency_a: Agency,
    agency_b: Agency,
    login: Callable[[User], Client],
    django_assert_num_queries: Any,
) -> None:
    empty = CaseFactory(lead_agency=agency_a, case_worker=case_worker)
    full = CaseFactory(lead_agency=agency_a, case_worker=case_worker)
    fill_every_section(full, case_worker, agency_b, rows=3)
    client = login(case_worker)
    answers = {}
    for case in (empty, full):
        url = reverse("cases:api_detail", kwargs={"code": case.code})
        client.get(url)
        # Session, user, device, memberships, the case with its joined records, its forms.
        with django_assert_num_queries(6):
            answers[case] = client.get(url).json()
    assert answers[empty]["exploitation_forms"] == []
    assert answers[full]["exploitation_forms"] == [
        form.code for form in ExploitationForm.objects.order_by("id")[:3]
    ]
    assert answers[full]["survivor"] == full.survivor.code
    assert answers[full]["lead_agency"] == agency_a.code
