"""The repository stands alone: no product, test or benchmark file reads the reference
collection that sits beside the development checkout (a sibling folder, never in a clone).

Reference data the tests need ship in the repository: ``models_py.datasets`` (Grunfeld,
Hansen 1999), ``tests/data/<name>/`` (cuts with a SOURCE.md each) and
``warehouse/bundled/``. Only ``scripts/``, which re-derive seeds from the full reference
tables, may read that folder; Markdown files may name it as the origin of a copy.
``.ci/run`` runs the suite from a copy of the tracked files where no such folder exists.

The folder's name is assembled below rather than written out, so that this guard's own
source is not itself a reference to the collection.
"""

from __future__ import annotations

import re
from pathlib import Path

from models_py.datasets import load_grunfeld

ROOT = Path(__file__).resolve().parents[2]
CHECKED = ("tests", "benchmarks", "orchestration", "models_py")
DIR = "".join(["sha", "red"])  # the sibling folder holding the reference collection
# a path into the reference collection, however it is spelled or joined
PATTERNS = re.compile(
    rf"{DIR}/reference"
    rf"|/work/{DIR}"
    rf"|\.\./{DIR}"
    rf"""|/\s*["']{DIR}["']"""  # pathlib joins: ROOT.parent / "<dir>" / ...
    rf"""|["']{DIR}["']\s*/"""
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
        f'GRUNFELD = Path("/work/{DIR}/reference/grunfeld/Grunfeld_plm.csv")',
        f'ADMIN = ROOT.parent / "{DIR}" / "reference" / "admin_divisions"',
        f"SHARED = ROOT.parent / '{DIR}'",
        f'DATA = here.parent / "{DIR}/reference/hansen1999/hansen1999.csv"',
        f"see ../{DIR}/reference/README.md",
    ]:
        assert PATTERNS.search(line), line
    for line in [f"{DIR} memory", f"Display cells {DIR} by the table renderers", f"{DIR}_data"]:
        assert not PATTERNS.search(line), line


def test_the_guard_walks_the_checked_trees():
    seen = {path.relative_to(ROOT).parts[0] for path in _files()}
    assert seen == set(CHECKED)
    assert len(load_grunfeld()) == 200  # package data present without the reference folder
