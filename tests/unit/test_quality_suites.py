"""The suite files in expectations/ and their loader (no Great Expectations import here)."""

from __future__ import annotations

import re
import subprocess
import sys
import textwrap

import duckdb
import pytest

from orchestration.paths import PROJECT_ROOT
from orchestration.quality.suites import (
    EXPECTATIONS_DIR,
    SuiteFileError,
    expectation_configs,
    load_suite,
    load_suites,
)

KNOWN_ASSETS = {
    ("raw", "city_yearbook_values"),
    ("raw", "yearbook_long_values"),
    ("raw", "patents"),
    ("marts", "city_panel"),
    ("marts", "city_panel_balanced"),
    ("marts", "province_panel"),
    ("marts", "province_indices"),
    ("marts", "dri_index"),
    ("marts", "city_indices"),
    ("marts", "index_coupling_coordination"),
}


@pytest.fixture(scope="module")
def suites():
    return {s.name: s for s in load_suites()}


def _find(suite, batch: str, type_: str, **kwargs):
    """The expectations of `batch` of this type whose kwargs include `kwargs`."""
    (spec,) = [b for b in suite.batches if b.name == batch]
    return [e for e in spec.expectations
            if e.type == type_ and all(e.kwargs.get(k) == v for k, v in kwargs.items())]


def test_every_suite_file_loads_and_names_a_pipeline_asset(suites) -> None:
    assert set(suites) == {"raw_city_yearbook_values", "raw_yearbook_long_values",
                           "raw_patents", "marts_city_panel", "marts_city_panel_balanced",
                           "marts_province_panel", "marts_province_indices",
                           "marts_dri_index", "marts_city_indices",
                           "marts_index_coupling_coordination"}
    for suite in suites.values():
        assert suite.asset_key in KNOWN_ASSETS, suite.name
        blocking = [e for b in suite.batches for e in b.expectations if e.blocking]
        warning = [e for b in suite.batches for e in b.expectations if not e.blocking]
        assert blocking and warning, f"{suite.name} needs both kinds"


def test_panel_suite_blocks_on_keys_bounds_and_balance(suites) -> None:
    panel = suites["marts_city_panel"]
    (key,) = _find(panel, "rows", "expect_compound_columns_to_be_unique",
                   column_list=["city_code", "year"])
    assert key.blocking
    (years,) = _find(panel, "rows", "expect_column_values_to_be_between", column="year")
    assert (years.kwargs["min_value"], years.kwargs["max_value"], years.blocking) == (
        2000, 2030, True)
    (dri,) = _find(panel, "rows", "expect_column_values_to_be_between", column="integrated_share")
    assert (dri.kwargs["min_value"], dri.kwargs["max_value"], dri.blocking) == (0, 1, True)
    gov_strict = _find(panel, "rows", "expect_column_values_to_be_between", column="gov",
                       strict_min=True, strict_max=True)
    assert [(g.kwargs["min_value"], g.kwargs["max_value"], g.blocking)
            for g in gov_strict] == [(0, 1, True)]
    for name in ("marts_city_panel", "marts_city_panel_balanced"):
        (balance,) = _find(suites[name], "balance", "expect_column_values_to_be_in_set",
                           column="present")
        assert balance.blocking and balance.kwargs["value_set"] == [True]


def test_jumps_and_row_count_drift_only_warn(suites) -> None:
    for suite in suites.values():
        for batch in suite.batches:
            for spec in batch.expectations:
                if batch.name == "year_over_year" or spec.parameters:
                    assert not spec.blocking, f"{suite.name}: {spec.label(batch.name, 0)}"
        drift = [e for b in suite.batches for e in b.expectations
                 if e.parameters == {"previous_row_count"}]
        assert len(drift) == 1, suite.name
        # the previous build's count of the same table the suite guards
        table = ".".join(suite.asset_key)
        assert suite.previous_build["previous_row_count"].endswith(f"FROM {table}")


def test_patent_numbers_must_be_unique(suites) -> None:
    (unique,) = _find(suites["raw_patents"], "duplicated_numbers",
                      "expect_column_values_to_be_unique",
                      column="application_number")
    assert unique.blocking


