"""Technology-facilitated trafficking: the list of platforms, the case's platforms by role,
online exploitation, digital evidence references, the page, the API and the list filter."""

import datetime
from collections.abc import Callable, Iterator

import pytest
import time_machine
from django.db import connection
from django.test import Client
from django.urls import reverse

from himaya.accounts.models import User
from himaya.agencies.models import Role
from himaya.audit.models import AuditEvent
from himaya.cases import actions
from himaya.cases.exceptions import CaseError, CaseForbidden
from himaya.cases.models import (
    Case,
    CasePlatform,
    DigitalEvidence,
    OnlinePlatform,
    PlatformRole,
)
from himaya.cases.tests.conftest import CaseWorld
from himaya.cases.tests.factories import CaseFactory
from himaya.core.locking import ConcurrentEditError
from himaya.timeline.models import EventKind

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2026, 6, 15)


@pytest.fixture(autouse=True)
def frozen_time() -> Iterator[None]:
    with time_machine.travel(datetime.datetime(2026, 6, 15, 9, 0, tzinfo=datetime.UTC), tick=False):
        yield


def platform(code: str) -> OnlinePlatform:
    return OnlinePlatform.objects.get(code=code)


def uses(case: Case) -> set[tuple[str, str]]:
    return set(CasePlatform.objects.filter(case=case).values_list("role", "platform__code"))


def update(world: CaseWorld, **kwargs: object) -> Case:
    arguments: dict[str, object] = {
        "case": world.case,
        "by": world.case_worker,
        "expected_version": world.case.version,
        "exploited_online": False,
        "recruitment_platforms": [],
        "control_platforms": [],
        "exploitation_platforms": [],
    }
    arguments.update(kwargs)
    return actions.update_case_technology(**arguments)  # type: ignore[arg-type]


def test_the_starting_list_of_platforms_is_loaded_and_configurable() -> None:
    assert list(OnlinePlatform.objects.values_list("code", flat=True)) == [
        "facebook",
        "instagram",
        "tiktok",
        "whatsapp",
        "telegram",
        "snapchat",
        "x",
        "youtube",
        "linkedin",
        "job_boards",
        "dating_apps",
        "classifieds",
        "online_games",
        "webcam_streaming",
        "other",
    ]
    assert platform("x").htcds_value == "Twitter"
    assert platform("whatsapp").name_ar == "واتساب"
    assert OnlinePlatform.objects.filter(is_active=True).count() == 15


def test_recording_the_platforms_by_role_writes_the_case_a_timeline_line_and_an_audit_row(
    world: CaseWorld,
) -> None:
    update(
        world,
        exploited_online=True,
        recruitment_platforms=[platform("facebook"), platform("job_boards")],
        control_platforms=[platform("whatsapp")],
        exploitation_platforms=[platform("webcam_streaming"), platform("whatsapp")],
    )

    world.case.refresh_from_db()
    assert world.case.exploited_online is True
    assert world.case.version == 2
    assert uses(world.case) == {
        (PlatformRole.RECRUITMENT, "facebook"),
        (PlatformRole.RECRUITMENT, "job_boards"),
        (PlatformRole.CONTROL, "whatsapp"),
        (PlatformRole.EXPLOITATION, "webcam_streaming"),
        (PlatformRole.EXPLOITATION, "whatsapp"),
    }
    assert list(world.case.events.values_list("kind", flat=True)) == [
        EventKind.CASE_TECHNOLOGY_UPDATED.value
    ]
    audit = AuditEvent.objects.get(action="case.technology_updated")
    assert audit.details["recruitment"] == ["facebook", "job_boards"]


def test_saving_again_replaces_the_platforms(world: CaseWorld) -> None:
    update(world, recruitment_platforms=[platform("facebook")])
    world.case.refresh_from_db()

    update(world, control_platforms=[platform("telegram")])

    assert uses(world.case) == {(PlatformRole.CONTROL, "telegram")}


def test_a_stale_version_is_refused_and_changes_nothing(world: CaseWorld) -> None:
    with pytest.raises(ConcurrentEditError):
        update(world, expected_version=7, recruitment_platforms=[platform("facebook")])

    world.case.refresh_from_db()
    assert (world.case.version, world.case.exploited_online, uses(world.case)) == (1, False, set())


def test_someone_outside_the_team_may_not_record_platforms(world: CaseWorld) -> None:
    with pytest.raises(CaseForbidden):
        update(world, by=world.outsider, recruitment_platforms=[platform("facebook")])

    assert uses(world.case) == set()
    assert world.case.events.count() == 0


