from pathlib import Path

import pytest
from django.conf import LazySettings


@pytest.fixture(autouse=True)
def anchor_file(settings: LazySettings, tmp_path: Path) -> Path:
    """Each test anchors into its own file, never the developer's var/audit-anchors.log."""
    path = tmp_path / "anchors" / "audit-anchors.log"
    settings.AUDIT_ANCHOR_PATH = path
    return path
