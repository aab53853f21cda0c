"""Patents incremental by application year: landing one more year's extract into a warehouse
that holds the others (patent_load incremental=True -> normalize_ipc(new_from_key) -> dbt
with the var patents_new_from_key) gives exactly the tables a full build of all extracts
gives (but for loaded_at), and really is incremental: only the new file is read, only the
new year of int_patents_classified is rewritten.

The extracts are small synthetic CSVs in the layout of a patent database export: one per
application year, as they arrive, with codes printed in several spellings, a code printed
twice, garbage pieces, and a new year that brings new codes and pieces beside old ones."""

from __future__ import annotations

import json
import random
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from orchestration.ingest.ipc import normalize_ipc
from orchestration.ingest.patent_load import load_patent_files
from tests.conftest import run_dbt

MODELS = "+int_city_patent_counts +int_patents_unlocated_by_year"
ADDRESSES = ["河北省石家庄市长安区建设北大街1号", "北京市海淀区中关村大街2号",
             "安徽省马鞍山市花山区3号", "广东省深圳市南山区4号", "无法识别的地址5号"]
OLD_CODES = ["G06F 17/30", "G06F0017300000", "H04L 29/08", "A01B 1/00", "B21D 22/02 (2006.01)",
             "H04W 4/70", "XYZ", "G06F"]
NEW_CODES = ["G06N 3/08", "Ｇ０６Ｎ３／０４", "C07D 213/00", "H01Q 1/22", "#N/A"]
INCREMENTAL = ("int_patents_classified", "int_city_patent_counts")
COMPARED = {
    "raw.patents": "* EXCLUDE (loaded_at)",
    "raw.ipc_pieces": "*",
    "raw.ipc_codes": "*",
    "quality.quarantine": "* EXCLUDE (loaded_at)",
    "intermediate.int_patents_classified": "*",
    "intermediate.int_city_patent_counts": "*",
    "intermediate.int_patents_unlocated_by_year": "*",
}


def _extract(path: Path, year: int, codes: list[str], n: int, seed: int) -> Path:
    rng = random.Random(seed)
    rows = []
    for i in range(n):
        picked = rng.sample(codes, rng.randint(1, 3))
        if i % 5 == 0:
            picked.append(picked[0])  # printed twice
        rows.append({"申请号": f"CN{year}1{i:06d}.X", "申请日": f"{year}-0{1 + i % 9}-1{i % 9}",
                     "专利类型": ["发明", "实用新型"][i % 2], "名称": "合成专利",
                     "申请人": "合成公司", "申请人地址": ADDRESSES[i % len(ADDRESSES)],
                     "主分类号": picked[0], "IPC分类号": ";".join(picked)})
    path.parent.mkdir(parents=True, exist_ok=True)
    pd.DataFrame(rows).to_csv(path, index=False, encoding="utf-8")
    return path


def _build(tmp: Path, db: Path, *args: str) -> None:
    run_dbt(tmp, db, "run", "--select", MODELS, *args)



def _load_and_build(tmp: Path, db: Path, files: list[Path]) -> None:
    """A warehouse of `files` from nothing: load, normalize, seed, build."""
    with duckdb.connect(str(db)) as con:
        load_patent_files(con, files)
        normalize_ipc(con)
    run_dbt(tmp, db, "seed")
    _build(tmp, db)

