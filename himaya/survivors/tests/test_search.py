"""Search that finds people, the scope kept as access rows, and the list read by pages.

Names are found by a part of a word, in either script and in their usual spellings;
phones in any digit form; codes by their end; documents by their number. Nothing of it
leaves the user's scope, and the stored tokens hold nothing in clear.
"""

import datetime
import importlib
import json
import re

import pytest
from django.apps import apps
from django.urls import reverse

from himaya.audit.models import AuditEvent
from himaya.cases.models import Case
from himaya.survivors import rules
from himaya.survivors.actions import (
    register_survivor,
    sync_survivor_access,
    update_identity,
)
from himaya.survivors.models import SurvivorAccess, SurvivorSearchToken
from himaya.survivors.selectors import search_survivors, survivor_page, survivors_visible_to
from himaya.survivors.tests.factories import SurvivorDocumentFactory, SurvivorFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def people(case_worker, agency_a):
    """Three survivors of agency A whose names are close to one another."""
    fatma = SurvivorFactory(
        name_ar="فاطمة محمد عبد الله",
        name_latin="Fatma Mohamed Abdallah",
        phone="+20 100 123 4567",
        registered_by_agency=agency_a,
        registered_by=case_worker,
    )
    SurvivorDocumentFactory(survivor=fatma, number="P 123-456")
    fathy = SurvivorFactory(
        name_ar="فتحي حسن السيد",
        name_latin="Fathy Hassan",
        phone="0111 222 3333",
        registered_by_agency=agency_a,
        registered_by=case_worker,
    )
    amina = SurvivorFactory(
        name_ar="أمينة سالم",
        name_latin="",
        phone="",
        registered_by_agency=agency_a,
        registered_by=case_worker,
    )
    return {"fatma": fatma, "fathy": fathy, "amina": amina}


def found(user, typed: str) -> set[str]:
    return {survivor.code for survivor in search_survivors(user, typed)}


@pytest.mark.parametrize(
    "typed",
    [
        # The first name in both scripts and its usual spellings.
        "فاطمة",
        "فاطمه",
        "Fatma",
        "Fatima",
        "FATIMAH",
        "Fatema",
        # A beginning of a word, from three letters on.
        "فاط",
        "Fatm",
        "محم",
        # Other words of the name, in any order and mixed scripts.
        "محمد",
        "Mohamed",
        "Muhammad",
        "Mohammed Fatima",
        "عبد الله",
        "عبدالله",
        "Abdallah",
        "Abdullah",
        "Abd Allah",
        "Fatma Abdullah",
        "فاطمة Abdallah",
        # The phone number in any digit form, with or without the country code.
        "01001234567",
        "+201001234567",
        "00201001234567",
        "+20 100 123 4567",
        "٠١٠٠١٢٣٤٥٦٧",
        "+٢٠ ١٠٠ ١٢٣ ٤٥٦٧",
        "1001234567",
        "1234567",
        # The document number.
        "P 123-456",
        "p123456",
    ],
)
def test_search_finds_a_survivor_by_a_variant_of_her_name_her_phone_or_her_document(
    case_worker, people, typed
) -> None:
    assert found(case_worker, typed) == {people["fatma"].code}


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("فتحي", {"fathy"}),  # فاطمة does not sound like فتحي
        ("Fathi", {"fathy"}),
        ("السيد", {"fathy"}),
        ("El Sayed", {"fathy"}),
        ("سيد", {"fathy"}),
        ("Amina", {"amina"}),
        ("Mona", set()),  # Mona is not Amina
        ("منى", set()),
        ("Fatma Hassan", set()),  # every word must match
        ("Fat", {"fatma", "fathy"}),  # a beginning matches every name it begins
        ("01112223333", {"fathy"}),
        ("2223333", {"fathy"}),
        ("0100123456", set()),  # one digit short of the number, and not its end
        ("P 123-457", set()),
    ],
)
def test_search_keeps_different_names_and_numbers_apart(
    case_worker, people, typed, expected
) -> None:
    assert found(case_worker, typed) == {people[name].code for name in expected}


def test_search_finds_a_survivor_by_the_end_or_the_beginning_of_her_code(
    case_worker, people
) -> None:
    code = people["amina"].code  # SV-XXXX-XXXX-C
    body = code[3:].replace("-", "")
    for typed in (code[-6:], body[-4:], body[-5:-1], code[3:7], code.lower()):
        assert people["amina"].code in found(case_worker, typed), typed


