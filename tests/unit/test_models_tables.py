"""Tests of models_py.output.tables (esttab-style table, Markdown) and models_py.output.figures."""

from __future__ import annotations

import struct
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from models_py.datasets import load_grunfeld
from models_py.output.figures import coefficient_plot
from models_py.output.tables import regression_table, star_note, to_markdown
from models_py.panel import PanelResult, fit_panel_ols


def make_result(
    name: str,
    coefs: dict[str, tuple[float, float, float]],
    nobs: int = 2970,
    r2_within: float = 0.41234,
    entity_effects: bool = True,
    time_effects: bool = True,
) -> PanelResult:
    """A PanelResult with chosen (estimate, se, p-value) per term."""
    terms = list(coefs)
    est = pd.Series([coefs[t][0] for t in terms], index=terms)
    se = pd.Series([coefs[t][1] for t in terms], index=terms)
    p = pd.Series([coefs[t][2] for t in terms], index=terms)
    return PanelResult(
        name=name,
        dependent="y",
        params=est,
        std_errors=se,
        tstats=est / se,
        pvalues=p,
        conf_low=est - 1.96 * se,
        conf_high=est + 1.96 * se,
        nobs=nobs,
        n_entities=198,
        n_periods=15,
        r2_within=r2_within,
        r2_overall=0.9,
        adj_r2=0.4,
        f_stat=10.0,
        f_pvalue=0.001,
        cov_type="clustered_entity",
        entity_effects=entity_effects,
        time_effects=time_effects,
    )


@pytest.fixture
def two_models() -> list[PanelResult]:
    m1 = make_result(
        "base",
        {"dig": (0.12345, 0.03111, 0.004), "size": (-1.5, 0.7, 0.04), "open": (0.2, 0.1, 0.07)},
    )
    m2 = make_result(
        "no year FE",
        {"dig": (0.1, 0.2, 0.62), "gov": (2.0, 0.5, 0.0105)},
        nobs=2800,
        r2_within=0.3,
        time_effects=False,
    )
    return [m1, m2]


def test_layout_stars_and_standard_errors(two_models: list[PanelResult]) -> None:
    table = regression_table(two_models)
    assert list(table.columns) == ["(1) base", "(2) no year FE"]
    assert list(table.index) == [
        "dig",
        "",
        "size",
        "",
        "open",
        "",
        "gov",
        "",
        "N",
        "R² (within)",
        "Clusters",  # both models cluster by entity (198 cities); no mean given: no row
        "City FE",
        "Year FE",
    ]
    col1, col2 = table["(1) base"].tolist(), table["(2) no year FE"].tolist()
    # p = 0.004 < 0.01 -> ***; 0.04 < 0.05 -> **; 0.07 < 0.1 -> *; 0.62 -> none
    assert col1[:6] == ["0.123***", "(0.031)", "-1.500**", "(0.700)", "0.200*", "(0.100)"]
    assert col1[6:8] == ["", ""]  # model 1 has no "gov"
    assert col2[:2] == ["0.100", "(0.200)"]
    assert col2[4:8] == ["", "", "2.000**", "(0.500)"]
    assert col1[8:] == ["2970", "0.412", "198", "Yes", "Yes"]
    assert col2[8:] == ["2800", "0.300", "198", "Yes", "No"]


def test_mean_of_dependent_and_clusters_rows(two_models: list[PanelResult]) -> None:
    """esttab's stats(N r2 ymean N_clust): the mean of the dependent variable when the
    models carry it, the clusters of each model's errors ("" when not clustered)."""
    from dataclasses import replace

    models = [replace(two_models[0], dep_mean=2.31549),
              replace(two_models[1], cov_type="robust"),
              replace(two_models[1], name="twoway", cov_type="clustered_twoway")]
    table = regression_table(models)
    assert table.loc["Mean of dep. var."].tolist() == ["2.315", "", ""]
    assert table.loc["Clusters"].tolist() == ["198", "", "198 × 15"]
    unclustered = regression_table([replace(two_models[0], cov_type="robust")])
    assert "Clusters" not in unclustered.index and "Mean of dep. var." not in unclustered.index
    fitted = fit_panel_ols(load_grunfeld(), "inv", ["value", "capital"], "firm", "year")
    table = regression_table([fitted])
    assert table.loc["Mean of dep. var."].iloc[0] == f"{load_grunfeld()['inv'].mean():.3f}"
    assert table.loc["Clusters"].iloc[0] == "10"


