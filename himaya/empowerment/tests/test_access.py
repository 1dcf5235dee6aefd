"""Who reaches what: every role (and the outsider of agency B) × every page and endpoint.

A denied write answers its status code and changes nothing (enrolments, projects,
visits, the case timeline and the audit trail are compared before and after).
"""

import json

import pytest
import time_machine
from django.conf import settings
from django.utils.html import escape
from django.utils.translation import override

from himaya.agencies.models import Role
from himaya.audit.models import AuditEvent
from himaya.core.locking import ConcurrentEditError
from himaya.empowerment.models import Enrolment, Project, Visit
from himaya.timeline.models import CaseEvent

pytestmark = pytest.mark.django_db

CW, SUP, EO, AN, OUT = "case_worker", "supervisor", "empowerment_officer", "analyst", "outsider"
ALL = [role.value for role in Role] + ["outsider"]


def expect(default: int, **special: int) -> dict[str, int]:
    return {persona: special.get(persona, default) for persona in ALL}


REFERRERS = {CW: 200, SUP: 200, OUT: 200}

# (name, method, url template, body, expected status per persona)
PAGES = [
    ("enrolment list", "get", "/empowerment/", None, expect(403, **REFERRERS, **{EO: 200})),
    ("work queue", "get", "/empowerment/queue/", None, expect(403, **{EO: 200})),
    ("programmes", "get", "/empowerment/programmes/", None, expect(403, **REFERRERS, **{EO: 200})),
    ("outcomes", "get", "/empowerment/outcomes/", None, expect(403, **{EO: 200, AN: 200})),
    ("queue section", "get", "/empowerment/queue-section/", None, expect(403, **REFERRERS)),
    (
        "refer page",
        "get",
        "/empowerment/refer/{case}/",
        None,
        expect(403, **{CW: 200, SUP: 200, OUT: 404}),
    ),
    (
        "case panel",
        "get",
        "/empowerment/case/{case}/panel/",
        None,
        expect(403, **{CW: 200, SUP: 200, OUT: 404}),
    ),
    (
        "enrolment page",
        "get",
        "/empowerment/enrolments/{referred}/",
        None,
        expect(404, **{CW: 200, SUP: 200, EO: 200}),
    ),
    (
        "refer",
        "post",
        "/empowerment/refer/{case}/",
        {"programme": "{programme_pk}", "household_role": "head"},
        expect(403, **{CW: 302, SUP: 302, OUT: 404}),
    ),
    (
        "decide",
        "post",
        "/empowerment/enrolments/{referred}/decide/",
        {"decision": "accept", "version": "1"},
        expect(404, **{CW: 403, SUP: 403, EO: 302}),
    ),
    (
        "move",
        "post",
        "/empowerment/enrolments/{active}/move/",
        {"to": "completed", "version": "1"},
        expect(404, **{CW: 403, SUP: 403, EO: 302}),
    ),
    (
        "start project",
        "post",
        "/empowerment/enrolments/{enrolled}/project/",
        {
            "activity_type": "sewing",
            "started_on": "2026-03-01",
            "amount": "5000",
            "governorate": "{governorate_pk}",
            "baseline_income": "400",
        },
        expect(404, **{CW: 403, SUP: 403, EO: 302}),
    ),
    (
        "record visit",
        "post",
        "/empowerment/projects/{project}/visits/1/record/",
        {
            "done_on": "2026-03-05",
            "project_status": "active",
            "monthly_income": "700",
            "version": "1",
        },
        expect(404, **{CW: 403, SUP: 403, EO: 302}),
    ),
    (
        "reschedule visit",
        "post",
        "/empowerment/projects/{project}/visits/2/reschedule/",
        {"due_on": "2026-04-10", "version": "1"},
        expect(404, **{CW: 403, SUP: 403, EO: 302}),
    ),
]

