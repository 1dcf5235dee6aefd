"""The daily situation report: produced once a day, in Arabic and English, with the
figures of the day; read back with pdftotext."""

import datetime
from collections.abc import Callable

import pytest
from django.core import mail

from himaya.accounts.models import User
from himaya.agencies.models import Role
from himaya.core.tests.pdftext import pdf_text, without_spaces
from himaya.jobs.models import JobDay
from himaya.operations import actions
from himaya.operations.models import (
    Channel,
    IncidentKind,
    ReportSubscription,
    SituationReport,
)
from himaya.operations.tasks import SITUATION_REPORT, report_day
from himaya.operations.tests.helpers import daily_value

pytestmark = pytest.mark.django_db

DAY = datetime.date(2026, 6, 14)


@pytest.fixture
def day_of_work(make_persona: Callable[..., User]) -> User:
    operator = make_persona(Role.OPERATOR)
    daily_value("identified_victims", DAY, "12")
    daily_value("identified_victims", DAY - datetime.timedelta(days=1), "9")
    daily_value("referrals_overdue", DAY, "4")
    actions.record_intake(by=operator, channel=Channel.HOTLINE, summary="طفل", about_child=True)
    actions.open_incident(by=operator, kind=IncidentKind.RAID, title="مداهمة")
    analyst = make_persona(Role.ANALYST)
    analyst.email = "committee@example.org"
    analyst.save()
    ReportSubscription.objects.create(user=analyst)
    return operator


def test_the_report_is_written_in_arabic_with_the_figures_and_sent_once(
    day_of_work: User,
) -> None:
    assert report_day(DAY) is True
    assert report_day(DAY) is False  # a retry or a second consumer does nothing
    report = SituationReport.objects.get()
    assert (report.day, report.sent_to) == (DAY, 1)
    assert JobDay.objects.filter(task_name=SITUATION_REPORT, day=DAY).count() == 1
    arabic = without_spaces(pdf_text(bytes(report.pdf_ar)))
    for words in ("وزارة التضامن الاجتماعي", "الضحايا الذين تم التعرف عليهم", "سري"):
        assert without_spaces(words) in arabic
    assert "12" in arabic
    assert "3+" in arabic  # the change, read right to left
    assert without_spaces("الإحالات المتأخرة") in arabic
    # The report's own headings and sentences, in Arabic and in reading order.
    for words in ("التقرير اليومي للموقف", "الحوادث المفتوحة", "حرجة", "تحذيرات"):
        assert without_spaces(words) in arabic
    english = pdf_text(bytes(report.pdf_en))
    assert "Daily situation report" in english
    assert "Critical: 1. Warnings: 0." in english
    assert "Open incidents: 1." in english
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["committee@example.org"]
    assert [name for name, _c, _t in mail.outbox[0].attachments] == [
        "situation-2026-06-14-ar.pdf",
        "situation-2026-06-14-en.pdf",
    ]
