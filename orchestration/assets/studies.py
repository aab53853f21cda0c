"""Study layer: one asset group per study specification (models_py/studies/specs/*.yml).

For a spec `<study>` the factory makes, in group ``study_<study>``:

* an asset per table, key ``studies/<study>/<table>``, downstream of the dbt mart the spec
  reads: it checks the spec's columns against the mart, runs the table
  (`models_py.studies.runner.run_table`), writes ``reports/<study>/<table>.{md,tex,csv}``
  and figures, and replaces the table's rows in ``estimates.models`` /
  ``estimates.coefficients`` / ``estimates.tests``;
* one report asset, key ``studies/<study>/report``, downstream of the table assets:
  ``reports/<study>/<study>.xlsx`` and ``index.html`` (spec, provenance, tables, figures).

All of them are one multi-asset, so one step (``studies__<study>``) per study.

Whether the inputs are synthetic is decided per study from the landing files that feed
its mart (and, for long yearbook exports, only the files carrying the indicators the
study reads), so the study on the real provincial tables is not labelled synthetic
because the city demo data are.
"""

import importlib
import time
from collections.abc import Iterator
from concurrent.futures import Executor, Future
from dataclasses import dataclass, replace
from pathlib import Path

import pandas as pd
from dagster import (
    AssetExecutionContext,
    AssetKey,
    AssetsDefinition,
    AssetSpec,
    Failure,
    MaterializeResult,
    MetadataValue,
    multi_asset,
)
from dagster_duckdb import DuckDBResource

from models_py.output.study_outputs import TableFiles, write_study_report, write_table_outputs
from models_py.studies.spec import (
    SPATIAL_TABLE_TYPES,
    SpecError,
    StudySpec,
    assemble_panel,
    discover_specs,
    mart_columns,
    table_names,
    validate_columns,
)
from orchestration import paths
from orchestration.assets.estimation import (
    estimates_frames,
    inputs_fingerprint,
    store_estimates_frames,
    store_fingerprint,
    stored_fingerprint,
)
from orchestration.assets.raw import DUCKDB_POOL
from orchestration.assets.reports import (
    landing_kinds,
    mart_keys,
    source_note,
    study_provenance,
)
from orchestration.spatial import BOUNDARY_MODEL, boundaries_fingerprint, read_boundaries
from orchestration.workers import STUDY_IMPORTS, fork_pool

REPORT_TABLE = "report"  # key of the per-study report asset; no spec table may use it


def _entity_names(panel: pd.DataFrame, spec: StudySpec) -> dict:
    """Entity -> label for the figures: <x>_name_en beside <x>_code, else <x>_name when it
    is plain ASCII (the machines have no CJK font, so Chinese names would print as boxes),
    else nothing (the codes are shown)."""
    stem = spec.entity.removesuffix("_code")
    for column in (f"{stem}_name_en", f"{stem}_name"):
        if column == spec.entity or column not in panel:
            continue
        pairs = panel.drop_duplicates(spec.entity)[[spec.entity, column]].dropna()
        if pairs[column].astype(str).map(str.isascii).all():
            return dict(pairs.itertuples(index=False, name=None))
    return {}


def _key_metadata(key_numbers: dict[str, float], limit: int = 24) -> dict:
    out = {}
    for name, value in list(key_numbers.items())[:limit]:
        try:
            number = float(value)
        except (TypeError, ValueError):
            continue
        if number == number:  # NaN is not a valid metadata float
            out[name] = MetadataValue.float(number)
    return out


def read_panel(con, spec: StudySpec) -> pd.DataFrame:
    """The study's panel: every column of its panel mart (names for the figures come
    along), the joined marts' columns left-joined; the spec's columns are checked first.
    Raises `SpecError` naming the missing columns."""
    available: set[str] = set()
    for mart in spec.marts:
        available |= {r[0] for r in con.execute(
            "SELECT column_name FROM information_schema.columns WHERE table_schema = ? "
            "AND table_name = ?", mart.split(".", 1)).fetchall()}
    validate_columns(spec, available)
    needed = mart_columns(spec)
    frames = {}
    for mart in spec.marts:
        select = "*" if mart == spec.panel else ", ".join(sorted(needed[mart]))
        # A fixed row order makes the floating-point results reproducible bit for bit.
        frames[mart] = con.execute(
            f"SELECT {select} FROM {mart} ORDER BY {spec.entity}, {spec.time}").df()
    return assemble_panel(spec, frames)


def _table_spec(spec: StudySpec, name: str, deps: list[AssetKey]) -> AssetSpec:
    return AssetSpec(
        key=["studies", spec.id, name],
        group_name=f"study_{spec.id}",
        deps=deps,
        skippable=True,  # not materialized when it fails; the other tables still are
        description=f"{spec.title} — {spec.table(name).title} (table `{name}` of "
        f"models_py/studies/specs/{spec.id}.yml, on {' + '.join(spec.marts)}). Writes "
        f"reports/{spec.id}/{name}.md/.tex/.csv and its rows of estimates.models, "
        "estimates.coefficients and estimates.tests.",
    )


