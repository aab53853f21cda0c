"""The GX suites run as Dagster asset checks on small DuckDB tables built here.

Each test writes a few rows (a good panel, then one defect), runs the check the way Dagster
does (`build_asset_check_context` with a DuckDBResource) and reads the verdict and the
failing rows from the result. Great Expectations is imported once per session (slow).
"""

from __future__ import annotations

import gc
import math
import socket

import duckdb
import pandas as pd
import pytest
from dagster import AssetCheckSeverity, build_asset_check_context
from dagster_duckdb import DuckDBResource

from orchestration.quality.docs import build_data_docs
from orchestration.quality.gx_checks import ASSET_CHECKS, build_asset_checks
from orchestration.quality.suites import load_suite

CITIES = {"130100": "石家庄市", "130200": "唐山市", "130300": "秦皇岛市"}
YEARS = [2015, 2016, 2017, 2018]


@pytest.fixture(autouse=True)
def _no_published_warehouse(tmp_path, monkeypatch):
    # The checks compare with the published build; by default there is none.
    monkeypatch.setenv("DRI_WAREHOUSE_DIR", str(tmp_path / "warehouse"))
    monkeypatch.setenv("GX_ANALYTICS_ENABLED", "false")


def good_panel() -> pd.DataFrame:
    """A balanced, plausible city panel: 3 cities x 4 years, 5% GDP growth."""
    rows = []
    for i, (code, name) in enumerate(CITIES.items()):
        for s, year in enumerate(YEARS):
            gdp, population, fiscal, sei = 1000 * (1 + i) * 1.05**s, 500.0 + 10 * i, 150.0, 300.0
            rows.append({
                "city_code": code, "city_name": name, "province_name": "河北省", "year": year,
                "gdp": gdp, "population": population, "fiscal_expenditure": fiscal,
                "sei_revenue": sei, "patents": 100, "invention_patents": 30,
                "digital_patents": 40, "digital_invention_patents": 10,
                "integrated_patents": 25, "integrated_share": 0.25, "dri_index": 0.4,
                "ln_sei_revenue": math.log(sei),
                "ln_digital_invention": math.log(11),
                # 亿元 -> 元 over 万人 -> 人
                "ln_pgdp": math.log(gdp * 1e8 / (population * 1e4)),
                "gov": fiscal / gdp, "ln_population": math.log(population),
                "region4": "east", "region3": "east", "hu_side": "southeast",
                "gdp_imputed": False, "population_imputed": False,
                "fiscal_expenditure_imputed": False, "sei_revenue_imputed": False,
            })
    return pd.DataFrame(rows).astype({"year": "int32"})


def write_table(db, table: str, frame: pd.DataFrame) -> None:
    schema = table.split(".")[0]
    with duckdb.connect(str(db)) as con:
        con.execute(f"CREATE SCHEMA IF NOT EXISTS {schema}")
        con.register("frame_df", frame)
        con.execute(f"CREATE OR REPLACE TABLE {table} AS SELECT * FROM frame_df")


def dim_regions(valid_from: dict[str, int] | None = None) -> pd.DataFrame:
    """The columns of marts.dim_regions the panel suite reads: when each city existed."""
    valid_from = valid_from or {}
    return pd.DataFrame({
        "region_code": list(CITIES), "region_name": list(CITIES.values()),
        "valid_from": pd.array([valid_from.get(c) for c in CITIES], dtype="Int32"),
        "valid_to": pd.array([None] * len(CITIES), dtype="Int32"),
    })


def write_panel(db, panel: pd.DataFrame, regions: pd.DataFrame | None = None) -> None:
    write_table(db, "marts.city_panel", panel)
    write_table(db, "marts.dim_regions", dim_regions() if regions is None else regions)


def check_for(asset: str):
    (check,) = [c for c in ASSET_CHECKS
                if any(k.asset_key.to_user_string() == asset for k in c.check_keys)]
    return check


def run_check(check, db):
    context = build_asset_check_context(resources={"duckdb": DuckDBResource(database=str(db))})
    return check(context)


def failing(result, label_part: str) -> dict:
    """The failing_rows entry of the one failed expectation whose label contains label_part."""
    entries = {k: v for k, v in result.metadata["failing_rows"].value.items() if label_part in k}
    assert len(entries) == 1, list(result.metadata["failing_rows"].value)
    return next(iter(entries.values()))


