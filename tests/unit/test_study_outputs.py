"""Paper-ready outputs of the studies: LaTeX, Excel, HTML, figures, the estimates rows,
and the Dagster asset factory over the shipped specifications."""

from __future__ import annotations

import re

import duckdb
import numpy as np
import pandas as pd
import pytest

from models_py.output import estimates_tables
from models_py.output.report_html import ReportFigure, ReportTable, render_report
from models_py.output.study_outputs import (
    SYNTHETIC_NOTE,
    read_sidecar,
    write_study_report,
    write_table_outputs,
)
from models_py.output.tables import regression_table
from models_py.output.tables_excel import SheetTable, sheet_name, write_workbook
from models_py.output.tables_latex import latex_escape, to_latex
from models_py.panel import fit_panel_ols
from models_py.studies.runner import StudyTable
from models_py.studies.spec import SPATIAL_TABLE_TYPES, discover_specs, load_spec, table_names

PNG = b"\x89PNG\r\n\x1a\n"


@pytest.fixture(scope="module")
def results():
    """Two small two-way FE models on simulated data (x has a true slope of 0.5)."""
    rng = np.random.default_rng(7)
    n, t = 40, 6
    df = pd.DataFrame({"id": np.repeat(np.arange(n), t), "year": np.tile(np.arange(t), n)})
    df["x_core"] = rng.normal(size=len(df))
    df["z"] = rng.normal(size=len(df))
    df["y"] = 0.5 * df["x_core"] + 0.2 * df["z"] + rng.normal(size=len(df))
    common = dict(dependent="y", entity="id", time="year", entity_effects=True,
                  time_effects=True, cov="clustered_entity")
    return [fit_panel_ols(df, regressors=["x_core"], name="base", **common),
            fit_panel_ols(df, regressors=["x_core", "z"], name="with z", **common)]


# --- LaTeX ------------------------------------------------------------------------------


def _strip_escaped(tex: str) -> str:
    return tex.replace(r"\{", "").replace(r"\}", "").replace(r"\\", "")


def _rows(tex: str) -> list[str]:
    """Body rows of the tabular (between the header midrule and bottomrule)."""
    body = tex.split(r"\bottomrule")[0].split(r"\midrule", 1)[1]
    return [line for line in body.splitlines() if line.endswith(r"\\")]


def test_latex_regression_table_has_the_esttab_shape(results) -> None:
    labels = {"x_core": "Digital_index & 100% $ #1", "z": "Control z"}
    table = regression_table(results, labels=labels)
    tex = to_latex(table, "Table 1: results_{x}", ["* p<0.1, ** p<0.05", "Data: 50% synthetic"],
                   label="tab:x", regression=True)

    braces = _strip_escaped(tex)
    assert braces.count("{") == braces.count("}")
    depth = 0
    for char in braces:  # never closes a brace it has not opened
        depth += {"{": 1, "}": -1}.get(char, 0)
        assert depth >= 0
    begins = re.findall(r"\\begin\{(\w+)\}", tex)
    ends = re.findall(r"\\end\{(\w+)\}", tex)
    assert begins == ["table", "tabular", "minipage"]
    assert ends == ["tabular", "minipage", "table"]
    assert tex.count(r"\toprule") == 1 and tex.count(r"\bottomrule") == 1
    # header rule, and the rule between the coefficients and the statistics
    assert tex.count(r"\midrule") == 2

    rows = _rows(tex)
    n_cols = len(results) + 1
    for row in rows:  # every & of a label or note is escaped: exactly n_cols cells per row
        assert len(re.findall(r"(?<!\\)&", row)) == n_cols - 1, row
    escaped = latex_escape(labels["x_core"])
    assert escaped == r"Digital\_index \& 100\% \$ \#1"
    coef_rows = [r for r in rows if r.startswith(escaped)]
    assert len(coef_rows) == 1  # one row per variable ...
    i = rows.index(coef_rows[0])
    se_row = rows[i + 1]  # ... followed by its standard errors
    assert se_row.startswith(" & (")
    for k, r in enumerate(results):
        cells = [c.strip() for c in coef_rows[0].removesuffix(r"\\").split(" & ")[1:]]
        ses = [c.strip() for c in se_row.removesuffix(r"\\").split(" & ")[1:]]
        assert cells[k].startswith(f"{r.params['x_core']:.3f}")
        assert ses[k] == f"({r.std_errors['x_core']:.3f})"
    # p < 0.01 for x_core (t about 10): three stars, set as \sym{***}
    assert all(float(r.pvalues["x_core"]) < 0.01 for r in results)
    assert coef_rows[0].count(r"\sym{***}") == len(results)
    assert sum(r.startswith("Control z") for r in rows) == 1
    stats = rows[-6:]
    assert stats[0].startswith("N & ") and "textsuperscript{2}" in stats[1]
    mean_y = f"{results[0].dep_mean:.3f}"
    assert stats[2] == f"Mean of dep. var. & {mean_y} & {mean_y} \\\\"
    assert stats[3] == r"Clusters & 40 & 40 \\"  # errors clustered by the 40 entities
    assert stats[4] == r"City FE & Yes & Yes \\" and stats[5] == r"Year FE & Yes & Yes \\"
    assert len(rows) == 2 * 2 + 6
    assert r"results\_\{x\}" in tex and r"50\% synthetic" in tex
    assert r"p\textless{}0.1" in tex  # OT1 fonts would print "<" as an inverted "!"


