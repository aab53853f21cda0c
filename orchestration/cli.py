"""`dri`: build the warehouse, browse it in the Dagster UI, query it with SQL.

Heavy imports (Dagster, dbt, pandas) happen inside the commands that need them, so
`dri --help` and `dri sql` start fast.
"""

from __future__ import annotations

import contextlib
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import typer
from rich.console import Console
from rich.table import Table

from orchestration import paths

# Before numpy loads: OpenBLAS threads make the many small least-squares solves of the
# estimation layer several times slower on small machines.
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")

app = typer.Typer(
    help="DRI Warehouse: yearbooks and patents in; panels, indices and econometric tables out.",
    no_args_is_help=True,
    add_completion=False,
)
# Width of lines and tables when the output is not a terminal (a log file, a pipe): wide
# enough that no table column is cut; a terminal keeps its own width.
PLAIN_WIDTH = 200


def make_console(stream=None, **options) -> Console:
    """A rich Console on `stream` (default stdout), bound to it now (the dbt step redirects
    sys.stdout to its log file; progress lines must still reach the user). A terminal gets
    colour; anything else (a file, a pipe, CI) plain text: no ANSI escape codes, lines as
    long as they are, tables as wide as their columns."""
    stream = sys.stdout if stream is None else stream
    isatty = getattr(stream, "isatty", None)
    if isatty is not None and isatty():
        return Console(file=stream, **options)
    options.setdefault("soft_wrap", True)
    return Console(file=stream, force_terminal=False, no_color=True, color_system=None,
                   width=PLAIN_WIDTH, **options)


console = make_console()
err = make_console(sys.stderr, soft_wrap=True)  # one message, one line, however long


def _use_dagster_home() -> Path:
    from orchestration.run_history import use_dagster_home

    return use_dagster_home()


@app.command("demo-data")
def demo_data(
    seed: int = typer.Option(20240601, help="Random seed; the same seed writes the same files."),
    cities: int = typer.Option(198, help="Number of prefecture-level cities (1-333)."),
    scale: float = typer.Option(
        1.0, help="Multiplier on the number of patent records. From 20 on, the patents are "
        "a national-size SYNTHETIC Parquet extract of scale x 250,000 patents over all 337 "
        "cities (200 = 50 million), with its own DGP (demo_patents_scale.py)."),
    force: bool = typer.Option(False, help="Write even if the landing zone already has files."),
) -> None:
    """Write SYNTHETIC demo yearbooks and a patent extract into the landing zone, with the
    bundled REAL provincial science-and-technology tables. With --scale 20 or more the
    patent extract is written as Parquet parts (1,000,000 patents each) instead of one CSV."""
    from orchestration.demo import city as demo
    from orchestration.ingest.landing import discover

    landing = paths.landing_dir()
    if discover(landing) and not force:
        err.print(f"[red]landing zone {landing} is not empty[/]; use --force to add demo files")
        raise typer.Exit(2)
    _write_demo(demo, landing, seed, cities, scale)


def _write_demo(demo, landing: Path, seed: int, cities: int, scale: float) -> None:
    from orchestration.demo import patents_scale as national
    from orchestration.demo import write_demo_data

    console.print(f"[bold]Writing synthetic demo data[/] (seed {seed}, {cities} cities, "
                  f"scale {scale}) to {landing}")
    large = scale >= national.SCALE_THRESHOLD
    files = write_demo_data(
        landing, paths.demo_truth_path(), seed=seed, n_cities=cities,
        scale=1.0 if large else scale, progress=lambda msg: console.print(f"  {msg}"),
    )
    console.print(f"  {files.n_city_years:,} city-years, {files.n_patents:,} patents; "
                  f"true values in {files.truth}")
    if large:
        # The national-size extract replaces the small one (same application-number
        # scheme, so both together would collide).
        files.patents.unlink()
        files.patents.with_name(files.patents.name + ".meta.yml").unlink(missing_ok=True)
        n_patents = round(scale * national.PATENTS_PER_SCALE)
        console.print(f"  [bold]national-size SYNTHETIC patent extract[/]: {n_patents:,} "
                      "patents as Parquet parts (own DGP, all cities; demo_truth.csv does "
                      "not describe it)")
        written = national.write_scale_patents(
            landing / "patents" / "national_scale", n_patents, seed=seed,
            progress=lambda msg: console.print(f"  {msg}"),
        )
        console.print(f"  {written.n_patents:,} patents, {written.n_codes:,} IPC codes in "
                      f"{len(written.parts)} parts, {written.seconds:,.0f} s")
    from orchestration.ingest.bundled import copy_bundled

    real = [p for p in copy_bundled(landing) if not p.name.endswith(".meta.yml")]
    console.print(f"  plus {len(real)} REAL provincial science-and-technology tables "
                  "(bundled long exports)")


