"""models_py.transforms: Stata's percentile rule, winsor2 semantics, lags and logs."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from models_py.transforms import lag_within, log1p, stata_pctile, winsorize


def test_stata_pctile_hand_cases() -> None:
    x = np.arange(1.0, 11.0)  # 1..10
    # n p / 100 = 1 (integer): average of the 1st and 2nd values; numpy's default
    # linear interpolation would give 1.9.
    assert stata_pctile(x, 10) == 1.5
    # 2.5 (not an integer): the 3rd value; linear interpolation would give 3.25.
    assert stata_pctile(x, 25) == 3.0
    assert stata_pctile(x, 50) == 5.5
    assert np.percentile(x, 10) != 1.5


@pytest.mark.parametrize("n", [7, 50, 200, 2970])
def test_stata_pctile_is_averaged_inverted_cdf(n: int) -> None:
    rng = np.random.default_rng(n)
    x = rng.lognormal(size=n)
    for p in (1, 5, 10, 25, 50, 75, 90, 95, 99):
        ref = np.percentile(x, p, method="averaged_inverted_cdf")
        assert stata_pctile(x, p) == pytest.approx(ref, rel=1e-12)


def test_winsorize_clips_at_stata_percentiles_and_keeps_missing() -> None:
    rng = np.random.default_rng(1)
    x = rng.standard_t(2, size=300)
    x[5] = np.nan
    df = pd.DataFrame({"x": x})
    out = winsorize(df, ["x"], cuts=(1, 99), suffix="_w")
    lo, hi = stata_pctile(x, 1), stata_pctile(x, 99)
    w = out["x_w"]
    assert np.isnan(w.iloc[5])
    assert w.min() == lo and w.max() == hi
    inside = (x >= lo) & (x <= hi)
    np.testing.assert_array_equal(w.to_numpy()[inside], x[inside])
    # n = 299: n p / 100 = 2.99 -> the 3rd value is the 1 % cut, so 2 values lie below;
    # 296.01 -> the 297th is the 99 % cut, 2 above.
    assert int((x < lo).sum()) == 2 and int((x > hi).sum()) == 2
    trimmed = winsorize(df, ["x"], trim=True)["x"]
    assert trimmed.isna().sum() == 5


def test_winsorize_by_group_uses_each_groups_percentiles() -> None:
    df = pd.DataFrame({"g": ["a"] * 10 + ["b"] * 10,
                       "x": list(range(10)) + list(range(100, 110))})
    out = winsorize(df, ["x"], cuts=(10, 90), by="g")
    a = out.loc[df.g == "a", "x"]
    b = out.loc[df.g == "b", "x"]
    assert a.min() == 0.5 and a.max() == 8.5  # n p = 1 and 9: averages
    assert b.min() == 100.5 and b.max() == 108.5


def test_lag_within_follows_the_calendar() -> None:
    df = pd.DataFrame({"id": [1, 1, 1, 2, 2], "year": [2010, 2011, 2013, 2010, 2011],
                       "x": [1.0, 2.0, 3.0, 10.0, 20.0]})
    out = lag_within(df, ["x"], "id", "year")
    assert out["L1_x"].tolist()[:3] == [pytest.approx(np.nan, nan_ok=True), 1.0,
                                         pytest.approx(np.nan, nan_ok=True)]
    assert out["L1_x"].tolist()[4] == 10.0
    assert out.index.equals(df.index)


def test_log1p() -> None:
    out = log1p(pd.DataFrame({"x": [0.0, np.e - 1]}), ["x"])
    assert out["ln1p_x"].tolist() == pytest.approx([0.0, 1.0])
    with pytest.raises(ValueError):
        log1p(pd.DataFrame({"x": [-1.0]}), ["x"])