def test_a_deactivated_platform_is_kept_where_used_but_not_newly_chosen(
    world: CaseWorld,
) -> None:
    update(world, recruitment_platforms=[platform("facebook")])
    OnlinePlatform.objects.filter(code="facebook").update(is_active=False)
    world.case.refresh_from_db()

    update(world, recruitment_platforms=[platform("facebook")])  # kept
    world.case.refresh_from_db()
    with pytest.raises(CaseError) as refused:
        update(world, control_platforms=[platform("facebook")])

    assert refused.value.field == "control_platforms"
    assert uses(world.case) == {(PlatformRole.RECRUITMENT, "facebook")}


def test_a_digital_evidence_reference_is_stored_encrypted_and_named_by_code_only(
    world: CaseWorld,
) -> None:
    evidence = actions.add_digital_evidence(
        case=world.case,
        by=world.case_worker,
        description="لقطات شاشة لإعلان الوظيفة",
        reference="النيابة العامة، ملف 123/2026",
        recorded_on=datetime.date(2026, 6, 12),
    )

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT description, reference FROM cases_digitalevidence WHERE id = %s",
            [evidence.pk],
        )
        raw = cursor.fetchone()
    assert "لقطات" not in raw[0] and "النيابة" not in raw[1]
    stored = DigitalEvidence.objects.get()
    assert (stored.description, stored.reference, stored.recorded_by) == (
        "لقطات شاشة لإعلان الوظيفة",
        "النيابة العامة، ملف 123/2026",
        world.case_worker,
    )
    event = world.case.events.get()
    assert event.kind == EventKind.CASE_DIGITAL_EVIDENCE_ADDED
    assert event.object_code == evidence.code
    assert "النيابة" not in event.summary
    assert "النيابة" not in str(AuditEvent.objects.get(object_code=evidence.code).details)


@pytest.mark.parametrize(
    ("description", "reference", "recorded_on", "field"),
    [
        ("", "ملف", TODAY, "description"),
        ("لقطات", "   ", TODAY, "reference"),
        ("لقطات", "ملف", TODAY + datetime.timedelta(days=1), "recorded_on"),
        ("x" * 501, "ملف", TODAY, "description"),
    ],
    ids=["no-description", "no-reference", "future", "too-long"],
)
def test_a_digital_evidence_reference_needs_what_where_and_a_past_date(
    world: CaseWorld, description: str, reference: str, recorded_on: datetime.date, field: str
) -> None:
    with pytest.raises(CaseError) as refused:
        actions.add_digital_evidence(
            case=world.case,
            by=world.case_worker,
            description=description,
            reference=reference,
            recorded_on=recorded_on,
        )

    assert refused.value.field == field
    assert DigitalEvidence.objects.count() == 0


# --- pages ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("persona", "expected"),
    [("case_worker", 200), ("supervisor", 200), ("outsider", 404)],
    ids=["case-worker", "supervisor", "outsider"],
)
def test_the_technology_page_is_for_the_case_team(
    world: CaseWorld,
    login: Callable[[User], Client],
    persona: str,
    expected: int,
) -> None:
    user = getattr(world, persona)

    response = login(user).get(reverse("cases:technology", args=[world.case.code]))

    assert response.status_code == expected


def test_an_analyst_may_not_open_the_technology_page(
    world: CaseWorld, login: Callable[[User], Client], make_persona: Callable[..., User]
) -> None:
    analyst = make_persona(Role.ANALYST)

    response = login(analyst).get(reverse("cases:technology", args=[world.case.code]))

    assert response.status_code == 403


def test_the_technology_form_saves_and_the_case_page_shows_it(
    world: CaseWorld, login: Callable[[User], Client]
) -> None:
    client = login(world.case_worker)

    response = client.post(
        reverse("cases:technology", args=[world.case.code]),
        {
            "version": 1,
            "recruitment_platforms": [platform("tiktok").pk],
            "exploitation_platforms": [platform("telegram").pk],
            "exploited_online": "on",
        },
    )

    assert response.status_code == 302
    assert uses(world.case) == {
        (PlatformRole.RECRUITMENT, "tiktok"),
        (PlatformRole.EXPLOITATION, "telegram"),
    }
    page = client.get(reverse("cases:detail", args=[world.case.code])).content.decode()
    assert 'id="technology"' in page
    assert "تيك توك" in page
    assert "تيليجرام" in page


def test_the_technology_form_shows_a_stale_version_with_the_saved_values(
    world: CaseWorld, login: Callable[[User], Client]
) -> None:
    Case.objects.filter(pk=world.case.pk).update(version=2)

    response = login(world.case_worker).post(
        reverse("cases:technology", args=[world.case.code]),
        {"version": 1, "recruitment_platforms": [platform("tiktok").pk]},
    )

    assert response.status_code == 409
    assert 'data-testid="conflict"' in response.content.decode()
    assert uses(world.case) == set()