def test_good_panel_passes(tmp_path) -> None:
    db = tmp_path / "work.duckdb"
    write_panel(db, good_panel())
    result = run_check(check_for("marts/city_panel"), db)
    assert result.passed, result.metadata["results"].value
    assert result.metadata["failed_blocking"].value == 0
    # without a previous build the drift expectation is skipped, not failed
    assert result.metadata["skipped"].value == 1
    assert result.metadata["batch_rows"].value == {"rows": 12, "balance": 12,
                                                   "year_over_year": 9}


def test_duplicate_city_year_fails_the_blocking_check_naming_the_key(tmp_path) -> None:
    panel = good_panel()
    duplicate = panel[(panel.city_code == "130200") & (panel.year == 2016)]
    db = tmp_path / "work.duckdb"
    write_panel(db, pd.concat([panel, duplicate], ignore_index=True))
    result = run_check(check_for("marts/city_panel"), db)
    assert not result.passed
    assert result.severity == AssetCheckSeverity.ERROR
    entry = failing(result, "compound_columns_to_be_unique(city_code,year)")
    assert entry["blocking"] and entry["unexpected_count"] == 2
    assert {(r["city_code"], str(r["year"])) for r in entry["rows"]} == {("130200", "2016")}


def test_tenfold_jump_warns_and_does_not_block(tmp_path) -> None:
    panel = good_panel()
    jump = (panel.city_code == "130300") & (panel.year == 2017)
    panel.loc[jump, "gdp"] *= 10
    panel.loc[jump, "gov"] = panel.loc[jump, "fiscal_expenditure"] / panel.loc[jump, "gdp"]
    db = tmp_path / "work.duckdb"
    write_panel(db, panel)
    result = run_check(check_for("marts/city_panel"), db)
    assert not result.passed
    assert result.severity == AssetCheckSeverity.WARN
    assert result.metadata["failed_blocking"].value == 0
    entry = failing(result, "(gdp_ratio)")
    assert not entry["blocking"]
    # up tenfold into 2017, down tenfold into 2018
    assert sorted((r["city_code"], str(r["year"])) for r in entry["rows"]) == [
        ("130300", "2017"), ("130300", "2018")]
    assert sorted(round(r["gdp_ratio"], 6) for r in entry["rows"]) == [
        round(1.05 / 10, 6), round(10 * 1.05, 6)]


def test_missing_city_year_breaks_the_balanced_panel(tmp_path) -> None:
    panel = good_panel()
    panel = panel[~((panel.city_code == "130100") & (panel.year == 2016))]
    db = tmp_path / "work.duckdb"
    write_panel(db, panel)
    result = run_check(check_for("marts/city_panel"), db)
    assert result.severity == AssetCheckSeverity.ERROR and not result.passed
    entry = failing(result, "no_missing_city_years")
    assert [(r["city_code"], str(r["year"])) for r in entry["rows"]] == [("130100", "2016")]


def test_years_before_a_city_existed_are_no_hole_but_unbalance_the_sample(tmp_path) -> None:
    """city_panel has rows for the years a city existed; city_panel_balanced must be
    balanced outright."""
    panel = good_panel()
    panel = panel[~((panel.city_code == "130300") & (panel.year < 2017))]
    db = tmp_path / "work.duckdb"
    write_panel(db, panel, dim_regions(valid_from={"130300": 2017}))
    write_table(db, "marts.city_panel_balanced", panel)
    result = run_check(check_for("marts/city_panel"), db)
    assert result.passed, result.metadata["results"].value
    balanced = run_check(check_for("marts/city_panel_balanced"), db)
    assert not balanced.passed and balanced.severity == AssetCheckSeverity.ERROR
    entry = failing(balanced, "balanced_panel")
    assert sorted((r["city_code"], str(r["year"])) for r in entry["rows"]) == [
        ("130300", "2015"), ("130300", "2016")]


def test_share_outside_the_unit_interval_blocks(tmp_path) -> None:
    panel = good_panel()
    panel.loc[0, "integrated_share"] = 1.2
    db = tmp_path / "work.duckdb"
    write_panel(db, panel)
    result = run_check(check_for("marts/city_panel"), db)
    assert result.severity == AssetCheckSeverity.ERROR and not result.passed
    entry = failing(result, "integrated_share_in_unit_interval")
    (row,) = entry["rows"]
    assert (row["integrated_share"], row["city_code"], str(row["year"])) == (1.2, "130100", "2015")


