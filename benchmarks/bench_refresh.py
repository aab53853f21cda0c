"""The users' main loop, timed: a full build, a rebuild with nothing changed, and the refresh
after one corrected yearbook file, in one run on the demo data, with the ratios the refresh
issue sets as targets and a check that the refreshed warehouse equals a full rebuild.

    uv run python benchmarks/bench_refresh.py [--keep DIR]

Steps (each a `dri` subprocess against a private warehouse directory):
1. `dri build` from an empty landing zone (demo data written first; its seconds counted);
2. `dri build` again: nothing changed, so it should say "up to date" in seconds;
3. `dri build --force`: an identical rebuild, for the size of the published file;
4. `dri ingest` of one corrected yearbook (one city's GDP doubled, name respelled);
5. `dri build --force` from the same landing zone into a second directory, and every marts
   and estimates table of (4) compared with it (same rows, values to 1e-9).

Prints seconds, the ratios refresh / full build (target <= 0.25), no-op / full build, full
build (target <= 60 s on 2 cores), and the published size after / before an identical
rebuild (target <= 1.1).
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from orchestration.compare import differing_tables

ROOT = Path(__file__).resolve().parents[1]


def _env(root: Path) -> dict[str, str]:
    env = dict(os.environ)
    env.update({
        "DRI_WAREHOUSE_DIR": str(root / "warehouse"),
        "DRI_REPORTS_DIR": str(root / "reports"),
        "DAGSTER_HOME": str(root / "dagster_home"),
        "GX_ANALYTICS_ENABLED": "false",
        "OPENBLAS_NUM_THREADS": "1",
    })
    env.pop("DRI_DUCKDB_PATH", None)
    return env


def _dri(root: Path, *args: str) -> tuple[float, str]:
    started = time.perf_counter()
    proc = subprocess.run([sys.executable, "-m", "orchestration.cli", *args], cwd=ROOT,
                          env=_env(root), capture_output=True, text=True)
    seconds = time.perf_counter() - started
    if proc.returncode != 0:
        sys.exit(f"dri {' '.join(args)} failed ({proc.returncode}):\n"
                 f"{proc.stdout[-3000:]}\n{proc.stderr[-3000:]}")
    return seconds, proc.stdout


def _corrected_yearbook(root: Path, out: Path) -> Path:
    import openpyxl

    landing = root / "warehouse" / "landing" / "city_yearbook"
    book = openpyxl.load_workbook(landing / "ccsy_2015.xlsx")
    sheet = book["人口与经济"]
    row = next(r for r in range(4, sheet.max_row + 1)
               if isinstance(sheet.cell(r, 2).value, int | float))
    sheet.cell(row, 2).value = sheet.cell(row, 2).value * 2
    sheet.cell(row, 1).value = " ".join(sheet.cell(row, 1).value.removesuffix("市"))
    target = out / "ccsy_2015_corrected.xlsx"
    book.save(target)
    return target


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--keep", type=Path, help="Work here and keep it (default: a temp dir).")
    args = parser.parse_args()
    base = args.keep or Path(tempfile.mkdtemp(prefix="dri_bench_refresh_"))
    base.mkdir(parents=True, exist_ok=True)
    one, two = base / "refreshed", base / "rebuilt"
    try:
        full, _ = _dri(one, "build")
        print(f"full build (demo data written first): {full:7.1f} s")
        published = one / "warehouse" / "dri.duckdb"
        noop, out = _dri(one, "build")
        print(f"rebuild, nothing changed:              {noop:7.1f} s "
              f"({'up to date' if 'up to date' in out else 'REBUILT'})")
        size_before = published.stat().st_size
        forced, _ = _dri(one, "build", "--force")
        size_after = published.stat().st_size
        print(f"identical rebuild (--force):           {forced:7.1f} s; published "
              f"{size_before / 1e6:.1f} MB -> {size_after / 1e6:.1f} MB")
        corrected = _corrected_yearbook(one, base)
        refresh, _ = _dri(one, "ingest", str(corrected))
        print(f"refresh after one corrected yearbook:  {refresh:7.1f} s")

        shutil.copytree(one / "warehouse" / "landing", two / "warehouse" / "landing")
        rebuild, _ = _dri(two, "build")
        print(f"full build of the same landing zone:   {rebuild:7.1f} s")
        differ = differing_tables(published, two / "warehouse" / "dri.duckdb")

        print("\nratios")
        print(f"  refresh / full build      {refresh / rebuild:6.2f}  (target <= 0.25)")
        print(f"  no-op / full build        {noop / full:6.2f}")
        print(f"  full build                {full:6.1f} s (target <= 60 s on 2 cores)")
        print(f"  size after / before       {size_after / size_before:6.2f}  (target <= 1.1)")
        print(f"refreshed == full rebuild (marts, estimates): "
              f"{'yes' if not differ else 'NO: ' + '; '.join(differ[:10])}")
    finally:
        if args.keep is None:
            shutil.rmtree(base, ignore_errors=True)


if __name__ == "__main__":
    main()
