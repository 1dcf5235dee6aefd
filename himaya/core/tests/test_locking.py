import pytest

from himaya.agencies.models import Agency
from himaya.agencies.tests.factories import AgencyFactory
from himaya.core.locking import ConcurrentEditError, save_with_version

pytestmark = pytest.mark.django_db


def test_a_save_at_the_current_version_is_written_and_bumps_the_version() -> None:
    agency = AgencyFactory(name_en="Before")
    agency.name_en = "After"
    save_with_version(agency, expected_version=1, fields=["name_en"])
    stored = Agency.objects.get(pk=agency.pk)
    assert (stored.name_en, stored.version, agency.version) == ("After", 2, 2)


def test_a_save_with_a_stale_version_is_refused_and_changes_nothing() -> None:
    agency = AgencyFactory(name_en="Original")
    first, second = Agency.objects.get(pk=agency.pk), Agency.objects.get(pk=agency.pk)
    first.name_en = "First editor"
    save_with_version(first, expected_version=first.version, fields=["name_en"])

    second.name_en = "Second editor"
    with pytest.raises(ConcurrentEditError):
        save_with_version(second, expected_version=1, fields=["name_en"])

    stored = Agency.objects.get(pk=agency.pk)
    assert (stored.name_en, stored.version) == ("First editor", 2)