def test_row_count_is_compared_with_the_previous_published_build(tmp_path) -> None:
    db = tmp_path / "work.duckdb"
    write_panel(db, good_panel())
    published = tmp_path / "warehouse" / "dri.duckdb"
    published.parent.mkdir()
    twice = pd.concat([good_panel(), good_panel().assign(year=lambda d: d.year - 4)])
    write_table(published, "marts.city_panel", twice)  # 24 rows before, 12 now
    result = run_check(check_for("marts/city_panel"), db)
    assert not result.passed and result.severity == AssetCheckSeverity.WARN
    assert result.metadata["previous_build"].value == {"previous_row_count": 24.0}
    assert "row_count_vs_previous_build" in result.description
    write_table(published, "marts.city_panel", good_panel())
    assert run_check(check_for("marts/city_panel"), db).passed


def test_missing_table_fails_the_blocking_check_with_the_error(tmp_path) -> None:
    db = tmp_path / "work.duckdb"
    write_table(db, "marts.other", good_panel())
    result = run_check(check_for("marts/city_panel"), db)
    assert not result.passed and result.severity == AssetCheckSeverity.ERROR
    assert "city_panel" in result.metadata["results"].value
    assert "does not exist" in result.metadata["results"].value


def patents() -> pd.DataFrame:
    sha = "a" * 64
    rows = [{
        "source_file": "patents/p.csv", "source_sha256": sha, "sheet": "", "source_row": i + 2,
        "source_col": None, "application_number": f"CN2015100000{i:02d}.{i % 10}",
        "application_date": pd.Timestamp(2015, 3, 1 + i),
        "publication_date": pd.Timestamp(2016, 3, 1 + i),
        "patent_type": "发明" if i % 2 else "实用新型", "title": "一种装置",
        "applicant": "某公司", "applicant_address": "河北省石家庄市长安区建设北大街88号",
        "applicant_region_code": "130102", "main_ipc": "G06F 17/30",
        "ipc_codes": "G06F 17/30;B21D 22/02", "abstract": None, "patent_key": i,
        "loaded_at": pd.Timestamp(2026, 1, 1),
    } for i in range(6)]
    return pd.DataFrame(rows)


def test_patents_duplicate_application_number_blocks(tmp_path) -> None:
    db = tmp_path / "work.duckdb"
    frame = patents()
    write_table(db, "raw.patents", frame)
    assert run_check(check_for("raw/patents"), db).passed
    frame.loc[5, "application_number"] = frame.loc[1, "application_number"]
    write_table(db, "raw.patents", frame)
    result = run_check(check_for("raw/patents"), db)
    assert not result.passed and result.severity == AssetCheckSeverity.ERROR
    entry = failing(result, "unique(application_number)")
    assert {r["application_number"] for r in entry["rows"]} == {"CN201510000001.1"}
    assert sorted(r["source_row"] for r in entry["rows"]) == [3, 7]


def test_a_suite_of_warnings_only_is_a_non_blocking_check(tmp_path) -> None:
    path = tmp_path / "warn.yml"
    path.write_text(
        "suite: t_warn\nasset: marts/city_panel\nbatches:\n"
        "  - name: rows\n    sql: SELECT * FROM marts.city_panel\n"
        "    expectations:\n"
        "      - type: expect_column_values_to_be_between\n"
        "        kwargs: {column: gov, max_value: 0.01}\n"
        "        blocking: false\n", encoding="utf-8")
    (check,) = build_asset_checks([load_suite(path)])
    (spec,) = check.check_specs
    assert not spec.blocking and spec.name == "gx_t_warn"
    db = tmp_path / "work.duckdb"
    write_table(db, "marts.city_panel", good_panel())
    result = run_check(check, db)
    assert not result.passed and result.severity == AssetCheckSeverity.WARN


def test_data_docs_are_built_offline(tmp_path, monkeypatch) -> None:
    db = tmp_path / "published.duckdb"
    write_panel(db, good_panel())
    write_table(db, "raw.patents", patents())

    def no_network(*args, **kwargs):
        raise OSError("network disabled in this test")

    monkeypatch.setattr(socket.socket, "connect", no_network)
    monkeypatch.setattr(socket, "create_connection", no_network)
    index = build_data_docs(db, tmp_path / "docs")
    assert index == tmp_path / "docs" / "index.html" and index.exists()
    # the project's page (offline; tests/unit/test_quality_page.py checks it in detail)
    html = index.read_text(encoding="utf-8")
    assert 'href="results/marts_city_panel.html"' in html and "http" not in html
    # GX's Data Docs, an extra under gx/
    gx_html = (tmp_path / "docs" / "gx" / "index.html").read_text(encoding="utf-8")
    assert "marts_city_panel.rows" in gx_html and "raw_patents.records" in gx_html
    pages = list((tmp_path / "docs" / "gx" / "validations" / "marts_city_panel").rglob("*.html"))
    assert len(pages) == 3  # rows, balance, year_over_year
    summary = (tmp_path / "docs" / "quality_summary.md").read_text(encoding="utf-8")
    assert "## marts_city_panel (asset marts/city_panel): passed" in summary
    # the raw yearbook tables do not exist in this file: their suites fail, visibly
    assert "## raw_city_yearbook_values (asset raw/city_yearbook_values): FAILED" in summary


