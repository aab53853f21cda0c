"""GX Data Docs: a static HTML site of every suite and its latest validation, built offline.

`build_data_docs` validates every suite in `expectations/` against a warehouse (by default
the published one, opened read-only, so it runs while a refresh is writing its own file) and
has Great Expectations render the site from an ephemeral context: nothing is fetched, no GX
project folder is created. The pages load Bootstrap and fonts from public CDNs when opened;
without network they are unstyled but complete, and `quality_summary.md` beside them is a
plain-text digest of the same results.
"""

from __future__ import annotations

import shutil
from collections.abc import Sequence
from pathlib import Path

import duckdb

from orchestration import paths
from orchestration.quality.suites import EXPECTATIONS_DIR, SuiteSpec, load_suites

SUMMARY_FILE = "quality_summary.md"
# What a previous build of the site left; removed first so no stale validation page survives.
_SITE_ENTRIES = ("index.html", "expectations", "validations", "static", SUMMARY_FILE)


def default_docs_dir() -> Path:
    return paths.reports_dir() / "quality"


def _summary(outcomes: list, source: str) -> str:
    from orchestration.quality.gx_checks import results_markdown

    parts = [f"# Data quality: {source}", ""]
    for outcome in outcomes:
        if outcome.failed_blocking:
            verdict = f"FAILED ({len(outcome.failed_blocking)} blocking)"
        elif outcome.failed_warning:
            verdict = f"warning ({len(outcome.failed_warning)})"
        else:
            verdict = "passed"
        asset = "/".join(outcome.suite.asset_key)
        parts += [f"## {outcome.suite.name} (asset {asset}): {verdict}", "",
                  results_markdown(outcome), ""]
    return "\n".join(parts)


def build_data_docs(
    con_or_db_path: duckdb.DuckDBPyConnection | str | Path,
    out_dir: str | Path | None = None,
    *,
    suites: Sequence[SuiteSpec] | None = None,
    previous_db: Path | None = None,
    directory: Path = EXPECTATIONS_DIR,
) -> Path:
    """Validate every suite on the database and write the Data Docs site to `out_dir`
    (default `reports/quality/`); returns the path of its index.html.

    `con_or_db_path` is an open connection or a DuckDB file (opened read-only).
    `previous_db` is the build to compare row counts with; by default none (documenting the
    published warehouse against itself would be a tautology), so those expectations show as
    skipped."""
    from orchestration.quality.validate import ephemeral_context, validate_suite

    out_dir = Path(out_dir) if out_dir is not None else default_docs_dir()
    suites = load_suites(directory) if suites is None else suites
    out_dir.mkdir(parents=True, exist_ok=True)
    for entry in _SITE_ENTRIES:
        target = out_dir / entry
        if target.is_dir():
            shutil.rmtree(target)
        elif target.exists():
            target.unlink()

    context = ephemeral_context(docs_dir=out_dir)
    if isinstance(con_or_db_path, str | Path):
        source = str(con_or_db_path)
        with duckdb.connect(source, read_only=True) as con:
            outcomes = [validate_suite(s, con, previous_db, context=context) for s in suites]
    else:
        source = "open connection"
        outcomes = [validate_suite(s, con_or_db_path, previous_db, context=context)
                    for s in suites]
    context.build_data_docs()
    (out_dir / SUMMARY_FILE).write_text(_summary(outcomes, source), encoding="utf-8")
    index = out_dir / "index.html"
    if not index.exists():
        raise RuntimeError(f"Great Expectations wrote no Data Docs index under {out_dir}")
    return index
