"""Reference data survives a flush.

Reference data (governorates, the indicator catalogue, service types, exploitation forms,
programmes, centroids) is loaded by each app's ``fill_*`` data migrations. A flush — as
run between transactional tests — empties those tables without re-running migrations; it
then emits ``post_migrate``, like ``migrate`` does. On that signal, an app whose tables are
all empty gets its ``fill_*`` migrations' loaders run again, the way Django recreates
content types. After a normal ``migrate`` the tables hold data and nothing runs.
"""

import importlib
from pathlib import Path
from typing import Any

from django.apps import AppConfig, apps
from django.db import router
from django.db.migrations.loader import MigrationLoader
from django.db.migrations.operations import RunPython


def _fill_operations(config: AppConfig) -> list[RunPython]:
    module_name = MigrationLoader.migrations_module(config.label)[0]
    if module_name is None:
        return []
    try:
        package = importlib.import_module(module_name)
    except ModuleNotFoundError:
        return []
    operations: list[RunPython] = []
    for path in sorted(Path(package.__path__[0]).glob("*_fill_*.py")):
        migration = importlib.import_module(f"{module_name}.{path.stem}").Migration
        operations.extend(op for op in migration.operations if isinstance(op, RunPython))
    return operations


def restore_reference_data(sender: AppConfig, using: str = "default", **_: Any) -> None:
    if not sender.name.startswith("himaya."):
        return
    operations = _fill_operations(sender)
    if not operations:
        return
    models = [m for m in sender.get_models() if router.allow_migrate_model(using, m)]
    if any(model._default_manager.using(using).exists() for model in models):
        return
    for operation in operations:
        # The loaders use only ``apps.get_model``: the live registry serves them.
        load: Any = operation.code
        load(apps, None)
