import factory
from factory.django import DjangoModelFactory

from himaya.agencies.models import Agency, AgencyKind, Governorate, Membership, Role


def governorate(code: str = "EG-C") -> Governorate:
    return Governorate.objects.get(code=code)


class AgencyFactory(DjangoModelFactory):
    class Meta:
        model = Agency

    name_en = factory.Sequence(lambda n: f"Directorate {n}")
    name_ar = factory.Sequence(lambda n: f"مديرية رقم {n}")
    kind = AgencyKind.DIRECTORATE
    governorate = factory.LazyFunction(governorate)


class MembershipFactory(DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory("himaya.accounts.tests.factories.UserFactory")
    agency = factory.SubFactory(AgencyFactory)
    role = Role.CASE_WORKER
