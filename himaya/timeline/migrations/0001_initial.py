# The case timeline moves from the cases app to its own app; the table stays as it is.

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ("cases", "0007_add_english_timeline_summary"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="CaseEvent",
                    fields=[
                        ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                        ("occurred_at", models.DateTimeField(db_index=True, verbose_name="when")),
                        ("kind", models.CharField(max_length=64, verbose_name="event")),
                        ("summary", models.CharField(blank=True, max_length=500, verbose_name="summary")),
                        ("summary_en", models.CharField(blank=True, max_length=500, verbose_name="summary in English")),
                        ("object_code", models.CharField(blank=True, max_length=64, verbose_name="record")),
                        ("actor", models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name="+", to=settings.AUTH_USER_MODEL, verbose_name="by")),
                        ("case", models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name="events", to="cases.case", verbose_name="case")),
                    ],
                    options={
                        "verbose_name": "case event",
                        "verbose_name_plural": "case events",
                        "ordering": ["-occurred_at", "-id"],
                        "db_table": "cases_caseevent",
                    },
                ),
            ],
            database_operations=[],
        ),
    ]
