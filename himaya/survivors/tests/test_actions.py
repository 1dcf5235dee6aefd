import datetime

import pytest
import time_machine

from himaya.audit.models import AuditEvent
from himaya.core.locking import ConcurrentEditError
from himaya.survivors import actions
from himaya.survivors.actions import (
    DocumentInput,
    DuplicateSuspected,
    SurvivorError,
    SurvivorForbidden,
    SurvivorNotFound,
)
from himaya.survivors.models import ConsentPurpose, PossibleDuplicate, Survivor, SurvivorDocument
from himaya.survivors.selectors import awaits_review, consent_on_file
from himaya.survivors.tests.factories import ConsentFactory, SurvivorDocumentFactory
from himaya.timeline.models import CaseEvent

pytestmark = pytest.mark.django_db

IDENTITY = {
    "name_ar": "مريم حسن محمود",
    "name_latin": "Mariam Hassan Mahmoud",
    "phone": "+20 10 1234 5678",
    "date_of_birth": "2001-02-03",
}
CLEAR = {"sex": "female", "birth_year": 2001, "nationality": "EG"}


def register(user, agency, **kwargs):
    return actions.register_survivor(
        by=user,
        agency=agency,
        identity=kwargs.pop("identity", IDENTITY),
        clear=kwargs.pop("clear", CLEAR),
        **kwargs,
    )


def test_register_survivor_stores_indexes_documents_and_one_audit_row(
    case_worker, agency_a
) -> None:
    survivor = register(
        case_worker, agency_a, documents=[DocumentInput("national_id", "2990 1010 1234 56", "EG")]
    )
    survivor.refresh_from_db()
    assert survivor.code.startswith("SV-")
    assert survivor.name_ar == "مريم حسن محمود"
    assert survivor.name_ar_index and survivor.name_latin_index
    assert survivor.registered_by_agency == agency_a
    assert SurvivorDocument.objects.get(survivor=survivor).number == "2990 1010 1234 56"
    event = AuditEvent.objects.get(action="survivor.registered")
    assert event.object_code == survivor.code
    assert event.details == {"agency": agency_a.code, "documents": 1}


def test_a_new_survivors_access_tokens_and_match_keys_are_those_recomputed_afresh(
    case_worker, agency_a
) -> None:
    """The registration writes a new survivor's derived rows from what it holds, without
    reading any back: they are exactly the rows the recomputations write."""
    from himaya.survivors.models import SurvivorAccess, SurvivorMatchKey, SurvivorSearchToken

    survivor = register(
        case_worker,
        agency_a,
        identity={**IDENTITY, "aliases": "أم يوسف", "phone": "+20 100 123 4567"},
        documents=[DocumentInput("national_id", " 2990 1010 1234 56 ", "EG")],
    )

    def derived() -> tuple[set[int], set[tuple[str, str]], set[str]]:
        return (
            set(
                SurvivorAccess.objects.filter(survivor=survivor).values_list("agency_id", flat=True)
            ),
            set(SurvivorSearchToken.objects.filter(survivor=survivor).values_list("kind", "token")),
            set(SurvivorMatchKey.objects.filter(survivor=survivor).values_list("key", flat=True)),
        )

    written = derived()
    assert written[0] == {agency_a.pk} and written[1] and len(written[2]) >= 5
    fresh = Survivor.objects.get(pk=survivor.pk)
    actions.sync_survivor_access(survivor=fresh)
    SurvivorSearchToken.objects.filter(survivor=fresh).delete()
    actions.rebuild_search_index(survivor_ids=[fresh.pk])
    actions.refresh_match_keys(survivor=fresh)
    assert derived() == written


def test_register_survivor_refuses_an_agency_the_user_does_not_work_for(
    case_worker, agency_b
) -> None:
    with pytest.raises(SurvivorForbidden):
        register(case_worker, agency_b)
    assert Survivor.objects.count() == 0


def test_same_name_and_birth_year_blocks_registration_and_shows_the_visible_code(
    case_worker, agency_a
) -> None:
    first = register(case_worker, agency_a)
    with pytest.raises(DuplicateSuspected) as raised:
        register(
            case_worker,
            agency_a,
            identity={"name_latin": "mariam  HASSAN mahmoud"},
            clear={**CLEAR, "birth_year": 2001},
        )
    assert raised.value.visible_codes == [first.code]
    assert Survivor.objects.count() == 1


