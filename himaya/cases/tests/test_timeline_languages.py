"""Each reader sees the timeline in their own language, whoever wrote the line."""

import pytest
from django.conf import settings
from django.utils import translation

from himaya.cases.models import Phase
from himaya.cases.tests.factories import CaseFactory
from himaya.timeline.actions import record_case_event
from himaya.timeline.models import CaseEvent

pytestmark = pytest.mark.django_db


def test_a_line_written_by_an_english_speaker_is_stored_in_both_languages(case_worker) -> None:
    case = CaseFactory(lead_agency=case_worker.memberships.get().agency, case_worker=case_worker)
    with translation.override("en"):
        record_case_event(
            case=case,
            kind="case.phase_changed",
            by=case_worker,
            summary=lambda: (
                translation.gettext("Moved from %(from)s to %(to)s")
                % {"from": Phase.IDENTIFICATION.label, "to": Phase.PROTECTION.label}
            ),
        )
    event = CaseEvent.objects.get(case=case)
    assert event.summary_en == "Moved from Identification to Protection"
    assert event.summary == "نُقلت من مرحلة التحديد إلى مرحلة الحماية"
    with translation.override("ar"):
        assert event.text == event.summary
    with translation.override("en"):
        assert event.text == event.summary_en


def test_the_case_page_shows_the_timeline_in_the_readers_language(login, case_worker) -> None:
    case = CaseFactory(lead_agency=case_worker.memberships.get().agency, case_worker=case_worker)
    with translation.override("en"):
        record_case_event(
            case=case,
            kind="care_plan.submitted",
            by=case_worker,
            summary=lambda: translation.gettext("Care plan submitted for approval"),
        )
    client = login(case_worker)
    arabic = client.get(f"/cases/{case.code}/").content.decode()
    assert "قُدّمت خطة الرعاية للاعتماد" in arabic
    assert "Care plan submitted for approval" not in arabic
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    english = client.get(f"/cases/{case.code}/").content.decode()
    assert "Care plan submitted for approval" in english


def test_a_plain_text_summary_is_kept_as_written_in_both() -> None:
    from himaya.timeline.actions import in_both_languages

    assert in_both_languages("SV-ABCD-EFGH-J") == ("SV-ABCD-EFGH-J", "SV-ABCD-EFGH-J")