def test_latex_escape_every_special() -> None:
    assert latex_escape(r"a\b") == r"a\textbackslash{}b"
    assert latex_escape("~^") == r"\textasciitilde{}\textasciicircum{}"
    assert latex_escape("{x}_1") == r"\{x\}\_1"
    assert latex_escape("R² ≥ 0") == r"R\textsuperscript{2} $\geq$ 0"


def test_latex_statistics_table_without_row_labels() -> None:
    frame = pd.DataFrame({"test": ["ADF", "Kao"], "statistic": [1.23456, -2.5],
                          "p_value": [0.00001, np.nan]})
    tex = to_latex(frame, "Tests", [])
    assert r"\begin{tabular}{*{3}{c}}" in tex
    rows = _rows(tex)
    # p-values below 0.001 read "<0.001" (not 1.00e-05 or 0.000)
    assert rows == [r"ADF & 1.235 & \textless{}0.001 \\", r"Kao & -2.500 &  \\"]


def test_latex_row_starting_with_bracket_is_shielded() -> None:
    frame = pd.DataFrame({"v": ["x"]}, index=pd.Index(["[0.1, 0.2]"], name=""))
    assert r"{}[0.1, 0.2] & x \\" in to_latex(frame, "t", [])


# --- Excel ------------------------------------------------------------------------------


def test_workbook_has_one_sheet_per_table(tmp_path, results) -> None:
    from openpyxl import load_workbook

    reg = regression_table(results)
    stats = pd.DataFrame({"test": ["F"], "statistic": [3.5], "p_value": [0.01]})
    long_name = "a_table_name_that_is_longer_than_31_characters"
    tables = [SheetTable("benchmark", "Benchmark", reg, ["SE in parentheses"]),
              SheetTable("f:test", "F test", stats),
              SheetTable(long_name, "Long", stats)]
    path = write_workbook(tables, tmp_path / "study.xlsx", banner=SYNTHETIC_NOTE)
    book = load_workbook(path)
    assert book.sheetnames == ["benchmark", "f_test", long_name[:31]]
    sheet = book["benchmark"]
    assert sheet["A1"].value == "Benchmark"
    assert sheet["A2"].value == SYNTHETIC_NOTE
    values = [[c.value for c in row] for row in sheet.iter_rows()]
    header = values[3]
    assert header[1:] == list(reg.columns)
    assert values[4][1] == reg.iloc[0, 0]
    assert [v[0] for v in values if v[0] == "SE in parentheses"] == ["SE in parentheses"]
    f_sheet = [[c.value for c in row] for row in book["f_test"].iter_rows()]
    assert ["F", 3.5, 0.01] in f_sheet  # numbers stay numbers
    assert sheet_name("x" * 40, {"x" * 31}) == "x" * 29 + "_2"


# --- HTML -------------------------------------------------------------------------------


