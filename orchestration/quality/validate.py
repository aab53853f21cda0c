"""Run a suite against a DuckDB connection with an ephemeral Great Expectations context.

Each batch's SQL is run on the connection, the result is handed to GX as a pandas dataframe
batch, and every expectation's result is reduced to an `ExpectationOutcome`: passed or not,
blocking or warning, the unexpected count and a sample of the failing rows (the batch's
`index_columns`, e.g. city_code and year, plus the offending value).

Great Expectations is imported here only inside functions (`import_gx`): the import costs
seconds and must not be paid when Dagster loads the definitions.
"""

from __future__ import annotations

import json
import math
import os
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb

from orchestration.quality.suites import BatchSpec, ExpectationSpec, SuiteSpec, to_gx_suite

SAMPLE_ROWS = 20  # failing rows kept per expectation (GX's partial_unexpected_count)
DATASOURCE = "warehouse"


def import_gx():
    """great_expectations, with usage statistics off (no network calls from a build), and
    without its Spark support: GX imports pyspark whenever it is installed (it is, for the
    Spark target), which cost about 1.3 s here and printed pyspark's warning about pandas 3
    into every build log. The suites run on pandas batches only."""
    os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")
    if "great_expectations" in sys.modules or "pyspark" in sys.modules:
        import great_expectations as gx

        return gx
    # A None entry makes `import pyspark` raise ImportError, which GX takes for "not
    # installed"; removed again at once, so the process can still import pyspark later.
    blocked = ("pyspark", "pyspark.sql", "pyspark.ml", "pyspark.ml.feature")
    sys.modules.update(dict.fromkeys(blocked))
    try:
        import great_expectations as gx
    finally:
        for name in blocked:
            sys.modules.pop(name, None)
    return gx


def ephemeral_context(docs_dir: Path | None = None):
    """An in-memory GX context: no great_expectations/ project folder, nothing written,
    no progress bars in build logs; with `docs_dir`, one local Data Docs site there."""
    import_gx()
    import great_expectations as gx
    from great_expectations.data_context.types.base import (
        DataContextConfig,
        InMemoryStoreBackendDefaults,
        ProgressBarsConfig,
    )

    sites = {}
    if docs_dir is not None:
        sites["local_site"] = {
            "class_name": "SiteBuilder",
            "show_how_to_buttons": False,
            "store_backend": {"class_name": "TupleFilesystemStoreBackend",
                              "base_directory": str(Path(docs_dir).resolve())},
            "site_index_builder": {"class_name": "DefaultSiteIndexBuilder"},
        }
    config = DataContextConfig(
        store_backend_defaults=InMemoryStoreBackendDefaults(init_temp_docs_sites=False),
        data_docs_sites=sites,
        analytics_enabled=False,
        progress_bars=ProgressBarsConfig(globally=False),
    )
    return gx.get_context(mode="ephemeral", project_config=config)


@dataclass
class ExpectationOutcome:
    label: str
    batch: str
    type: str
    columns: list[str]
    blocking: bool
    success: bool
    skipped: str = ""  # why the expectation was not evaluated (then success is True)
    element_count: int | None = None
    unexpected_count: int | None = None
    unexpected_percent: float | None = None
    observed_value: Any = None
    failing_rows: list[dict] = field(default_factory=list)
    error: str = ""
    notes: str = ""

    @property
    def failed(self) -> bool:
        return not self.success and not self.skipped


@dataclass
class BatchOutcome:
    name: str
    rows: int | None
    error: str = ""


@dataclass
class SuiteOutcome:
    suite: SuiteSpec
    expectations: list[ExpectationOutcome]
    batches: list[BatchOutcome]
    previous_build: dict[str, float] = field(default_factory=dict)

    @property
    def failed_blocking(self) -> list[ExpectationOutcome]:
        return [e for e in self.expectations if e.failed and e.blocking]

    @property
    def failed_warning(self) -> list[ExpectationOutcome]:
        return [e for e in self.expectations if e.failed and not e.blocking]

    @property
    def skipped(self) -> list[ExpectationOutcome]:
        return [e for e in self.expectations if e.skipped]

    @property
    def passed(self) -> bool:
        return not self.failed_blocking and not self.failed_warning

    @property
    def severity(self) -> str:
        """ERROR when a blocking expectation failed, else WARN (meaningful only if failed)."""
        return "ERROR" if self.failed_blocking else "WARN"


