"""Pages and API of the notification centre: each person sees and marks only their own."""

from collections.abc import Callable

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from himaya.accounts.models import User
from himaya.notifications.actions import notify
from himaya.notifications.models import Channel, Notification, NotificationPreference
from himaya.notifications.tests.conftest import PARAMS

pytestmark = pytest.mark.django_db

ROLES = sorted(
    [
        "case_worker",
        "supervisor",
        "shelter_staff",
        "fund_officer",
        "fund_approver",
        "empowerment_officer",
        "grants_officer",
        "partner_staff",
        "operator",
        "analyst",
        "auditor",
        "administrator",
        "outsider",
    ]
)


def tell(user: User, key: str = "RF-1") -> Notification:
    notify(event="tests.sample", recipients=[user], key=key, link="/cases/", params=PARAMS)
    return Notification.objects.get(recipient=user, key=key)


def test_the_roles_of_the_matrix_are_every_role() -> None:
    from himaya.agencies.models import Role

    assert sorted([*Role.values, "outsider"]) == ROLES


@pytest.mark.parametrize("role", ROLES)
def test_every_role_sees_its_own_notifications_and_none_of_anyone_else(
    role: str, personas: dict[str, User], login: Callable[[User], Client]
) -> None:
    user = personas[role]
    other = personas["outsider" if role != "outsider" else "case_worker"]
    mine = tell(user)
    theirs = tell(other)
    client = login(user)

    page = client.get(reverse("notifications:list"))
    assert page.status_code == 200
    assert f'data-notification="{mine.pk}"' in page.content.decode()
    assert f'data-notification="{theirs.pk}"' not in page.content.decode()
    assert client.get(reverse("notifications:preferences")).status_code == 200

    api = client.get(reverse("notifications:api_list"))
    assert api.status_code == 200
    assert [row["id"] for row in api.json()["results"]] == [mine.pk]
    assert api.json()["unread"] == 1

    assert client.post(reverse("notifications:mark_read", args=[theirs.pk])).status_code == 404
    assert client.post(reverse("notifications:open", args=[theirs.pk])).status_code == 404
    assert client.post(reverse("notifications:api_read", args=[theirs.pk])).status_code == 404
    theirs.refresh_from_db()
    assert theirs.read_at is None

    answer = client.post(reverse("notifications:api_read", args=[mine.pk]))
    assert answer.status_code == 200
    assert answer.json()["read_at"] is not None


def test_signed_out_visitors_are_sent_to_sign_in_and_the_api_refuses_them(client: Client) -> None:
    for name in ("notifications:list", "notifications:preferences"):
        response = client.get(reverse(name))
        assert response.status_code == 302
        assert "/accounts/" in response["Location"] or "login" in response["Location"]
    assert client.get(reverse("notifications:api_list")).status_code == 403


def test_the_navigation_loads_the_unread_count_after_the_page_with_one_query(
    case_worker: User, login: Callable[[User], Client]
) -> None:
    tell(case_worker, "RF-1")
    tell(case_worker, "RF-2")
    client = login(case_worker)

    with CaptureQueriesContext(connection) as page_queries:
        page = client.get(reverse("notifications:preferences"))
    with CaptureQueriesContext(connection) as badge_queries:
        badge = client.get(reverse("notifications:badge"), HTTP_HX_REQUEST="true")

    assert f'hx-get="{reverse("notifications:badge")}"' in page.content.decode()
    assert not [q for q in page_queries if '"notifications_notification"' in q["sql"]]
    assert [q for q in badge_queries if '"notifications_notification"' in q["sql"]] != []
    assert len([q for q in badge_queries if '"notifications_notification"' in q["sql"]]) == 1
    assert 'data-testid="unread-count">2<' in badge.content.decode()


def test_the_badge_of_a_person_with_nothing_unread_is_empty_and_signed_out_gets_nothing(
    case_worker: User, client: Client, login: Callable[[User], Client]
) -> None:
    assert client.get(reverse("notifications:badge")).status_code == 204
    badge = login(case_worker).get(reverse("notifications:badge"))
    assert badge.status_code == 200
    assert "unread-count" not in badge.content.decode()


