"""The patent chain and the DRI index on Apache Spark (`dri spark build`, issue 18).

The same dbt models as the DuckDB build, run by dbt-spark on the `spark` target of
dbt_project/profiles.yml (selector `spark_scope` in dbt_project/selectors.yml): pyspark runs
in the dbt process (`method: session`, master `local[2]` unless DRI_SPARK_MASTER says
otherwise), the raw patents are the landing zone's extracts read by Spark itself
(dbt_project/macros/spark/landing.sql), and every table is written as Parquet under
`warehouse/spark/tables/<schema>.db/<table>/`, the per-patent and per-city-year ones
partitioned by (application) year. `dri sql` reads those Parquet folders through DuckDB as
the `spark` catalog (`spark_views_sql`).

Nothing here imports pyspark: dbt runs in a child process (the JVM ends with it), and the
Java check is a plain `java -version`.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from orchestration import paths

SELECTOR = "spark_scope"
TARGET = "spark"
# dbt targets of dbt_project/profiles.yml that run the scope: `spark` runs Spark in the dbt
# process (Java needed here); the other two send SQL to a server (the optional extra
# `spark-cluster`: pyspark's Connect client, PyHive for a Thrift Server), Java not needed here.
TARGETS = ("spark", "spark-connect", "spark-cluster")
JAVA_PACKAGE = "openjdk-17-jre-headless"
MIN_JAVA = 17
# The tables the equality test and the benchmark compare with DuckDB: schema -> tables
# (int_patents_located is a view on DuckDB, a table on Spark).
MARTS = {
    "intermediate": [
        "int_patents_located",
        "int_ipc_digital_core_entries_parsed",
        "int_digital_core_industries",
        "int_city_patent_counts",
        "int_patents_unlocated_by_year",
    ],
    "marts": [
        "dri_index_components",
        "dri_index_standardized",
        "dri_index_weights",
        "dri_index",
        "dim_regions",
    ],
}
# dbt lines worth showing while Spark runs (START / OK / PASS / ERROR per node, the summary);
# Spark's own WARN lines and progress bars are dropped.
_DBT_LINE = re.compile(r"^\S*\d\d:\d\d:\d\d\s+(?!.*\bWARN SparkSession\b)")


class SparkSetupError(RuntimeError):
    """Spark cannot run here (no Java, or too old); the message says what to install."""


def spark_dir() -> Path:
    """Where the Spark build writes: tables/ (Parquet), metastore_db/, dbt/ (target, logs)."""
    return Path(os.environ.get("DRI_SPARK_WAREHOUSE", paths.warehouse_dir() / "spark"))


def tables_dir(root: Path | None = None) -> Path:
    return (root or spark_dir()) / "tables"


def java_version(java: str | None = None) -> int:
    """Major version of the `java` on PATH (or JAVA_HOME/bin/java); SparkSetupError if none."""
    java = java or _java_binary()
    if java is None:
        raise SparkSetupError(
            "Spark needs Java 17 or newer and no `java` was found on PATH or in JAVA_HOME. "
            f"Install it, e.g. on Debian/Ubuntu: apt-get install -y {JAVA_PACKAGE}"
        )
    try:
        done = subprocess.run([java, "-version"], capture_output=True, text=True, timeout=60)
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise SparkSetupError(f"`{java} -version` failed ({exc}); install {JAVA_PACKAGE}") from exc
    match = re.search(r'version "(\d+)(?:\.(\d+))?', done.stderr + done.stdout)
    if done.returncode != 0 or match is None:
        raise SparkSetupError(f"`{java} -version` did not print a version; install {JAVA_PACKAGE}")
    major = int(match.group(1))
    if major == 1:  # 1.8 -> 8
        major = int(match.group(2) or 0)
    if major < MIN_JAVA:
        raise SparkSetupError(
            f"Spark (pyspark 4) needs Java {MIN_JAVA} or newer; {java} is Java {major}. "
            f"Install it, e.g. on Debian/Ubuntu: apt-get install -y {JAVA_PACKAGE}"
        )
    return major


def _java_binary() -> str | None:
    home = os.environ.get("JAVA_HOME")
    if home and (Path(home) / "bin" / "java").exists():
        return str(Path(home) / "bin" / "java")
    return shutil.which("java")


def patent_files(landing: Path | None = None) -> list[dict[str, str]]:
    """The patent extracts of the landing zone as the var `spark_patent_files` of
    dbt_project/macros/spark/landing.sql: each CSV file, and each folder of Parquet files
    (the parts of one extract), newest first (the DuckDB ingest's precedence,
    landing.newest_first), with `file_index` = position in relative-path order (the DuckDB
    ingest's file number, the high bits of its patent_key)."""
    landing = landing or paths.landing_dir()
    root = landing / "patents"
    if not root.is_dir():
        return []
    entries: dict[str, dict] = {}
    for path in sorted(root.rglob("*")):
        if not path.is_file() or path.name.startswith("."):
            continue
        suffix = path.suffix.lower()
        if suffix == ".csv":
            entries[str(path)] = {
                "path": str(path),
                "format": "csv",
                "relpath": path.relative_to(landing).as_posix(),
                "mtime": path.stat().st_mtime_ns,
            }
        elif suffix == ".parquet":
            folder = path.parent
            entry = entries.setdefault(
                str(folder),
                {
                    "path": str(folder),
                    "format": "parquet",
                    "relpath": folder.relative_to(landing).as_posix(),
                    "mtime": 0,
                },
            )
            entry["mtime"] = max(entry["mtime"], path.stat().st_mtime_ns)
    by_relpath = sorted(entries.values(), key=lambda e: e["relpath"])
    for index, entry in enumerate(by_relpath):
        entry["file_index"] = index
    newest = sorted(by_relpath, key=lambda e: (-e["mtime"], e["relpath"]))
    return [{k: v for k, v in e.items() if k != "mtime"} for e in newest]


def spark_env(root: Path, landing: Path) -> dict[str, str]:
    """Environment of the dbt process: where the tables go, where the landing zone is, and
    SPARK_LOCAL_IP (Spark warns, and may bind a wrong interface, when the hostname resolves
    to a loopback address)."""
    env = dict(os.environ)
    env["DRI_SPARK_WAREHOUSE"] = str(root.resolve())
    env["DRI_LANDING_DIR"] = str(landing.resolve())
    env.setdefault("SPARK_LOCAL_IP", "127.0.0.1")
    # pyspark warns about pandas 3 on import; dbt-spark's session does not use pandas
    env.setdefault("PYTHONWARNINGS", "ignore::FutureWarning")
    return env


@dataclass
class SparkBuildResult:
    seconds: float
    returncode: int
    tables: dict[str, Path] = field(default_factory=dict)
    log: Path | None = None

    @property
    def ok(self) -> bool:
        return self.returncode == 0


def dbt_command(
    command: str,
    files: list[dict[str, str]],
    root: Path,
    select: str | None = None,
    extra: Iterable[str] = (),
    target: str = TARGET,
) -> list[str]:
    """`dbt <command> --target spark --selector spark_scope` (or `--select`, another target)
    with the landing files as vars; dbt's target and logs under <root>/dbt, apart from the
    DuckDB build's."""
    dbt = Path(sys.executable).with_name("dbt")
    args = [
        str(dbt) if dbt.exists() else "dbt",
        command,
        "--project-dir",
        str(paths.DBT_PROJECT_DIR),
        "--profiles-dir",
        str(paths.DBT_PROJECT_DIR),
        "--target",
        target,
        "--target-path",
        str(root / "dbt" / "target"),
        "--log-path",
        str(root / "dbt" / "logs"),
        "--vars",
        json.dumps({"spark_patent_files": files}),
    ]
    args += ["--select", select] if select else ["--selector", SELECTOR]
    return [*args, *extra]


def build(
    root: Path | None = None,
    landing: Path | None = None,
    select: str | None = None,
    echo: Callable[[str], None] | None = print,
    fresh: bool = True,
    extra: Iterable[str] = (),
    command: str = "build",
    target: str = TARGET,
) -> SparkBuildResult:
    """Run the Spark scope (`dbt build`: seeds, models, their data tests) into `root`
    (default warehouse/spark). `fresh` starts from an empty Spark warehouse (tables and
    metastore), as a full DuckDB build starts from an empty working file. `target`: one of
    TARGETS; with a server (spark-connect, spark-cluster) the tables are written where the
    server's warehouse is, and `root` holds dbt's output only (and the tables if the server
    writes them there)."""
    if target not in TARGETS:
        raise ValueError(f"target must be one of {', '.join(TARGETS)}, not {target!r}")
    if target == TARGET:
        java_version()
    root = (root or spark_dir()).resolve()
    landing = (landing or paths.landing_dir()).resolve()
    files = patent_files(landing)
    if not files:
        raise SparkSetupError(f"no patent extract (.csv or .parquet) under {landing / 'patents'}")
    if fresh:
        for name in ("tables", "metastore_db"):
            shutil.rmtree(root / name, ignore_errors=True)
    root.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    process = subprocess.Popen(
        dbt_command(command, files, root, select, extra, target),
        cwd=paths.DBT_PROJECT_DIR,
        env=spark_env(root, landing),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        encoding="utf-8",
        errors="replace",
    )
    assert process.stdout is not None
    log = root / "dbt" / "dbt_output.log"
    log.parent.mkdir(parents=True, exist_ok=True)
    with open(log, "w", encoding="utf-8") as out:
        for line in process.stdout:
            out.write(line)
            text = line.rstrip()
            if echo is not None and _DBT_LINE.match(text) and "WARN Spark" not in text:
                echo(re.sub(r"\x1b\[[0-9;]*m", "", text))
    returncode = process.wait()
    return SparkBuildResult(
        seconds=time.perf_counter() - started,
        returncode=returncode,
        tables=output_tables(root),
        log=log,
    )


def output_tables(root: Path | None = None) -> dict[str, Path]:
    """schema.table -> its Parquet folder, for every table the Spark build wrote."""
    found: dict[str, Path] = {}
    base = tables_dir(root)
    if not base.is_dir():
        return found
    for schema_dir in sorted(base.glob("*.db")):
        for table_dir in sorted(p for p in schema_dir.iterdir() if p.is_dir()):
            if any(table_dir.rglob("*.parquet")):
                found[f"{schema_dir.name[:-3]}.{table_dir.name}"] = table_dir
    return found


def spark_views_sql(root: Path | None = None) -> list[str]:
    """DuckDB statements that show the Spark build's Parquet tables as views of an in-memory
    catalog `spark` (`spark.dri_index`, `spark.intermediate.int_city_patent_counts`):
    `dri sql` runs them on its read-only connection when a Spark build exists."""
    tables = output_tables(root)
    if not tables:
        return []
    statements = ["ATTACH ':memory:' AS spark (READ_ONLY false)"]
    for schema in sorted({name.split(".")[0] for name in tables}):
        if schema != "main":
            statements.append(f'CREATE SCHEMA IF NOT EXISTS spark."{schema}"')
    for name, folder in tables.items():
        schema, table = name.split(".")
        pattern = str(folder / "**" / "*.parquet").replace("'", "''")
        statements.append(
            f'CREATE VIEW spark."{schema}"."{table}" AS SELECT * FROM '
            f"read_parquet('{pattern}', hive_partitioning = true)"
        )
        if schema == "marts":
            # the marts also as spark.<table>, as analysts name them in the DuckDB warehouse
            statements.append(
                f'CREATE VIEW spark.main."{table}" AS SELECT * FROM spark."{schema}"."{table}"'
            )
    return statements


# Keys of the compared tables (weight_year is NULL for panel-wide entropy weights).
KEYS = {
    # by application number: a patent's key is the same on both engines for a CSV extract,
    # not for Parquet parts (Spark has no record number there; see landing_patents)
    "int_patents_located": ["application_number"],
    "int_ipc_digital_core_entries_parsed": ["minor_code", "seq"],
    "int_digital_core_industries": ["industry_level", "industry_code"],
    "int_city_patent_counts": ["city_code", "application_year"],
    "int_patents_unlocated_by_year": ["application_year"],
    "dri_index_components": ["city_code", "year"],
    "dri_index_standardized": ["city_code", "year", "indicator_code"],
    "dri_index_weights": ["weight_year", "indicator_code"],
    "dri_index": ["city_code", "year"],
    "dim_regions": ["region_code"],
}


@dataclass
class TableComparison:
    table: str
    duckdb_rows: int
    spark_rows: int
    mismatched_rows: int
    columns: list[str]
    max_abs_diff: float
    missing_in_spark: list[str] = field(default_factory=list)
    examples: list[tuple] = field(default_factory=list)

    @property
    def equal(self) -> bool:
        return (
            self.duckdb_rows == self.spark_rows
            and self.mismatched_rows == 0
            and not self.missing_in_spark
        )


def compare_with_duckdb(
    con,
    root: Path | None = None,
    tolerance: float = 1e-9,
    ignore: Iterable[str] = (),
) -> list[TableComparison]:
    """Compare the Spark build's tables (MARTS) with the same tables of a DuckDB warehouse
    open on `con`: the same rows by key, every column equal, DOUBLE columns to `tolerance`
    (absolute, relative above 1). The Spark tables are attached as catalog `spark`.
    `ignore`: columns left out of the comparison (`patent_key` for a Parquet extract)."""
    ignore = set(ignore)
    for statement in spark_views_sql(root):
        con.execute(statement)
    results = []
    for schema, tables in MARTS.items():
        for table in tables:
            keys = KEYS[table]
            columns = con.execute(
                "SELECT column_name, data_type FROM information_schema.columns "
                "WHERE table_schema = ? AND table_name = ? AND table_catalog <> 'spark' "
                "ORDER BY ordinal_position",
                [schema, table],
            ).fetchall()
            names = [name for name, _ in columns]
            in_spark = {
                row[0]
                for row in con.execute(
                    "SELECT column_name FROM information_schema.columns WHERE "
                    "table_catalog = 'spark' AND table_schema = ? AND table_name = ?",
                    [schema, table],
                ).fetchall()
            }
            missing = [name for name in names if name not in in_spark]
            columns = [
                (name, dtype) for name, dtype in columns if name in in_spark and name not in ignore
            ]
            conditions, diffs = [], []
            for name, dtype in columns:
                d, s = f'd."{name}"', f's."{name}"'
                if dtype in ("DOUBLE", "FLOAT", "REAL") or dtype.startswith("DECIMAL"):
                    conditions.append(
                        f"(({d} IS NULL AND {s} IS NULL) OR abs({d} - {s}) <= "
                        f"{tolerance} * greatest(1, abs({d})))"
                    )
                    diffs.append(f"coalesce(max(abs({d} - {s})), 0)")
                elif dtype in ("VARCHAR",):
                    conditions.append(f"{d} IS NOT DISTINCT FROM CAST({s} AS VARCHAR)")
                else:
                    conditions.append(f"{d} IS NOT DISTINCT FROM {s}")
            on = " AND ".join(f'd."{k}" IS NOT DISTINCT FROM s."{k}"' for k in keys)
            joined = (
                f'FROM "{schema}"."{table}" d FULL OUTER JOIN spark."{schema}"."{table}" s ON {on}'
            )
            bad = " OR ".join(f"NOT coalesce({c}, false)" for c in conditions)
            mismatched = con.execute(f"SELECT count(*) {joined} WHERE {bad}").fetchone()[0]
            examples = con.execute(
                f"SELECT {', '.join(f'd.{k}' for k in keys)}, "
                f"{', '.join(f's.{k}' for k in keys)} {joined} WHERE {bad} LIMIT 3"
            ).fetchall()
            max_diff = con.execute(
                f"SELECT greatest(0, {', '.join(diffs) or '0'}) {joined}"
            ).fetchone()[0]
            results.append(
                TableComparison(
                    table=f"{schema}.{table}",
                    duckdb_rows=con.execute(
                        f'SELECT count(*) FROM "{schema}"."{table}"'
                    ).fetchone()[0],
                    spark_rows=con.execute(
                        f'SELECT count(*) FROM spark."{schema}"."{table}"'
                    ).fetchone()[0],
                    mismatched_rows=mismatched,
                    columns=names,
                    missing_in_spark=missing,
                    max_abs_diff=float(max_diff or 0),
                    examples=examples,
                )
            )
    return results


@dataclass
class QuarantineComparison:
    duckdb_rows: int
    spark_rows: int
    only_duckdb: int
    only_spark: int

    @property
    def equal(self) -> bool:
        return self.duckdb_rows == self.spark_rows and self.only_duckdb == self.only_spark == 0


def compare_ipc_quarantine(con, root: Path | None = None) -> QuarantineComparison:
    """The IPC rows of quality.quarantine (target_table raw.ipc_pieces: patents without a
    code, unparseable pieces) of the DuckDB warehouse open on `con` against the Spark
    build's (models/spark/landing_ipc_quarantine), as multisets of (value_text, reasons);
    the reasons of one piece compared as a set (DuckDB joins them in no set order)."""
    if not con.execute(
        "SELECT count(*) FROM information_schema.tables WHERE table_catalog = 'spark'"
    ).fetchone()[0]:
        for statement in spark_views_sql(root):
            con.execute(statement)

    def rows(relation: str) -> str:
        return (
            f"SELECT value_text, list_sort(string_split(reason, '; ')) AS reasons "
            f"FROM {relation} WHERE target_table = 'raw.ipc_pieces'"
        )

    duck, spark_ = rows("quality.quarantine"), rows("spark.quality.quarantine")
    counts = con.execute(
        f"SELECT (SELECT count(*) FROM ({duck})), (SELECT count(*) FROM ({spark_})), "
        f"(SELECT count(*) FROM ({duck} EXCEPT ALL {spark_})), "
        f"(SELECT count(*) FROM ({spark_} EXCEPT ALL {duck}))"
    ).fetchone()
    return QuarantineComparison(*counts)
