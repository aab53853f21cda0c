"""The patent chain and the DRI index on Spark local vs DuckDB, same SYNTHETIC extract.

    uv run python benchmarks/bench_spark.py                     # 200,000 patents
    uv run python benchmarks/bench_spark.py --patents 5000000   # the issue's 5M extract
    uv run python benchmarks/bench_spark.py --parts DIR         # an existing Parquet extract

The extract is the national-scale SYNTHETIC generator's (orchestration/demo/patents_scale.py:
Parquet parts of 1,000,000 patents, region codes, IPC spellings in the wild), written into
<scratch>/landing/patents/national_scale unless --parts names one.

  DuckDB   the warehouse's own path: the extract read by DuckDB into raw.patents
           (orchestration.ingest.patent_load), the IPC step of the ingest where the build
           still has one, then `dbt run` of the selector spark_scope (seeds loaded first,
           untimed) on a scratch DuckDB file; DuckDB uses every core.
  Spark    `dbt run` of the same selector on the spark target (orchestration.spark: pyspark
           in the dbt process, master DRI_SPARK_MASTER or local[2]), which reads the same
           Parquet parts itself (models/spark/landing_patents); seeds loaded first, untimed.
Both are wall times of the timed steps (Spark's includes starting its JVM, ~15-30 s) and the
sum of dbt's model execution times (run_results.json). The script then checks the two
builds' marts agree (orchestration.spark.compare_with_duckdb, 1e-9) and prints the ratio.

A cluster (see README "Running on Spark"): set DRI_SPARK_MASTER (spark://host:7077, yarn)
or use the spark-connect (Spark Connect) / spark-cluster (Thrift Server) target after
`uv sync --extra spark-cluster`; the same selector runs there.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from orchestration import spark  # noqa: E402

DBT_DIR = ROOT / "dbt_project"


def _dbt_exe() -> str:
    exe = Path(sys.executable).with_name("dbt")
    return str(exe) if exe.exists() else "dbt"


def write_extract(landing: Path, n_patents: int, seed: int) -> None:
    from orchestration.demo.patents_scale import write_scale_patents

    out = landing / "patents" / "national_scale"
    out.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    written = write_scale_patents(out, n_patents, seed=seed)
    print(
        f"SYNTHETIC extract: {written.n_patents:,} patents, {written.n_codes:,} IPC codes in "
        f"{len(written.parts)} parts ({time.perf_counter() - started:.0f} s)"
    )


def duckdb_side(scratch: Path, landing: Path, threads: int | None) -> dict:
    """Ingest + IPC step + dbt run of spark_scope on a scratch DuckDB file."""
    import duckdb

    from orchestration.ingest import ipc, patent_load

    db = scratch / "duckdb" / "bench.duckdb"
    db.parent.mkdir(parents=True, exist_ok=True)
    db.unlink(missing_ok=True)
    files = sorted((landing / "patents").rglob("*.parquet")) + sorted(
        (landing / "patents").glob("*.csv")
    )
    con = duckdb.connect(str(db))
    if threads:
        con.execute(f"SET threads = {threads}")
    started = time.perf_counter()
    loaded = patent_load.load_patent_files(con, files)
    ingest = time.perf_counter() - started
    normalize = 0.0
    if hasattr(ipc, "normalize_ipc"):  # the build's Python IPC step, where it still has one
        started = time.perf_counter()
        ipc.normalize_ipc(con)
        normalize = time.perf_counter() - started
    con.close()
    env = {**os.environ, "DRI_DUCKDB_PATH": str(db), "DBT_SEND_ANONYMOUS_USAGE_STATS": "false"}
    target = scratch / "duckdb" / "target"
    common = [
        "--project-dir",
        str(DBT_DIR),
        "--profiles-dir",
        str(DBT_DIR),
        "--target-path",
        str(target),
        "--log-path",
        str(scratch / "duckdb" / "logs"),
        "--selector",
        spark.SELECTOR,
    ]
    subprocess.run([_dbt_exe(), "seed", *common], env=env, check=True, capture_output=True)
    started = time.perf_counter()
    done = subprocess.run([_dbt_exe(), "run", *common], env=env, capture_output=True, text=True)
    dbt_wall = time.perf_counter() - started
    if done.returncode != 0:
        raise SystemExit(f"dbt run on DuckDB failed:\n{done.stdout[-4000:]}")
    return {
        "db": db,
        "rows": loaded.get("rows"),
        "ingest": ingest,
        "normalize": normalize,
        "dbt_wall": dbt_wall,
        "dbt_models": _model_seconds(target),
        "total": ingest + normalize + dbt_wall,
    }


def _model_seconds(target: Path) -> float:
    results = json.loads((target / "run_results.json").read_text(encoding="utf-8"))
    return sum(r["execution_time"] for r in results["results"])


def spark_side(scratch: Path, landing: Path) -> dict:
    root = scratch / "spark"
    seeds = spark.build(root=root, landing=landing, echo=None, extra=["--resource-type", "seed"])
    if not seeds.ok:
        raise SystemExit(f"Spark seeds failed: {seeds.log}")
    started = time.perf_counter()
    result = spark.build(root=root, landing=landing, echo=None, fresh=False, command="run")
    wall = time.perf_counter() - started
    if not result.ok:
        raise SystemExit(f"Spark run failed: {result.log}")
    return {
        "root": root,
        "dbt_wall": wall,
        "dbt_models": _model_seconds(root / "dbt" / "target"),
        "total": wall,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--patents", type=int, default=200_000)
    parser.add_argument("--parts", type=Path, help="folder of an existing Parquet extract")
    parser.add_argument("--scratch", type=Path, default=Path("/tmp/dri_bench_spark"))
    parser.add_argument("--seed", type=int, default=20240601)
    parser.add_argument("--duckdb-threads", type=int, default=None)
    args = parser.parse_args()
    spark.java_version()
    scratch = args.scratch.resolve()
    shutil.rmtree(scratch, ignore_errors=True)
    landing = scratch / "landing"
    if args.parts:
        # the parts linked one by one: Path.rglob (both readers' file listing) does not
        # descend into a symlinked folder
        target = landing / "patents" / "national_scale"
        target.mkdir(parents=True, exist_ok=True)
        for part in sorted(args.parts.resolve().iterdir()):
            if part.is_file():
                (target / part.name).symlink_to(part)
    else:
        write_extract(landing, args.patents, args.seed)
    master = os.environ.get("DRI_SPARK_MASTER", "local[2]")
    print(f"machine: {os.cpu_count()} cores; Spark master {master}")

    duck = duckdb_side(scratch, landing, args.duckdb_threads)
    print(
        f"DuckDB: ingest {duck['ingest']:.1f} s, IPC step {duck['normalize']:.1f} s, "
        f"dbt run {duck['dbt_wall']:.1f} s (models {duck['dbt_models']:.1f} s); "
        f"total {duck['total']:.1f} s for {duck['rows']:,} patents"
    )
    sp = spark_side(scratch, landing)
    print(
        f"Spark:  dbt run {sp['dbt_wall']:.1f} s (models {sp['dbt_models']:.1f} s; reads the "
        f"extract itself, JVM start included)"
    )
    print(f"ratio Spark / DuckDB (end to end): {sp['total'] / duck['total']:.1f}x")

    import duckdb

    con = duckdb.connect(str(duck["db"]), read_only=True)
    # patent keys differ by design for Parquet parts (no record number on Spark): the
    # patents are matched by application number, every other column compared
    compared = spark.compare_with_duckdb(con, sp["root"], ignore=["patent_key"])
    for c in compared:
        state = "equal" if c.equal else f"DIFFERENT ({c.mismatched_rows} rows)"
        print(f"  {c.table:<45} {c.duckdb_rows:>8} rows  {state}  max diff {c.max_abs_diff:.1e}")
    q = spark.compare_ipc_quarantine(con, sp["root"])
    state = "equal" if q.equal else f"DIFFERENT ({q.only_duckdb} / {q.only_spark} rows apart)"
    print(f"  {'quality.quarantine (IPC rows)':<45} {q.duckdb_rows:>8} rows  {state}")
    con.close()
    print(
        "On a cluster: each executor reads and classifies its Parquet parts (the per-patent"
        " work, ~all of it at scale, spreads over executors x cores); the per-patent OR of the"
        " code masks and the city-year counts shuffle one row per patent / per code by"
        " patent_key, the rest are small aggregates. spark.sql.shuffle.partitions should then"
        " be ~2-3 x the executor cores (DRI_SPARK_SHUFFLE_PARTITIONS; 4 here)."
    )


if __name__ == "__main__":
    main()
