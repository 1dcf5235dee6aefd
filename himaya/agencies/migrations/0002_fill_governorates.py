from django.db import migrations


def fill_governorates(apps, schema_editor):
    from himaya.agencies.reference import load_governorates

    load_governorates(apps.get_model("agencies", "Governorate"))


class Migration(migrations.Migration):
    dependencies = [("agencies", "0001_initial")]

    operations = [migrations.RunPython(fill_governorates, migrations.RunPython.noop)]
