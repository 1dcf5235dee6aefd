from django.db import migrations, models


class Migration(migrations.Migration):
    """The case list is cut by position in (first contact, code), never counted: its
    index follows that order; the index on (first contact, id) it replaces served the
    counted list."""

    dependencies = [
        ("cases", "0010_fill_worklist"),
    ]

    operations = [
        migrations.RemoveIndex(model_name="case", name="case_agency_contact_idx"),
        migrations.AddIndex(
            model_name="case",
            index=models.Index(
                fields=["lead_agency", "-first_contact_on", "-code"], name="case_list_order_idx"
            ),
        ),
    ]