def test_a_lost_column_blocks_and_says_which(tmp_path) -> None:
    db = tmp_path / "work.duckdb"
    write_panel(db, good_panel().drop(columns=["gdp_imputed"]))
    result = run_check(check_for("marts/city_panel"), db)
    assert not result.passed and result.severity == AssetCheckSeverity.ERROR
    entry = failing(result, "table_columns_to_match_set")
    assert entry["blocking"] and entry["rows"] == [{"missing": ["gdp_imputed"]}]
    reported = failing(result, "gdp_mostly_reported")
    assert 'column "gdp_imputed"' in reported["error"] and "does not exist" in reported["error"]


# --- provincial panel, provincial indices, DRI index -----------------------------------------

PROVINCES = {"130000": "河北省", "140000": "山西省"}
PROVINCE_YEARS = [2015, 2016, 2017]


def good_province_panel() -> pd.DataFrame:
    """2 provinces x 3 years whose totals equal their parts and grow 5% a year."""
    rows = []
    for i, (code, name) in enumerate(PROVINCES.items()):
        for s, year in enumerate(PROVINCE_YEARS):
            g = 1.05**s * (1 + i)
            rows.append({
                "province_code": code, "province_name": name, "region4": "east",
                "region3": "east", "year": year,
                "patents_granted": 1000 * g, "patents_granted_invention": 200 * g,
                "patents_granted_utility": 600 * g, "patents_granted_design": 200 * g,
                "patent_applications": 2000 * g, "patent_applications_invention": 800 * g,
                "patent_applications_utility": 900 * g, "patent_applications_design": 300 * g,
                "patents_valid": 5000 * g, "patents_valid_invention": 1000 * g,
                "rd_expenditure": 100 * g, "rd_expenditure_basic": 6 * g,
                "rd_expenditure_applied": 11 * g, "rd_expenditure_experimental": 83 * g,
                "rd_expenditure_government": 20 * g, "rd_expenditure_enterprise": 75 * g,
                "rd_expenditure_foreign": 1 * g, "rd_expenditure_other": 4 * g,
                "rd_intensity": 1.5, "rd_personnel_fte": 50000 * g,
                "fiscal_expenditure": 3000 * g, "fiscal_expenditure_st": 60 * g,
                "population_resident": 4000.0 + 10 * s, "gdp": 20000 * g,
                "urbanization_rate": 55.0, "enterprise_websites_per_100": 50.0,
                "hightech_new_product_revenue": 500 * g,
                "patents_granted_imputed": False, "rd_expenditure_imputed": False,
            })
    return pd.DataFrame(rows).astype({"year": "int32"})


def write_province_panel(db, panel: pd.DataFrame) -> None:
    write_table(db, "marts.province_panel", panel)
    write_table(db, "ref.ref_provinces", pd.DataFrame(
        {"province_code": list(PROVINCES), "province_name": list(PROVINCES.values())}))


def test_good_province_panel_passes(tmp_path) -> None:
    db = tmp_path / "work.duckdb"
    write_province_panel(db, good_province_panel())
    result = run_check(check_for("marts/province_panel"), db)
    assert result.passed, result.metadata["results"].value
    assert result.metadata["batch_rows"].value == {"rows": 6, "parts": 6, "balance": 6,
                                                   "year_over_year": 4}


def test_rd_parts_in_the_wrong_unit_block(tmp_path) -> None:
    panel = good_province_panel()
    slip = (panel.province_code == "140000") & (panel.year == 2016)
    for part in ("basic", "applied", "experimental"):  # printed in 万元, read as 亿元
        panel.loc[slip, f"rd_expenditure_{part}"] *= 10_000
    db = tmp_path / "work.duckdb"
    write_province_panel(db, panel)
    result = run_check(check_for("marts/province_panel"), db)
    assert not result.passed and result.severity == AssetCheckSeverity.ERROR
    entry = failing(result, "(rd_by_activity_ratio)")
    assert entry["blocking"]
    assert [(r["province_code"], str(r["year"])) for r in entry["rows"]] == [
        ("140000", "2016")]
    assert entry["rows"][0]["rd_by_activity_ratio"] == pytest.approx(1e-4)


