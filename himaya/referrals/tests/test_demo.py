import pytest

from himaya.accounts import demo as accounts_demo
from himaya.accounts.models import User
from himaya.agencies import demo as agencies_demo
from himaya.referrals import demo
from himaya.referrals.models import ConsentBasis, Referral, Status
from himaya.referrals.tests.factories import CaseFactory, give_consent

pytestmark = pytest.mark.django_db


def test_demo_refers_cases_to_every_kind_of_partner_in_every_state_and_only_once() -> None:
    agencies_demo.seed()
    accounts_demo.seed()
    cairo = agencies_demo.agency(agencies_demo.CAIRO_DIRECTORATE)
    worker = User.objects.get(username="caseworker")
    cases = [CaseFactory(lead_agency=cairo, case_worker=worker) for _ in range(16)]
    police = agencies_demo.agency("Anti-Trafficking Police Unit")
    give_consent(cases[5].survivor, worker, recipient=police)
    ethiopia = agencies_demo.agency("Embassy of Ethiopia in Cairo")
    # An Ethiopian who consented to the embassy, and a Sudanese with a consent naming it.
    for case, nationality in [(cases[14], "ET"), (cases[2], "SD")]:
        case.survivor.nationality = nationality
        case.survivor.save()
        give_consent(case.survivor, worker, purpose="embassy", recipient=ethiopia)

    first = demo.seed()
    count = Referral.objects.count()
    second = demo.seed()

    assert first == f"{count} referrals created, {count} in the demo"
    assert second == f"0 referrals created, {count} in the demo"
    assert Referral.objects.count() == count == 15
    assert set(Referral.objects.values_list("status", flat=True)) == set(Status.values)
    assert Referral.objects.overdue().count() == 3
    assert set(Referral.objects.values_list("to_agency__kind", flat=True)) == {
        "police",
        "ngo",
        "health",
        "international",
        "embassy",
    }
    consented = Referral.objects.get(case=cases[5])
    assert consented.to_agency == police
    assert consented.consent_basis == ConsentBasis.CONSENT
    # The embassy gets only the Ethiopian who consented to it: never an override, never
    # the Sudanese survivor, so one of its two planned referrals is not made.
    embassy = Referral.objects.get(to_agency=ethiopia)
    assert embassy.case == cases[14]
    assert embassy.consent_basis == ConsentBasis.CONSENT
    assert Referral.objects.filter(consent_basis=ConsentBasis.OVERRIDE).count() == 13


def test_demo_without_cases_refers_nothing() -> None:
    assert demo.seed() == "no demo cases: nothing referred"
