"""`dri export`: any table of the published warehouse to csv / parquet / xlsx / dta, on a
small scratch warehouse (DRI_WAREHOUSE_DIR points at a temporary directory)."""

from __future__ import annotations

import struct

import duckdb
import pandas as pd
import pytest

from models_py.output import estimates_tables
from models_py.output.stata import stata_names, write_dta
from tests.conftest import run_dri


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory):
    root = tmp_path_factory.mktemp("export")
    (root / "warehouse").mkdir()
    db = root / "warehouse" / "dri.duckdb"
    with duckdb.connect(str(db)) as con:
        con.execute("CREATE SCHEMA marts; CREATE SCHEMA raw; CREATE SCHEMA estimates")
        con.execute("""CREATE TABLE marts.city_panel AS SELECT * FROM (VALUES
            ('130100', '石家庄市', 2020, 1.5, true, NULL::INTEGER),
            ('130200', '唐山市', 2021, NULL, false, 3))
            t(city_code, city_name, year, integrated_share, gdp_imputed, patents)""")
        # rows out of panel order: the .dta is sorted by (city_code, year)
        con.execute("""CREATE TABLE marts.city_panel_balanced AS SELECT * FROM (VALUES
            ('130200', '唐山市', 2021, 0.4), ('130100', '石家庄市', 2021, 0.2),
            ('130200', '唐山市', 2020, 0.3), ('130100', '石家庄市', 2020, 0.1))
            t(city_code, city_name, year, integrated_share)""")
        con.execute("CREATE TABLE raw.landing_files AS SELECT 'a.csv' AS source_file, "
                    "true AS synthetic, 'current' AS status")
        con.execute(estimates_tables.ddl("models"))
        con.execute("INSERT INTO estimates.models (study, table_name, synthetic, model_order, "
                    "model, nobs) VALUES ('real_province_st', 'benchmark', false, 1, '(1)', "
                    "403), ('paper002_city', 'benchmark', true, 2, '(2)', 2970), "
                    "('paper002_city', 'benchmark', true, 1, '(1)', 2970)")
        con.execute(estimates_tables.ddl("coefficients"))
        con.execute("INSERT INTO estimates.coefficients (study, table_name, model, term, "
                    "estimate) VALUES ('s', 't', '(1)', 'x', 1.25)")
    env = {"DRI_WAREHOUSE_DIR": str(root / "warehouse")}
    import os

    return root, {**os.environ, **env}


def _export(env, *args):
    return run_dri(env, "export", *args, timeout=120)


def test_unknown_table_exits_2_and_writes_nothing(warehouse) -> None:
    root, env = warehouse
    out = root / "out_unknown"
    proc = _export(env, "marts.city_pannel", "--format", "dta", "--out", str(out / "x.dta"))
    assert proc.returncode == 2
    assert "unknown table" in proc.stderr and "marts.city_panel" in proc.stderr
    assert not out.exists() or not any(out.iterdir())
    bad = _export(env, "marts.city_panel", "--format", "sav", "--out", str(out / "x.sav"))
    assert bad.returncode == 2 and not (out / "x.sav").exists()


@pytest.mark.parametrize("fmt", ["csv", "parquet", "xlsx"])
def test_export_round_trips(warehouse, fmt) -> None:
    root, env = warehouse
    path = root / f"city_panel.{fmt}"
    proc = _export(env, "marts.city_panel", "--format", fmt, "--out", str(path))
    assert proc.returncode == 0, proc.stderr
    reader = {"csv": lambda p: pd.read_csv(p, dtype={"city_code": str}),
              "parquet": pd.read_parquet, "xlsx": lambda p: pd.read_excel(
                  p, dtype={"city_code": str})}[fmt]
    back = reader(path)
    assert back["city_code"].tolist() == ["130100", "130200"]
    assert back["city_name"].tolist() == ["石家庄市", "唐山市"]
    assert back["integrated_share"].iloc[0] == 1.5 and pd.isna(back["integrated_share"].iloc[1])
    assert [p.name for p in root.iterdir() if p.name.startswith(".")] == []  # no temp left


def test_dta_reads_back_with_labels(warehouse) -> None:
    root, env = warehouse
    path = root / "panel.dta"
    proc = _export(env, "city_panel", "--format", "dta", "--out", str(path))
    assert proc.returncode == 0, proc.stderr
    with pd.io.stata.StataReader(path) as reader:
        back = reader.read()
        labels = reader.variable_labels()
        data_label = reader.data_label
    assert back["city_name"].tolist() == ["石家庄市", "唐山市"]
    assert back["gdp_imputed"].tolist() == [1, 0]
    assert back["year"].tolist() == [2020, 2021]
    # labels from dbt_project/models/marts/panels/city_panel.yml
    assert labels["city_code"].startswith("6-digit GB/T 2260 code of the city")
    assert all(len(v) <= 80 for v in labels.values())
    assert "SYNTHETIC" in data_label and "marts.city_panel" in data_label

    coefs = root / "coefficients.dta"
    assert _export(env, "estimates.coefficients", "--format", "dta", "--out",
                   str(coefs)).returncode == 0
    with pd.io.stata.StataReader(coefs) as reader:
        frame = reader.read()
        labels = reader.variable_labels()
    assert frame["estimate"].tolist() == [1.25]
    assert labels["estimate"] == estimates_tables.COLUMNS["coefficients"]["estimate"][1]