def test_missing_province_year_blocks(tmp_path) -> None:
    panel = good_province_panel()
    panel = panel[~((panel.province_code == "130000") & (panel.year == 2016))]
    db = tmp_path / "work.duckdb"
    write_province_panel(db, panel)
    result = run_check(check_for("marts/province_panel"), db)
    assert not result.passed and result.severity == AssetCheckSeverity.ERROR
    entry = failing(result, "no_missing_province_years")
    assert [(r["province_code"], str(r["year"])) for r in entry["rows"]] == [
        ("130000", "2016")]


def test_province_population_jump_only_warns(tmp_path) -> None:
    panel = good_province_panel()
    panel.loc[(panel.province_code == "130000") & (panel.year == 2017),
              "population_resident"] *= 1.3
    db = tmp_path / "work.duckdb"
    write_province_panel(db, panel)
    result = run_check(check_for("marts/province_panel"), db)
    assert not result.passed and result.severity == AssetCheckSeverity.WARN
    assert result.metadata["failed_blocking"].value == 0
    entry = failing(result, "(population_ratio)")
    assert [(r["province_code"], str(r["year"])) for r in entry["rows"]] == [
        ("130000", "2017")]


def good_dri_index() -> tuple[pd.DataFrame, pd.DataFrame]:
    """2 cities x 2 years of marts.dri_index and its 8 weights (panel-wide, summing to 1)."""
    rows = []
    for i, (code, name) in enumerate(CITIES.items()):
        if i == 2:
            break
        for year in (2018, 2019):
            patents, digital, integrated, invention = 200 + 50 * i, 60, 30, 20
            rows.append({
                "city_code": code, "city_name": name, "province_name": "河北省",
                "year": year, "patents": patents, "digital_patents": digital,
                "digital_invention_patents": invention,
                "ln_digital_invention_patents": math.log1p(invention),
                "integrated_patents": integrated, "ln_integrated_patents": math.log1p(integrated),
                "integrated_share": integrated / patents, "time_score": 0.1 * (i + 1),
                "industry_score": 0.1, "region_score": 0.05, "network_score": 0.1,
                "dri_index": 0.25 + 0.1 * i, "rank_in_year": 2 - i, "weight_year": None,
            })
    weights = pd.DataFrame({"weight_year": pd.array([None] * 8, dtype="Int32"),
                            "indicator_code": [f"x{j}" for j in range(8)],
                            "weight": [0.125] * 8})
    return pd.DataFrame(rows).astype({"year": "int32"}), weights


def write_dri_index(db, index: pd.DataFrame, weights: pd.DataFrame) -> None:
    write_table(db, "marts.dri_index", index)
    write_table(db, "marts.dri_index_weights", weights)


def test_good_dri_index_passes(tmp_path) -> None:
    db = tmp_path / "work.duckdb"
    write_dri_index(db, *good_dri_index())
    result = run_check(check_for("marts/dri_index"), db)
    assert result.passed, result.metadata["results"].value
    assert result.metadata["batch_rows"].value == {"rows": 4, "derived": 4, "weights": 1}


def test_more_integrated_than_digital_patents_blocks(tmp_path) -> None:
    index, weights = good_dri_index()
    bad = (index.city_code == "130200") & (index.year == 2019)
    index.loc[bad, "integrated_patents"] = 61
    index.loc[bad, "ln_integrated_patents"] = math.log1p(61)
    index.loc[bad, "integrated_share"] = 61 / index.loc[bad, "patents"]
    db = tmp_path / "work.duckdb"
    write_dri_index(db, index, weights)
    result = run_check(check_for("marts/dri_index"), db)
    assert not result.passed and result.severity == AssetCheckSeverity.ERROR
    entry = failing(result, "(digital_patents,integrated_patents)")
    assert [(r["city_code"], str(r["year"])) for r in entry["rows"]] == [("130200", "2019")]


def test_dri_weights_that_do_not_sum_to_one_block(tmp_path) -> None:
    index, weights = good_dri_index()
    weights.loc[0, "weight"] = 0.025
    db = tmp_path / "work.duckdb"
    write_dri_index(db, index, weights)
    result = run_check(check_for("marts/dri_index"), db)
    assert not result.passed and result.severity == AssetCheckSeverity.ERROR
    entry = failing(result, "(weight_sum)")
    assert entry["rows"][0]["weight_sum"] == pytest.approx(0.9)