def previous_build_parameters(
    suite: SuiteSpec, previous_db: Path | None
) -> tuple[dict[str, float], dict[str, str]]:
    """Evaluate the suite's `previous_build` queries on the previous published warehouse,
    opened read-only. Returns (values, reason why each missing one is missing): a first
    build, a table the previous build did not have, or a file another process holds."""
    if not suite.previous_build:
        return {}, {}
    if previous_db is None or not Path(previous_db).exists():
        return {}, {n: "no previous published build" for n in suite.previous_build}
    values: dict[str, float] = {}
    missing: dict[str, str] = {}
    try:
        con = duckdb.connect(str(previous_db), read_only=True)
    except duckdb.Error as exc:
        return {}, {n: f"previous build not readable: {exc}" for n in suite.previous_build}
    with con:
        for name, sql in suite.previous_build.items():
            try:
                row = con.execute(sql).fetchone()
            except duckdb.Error as exc:
                missing[name] = f"previous build: {str(exc).splitlines()[0]}"
                continue
            if row is None or row[0] is None:
                missing[name] = "previous build: query returned no value"
            else:
                values[name] = float(row[0])
    return values, missing


def _jsonable(value: Any) -> Any:
    """Result values as plain JSON (numpy scalars, timestamps and NaN from pandas)."""
    def default(obj: Any) -> Any:
        if hasattr(obj, "item"):
            return obj.item()
        return str(obj)

    def clean(obj: Any) -> Any:
        if isinstance(obj, float) and not math.isfinite(obj):
            return None
        if isinstance(obj, dict):
            return {str(k): clean(v) for k, v in obj.items()}
        if isinstance(obj, list):
            return [clean(v) for v in obj]
        return obj

    return clean(json.loads(json.dumps(value, default=default)))


def _failing_rows(result: dict, spec: ExpectationSpec) -> list[dict]:
    """The failing rows GX reports: index columns plus the offending value where it gives
    them, else the unexpected values (or value counts) alone."""
    if result.get("partial_unexpected_index_list"):
        rows = result["partial_unexpected_index_list"]
    elif result.get("partial_unexpected_list"):
        rows = result["partial_unexpected_list"]
        if rows and not isinstance(rows[0], dict):
            key = spec.columns[0] if len(spec.columns) == 1 else "value"
            rows = [{key: v} for v in rows]
    elif result.get("details", {}).get("mismatched"):
        # e.g. table columns: {"missing": [...], "unexpected": [...]}
        mismatched = result["details"]["mismatched"]
        rows = [mismatched] if isinstance(mismatched, dict) else mismatched
    else:
        return []
    return _jsonable(list(rows)[:SAMPLE_ROWS])


def _exception_message(info: Any) -> str:
    """GX's exception_info is either one {raised_exception, exception_message} dict or, when
    a metric failed (e.g. a missing column), such dicts keyed by metric id."""
    if not isinstance(info, dict):
        return ""
    if "raised_exception" in info:
        return str(info.get("exception_message") or "error") if info["raised_exception"] else ""
    messages = {_exception_message(v) for v in info.values()} - {""}
    return "; ".join(sorted(messages))


def _outcome(spec: ExpectationSpec, batch: BatchSpec, position: int, result=None,
             error: str = "", skipped: str = "") -> ExpectationOutcome:
    base = dict(label=spec.label(batch.name, position), batch=batch.name, type=spec.type,
                columns=spec.columns, blocking=spec.blocking, notes=spec.notes)
    if skipped:
        return ExpectationOutcome(**base, success=True, skipped=skipped)
    if result is None:
        return ExpectationOutcome(**base, success=False, error=error)
    raised = _exception_message(result.exception_info)
    payload = dict(result.result or {})
    return ExpectationOutcome(
        **base,
        success=bool(result.success) and not raised,
        element_count=payload.get("element_count"),
        unexpected_count=payload.get("unexpected_count"),
        unexpected_percent=_jsonable(payload.get("unexpected_percent")),
        observed_value=_jsonable(payload.get("observed_value")),
        failing_rows=[] if result.success else _failing_rows(payload, spec),
        error=raised,
    )


def _result_format(batch: BatchSpec) -> dict:
    fmt: dict[str, Any] = {"result_format": "SUMMARY", "partial_unexpected_count": SAMPLE_ROWS,
                           "return_unexpected_index_query": False}
    if batch.index_columns:
        fmt["unexpected_index_column_names"] = list(batch.index_columns)
    return fmt