@app.command()
def build(
    demo_cities: int = typer.Option(198, help="Cities in the demo data if the landing is empty."),
    demo_scale: float = typer.Option(1.0, help="Patent volume of the demo data if written."),
    force: bool = typer.Option(False, "--force", help="Rebuild even if nothing changed."),
    verbose: bool = typer.Option(False, "--verbose", "-v", help="Also print dbt's own lines "
                                 "(one per model, seed and test); they always go to "
                                 "warehouse/work/dbt_run/dbt_output.log."),
) -> None:
    """Materialize everything in-process: landing -> raw -> dbt -> estimates -> reports,
    then publish warehouse/dri.duckdb atomically if every step and blocking check passed.
    When neither the landing files nor the code changed since the published build, nothing
    is rebuilt ("up to date")."""
    started = time.monotonic()
    _start_gx_worker()
    from orchestration import fingerprint
    from orchestration.demo import city as demo
    from orchestration.ingest.landing import discover

    landing = paths.landing_dir()
    if not discover(landing):
        # Three jobs at once on a first build: the demo data is written by a `dri demo-data`
        # process, `dbt parse` (8 s on a new checkout) runs in another, and this one imports
        # what the run needs meanwhile (about 10 s side by side, 20 one after the other).
        with _parse_meanwhile() as parsed:
            writer = subprocess.Popen([
                sys.executable, "-m", "orchestration.cli", "demo-data",
                "--seed", str(demo.DEFAULT_SEED), "--cities", str(demo_cities),
                "--scale", str(demo_scale)])
            try:
                _import_run_modules()
            finally:
                returncode = writer.wait()
            if returncode != 0:
                err.print(f"[red]writing the demo data failed[/] (exit {returncode})")
                raise typer.Exit(returncode)
        parsed.result()
    state = fingerprint.build_state()
    if not force and fingerprint.published_fingerprint() == fingerprint.digest(state):
        console.print(f"up to date: {paths.published_db_path()} was built from these landing "
                      "files and this code; nothing to do (`dri build --force` rebuilds)")
        return
    _run_job(_job_for(state, force), started, verbose=verbose)


def _start_gx_worker() -> None:
    """Great Expectations imported in a forked worker while this process goes on (it must
    fork before any thread starts; orchestration.quality.worker)."""
    from orchestration.quality import worker

    worker.start()


def _import_run_modules() -> None:
    """Import the libraries a run needs that do not read the dbt manifest (Dagster,
    dagster-dbt, the ingest readers, the estimators and figures): some 3.5 s of a build's
    start, spent while other processes work."""
    import dagster  # noqa: F401
    import dagster_dbt  # noqa: F401
    import dagster_duckdb  # noqa: F401

    import models_py.output.study_outputs  # noqa: F401
    import models_py.studies.runner  # noqa: F401
    import orchestration.assets.raw  # noqa: F401
    import orchestration.run_history  # noqa: F401
    import orchestration.spatial  # noqa: F401


@contextlib.contextmanager
def _parse_meanwhile():
    """dbt_project.prepare_manifest in a thread while the block runs; the block gets the
    future (its result() raises what the parse raised)."""
    from concurrent.futures import ThreadPoolExecutor

    from orchestration.dbt_project import prepare_manifest

    with ThreadPoolExecutor(max_workers=1) as pool:
        yield pool.submit(prepare_manifest)


