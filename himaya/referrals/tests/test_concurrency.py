"""Two people answer the same referral at the same moment: exactly one answer counts."""

import threading

import pytest
from django.db import connection

from himaya.accounts.tests.factories import UserFactory
from himaya.agencies.models import AgencyKind, Governorate, Membership, Role
from himaya.agencies.tests.factories import AgencyFactory
from himaya.core.locking import ConcurrentEditError
from himaya.referrals import actions
from himaya.referrals.models import Referral, Status
from himaya.referrals.tests.factories import CaseFactory, give_consent
from himaya.services.models import ServiceType

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_simultaneous_accept_and_decline_leave_exactly_one_answer() -> None:
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL row locks")
    cairo, _ = Governorate.objects.get_or_create(
        code="EG-C", defaults={"name_ar": "القاهرة", "name_en": "Cairo"}
    )
    medical, _ = ServiceType.objects.get_or_create(
        code="medical", defaults={"name_ar": "الرعاية الطبية", "name_en": "Medical care"}
    )
    directorate = AgencyFactory(governorate=cairo)
    ngo = AgencyFactory(governorate=cairo, kind=AgencyKind.NGO)
    worker = UserFactory()
    Membership.objects.create(user=worker, agency=directorate, role=Role.CASE_WORKER)
    staff = [UserFactory(), UserFactory()]
    for user in staff:
        Membership.objects.create(user=user, agency=ngo, role=Role.PARTNER_STAFF)
    case = CaseFactory(lead_agency=directorate, case_worker=worker)
    give_consent(case.survivor, worker, recipient=ngo)
    referral = actions.create_referral(
        case=case, to_agency=ngo, service_type=medical, shared_fields=["sex"], by=worker
    )
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def answer(index: int) -> None:
        try:
            barrier.wait()
            mine = Referral.objects.get(pk=referral.pk)
            if index == 0:
                actions.accept_referral(referral=mine, by=staff[0], expected_version=1)
            else:
                actions.decline_referral(
                    referral=mine, by=staff[1], reason="No capacity", expected_version=1
                )
            outcomes.append("done")
        except (actions.ReferralError, ConcurrentEditError):
            outcomes.append("refused")
        finally:
            connection.close()

    threads = [threading.Thread(target=answer, args=(i,)) for i in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(outcomes) == ["done", "refused"]
    final = Referral.objects.get(pk=referral.pk)
    assert final.status in {Status.ACCEPTED, Status.DECLINED}
    assert final.version == 2