def fetch_batches(suite: SuiteSpec, con: duckdb.DuckDBPyConnection
                  ) -> list[tuple[BatchSpec, Any, str]]:
    """Each batch's rows as an Arrow table (batch, rows, ""), or (batch, None, why) when its
    query failed. Arrow, not a dataframe: quicker to fetch and to hand to the GX worker (the
    89,000 rows of the raw city yearbook values: 0.05 s and 30 MB instead of 0.45 s and 35 MB
    of pickled objects); validate_batches makes of it the dataframe a plain fetch gives."""
    fetched: list[tuple[BatchSpec, Any, str]] = []
    for batch in suite.batches:
        try:
            fetched.append((batch, con.sql(batch.sql).to_arrow_table(), ""))
        except duckdb.Error as exc:
            fetched.append((batch, None, f"query of batch {batch.name!r} failed: "
                                         f"{str(exc).splitlines()[0]}"))
    return fetched


def validate_suite(
    suite: SuiteSpec,
    con: duckdb.DuckDBPyConnection,
    previous_db: Path | None = None,
    context=None,
) -> SuiteOutcome:
    """Validate every batch of `suite` on `con`. A batch whose query fails fails all its
    expectations (with the error); expectations needing a previous-build value that is not
    available are skipped with the reason. Pass a `context` (see `ephemeral_context`) to
    keep the results in it, e.g. for Data Docs; by default a fresh one is used."""
    parameters, unavailable = previous_build_parameters(suite, previous_db)
    return validate_batches(suite, fetch_batches(suite, con), parameters, unavailable, context)


def validate_batches(
    suite: SuiteSpec,
    fetched: list[tuple[BatchSpec, Any, str]],
    parameters: dict[str, float],
    unavailable: dict[str, str],
    context=None,
) -> SuiteOutcome:
    """The Great Expectations half of `validate_suite`: the batches' rows (fetch_batches)
    and the previous build's values (previous_build_parameters) in, the outcome out. It
    touches no database, so it can run in another process (orchestration.quality.worker)."""
    gx = import_gx()
    context = context if context is not None else ephemeral_context()
    try:
        datasource = context.data_sources.get(DATASOURCE)
    except (KeyError, ValueError, LookupError):
        datasource = context.data_sources.add_pandas(DATASOURCE)

    outcomes: list[ExpectationOutcome] = []
    batches: list[BatchOutcome] = []
    # The batches' rows become the dataframes con.execute(sql).df() gives, made by a DuckDB of
    # this call's own (in the GX worker, never one a parent process created before the fork).
    converter = duckdb.connect()
    for batch, rows, message in fetched:
        skip = {i: "; ".join(sorted({unavailable[p] for p in spec.parameters
                                     if p in unavailable}))
                for i, spec in enumerate(batch.expectations, start=1)
                if spec.parameters & set(unavailable)}
        if rows is None:
            batches.append(BatchOutcome(batch.name, None, message))
            outcomes += [_outcome(s, batch, i, error=message)
                         for i, s in enumerate(batch.expectations, start=1)]
            continue
        frame = converter.from_arrow(rows).df()
        batches.append(BatchOutcome(batch.name, len(frame)))
        results: dict[int, Any] = {}
        error = ""
        if len(skip) < len(batch.expectations):
            name = f"{suite.name}.{batch.name}"
            try:
                asset = datasource.add_dataframe_asset(name)
                definition = asset.add_batch_definition_whole_dataframe("all_rows")
                gx_suite = context.suites.add(to_gx_suite(suite, batch, set(skip)))
                validation = context.validation_definitions.add(
                    gx.ValidationDefinition(name=name, data=definition, suite=gx_suite))
                run = validation.run(
                    batch_parameters={"dataframe": frame},
                    expectation_parameters=parameters,
                    result_format=_result_format(batch),
                )
                results = {r.expectation_config.meta["position"]: r for r in run.results}
            except Exception as exc:  # noqa: BLE001 - a GX failure must fail the check, not hide
                error = f"Great Expectations could not validate batch {batch.name!r}: {exc}"
        for position, spec in enumerate(batch.expectations, start=1):
            if position in skip:
                outcomes.append(_outcome(spec, batch, position, skipped=skip[position]))
            else:
                outcomes.append(_outcome(spec, batch, position, results.get(position),
                                         error=error or "no result from Great Expectations"))
    converter.close()
    return SuiteOutcome(suite=suite, expectations=outcomes, batches=batches,
                        previous_build=parameters)