def _report_spec(spec: StudySpec, tables: list[str]) -> AssetSpec:
    return AssetSpec(
        key=["studies", spec.id, REPORT_TABLE],
        group_name=f"study_{spec.id}",
        deps=[AssetKey(["studies", spec.id, t]) for t in tables],
        skippable=True,
        description=f"{spec.title}: every table in one Excel workbook "
        f"(reports/{spec.id}/{spec.id}.xlsx, a sheet per table) and one self-contained HTML "
        f"report (reports/{spec.id}/index.html) with the spec, the data provenance and the "
        "figures; a SYNTHETIC DATA banner when any input is synthetic.",
    )


@dataclass(frozen=True)
class _Estimated:
    """What estimating a table hands back to the step (it crosses a process boundary:
    frames, paths and numbers only, no model objects)."""

    frames: dict[str, pd.DataFrame]
    written: TableFiles
    rows: int
    key_numbers: dict[str, float]
    seconds: float


def _estimate(spec: StudySpec, name: str, panel: pd.DataFrame, boundaries, out_dir: Path,
              note: str, synthetic: bool, names: dict) -> _Estimated:
    """Run one table of a study and write its outputs (in a worker process)."""
    # The runner loads every estimator (linearmodels, statsmodels, scipy): imported here, not
    # with the definitions, so a run starts without them; the dbt step imports them meanwhile
    # (workers.STUDY_IMPORTS), so a study step finds them loaded.
    from models_py.studies.runner import run_table

    started = time.perf_counter()
    table = run_table(spec, name, panel, boundaries)
    written = write_table_outputs(table, spec, out_dir, note, synthetic, names)
    return _Estimated(estimates_frames(table, synthetic), written, len(table.frame),
                      table.key_numbers, time.perf_counter() - started)


class _InThisProcess(Executor):
    """The executor for a single table: run at once, no worker process."""

    def submit(self, fn, /, *args, **kwargs) -> Future:
        future: Future = Future()
        try:
            future.set_result(fn(*args, **kwargs))
        except BaseException as exc:  # noqa: BLE001 - handed to whoever reads the future
            future.set_exception(exc)
        return future


def _workers(tables: int) -> Executor:
    """A worker process per core for a study's tables, which are independent (orchestration
    .workers), or this process."""
    pool = fork_pool(tables)
    if pool is None:
        return _InThisProcess()
    for name in STUDY_IMPORTS:  # before the fork (the dbt step began them: import_meanwhile)
        importlib.import_module(name)
    return pool


def _spatial(spec: StudySpec, name: str) -> bool:
    """Map and spatial_autocorrelation tables, which draw on marts.region_boundaries."""
    return spec.table(name).type in SPATIAL_TABLE_TYPES


def _unchanged_result(context: AssetExecutionContext, spec: StudySpec, name: str,
                      inputs: str) -> MaterializeResult:
    # Same panel, source note, spec and code as the estimates already stored: the
    # estimates, tables and figures of the last run stand.
    context.log.info(f"{spec.id}/{name}: inputs unchanged, not re-estimated")
    return MaterializeResult(asset_key=AssetKey(["studies", spec.id, name]), metadata={
        "reestimated": False,
        "reason": "panel, source note, spec and code unchanged since the last run",
        "inputs_fingerprint": inputs,
    })


def _estimated_result(con, spec: StudySpec, name: str, inputs: str, synthetic: bool,
                      estimated: _Estimated) -> MaterializeResult:
    counts = store_estimates_frames(con, spec.id, name, estimated.frames)
    # Recorded last: a run that dies before the estimates are stored re-estimates.
    store_fingerprint(con, spec.id, name, inputs)
    written = estimated.written
    return MaterializeResult(asset_key=AssetKey(["studies", spec.id, name]), metadata={
        "dagster/row_count": estimated.rows,
        "reestimated": True,
        "seconds": MetadataValue.float(round(estimated.seconds, 2)),
        "inputs_fingerprint": inputs,
        "table": MetadataValue.md(written.markdown),
        "synthetic_inputs": synthetic,
        "estimates_rows": MetadataValue.json(counts),
        **{f"{fmt}_path": MetadataValue.path(str(p)) for fmt, p in written.files.items()
           if fmt != "json"},
        **{f"figure_{p.stem}": MetadataValue.path(str(p)) for _, p in written.figures},
        **_key_metadata(estimated.key_numbers),
    })


def _report_result(spec: StudySpec, tables: list[str], files) -> MaterializeResult:
    _, synthetic = source_note(files)
    spec_text = Path(spec.path).read_text(encoding="utf-8") if spec.path else ""
    written = write_study_report(spec, tables, paths.reports_dir() / spec.id, files,
                                 synthetic, spec_text)
    return MaterializeResult(asset_key=AssetKey(["studies", spec.id, REPORT_TABLE]), metadata={
        "dagster/row_count": len(tables),
        "synthetic_inputs": synthetic,
        "landing_files": len(files),
        **{f"{fmt}_path": MetadataValue.path(str(p)) for fmt, p in written.items()},
    })


