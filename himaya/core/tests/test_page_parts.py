"""The parts every page is made of: dates, option lists, joined names, the navigation."""

import datetime

import pytest
from django.db import connection
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import resolve
from django.utils import translation

from himaya.accounts.tests.factories import UserFactory
from himaya.agencies.models import Role
from himaya.agencies.tests.factories import AgencyFactory, MembershipFactory
from himaya.cases.models import CaseNote, RiskAssessment
from himaya.cases.tests.factories import RiskAssessmentFactory
from himaya.core import nav
from himaya.core.countries import country_name
from himaya.core.joins import names_joined
from himaya.core.templatetags.himaya_format import day, day_text, moment, options


def test_a_day_is_written_with_the_month_named_in_each_language() -> None:
    value = datetime.date(2026, 11, 3)
    with translation.override("ar"):
        assert day_text(value) == "3 نوفمبر 2026"
        assert day(value) == '<bdi class="date text-nowrap">3 نوفمبر 2026</bdi>'
    with translation.override("en"):
        assert day_text(value) == "3 November 2026"
        assert day(value) == '<bdi class="date text-nowrap">3 November 2026</bdi>'


def test_a_moment_is_written_in_local_time_to_the_minute_or_the_second() -> None:
    value = datetime.datetime(2026, 11, 3, 7, 5, 9, tzinfo=datetime.UTC)  # 09:05:09 in Cairo
    with translation.override("en"):
        assert moment(value) == '<bdi class="date text-nowrap">3 November 2026 09:05</bdi>'
        assert moment(value, "seconds") == (
            '<bdi class="date text-nowrap">3 November 2026 09:05:09</bdi>'
        )


def test_a_stored_text_that_is_not_a_date_is_shown_escaped_as_it_is() -> None:
    assert day("<b>soon</b>") == '<bdi class="date text-nowrap">&lt;b&gt;soon&lt;/b&gt;</bdi>'
    assert day("2026-02-30") == '<bdi class="date text-nowrap">2026-02-30</bdi>'
    assert day(None) == ""


def test_a_country_is_named_in_the_language_of_the_page_each_time() -> None:
    with translation.override("en"):
        assert country_name("eg") == "Egypt"
    with translation.override("ar"):
        assert country_name("EG") == "مصر"
        assert country_name("XX") == "عديم الجنسية أو غير معروف"
    assert country_name("ZZ") == "ZZ"


def test_options_mark_the_chosen_value_and_escape_values_and_labels() -> None:
    html = options([("EG-C", "القاهرة"), ('"x"', "<b>")], "EG-C")
    assert html == (
        '<option value="EG-C" selected>القاهرة</option>'
        '<option value="&quot;x&quot;">&lt;b&gt;</option>'
    )
    assert options([(7, "seven")], 7) == '<option value="7" selected>seven</option>'
    assert options([(7, "seven")], None) == '<option value="7">seven</option>'


@pytest.mark.django_db
def test_rows_joined_for_names_show_the_names_without_another_query() -> None:
    risk = RiskAssessmentFactory()
    query = names_joined(RiskAssessment.objects.filter(pk=risk.pk), "assessor")
    with CaptureQueriesContext(connection) as queries:
        read = query.get()
        assert read.assessor.username == risk.assessor.username
        assert read.assessor.get_full_name() == risk.assessor.get_full_name()
        assert read.level == risk.level
    assert len(queries) == 1
    assert "password" not in queries[0]["sql"]


def test_a_relation_without_declared_name_columns_is_refused() -> None:
    with pytest.raises(ValueError, match="no name columns"):
        names_joined(CaseNote.objects.all(), "case")


@pytest.mark.django_db
def test_the_navigation_marks_the_current_page_in_the_language_of_the_page() -> None:
    user = UserFactory()
    MembershipFactory(user=user, agency=AgencyFactory(), role=Role.CASE_WORKER)
    request = RequestFactory().get("/cases/")
    request.user = user
    request.resolver_match = resolve("/cases/")
    with translation.override("en"):
        english = nav.menu(request)
    with translation.override("ar"):
        arabic = nav.menu(request)
    assert 'data-nav="cases.list"' in english
    assert 'active" aria-current="page" data-nav="cases.list"' in english
    assert english.count('aria-current="page"') == 1
    assert ">Cases</a>" in english
    assert ">الحالات</a>" in arabic
    assert 'data-nav="audit"' not in english


@pytest.mark.django_db
def test_each_user_sees_only_the_entries_of_their_roles() -> None:
    worker, stranger = UserFactory(), UserFactory()
    MembershipFactory(user=worker, agency=AgencyFactory(), role=Role.CASE_WORKER)
    shown = {}
    for user in (worker, stranger):
        request = RequestFactory().get("/")
        request.user = user
        request.resolver_match = resolve("/")
        with translation.override("en"):
            shown[user] = nav.menu(request)
    assert 'data-nav="cases.list"' in shown[worker]
    assert 'data-nav="cases.list"' not in shown[stranger]