API = [
    (
        "api programmes",
        "get",
        "/empowerment/api/programmes/",
        None,
        expect(403, **REFERRERS, **{EO: 200}),
    ),
    (
        "api enrolments",
        "get",
        "/empowerment/api/enrolments/",
        None,
        expect(403, **REFERRERS, **{EO: 200}),
    ),
    (
        "api enrolment",
        "get",
        "/empowerment/api/enrolments/{referred}/",
        None,
        expect(404, **{CW: 200, SUP: 200, EO: 200}),
    ),
    (
        "api visits",
        "get",
        "/empowerment/api/projects/{project}/visits/",
        None,
        expect(404, **{CW: 200, SUP: 200, EO: 200}),
    ),
    ("api outcomes", "get", "/empowerment/api/outcomes/", None, expect(403, **{EO: 200, AN: 200})),
    (
        "api refer",
        "post",
        "/empowerment/api/enrolments/refer/",
        {"case": "{case}", "programme": "{programme_slug}", "household_role": "head"},
        expect(403, **{CW: 201, SUP: 201, OUT: 404}),
    ),
    (
        "api decide",
        "post",
        "/empowerment/api/enrolments/{referred}/decision/",
        {"accept": True, "version": 1},
        expect(404, **{CW: 403, SUP: 403, EO: 200}),
    ),
    (
        "api move",
        "post",
        "/empowerment/api/enrolments/{active}/status/",
        {"to": "completed", "version": 1},
        expect(404, **{CW: 403, SUP: 403, EO: 200}),
    ),
    (
        "api start project",
        "post",
        "/empowerment/api/enrolments/{enrolled}/project/",
        {
            "activity_type": "sewing",
            "started_on": "2026-03-01",
            "amount": "5000.00",
            "governorate": "EG-C",
            "baseline_income": "400.00",
        },
        expect(404, **{CW: 403, SUP: 403, EO: 201}),
    ),
    (
        "api record visit",
        "post",
        "/empowerment/api/projects/{project}/visits/1/record/",
        {
            "done_on": "2026-03-05",
            "project_status": "active",
            "monthly_income": "700.00",
            "version": 1,
        },
        expect(404, **{CW: 403, SUP: 403, EO: 200}),
    ),
    (
        "api reschedule visit",
        "post",
        "/empowerment/api/projects/{project}/visits/2/reschedule/",
        {"due_on": "2026-04-10", "version": 1},
        expect(404, **{CW: 403, SUP: 403, EO: 200}),
    ),
]


def snapshot() -> tuple:
    return (
        sorted(Enrolment.objects.values_list("code", "status", "version")),
        Project.objects.count(),
        sorted(Visit.objects.values_list("id", "due_on", "done_on", "version")),
        CaseEvent.objects.count(),
        AuditEvent.objects.filter(action__startswith="empowerment.").count(),
    )


def fill(value: object, world) -> object:
    from himaya.agencies.tests.factories import governorate

    values = {
        "case": world.case.code,
        "referred": world.referred.code,
        "enrolled": world.enrolled.code,
        "active": world.active.code,
        "project": world.project.code,
        "programme_pk": str(world.programme.pk),
        "programme_slug": world.programme.slug,
        "governorate_pk": str(governorate("EG-C").pk),
    }
    if isinstance(value, str):
        return value.format(**values)
    if isinstance(value, dict):
        return {key: fill(item, world) for key, item in value.items()}
    return value


def cases(table):
    return [
        pytest.param(name, method, url, body, persona, status, id=f"{name}-{persona}")
        for name, method, url, body, statuses in table
        for persona, status in statuses.items()
    ]


@pytest.fixture
def new_programme(world):
    """The refer endpoints refer to a fresh programme (the case has none open there)."""
    from himaya.empowerment.tests.factories import ProgrammeFactory

    world.programme = ProgrammeFactory(managing_agency=world.programme.managing_agency)
    return world


@pytest.mark.parametrize(("name", "method", "url", "body", "persona", "status"), cases(PAGES + API))
def test_access(name, method, url, body, persona, status, personas, new_programme, login) -> None:
    world = new_programme
    client = login(personas[persona])
    before = snapshot()
    with time_machine.travel("2026-03-10 10:00+02:00", tick=False):
        if method == "get":
            response = client.get(fill(url, world))
        elif "/api/" in url:
            response = client.post(
                fill(url, world), json.dumps(fill(body, world)), content_type="application/json"
            )
        else:
            response = client.post(fill(url, world), fill(body, world))
    assert response.status_code == status, response.content[:300]
    if method == "post" and status >= 400:
        assert snapshot() == before
    if method == "post" and status < 400:
        assert snapshot() != before


def test_anonymous_visitors_are_sent_to_sign_in_and_the_api_refuses_them(client, world) -> None:
    assert client.get("/empowerment/").status_code == 302
    assert client.get("/empowerment/api/enrolments/").status_code == 403


