"""Compile every app's Arabic catalogue (.po) into the binary form Django reads (.mo).

Pure Python (polib), so that serving the application needs no gettext tools on the
machine; the .mo files are build products and are not committed.
"""

from pathlib import Path

import polib

ROOT = Path(__file__).resolve().parents[1]

count = 0
for po_path in sorted((ROOT / "himaya").glob("*/locale/*/LC_MESSAGES/django.po")):
    mo_path = po_path.with_suffix(".mo")
    if not mo_path.exists() or mo_path.stat().st_mtime < po_path.stat().st_mtime:
        polib.pofile(str(po_path)).save_as_mofile(str(mo_path))
        count += 1
print(f"{count} catalogues compiled")