def test_patent_records_are_sampled_at_scale_and_duplicates_counted_exactly(suites) -> None:
    """GX validates pandas frames (a 5-million-record raw.patents took 143 s and 10.8 GB):
    above 500,000 records the record-level batch is an even sample by patent key, while the
    duplicated numbers and the record count are read from the whole table."""
    batches = {b.name: b for b in suites["raw_patents"].batches}
    con = duckdb.connect()
    con.execute("CREATE SCHEMA raw")

    def load(files: int, rows: int) -> None:
        # keys as the ingest makes them: file index << 32 | row number in the file
        con.execute(f"""
            CREATE OR REPLACE TABLE raw.patents AS
            SELECT f::BIGINT << 32 | r AS patent_key,
                   'CN' || (f * 1000000 + r) AS application_number,
                   'p' || f || '.parquet' AS source_file, r AS source_row,
                   DATE '2015-01-01' AS application_date, DATE '2016-01-01' AS publication_date
            FROM range({files}) AS t(f), range({rows}) AS s(r)""")

    load(1, 251_464)  # the demo's size: every record
    assert len(con.execute(batches["records"].sql).df()) == 251_464

    load(3, 400_000)
    con.execute("UPDATE raw.patents SET application_number = 'CN17' "
                "WHERE patent_key = 2::BIGINT << 32 | 399999")  # repeats file 0's row 17
    sample = con.execute(batches["records"].sql).df()
    assert len(sample) == 300_000  # every 4th of 1,200,000
    assert sample.groupby("source_file").size().tolist() == [100_000] * 3
    duplicated = con.execute(batches["duplicated_numbers"].sql).df()
    assert sorted(zip(duplicated["source_file"], duplicated["source_row"], strict=True)) == [
        ("p0.parquet", 17), ("p2.parquet", 399_999)]
    assert con.execute(batches["totals"].sql).fetchone() == (1_200_000,)


@pytest.mark.parametrize(("name", "text", "ok"), [
    ("application_number", "CN202010123456.7", True),
    ("application_number", "CN02100001.X", True),  # before 2003: 8 digits
    ("application_number", "CN112345678A", False),  # a publication number
    ("ipc_codes", "G06F 17/30;B21D 22/02", True),
    ("ipc_codes", "G06F 17/30;", True),
    ("ipc_codes", "G06F 17/30,B21D 22/02", False),  # not split by the classification
    ("ipc_codes", "17/30", False),
    ("main_ipc", "H04W 4/70", True),
    ("main_ipc", "发明", False),
])
def test_patent_format_patterns(suites, name, text, ok) -> None:
    """GX's pandas engine applies a regex with re.search (str.contains), as here."""
    (spec,) = _find(suites["raw_patents"], "records", "expect_column_values_to_match_regex",
                    column=name)
    assert bool(re.search(spec.kwargs["regex"], text)) is ok


def _write(tmp_path, text: str, name: str = "s.yml"):
    path = tmp_path / name
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


GOOD = """\
    suite: t_suite
    asset: raw/t
    previous_build:
      previous_row_count: SELECT count(*) FROM t
    batches:
      - name: rows
        sql: SELECT * FROM t
        expectations:
          - type: expect_column_values_to_not_be_null
            kwargs: {column: k}
            blocking: true
            notes: keys
          - type: expect_table_row_count_to_be_between
            kwargs: {min_value: {$PARAMETER: previous_row_count * 0.9}}
            blocking: false
"""


def test_loader_reads_a_minimal_suite_into_gx_configs(tmp_path) -> None:
    suite = load_suite(_write(tmp_path, GOOD))
    assert suite.asset_key == ("raw", "t")
    assert suite.has_blocking and suite.n_expectations == 2
    batch = suite.batches[0]
    assert batch.expectations[1].parameters == {"previous_row_count"}
    configs = expectation_configs(batch)
    assert [c["meta"] for c in configs] == [{"blocking": True, "position": 1},
                                            {"blocking": False, "position": 2}]
    assert [c["severity"] for c in configs] == ["critical", "warning"]
    assert configs[0]["notes"].endswith("keys")
    assert [c["meta"]["position"] for c in expectation_configs(batch, skip={2})] == [1]


@pytest.mark.parametrize(("change", "message"), [
    (("            blocking: true\n", ""), "'blocking' must be true or false"),
    (("    asset: raw/t\n", "    asset: raw/t\n    owner: me\n"), "unknown key(s) ['owner']"),
    (("previous_row_count * 0.9", "last_count * 0.9"), "not defined in previous_build"),
    (("SELECT * FROM t", ""), "'sql'"),
    (("expect_column_values_to_not_be_null", "column_not_null"), "GX expectation"),
])
def test_loader_names_the_file_and_the_problem(tmp_path, change, message) -> None:
    path = _write(tmp_path, GOOD.replace(*change))
    with pytest.raises(SuiteFileError) as err:
        load_suite(path)
    assert str(path) in str(err.value) and message in str(err.value)


def test_suite_names_must_be_unique(tmp_path) -> None:
    _write(tmp_path, GOOD, "a.yml")
    _write(tmp_path, GOOD, "b.yml")
    with pytest.raises(SuiteFileError, match="t_suite"):
        load_suites(tmp_path)


def test_checks_module_loads_without_great_expectations() -> None:
    """Definitions load imports gx_checks; GX (about ten seconds) must wait for a check run."""
    code = ("import sys, orchestration.quality.gx_checks as c, orchestration.quality.docs; "
            "assert 'great_expectations' not in sys.modules, 'GX imported'; "
            "print(sorted(k.name for d in c.ASSET_CHECKS for k in d.check_keys))")
    proc = subprocess.run([sys.executable, "-c", code], cwd=PROJECT_ROOT, capture_output=True,
                          text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert proc.stdout.strip() == str(sorted(f"gx_{p.stem}" for p in
                                             EXPECTATIONS_DIR.glob("*.yml")))
