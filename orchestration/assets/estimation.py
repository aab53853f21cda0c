"""Estimation layer in DuckDB: the `estimates` schema the study assets write.

Each study table replaces its own rows (study, table_name) in ``estimates.models``,
``estimates.coefficients`` and ``estimates.tests``; the column layout is declared in
`models_py.output.estimates_tables` (also the source of the analyst docs and Stata labels).
The study assets themselves are made in `orchestration.assets.studies`.
"""

import hashlib
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd

import models_py
from models_py.output import estimates_tables

if TYPE_CHECKING:  # hints only: the runner loads every estimator (linearmodels, scipy, ...)
    from models_py.studies.runner import StudyTable

INPUTS_TABLE = "estimates.table_inputs"
_MODELS_PY = Path(models_py.__file__).resolve().parent


@cache  # the code does not change during a run; every study table asks for it
def _code_digest() -> bytes:
    digest = hashlib.sha256()
    for path in sorted(_MODELS_PY.rglob("*.py")):
        digest.update(path.relative_to(_MODELS_PY).as_posix().encode())
        digest.update(path.read_bytes())
    return digest.digest()


def inputs_fingerprint(spec, name: str, panel: pd.DataFrame, note: str) -> str:
    """What a study table's estimates and outputs are computed from: its panel (values,
    columns and dtypes, in the fixed row order read_panel gives), the spec file, the
    econometrics code and the source note its outputs print (how many landing files are
    behind the panel and how many of them are synthetic). Not the files' hashes: a corrected
    file that leaves the panel as it was does not re-estimate the study (the study report,
    rewritten every run, lists the files themselves)."""
    digest = hashlib.sha256(_code_digest())
    digest.update(name.encode())
    digest.update(Path(spec.path).read_bytes() if spec.path else repr(spec).encode())
    digest.update(repr([(c, str(t)) for c, t in panel.dtypes.items()]).encode())
    digest.update(pd.util.hash_pandas_object(panel, index=False).to_numpy().tobytes())
    digest.update(note.encode())
    return digest.hexdigest()


def stored_fingerprint(con, study: str, table_name: str) -> str | None:
    exists = con.execute("SELECT count(*) FROM information_schema.tables WHERE table_schema "
                         "= 'estimates' AND table_name = 'table_inputs'").fetchone()[0]
    if not exists:
        return None
    row = con.execute(f"SELECT fingerprint FROM {INPUTS_TABLE} WHERE study = ? AND "
                      "table_name = ?", [study, table_name]).fetchone()
    return row[0] if row else None


def store_fingerprint(con, study: str, table_name: str, fingerprint: str) -> None:
    con.execute(f"CREATE TABLE IF NOT EXISTS {INPUTS_TABLE} (study VARCHAR, table_name "
                "VARCHAR, fingerprint VARCHAR, estimated_at TIMESTAMP)")
    con.execute(f"DELETE FROM {INPUTS_TABLE} WHERE study = ? AND table_name = ?",
                [study, table_name])
    con.execute(f"INSERT INTO {INPUTS_TABLE} VALUES (?, ?, ?, now()::TIMESTAMP)",
                [study, table_name, fingerprint])


def estimates_frames(table: "StudyTable",
                     synthetic: bool | None = None) -> dict[str, pd.DataFrame]:
    """This study table's rows of estimates.models / coefficients / tests; `synthetic`
    (whether the study's inputs are SYNTHETIC) fills their `synthetic` column."""
    models = list(table.models)
    return {
        "models": estimates_tables.models_frame(table.study, table.name, models,
                                                table.model_labels, synthetic),
        "coefficients": estimates_tables.coefficients_frame(table.study, table.name, models,
                                                            table.model_labels, synthetic),
        "tests": estimates_tables.tests_frame(table.study, table.name, table.tests,
                                              synthetic),
    }


def store_estimates(con, table: "StudyTable", synthetic: bool | None = None) -> dict[str, int]:
    """Replace this study table's rows in estimates.models / coefficients / tests."""
    return store_estimates_frames(con, table.study, table.name,
                                  estimates_frames(table, synthetic))


def store_estimates_frames(con, study: str, name: str,
                           frames: dict[str, pd.DataFrame]) -> dict[str, int]:
    """Replace the rows of study table `name` in the estimates tables with `frames`
    (`estimates_frames`); returns the rows written per table."""
    con.execute("CREATE SCHEMA IF NOT EXISTS estimates")
    # estimates.model_stats (one row per statistic) is superseded by estimates.models.
    con.execute("DROP TABLE IF EXISTS estimates.model_stats")
    counts = {}
    for kind, frame in frames.items():
        expected = list(estimates_tables.COLUMNS[kind])
        present = [r[0] for r in con.execute(
            "SELECT column_name FROM information_schema.columns WHERE table_schema = "
            "'estimates' AND table_name = ? ORDER BY ordinal_position", [kind]).fetchall()]
        if present and present != expected:  # an older layout: rebuilt by the studies
            con.execute(f"DROP TABLE estimates.{kind}")
        con.execute(estimates_tables.ddl(kind))
        con.execute(f"DELETE FROM estimates.{kind} WHERE study = ? AND table_name = ?",
                    [study, name])
        if len(frame):
            con.register("frame_df", frame)
            con.execute(f"INSERT INTO estimates.{kind} BY NAME SELECT * FROM frame_df")
            con.unregister("frame_df")
        counts[kind] = len(frame)
    return counts
