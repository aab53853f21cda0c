"""Every suite in `expectations/` as a Dagster asset check on the asset it names.

One check per suite, named `gx_<suite>`. It reads the suite's batches from the working
DuckDB through the `duckdb` resource, validates them with an ephemeral Great Expectations
context, and reports:

* passed when every expectation held (or was skipped: no previous build to compare with);
* failed with severity ERROR when a `blocking: true` expectation failed: the check is
  declared blocking, so the assets downstream of the guarded asset do not run and the build
  does not publish;
* failed with severity WARN when only `blocking: false` expectations failed: downstream runs,
  the UI and the build summary show the warning.

The metadata carry a table of every expectation's result and a sample of the failing rows
(the batch's index columns and the offending value) so the UI says what is wrong where.
Importing this module reads the YAML files only; Great Expectations is imported when a
check runs.
"""

import re
from collections.abc import Sequence
from pathlib import Path

from dagster import (
    AssetCheckExecutionContext,
    AssetCheckResult,
    AssetChecksDefinition,
    AssetCheckSeverity,
    AssetKey,
    MetadataValue,
    asset_check,
)
from dagster_duckdb import DuckDBResource

from orchestration import paths
from orchestration.assets.raw import DUCKDB_POOL
from orchestration.quality import worker
from orchestration.quality.suites import EXPECTATIONS_DIR, SuiteSpec, load_suites

__all__ = ["ASSET_CHECKS", "build_asset_checks", "check_name", "check_result", "run_suite"]

_MD_SAMPLE_ROWS = 3  # failing rows shown inline in the results table (all 20 in failing_rows)


def check_name(suite: SuiteSpec) -> str:
    return f"gx_{suite.name}"


def _cell(text: object, limit: int = 160) -> str:
    value = str(text).replace("|", "\\|").replace("\n", " ")
    return value if len(value) <= limit else value[: limit - 1] + "…"


def _row_text(row: object) -> str:
    """A failing row as `key=value, ...`, numbers to 4 significant digits."""
    if not isinstance(row, dict):
        return str(row)
    return ", ".join(f"{k}={v:.4g}" if isinstance(v, float) else f"{k}={v}"
                     for k, v in row.items())


def _status(outcome) -> str:
    if outcome.skipped:
        return "skipped"
    if outcome.success:
        return "passed"
    return "FAILED (blocking)" if outcome.blocking else "failed (warning)"


def results_markdown(outcome) -> str:
    """One line per expectation, failures first: what was expected, how it went, examples."""
    order = {"FAILED (blocking)": 0, "failed (warning)": 1, "skipped": 2, "passed": 3}
    rows = sorted(outcome.expectations, key=lambda e: order[_status(e)])
    lines = ["| status | expectation | blocking | unexpected | observed / failing rows |",
             "|---|---|---|---|---|"]
    for e in rows:
        if e.unexpected_count is not None:
            share = f" ({e.unexpected_percent:.3g}%)" if e.unexpected_percent is not None else ""
            unexpected = f"{e.unexpected_count:,}{share}"
        else:
            unexpected = ""
        if e.error:
            detail = e.error
        elif e.skipped:
            detail = e.skipped
        elif e.failing_rows:
            detail = "; ".join(_row_text(r) for r in e.failing_rows[:_MD_SAMPLE_ROWS])
        elif e.observed_value is not None:
            detail = f"observed {e.observed_value}"
        else:
            detail = ""
        lines.append(f"| {_status(e)} | {_cell(e.label)} | {'yes' if e.blocking else 'no'} | "
                     f"{unexpected} | {_cell(detail, 400)} |")
    return "\n".join(lines)


_RELATION = re.compile(r"\b(?:raw|staging|intermediate|marts|ref|estimates|quality)\.\w+",
                       re.IGNORECASE)
_EXAMPLES = 3  # failing rows quoted in a check's description


def relations(sql: str) -> list[str]:
    """The warehouse tables a batch query reads (schema.table), in order of appearance."""
    return list(dict.fromkeys(m.group(0) for m in _RELATION.finditer(sql)))


