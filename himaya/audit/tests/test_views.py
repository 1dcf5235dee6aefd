import pytest

from himaya.agencies.models import Role
from himaya.audit.actions import record_event
from himaya.audit.models import AuditEvent

pytestmark = pytest.mark.django_db


def test_an_auditor_filters_the_trail_by_record_code(login, make_persona, case_worker) -> None:
    record_event(action="case.opened", actor=case_worker, object_code="CS-AAAA-BBBB-C")
    record_event(action="case.opened", actor=case_worker, object_code="CS-DDDD-EEEE-F")
    auditor = make_persona(Role.AUDITOR)
    response = login(auditor).get("/audit/", {"object_code": "cs-aaaa-bbbb-c"})
    assert response.status_code == 200
    page = list(response.context["page"])
    assert [e.object_code for e in page] == ["CS-AAAA-BBBB-C"]


def test_an_auditor_filters_by_action_prefix_and_username(
    login, make_persona, case_worker, supervisor
) -> None:
    record_event(action="case.opened", actor=case_worker)
    record_event(action="case.closed", actor=supervisor)
    record_event(action="referral.sent", actor=case_worker)
    client = login(make_persona(Role.AUDITOR))
    page = client.get("/audit/", {"action": "case.", "actor": "case_worker_a"}).context["page"]
    assert [e.action for e in page] == ["case.opened"]


def test_a_reversed_date_range_is_an_error_in_arabic_and_lists_nothing(
    login, make_persona, case_worker
) -> None:
    record_event(action="case.opened", actor=case_worker)
    client = login(make_persona(Role.AUDITOR))
    response = client.get("/audit/", {"since": "2026-11-10", "until": "2026-11-01"})
    assert response.status_code == 200
    assert "تاريخ النهاية يسبق تاريخ البداية." in response.content.decode()
    assert list(response.context["page"]) == []


def test_the_auditor_list_runs_a_fixed_number_of_queries(
    login, make_persona, case_worker, django_assert_num_queries
) -> None:
    client = login(make_persona(Role.AUDITOR))
    for n in range(30):
        record_event(action="test.event", actor=case_worker, object_code=str(n))
    client.get("/audit/")
    # session, user, OTP device, roles, count, page of events (actors joined)
    with django_assert_num_queries(6):
        response = client.get("/audit/")
    # 30 events and the auditor's own sign-in.
    assert AuditEvent.objects.count() == 31
    assert len(response.context["page"]) == 31