def _study_assets(spec: StudySpec, tables: list[str]) -> AssetsDefinition:
    """One step per study: its panel and provenance are read once for all its tables (a
    step per table cost some 0.2 s each in Dagster's bookkeeping alone, 45 of them in a
    build), and a table whose inputs did not change is not re-estimated. A table that fails
    does not stop the others; the step fails at the end, naming it, and the report waits."""
    marts = mart_keys(spec)
    kinds = landing_kinds(spec)
    specs = [_table_spec(spec, name, marts + _boundary_keys(spec, name)) for name in tables]

    @multi_asset(name=f"studies__{spec.id}", specs=[*specs, _report_spec(spec, tables)],
                 can_subset=True, pool=DUCKDB_POOL)
    def _study(context: AssetExecutionContext, duckdb: DuckDBResource) -> Iterator:
        selected = [name for name in tables
                    if AssetKey(["studies", spec.id, name]) in context.selected_asset_keys]
        failed: list[tuple[str, Exception]] = []
        with duckdb.get_connection() as con:
            files = study_provenance(con, spec, kinds)
            note, synthetic = source_note(files)
            if selected and synthetic != spec.synthetic_expected:
                context.log.warning(
                    f"{spec.id}: inputs are {'synthetic' if synthetic else 'real'} but the "
                    f"spec says synthetic_expected: {str(spec.synthetic_expected).lower()}")
            try:
                panel = read_panel(con, spec) if selected else None
            except Exception as exc:  # noqa: BLE001 - every table of the study fails with it
                panel, failed = None, [(name, exc) for name in selected]
                context.log.error(f"{spec.id}: the panel cannot be read: {exc}")
            out_dir = paths.reports_dir() / spec.id
            todo: dict[str, str] = {}  # table -> the fingerprint of its inputs
            for name in selected if panel is not None else []:
                inputs = inputs_fingerprint(spec, name, panel, note)
                if _spatial(spec, name):  # maps and Moran's I also change with the polygons
                    inputs = boundaries_fingerprint(con, inputs)
                if (stored_fingerprint(con, spec.id, name) == inputs
                        and (out_dir / f"{name}.json").exists()):
                    yield _unchanged_result(context, spec, name, inputs)
                else:
                    todo[name] = inputs
            if todo:
                boundaries = (read_boundaries(con) if any(_spatial(spec, n) for n in todo)
                              else None)
                names = _entity_names(panel, spec)
                with _workers(len(todo)) as pool:
                    futures = {name: pool.submit(
                        _estimate, spec, name, panel.copy(),
                        boundaries if _spatial(spec, name) else None,
                        out_dir, note, synthetic, names) for name in todo}
                    for name, future in futures.items():
                        try:
                            yield _estimated_result(con, spec, name, todo[name], synthetic,
                                                    future.result())
                        except SpecError as exc:
                            context.log.error(f"{spec.id}/{name} failed: {exc}")
                            failed.append((name, Failure(
                                description=f"study {spec.id}, table {name}: {exc}")))
                        except Exception as exc:  # noqa: BLE001 - reported below, the others go on
                            context.log.error(f"{spec.id}/{name} failed: {exc}")
                            failed.append((name, exc))
        if failed:
            names = ", ".join(name for name, _ in failed)
            raise Failure(description=f"study {spec.id}: table(s) {names} failed; "
                          f"first: {failed[0][1]}") from failed[0][1]
        if AssetKey(["studies", spec.id, REPORT_TABLE]) in context.selected_asset_keys:
            yield _report_result(spec, tables, files)

    return _study


def _boundary_keys(spec: StudySpec, name: str) -> list[AssetKey]:
    """The dbt asset of marts.region_boundaries for a table that draws on it."""
    if spec.table(name).type not in SPATIAL_TABLE_TYPES:
        return []
    return mart_keys(replace(spec, panel=BOUNDARY_MODEL, joins=()))


def build_study_assets(specs: list[StudySpec] | None = None) -> list[AssetsDefinition]:
    """A table asset for every table of every spec (default: the shipped specs) and a report
    asset per spec, one multi-asset per study."""
    out: list[AssetsDefinition] = []
    for spec in discover_specs() if specs is None else specs:
        tables = table_names(spec)
        if REPORT_TABLE in tables:
            raise SpecError(f"{spec.path}: tables.{REPORT_TABLE}: the id '{REPORT_TABLE}' is "
                            "reserved for the study's report")
        out.append(_study_assets(spec, tables))
    return out


STUDY_ASSETS = build_study_assets()
STUDY_ASSET_KEYS = sorted((key for a in STUDY_ASSETS for key in a.keys),
                          key=lambda k: k.to_user_string())
