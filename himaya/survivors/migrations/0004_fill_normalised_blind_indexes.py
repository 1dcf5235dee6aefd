"""Recompute the name and document blind indexes under the new normalisation.

Invisible format characters (zero-width spaces and joiners, direction marks) are now
removed and the digits of every script folded to ASCII digits before a value is indexed;
names with nothing left once normalised get no index; document numbers keep only letters
and digits. Stored indexes computed before that change are recomputed so that they still
match what is typed now. Only rows whose index changes are written.
"""

from typing import Any

from django.db import migrations


def fill_normalised_blind_indexes(apps: Any, schema_editor: Any) -> None:
    from himaya.survivors.indexes import recompute_blind_indexes

    recompute_blind_indexes(
        apps.get_model("survivors", "Survivor"), apps.get_model("survivors", "SurvivorDocument")
    )


class Migration(migrations.Migration):
    dependencies = [
        ("survivors", "0003_possible_duplicates_for_review"),
    ]

    operations = [
        migrations.RunPython(fill_normalised_blind_indexes, migrations.RunPython.noop),
    ]