def _report(tmp_path, results, synthetic: bool) -> str:
    from models_py.output.figures import coefficient_plot

    png = coefficient_plot(results, "x_core", tmp_path / "coef.png", "t", "")
    landing = pd.DataFrame({"source_file": ["a.csv"], "kind": ["patents"],
                            "source_sha256": ["ab" * 32], "synthetic": [synthetic]})
    tables = [ReportTable("benchmark", "Benchmark <b>", regression_table(results),
                          ["note & more"], regression=True)]
    return render_report("s1", "Study <1>", "title: x < y\n", landing, tables,
                         [ReportFigure("Coefficients", png)], synthetic)


def test_html_banner_only_when_synthetic(tmp_path, results) -> None:
    synthetic = _report(tmp_path, results, True)
    real = _report(tmp_path, results, False)
    assert '<div class="banner">SYNTHETIC DATA' in synthetic
    assert "SYNTHETIC" not in real.replace("some inputs are SYNTHETIC", "")
    assert "banner\">" not in real
    for page in (synthetic, real):
        assert "ab" * 32 in page  # provenance: the sha256 of the landing file
        assert "data:image/png;base64," in page  # figure embedded, not linked
        assert not re.search(r"(src|href)=\"https?://", page)  # nothing from a CDN
        assert "<script" not in page
        assert "Study &lt;1&gt;" in page and "title: x &lt; y" in page
        assert "Benchmark &lt;b&gt;" in page


# --- per-table files and the study report -------------------------------------------------


@pytest.fixture(scope="module")
def spec():
    return load_spec(next(s.path for s in discover_specs() if s.id == "paper002_city"))


def _heterogeneity_table(results) -> StudyTable:
    coefs = pd.DataFrame({"group": ["East", "West"],
                          "estimate": [float(r.params["x_core"]) for r in results],
                          "conf_low": [float(r.conf_low["x_core"]) for r in results],
                          "conf_high": [float(r.conf_high["x_core"]) for r in results]})
    return StudyTable(study="paper002_city", name="heterogeneity_region", title="By region",
                      frame=regression_table(results), kind="regression",
                      notes=["Clustered SE."], key_numbers={"b": 0.5}, models=list(results),
                      model_labels=["East", "West"],
                      figure_data={"coefficients": coefs, "term": "x_core"})


def test_table_outputs_and_study_report(tmp_path, spec, results) -> None:
    from openpyxl import load_workbook

    het = _heterogeneity_table(results)
    grid = np.linspace(0, 1, 50)
    thr = StudyTable(study="paper002_city", name="threshold", title="Threshold",
                     frame=pd.DataFrame({"y": ["1.0"]}, index=pd.Index(["gamma"], name="")),
                     kind="regression",
                     figure_data={"grid": grid, "lr_curves": [(grid - 0.4) ** 2 * 40],
                                  "critical_value": 7.35, "thresholds": [0.4],
                                  "threshold_variable": "q"})
    scores = pd.DataFrame({"city_code": np.repeat(["a", "b", "c"], 3),
                           "year": np.tile([2020, 2021, 2022], 3),
                           "index": np.arange(9.0), "region3": np.repeat(["east", "west",
                                                                          "east"], 3)})
    pca = StudyTable(study="paper002_city", name="pca", title="PCA index",
                     frame=pd.DataFrame({"PC1": [0.9]}, index=pd.Index(["v"], name="")),
                     kind="statistics",
                     figure_data={"scores": scores, "group": "region3", "index": "index"})
    out = tmp_path / "paper002_city"
    for table in (het, thr, pca):
        write_table_outputs(table, spec, out, "Source: 3 landing file(s).", True,
                            {"a": "City A"})
    for suffix in ("md", "tex", "csv", "json"):
        assert (out / f"heterogeneity_region.{suffix}").exists()
    for png in ("heterogeneity_region_coef", "threshold_lr", "pca_trend", "pca_rank"):
        assert (out / f"{png}.png").read_bytes()[:8] == PNG, png
    md = (out / "heterogeneity_region.md").read_text(encoding="utf-8")
    assert md.startswith("**By region**") and SYNTHETIC_NOTE in md
    assert "Source: 3 landing file(s)." in md
    assert SYNTHETIC_NOTE.replace("—", "---") in (out / "threshold.tex").read_text("utf-8")
    back = read_sidecar(out / "heterogeneity_region.json")
    assert list(back["frame"].columns) == list(het.frame.columns)
    assert back["frame"].iloc[0, 0] == het.frame.iloc[0, 0]

    written = write_study_report(spec, ["heterogeneity_region", "threshold", "pca"], out,
                                 pd.DataFrame({"source_file": ["x"], "synthetic": [True]}),
                                 True, "title: t\n")
    assert load_workbook(written["xlsx"]).sheetnames == ["heterogeneity_region", "threshold",
                                                         "pca"]
    html = written["html"].read_text(encoding="utf-8")
    assert html.count("data:image/png;base64,") == 4
    assert '<div class="banner">SYNTHETIC DATA' in html
    with pytest.raises(FileNotFoundError, match="studies/paper002_city/missing"):
        write_study_report(spec, ["missing"], out, pd.DataFrame(), True, "")