@pytest.fixture(scope="module")
def built(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("patents_incremental")
    landing = tmp / "landing" / "patents"
    old = [_extract(landing / f"patents_{y}.csv", y, OLD_CODES, 300, y) for y in (2019, 2020)]
    new = _extract(landing / "patents_2021.csv", 2021, OLD_CODES + NEW_CODES, 300, 2021)

    full = tmp / "full.duckdb"
    _load_and_build(tmp / "full", full, [*old, new])

    inc = tmp / "incremental.duckdb"
    _load_and_build(tmp / "inc", inc, old)
    with duckdb.connect(str(inc)) as con:
        first_2019 = {table: con.execute(
            f"SELECT min(rowid) FROM intermediate.{table} WHERE application_year = 2019"
        ).fetchone()[0] for table in INCREMENTAL}
        load = load_patent_files(con, [*old, new], incremental=True)
        normalized = normalize_ipc(con, new_from_key=load["appended_from_key"])
    key = load["appended_from_key"]
    _build(tmp / "inc", inc, "--vars", json.dumps({"patents_new_from_key": key}))
    results = json.loads((tmp / "inc" / "target" / "run_results.json").read_text())
    compiled = {r["unique_id"].split(".")[-1]: r["compiled_code"] for r in results["results"]}
    return full, inc, load, normalized, compiled, first_2019


def test_only_the_new_file_is_read_and_appended(built):
    _full, inc, load, normalized, _compiled, _ = built
    assert load["appended_from_key"] == 2 << 32  # the third file, after the two loaded
    assert load["per_file"]["patents/patents_2021.csv"]["loaded"] == 300
    with duckdb.connect(str(inc), read_only=True) as con:
        assert con.execute("SELECT count(*) FROM raw.patents").fetchone() == (900,)
    assert normalized["distinct_codes"] > 0


def test_only_the_new_year_is_recomputed(built):
    _full, inc, _load, _normalized, compiled, first_2019 = built
    # the new records' year, found when the model ran, written as literals the scans can
    # check against each row group's date range (old years' row groups are skipped unread)
    classified = " ".join(compiled["int_patents_classified"].split())
    assert ("application_date >= date '2021-01-01' and application_date < date '2022-01-01' "
            "and year(application_date) in (2021)") in classified
    assert "application_year in (2021)" in compiled["int_city_patent_counts"]
    with duckdb.connect(str(inc), read_only=True) as con:
        # delete + insert by year left the old years' rows where they were
        for table in INCREMENTAL:
            assert con.execute(f"SELECT min(rowid) FROM intermediate.{table} "
                               "WHERE application_year = 2019").fetchone()[0] \
                == first_2019[table], table
        assert con.execute("SELECT count(DISTINCT application_year) FROM "
                           "intermediate.int_patents_classified").fetchone() == (3,)


@pytest.mark.parametrize("table", sorted(COMPARED))
def test_incremental_equals_a_full_build(built, table):
    full, inc, *_ = built
    columns = COMPARED[table]
    with duckdb.connect(str(inc), read_only=True) as con:
        con.execute(f"ATTACH '{full}' AS full_build (READ_ONLY)")
        here = f"SELECT {columns} FROM inc_db.{table}".replace("inc_db.", "")
        there = f"SELECT {columns} FROM full_build.{table}"
        assert con.execute(f"SELECT count(*) FROM ({here})").fetchone()[0] > 0
        missing = con.execute(f"SELECT count(*) FROM ({there} EXCEPT ALL {here})").fetchone()
        extra = con.execute(f"SELECT count(*) FROM ({here} EXCEPT ALL {there})").fetchone()
        assert (missing, extra) == ((0,), (0,)), table


def test_an_appended_file_that_supersedes_old_records_says_so(tmp_path):
    """A new file repeating an application number of a loaded one: the old record goes (as
    in a full load), and the load does not claim that the appended records are all that
    changed, so everything downstream is recomputed."""
    landing = tmp_path / "landing" / "patents"
    old = _extract(landing / "patents_2019.csv", 2019, OLD_CODES, 50, 1)
    new = _extract(landing / "patents_2020.csv", 2020, OLD_CODES, 50, 2)
    frame = pd.read_csv(new)
    frame.loc[0, "申请号"] = "CN20191000003.X"  # a 2019 record, corrected in 2020's extract
    frame.loc[1, "申请号"] = frame.loc[2, "申请号"]  # repeated within the new file: kept
    frame.to_csv(new, index=False, encoding="utf-8")
    both = [old, new]
    with duckdb.connect() as inc, duckdb.connect() as full:
        load_patent_files(inc, [old])
        appended = load_patent_files(inc, both, incremental=True)
        loaded = load_patent_files(full, both)
        assert appended["appended_from_key"] is None
        assert appended["per_file"] == loaded["per_file"]
        assert appended["per_file"]["patents/patents_2019.csv"]["superseded"] == 1
        rows = "SELECT * EXCLUDE (loaded_at) FROM raw.patents ORDER BY patent_key"
        assert inc.execute(rows).fetchall() == full.execute(rows).fetchall()


def test_a_year_removed_from_the_extracts_leaves_no_rows_behind(tmp_path):
    """A full reload (no increment: here the 2021 extract was withdrawn) into a warehouse whose
    incremental tables hold that year: the year goes from them as from a full build."""
    landing = tmp_path / "landing" / "patents"
    files = [_extract(landing / f"patents_{y}.csv", y, OLD_CODES + NEW_CODES, 60, y)
             for y in (2019, 2020, 2021)]
    db = tmp_path / "w.duckdb"
    _load_and_build(tmp_path / "dbt", db, files)
    with duckdb.connect(str(db)) as con:
        load_patent_files(con, files[:2])  # 2021 withdrawn: reloaded in full
        normalize_ipc(con)
    _build(tmp_path / "dbt", db)
    with duckdb.connect(str(db), read_only=True) as con:
        for table in INCREMENTAL:
            years = con.execute(f"SELECT DISTINCT application_year FROM intermediate.{table} "
                                "ORDER BY 1").fetchall()
            assert years == [(2019,), (2020,)], table