def good_province_indices() -> pd.DataFrame:
    rows = []
    for i, (code, name) in enumerate(PROVINCES.items()):
        for year in PROVINCE_YEARS:
            lqm, lqs = 1.2 - 0.4 * i, 0.9 + 0.2 * i
            quality = 1 - abs(lqm - lqs) / (lqm + lqs)
            rows.append({
                "province_code": code, "province_name": name, "region3": "east",
                "year": year, "digital_economy_pca": 0.5 - i,
                "digital_economy_pca_scaled": 1.0 - i, "digital_economy_entropy": 0.4,
                "lq_manufacturing": lqm, "lq_producer_services": lqs,
                "coagglomeration_quality": quality, "coagglomeration": quality + lqm + lqs,
                "employment_imputed": False,
            })
    return pd.DataFrame(rows).astype({"year": "int32"})


def test_province_indices_pass_and_a_coagglomeration_off_its_quotients_blocks(
        tmp_path) -> None:
    db = tmp_path / "work.duckdb"
    indices = good_province_indices()
    write_table(db, "marts.province_indices", indices)
    result = run_check(check_for("marts/province_indices"), db)
    assert result.passed, result.metadata["results"].value

    indices.loc[(indices.province_code == "140000") & (indices.year == 2017),
                "coagglomeration"] += 0.5
    write_table(db, "marts.province_indices", indices)
    result = run_check(check_for("marts/province_indices"), db)
    assert not result.passed and result.severity == AssetCheckSeverity.ERROR
    entry = failing(result, "(coagglomeration_error)")
    assert [(r["province_code"], str(r["year"])) for r in entry["rows"]] == [
        ("140000", "2017")]


def good_city_indices() -> pd.DataFrame:
    rows = []
    for i, (code, name) in enumerate(CITIES.items()):
        for year in YEARS:
            lqm, lqs = 1.1 - 0.2 * i, 0.8 + 0.1 * i
            revenue, employment = 300.0 + 10 * i, 20.0 + i
            rows.append({
                "city_code": code, "city_name": name, "province_name": "河北省", "year": year,
                "digital_economy_entropy": 0.2 + 0.1 * i, "digital_economy_pca": 0.1 * i,
                "digital_economy_pca_scaled": 0.5 * i, "lq_manufacturing": lqm,
                "lq_producer_services": lqs,
                "coagglomeration": 1 - abs(lqm - lqs) / (lqm + lqs) + lqm + lqs,
                "sei_revenue": revenue, "sei_employment": employment,
                "ln_sei_revenue": math.log(revenue), "ln_sei_employment": math.log(employment),
                "sei_employment_share": employment / 200, "sei_revenue_imputed": False,
                "sei_employment_imputed": False,
            })
    return pd.DataFrame(rows).astype({"year": "int32"})


def entropy_weights(total: float = 1.0) -> pd.DataFrame:
    return pd.DataFrame({"system": ["city_digital_economy"] * 4,
                         "weight_year": pd.array([None] * 4, dtype="Int32"),
                         "indicator_code": ["a", "b", "c", "d"],
                         "weight": [0.25 * total] * 4})


def test_city_indices_pass_and_a_share_above_one_blocks(tmp_path) -> None:
    db = tmp_path / "work.duckdb"
    indices = good_city_indices()
    write_table(db, "marts.city_indices", indices)
    write_table(db, "marts.index_entropy_weights", entropy_weights())
    result = run_check(check_for("marts/city_indices"), db)
    assert result.passed, result.metadata["results"].value

    # employment of the emerging industries in 人 over urban-unit employment in 万人
    wrong_unit = (indices.city_code == "130300") & (indices.year == 2016)
    indices.loc[wrong_unit, "sei_employment_share"] *= 10_000
    write_table(db, "marts.city_indices", indices)
    result = run_check(check_for("marts/city_indices"), db)
    assert not result.passed and result.severity == AssetCheckSeverity.ERROR
    entry = failing(result, "sei_employment_share_is_a_share")
    assert [(r["city_code"], str(r["year"])) for r in entry["rows"]] == [("130300", "2016")]


