"""`dri ingest`: a bad file is refused with nothing changed; a corrected yearbook
supersedes the values it reprints and only its kind is refreshed."""

from __future__ import annotations

import hashlib
import os
import shutil

import duckdb
import openpyxl
import pytest

from orchestration.compare import differing_tables
from tests.conftest import Warehouse, run_dri, warehouse_env

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def warehouse_copy(built_warehouse: Warehouse, tmp_path_factory) -> Warehouse:
    """A private copy of the built warehouse, so changes here do not leak into other tests."""
    root = tmp_path_factory.mktemp("dri_copy")
    for name in ("warehouse", "reports", "dagster_home"):
        src = built_warehouse.root / name
        if src.exists():
            shutil.copytree(src, root / name)
    return Warehouse(root=root, env=warehouse_env(root), build_output="")


def _sha(path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_unreadable_file_is_refused_and_nothing_changes(warehouse_copy: Warehouse,
                                                        tmp_path) -> None:
    landing = warehouse_copy.root / "warehouse" / "landing" / "city_yearbook"
    before = sorted(p.name for p in landing.iterdir())
    published_sha = _sha(warehouse_copy.published)
    broken = tmp_path / "ccsy_2016_truncated.xlsx"
    broken.write_bytes((landing / "ccsy_2016.xlsx").read_bytes()[:100])
    proc = run_dri(warehouse_copy.env, "ingest", str(broken))
    assert proc.returncode == 2
    assert "ccsy_2016_truncated.xlsx" in proc.stderr and "rejected" in proc.stderr
    assert sorted(p.name for p in landing.iterdir()) == before
    assert _sha(warehouse_copy.published) == published_sha


def test_file_that_would_land_nothing_is_refused(warehouse_copy: Warehouse, tmp_path) -> None:
    export = tmp_path / "mars_long.csv"
    export.write_text("地区,年份,指标,数值,单位\n火星市,2021,地区生产总值,1,亿元\n",
                      encoding="utf-8")
    proc = run_dri(warehouse_copy.env, "ingest", str(export))
    assert proc.returncode == 2
    assert "no value would land" in proc.stderr and "unmatched region name (1)" in proc.stderr
    assert not (warehouse_copy.root / "warehouse" / "landing" / "yearbook_long"
                / "mars_long.csv").exists()


def test_failed_refresh_sets_the_new_file_aside(warehouse_copy: Warehouse, tmp_path) -> None:
    """A 1999 table fails the blocking year check of raw/city_yearbook_values: the file leaves
    the live landing zone with the reason, the published file is untouched, and the next
    refresh (the test below) succeeds without it."""
    landing = warehouse_copy.root / "warehouse" / "landing"
    book = openpyxl.load_workbook(landing / "city_yearbook" / "ccsy_2016.xlsx")
    for sheet in book.worksheets:
        for row in sheet.iter_rows(max_row=3):
            for cell in row:
                if isinstance(cell.value, str) and "2016" in cell.value:
                    cell.value = cell.value.replace("2016", "1999")
    early = tmp_path / "ccsy_1999.xlsx"
    book.save(early)
    published_sha = _sha(warehouse_copy.published)

    proc = run_dri(warehouse_copy.env, "ingest", str(early))

    assert proc.returncode == 1, proc.stdout[-3000:] + proc.stderr[-3000:]
    aside = landing / "failed" / "city_yearbook" / "ccsy_1999.xlsx"
    assert aside.exists() and not (landing / "city_yearbook" / "ccsy_1999.xlsx").exists()
    reason = aside.with_name("ccsy_1999.xlsx.reason.txt").read_text(encoding="utf-8")
    assert "check failed: raw/city_yearbook_values" in reason
    assert "1999" in reason  # the rows behind the failed check
    assert "moved city_yearbook/ccsy_1999.xlsx" in proc.stderr
    assert _sha(warehouse_copy.published) == published_sha


def test_corrected_yearbook_supersedes_and_refreshes(warehouse_copy: Warehouse,
                                                     tmp_path) -> None:
    landing = warehouse_copy.root / "warehouse" / "landing" / "city_yearbook"
    book = openpyxl.load_workbook(landing / "ccsy_2015.xlsx")
    sheet = book["人口与经济"]
    row = next(r for r in range(4, sheet.max_row + 1)
               if isinstance(sheet.cell(r, 2).value, int | float))
    city, old_gdp = sheet.cell(row, 1).value, sheet.cell(row, 2).value
    sheet.cell(row, 2).value = old_gdp * 2
    # The corrected edition spells the city as printed pages justify it ("石 家 庄"): the value
    # still supersedes the old one by region code, it is not added beside it.
    sheet.cell(row, 1).value = " ".join(city.removesuffix("市"))
    corrected = tmp_path / "ccsy_2015_corrected.xlsx"
    book.save(corrected)
    # saved before the files it corrects landed: the copy `dri ingest` lands is dated now
    os.utime(corrected, (1e9, 1e9))
    estimated_before = _estimated_at(warehouse_copy)

    proc = run_dri(warehouse_copy.env, "ingest", str(corrected))
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    assert "refresh_city_yearbook" in proc.stdout  # only the yearbook side was rerun
    assert "raw/patents" not in proc.stdout.split("Materialized assets")[-1]

    with duckdb.connect(str(warehouse_copy.published), read_only=True) as con:
        gdp = con.execute("SELECT gdp FROM marts.city_panel WHERE city_name = ? AND year = 2015",
                          [city]).fetchone()[0]
        files = dict(con.execute(
            "SELECT source_file, status FROM raw.landing_files "
            "WHERE source_file LIKE '%ccsy_2015%'").fetchall())
        superseded = con.execute(
            "SELECT rows_superseded FROM raw.landing_files "
            "WHERE source_file = 'city_yearbook/ccsy_2015.xlsx'").fetchone()[0]
        n = con.execute("SELECT count(*) FROM marts.city_panel").fetchone()[0]
    assert gdp == pytest.approx(old_gdp * 2 / 1e4)  # printed 万元, panel 亿元
    assert files == {"city_yearbook/ccsy_2015.xlsx": "superseded",
                     "city_yearbook/ccsy_2015_corrected.xlsx": "current"}
    assert superseded > 0
    assert n == 198 * 15
    # The city study is re-estimated on the corrected panel; the provincial studies, whose
    # panels the city file does not touch, keep their estimates (not re-estimated).
    estimated_after = _estimated_at(warehouse_copy)
    assert estimated_after["paper002_city", "benchmark"] > estimated_before[
        "paper002_city", "benchmark"]
    assert estimated_after["paper000_province", "fe_regression"] == estimated_before[
        "paper000_province", "fe_regression"]
    assert estimated_after["real_province_st", "benchmark"] == estimated_before[
        "real_province_st", "benchmark"]


def test_refresh_gives_what_a_full_build_gives(built_warehouse: Warehouse,
                                              warehouse_copy: Warehouse) -> None:
    """The corrected yearbook taken back out: `dri build` refreshes only the city yearbook
    side, and the warehouse equals, table by table, the full build of that landing zone
    (the session's own build, from the same files)."""
    landing = warehouse_copy.root / "warehouse" / "landing" / "city_yearbook"
    (landing / "ccsy_2015_corrected.xlsx").unlink()

    proc = run_dri(warehouse_copy.env, "build")

    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    assert "refresh_city_yearbook" in proc.stdout
    assert differing_tables(warehouse_copy.published, built_warehouse.published) == []
    # dbt's unit tests passed on this dbt project in the full build: not run again, and the
    # run reused its parse
    dbt_lines = (warehouse_copy.root / "warehouse" / "work" / "dbt_run" / "dbt_output.log"
                 ).read_text(encoding="utf-8")
    assert " PASS " in dbt_lines and " unit_test " not in dbt_lines
    assert "partial parsing" not in dbt_lines
    # and the warehouse knows it is current: nothing to do now
    assert "up to date" in run_dri(warehouse_copy.env, "build").stdout


def _estimated_at(warehouse: Warehouse) -> dict:
    with duckdb.connect(str(warehouse.published), read_only=True) as con:
        rows = con.execute("SELECT study, table_name, estimated_at FROM "
                           "estimates.table_inputs").fetchall()
    return {(study, table): at for study, table, at in rows}


def test_a_years_patent_extract_is_appended_and_only_its_year_rebuilt(
        built_warehouse: Warehouse, warehouse_copy: Warehouse, tmp_path) -> None:
    """A supplementary extract of 2024 applications arrives (named so that it sorts after the
    extract already loaded): `dri ingest` refreshes patents incrementally. The records already
    loaded keep their load time (appended, not reloaded); int_patents_classified keeps every
    row of the other years exactly as the session's full build has it and gains the new
    records; the new year's city counts add them."""
    header = "申请号,申请日,公开(公告)日,专利类型,名称,申请人,申请人地址,主分类号,IPC分类号"
    rows = [f"CN20249{i:07d}.X,2024-0{1 + i % 9}-1{i % 9},2025-03-01,发明,一种数据处理方法,"
            f"石家庄合成科技有限公司,河北省石家庄市长安区建设北大街{i}号,G06F 17/30,"
            f"G06F 17/30;{'A01B 1/00' if i % 2 else 'H04L 29/08'}" for i in range(40)]
    new = tmp_path / "patents_zz_2024_supplement.csv"
    new.write_text("\n".join([header, *rows]) + "\n", encoding="utf-8")

    loaded = "SELECT loaded_at, count(*) FROM raw.patents GROUP BY ALL ORDER BY 1"
    with duckdb.connect(str(warehouse_copy.published), read_only=True) as con:
        before = con.execute(loaded).fetchall()

    proc = run_dri(warehouse_copy.env, "ingest", str(new))

    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    assert "refresh_patents" in proc.stdout
    with duckdb.connect(str(warehouse_copy.published), read_only=True) as con:
        con.execute(f"ATTACH '{built_warehouse.published}' AS full_build (READ_ONLY)")
        one = lambda sql: con.execute(sql).fetchone()  # noqa: E731
        # the records loaded before keep their load time: appended, not reloaded
        after = con.execute(loaded).fetchall()
        assert len(before) == 1 and after[0] == before[0] and after[1][1] == 40
        other_years = "SELECT * FROM {}.intermediate.int_patents_classified " \
                      "WHERE application_year <> 2024"
        here, there = other_years.format("main"), other_years.format("full_build")
        db = con.execute("SELECT current_database()").fetchone()[0]
        here = here.replace("main.", f"{db}.")
        assert one(f"SELECT count(*) FROM ({here} EXCEPT ALL {there})") == (0,)
        assert one(f"SELECT count(*) FROM ({there} EXCEPT ALL {here})") == (0,)
        added = one("SELECT count(*), count(*) FILTER (WHERE c.city_code = '130100' AND "
                    "c.is_digital), count(*) FILTER (WHERE c.is_integrated AND "
                    "p.ipc_codes LIKE '%A01B%') "
                    "FROM intermediate.int_patents_classified c JOIN raw.patents p "
                    "USING (patent_key) WHERE p.application_number LIKE 'CN20249%'")
        assert added == (40, 40, 20)
        before = one("SELECT patents FROM full_build.intermediate.int_city_patent_counts "
                     "WHERE city_code = '130100' AND application_year = 2024")[0]
        after = one("SELECT patents FROM intermediate.int_city_patent_counts "
                    "WHERE city_code = '130100' AND application_year = 2024")[0]
        assert after == before + 40