def test_another_agency_survivor_is_never_found_even_by_exact_values(outsider, people) -> None:
    fatma = people["fatma"]
    for typed in (
        "Fatma",
        "فاطمة محمد",
        fatma.code,
        fatma.code[-6:],
        "01001234567",
        "P 123-456",
    ):
        assert found(outsider, typed) == set(), typed


def test_stored_tokens_are_keyed_digests_never_the_words_or_numbers(people) -> None:
    fatma = people["fatma"]
    terms = rules.survivor_terms(
        names=[fatma.name_ar, fatma.name_latin], phone=fatma.phone, code=fatma.code
    )
    texts = {text for _kind, text in terms}
    assert {"فاطمه", "fatma", "FTM", "1001234567", "1234567"} <= texts
    stored = list(
        SurvivorSearchToken.objects.filter(survivor=fatma).values_list("token", flat=True)
    )
    assert len(stored) == len(terms)
    assert not set(stored) & (texts | {text.lower() for text in texts})
    assert all(re.fullmatch(r"[0-9a-f]{32}", token) for token in stored)


def test_search_runs_the_same_queries_for_one_word_or_several(
    case_worker, people, django_assert_num_queries
) -> None:
    list(search_survivors(case_worker, "Fatma"))  # the user's roles, read once
    # The user's roles, the few matches, then those in scope, whatever the words; when
    # nothing matches, the scope is not asked.
    for typed, count in (
        ("Fatma", 1),
        ("Fatma Mohamed Abdallah 01", 0),
        ("01001234567", 1),
        ("P 123", 0),
    ):
        with django_assert_num_queries(3 if count else 2):
            assert len(list(search_survivors(case_worker, typed))) == count


def test_search_page_shows_masked_first_names_and_audits_the_count_without_the_query(
    login, case_worker, people
) -> None:
    response = login(case_worker).get(reverse("survivors:list"), {"q": "Fatima"})
    html = response.content.decode()
    assert response.status_code == 200
    assert people["fatma"].code in html
    assert "فا•••" in html
    assert "فاطمة" not in html and "Abdallah" not in html
    event = AuditEvent.objects.get(action="survivor.search")
    assert event.actor == case_worker
    assert event.details == {"results": 1, "more": False, "names_shown": True}
    assert "Fatima" not in json.dumps(event.details) + event.object_code


def test_the_list_without_a_search_shows_no_name_and_writes_no_search_row(
    login, case_worker, people
) -> None:
    html = login(case_worker).get(reverse("survivors:list")).content.decode()
    assert html.count('href="/survivors/SV-') == 3
    assert "•••" not in html
    assert not AuditEvent.objects.filter(action="survivor.search").exists()


def test_the_list_goes_on_page_by_page_after_the_last_code_shown(
    login, case_worker, agency_a
) -> None:
    made = SurvivorFactory.create_batch(
        27, registered_by_agency=agency_a, registered_by=case_worker
    )
    latest_first = [survivor.code for survivor in reversed(made)]
    client = login(case_worker)
    first = client.get(reverse("survivors:list")).content.decode()
    assert re.findall(r'href="/survivors/(SV-[^/"]+)/"', first) == latest_first[:25]
    assert f"after={latest_first[24]}" in first
    second = client.get(reverse("survivors:list"), {"after": latest_first[24]}).content.decode()
    assert re.findall(r'href="/survivors/(SV-[^/"]+)/"', second) == latest_first[25:]
    assert 'data-testid="next-page"' not in second


def test_a_page_after_a_code_outside_the_scope_is_empty(case_worker, outsider, agency_a) -> None:
    SurvivorFactory(registered_by_agency=agency_a, registered_by=case_worker)
    elsewhere = SurvivorFactory()
    page = survivor_page(survivors_visible_to(case_worker), after=elsewhere.code, size=25)
    assert (page.rows, page.next_after) == ([], None)


def test_the_api_list_continues_after_the_last_code(login, case_worker, agency_a) -> None:
    made = SurvivorFactory.create_batch(3, registered_by_agency=agency_a, registered_by=case_worker)
    client = login(case_worker)
    body = client.get(reverse("survivors:api_list"), {"limit": 2}).json()
    assert [row["code"] for row in body["results"]] == [made[2].code, made[1].code]
    assert f"after={made[1].code}" in body["next"]
    rest = client.get(body["next"]).json()
    assert ([row["code"] for row in rest["results"]], rest["next"]) == ([made[0].code], None)
    assert client.get(reverse("survivors:api_list"), {"after": "x"}).status_code == 400


