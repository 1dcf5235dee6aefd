"""Supporting documents stored in clear before encryption at rest are encrypted in place
(``manage.py seal_fund_documents`` does the same, and re-encrypts under a new key)."""

from django.db import migrations


def fill(apps, schema_editor):
    from himaya.fund.documents import seal_stored

    SupportingDocument = apps.get_model("fund", "SupportingDocument")
    seal_stored(SupportingDocument.objects.order_by("pk").iterator())


class Migration(migrations.Migration):
    dependencies = [("fund", "0003_fill_limit_snapshots")]

    operations = [migrations.RunPython(fill, migrations.RunPython.noop)]