def test_a_case_worker_sees_only_the_enrolments_of_her_agency_cases(personas, world, login) -> None:
    mine = login(personas[CW]).get("/empowerment/api/enrolments/").json()
    assert sorted(e["code"] for e in mine) == sorted(
        [world.referred.code, world.enrolled.code, world.active.code]
    )
    outsider = login(personas[OUT]).get("/empowerment/api/enrolments/").json()
    assert outsider == []


def test_an_officer_of_another_agency_sees_nothing(make_persona, world, login) -> None:
    stranger = make_persona(Role.EMPOWERMENT_OFFICER)
    client = login(stranger)
    assert client.get("/empowerment/api/enrolments/").json() == []
    assert client.get(f"/empowerment/enrolments/{world.referred.code}/").status_code == 404


@pytest.mark.parametrize(
    ("language", "start"),
    [("en", "The programme accepts only Male"), ("ar", "يقبل البرنامج فقط")],
)
def test_the_api_refusal_of_an_ineligible_survivor_gives_each_failed_rule_in_the_user_language(
    personas, new_programme, login, language: str, start: str
) -> None:
    world = new_programme
    world.programme.allowed_sexes = ["male"]
    world.programme.save()
    before = Enrolment.objects.count()
    with time_machine.travel("2026-03-10 10:00+02:00", tick=False):
        client = login(personas[CW])
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
        response = client.post(
            "/empowerment/api/enrolments/refer/",
            {"case": world.case.code, "programme": world.programme.slug, "household_role": "head"},
            content_type="application/json",
        )
    assert response.status_code == 400
    assert response["Content-Type"] == "application/problem+json"
    errors = response.json()["errors"]
    assert list(errors) == ["sex"]
    assert errors["sex"][0].startswith(start)
    assert Enrolment.objects.count() == before


def test_the_refer_page_shows_why_a_survivor_is_not_eligible(personas, world, login) -> None:
    world.programme.min_age = 50
    world.programme.save()
    with time_machine.travel("2026-03-10 10:00+02:00", tick=False):
        response = login(personas[CW]).post(
            f"/empowerment/refer/{world.case.code}/",
            {"programme": world.programme.pk, "household_role": "head"},
        )
    html = response.content.decode()
    assert response.status_code == 422
    assert "العمر 36 أقل من الحد الأدنى لعمر البرنامج وهو 50." in html
    assert Enrolment.objects.filter(programme=world.programme).count() == 1


def test_a_stale_visit_form_is_refused_and_shown(personas, world, login) -> None:
    visit = world.project.visits.get(number=1)
    Visit.objects.filter(pk=visit.pk).update(version=2)
    with time_machine.travel("2026-03-10 10:00+02:00", tick=False):
        response = login(personas[EO]).post(
            f"/empowerment/projects/{world.project.code}/visits/1/record/",
            {"done_on": "2026-03-05", "project_status": "active", "version": "1"},
        )
    assert response.status_code == 422
    with override("ar"):
        assert escape(str(ConcurrentEditError.message)) in response.content.decode()
    visit.refresh_from_db()
    assert (visit.done_on, visit.version) == (None, 2)


def test_the_refer_page_explains_in_english_when_english_was_chosen(
    personas, new_programme, login
) -> None:
    world = new_programme
    world.programme.allowed_sexes = ["male"]
    world.programme.save()
    client = login(personas[CW])
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    with time_machine.travel("2026-03-10 10:00+02:00", tick=False):
        response = client.post(
            f"/empowerment/refer/{world.case.code}/",
            {"programme": world.programme.pk, "household_role": "head"},
        )
    html = response.content.decode()
    assert response.status_code == 422
    assert '<html lang="en" dir="ltr">' in html
    assert "The programme accepts only Male; the survivor is recorded as Female." in html
    assert "Age 36 is within the programme" not in html  # no age limit on this programme
    assert "The programme has no age limit." in html


def test_the_case_worker_queue_lists_referrals_awaiting_a_decision(personas, world, login) -> None:
    html = login(personas[CW]).get("/empowerment/queue-section/").content.decode()
    assert world.referred.code in html
    assert world.active.code not in html
    outsider_html = login(personas[OUT]).get("/empowerment/queue-section/").content.decode()
    assert world.referred.code not in outsider_html