# --- the access rows -------------------------------------------------------------------


def agencies_seeing(survivor) -> set[int]:
    return set(SurvivorAccess.objects.filter(survivor=survivor).values_list("agency_id", flat=True))


def test_registration_grants_the_registering_agency_and_writes_the_tokens(
    case_worker, agency_a
) -> None:
    survivor = register_survivor(
        by=case_worker,
        agency=agency_a,
        identity={"name_ar": "مريم عبد الرحمن", "phone": "0100 555 6677"},
        clear={"sex": "female", "birth_year": 2001},
    )
    assert agencies_seeing(survivor) == {agency_a.pk}
    assert found(case_worker, "Mariam Abdelrahman") == {survivor.code}
    assert found(case_worker, "1005556677") == {survivor.code}


def test_a_case_moves_the_access_to_its_lead_agencies_and_back_to_the_truth(
    case_worker, agency_a, agency_b
) -> None:
    survivor = SurvivorFactory(registered_by_agency=agency_a, registered_by=case_worker)
    case = Case.objects.create(
        survivor=survivor,
        lead_agency=agency_b,
        case_worker=case_worker,
        first_contact_on=datetime.date(2026, 3, 1),
    )
    assert sync_survivor_access(survivor=survivor) == {agency_b.pk}
    assert agencies_seeing(survivor) == {agency_b.pk}
    assert survivor not in survivors_visible_to(case_worker)
    Case.objects.filter(pk=case.pk).update(lead_agency=agency_a)  # a transfer of the case
    sync_survivor_access(survivor=survivor)
    assert agencies_seeing(survivor) == {agency_a.pk}
    assert survivor in survivors_visible_to(case_worker)


def test_opening_a_case_keeps_the_access_of_the_lead_agency(case_worker, agency_a) -> None:
    from himaya.cases.actions import open_case

    survivor = SurvivorFactory(registered_by_agency=agency_a, registered_by=case_worker)
    open_case(
        survivor=survivor,
        by=case_worker,
        lead_agency=agency_a,
        first_contact_on=datetime.date(2026, 3, 1),
        identified_by="hotline",
        recruitment_channel="social_media",
    )
    assert agencies_seeing(survivor) == {agency_a.pk}


def test_an_identity_edit_rewrites_the_tokens(case_worker, people) -> None:
    fatma = people["fatma"]
    update_identity(
        survivor=fatma,
        by=case_worker,
        expected_version=fatma.version,
        identity={"name_ar": "زينب محمد", "name_latin": "Zeinab Mohamed", "phone": ""},
        clear={},
    )
    assert found(case_worker, "Fatma") == set()
    assert found(case_worker, "01001234567") == set()
    assert found(case_worker, "Zainab") == {fatma.code}


def test_the_migration_derives_access_and_tokens_from_the_truth(
    case_worker, outsider, agency_a, agency_b, people
) -> None:
    led_by_b = SurvivorFactory(registered_by_agency=agency_a, registered_by=case_worker)
    Case.objects.create(
        survivor=led_by_b,
        lead_agency=agency_b,
        case_worker=outsider,
        first_contact_on=datetime.date(2026, 3, 1),
    )
    SurvivorAccess.objects.all().delete()
    SurvivorSearchToken.objects.all().delete()
    module = importlib.import_module(
        "himaya.survivors.migrations.0006_derive_access_and_search_tokens"
    )
    module.derive(apps, None)
    assert agencies_seeing(led_by_b) == {agency_b.pk}
    assert agencies_seeing(people["fatma"]) == {agency_a.pk}
    assert found(case_worker, "Fatima") == {people["fatma"].code}
    assert found(outsider, led_by_b.code[-6:]) == {led_by_b.code}


def test_a_word_that_many_survivors_hold_is_searched_in_one_query_and_finds_them_all(
    case_worker, people, django_assert_num_queries, monkeypatch
) -> None:
    from himaya.survivors import selectors

    list(search_survivors(case_worker, "Fatma"))  # the user's roles, read once
    few = {survivor.code for survivor in search_survivors(case_worker, "Fatma")}
    monkeypatch.setattr(selectors, "FEW_MATCHES", 0)  # every search now counts as common
    with django_assert_num_queries(3):  # the first ids, then the scope in one query
        many = {survivor.code for survivor in search_survivors(case_worker, "Fatma")}
    assert many == few == {people["fatma"].code}