def test_entropy_weights_off_one_block_the_city_indices(tmp_path) -> None:
    db = tmp_path / "work.duckdb"
    write_table(db, "marts.city_indices", good_city_indices())
    write_table(db, "marts.index_entropy_weights", entropy_weights(total=1.2))
    result = run_check(check_for("marts/city_indices"), db)
    assert not result.passed and result.severity == AssetCheckSeverity.ERROR
    entry = failing(result, "(weight_sum)")
    assert entry["rows"][0]["system"] == "city_digital_economy"
    assert entry["rows"][0]["weight_sum"] == pytest.approx(1.2)


def coupling_rows() -> pd.DataFrame:
    rows = []
    for i, code in enumerate(PROVINCES):
        for year in PROVINCE_YEARS:
            u1, u2 = 0.3 + 0.2 * i, 0.5
            c = 2 * math.sqrt(u1 * u2) / (u1 + u2)
            t = 0.5 * u1 + 0.5 * u2
            d = math.sqrt(c * t)
            rows.append({"coupling": "innovation_industrial", "level": "province",
                         "region_code": code, "region_name": PROVINCES[code], "year": year,
                         "u1": u1, "u2": u2, "coupling_degree": c, "alpha": 0.5, "beta": 0.5,
                         "coordination_index": t, "coordination_degree": d,
                         "coordination_grade": int(d * 10) + 1})
    return pd.DataFrame(rows).astype({"year": "int32"})


def coordination_levels() -> pd.DataFrame:
    return pd.DataFrame({"grade": list(range(1, 11)),
                         "d_lower": [g / 10 for g in range(10)],
                         "d_upper": [(g + 1) / 10 for g in range(10)]})


def test_coupling_coordination_passes_and_a_wrong_grade_blocks(tmp_path) -> None:
    db = tmp_path / "work.duckdb"
    rows = coupling_rows()
    write_table(db, "marts.index_coupling_coordination", rows)
    write_table(db, "ref.ref_index_coordination_levels", coordination_levels())
    result = run_check(check_for("marts/index_coupling_coordination"), db)
    assert result.passed, result.metadata["results"].value

    rows.loc[(rows.region_code == "140000") & (rows.year == 2015), "coordination_grade"] += 1
    write_table(db, "marts.index_coupling_coordination", rows)
    result = run_check(check_for("marts/index_coupling_coordination"), db)
    assert not result.passed and result.severity == AssetCheckSeverity.ERROR
    entry = failing(result, "(grade_in_band)")
    assert [(r["region_code"], str(r["year"])) for r in entry["rows"]] == [("140000", "2015")]


def test_failed_check_description_says_what_and_where(tmp_path) -> None:
    """The description (shown in the build summary and the UI) gives the count, the query
    and table, and the first failing rows, not only the expectation's name."""
    panel = good_panel()
    panel.loc[0, "integrated_share"] = 1.2
    db = tmp_path / "work.duckdb"
    write_panel(db, panel)
    result = run_check(check_for("marts/city_panel"), db)
    text = result.description
    assert "integrated_share_in_unit_interval" in text
    assert f"1 of {len(panel)} rows" in text
    assert "marts.city_panel" in text
    assert "city_code=130100" in text and "year=2015" in text


def long_values(rows: list[tuple[str, str, str, int, float]]) -> pd.DataFrame:
    """raw.yearbook_long_values rows (region code, name, indicator, year, value in 亿元)."""
    return pd.DataFrame([{
        "source_file": "yearbook_long/techme/MarketPush.csv", "source_sha256": "b" * 64,
        "sheet": "", "source_row": i + 2, "source_col": None, "year": year,
        "region_name": name, "indicator_name": indicator, "unit": "亿元", "scope": None,
        "value_text": str(value), "value": value, "indicator_key": indicator,
        "region_code": code, "region_level": "province", "region_match": "exact",
        "indicator_code": indicator, "canonical_unit": "亿元", "value_canonical": value,
        "source_preference": 1, "loaded_at": pd.Timestamp(2026, 1, 1),
    } for i, (code, name, indicator, year, value) in enumerate(rows)]).astype({"year": "int32"})