@app.command()
def ingest(
    files: list[Path] = typer.Argument(..., help="Yearbook tables, long exports or patent "
                                       "extracts (.xlsx, .xls, .csv, .parquet)."),
    kind: str = typer.Option(None, help="city_yearbook, yearbook_long or patents (guessed "
                             "from the content when omitted)."),
    refresh: bool = typer.Option(True, help="Run the refresh after copying the files."),
    verbose: bool = typer.Option(False, "--verbose", "-v",
                                 help="Also print dbt's own lines during the refresh."),
) -> None:
    """Check files, put them into the landing zone and refresh what depends on them.

    Every file is read first and its account printed: values that would land, quarantined by
    reason, cells skipped as titles, headers or notes. If any file cannot be read or would
    land nothing, nothing is copied. If the refresh fails (a blocking check on the new values),
    the new files are moved to landing/failed/ with the reason and the published warehouse
    stays as it was."""
    import shutil

    if refresh:
        _start_gx_worker()
    from orchestration.ingest.inspect import check
    from orchestration.ingest.landing import SIDECAR_SUFFIX
    from orchestration.ingest.reading_cache import ReadingCache

    # The readings land in the cache the refresh reads from: each file is read once.
    cache = ReadingCache(paths.readings_dir())
    accepted: list[tuple[Path, str]] = []
    failed = False
    for path in files:
        checked = check(path, kind, read=cache.read)
        lines = checked.report.lines()
        if checked.report.error:
            err.print(f"[red]rejected[/] {checked.report.error}")
            failed = True
            continue
        if checked.lands_nothing:
            err.print(f"[red]rejected[/] {path}: no value would land (`dri inspect {path}` "
                      "shows why)")
            err.print("\n".join(lines[1:]), markup=False)
            failed = True
            continue
        console.print(f"ok {lines[0]}", markup=False)
        console.print("\n".join(lines[1:]), markup=False)
        accepted.append((path, checked.kind))
    if failed:
        err.print("nothing was copied: fix or remove the rejected files and run again")
        raise typer.Exit(2)
    copied = []
    for path, file_kind in accepted:
        target = paths.landing_dir() / file_kind / path.name
        target.parent.mkdir(parents=True, exist_ok=True)
        # copyfile, not copy2: the landed copy is dated now, since the newest file of the
        # landing zone takes precedence (landing.newest_first) and a corrected file saved
        # before the files it corrects were landed must still supersede them.
        shutil.copyfile(path, target)
        meta = path.with_name(path.name + SIDECAR_SUFFIX)
        if meta.exists():
            shutil.copyfile(meta, target.with_name(target.name + SIDECAR_SUFFIX))
        copied.append(target)
        console.print(f"copied to {target}")
    if refresh:
        from orchestration import fingerprint

        _run_job(_job_for(fingerprint.build_state()), new_files=copied, verbose=verbose)


@app.command()
def inspect(
    files: list[Path] = typer.Argument(..., help="Files to look at (nothing is copied)."),
    kind: str = typer.Option(None, help="city_yearbook, yearbook_long or patents (guessed "
                             "from the content when omitted)."),
) -> None:
    """Show how each file would be read, changing nothing: the shape detected, the header
    block, the indicator, unit, scope and year of every column, the region matches, and what
    would be quarantined and why. Exits 2 when a file cannot be read or would land nothing."""
    from orchestration.ingest.inspect import check, describe

    status = 0
    for path in files:
        checked = check(path, kind)
        for line in describe(checked):
            console.print(line, highlight=False)
        if checked.report.error or checked.lands_nothing:
            status = 2
    raise typer.Exit(status)


def _job_for(state: dict, force: bool = False) -> str:
    """The refresh job of the one landing kind that changed since the published build, when
    that gives what a full build would (fingerprint.refresh_kinds); otherwise build_all.
    The state goes to the publish step, which records it with the warehouse."""
    from orchestration import fingerprint
    from orchestration.automation import BUILD_JOB, refresh_jobs

    os.environ[fingerprint.ENV_VAR] = json.dumps(state, sort_keys=True)
    kinds = None if force else fingerprint.refresh_kinds(state)
    if kinds is not None and len(kinds) == 1 and (kind := kinds.pop()) in refresh_jobs:
        console.print(f"only the {kind} landing files changed since the published build: "
                      f"refreshing them and what depends on them")
        return refresh_jobs[kind].name
    return BUILD_JOB


def _run_job(job_name: str, started: float | None = None,
             new_files: list[Path] | None = None, verbose: bool = False) -> None:
    started = started if started is not None else time.monotonic()
    # dbt's lines (a few per model, seed and test) to the log file only, unless --verbose.
    os.environ[paths.DBT_OUTPUT_ENV] = "console" if verbose else "file"
    from orchestration.dbt_project import prepare_manifest

    prepare_manifest()
    _use_dagster_home()
    from dagster import DagsterInstance

    from orchestration.build import run_build

    with DagsterInstance.get() as instance:
        summary = run_build(instance, console, job_name, dbt_log=paths.dbt_output_log())
    summary.print(console, elapsed=time.monotonic() - started)
    if not summary.success:
        _set_aside_after_failure(summary, new_files)
        raise typer.Exit(1)