def test_write_dta_makes_names_and_strings_stata_safe(tmp_path) -> None:
    long_text = "长" * 800  # 2,400 bytes in UTF-8: more than str2045 holds
    frame = pd.DataFrame({
        "1st value": [1.0, 2.0], "in": [1, 2], "a" * 40: ["x", "y"],
        "note": [long_text, "short"], "flag": pd.array([True, None], dtype="boolean"),
    })
    names = stata_names(list(frame.columns))
    assert names == {"1st value": "_1st_value", "in": "in_", "a" * 40: "a" * 32,
                     "note": "note", "flag": "flag"}
    path = write_dta(frame, tmp_path / "x.dta", {"note": "A note " + "x" * 100},
                     "dataset " * 20)
    with pd.io.stata.StataReader(path) as reader:
        back = reader.read()
        labels = reader.variable_labels()
        data_label = reader.data_label
    assert list(back.columns) == list(names.values())
    assert back["note"].tolist() == [long_text, "short"]
    assert back["flag"].iloc[0] == 1 and pd.isna(back["flag"].iloc[1])
    assert len(labels["note"]) == 80 and labels["note"].endswith("...")
    assert len(data_label) <= 80


def test_dta_reads_with_pyreadstat_when_installed(tmp_path) -> None:
    pyreadstat = pytest.importorskip("pyreadstat")  # not in uv.lock today
    path = write_dta(pd.DataFrame({"x": [1.5]}), tmp_path / "p.dta", {"x": "X value"}, "d")
    frame, meta = pyreadstat.read_dta(str(path))
    assert frame["x"].tolist() == [1.5] and meta.column_names_to_labels["x"] == "X value"
    coded = write_dta(pd.DataFrame({"province_code": ["320000", "110000"], "year": [2020, 2020]}),
                      tmp_path / "c.dta", {"province_code": "**Province** code"}, "d")
    frame, meta = pyreadstat.read_dta(str(coded))
    assert meta.readstat_variable_types["province_code"] == "int32"  # long
    assert frame["province_code"].tolist() == [110000, 320000]
    assert meta.column_names_to_labels["province_code"] == "Province code"


def _read_dta(path):
    with pd.io.stata.StataReader(path) as reader:
        frame = reader.read(convert_categoricals=False)
        return frame, reader.variable_labels(), reader.data_label


def test_dta_is_ready_for_xtset(warehouse) -> None:
    """Region codes numeric (long) with the text kept, rows in (entity, time) order,
    labels without Markdown: `xtset city_code year` works without destring or sort."""
    root, env = warehouse
    path = root / "balanced.dta"
    proc = _export(env, "marts.city_panel_balanced", "--format", "dta", "--out", str(path))
    assert proc.returncode == 0, proc.stderr
    back, labels, _ = _read_dta(path)
    assert list(back.columns[:2]) == ["city_code", "city_code_str"]
    assert back["city_code"].dtype == "int32"  # Stata long
    assert back[["city_code", "year"]].values.tolist() == [
        [130100, 2020], [130100, 2021], [130200, 2020], [130200, 2021]]
    assert back["city_code_str"].tolist() == ["130100", "130100", "130200", "130200"]
    assert back["integrated_share"].tolist() == [0.1, 0.2, 0.3, 0.4]
    assert back["city_name"].tolist()[0] == "石家庄市"
    # the dbt description of integrated_share is Markdown ("**Integrated-patent share**")
    assert labels["integrated_share"].startswith("Integrated-patent share")
    assert "*" not in labels["integrated_share"]
    assert labels["city_code_str"].startswith("city_code as text: 6-digit GB/T 2260 code")
    raw = path.read_bytes()  # the variable type in the file itself
    start = raw.index(b"<variable_types>") + len(b"<variable_types>")
    first = struct.unpack("<H", raw[start:start + 2])[0]
    assert first == 65528  # Stata 118: 65528 = long


def test_dta_label_names_the_synthetic_studies(warehouse) -> None:
    root, env = warehouse
    path = root / "models.dta"
    proc = _export(env, "estimates.models", "--format", "dta", "--out", str(path))
    assert proc.returncode == 0, proc.stderr
    back, labels, data_label = _read_dta(path)
    # the real-data study is not called synthetic; the demo study is
    assert "SYNTHETIC" in data_label and "paper002_city" in data_label
    assert "real real_province_st" in data_label and len(data_label) <= 80
    assert back["synthetic"].tolist() == [1, 1, 0]  # sorted by study, table, model_order
    assert back["study"].tolist() == ["paper002_city", "paper002_city", "real_province_st"]
    assert back["model_order"].tolist() == [1, 2, 1]
    assert labels["synthetic"].startswith("The study's inputs include SYNTHETIC")


def test_dataset_label_and_plain_text() -> None:
    from models_py.output.stata import dataset_label, plain_text, sort_keys

    assert dataset_label("marts.x", warehouse_synthetic=True).startswith("SYNTHETIC")
    assert dataset_label("marts.x") == "marts.x (DRI Warehouse)"
    assert dataset_label("estimates.models", [], ["real_province_st"]).endswith(
        "real inputs only")
    many = [f"paper{i:03d}_province" for i in range(8)]
    long_label = dataset_label("estimates.coefficients", many, ["real_province_st"])
    assert len(long_label) <= 80 and "SYNTHETIC 8 of 9 studies" in long_label
    assert plain_text("**skeleton definition**: the `city_code` of [GB/T](http://x) *now*"
                      ) == "skeleton definition: the city_code of GB/T now"
    assert plain_text("ln_sei_revenue_imputed") == "ln_sei_revenue_imputed"
    assert sort_keys(["year", "province_code", "x"]) == ["province_code", "year"]
    assert sort_keys(["study", "table_name", "test_order"]) == ["study", "table_name",
                                                                "test_order"]
    assert sort_keys(["a", "b"]) == []
