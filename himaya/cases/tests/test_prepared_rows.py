"""Queries composed once and run for any key give what the ORM's ``values()`` gives."""

import datetime
from typing import Any

import pytest
from django.db import connection
from django.db.models import F
from django.test.utils import CaptureQueriesContext

from himaya.accounts.models import User
from himaya.agencies.models import Agency
from himaya.cases import actions
from himaya.cases.models import CaseNote, ClosureRequest, ClosureStatus, RiskAssessment
from himaya.cases.tests.factories import CaseFactory, ClosureRequestFactory, RiskAssessmentFactory
from himaya.core.prepared import PreparedValues


def risks(key: int) -> Any:
    return (
        RiskAssessment.objects.filter(case_id=key)
        .order_by("-assessed_on", "-id")
        .values("code", "assessed_on", "level", "factors", assessor_name=F("assessor__username"))
    )


def test_each_key_reads_its_own_rows_converted_as_values_converts_them(
    case_worker: User, agency_a: Agency
) -> None:
    first, second, empty = (CaseFactory(lead_agency=agency_a) for _ in range(3))
    RiskAssessmentFactory(case=first, assessed_on=datetime.date(2026, 3, 1))
    RiskAssessmentFactory(case=first, assessed_on=datetime.date(2026, 4, 1), factors=["debt"])
    RiskAssessmentFactory(case=second, factors=[])
    prepared = PreparedValues(risks)

    for case in (first, second, empty, first):
        assert prepared.rows(case.pk) == list(risks(case.pk))
    rows = prepared.rows(first.pk)
    assert [(row["assessed_on"], row["factors"]) for row in rows] == [
        (datetime.date(2026, 4, 1), ["debt"]),
        (datetime.date(2026, 3, 1), ["threats", "debt"]),
    ]


def test_an_encrypted_column_is_read_in_clear_as_values_reads_it(
    case_worker: User, agency_a: Agency
) -> None:
    case = CaseFactory(lead_agency=agency_a, case_worker=case_worker)
    actions.add_case_note(case=case, body="نص سري", by=case_worker)
    prepared = PreparedValues(lambda key: CaseNote.objects.filter(case_id=key).values("body"))
    assert prepared.rows(case.pk) == [{"body": "نص سري"}]


def test_a_constant_of_the_query_stays_as_written_and_only_the_key_changes(
    agency_a: Agency,
) -> None:
    case = CaseFactory(lead_agency=agency_a)
    pending = ClosureRequestFactory(case=case)
    ClosureRequest.objects.filter(pk=pending.pk).update(status=ClosureStatus.REFUSED)
    waiting = ClosureRequestFactory(case=case)
    prepared = PreparedValues(
        lambda key: ClosureRequest.objects.filter(case_id=key, status=ClosureStatus.PENDING).values(
            "code"
        )
    )
    assert prepared.rows(case.pk) == [{"code": waiting.code}]


def test_each_run_is_one_query(agency_a: Agency, django_assert_num_queries: Any) -> None:
    case = CaseFactory(lead_agency=agency_a)
    prepared = PreparedValues(risks)
    prepared.rows(case.pk)
    with django_assert_num_queries(1):
        prepared.rows(case.pk)


@pytest.mark.django_db
def test_a_query_without_its_key_or_without_named_columns_is_refused() -> None:
    with pytest.raises(ValueError, match="filter on its key"):
        PreparedValues(lambda key: RiskAssessment.objects.values("code")).rows(1)
    with pytest.raises(ValueError, match="values"):
        PreparedValues(lambda key: RiskAssessment.objects.filter(case_id=key)).rows(1)


def test_a_query_without_a_key_reads_the_same_rows_as_the_orm_each_time(agency_a: Agency) -> None:
    def latest(_key: int) -> Any:
        return RiskAssessment.objects.order_by("-assessed_on", "-id").values("code", "level")[:2]

    prepared = PreparedValues(latest, keyed=False)
    assert prepared.rows() == []
    case = CaseFactory(lead_agency=agency_a)
    RiskAssessmentFactory(case=case, assessed_on=datetime.date(2026, 3, 1))
    RiskAssessmentFactory(case=case, assessed_on=datetime.date(2026, 4, 1))
    RiskAssessmentFactory(case=case, assessed_on=datetime.date(2026, 5, 1))
    assert prepared.rows() == list(latest(0))
    assert len(prepared.rows()) == 2


@pytest.mark.django_db
def test_a_keyless_query_that_uses_a_key_or_a_run_that_mixes_them_up_is_refused() -> None:
    with pytest.raises(ValueError, match="without a key"):
        PreparedValues(
            lambda key: RiskAssessment.objects.filter(case_id=key).values("code"), keyed=False
        ).rows()
    with pytest.raises(TypeError):
        PreparedValues(lambda key: RiskAssessment.objects.values("code"), keyed=False).rows(1)
    with pytest.raises(TypeError):
        PreparedValues(risks).rows()


def test_the_query_log_holds_the_text_of_each_run_with_its_key(
    case_worker: User, agency_a: Agency
) -> None:
    first, second = (CaseFactory(lead_agency=agency_a) for _ in range(2))
    prepared = PreparedValues(risks)
    with CaptureQueriesContext(connection) as queries:
        for case in (first, second, first, second):
            prepared.rows(case.pk)
    logged = [query["sql"] for query in queries.captured_queries]
    assert len(logged) == 4
    for case, sql in zip((first, second, first, second), logged, strict=True):
        assert '"cases_riskassessment"' in sql
        assert f'"case_id" = {case.pk}' in sql
