import datetime
from typing import Any

import factory
from factory.django import DjangoModelFactory

from himaya.accounts.tests.factories import UserFactory
from himaya.agencies.tests.factories import AgencyFactory
from himaya.survivors.actions import rebuild_search_index, sync_survivor_access
from himaya.survivors.indexes import document_index, name_index
from himaya.survivors.models import (
    Consent,
    ConsentPurpose,
    DocumentKind,
    Sex,
    Survivor,
    SurvivorDocument,
)


class SurvivorFactory(DjangoModelFactory):
    """A survivor with its access row and search tokens, as the registration writes them."""

    class Meta:
        model = Survivor
        skip_postgeneration_save = True

    name_ar = factory.Faker("name", locale="ar_AA")
    name_latin = factory.Sequence(lambda n: f"Test Person {n}")
    aliases = ""
    date_of_birth = "1999-04-12"
    phone = factory.Sequence(lambda n: f"+20 10 0000 {n:04d}")
    address = "12 شارع النيل، القاهرة"
    family_contact = "الأم: +20 11 1111 2222"
    name_ar_index = factory.LazyAttribute(lambda o: name_index(o.name_ar))
    name_latin_index = factory.LazyAttribute(lambda o: name_index(o.name_latin))
    sex = Sex.FEMALE
    birth_year = 1999
    nationality = "EG"
    registered_by_agency = factory.SubFactory(AgencyFactory)
    registered_by = factory.SubFactory(UserFactory)

    @factory.post_generation
    def derived(obj: Survivor, create: bool, extracted: Any, **kwargs: Any) -> None:
        if create:
            sync_survivor_access(survivor=obj)
            rebuild_search_index(survivor_ids=[obj.pk])


class SurvivorDocumentFactory(DjangoModelFactory):
    class Meta:
        model = SurvivorDocument

    survivor = factory.SubFactory(SurvivorFactory)
    kind = DocumentKind.PASSPORT
    number = factory.Sequence(lambda n: f"A{n:07d}")
    number_index = factory.LazyAttribute(lambda o: document_index(o.number))
    issuing_country = "SD"
    recorded_by = factory.SelfAttribute("survivor.registered_by")


class ConsentFactory(DjangoModelFactory):
    class Meta:
        model = Consent

    survivor = factory.SubFactory(SurvivorFactory)
    purpose = ConsentPurpose.CARE
    given_on = datetime.date(2026, 1, 10)
    recorded_by = factory.SelfAttribute("survivor.registered_by")
