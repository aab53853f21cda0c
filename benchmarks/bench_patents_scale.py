"""Patent pipeline at national scale on this machine: ingest, IPC normalization,
classification and city-year aggregation of a SYNTHETIC Parquet extract, against the least
work that touches every code.

    uv run python benchmarks/bench_patents_scale.py --patents 5000000
    uv run python benchmarks/bench_patents_scale.py --parts /tmp/p5/parts_50m

Steps, each in its own process on one scratch DuckDB file (fresh per run), with the same
DuckDB memory_limit and threads (printed):
  (a) baseline   SELECT count(*) FROM (SELECT unnest(string_split(ipc, ';'))
                 FROM read_parquet([...]))   -- run twice, the faster run counts
  (b) ingest     orchestration.ingest.patent_load.load_patent_files -> raw.patents
  (c) normalize  orchestration.ingest.ipc.normalize_ipc -> raw.ipc_pieces (piece dictionary)
  (d) dbt        `dbt run --select +int_city_patent_counts` (staging, location,
                 classification, city-year counts) with its own profiles.yml and
                 --target-path in the scratch directory; d is the sum of the models'
                 execution times (run_results.json); dbt's fixed start-up is timed
                 separately (a `dbt run` that selects nothing).
  floor          the least any pipeline must do, timed on raw.patents (see `_floor`)
Peak memory is the high-water mark (VmHWM) of each step's process, polled from /proc.
Without --parts, the extract is written first (orchestration/demo/patents_scale.py)
into <scratch>/parts_<N>.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DBT_DIR = ROOT / "dbt_project"
IPC_COLUMN = "IPC分类号"
TARGET_MODEL = "int_city_patent_counts"


# --- worker side: one step in this process ------------------------------------------------

def _connect(db: str, memory_limit: str, threads: int):
    import duckdb

    con = duckdb.connect(db)
    con.execute(f"SET memory_limit = '{memory_limit}'")
    con.execute(f"SET threads = {threads}")
    con.execute("SET preserve_insertion_order = false")
    return con


def _worker(step: str, db: str, files: list[str], memory_limit: str, threads: int,
            new_from_key: int | None = None) -> dict:
    con = _connect(db, memory_limit, threads)
    out: dict = {}
    if step == "baseline":
        listed = ", ".join(f"'{f}'" for f in files)
        sql = (f'SELECT count(*) FROM (SELECT unnest(string_split("{IPC_COLUMN}", \';\')) '
               f"FROM read_parquet([{listed}]))")
        for run in ("cold", "warm"):
            started = time.perf_counter()
            out["codes"] = con.execute(sql).fetchone()[0]
            out[f"seconds_{run}"] = time.perf_counter() - started
        out["seconds"] = min(out["seconds_cold"], out["seconds_warm"])
        out["patents"] = con.execute(
            f"SELECT count(*) FROM read_parquet([{listed}])").fetchone()[0]
    elif step in ("ingest", "append"):  # append: incremental load (a year added)
        from orchestration.ingest.patent_load import load_patent_files

        started = time.perf_counter()
        stats = load_patent_files(con, [Path(f) for f in files], incremental=step == "append")
        out["seconds"] = time.perf_counter() - started
        out["stats"] = {k: stats[k] for k in ("rows", "quarantined", "appended_from_key")}
    elif step == "normalize":
        from orchestration.ingest.ipc import normalize_ipc

        started = time.perf_counter()
        stats = normalize_ipc(con, new_from_key=new_from_key)
        out["seconds"] = time.perf_counter() - started
        out["stats"] = {k: v for k, v in stats.items() if k != "seconds"}
    elif step == "check":
        out["stats"] = _checks(con)
    elif step == "compare":  # files = [the full build's database]
        con.execute(f"ATTACH '{files[0]}' AS full_build (READ_ONLY)")
        out["stats"] = {}
        for table, columns in (("raw.patents", "* EXCLUDE (loaded_at)"),
                               ("raw.ipc_pieces", "*"), ("raw.ipc_codes", "*"),
                               ("intermediate.int_patents_classified", "*"),
                               ("intermediate.int_city_patent_counts", "*")):
            # an order-independent checksum of the rows (count and sum of row hashes): an
            # EXCEPT ALL of 50M wide rows would cost more than the chain itself
            digest = "SELECT count(*), sum(hash(t)::HUGEINT) FROM (SELECT {} FROM {}) t"
            here = con.execute(digest.format(columns, table)).fetchone()
            there = con.execute(digest.format(columns, f"full_build.{table}")).fetchone()
            differ = 0 if here == there else 1
            out["stats"][table] = "equal" if differ == 0 else f"differ: {here} vs {there}"
    elif step == "floor":
        out["seconds"] = _floor(con)
    else:
        raise ValueError(step)
    con.close()
    return out


def _checks(con) -> dict:
    """Do the outputs add up: every patent classified, every located patent counted."""
    one = lambda sql: con.execute(sql).fetchone()[0]  # noqa: E731
    return {
        "raw_patents": one("SELECT count(*) FROM raw.patents"),
        "ipc_code_rows": one(f"SELECT sum(n_ipc_codes) FROM {_rel(con, 'int_patents_classified')}"),
        "ipc_quarantined": one("SELECT count(*) FROM quality.quarantine "
                               "WHERE target_table = 'raw.ipc_pieces'"),
        "classified": one(f"SELECT count(*) FROM {_rel(con, 'int_patents_classified')}"),
        "unlocated": one(f"SELECT count(*) FROM {_rel(con, 'int_patents_classified')} "
                         "WHERE city_code IS NULL"),
        "counted": one(f"SELECT sum(patents) FROM {_rel(con, TARGET_MODEL)}"),
        "cities": one(f"SELECT count(DISTINCT city_code) FROM {_rel(con, TARGET_MODEL)}"),
        "digital_share": one(f"SELECT sum(digital_patents) / sum(patents) "
                             f"FROM {_rel(con, TARGET_MODEL)}"),
        "integrated_share": one(f"SELECT sum(integrated_patents) / sum(patents) "
                                f"FROM {_rel(con, TARGET_MODEL)}"),
    }


def _floor(con) -> dict:
    """The least any pipeline does that normalizes each distinct piece of text once and looks
    every code up, timed on raw.patents (best of 2): not pipeline code, a yardstick.

    distinct   every piece seen and deduplicated: the input of normalization
    lookup     every piece joined to the piece dictionary (piece -> classification bits)
    group      lookup + OR of the bits per patent by GROUP BY patent_key
    lambda     the same per-patent OR without a GROUP BY: the field cast to an ENUM of the
               pieces (DuckDB's own dictionary lookup) and the bits read from an array by
               enum code inside a list lambda
    The dictionary (from the pipeline's own normalization and code classification) is built
    untimed."""
    from orchestration.ingest.ipc import normalize_pieces_sql

    results: dict[str, object] = {}

    def best(name: str, sql: str) -> float:
        times = []
        for _ in range(2):
            started = time.perf_counter()
            results[name] = con.execute(sql).fetchall()
            times.append(time.perf_counter() - started)
        return min(times)

    explode = "SELECT patent_key, unnest(string_split(ipc_codes, ';')) AS piece FROM raw.patents"
    out = {"raw_table_baseline": best("base", f"SELECT count(*) FROM ({explode})"),
           "distinct": best("distinct",
                            f"SELECT count(*) FROM (SELECT DISTINCT piece FROM ({explode}))")}
    con.execute(f"CREATE TEMP TABLE _pieces AS SELECT DISTINCT piece FROM ({explode})")
    # bits 0-119: the digital minor industries; 120: a real-economy code; 121: unparseable
    con.execute(f"""
        CREATE TEMP TABLE _dict AS
        SELECT CAST(row_number() OVER (ORDER BY p.piece) AS INTEGER) AS piece_id, p.piece,
               coalesce(bit_or(CASE WHEN k.is_digital_code THEN k.digital_minor_mask
                                    WHEN k.ipc_code_id IS NOT NULL
                                        THEN CAST(1 AS HUGEINT) << 120
                                    WHEN n.piece IS NOT NULL THEN CAST(1 AS HUGEINT) << 121
                               END), 0) AS bits
        FROM _pieces p
        LEFT JOIN ({normalize_pieces_sql('_pieces')}) n USING (piece)
        LEFT JOIN raw.ipc_codes c USING (ipc_code)
        LEFT JOIN {_rel(con, 'int_ipc_codes_classified')} k USING (ipc_code_id)
        GROUP BY p.piece""")
    con.execute("CREATE TYPE _piece AS ENUM (SELECT piece FROM _dict ORDER BY piece_id)")
    con.execute("CREATE TEMP TABLE _bits AS SELECT list(bits ORDER BY piece_id) AS bits "
                "FROM _dict")
    joined = f"SELECT e.patent_key, d.bits FROM ({explode}) e JOIN _dict d USING (piece)"
    out["lookup"] = best("lookup", f"SELECT count(*) FROM ({joined})")
    out["group"] = best("group", f"SELECT sum(bit_count(b)) FROM (SELECT patent_key, "
                                 f"bit_or(bits) AS b FROM ({joined}) GROUP BY patent_key)")
    out["lambda"] = best("lambda", """
        SELECT sum(bit_count(b)) FROM (
            SELECT list_bit_or(list_transform(
                       CAST(string_split(p.ipc_codes, ';') AS _piece[]),
                       lambda x: a.bits[enum_code(x) + 1])) AS b
            FROM raw.patents p, _bits a)""")
    # the two ways of OR-ing per patent must agree, and every piece must have been looked up
    assert results["group"] == results["lambda"], (results["group"], results["lambda"])
    assert results["lookup"] == results["base"], (results["lookup"], results["base"])
    return out


def _rel(con, model: str) -> str:
    schema = con.execute("SELECT table_schema FROM information_schema.tables "
                         "WHERE table_name = ? LIMIT 1", [model]).fetchone()
    return f"{schema[0]}.{model}" if schema else model


# --- driver side ---------------------------------------------------------------------------

class PeakRss:
    """Poll a child's VmHWM (peak resident set) until it exits."""

    def __init__(self, pid: int) -> None:
        self.pid, self.peak_kb = pid, 0
        self._thread = threading.Thread(target=self._poll, daemon=True)
        self._thread.start()

    def _poll(self) -> None:
        status = Path(f"/proc/{self.pid}/status")
        while True:
            try:
                text = status.read_text()
            except OSError:
                return
            if "VmHWM" not in text:  # a zombie has no memory lines any more
                return
            for line in text.splitlines():
                if line.startswith("VmHWM:"):
                    self.peak_kb = max(self.peak_kb, int(line.split()[1]))
            time.sleep(0.05)

    def join(self) -> float:
        self._thread.join(timeout=2)
        return self.peak_kb / 2**20  # GiB


def run_process(cmd: list[str], env: dict | None = None, cwd: Path | None = None
                ) -> tuple[float, float, str]:
    """Run `cmd`; return (wall seconds, peak RSS GiB, stdout). Raises on failure."""
    started = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            env=env, cwd=cwd)
    rss = PeakRss(proc.pid)
    stdout, stderr = proc.communicate()
    seconds = time.perf_counter() - started
    peak = rss.join()
    if proc.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd[:4])} ... failed ({proc.returncode}):\n"
                           f"{stdout[-3000:]}\n{stderr[-3000:]}")
    return seconds, peak, stdout


