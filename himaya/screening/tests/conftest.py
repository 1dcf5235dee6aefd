import pytest

from himaya.screening.catalogue import (
    FIRST_CATALOGUE,
    FIRST_SOURCE,
    LABOUR_FILE,
    SEXUAL_FILE,
    load_sets,
    read_file,
)
from himaya.screening.models import CatalogueVersion, IndicatorSet, TraffickingIndicator


def ensure_catalogue() -> None:
    """Reload the migrated catalogue if a transactional test flushed it."""
    for path in (LABOUR_FILE, SEXUAL_FILE):
        load_sets(
            read_file(path),
            catalogue_label=FIRST_CATALOGUE,
            source=FIRST_SOURCE,
            catalogue_model=CatalogueVersion,
            set_model=IndicatorSet,
            indicator_model=TraffickingIndicator,
        )


@pytest.fixture(autouse=True)
def indicator_catalogue(request: pytest.FixtureRequest) -> None:
    if "django_db_setup" in request.fixturenames or request.node.get_closest_marker("django_db"):
        request.getfixturevalue("db")
        if not TraffickingIndicator.objects.exists():
            ensure_catalogue()
