"""A new record whose random code is already stored gets another code, not an error."""

from collections.abc import Iterator
from unittest import mock

import pytest

from himaya.agencies.models import Agency, AgencyKind, Governorate


@pytest.fixture
def codes_that_collide_once() -> Iterator[list[str]]:
    """The code generator first repeats an existing code, then draws fresh ones."""
    from himaya.core import codes

    real = codes.new_code
    drawn: list[str] = []

    def scripted(prefix: str) -> str:
        stored = Agency.objects.order_by("id").first()
        code = stored.code if not drawn and stored is not None else real(prefix)
        drawn.append(code)
        return code

    with mock.patch("himaya.core.models.new_code", scripted):
        yield drawn


def _agency(name: str) -> Agency:
    return Agency(
        name_ar=name,
        name_en=name,
        kind=AgencyKind.NGO,
        governorate=Governorate.objects.get(code="EG-C"),
    )


@pytest.mark.django_db(transaction=True)
def test_saving_a_record_whose_first_code_collides_retries_with_a_new_code(
    codes_that_collide_once: list[str],
) -> None:
    first = _agency("first")
    first.save()
    codes_that_collide_once.clear()
    second = _agency("second")
    second.save()
    assert len(codes_that_collide_once) == 2
    assert codes_that_collide_once[0] == first.code
    assert second.code == codes_that_collide_once[1] != first.code
    assert Agency.objects.filter(name_en__in=["first", "second"]).count() == 2


@pytest.mark.django_db
def test_fresh_codes_for_a_bulk_insert_avoid_every_stored_code() -> None:
    stored = _agency("stored")
    stored.save()
    with mock.patch("himaya.core.codes.new_code", side_effect=[stored.code, "AG-2345-6789-X"]):
        codes = Agency.fresh_codes(1)
    assert codes == ["AG-2345-6789-X"]
