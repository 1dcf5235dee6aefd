"""Reading printed documents back in tests: the text of a PDF in logical order.

``pdftotext`` (poppler-utils) extracts the text the way a reader copies or searches it;
a test that needs it is skipped when the program is not installed.
"""

import re
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest

# Directional marks that pdftotext puts around right-to-left and left-to-right runs.
_BIDI_CONTROLS = re.compile("[\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def pdf_text(content: bytes) -> str:
    """The text of the PDF, marks removed and runs of white space made single spaces."""
    program = shutil.which("pdftotext")
    if program is None:
        pytest.skip("pdftotext (poppler-utils) is not installed")
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "document.pdf"
        path.write_bytes(content)
        result = subprocess.run(  # noqa: S603 - a fixed program on a file of our own
            [program, "-enc", "UTF-8", str(path), "-"],
            capture_output=True,
            check=True,
            text=True,
        )
    return " ".join(_BIDI_CONTROLS.sub("", result.stdout).split())


def pdf_fonts(content: bytes) -> str:
    """The fonts table of the PDF (``pdffonts``); skipped when the program is absent."""
    program = shutil.which("pdffonts")
    if program is None:
        pytest.skip("pdffonts (poppler-utils) is not installed")
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "document.pdf"
        path.write_bytes(content)
        result = subprocess.run(  # noqa: S603 - a fixed program on a file of our own
            [program, str(path)], capture_output=True, check=True, text=True
        )
    return result.stdout


def without_spaces(text: str) -> str:
    """``text`` without any white space: pdftotext may move a space from one side of a
    left-to-right run (a number, a code) to the other inside Arabic text, so a phrase that
    mixes both is compared letter by letter, still in logical order."""
    return "".join(text.split())
