from django.db import migrations


def fill_governorate_centroids(apps, schema_editor):
    from himaya.shelters.reference import load_centroids

    load_centroids(
        apps.get_model("shelters", "GovernorateCentroid"),
        apps.get_model("agencies", "Governorate"),
    )


class Migration(migrations.Migration):
    dependencies = [
        ("shelters", "0001_shelters_units_beds_stays"),
        ("agencies", "0002_fill_governorates"),
    ]

    operations = [migrations.RunPython(fill_governorate_centroids, migrations.RunPython.noop)]