def _set_aside_after_failure(summary, new_files: list[Path] | None) -> None:
    """After a failed refresh, move the files that started it out of the live landing zone
    (orchestration.recovery); the published warehouse was not replaced."""
    from orchestration.recovery import set_aside_new_files

    reason = "refresh failed; the published warehouse was left as it was\n" + "\n".join(
        summary.failure_lines())
    for relpath, moved in set_aside_new_files(reason, new_files):
        err.print(f"[yellow]moved[/] {relpath} to {moved} (reason in "
                  f"{moved.name}.reason.txt); `dri build` now runs without it")


@app.command()
def sql(
    query: str = typer.Argument(None, help="A SQL query, e.g. \"SELECT * FROM marts.city_panel\""),
    file: Path = typer.Option(None, "--file", "-f", help="Read the query from a .sql file."),
    csv: bool = typer.Option(False, "--csv", help="Print CSV instead of a table."),
    limit: int = typer.Option(50, help="Rows shown in table mode (CSV prints all)."),
) -> None:
    """Run a read-only query on the published warehouse."""
    import duckdb

    if (query is None) == (file is None):
        err.print("[red]give a query or --file, not both[/]")
        raise typer.Exit(2)
    if file is not None:
        query = file.read_text(encoding="utf-8")
    db = paths.published_db_path()
    if not db.exists():
        err.print(f"[red]no published warehouse at {db}[/]: run `dri build` first")
        raise typer.Exit(2)
    try:
        with duckdb.connect(str(db), read_only=True) as con:
            _attach_spark_output(con)
            cursor = con.execute(query)
            columns = [d[0] for d in cursor.description or []]
            rows = cursor.fetchall()
    except duckdb.Error as exc:
        err.print(f"[red]query failed:[/] {exc}")
        raise typer.Exit(1) from exc
    if csv:
        import csv as csv_lib

        writer = csv_lib.writer(sys.stdout)
        writer.writerow(columns)
        writer.writerows(rows)
        return
    table = Table(*columns, caption=f"{len(rows):,} rows" + (
        f" (first {limit} shown)" if len(rows) > limit else ""))
    for row in rows[:limit]:
        table.add_row(*["NULL" if v is None else str(v) for v in row])
    console.print(table)


def _attach_spark_output(con) -> None:
    """The Parquet tables of the last `dri spark build`, if any, as catalog `spark`
    (spark.dri_index, spark.intermediate.int_city_patent_counts): views only, nothing read."""
    from orchestration.spark import spark_views_sql

    for statement in spark_views_sql():
        con.execute(statement)


EXPORT_FORMATS = ("csv", "parquet", "xlsx", "dta")
EXCEL_MAX_ROWS = 1_048_575  # one row for the header


@app.command()
def export(
    table: str = typer.Argument(..., help="schema.table of the published warehouse, e.g. "
                                "marts.city_panel or estimates.coefficients."),
    fmt: str = typer.Option("csv", "--format", help="csv, parquet, xlsx or dta (Stata)."),
    out: Path = typer.Option(None, "--out", "-o",
                             help="Output file (default: ./<schema>.<table>.<format>)."),
) -> None:
    """Write one table of the published warehouse to a file (Stata .dta with labels)."""
    import duckdb

    fmt = fmt.lower()
    if fmt not in EXPORT_FORMATS:
        err.print(f"[red]unknown format {fmt!r}[/]: choose one of {', '.join(EXPORT_FORMATS)}")
        raise typer.Exit(2)
    db = paths.published_db_path()
    if not db.exists():
        err.print(f"[red]no published warehouse at {db}[/]: run `dri build` first")
        raise typer.Exit(2)
    with duckdb.connect(str(db), read_only=True) as con:
        schema, name = _resolve_table(con, table)
        target = (out or Path(f"{schema}.{name}.{fmt}")).resolve()
        target.parent.mkdir(parents=True, exist_ok=True)
        # Written beside the target and renamed at the end: a failed export leaves no file.
        tmp = target.with_name(f".{target.name}.{os.getpid()}.tmp")
        try:
            rows = _write_export(con, schema, name, fmt, tmp)
            os.replace(tmp, target)
        except Exception as exc:
            tmp.unlink(missing_ok=True)
            if isinstance(exc, typer.Exit):
                raise
            err.print(f"[red]export failed:[/] {exc}")
            raise typer.Exit(1) from exc
        synthetic = _warehouse_is_synthetic(con)
    console.print(f"{rows:,} rows of {schema}.{name} -> {target}")
    if synthetic:
        console.print("[yellow]note:[/] the warehouse was built with SYNTHETIC demo inputs "
                      "(raw.landing_files.synthetic)")


