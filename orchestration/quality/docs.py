"""The quality pages: every suite and its latest validation, readable offline.

`build_data_docs` validates every suite in `expectations/` against a warehouse (by default
the published one, opened read-only, so it runs while a refresh is writing its own file) and
writes, under `reports/quality/`:

* `index.html` and `results/<suite>.html|json` (`orchestration.quality.page`): the project's
  own pages, self-contained (inline CSS, no external resource), so they work offline;
* `quality_summary.md`: the same results as Markdown;
* `gx/`: Great Expectations' Data Docs, rendered from an ephemeral context (nothing fetched,
  no GX project folder), kept as an extra. Opened, its pages load Bootstrap, jQuery and fonts
  from public CDNs (18 resources): without internet its index is empty and its pages
  unstyled; `gx=False` skips it.
"""

from __future__ import annotations

import shutil
from collections.abc import Sequence
from pathlib import Path

import duckdb

from orchestration import paths
from orchestration.quality.page import RESULTS_DIR, write_quality_pages
from orchestration.quality.suites import EXPECTATIONS_DIR, SuiteSpec, load_suites

SUMMARY_FILE = "quality_summary.md"
GX_DIR = "gx"  # the Great Expectations Data Docs site, below the project's own index
# What a previous build of the pages left (the GX site was once at the top); removed first so
# no stale validation page survives.
_SITE_ENTRIES = ("index.html", "expectations", "validations", "static", SUMMARY_FILE, GX_DIR,
                 RESULTS_DIR)


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


def _synthetic(con: duckdb.DuckDBPyConnection) -> bool:
    """Whether any current landing file of the warehouse is flagged synthetic."""
    try:
        return bool(con.execute("SELECT coalesce(bool_or(synthetic), false) FROM "
                                "raw.landing_files WHERE status = 'current'").fetchone()[0])
    except duckdb.Error:  # no raw.landing_files: nothing says the data are synthetic
        return False


def build_data_docs(
    con_or_db_path: duckdb.DuckDBPyConnection | str | Path,
    out_dir: str | Path | None = None,
    *,
    suites: Sequence[SuiteSpec] | None = None,
    previous_db: Path | None = None,
    directory: Path = EXPECTATIONS_DIR,
    gx: bool = True,
) -> Path:
    """Validate every suite on the database and write the quality pages to `out_dir`
    (default `reports/quality/`); returns the path of the project's index.html, which works
    offline. With `gx`, Great Expectations' Data Docs go to `out_dir/gx/` as an extra.

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

    context = ephemeral_context(docs_dir=out_dir / GX_DIR if gx else None)

    def validate(con: duckdb.DuckDBPyConnection) -> tuple[list, bool]:
        return ([validate_suite(s, con, previous_db, context=context) for s in suites],
                _synthetic(con))

    if isinstance(con_or_db_path, str | Path):
        source = str(con_or_db_path)
        with duckdb.connect(source, read_only=True) as con:
            outcomes, synthetic = validate(con)
    else:
        source = "open connection"
        outcomes, synthetic = validate(con_or_db_path)
    gx_index = None
    if gx:
        context.build_data_docs()
        gx_index = out_dir / GX_DIR / "index.html"
        if not gx_index.exists():
            raise RuntimeError(f"Great Expectations wrote no Data Docs index under {gx_index}")
    (out_dir / SUMMARY_FILE).write_text(_summary(outcomes, source), encoding="utf-8")
    return write_quality_pages(outcomes, out_dir, source, synthetic=synthetic,
                               gx_index=gx_index, summary_file=SUMMARY_FILE)