def test_the_evidence_form_records_a_reference(
    world: CaseWorld, login: Callable[[User], Client]
) -> None:
    response = login(world.case_worker).post(
        reverse("cases:evidence_add", args=[world.case.code]),
        {"description": "محادثات واتساب", "reference": "وحدة الشرطة", "recorded_on": "2026-06-14"},
    )

    assert response.status_code == 302
    assert DigitalEvidence.objects.get().recorded_on == datetime.date(2026, 6, 14)


def test_the_evidence_form_refuses_a_future_date_on_the_field(
    world: CaseWorld, login: Callable[[User], Client]
) -> None:
    response = login(world.case_worker).post(
        reverse("cases:evidence_add", args=[world.case.code]),
        {"description": "محادثات", "reference": "الشرطة", "recorded_on": "2026-06-20"},
    )

    assert response.status_code == 400
    assert 'data-error-for="recorded_on"' in response.content.decode()
    assert DigitalEvidence.objects.count() == 0


def test_the_case_list_filters_technology_facilitated_cases(
    world: CaseWorld, login: Callable[[User], Client]
) -> None:
    online = CaseFactory(lead_agency=world.agency_a, case_worker=world.case_worker)
    by_platform = CaseFactory(lead_agency=world.agency_a, case_worker=world.case_worker)
    Case.objects.filter(pk=online.pk).update(exploited_online=True)
    CasePlatform.objects.create(
        case=by_platform, platform=platform("facebook"), role=PlatformRole.RECRUITMENT
    )
    CasePlatform.objects.create(
        case=by_platform, platform=platform("whatsapp"), role=PlatformRole.CONTROL
    )
    client = login(world.case_worker)

    page = client.get(reverse("cases:list"), {"technology": "true"}).content.decode()
    api = client.get(reverse("cases:api_list"), {"technology": "true"}).json()
    others = client.get(reverse("cases:api_list"), {"technology": "false"}).json()

    assert online.code in page and by_platform.code in page and world.case.code not in page
    assert sorted(row["code"] for row in api["results"]) == sorted([online.code, by_platform.code])
    assert [row["code"] for row in others["results"]] == [world.case.code]


# --- API -----------------------------------------------------------------------------------


def test_the_api_reads_and_writes_the_platforms_by_code(
    world: CaseWorld, login: Callable[[User], Client]
) -> None:
    client = login(world.case_worker)
    url = reverse("cases:api_technology", args=[world.case.code])

    response = client.post(
        url,
        {
            "exploited_online": True,
            "recruitment_platforms": ["linkedin"],
            "control_platforms": ["whatsapp"],
            "version": 1,
        },
        content_type="application/json",
    )

    assert response.status_code == 200
    assert client.get(url).json() == {
        "exploited_online": True,
        "recruitment_platforms": ["linkedin"],
        "control_platforms": ["whatsapp"],
        "exploitation_platforms": [],
        "version": 2,
    }


def test_the_api_refuses_an_unknown_platform_and_a_stale_version(
    world: CaseWorld, login: Callable[[User], Client]
) -> None:
    client = login(world.case_worker)
    url = reverse("cases:api_technology", args=[world.case.code])

    unknown = client.post(
        url, {"recruitment_platforms": ["myspace"], "version": 1}, content_type="application/json"
    )
    stale = client.post(
        url, {"recruitment_platforms": ["x"], "version": 3}, content_type="application/json"
    )

    assert unknown.status_code == 400
    assert stale.status_code == 409
    assert uses(world.case) == set()


def test_the_api_records_and_lists_digital_evidence_for_the_team_only(
    world: CaseWorld, login: Callable[[User], Client]
) -> None:
    url = reverse("cases:api_evidence_list", args=[world.case.code])

    created = login(world.case_worker).post(
        url,
        {"description": "صور", "reference": "النيابة", "recorded_on": "2026-06-10"},
        content_type="application/json",
    )
    listed = login(world.case_worker).get(url).json()
    outsider = login(world.outsider).get(url)

    assert created.status_code == 201
    assert [row["reference"] for row in listed["results"]] == ["النيابة"]
    assert outsider.status_code == 404


def test_the_api_lists_the_platforms(world: CaseWorld, login: Callable[[User], Client]) -> None:
    response = login(world.case_worker).get(reverse("cases:api_platforms"), {"limit": 100})

    assert response.status_code == 200
    assert len(response.json()["results"]) == 15
