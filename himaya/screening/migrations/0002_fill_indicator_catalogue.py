"""Load the labour-exploitation indicator sets (adults and children) of the ILO/EC catalogue."""

from django.db import migrations

from himaya.screening.catalogue import (
    FIRST_CATALOGUE,
    FIRST_SOURCE,
    LABOUR_FILE,
    load_sets,
    read_file,
)


def fill(apps, schema_editor):
    load_sets(
        read_file(LABOUR_FILE),
        catalogue_label=FIRST_CATALOGUE,
        source=FIRST_SOURCE,
        catalogue_model=apps.get_model("screening", "CatalogueVersion"),
        set_model=apps.get_model("screening", "IndicatorSet"),
        indicator_model=apps.get_model("screening", "TraffickingIndicator"),
    )


def empty(apps, schema_editor):
    apps.get_model("screening", "TraffickingIndicator").objects.filter(
        indicator_set__catalogue__label=FIRST_CATALOGUE
    ).delete()
    apps.get_model("screening", "IndicatorSet").objects.filter(
        catalogue__label=FIRST_CATALOGUE
    ).delete()
    apps.get_model("screening", "CatalogueVersion").objects.filter(label=FIRST_CATALOGUE).delete()


class Migration(migrations.Migration):
    dependencies = [("screening", "0001_indicator_catalogue_and_screenings")]

    operations = [migrations.RunPython(fill, empty)]