def _resolve_table(con, table: str) -> tuple[str, str]:
    """(schema, table) as stored; an unknown name exits 2 listing the closest names."""
    import difflib

    known = con.execute(
        "SELECT table_schema, table_name FROM information_schema.tables "
        "WHERE table_schema NOT IN ('information_schema', 'pg_catalog') "
        "ORDER BY table_schema, table_name").fetchall()
    wanted = table.strip().lower()
    exact = [(s, t) for s, t in known if f"{s}.{t}".lower() == wanted]
    if not exact and "." not in wanted:
        exact = [(s, t) for s, t in known if t.lower() == wanted]
    if len(exact) == 1:
        return exact[0]
    names = [f"{s}.{t}" for s, t in known]
    if exact:
        err.print(f"[red]{table!r} is ambiguous[/]: give one of "
                  f"{', '.join(f'{s}.{t}' for s, t in exact)}")
        raise typer.Exit(2)
    by_lower = {n.lower(): n for n in names}
    close = difflib.get_close_matches(wanted, list(by_lower), n=5, cutoff=0.5)
    close += [n for n in by_lower if wanted and wanted in n and n not in close]
    close = [by_lower[n] for n in close]
    hint = f"; did you mean {', '.join(close[:5])}?" if close else ""
    err.print(f"[red]unknown table {table!r}[/] in {paths.published_db_path()}{hint} "
              "(`dri sql \"SHOW ALL TABLES\"` lists them)")
    raise typer.Exit(2)


def _write_export(con, schema: str, name: str, fmt: str, path: Path) -> int:
    relation = f'"{schema}"."{name}"'
    if fmt in ("csv", "parquet"):
        options = "FORMAT csv, HEADER" if fmt == "csv" else "FORMAT parquet"
        literal = str(path).replace("'", "''")
        con.execute(f"COPY (SELECT * FROM {relation}) TO '{literal}' ({options})")
        return con.execute(f"SELECT count(*) FROM {relation}").fetchone()[0]
    frame = con.execute(f"SELECT * FROM {relation}").df()
    if fmt == "xlsx":
        if len(frame) > EXCEL_MAX_ROWS:
            err.print(f"[red]{schema}.{name} has {len(frame):,} rows[/], more than an Excel "
                      "sheet holds: export csv or parquet")
            raise typer.Exit(2)
        for column in frame.columns:  # Excel cannot store time zones
            if hasattr(frame[column], "dt") and getattr(frame[column].dt, "tz", None):
                frame[column] = frame[column].dt.tz_localize(None)
        frame.to_excel(path, index=False, sheet_name=name[:31], engine="openpyxl")
        return len(frame)
    from models_py.output.stata import dataset_label, write_dta

    # A table with a per-study `synthetic` column (the estimates schema, where the demo
    # studies and the real-data study sit side by side) names its SYNTHETIC studies;
    # any other table says SYNTHETIC when the warehouse's inputs are.
    synthetic_studies: list[str] = []
    real_studies: list[str] = []
    if {"study", "synthetic"} <= set(frame.columns) and len(frame):
        flags = frame.groupby("study")["synthetic"].agg(lambda s: bool(s.fillna(True).any()))
        synthetic_studies = sorted(str(s) for s, f in flags.items() if f)
        real_studies = sorted(str(s) for s, f in flags.items() if not f)
    label = dataset_label(f"{schema}.{name}", synthetic_studies, real_studies,
                          _warehouse_is_synthetic(con))
    # region codes numeric (text kept as <code>_str), rows by entity and time, plain labels
    write_dta(frame, path, _column_labels(schema, name), label)
    return len(frame)


def _warehouse_is_synthetic(con) -> bool:
    try:
        return bool(con.execute(
            "SELECT coalesce(bool_or(synthetic), false) FROM raw.landing_files "
            "WHERE status = 'current'").fetchone()[0])
    except Exception:  # a warehouse without raw.landing_files has no synthetic flag
        return False


def _column_labels(schema: str, name: str) -> dict[str, str]:
    """Column descriptions: the dbt YAML of a model or seed, or the estimates schema."""
    if schema == "estimates":
        from models_py.output.estimates_tables import COLUMNS

        return {c: text for c, (_, text) in COLUMNS.get(name, {}).items()}
    return _dbt_descriptions().get(name, {})