def test_reviewed_jumps_of_the_real_tables_do_not_warn_but_new_ones_do(tmp_path) -> None:
    """raw_yearbook_long_values.yml: Guangxi's 2021 technology-market spike and R&D funds
    from abroad were reviewed (no warning on the bundled data); any other tenfold jump warns."""
    db = tmp_path / "work.duckdb"
    out = "tech_market_outflow_value"
    write_table(db, "raw.yearbook_long_values", long_values([
        ("450000", "广西", out, 2020, 91.6691), ("450000", "广西", out, 2021, 940.5765),
        ("410000", "河南", "rd_expenditure_foreign", 2020, 8.283),
        ("410000", "河南", "rd_expenditure_foreign", 2021, 0.1785),
    ]))
    assert run_check(check_for("raw/yearbook_long_values"), db).passed
    write_table(db, "raw.yearbook_long_values", long_values([
        ("450000", "广西", out, 2020, 91.6691), ("450000", "广西", out, 2021, 940.5765),
        ("530000", "云南", out, 2020, 10.0), ("530000", "云南", out, 2021, 150.0),
    ]))
    result = run_check(check_for("raw/yearbook_long_values"), db)
    assert not result.passed and result.severity == AssetCheckSeverity.WARN
    (row,) = failing(result, "no_jump_beyond_factor_10")["rows"]
    assert (row["region_code"], row["year"]) == ("530000", 2021)
    # The reviewed row is not in the batch: one pair left, and it failed.
    assert "1 of 1 rows (100%)" in result.description and "云南" in result.description


def test_a_warning_is_stored_as_the_ui_shows_a_warning(tmp_path) -> None:
    """The UI draws a check from its latest execution record: status FAILED with an evaluation
    of severity WARN is the yellow warning state, severity ERROR the red failure. Run the real
    city-panel suite through Dagster on a panel with only a warning-level problem: the record
    is FAILED + WARN, and the asset downstream still runs (a warning blocks nothing)."""
    from dagster import AssetKey, asset, instance_for_test, materialize
    from dagster._core.storage.asset_check_execution_record import (
        AssetCheckExecutionRecordStatus,
    )

    panel = good_panel()
    jump = (panel.city_code == "130300") & (panel.year == 2017)
    panel.loc[jump, "gdp"] *= 10
    panel.loc[jump, "gov"] = panel.loc[jump, "fiscal_expenditure"] / panel.loc[jump, "gdp"]
    db = tmp_path / "work.duckdb"
    write_panel(db, panel)

    @asset(key=["marts", "city_panel"])
    def city_panel() -> None:
        """Stands for the dbt model; the table is already written."""

    @asset(key=["downstream"], deps=[AssetKey(["marts", "city_panel"])])
    def downstream() -> None:
        """Runs only if no blocking check on the panel failed."""

    check = check_for("marts/city_panel")
    (check_key,) = check.check_keys
    assert next(iter(check.check_specs)).blocking  # the real suite has blocking expectations
    with instance_for_test() as instance:
        result = materialize([city_panel, downstream, check], instance=instance,
                             resources={"duckdb": DuckDBResource(database=str(db))})
        assert result.success
        materialized = {e.asset_key for e in result.get_asset_materialization_events()}
        assert AssetKey(["downstream"]) in materialized
        (record,) = instance.event_log_storage.get_asset_check_execution_history(check_key, limit=1)
        assert record.status == AssetCheckExecutionRecordStatus.FAILED
        evaluation = record.event.dagster_event.event_specific_data
        assert evaluation.severity == AssetCheckSeverity.WARN and not evaluation.passed
        del result, record
        gc.collect()  # release the run's storage connections while the instance is open


def test_checks_validated_in_the_gx_worker_equal_those_validated_here(tmp_path,
                                                                      monkeypatch) -> None:
    """`dri build` forks a worker that imports Great Expectations beside the build; the
    checks' results through it are those of a validation in the build's own process, a
    failure's rows included, and a worker that died leaves the checks to this process."""
    from orchestration.quality import worker

    panel = good_panel()
    panel.loc[(panel.city_code == "130200") & (panel.year == 2017), "gdp"] *= 12  # warns
    db = tmp_path / "work.duckdb"
    write_panel(db, pd.concat([panel, panel.iloc[[0]]], ignore_index=True))  # blocks
    check = check_for("marts/city_panel")
    monkeypatch.setattr(worker, "_link", None)
    here = run_check(check, db)
    monkeypatch.setattr(worker, "cores", lambda: 2)
    worker.start()
    link = worker._link
    assert link is not None
    try:
        there = run_check(check, db)
        assert worker._link is link  # validated by the worker, which is still there
    finally:
        link.close()  # the worker's recv() ends: it exits
    assert not here.passed and not there.passed
    assert there.severity == here.severity == AssetCheckSeverity.ERROR
    assert there.description == here.description
    for key in ("failing_rows", "results", "batch_rows", "failed_blocking", "failed_warning"):
        assert there.metadata[key] == here.metadata[key], key
    # the link is closed now, as if the worker had died: the next check validates here
    again = run_check(check, db)
    assert worker._link is None
    assert again.description == here.description
