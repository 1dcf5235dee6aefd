"""The current and the next fiscal year are open from the first migration on; afterwards
``manage.py open_fiscal_years`` opens them every day."""

from django.db import migrations
from django.utils import timezone


def fill(apps, schema_editor):
    from himaya.fund.actions import open_fiscal_years

    open_fiscal_years(
        today=timezone.localdate(), model=apps.get_model("fund", "FiscalYear")
    )


class Migration(migrations.Migration):
    dependencies = [("fund", "0004_fill_encrypted_documents")]

    operations = [migrations.RunPython(fill, migrations.RunPython.noop)]
