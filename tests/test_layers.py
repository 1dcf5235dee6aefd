"""The layers of docs/architecture.md hold: the import contract in pyproject.toml passes on
the code, and it does catch an app importing upwards."""

import os
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")


def _lint(tree: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(  # noqa: S603 — the linter of the project's own virtual environment
        [str(LINT_IMPORTS), "--no-cache"],
        cwd=tree,
        env={**os.environ, "PYTHONPATH": str(tree)},
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def test_the_code_keeps_the_layers() -> None:
    result = _lint(ROOT)
    assert result.returncode == 0, result.stdout
    assert "1 kept, 0 broken" in result.stdout


def test_an_import_from_core_up_to_the_fund_breaks_the_contract(tmp_path: Path) -> None:
    copy = tmp_path / "tree"
    shutil.copytree(
        ROOT / "himaya",
        copy / "himaya",
        ignore=shutil.ignore_patterns("__pycache__", "locale", "static", "templates", "data"),
    )
    shutil.copy(ROOT / "pyproject.toml", copy / "pyproject.toml")
    (copy / "himaya" / "core" / "wrong.py").write_text("from himaya.fund import models\n")
    result = _lint(copy)
    assert result.returncode == 1
    assert "himaya.core is not allowed to import himaya.fund" in result.stdout
    assert "himaya.core.wrong -> himaya.fund.models" in result.stdout
