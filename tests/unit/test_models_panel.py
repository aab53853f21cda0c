"""Tests of models_py.panel.fit_panel_ols against published numbers, an independent
implementation (statsmodels OLS with dummies) and the covariance formula rebuilt by hand."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import statsmodels.formula.api as smf

from models_py.datasets import load_grunfeld
from models_py.panel import PanelResult, fit_panel_ols

X = ["value", "capital"]


@pytest.fixture(scope="module")
def grunfeld() -> pd.DataFrame:
    return load_grunfeld()


def simulate_panel(
    seed: int, n_entities: int = 120, n_periods: int = 12, rho: float = 0.0
) -> pd.DataFrame:
    """Balanced panel y = 1.5 x1 - 0.8 x2 + a_i + g_t + e with x correlated with a_i.

    With rho > 0 the regressors and the errors are AR(1) within each entity, so the
    errors of an entity are correlated and clustering matters.
    """
    rng = np.random.default_rng(seed)
    alpha = rng.normal(size=n_entities)
    gamma = rng.normal(size=n_periods)
    x = np.zeros((n_entities, n_periods, 2))
    e = np.zeros((n_entities, n_periods))
    for t in range(n_periods):
        x_prev = x[:, t - 1, :] if t else 0.0
        e_prev = e[:, t - 1] if t else 0.0
        x[:, t, :] = rho * x_prev + rng.normal(size=(n_entities, 2)) + 0.7 * alpha[:, None]
        e[:, t] = rho * e_prev + rng.normal(size=n_entities)
    y = 1.5 * x[..., 0] - 0.8 * x[..., 1] + alpha[:, None] + gamma[None, :] + e
    return pd.DataFrame(
        {
            "city": np.repeat([f"c{i:03d}" for i in range(n_entities)], n_periods),
            "year": np.tile(np.arange(2010, 2010 + n_periods), n_entities),
            "y": y.ravel(),
            "x1": x[..., 0].ravel(),
            "x2": x[..., 1].ravel(),
        }
    )


def cluster_cov_by_hand(
    df: pd.DataFrame, y: str, xs: list[str], entity: str, time: str, two_way: bool
) -> tuple[np.ndarray, np.ndarray]:
    """Stata's entity-clustered covariance on a balanced panel, from the formula.

    Within transform by demeaning (two-way: x_it - x_i. - x_.t + x_..), OLS, cluster
    sums of scores, and q = G/(G-1) * (N-1)/(N-K) with K = k + T (two-way; the
    intercept and T-1 year dummies) or K = k + 1 (entity effects only).
    """
    d = df.sort_values([entity, time])
    n_e, n_t = d[entity].nunique(), d[time].nunique()
    assert len(d) == n_e * n_t, "by-hand formula needs a balanced panel"
    cols = [y, *xs]
    a = d[cols].to_numpy(float).reshape(n_e, n_t, len(cols))
    within = a - a.mean(axis=1, keepdims=True)
    if two_way:
        within = within - a.mean(axis=0, keepdims=True) + a.mean(axis=(0, 1), keepdims=True)
    yw = within[..., 0].reshape(-1)
    xw = within[..., 1:].reshape(-1, len(xs))
    beta = np.linalg.solve(xw.T @ xw, xw.T @ yw)
    resid = (yw - xw @ beta).reshape(n_e, n_t)
    scores = np.einsum("gtk,gt->gk", within[..., 1:], resid)  # one row per cluster
    bread = np.linalg.inv(xw.T @ xw)
    n, k, g = n_e * n_t, len(xs), n_e
    k_stata = k + (n_t if two_way else 1)
    q = g / (g - 1) * (n - 1) / (n - k_stata)
    return beta, q * bread @ (scores.T @ scores) @ bread


# --- Published reference numbers ---------------------------------------------------------


def test_grunfeld_within_and_pooled_match_baltagi(grunfeld: pd.DataFrame) -> None:
    # SOURCE.txt: Baltagi (2013) Table 2.1 / plm, printed to 7 significant digits.
    fe = fit_panel_ols(grunfeld, "inv", X, "firm", "year", time_effects=False, cov="unadjusted")
    np.testing.assert_allclose(fe.params[X], [0.1101238, 0.3100653], atol=5e-8)
    np.testing.assert_allclose(fe.std_errors[X], [0.0118567, 0.0173545], atol=5e-8)
    # within vcov * 1e3 from plm's test file, quoted in SOURCE.txt
    np.testing.assert_allclose(
        fe.cov.to_numpy() * 1e3, [[0.14058, -0.077468], [-0.077468, 0.3011788]], rtol=5e-5
    )
    assert fe.nobs == 200 and fe.n_entities == 10 and fe.n_periods == 20
    assert fe.df_resid == 188  # sigma2_e = SSR / 188 in SOURCE.txt

    pooled = fit_panel_ols(
        grunfeld,
        "inv",
        X,
        "firm",
        "year",
        entity_effects=False,
        time_effects=False,
        cov="unadjusted",
    )
    np.testing.assert_allclose(pooled.params[X], [0.1155622, 0.2306785], atol=5e-8)
    np.testing.assert_allclose(pooled.std_errors[X], [0.0058357, 0.0254758], atol=5e-8)


@pytest.mark.parametrize(
    ("entity_fe", "time_fe", "se", "f_stat", "r2_lsdv"),
    [
        # gretl "Robust (HAC)" panel output quoted in plm's tests/test_pwaldtest.R
        # (github.com/ycroissant/plm), which notes gretl uses Stata's small-sample
        # adjustment; model 6 has time dummies: q = G/(G-1) (N-1)/(N-k-1-19).
        (True, False, [0.0151945, 0.0527518], 28.3096, 0.944073),
        (True, True, [0.0108244, 0.0478484], 60.0821, 0.951693),
        (False, False, [0.0158943, 0.0849671], 51.59060, 0.812408),
    ],
)
def test_grunfeld_clustered_matches_stata_adjustment(
    grunfeld: pd.DataFrame,
    entity_fe: bool,
    time_fe: bool,
    se: list[float],
    f_stat: float,
    r2_lsdv: float,
) -> None:
    res = fit_panel_ols(grunfeld, "inv", X, "firm", "year", entity_fe, time_fe)
    # printed to 7 decimals (se), 4-5 decimals (F), 6 decimals (R2)
    np.testing.assert_allclose(res.std_errors[X], se, atol=5e-8)
    assert res.f_stat == pytest.approx(f_stat, abs=5e-4)
    assert res.r2_overall == pytest.approx(r2_lsdv, abs=5e-7)
    assert res.df_resid == 9  # F(2, 9): G - 1


def test_grunfeld_within_r2_matches_gretl(grunfeld: pd.DataFrame) -> None:
    # gretl (same source as above): "Within R-squared 0.766758" for the entity-FE model.
    res = fit_panel_ols(grunfeld, "inv", X, "firm", "year", time_effects=False)
    assert res.r2_within == pytest.approx(0.766758, abs=5e-7)


# --- Clustered covariance rebuilt by hand --------------------------------------------------


@pytest.mark.parametrize("two_way", [True, False])
def test_clustered_cov_by_hand_grunfeld(grunfeld: pd.DataFrame, two_way: bool) -> None:
    beta, cov = cluster_cov_by_hand(grunfeld, "inv", X, "firm", "year", two_way)
    res = fit_panel_ols(grunfeld, "inv", X, "firm", "year", True, two_way)
    np.testing.assert_allclose(res.params[X], beta, rtol=1e-8)
    np.testing.assert_allclose(res.cov.to_numpy(), cov, rtol=1e-8, atol=1e-8 * np.abs(cov).max())
    np.testing.assert_allclose(res.std_errors[X], np.sqrt(np.diag(cov)), rtol=1e-8)


@pytest.mark.parametrize("two_way", [True, False])
def test_clustered_cov_by_hand_simulated(two_way: bool) -> None:
    df = simulate_panel(seed=11, rho=0.5)
    beta, cov = cluster_cov_by_hand(df, "y", ["x1", "x2"], "city", "year", two_way)
    res = fit_panel_ols(df, "y", ["x1", "x2"], "city", "year", True, two_way)
    np.testing.assert_allclose(res.params.to_numpy(), beta, rtol=1e-8)
    np.testing.assert_allclose(res.cov.to_numpy(), cov, rtol=1e-8, atol=1e-8 * np.abs(cov).max())


# --- Against statsmodels OLS with entity and year dummies (LSDV) ----------------------------


def _lsdv(df: pd.DataFrame, y: str, xs: list[str], entity: str, time: str, **fit_kw):
    formula = f"{y} ~ {' + '.join(xs)} + C({entity}) + C({time})"
    return smf.ols(formula, data=df).fit(**fit_kw)


@pytest.mark.parametrize("dataset", ["grunfeld", "simulated", "simulated_unbalanced"])
def test_matches_lsdv(grunfeld: pd.DataFrame, dataset: str) -> None:
    if dataset == "grunfeld":
        df, y, xs, ent, tim = grunfeld, "inv", X, "firm", "year"
    else:
        df = simulate_panel(seed=3, n_entities=60, n_periods=8, rho=0.3)
        y, xs, ent, tim = "y", ["x1", "x2"], "city", "year"
        if dataset == "simulated_unbalanced":
            df = df.sample(frac=0.8, random_state=5).reset_index(drop=True)
    n, k = len(df), len(xs)
    n_e, n_t = df[ent].nunique(), df[tim].nunique()

    unadj = fit_panel_ols(df, y, xs, ent, tim, cov="unadjusted", time_effects=True)
    lsdv = _lsdv(df, y, xs, ent, tim)
    np.testing.assert_allclose(unadj.params[xs], lsdv.params[xs], rtol=1e-8)
    np.testing.assert_allclose(unadj.std_errors[xs], lsdv.bse[xs], rtol=1e-8)
    assert unadj.r2_overall == pytest.approx(lsdv.rsquared, rel=1e-8)
    assert unadj.nobs == n

    robust = fit_panel_ols(df, y, xs, ent, tim, cov="robust", time_effects=True)
    lsdv_hc1 = _lsdv(df, y, xs, ent, tim, cov_type="HC1")
    np.testing.assert_allclose(robust.std_errors[xs], lsdv_hc1.bse[xs], rtol=1e-8)

    # statsmodels counts every dummy in K (areg-style): K_lsdv = k + N_e + T - 1.
    # Stata's xtreg/reghdfe leave out the entity effects nested in the clusters:
    # K = k + T. So the variances differ exactly by (N - K_lsdv) / (N - K).
    clustered = fit_panel_ols(df, y, xs, ent, tim, time_effects=True)
    lsdv_cl = _lsdv(df, y, xs, ent, tim, cov_type="cluster", cov_kwds={"groups": df[ent]})
    ratio = np.sqrt((n - (k + n_e + n_t - 1)) / (n - (k + n_t)))
    np.testing.assert_allclose(clustered.std_errors[xs], lsdv_cl.bse[xs] * ratio, rtol=1e-8)


def test_time_effects_only_equals_ols_with_year_dummies(grunfeld: pd.DataFrame) -> None:
    # No effect is nested in the clusters, so K is the same in both: regress y x i.year,
    # vce(cluster firm).
    res = fit_panel_ols(grunfeld, "inv", X, "firm", "year", entity_effects=False, time_effects=True)
    ols = smf.ols("inv ~ value + capital + C(year)", data=grunfeld).fit(
        cov_type="cluster", cov_kwds={"groups": grunfeld["firm"]}
    )
    np.testing.assert_allclose(res.params[X], ols.params[X], rtol=1e-8)
    np.testing.assert_allclose(res.std_errors[X], ols.bse[X], rtol=1e-8)


def test_clustered_twoway_matches_cgm_formula(grunfeld: pd.DataFrame) -> None:
    # Cameron-Gelbach-Miller: V_firm + V_year - V_firm*year, each one-way part scaled
    # by G_j/(G_j-1) (N-1)/N, times N/(N - k - df_a) with every effect counted.
    d = grunfeld.sort_values(["firm", "year"])
    a = d[["inv", *X]].to_numpy(float).reshape(10, 20, 3)
    w = a - a.mean(axis=1, keepdims=True) - a.mean(axis=0, keepdims=True) + a.mean(axis=(0, 1))
    yw, xw = w[..., 0].ravel(), w[..., 1:].reshape(-1, 2)
    beta = np.linalg.solve(xw.T @ xw, xw.T @ yw)
    u = yw - xw @ beta
    xu = xw * u[:, None]
    n = len(u)
    firm = np.repeat(np.arange(10), 20)
    year = np.tile(np.arange(20), 10)

    def meat(groups: np.ndarray) -> np.ndarray:
        labels = np.unique(groups)
        sums = np.array([xu[groups == g].sum(axis=0) for g in labels])
        return len(labels) / (len(labels) - 1) * (n - 1) / n * sums.T @ sums

    bread = np.linalg.inv(xw.T @ xw)
    m = meat(firm) + meat(year) - meat(firm * 100 + year)
    cov = n / (n - 2 - (10 + 20 - 1)) * bread @ m @ bread
    res = fit_panel_ols(grunfeld, "inv", X, "firm", "year", cov="clustered_twoway",
                        time_effects=True)
    np.testing.assert_allclose(res.cov.to_numpy(), cov, rtol=1e-8, atol=1e-8 * np.abs(cov).max())
    assert res.df_resid == 9  # min(G_firm, G_year) - 1


# --- Simulated panels with known coefficients ----------------------------------------------


def test_recovers_known_coefficients_with_sane_errors() -> None:
    df = simulate_panel(seed=2024, n_entities=200, n_periods=15)
    res = fit_panel_ols(df, "y", ["x1", "x2"], "city", "year", time_effects=True)
    truth = pd.Series({"x1": 1.5, "x2": -0.8})
    assert ((res.params - truth).abs() < 4 * res.std_errors).all()
    # Errors are iid N(0, 1) here, so sd(b | X) = sqrt(diag((X~'X~)^-1)) exactly; the
    # cluster-robust estimate should be near it (G = 200: within +-25 %).
    _, cov = cluster_cov_by_hand(df, "y", ["x1", "x2"], "city", "year", two_way=True)
    d = df.sort_values(["city", "year"])
    a = d[["x1", "x2"]].to_numpy().reshape(200, 15, 2)
    w = (
        a - a.mean(axis=1, keepdims=True) - a.mean(axis=0, keepdims=True) + a.mean(axis=(0, 1))
    ).reshape(-1, 2)
    sd_true = np.sqrt(np.diag(np.linalg.inv(w.T @ w)))
    ratio = res.std_errors.to_numpy() / sd_true
    assert np.all((ratio > 0.75) & (ratio < 1.25)), ratio
    assert res.n_entities == 200 and res.n_periods == 15 and res.nobs == 3000
    assert 0 < res.r2_within < res.r2_overall < 1
    assert res.f_pvalue < 1e-6


def test_clustered_errors_track_sampling_spread_under_serial_correlation() -> None:
    # With AR(1) regressors and errors within each entity the unadjusted SE understates
    # the spread of b across samples; the entity-clustered SE should match it
    # (40 draws: the spread itself is known to about +-11 %).
    samples = [simulate_panel(seed=s, n_entities=80, n_periods=10, rho=0.8) for s in range(40)]
    draws = [fit_panel_ols(d, "y", ["x1", "x2"], "city", "year", time_effects=True)
             for d in samples]
    estimates = np.array([r.params["x1"] for r in draws])
    spread = estimates.std(ddof=1)
    mean_se = np.mean([r.std_errors["x1"] for r in draws])
    assert 0.7 < mean_se / spread < 1.4, (mean_se, spread)
    assert abs(estimates.mean() - 1.5) < 4 * spread / np.sqrt(len(draws))
    unadjusted = [
        fit_panel_ols(d, "y", ["x1", "x2"], "city", "year", cov="unadjusted",
                      time_effects=True).std_errors["x1"]
        for d in samples[:10]
    ]
    clustered = [r.std_errors["x1"] for r in draws[:10]]
    assert np.mean(unadjusted) < 0.8 * np.mean(clustered)


# --- Data handling and errors ---------------------------------------------------------------


def test_rows_with_missing_values_are_dropped(grunfeld: pd.DataFrame) -> None:
    df = grunfeld.copy()
    df.loc[[3, 50], "inv"] = np.nan
    df.loc[[77], "capital"] = np.nan
    df["unused"] = np.nan  # a missing value outside the model's columns drops nothing
    res = fit_panel_ols(df, "inv", X, "firm", "year", time_effects=True)
    assert res.nobs == 197
    ref = fit_panel_ols(grunfeld.drop(index=[3, 50, 77]), "inv", X, "firm", "year",
                        time_effects=True)
    np.testing.assert_allclose(res.params, ref.params, rtol=1e-12)
    np.testing.assert_allclose(res.std_errors, ref.std_errors, rtol=1e-12)
    lsdv = _lsdv(df.dropna(subset=["inv", *X]), "inv", X, "firm", "year")
    np.testing.assert_allclose(res.params[X], lsdv.params[X], rtol=1e-8)


def test_missing_column_raises(grunfeld: pd.DataFrame) -> None:
    with pytest.raises(ValueError, match="columns not in the data.*'nope'"):
        fit_panel_ols(grunfeld, "inv", ["value", "nope"], "firm", "year", time_effects=True)
    with pytest.raises(ValueError, match="columns not in the data"):
        fit_panel_ols(grunfeld, "inv", X, "firm", "period", time_effects=True)


def test_duplicate_entity_time_raises(grunfeld: pd.DataFrame) -> None:
    df = pd.concat([grunfeld, grunfeld.iloc[[5]]], ignore_index=True)
    with pytest.raises(ValueError, match="does not identify rows"):
        fit_panel_ols(df, "inv", X, "firm", "year", time_effects=True)


def test_bad_options_and_collinear_regressors_raise(grunfeld: pd.DataFrame) -> None:
    with pytest.raises(ValueError, match="cov must be one of"):
        fit_panel_ols(grunfeld, "inv", X, "firm", "year", cov="clustered", time_effects=True)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="at least one"):
        fit_panel_ols(grunfeld, "inv", [], "firm", "year", time_effects=True)
    with pytest.raises(ValueError, match="infinite.*'value'"):
        fit_panel_ols(grunfeld.assign(value=np.inf), "inv", X, "firm", "year", time_effects=True)
    df = grunfeld.assign(
        firm_size=grunfeld["firm"] * 2.0,  # constant within firm
        trend=grunfeld["year"] - 1935.0,  # varies only over time
    )
    with pytest.raises(ValueError, match="collinear.*firm_size"):
        fit_panel_ols(df, "inv", [*X, "firm_size"], "firm", "year", time_effects=True)
    with pytest.raises(ValueError, match="collinear.*trend"):
        fit_panel_ols(df, "inv", [*X, "trend"], "firm", "year", time_effects=True)
    # without year effects a trend is identified
    res = fit_panel_ols(df, "inv", [*X, "trend"], "firm", "year", time_effects=False)
    assert np.isfinite(res.std_errors["trend"])


def test_frames_are_tidy(grunfeld: pd.DataFrame) -> None:
    res = fit_panel_ols(grunfeld, "inv", X, "firm", "year", name="baseline", time_effects=True)
    assert isinstance(res, PanelResult)
    coefs = res.coefficients_frame()
    assert list(coefs.columns) == [
        "model",
        "term",
        "estimate",
        "std_error",
        "t_stat",
        "p_value",
        "conf_low",
        "conf_high",
    ]
    assert coefs["term"].tolist() == X and set(coefs["model"]) == {"baseline"}
    np.testing.assert_allclose(coefs["t_stat"], coefs["estimate"] / coefs["std_error"])
    assert (coefs["conf_low"] < coefs["estimate"]).all()
    assert (coefs["estimate"] < coefs["conf_high"]).all()
    stats_ = res.stats_frame()
    assert list(stats_.columns) == ["model", "statistic", "value"]
    assert stats_["statistic"].tolist() == [
        "nobs",
        "n_entities",
        "n_periods",
        "r2_within",
        "r2_overall",
        "adj_r2",
        "f_stat",
        "f_pvalue",
    ]
    values = stats_.set_index("statistic")["value"]
    assert values["nobs"] == 200 and values["n_entities"] == 10
    # adjusted within R2, reghdfe's formula with df_a = 10 + 20 - 1 absorbed parameters
    expected_adj = 1 - (1 - res.r2_within) * (200 - 29) / (200 - 29 - 2)
    assert values["adj_r2"] == pytest.approx(expected_adj, rel=1e-12)
    assert res.name == "baseline" and res.dependent == "inv"
    assert fit_panel_ols(grunfeld, "inv", X, "firm", "year", time_effects=True).name == "inv"


def test_munnell_two_way_against_linearmodels_and_its_df_difference() -> None:
    # linearmodels' shipped Munnell panel (48 states x 17 years). The slopes equal
    # PanelOLS(entity_effects, time_effects); the clustered variances differ by the
    # documented small-sample factor: linearmodels (debiased, group_debias) counts all
    # n + T - 1 effects in K, Stata's xtreg counts the T - 1 year dummies and the
    # constant only (the entity effects are nested in the clusters), so
    # var_here / var_linearmodels = (N - k - (n + T - 1)) / (N - k - T).
    from linearmodels import PanelOLS
    from linearmodels.datasets import munnell

    m = munnell.load()
    m["lgsp"] = np.log(m["GSP"])
    xs = ["HWY", "WATER", "UTIL", "PC", "EMP", "UNEMP"]
    ours = fit_panel_ols(m, "lgsp", xs, "ST_ABB", "YR", time_effects=True)
    data = m.set_index(["ST_ABB", "YR"])
    lm = PanelOLS(data["lgsp"], data[xs], entity_effects=True, time_effects=True).fit(
        cov_type="clustered", cluster_entity=True, debiased=True, group_debias=True)
    np.testing.assert_allclose(ours.params, lm.params[xs], rtol=1e-9)
    n_obs, k, n_ent, n_t = len(m), len(xs), 48, 17
    factor = (n_obs - k - (n_ent + n_t - 1)) / (n_obs - k - n_t)
    np.testing.assert_allclose(ours.std_errors**2, factor * lm.std_errors[xs] ** 2, rtol=1e-9)
    # Pooled OLS (no effects) equals linearmodels' PooledOLS with a constant.
    from linearmodels import PooledOLS

    pooled = fit_panel_ols(m, "lgsp", xs, "ST_ABB", "YR", entity_effects=False,
                           time_effects=False, cov="unadjusted")
    ref = PooledOLS(data["lgsp"], data[xs].assign(const=1.0)).fit(debiased=True)
    np.testing.assert_allclose(pooled.params, ref.params[xs], rtol=1e-9)
    np.testing.assert_allclose(pooled.std_errors, ref.std_errors[xs], rtol=1e-9)
