"""Public codes stay unique at national scale, and bulk builders never draw them one by one."""

from unittest import mock

import pytest

from himaya.core.codes import ALPHABET, new_code
from himaya.core.models import PublicCodeModel

# The largest table foreseen: ten years of a national system, in rows.
LARGEST_TABLE = 50_000_000


def test_eight_characters_leave_a_new_code_one_chance_in_ten_thousand_to_collide() -> None:
    space = len(ALPHABET) ** 8
    assert space > 5 * 10**11
    collision = LARGEST_TABLE / space
    assert collision < 1e-4
    # save() draws again after a collision, up to CODE_ATTEMPTS times in all.
    assert collision**PublicCodeModel.CODE_ATTEMPTS < 1e-20


@pytest.mark.django_db
def test_bulk_built_rows_get_codes_distinct_from_each_other_and_from_stored_rows() -> None:
    from benchmarks import population
    from himaya.agencies.models import Agency, AgencyKind
    from himaya.agencies.tests.factories import governorate

    stored = population.agency("Stored")
    drawn = iter([stored.code, stored.code])

    def scripted(prefix: str) -> str:
        return next(drawn, None) or new_code(prefix)

    rows = [
        Agency(
            name_ar=f"جهة {n}",
            name_en=f"Agency {n}",
            kind=AgencyKind.NGO,
            governorate=governorate(),
        )
        for n in range(3)
    ]
    with mock.patch("himaya.core.codes.new_code", scripted):
        population.coded(rows)
    codes = [row.code for row in rows]
    assert len(set(codes)) == 3
    assert stored.code not in codes
    Agency.objects.bulk_create(rows)
    assert Agency.objects.count() == 4
