"""SYNTHETIC demo data with documented data-generating processes: the city world
(`city`: yearbook workbooks and a patent extract), the provincial world of papers 000 and
004 (`province`) and the national-size patent extract for benchmarks (`patents_scale`).

Writers only: nothing here reads real files (that is `orchestration.ingest`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from orchestration.demo import city, province


@dataclass(frozen=True)
class DemoFiles:
    yearbooks: list[Path]
    patents: Path
    truth: Path
    n_patents: int
    n_city_years: int
    province_long: Path | None = None  # synthetic provincial long export (demo_province.py)


def write_demo_data(
    landing_dir: Path,
    truth_path: Path,
    seed: int = city.DEFAULT_SEED,
    n_cities: int = city.DEFAULT_CITIES,
    scale: float = 1.0,
    progress: Callable[[str], None] | None = None,
) -> DemoFiles:
    """Simulate and write the landing files; the truth goes to `truth_path` (CSV), outside
    the landing zone, so tests and users can compare estimates with the true values."""
    demo = city.simulate(seed=seed, n_cities=n_cities, scale=scale)
    say = progress or (lambda _msg: None)
    yearbooks = []
    for year in city.YEARS:
        path = landing_dir / "city_yearbook" / f"ccsy_{year}.xlsx"
        yearbooks.append(city.write_yearbook_workbook(demo.yearbook, year, path, seed))
        city.write_sidecar(path, f"Synthetic city yearbook tables for {year}", seed)
        say(f"wrote {path.name}")
    patents_path = landing_dir / "patents" / "patents_demo.csv"
    patents_path.parent.mkdir(parents=True, exist_ok=True)
    demo.patents.to_csv(patents_path, index=False, encoding="utf-8-sig")
    city.write_sidecar(patents_path, "Synthetic patent extract, one row per patent", seed)
    say(f"wrote {patents_path.name} ({len(demo.patents):,} patents)")
    truth_path.parent.mkdir(parents=True, exist_ok=True)
    demo.truth.to_csv(truth_path, index=False)
    # The provincial world of papers 000 and 004: its own DGP, module and truth file.
    province_long = province.write_province_demo(
        landing_dir, truth_path.with_name("demo_truth_province.yml"), seed=seed)
    say(f"wrote {province_long.name} (synthetic provinces)")
    return DemoFiles(yearbooks, patents_path, truth_path, len(demo.patents), len(demo.truth),
                     province_long)
