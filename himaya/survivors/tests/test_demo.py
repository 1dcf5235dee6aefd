import pytest

from himaya.accounts import demo as accounts_demo
from himaya.agencies import demo as agencies_demo
from himaya.survivors import demo
from himaya.survivors.models import Consent, Survivor, SurvivorDocument

pytestmark = pytest.mark.django_db


def test_demo_seeds_a_few_hundred_survivors_once() -> None:
    agencies_demo.seed()
    accounts_demo.seed()
    demo.seed()
    counts = (Survivor.objects.count(), SurvivorDocument.objects.count(), Consent.objects.count())
    assert counts[0] == demo.COUNT
    assert counts[1] > 100 and counts[2] >= demo.COUNT
    assert demo.seed().startswith("0 survivors created")
    assert (
        Survivor.objects.count(),
        SurvivorDocument.objects.count(),
        Consent.objects.count(),
    ) == counts
    survivors = list(demo.demo_survivors())
    assert survivors == sorted(survivors, key=lambda s: s.pk)
    assert {s.nationality for s in survivors} >= {"EG", "SD", "ER", "ET", "SY", "NG", "PH"}
    assert {s.sex for s in survivors} == {"female", "male"}
    assert any(s.birth_year > 2008 for s in survivors)  # children too
    assert {s.registered_by.username for s in survivors} == {
        "caseworker",
        "supervisor",
        "caseworker.alex",
    }
    assert all(s.name_ar and s.name_latin and s.name_ar_index for s in survivors)


def test_transliteration_gives_a_readable_latin_name() -> None:
    assert demo.transliterate("محمد عبد الرحمن") == "Mhmd Abd El-Rhmn"
