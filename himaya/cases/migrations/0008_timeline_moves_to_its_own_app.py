# The case timeline's model now belongs to the timeline app; its table is kept.

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ("cases", "0007_add_english_timeline_summary"),
        ("timeline", "0001_initial"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name="CaseEvent")],
            database_operations=[],
        ),
    ]