def test_digits_labels_and_custom_stars(two_models: list[PanelResult]) -> None:
    table = regression_table(
        two_models,
        stars=(0.05, 0.01),
        digits=2,
        labels={"gov": "Government spending", "dig": "Digital economy"},
        fe_labels=("Province FE", "Year FE"),
    )
    # labelled terms first, in the order of `labels`, then the rest as they appear
    assert list(table.index[:8]) == [
        "Government spending",
        "",
        "Digital economy",
        "",
        "size",
        "",
        "open",
        "",
    ]
    assert table.iloc[2, 0] == "0.12**"  # p = 0.004: below both thresholds
    assert table.iloc[0, 1] == "2.00*"  # p = 0.0105: below 0.05 only
    assert table.iloc[6, 0] == "0.20"  # p = 0.07: no star at (0.05, 0.01)
    assert table.iloc[3, 0] == "(0.03)"
    assert "Province FE" in table.index


def test_star_note() -> None:
    assert star_note() == "* p<0.1, ** p<0.05, *** p<0.01"
    assert star_note((0.01, 0.05)) == "* p<0.05, ** p<0.01"


def test_table_from_real_fit_agrees_with_result() -> None:
    df = load_grunfeld()
    res = fit_panel_ols(df, "inv", ["value", "capital"], "firm", "year", name="two-way",
                        time_effects=True)
    table = regression_table([res], labels={"value": "Market value"})
    col = table["(1) two-way"]
    coef_cell = col.iloc[0]
    # the number shown is the estimate rounded to 3 decimals, stars from the p-value
    assert float(coef_cell.rstrip("*")) == pytest.approx(round(res.params["value"], 3))
    n_stars = len(coef_cell) - len(coef_cell.rstrip("*"))
    p = float(res.pvalues["value"])
    assert n_stars == sum(p < t for t in (0.1, 0.05, 0.01))
    assert col.iloc[1] == f"({res.std_errors['value']:.3f})"
    assert col["N"] == "200"


def test_markdown_pipe_table(two_models: list[PanelResult]) -> None:
    table = regression_table(two_models)
    table.iloc[0, 1] = "a|b"  # a pipe inside a cell must not split it
    md = to_markdown(table, "Table 1: Baseline", "Note: " + star_note())
    blocks = md.strip().split("\n\n")
    assert blocks[0] == "**Table 1: Baseline**"
    assert blocks[-1] == "Note: * p<0.1, ** p<0.05, *** p<0.01"
    lines = blocks[1].splitlines()
    assert lines[0] == "|  | (1) base | (2) no year FE |"
    assert lines[1] == "|:---|---:|---:|"
    assert len(lines) == 2 + len(table)
    for line in lines:
        # three columns: four unescaped pipes per line
        assert line.replace("\\|", "").count("|") == 4, line
    assert lines[2] == "| dig | 0.123*** | a\\|b |"
    assert lines[3] == "|  | (0.031) | (0.200) |"
    assert lines[-1] == "| Year FE | Yes | No |"


def test_coefficient_plot_writes_png(tmp_path: Path, two_models: list[PanelResult]) -> None:
    out = coefficient_plot(
        two_models,
        "dig",
        tmp_path / "figs" / "dig.png",
        "Digital economy",
        "Synthetic demo data",
    )
    assert out == tmp_path / "figs" / "dig.png"
    data = out.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", data[16:24])
    assert width == 960  # 6.4 in at 150 dpi
    assert height > 200
    assert len(data) > 5_000
    # not a blank canvas: several distinct colours (points, text, grid)
    from matplotlib.image import imread

    pixels = imread(out)
    assert len(np.unique(pixels.reshape(-1, pixels.shape[-1]), axis=0)) > 10


def test_coefficient_plot_unknown_term(tmp_path: Path, two_models: list[PanelResult]) -> None:
    with pytest.raises(ValueError, match="no model has the term"):
        coefficient_plot(two_models, "nope", tmp_path / "x.png", "t", "n")
    assert not (tmp_path / "x.png").exists()


def test_empty_results_raise() -> None:
    with pytest.raises(ValueError, match="empty"):
        regression_table([])