def run_step(step: str, db: Path, files: list[Path], args, new_from_key: int | None = None
             ) -> tuple[dict, float, float]:
    cmd = [sys.executable, __file__, "--worker", step, "--db", str(db),
           "--memory-limit", args.memory_limit, "--threads", str(args.threads),
           "--files-json", json.dumps([str(f) for f in files])]
    if new_from_key is not None:
        cmd += ["--new-from-key", str(new_from_key)]
    wall, peak, stdout = run_process(cmd, cwd=ROOT)
    return json.loads(stdout.strip().splitlines()[-1]), wall, peak


def write_profile(scratch: Path, db: Path, args) -> Path:
    """A profiles.yml for the scratch DB with the benchmark's DuckDB settings."""
    profiles = scratch / "profiles"
    profiles.mkdir(parents=True, exist_ok=True)
    (profiles / "profiles.yml").write_text(
        "dri:\n  target: bench\n  outputs:\n    bench:\n      type: duckdb\n"
        f"      path: '{db}'\n      threads: 1\n      settings:\n"
        f"        memory_limit: '{args.memory_limit}'\n        threads: {args.threads}\n"
        "        preserve_insertion_order: false\n", encoding="utf-8")
    return profiles


def dbt(command: list[str], scratch: Path, profiles: Path) -> tuple[float, float, str]:
    exe = shutil.which("dbt") or str(Path(sys.executable).with_name("dbt"))
    return run_process(
        [exe, *command, "--profiles-dir", str(profiles), "--target-path",
         str(scratch / "target"), "--log-path", str(scratch / "logs")],
        env={**os.environ, "DBT_SEND_ANONYMOUS_USAGE_STATS": "false"}, cwd=DBT_DIR)