def _dbt_descriptions() -> dict[str, dict[str, str]]:
    """{model or seed: {column: description}} from dbt_project's YAML, with the
    {{ doc('...') }} blocks of its Markdown files filled in."""
    return _dbt_docs()[1]


def _dbt_docs() -> tuple[dict[str, str], dict[str, dict[str, str]]]:
    """({model or seed: description}, {model or seed: {column: description}}) from
    dbt_project's YAML, with the {{ doc('...') }} blocks of its Markdown files filled in
    (orchestration.comments, which also writes them into the published file)."""
    from orchestration.comments import dbt_catalog

    catalog = dbt_catalog()
    return ({name: " ".join(text.split()) for (_, name), text in catalog.tables.items()},
            {name: columns for (_, name), columns in catalog.columns.items()})


def _file_comments(con, schema: str | None = None) -> dict[tuple[str, str], str]:
    """{(schema, table): comment} of the tables and views in the file itself."""
    rows = con.execute(
        "SELECT schema_name, table_name, comment FROM duckdb_tables() UNION ALL "
        "SELECT schema_name, view_name, comment FROM duckdb_views() WHERE NOT internal"
    ).fetchall()
    return {(s, t): " ".join(c.split()) for s, t, c in rows
            if c and (schema is None or s == schema)}


@app.command("tables")
def list_tables(
    pattern: str = typer.Argument(None, help="Part of a name (panel) or a glob (marts.*)."),
) -> None:
    """List the published warehouse's tables and views, with rows and descriptions."""
    import fnmatch

    import duckdb

    db = _published_or_exit()
    descriptions = _dbt_docs()[0]
    with duckdb.connect(str(db), read_only=True) as con:
        comments = _file_comments(con)  # what SQL clients see; dbt's YAML for older files
        found = con.execute(
            "SELECT table_schema, table_name, table_type FROM information_schema.tables "
            "WHERE table_schema NOT IN ('information_schema', 'pg_catalog') ORDER BY 1, 2"
        ).fetchall()
        wanted = (pattern or "").lower()
        shown = [(s, t, kind) for s, t, kind in found if not wanted or (
            fnmatch.fnmatch(f"{s}.{t}".lower(), wanted) if any(ch in wanted for ch in "*?[")
            else wanted in f"{s}.{t}".lower())]
        table = Table("table", "kind", "rows", "description",
                      caption=f"{len(shown)} of {len(found)} in {db}")
        for schema, name, kind in shown:
            rows = con.execute(f'SELECT count(*) FROM "{schema}"."{name}"').fetchone()[0]
            table.add_row(f"{schema}.{name}", "view" if kind == "VIEW" else "table",
                          f"{rows:,}",
                          _short(comments.get((schema, name)) or descriptions.get(name, "")))
    console.print(table)
    if not shown:
        raise typer.Exit(1)


@app.command()
def describe(table: str = typer.Argument(..., help="schema.table, e.g. marts.city_panel.")
             ) -> None:
    """The columns of one published table: name, type and description."""
    import duckdb

    db = _published_or_exit()
    with duckdb.connect(str(db), read_only=True) as con:
        schema, name = _resolve_table(con, table)
        # The file's own comments (as SQL clients show them); dbt's YAML for older files.
        columns = con.execute(
            "SELECT column_name, data_type, comment FROM duckdb_columns() "
            "WHERE schema_name = ? AND table_name = ? ORDER BY column_index",
            [schema, name]).fetchall()
        described = _file_comments(con, schema).get((schema, name))
    labels = _column_labels(schema, name)
    described = described or _dbt_docs()[0].get(name)
    if described:
        console.print(f"{schema}.{name}: {described}", markup=False)
    out = Table("column", "type", "description")
    for column, dtype, comment in columns:
        out.add_row(column, dtype, comment or labels.get(column, ""))
    console.print(out)