def failure_text(outcome, e) -> str:
    """What a failed expectation found and where: how many rows of which query on which
    tables, and the first failing rows (e.g. `year_over_year.no_jump_beyond_factor_10:
    7 of 4,123 rows (0.17%) of batch year_over_year on raw.yearbook_long_values; e.g.
    region_code=110000, ...`)."""
    batch = next((b for b in outcome.suite.batches if b.name == e.batch), None)
    tables = relations(batch.sql) if batch is not None else []
    where = f"batch {e.batch}" + (f" on {', '.join(tables)}" if tables else "")
    if e.error:
        return f"{e.label}: {e.error} ({where})"
    if e.unexpected_count is not None and e.element_count:
        found = (f"{e.unexpected_count:,} of {e.element_count:,} rows "
                 f"({100 * e.unexpected_count / e.element_count:.3g}%) of {where}")
    elif e.observed_value is not None:
        found = f"observed {e.observed_value} in {where}"
    else:
        found = f"failed on {where}"
    examples = "; ".join(_row_text(r) for r in e.failing_rows[:_EXAMPLES])
    return f"{e.label}: {found}" + (f"; e.g. {examples}" if examples else "")


def check_result(outcome) -> AssetCheckResult:
    """The Dagster result of one validated suite (`validate.SuiteOutcome`). A failure's
    description says what each failed expectation found and where (`failure_text`)."""
    blocking, warning = outcome.failed_blocking, outcome.failed_warning
    skipped = f" ({len(outcome.skipped)} skipped)" if outcome.skipped else ""
    if blocking:
        description = (f"{len(blocking)} blocking expectation(s) failed{skipped}: "
                       + " | ".join(failure_text(outcome, e) for e in blocking))
    elif warning:
        description = (f"{len(warning)} warning expectation(s) failed{skipped}: "
                       + " | ".join(failure_text(outcome, e) for e in warning))
    else:
        description = (f"all {len(outcome.expectations) - len(outcome.skipped)} expectations "
                       f"met{skipped}")
    failing = {e.label: {"blocking": e.blocking, "unexpected_count": e.unexpected_count,
                         "error": e.error or None, "rows": e.failing_rows}
               for e in blocking + warning}
    metadata = {
        "suite_file": MetadataValue.path(str(outcome.suite.path or "")),
        "expectations": len(outcome.expectations),
        "failed_blocking": len(blocking),
        "failed_warning": len(warning),
        "skipped": len(outcome.skipped),
        "results": MetadataValue.md(results_markdown(outcome)),
        "failing_rows": MetadataValue.json(failing),
        "batch_rows": MetadataValue.json({b.name: b.rows for b in outcome.batches}),
        "previous_build": MetadataValue.json(outcome.previous_build),
    }
    return AssetCheckResult(
        passed=outcome.passed,
        severity=AssetCheckSeverity.WARN if warning and not blocking else AssetCheckSeverity.ERROR,
        description=description,
        metadata=metadata,
    )


def run_suite(suite: SuiteSpec, duckdb: DuckDBResource,
              previous_db: Path | None = None) -> AssetCheckResult:
    """Validate `suite` on the resource's database; `previous_db` (default: the published
    warehouse) supplies the previous build's values, e.g. its row counts. Great Expectations
    runs in the build's GX worker when it started one (orchestration.quality.worker)."""
    previous_db = paths.published_db_path() if previous_db is None else previous_db
    with duckdb.get_connection() as con:
        outcome = worker.validate(suite, con, previous_db)
    return check_result(outcome)


def _relative(path: Path | None) -> str:
    if path is None:
        return ""
    return str(path.relative_to(paths.PROJECT_ROOT) if path.is_relative_to(paths.PROJECT_ROOT)
               else path)


def _suite_check(suite: SuiteSpec) -> AssetChecksDefinition:
    where = _relative(suite.path)
    description = (f"Great Expectations suite `{suite.name}` ({where}): "
                   f"{suite.n_expectations} expectations. {suite.description}")

    @asset_check(
        asset=AssetKey(list(suite.asset_key)),
        name=check_name(suite),
        description=description,
        blocking=suite.has_blocking,
        # Reads the working file, which a writer in another process would hold locked.
        pool=DUCKDB_POOL,
        metadata={"suite_file": where},
    )
    def _check(context: AssetCheckExecutionContext, duckdb: DuckDBResource) -> AssetCheckResult:
        result = run_suite(suite, duckdb)
        context.log.info(f"{check_name(suite)}: {result.description}")
        return result

    return _check


def build_asset_checks(suites: Sequence[SuiteSpec] | None = None,
                       directory: Path = EXPECTATIONS_DIR) -> list[AssetChecksDefinition]:
    """One asset check per suite (all suites in `directory` by default)."""
    suites = load_suites(directory) if suites is None else suites
    return [_suite_check(s) for s in suites]


ASSET_CHECKS: list[AssetChecksDefinition] = build_asset_checks()
