"""The repository stands alone: no product, test or benchmark file reads the reference
collection outside the checkout (``../shared/reference``, ``/work/shared``).

Reference data the tests need ship in the repository: ``models_py.datasets`` (Grunfeld,
Hansen 1999), ``tests/data/<name>/`` (cuts with a SOURCE.md each) and
``warehouse/bundled/``. Only ``scripts/``, which re-derive seeds from the full reference
tables, may read ``../shared``; Markdown files may name it as the origin of a copy.
``.ci/run`` runs the suite from a copy of the tracked files where no ``../shared`` exists.
"""

from __future__ import annotations

import re
from pathlib import Path

from models_py.datasets import load_grunfeld

ROOT = Path(__file__).resolve().parents[2]
CHECKED = ("tests", "benchmarks", "orchestration", "models_py")
# a path into the reference collection, however it is spelled or joined
PATTERNS = re.compile(
    r"shared/reference"
    r"|/work/shared"
    r"|\.\./shared"
    r"""|/\s*["']shared["']"""  # pathlib joins: ROOT.parent / "shared" / ...
    r"""|["']shared["']\s*/"""
)
SKIP_DIRS = {"__pycache__", ".pytest_cache", ".ruff_cache"}


def _files():
    for top in CHECKED:
        for path in sorted((ROOT / top).rglob("*")):
            if not path.is_file() or SKIP_DIRS & set(path.parts) or path.suffix == ".md":
                continue
            if path == Path(__file__).resolve():  # this file spells the patterns out
                continue
            yield path


def test_no_file_reads_the_reference_collection_outside_the_checkout():
    offending = []
    for path in _files():
        try:
            text = path.read_text(encoding="utf-8")
        except UnicodeDecodeError:  # binary data (e.g. hansen1999.csv.gz)
            continue
        for number, line in enumerate(text.splitlines(), start=1):
            if PATTERNS.search(line):
                offending.append(f"{path.relative_to(ROOT)}:{number}: {line.strip()}")
    assert not offending, (
        "files outside scripts/ refer to the reference collection (ship the data in "
        "models_py/datasets or tests/data instead):\n" + "\n".join(offending)
    )


def test_the_guard_sees_the_spellings_it_is_meant_to_catch():
    for line in [
        'GRUNFELD = Path("/work/shared/reference/grunfeld/Grunfeld_plm.csv")',
        'ADMIN = ROOT.parent / "shared" / "reference" / "admin_divisions"',
        "SHARED = ROOT.parent / 'shared'",
        'DATA = here.parent / "shared/reference/hansen1999/hansen1999.csv"',
        "see ../shared/reference/README.md",
    ]:
        assert PATTERNS.search(line), line
    for line in ["shared memory", "Display cells shared by the table renderers", "shared_data"]:
        assert not PATTERNS.search(line), line


def test_the_guard_walks_the_checked_trees():
    seen = {path.relative_to(ROOT).parts[0] for path in _files()}
    assert seen == set(CHECKED)
    assert len(load_grunfeld()) == 200  # package data present without ../shared