@app.command("map")
def map_column(
    table: str = typer.Argument(..., help="schema.table with a region code column and a year, "
                                "e.g. marts.dri_index or marts.city_panel."),
    column: str = typer.Argument(..., help="Numeric column to map, e.g. dri_index."),
    year: int = typer.Option(None, "--year", help="Year to map (default: the last with values)."),
    scheme: str = typer.Option("quantiles", help="quantiles or natural_breaks (Fisher-Jenks)."),
    k: int = typer.Option(5, "--k", help="Number of classes."),
    out: Path = typer.Option(None, "--out", "-o",
                             help="PNG file (default: ./map_<table>_<column>_<year>.png)."),
) -> None:
    """Choropleth of one column by region for one year (PNG): classes by quantiles or natural
    breaks, legend in the column's unit, provinces outlined, the Hu line, regions without
    data hatched, SYNTHETIC when the warehouse's inputs are."""
    import duckdb
    from rich.markup import escape

    from models_py.spatial import SCHEMES, choropleth
    from orchestration import spatial

    if scheme not in SCHEMES:
        err.print(f"[red]unknown scheme {scheme!r}[/]: choose one of {', '.join(SCHEMES)}")
        raise typer.Exit(2)
    db = _published_or_exit()
    with duckdb.connect(str(db), read_only=True) as con:
        schema, name = _resolve_table(con, table)
        try:
            section = spatial.read_cross_section(con, schema, name, column, year)
            boundaries = spatial.read_boundaries(con)
        except (ValueError, duckdb.Error) as exc:
            err.print(f"[red]cannot map {schema}.{name}.{column}:[/] {escape(str(exc))}")
            raise typer.Exit(2) from exc
        description = _column_labels(schema, name).get(column, "")
        unit = spatial.column_unit(con, column, description)
        synthetic = spatial.column_is_synthetic(con, column, _warehouse_is_synthetic(con))
    target = (out or Path(f"map_{name}_{column}_{section.year}.png")).resolve()
    result = choropleth(
        section.values, boundaries, target, title=f"{column} ({schema}.{name}), {section.year}",
        label=column, unit=unit, scheme=scheme, k=k, level=section.level, synthetic=synthetic,
        footnote=f"Source: {schema}.{name} of {db.name}.")
    console.print(f"{result.drawn} regions with values, {result.no_data} without -> {target}")
    for label, count in zip(result.classification.labels, result.classification.counts,
                            strict=True):
        console.print(f"  {label:>24}  {count}")
    if result.skipped:
        console.print("left out (no polygon): " + "; ".join(
            f"{c}: {r}" for c, r in result.skipped.items()), markup=False)
    if synthetic:
        console.print("[yellow]note:[/] the values come from SYNTHETIC demo inputs "
                      "(raw.landing_files.synthetic); the map says so")


def _published_or_exit() -> Path:
    db = paths.published_db_path()
    if not db.exists():
        err.print(f"[red]no published warehouse at {db}[/]: run `dri build` first")
        raise typer.Exit(2)
    return db


def _short(text: str, limit: int = 110) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


@app.command()
def docs(
    serve: bool = typer.Option(True, "--serve/--no-serve",
                               help="Serve the site on localhost (default), or only write it "
                                    "and print the path of its static page."),
    port: int = typer.Option(8080, help="Port on localhost for --serve."),
    out: Path = typer.Option(None, help="Output folder (default: reports/dbt_docs)."),
) -> None:
    """dbt docs of the published warehouse (models, columns, lineage), offline."""
    from orchestration import dbt_docs

    db = _published_or_exit()
    console.print("Generating dbt docs (dbt docs generate --static) ...")
    try:
        static = dbt_docs.generate_docs(db, out)
    except RuntimeError as exc:
        err.print(str(exc), markup=False)
        raise typer.Exit(1) from exc
    console.print(f"dbt docs: {static} (opens from disk, no server or network needed)",
                  markup=False)
    if serve:
        console.print(f"Serving {static.parent} on http://127.0.0.1:{port} (Ctrl-C stops)",
                      markup=False)
        dbt_docs.serve(static.parent, port)


quality_app = typer.Typer(help="Data quality: Great Expectations suites and their pages.",
                          no_args_is_help=True)
app.add_typer(quality_app, name="quality")


@quality_app.command("docs")
def quality_docs(
    db: Path = typer.Option(None, help="DuckDB file (default: the published warehouse)."),
    out: Path = typer.Option(None, help="Output folder (default: reports/quality)."),
    gx: bool = typer.Option(True, "--gx/--no-gx",
                            help="Also write Great Expectations' Data Docs under gx/ "
                                 "(they need the internet to display)."),
) -> None:
    """Validate the warehouse against expectations/ and write the quality pages: index.html
    (offline, self-contained) with a page per suite, plus GX Data Docs under gx/."""
    os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")
    from orchestration.quality.docs import GX_DIR, build_data_docs, default_docs_dir

    db = db or paths.published_db_path()
    if not db.exists():
        err.print(f"[red]no warehouse at {db}[/]: run `dri build` first")
        raise typer.Exit(2)
    index = build_data_docs(db, out or default_docs_dir(), gx=gx)
    console.print(f"Quality pages (offline): {index}", markup=False)
    if gx:
        console.print(f"Great Expectations Data Docs (need the internet to display): "
                      f"{index.parent / GX_DIR / 'index.html'}", markup=False)


