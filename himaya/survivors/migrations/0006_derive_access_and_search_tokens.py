"""Derive the access rows and the search tokens of the survivors already registered.

The access rows (``SurvivorAccess``) come from the truth: the lead agency of each case of
a survivor, or the registering agency of a survivor without a case. The search tokens
(``SurvivorSearchToken``) are keyed digests of the words of the names, the phone numbers
and the endings of the codes, computed from the decrypted values: the migration reads the
identity with the project's field decryption, and writes nothing in clear.
"""

from typing import Any

from django.db import migrations


def derive(apps: Any, schema_editor: Any) -> None:
    from himaya.survivors.indexes import fill_survivor_access, rebuild_search_tokens

    survivor = apps.get_model("survivors", "Survivor")
    fill_survivor_access(
        survivor, apps.get_model("survivors", "SurvivorAccess"), apps.get_model("cases", "Case")
    )
    rebuild_search_tokens(survivor, apps.get_model("survivors", "SurvivorSearchToken"))


class Migration(migrations.Migration):
    dependencies = [
        ("survivors", "0005_survivor_access_and_search_tokens"),
        ("cases", "0002_initial"),
    ]

    operations = [
        migrations.RunPython(derive, migrations.RunPython.noop),
    ]