def test_same_name_with_another_birth_year_registers(case_worker, agency_a) -> None:
    register(case_worker, agency_a)
    register(
        case_worker,
        agency_a,
        identity={**IDENTITY, "date_of_birth": "1990-02-03"},
        clear={**CLEAR, "birth_year": 1990},
    )
    assert Survivor.objects.count() == 2


def test_same_document_out_of_scope_registers_and_opens_one_review_without_naming_it(
    case_worker, outsider, agency_a, agency_b
) -> None:
    other = register(outsider, agency_b, documents=[DocumentInput("passport", "A-1234567")])
    survivor = register(
        case_worker,
        agency_a,
        identity={"name_latin": "Somebody Else"},
        clear={**CLEAR, "birth_year": 1980},
        documents=[DocumentInput("passport", "a1234567")],
    )
    [review] = PossibleDuplicate.objects.all()
    assert (review.survivor, review.matched, review.found_by) == (survivor, other, case_worker)
    assert (review.reason, review.status, review.decided_at) == ("document", "open", None)
    assert awaits_review(survivor)
    registered = AuditEvent.objects.get(action="survivor.registered", object_code=survivor.code)
    assert registered.details == {
        "agency": agency_a.code,
        "documents": 1,
        "possible_duplicates_for_review": 1,
    }


def test_register_anyway_is_recorded_in_the_audit_trail(case_worker, agency_a) -> None:
    first = register(case_worker, agency_a)
    second = register(case_worker, agency_a, confirm_duplicate=True)
    event = AuditEvent.objects.get(action="survivor.registered", object_code=second.code)
    assert event.details["registered_despite_duplicates"] == [first.code]


def test_update_identity_with_a_stale_version_changes_nothing(case_worker, world) -> None:
    survivor = world.registered_by_a
    actions.update_identity(
        survivor=Survivor.objects.get(pk=survivor.pk),
        by=case_worker,
        expected_version=1,
        identity={"phone": "+20 12 0000 0001"},
        clear={},
    )
    with pytest.raises(ConcurrentEditError):
        actions.update_identity(
            survivor=Survivor.objects.get(pk=survivor.pk),
            by=case_worker,
            expected_version=1,
            identity={
                "phone": "+20 12 9999 9999",
                "name_latin": "Changed Name",
                "date_of_birth": "1950-05-05",
            },
            clear={"birth_year": 1950},
        )
    survivor.refresh_from_db()
    assert survivor.version == 2
    assert survivor.phone == "+20 12 0000 0001"
    assert survivor.name_latin == "Fatma Ahmed Ali"
    assert survivor.birth_year == 1999
    events = AuditEvent.objects.filter(action="survivor.identity_updated")
    assert [e.details for e in events] == [{"fields": ["phone"]}]


def test_update_identity_refreshes_the_name_indexes(case_worker, world) -> None:
    survivor = world.registered_by_a
    actions.update_identity(
        survivor=survivor,
        by=case_worker,
        expected_version=1,
        identity={"name_latin": "Fatma Ahmed Aly"},
        clear={},
    )
    survivor.refresh_from_db()
    from himaya.survivors.indexes import name_index

    assert survivor.name_latin_index == name_index("fatma ahmed aly")


def test_outsider_cannot_update_a_survivor_out_of_scope(outsider, world) -> None:
    survivor = world.registered_by_a
    with pytest.raises(SurvivorNotFound):
        actions.update_identity(
            survivor=survivor,
            by=outsider,
            expected_version=1,
            identity={"phone": "0"},
            clear={},
        )
    survivor.refresh_from_db()
    assert survivor.version == 1


def test_reveal_identity_writes_one_audit_row_without_personal_data(case_worker, world) -> None:
    survivor = world.registered_by_a
    before = AuditEvent.objects.count()
    actions.reveal_identity(survivor=survivor, by=case_worker, purpose="legal")
    assert AuditEvent.objects.count() == before + 1
    event = AuditEvent.objects.order_by("-sequence").first()
    assert (event.action, event.object_code, event.purpose) == (
        "survivor.identity_viewed",
        survivor.code,
        "legal",
    )
    flat = str(event.details) + event.object_code + event.purpose + event.object_type
    for personal in ["فاطمة", "Fatma", survivor.phone, "P 123-456", "1999-04-12"]:
        assert personal not in flat


