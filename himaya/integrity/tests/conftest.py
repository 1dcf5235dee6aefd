from pathlib import Path

import pytest
from django.conf import LazySettings


@pytest.fixture(autouse=True)
def private_files(settings: LazySettings, tmp_path: Path) -> None:
    """Anchors and backups of a test live in its own directory."""
    settings.AUDIT_ANCHOR_PATH = tmp_path / "anchors.log"
    settings.BACKUP_DIR = tmp_path / "backups"
    settings.BACKUP_KEY = "q2lJ4CVOzFH1M7k2lq3W0y2fQ9Fz1tQ8bI3Xk5m6n7o="
