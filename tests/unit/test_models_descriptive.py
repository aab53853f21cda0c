"""models_py.descriptive against scipy's moment functions and closed forms."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from models_py.datasets import load_grunfeld
from models_py.descriptive import STAT_ORDER, correlation, describe


@pytest.fixture(scope="module")
def grunfeld() -> pd.DataFrame:
    return load_grunfeld()


def test_moments_match_scipy_population_definitions(grunfeld: pd.DataFrame) -> None:
    cols = ["inv", "value", "capital"]
    table = describe(grunfeld, cols).table
    assert list(table.index) == list(STAT_ORDER)
    for c in cols:
        x = grunfeld[c].to_numpy(float)
        assert table.loc["Mean", c] == pytest.approx(x.mean(), rel=1e-12)
        assert table.loc["Median", c] == pytest.approx(np.median(x), rel=1e-12)
        assert table.loc["Std. Dev.", c] == pytest.approx(x.std(ddof=1), rel=1e-12)
        assert table.loc["Skewness", c] == pytest.approx(stats.skew(x, bias=True), rel=1e-10)
        assert table.loc["Kurtosis", c] == pytest.approx(
            stats.kurtosis(x, fisher=False, bias=True), rel=1e-10
        )
        jb = stats.jarque_bera(x)
        assert table.loc["Jarque-Bera", c] == pytest.approx(jb.statistic, rel=1e-10)
        assert table.loc["Probability", c] == pytest.approx(jb.pvalue, rel=1e-8, abs=1e-300)
        assert table.loc["Sum", c] == pytest.approx(x.sum(), rel=1e-12)
        assert table.loc["Observations", c] == 200


def test_hand_computed_case() -> None:
    # x = 0, 0, 0, 4: mean 1, m2 = 3, m3 = 6, m4 = 21 -> S = 6 / 3^1.5, K = 21 / 9.
    res = describe(pd.DataFrame({"x": [0.0, 0.0, 0.0, 4.0]}), ["x"]).table["x"]
    s, k = 6 / 3**1.5, 21 / 9
    assert res["Skewness"] == pytest.approx(s, rel=1e-12)
    assert res["Kurtosis"] == pytest.approx(k, rel=1e-12)
    jb = 4 / 6 * (s**2 + (k - 3) ** 2 / 4)
    assert res["Jarque-Bera"] == pytest.approx(jb, rel=1e-12)
    # chi2(2) survival function is exp(-x / 2).
    assert res["Probability"] == pytest.approx(np.exp(-jb / 2), rel=1e-12)
    assert res["Std. Dev."] == pytest.approx(2.0, rel=1e-12)  # sqrt(12 / 3)


def test_missing_values_individual_or_common_sample() -> None:
    df = pd.DataFrame({"a": [1.0, 2.0, np.nan, 4.0], "b": [1.0, np.nan, 3.0, 5.0]})
    ind = describe(df, ["a", "b"]).table
    com = describe(df, ["a", "b"], common_sample=True).table
    assert ind.loc["Observations"].tolist() == [3, 3]
    assert com.loc["Observations"].tolist() == [2, 2]
    assert com.loc["Mean", "a"] == pytest.approx(2.5)


def test_tidy_frame_has_one_row_per_variable_statistic(grunfeld: pd.DataFrame) -> None:
    frame = describe(grunfeld, ["inv", "value"]).descriptive_frame()
    assert list(frame.columns) == ["variable", "statistic", "value"]
    assert len(frame) == 2 * len(STAT_ORDER)


def test_correlation_matches_pearsonr(grunfeld: pd.DataFrame) -> None:
    cols = ["inv", "value", "capital"]
    res = correlation(grunfeld, cols)
    tidy = res.correlation_frame()
    assert len(tidy) == 3
    for _, row in tidy.iterrows():
        ref = stats.pearsonr(grunfeld[row.var1], grunfeld[row.var2])
        assert row.r == pytest.approx(ref.statistic, rel=1e-12)
        assert row.p_value == pytest.approx(ref.pvalue, rel=1e-8, abs=1e-300)
    table = res.eviews_table()
    assert table.shape == (6, 3)
    assert table.iloc[0, 1] == "----"  # upper triangle blank, as EViews prints it
    assert table.iloc[2, 0] == f"{res.corr.loc['value', 'inv']:.4f}"
    assert res.pvalues.loc["value", "inv"] < 0.001 and table.iloc[3, 0] == "<0.001"


def test_correlation_uses_complete_rows() -> None:
    df = pd.DataFrame({"a": [1.0, 2.0, 3.0, 4.0, 5.0], "b": [2.0, 1.0, 4.0, np.nan, 6.0]})
    res = correlation(df, ["a", "b"])
    assert res.nobs == 4
    ref = stats.pearsonr([1, 2, 3, 5], [2, 1, 4, 6])
    assert res.pvalues.loc["a", "b"] == pytest.approx(ref.pvalue, rel=1e-10)