def test_reveal_identity_needs_a_known_purpose(case_worker, world) -> None:
    with pytest.raises(SurvivorError):
        actions.reveal_identity(survivor=world.registered_by_a, by=case_worker, purpose="")
    assert not AuditEvent.objects.filter(action="survivor.identity_viewed").exists()


def test_record_consent_writes_audit_and_a_timeline_event_on_each_case(case_worker, world) -> None:
    survivor = world.case_of_a
    consent = actions.record_consent(
        survivor=survivor, by=case_worker, purpose=ConsentPurpose.STATISTICS
    )
    assert consent.recorded_by == case_worker
    assert AuditEvent.objects.filter(
        action="survivor.consent_recorded", object_code=survivor.code
    ).exists()
    events = CaseEvent.objects.filter(case__survivor=survivor)
    assert [(e.kind, e.object_code) for e in events] == [
        ("survivor.consent_recorded", survivor.code)
    ]


def test_record_consent_for_a_referral_needs_a_recipient(case_worker, world) -> None:
    with pytest.raises(SurvivorError):
        actions.record_consent(
            survivor=world.registered_by_a, by=case_worker, purpose=ConsentPurpose.REFERRAL
        )
    assert world.registered_by_a.consents.count() == 1


@time_machine.travel(datetime.datetime(2026, 6, 15, 9, tzinfo=datetime.UTC), tick=False)
def test_withdrawal_makes_consent_on_file_false_from_that_day(case_worker, world) -> None:
    survivor = world.case_of_a
    consent = ConsentFactory(survivor=survivor, given_on=datetime.date(2026, 6, 1))
    assert consent_on_file(survivor, purpose=ConsentPurpose.CARE)
    actions.withdraw_consent(consent=consent, by=case_worker, expected_version=1)
    consent.refresh_from_db()
    assert consent.withdrawn_on == datetime.date(2026, 6, 15)
    assert not consent_on_file(survivor, purpose=ConsentPurpose.CARE)
    with time_machine.travel(datetime.datetime(2026, 6, 14, 9, tzinfo=datetime.UTC)):
        assert consent_on_file(survivor, purpose=ConsentPurpose.CARE)
    assert (
        CaseEvent.objects.filter(case__survivor=survivor, kind="survivor.consent_withdrawn").count()
        == 1
    )
    assert AuditEvent.objects.filter(action="survivor.consent_withdrawn").count() == 1


def test_withdrawing_with_a_stale_version_changes_nothing(case_worker, world) -> None:
    consent = world.consent
    actions.withdraw_consent(consent=consent, by=case_worker, expected_version=1)
    consent.refresh_from_db()
    assert consent.version == 2
    with pytest.raises(SurvivorError):  # already withdrawn
        actions.withdraw_consent(consent=consent, by=case_worker, expected_version=2)
    fresh = type(consent).objects.get(pk=consent.pk)
    fresh.withdrawn_on = None
    with pytest.raises(ConcurrentEditError):
        actions.withdraw_consent(consent=fresh, by=case_worker, expected_version=1)
    consent.refresh_from_db()
    assert consent.version == 2


def test_add_document_is_audited_and_searchable(case_worker, world) -> None:
    from himaya.survivors.selectors import search_survivors

    actions.add_document(
        survivor=world.case_of_a, by=case_worker, kind="passport", number="SD 998877"
    )
    assert list(search_survivors(case_worker, "sd998877")) == [world.case_of_a]
    assert AuditEvent.objects.filter(action="survivor.document_added").count() == 1


def test_documents_of_other_survivors_do_not_leak_into_search(case_worker, world) -> None:
    SurvivorDocumentFactory(survivor=world.registered_by_b, number="X1")
    from himaya.survivors.selectors import search_survivors

    assert list(search_survivors(case_worker, "X1")) == []


def test_the_same_consent_cannot_be_recorded_twice_while_it_stands(case_worker, world) -> None:
    survivor = world.registered_by_a  # already has a care consent without recipient
    with pytest.raises(SurvivorError):
        actions.record_consent(survivor=survivor, by=case_worker, purpose=ConsentPurpose.CARE)
    assert survivor.consents.count() == 1
    actions.withdraw_consent(consent=world.consent, by=case_worker, expected_version=1)
    actions.record_consent(survivor=survivor, by=case_worker, purpose=ConsentPurpose.CARE)
    assert survivor.consents.count() == 2