def model_timings(scratch: Path) -> list[tuple[str, float]]:
    results = json.loads((scratch / "target" / "run_results.json").read_text())
    rows = [(r["unique_id"].split(".")[-1], r["execution_time"]) for r in results["results"]]
    return sorted(rows, key=lambda r: -r[1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--patents", type=int, default=200_000,
                        help="patents to generate when --parts is not given")
    parser.add_argument("--parts", type=Path, help="directory of Parquet parts to use")
    parser.add_argument("--scratch", type=Path, default=Path("/tmp/p5/bench"))
    parser.add_argument("--memory-limit", default="16GB")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--seed", type=int, default=20240601)
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    parser.add_argument("--db", help=argparse.SUPPRESS)
    parser.add_argument("--files-json", help=argparse.SUPPRESS)
    parser.add_argument("--new-from-key", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--no-floor", action="store_true",
                        help="leave out the floor (e.g. in a run at another memory limit)")
    parser.add_argument("--increment", action="store_true",
                        help="split the extract into one file per application year and also "
                        "time landing the last year into a warehouse that holds the others")
    args = parser.parse_args()

    if args.worker:
        out = _worker(args.worker, args.db, json.loads(args.files_json), args.memory_limit,
                      args.threads, args.new_from_key)
        print(json.dumps(out, default=str))
        return

    scratch = args.scratch
    scratch.mkdir(parents=True, exist_ok=True)
    if args.parts is None:
        from orchestration.demo.patents_scale import write_scale_patents

        args.parts = scratch / f"parts_{args.patents}"
        if not any(args.parts.glob("*.parquet")):
            print(f"writing {args.patents:,} SYNTHETIC patents to {args.parts}")
            made = write_scale_patents(args.parts, args.patents, seed=args.seed)
            print(f"  {made.n_codes:,} codes, {made.seconds:.1f} s "
                  f"({made.n_patents / made.seconds:,.0f} patents/s)")
    files = sorted(args.parts.glob("*.parquet"))
    if args.increment:
        files = split_by_year(files, args.parts.with_name(args.parts.name + "_by_year"))
    size = sum(f.stat().st_size for f in files) / 2**30
    db = scratch / "bench.duckdb"
    for stale in (db, db.with_name(db.name + ".wal")):
        stale.unlink(missing_ok=True)
    shutil.rmtree(scratch / "target", ignore_errors=True)
    print(f"{len(files)} Parquet parts, {size:.2f} GiB; DuckDB memory_limit "
          f"{args.memory_limit}, threads {args.threads}; {os.cpu_count()} cores, "
          f"{os.sysconf('SC_PAGE_SIZE') * os.sysconf('SC_PHYS_PAGES') / 2**30:.0f} GiB RAM")

    steps: dict[str, dict] = {}
    base, wall, peak = run_step("baseline", db, files, args)
    n, codes = base["patents"], base["codes"]
    steps["a baseline split+count"] = {"seconds": base["seconds"], "peak": peak}
    print(f"baseline first run {base['seconds_cold']:.2f} s, second {base['seconds_warm']:.2f} s "
          "(the faster counts)")

    out, wall, peak = run_step("ingest", db, files, args)
    steps["b ingest"] = {"seconds": out["seconds"], "peak": peak, "stats": out["stats"]}
    out, wall, peak = run_step("normalize", db, files, args)
    steps["c normalize"] = {"seconds": out["seconds"], "peak": peak, "stats": out["stats"]}

    profiles = write_profile(scratch, db, args)
    dbt(["seed", "--select", f"+{TARGET_MODEL}"], scratch, profiles)
    dbt(["parse"], scratch, profiles)  # warm the partial-parse cache for both timed runs
    startup, _, _ = dbt(["run", "--select", "tag:__bench_selects_nothing__"], scratch, profiles)
    dbt_wall, peak, _ = dbt(["run", "--select", f"+{TARGET_MODEL}"], scratch, profiles)
    timings = model_timings(scratch)
    # d = the models' own execution times; dbt's start-up (parse, connection, catalog
    # queries) is a fixed cost per invocation, reported apart
    steps["d dbt classify+count"] = {"seconds": sum(t for _, t in timings), "peak": peak}

    print(f"\n{n:,} patents, {codes:,} codes in the IPC fields ({codes / n:.2f} per patent)")
    print(f"{'step':<24}{'seconds':>9}{'patents/s':>13}{'codes/s':>13}{'peak RSS':>10}")
    for name, s in steps.items():
        print(f"{name:<24}{s['seconds']:9.2f}{n / s['seconds']:13,.0f}"
              f"{codes / s['seconds']:13,.0f}{s['peak']:8.2f} GiB")
    print(f"dbt run wall time {dbt_wall:.2f} s; fixed start-up (a run selecting nothing, "
          f"not in d) {startup:.2f} s")
    print("dbt models (execution time, s): "
          + ", ".join(f"{m} {t:.2f}" for m, t in timings if t >= 0.05))
    a = steps["a baseline split+count"]["seconds"]
    b, c, d = (steps[k]["seconds"] for k in ("b ingest", "c normalize", "d dbt classify+count"))
    print(f"ratio (c+d)/a   = {(c + d) / a:6.2f}   (target <= 10)")
    print(f"ratio (b+c+d)/a = {(b + c + d) / a:6.2f}")
    print(f"with dbt start-up: (c+d)/a = {(c + d + startup) / a:.2f}")
    print(f"ingest: {steps['b ingest']['stats']}")
    print(f"normalize: {steps['c normalize']['stats']}")
    if not args.no_floor:
        print_floor(run_step("floor", db, files, args)[0]["seconds"], a)
    check, _, _ = run_step("check", db, files, args)
    print(f"checks: {check['stats']}")
    stats = check["stats"]
    ok = stats["classified"] == n and stats["counted"] + stats["unlocated"] == n
    print(f"every patent classified and counted or reported unlocated: {ok}")
    if args.increment:
        increment(scratch, db, files, args, {"b": b, "c": c, "d": d})


def print_floor(f: dict, a: float) -> None:
    least = f["distinct"] + min(f["group"], f["lambda"])
    print("floor (timed on raw.patents, best of 2; what any pipeline that normalizes each "
          "distinct piece once and looks every code up must do):")
    print(f"  split+count on raw.patents {f['raw_table_baseline']:.2f} s; distinct pieces "
          f"{f['distinct']:.2f} s; every piece looked up {f['lookup']:.2f} s; + OR per patent "
          f"by GROUP BY {f['group']:.2f} s, by list lambda {f['lambda']:.2f} s")
    print(f"  distinct + per-patent OR = {least:.2f} s = {least / a:.2f} x (a), "
          f"{least / f['raw_table_baseline']:.2f} x the same count on raw.patents; "
          "before location, quarantine, writing any table and aggregating")


def split_by_year(parts: list[Path], out: Path) -> list[Path]:
    """The extract as it arrives year by year: one Parquet file per application year
    (patents_YYYY.parquet, so that relative-path order is year order), written once."""
    import duckdb

    if not any(out.glob("patents_*.parquet")):
        out.mkdir(parents=True, exist_ok=True)
        con = duckdb.connect()
        listed = ", ".join(f"'{f}'" for f in parts)
        years = [y for (y,) in con.execute(
            f"SELECT DISTINCT year(申请日) FROM read_parquet([{listed}]) ORDER BY 1").fetchall()]
        for year in years:
            con.execute(f"COPY (SELECT * FROM read_parquet([{listed}]) "
                        f"WHERE year(申请日) = {year}) TO '{out / f'patents_{year}.parquet'}' "
                        "(FORMAT parquet)")
        con.close()
    return sorted(out.glob("patents_*.parquet"))


def increment(scratch: Path, full_db: Path, files: list[Path], args, full: dict) -> None:
    """A warehouse built from every year but the last, then the last year landed:
    incremental ingest, normalization and dbt run (var patents_new_from_key), timed like
    b, c, d; its tables are then compared with the full build's."""
    db = scratch / "increment.duckdb"
    for stale in (db, db.with_name(db.name + ".wal")):
        stale.unlink(missing_ok=True)
    inc_scratch = scratch / "increment"
    shutil.rmtree(inc_scratch / "target", ignore_errors=True)
    run_step("ingest", db, files[:-1], args)
    run_step("normalize", db, files[:-1], args)
    profiles = write_profile(inc_scratch, db, args)
    dbt(["seed", "--select", f"+{TARGET_MODEL}"], inc_scratch, profiles)
    dbt(["run", "--select", f"+{TARGET_MODEL}"], inc_scratch, profiles)
    steps = {}
    out, _, peak = run_step("append", db, files, args)
    key = out["stats"]["appended_from_key"]
    assert key is not None, "the last year was not appended"
    steps["b"] = (out["seconds"], peak)
    out, _, peak = run_step("normalize", db, files, args, new_from_key=key)
    steps["c"] = (out["seconds"], peak)
    # what the patents refresh runs (automation.refresh_jobs: the raw asset and everything
    # downstream of it): the models of the chain that read the patent tables; those built
    # from the seeds alone (the CNIPA table parsed, its industries) are not rebuilt
    _, peak, _ = dbt(["run", "--select", f"source:patents+,+{TARGET_MODEL}", "--vars",
                      json.dumps({"patents_new_from_key": key})], inc_scratch, profiles)
    steps["d"] = (sum(t for _, t in model_timings(inc_scratch)), peak)
    total_full = sum(full.values())
    total_inc = sum(t for t, _ in steps.values())
    print(f"\nincrement: {files[-1].name} landed into a warehouse holding {files[0].stem[-4:]}-"
          f"{files[-2].stem[-4:]}")
    for name, (seconds, peak) in steps.items():
        print(f"  {name} {seconds:8.2f} s (full {full[name]:.2f} s), peak RSS {peak:.2f} GiB")
    print(f"  increment (b+c+d) {total_inc:.2f} s = {total_inc / total_full:.3f} of the full "
          f"chain {total_full:.2f} s (target <= 0.15)")
    out, _, _ = run_step("compare", db, [full_db], args)
    print(f"  tables equal to the full build: {out['stats']}")


if __name__ == "__main__":
    main()