# --- estimates rows ---------------------------------------------------------------------


def test_estimates_rows_replace_on_rerun(results) -> None:
    from orchestration.assets.estimation import store_estimates

    table = _heterogeneity_table(results)
    table.tests = pd.DataFrame({"test": ["equal slopes"], "statistic": [2.0], "df": [1.0],
                                "p_value": [0.16], "note": ["H0: equal"]})
    other = _heterogeneity_table(results)
    other.name = "benchmark"
    con = duckdb.connect()
    con.execute("CREATE SCHEMA estimates")
    # An older layout (without table_name) is replaced, not appended to.
    con.execute("CREATE TABLE estimates.coefficients (study VARCHAR, model VARCHAR)")
    store_estimates(con, other)
    first = store_estimates(con, table)
    again = store_estimates(con, table)
    assert first == again == {"models": 2, "coefficients": 3, "tests": 1}
    coefs = con.execute("SELECT * FROM estimates.coefficients WHERE table_name = "
                        "'heterogeneity_region' ORDER BY model_order, term").df()
    assert len(coefs) == 3
    assert coefs["model"].tolist() == ["(1) East", "(2) West", "(2) West"]
    west = coefs[(coefs["model_order"] == 2) & (coefs["term"] == "z")].iloc[0]
    assert west["estimate"] == pytest.approx(float(results[1].params["z"]), rel=1e-12)
    assert west["std_error"] == pytest.approx(float(results[1].std_errors["z"]), rel=1e-12)
    models = con.execute("SELECT * FROM estimates.models ORDER BY table_name, model_order").df()
    assert len(models) == 4  # the other table's rows are untouched
    assert models["nobs"].tolist() == [r.nobs for r in results] * 2
    tests = con.execute("SELECT * FROM estimates.tests").df()
    assert tests.loc[0, "df"] == "1" and tests.loc[0, "p_value"] == pytest.approx(0.16)
    assert list(tests.columns) == list(estimates_tables.COLUMNS["tests"])


# --- Dagster ------------------------------------------------------------------------------


def test_study_asset_factory_builds_every_shipped_table() -> None:
    """One group per spec, an asset per table under studies/<study>/<table> downstream of
    the mart(s) it reads, a report asset downstream of the tables, and publication
    waiting for all of them. Needs dbt_project/target/manifest.json."""
    from dagster import AssetKey

    from orchestration.definitions import defs

    graph = defs.resolve_asset_graph()
    keys = set(graph.get_all_asset_keys())
    specs = discover_specs()
    assert {s.id for s in specs} >= {"paper002_city", "real_province_st"}
    publish = graph.get(AssetKey(["published_warehouse"])).parent_keys
    for s in specs:
        tables = table_names(s)
        expected = {AssetKey(["studies", s.id, t]) for t in [*tables, "report"]}
        assert expected <= keys
        in_group = {k for k in keys if graph.get(k).group_name == f"study_{s.id}"}
        assert in_group == expected
        marts = {AssetKey(m.split(".")) for m in s.marts}
        for t in tables:
            node = graph.get(AssetKey(["studies", s.id, t]))
            # maps and spatial statistics also draw on the region polygons
            spatial = s.table(t).type in SPATIAL_TABLE_TYPES
            boundaries = {AssetKey(["marts", "region_boundaries"])} if spatial else set()
            assert node.parent_keys == marts | boundaries
            assert node.description
        report = graph.get(AssetKey(["studies", s.id, "report"]))
        assert report.parent_keys == {AssetKey(["studies", s.id, t]) for t in tables}
        assert expected <= publish
    assert AssetKey(["estimates", "benchmark_twfe"]) not in keys
    assert AssetKey(["reports", "benchmark_twfe_report"]) not in keys