def test_marking_one_then_all_read_clears_the_count_and_htmx_gets_the_list(
    case_worker: User, login: Callable[[User], Client]
) -> None:
    first = tell(case_worker, "RF-1")
    tell(case_worker, "RF-2")
    client = login(case_worker)

    response = client.post(
        reverse("notifications:mark_read", args=[first.pk]), HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 200
    assert "<html" not in response.content.decode()
    assert Notification.objects.filter(recipient=case_worker, read_at__isnull=True).count() == 1

    response = client.post(reverse("notifications:mark_all_read"))
    assert response.status_code == 302
    assert not Notification.objects.filter(recipient=case_worker, read_at__isnull=True).exists()
    assert (
        'data-testid="unread-count"'
        not in client.get(reverse("notifications:badge")).content.decode()
    )


def test_opening_a_notification_marks_it_read_and_follows_only_a_local_link(
    case_worker: User, login: Callable[[User], Client]
) -> None:
    notification = tell(case_worker)
    Notification.objects.filter(pk=notification.pk).update(link="//evil.example/")
    client = login(case_worker)

    response = client.post(reverse("notifications:open", args=[notification.pk]))

    assert response["Location"] == reverse("notifications:list")
    notification.refresh_from_db()
    assert notification.read_at is not None
    Notification.objects.filter(pk=notification.pk).update(link="/cases/")
    assert (
        client.post(reverse("notifications:open", args=[notification.pk]))["Location"] == "/cases/"
    )


def test_preferences_are_saved_per_event_and_channel(
    case_worker: User, login: Callable[[User], Client]
) -> None:
    client = login(case_worker)
    response = client.post(
        reverse("notifications:preferences"),
        {"tests.sample:sms": "on", "referrals.received:email": "on"},
    )
    assert response.status_code == 302
    stored = dict(
        NotificationPreference.objects.filter(user=case_worker, event="tests.sample").values_list(
            "channel", "enabled"
        )
    )
    assert stored == {Channel.EMAIL: False, Channel.SMS: True, Channel.WHATSAPP: False}
    assert NotificationPreference.objects.get(
        user=case_worker, event="referrals.received", channel=Channel.EMAIL
    ).enabled


def test_the_api_marks_all_read(case_worker: User, login: Callable[[User], Client]) -> None:
    tell(case_worker, "RF-1")
    tell(case_worker, "RF-2")
    response = login(case_worker).post(reverse("notifications:api_read_all"))
    assert (response.status_code, response.json()) == (200, {"marked": 2})


def test_the_page_shows_the_message_in_arabic(
    case_worker: User, login: Callable[[User], Client]
) -> None:
    tell(case_worker)
    client = login(case_worker)
    client.cookies["himaya_language"] = "ar"
    content = client.get(reverse("notifications:list")).content.decode()
    assert "الجهة أ" in content
    assert "Agency A" not in content


@pytest.mark.parametrize(
    ("path", "status"),
    [
        ("/notifications/api/99999999999999999999999/read/", 404),
        ("/notifications/api/٣/read/", 404),
        ("/notifications/api/0/read/", 404),
        ("/notifications/99999999999999999999999/read/", 404),
    ],
)
def test_bad_identifiers_answer_404_never_a_server_error(
    path: str, status: int, case_worker: User, login: Callable[[User], Client]
) -> None:
    assert login(case_worker).post(path).status_code == status


@pytest.mark.parametrize("limit", ["abc", "0", "-1", "٣\u200b", "1" + "0" * 40])
def test_a_bad_page_size_of_the_api_answers_400_or_a_bounded_page(
    limit: str, case_worker: User, login: Callable[[User], Client]
) -> None:
    tell(case_worker)
    response = login(case_worker).get(reverse("notifications:api_list"), {"limit": limit})
    assert response.status_code in (200, 400)
    if response.status_code == 400:
        assert response["Content-Type"].startswith("application/problem+json")


@pytest.mark.parametrize("name", ["notifications:api_read", "notifications:api_read_all"])
def test_a_malformed_or_too_deep_body_answers_400_and_marks_nothing(
    name: str, case_worker: User, login: Callable[[User], Client]
) -> None:
    from himaya.core.api import MAX_JSON_DEPTH

    notification = tell(case_worker)
    url = reverse(name, args=[notification.pk] if name.endswith("_read") else [])
    client = login(case_worker)
    deep = "[" * (MAX_JSON_DEPTH + 1) + "]" * (MAX_JSON_DEPTH + 1)
    for body in (deep, "{not json"):
        response = client.post(url, body, content_type="application/json")
        assert response.status_code == 400
    notification.refresh_from_db()
    assert notification.read_at is None