spark_app = typer.Typer(help="The patent chain and the DRI index on Apache Spark (dbt-spark).",
                        no_args_is_help=True)
app.add_typer(spark_app, name="spark")


@spark_app.command("build")
def spark_build(
    select: str = typer.Option(None, help="dbt --select instead of the selector spark_scope."),
    keep: bool = typer.Option(False, "--keep",
                              help="Keep the previous Spark tables (default: start empty)."),
    target: str = typer.Option("spark", help="dbt target: spark (in-process, local[2]), "
                               "spark-connect (DRI_SPARK_REMOTE) or spark-cluster (Thrift); "
                               "the last two need `uv sync --extra spark-cluster`."),
) -> None:
    """Run the Spark scope (patents from the landing zone -> DRI index) with dbt-spark on
    Spark local[2] (DRI_SPARK_MASTER for another master); Parquet under warehouse/spark/."""
    from orchestration import spark

    if target not in spark.TARGETS:
        err.print(f"[red]--target must be one of {', '.join(spark.TARGETS)}[/]")
        raise typer.Exit(2)
    try:
        major = spark.java_version() if target == spark.TARGET else None
    except spark.SparkSetupError as exc:
        err.print(f"[red]{exc}[/]")
        raise typer.Exit(2) from exc
    files = spark.patent_files()
    if not files:
        err.print(f"[red]no patent extract under {paths.landing_dir() / 'patents'}[/]: run "
                  "`dri demo-data` (or drop extracts there) first")
        raise typer.Exit(2)
    where = {
        "spark": f"{os.environ.get('DRI_SPARK_MASTER', 'local[2]')}, Java {major}",
        "spark-connect": os.environ.get("DRI_SPARK_REMOTE", "sc://localhost:15002"),
        "spark-cluster": f"thrift {os.environ.get('DRI_SPARK_HOST', 'localhost')}:"
                         f"{os.environ.get('DRI_SPARK_PORT', '10000')}",
    }[target]
    console.print(f"Spark ({where}): dbt build --target {target} --selector "
                  f"{spark.SELECTOR} over {len(files)} extract(s): "
                  + ", ".join(f["relpath"] for f in files), markup=False)
    result = spark.build(select=select, fresh=not keep, target=target,
                         echo=lambda line: console.print(line, markup=False))
    if not result.ok:
        err.print(f"[red]Spark build failed[/] after {result.seconds:.0f} s; dbt's output: "
                  f"{result.log}")
        raise typer.Exit(1)
    console.print(f"Spark build done in {result.seconds:.0f} s. Parquet tables under "
                  f"{spark.tables_dir()}:", markup=False)
    for name, folder in result.tables.items():
        console.print(f"  {name:<45} {folder}", markup=False)
    console.print('Compare with DuckDB: dri sql "SELECT max(abs(s.dri_index - d.dri_index)) '
                  'FROM spark.dri_index s JOIN marts.dri_index d USING (city_code, year)" '
                  '(the Spark marts as spark.<table>)', markup=False)


@app.command()
def ui(port: int = typer.Option(3000, help="Port on localhost.")) -> None:
    """Start the Dagster UI on localhost (lineage, runs, checks)."""
    from orchestration.dbt_project import prepare_manifest

    prepare_manifest()
    home = _use_dagster_home()
    console.print(f"Dagster UI on http://127.0.0.1:{port} (DAGSTER_HOME={home})")
    raise typer.Exit(subprocess.call(ui_command(port)))


def ui_command(port: int) -> list[str]:
    """`dagster dev` on the project's workspace.yaml: its one code location is named `dri`, as
    pyproject.toml says (with `-m module` Dagster would name it after the module)."""
    return [sys.executable, "-m", "dagster", "dev", "-w",
            str(paths.PROJECT_ROOT / "workspace.yaml"), "-h", "127.0.0.1", "-p", str(port)]


if __name__ == "__main__":
    app()
