"""models_py.pca against closed forms, scipy and a second route through the algebra (SVD,
regression residuals), never against its own earlier output."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from models_py.pca import (
    bartlett_sphericity,
    chi2_sf,
    correlation_matrix,
    kmo,
    kmo_verdict,
    pca_tables,
    principal_components,
    retained_components,
    standardize,
)


def equicorrelation(p: int, rho: float) -> np.ndarray:
    return (1 - rho) * np.eye(p) + rho * np.ones((p, p))


def correlated_sample(n: int = 400, p: int = 5, seed: int = 7) -> np.ndarray:
    """Indicators driven by two latent factors plus noise, on very different scales."""
    rng = np.random.default_rng(seed)
    factors = rng.normal(size=(n, 2))
    mix = rng.uniform(0.3, 1.0, size=(2, p))
    x = factors @ mix + rng.normal(scale=0.6, size=(n, p))
    return x * np.logspace(0, 4, p) + 100


@pytest.mark.parametrize("df", [1, 2, 3, 4, 7, 10, 21, 36, 45])
@pytest.mark.parametrize("x", [0.01, 0.5, 1.0, 3.0, 10.0, 40.0, 150.0, 900.0])
def test_chi2_tail_matches_scipy(df: int, x: float) -> None:
    expected = stats.chi2.sf(x, df)
    assert chi2_sf(x, df) == pytest.approx(expected, rel=1e-9, abs=1e-300)


def test_chi2_tail_edges() -> None:
    assert chi2_sf(0.0, 3) == 1.0
    assert chi2_sf(float("inf"), 3) == 0.0
    with pytest.raises(ValueError):
        chi2_sf(1.0, 0)


@pytest.mark.parametrize("p,rho", [(2, 0.3), (2, 0.8), (4, 0.5), (6, 0.2), (9, 0.7)])
def test_kmo_of_equicorrelation_has_closed_form(p: int, rho: float) -> None:
    # R = (1 - rho) I + rho J has R^-1 with partial correlations q = rho / (1 + (p - 2) rho),
    # so KMO = MSA_i = a^2 / (a^2 + 1), a = 1 + (p - 2) rho (derived by hand; 1/2 for p = 2).
    a = 1 + (p - 2) * rho
    expected = a**2 / (a**2 + 1)
    result = kmo(equicorrelation(p, rho))
    assert result.overall == pytest.approx(expected, rel=1e-12)
    np.testing.assert_allclose(result.per_variable, expected, rtol=1e-12)


def test_kmo_matches_partial_correlations_from_regression_residuals() -> None:
    # The anti-image correlation of i and j is the correlation of the residuals of i and j
    # regressed on all other variables: a route without R^-1.
    z, _, _ = standardize(correlated_sample())
    n, p = z.shape
    partial = np.eye(p)
    for i in range(p):
        for j in range(i + 1, p):
            others = np.delete(z, [i, j], axis=1)
            design = np.column_stack([np.ones(n), others])
            ri = z[:, i] - design @ np.linalg.lstsq(design, z[:, i], rcond=None)[0]
            rj = z[:, j] - design @ np.linalg.lstsq(design, z[:, j], rcond=None)[0]
            partial[i, j] = partial[j, i] = np.corrcoef(ri, rj)[0, 1]
    r = np.corrcoef(z, rowvar=False)
    off = ~np.eye(p, dtype=bool)
    r2, q2 = (r**2)[off].sum(), (partial**2)[off].sum()
    result = kmo(correlation_matrix(z))
    assert result.overall == pytest.approx(r2 / (r2 + q2), rel=1e-10)
    per_variable = [
        (r[i, off[i]] ** 2).sum() / ((r[i, off[i]] ** 2).sum() + (partial[i, off[i]] ** 2).sum())
        for i in range(p)
    ]
    np.testing.assert_allclose(result.per_variable, per_variable, rtol=1e-10)


@pytest.mark.parametrize("p,rho,n", [(3, 0.4, 50), (5, 0.6, 200), (8, 0.1, 1000)])
def test_bartlett_of_equicorrelation(p: int, rho: float, n: int) -> None:
    # |R| = (1 - rho)^(p - 1) (1 + (p - 1) rho) for the equicorrelation matrix.
    logdet = (p - 1) * np.log(1 - rho) + np.log(1 + (p - 1) * rho)
    statistic = -(n - 1 - (2 * p + 5) / 6) * logdet
    df = p * (p - 1) // 2
    result = bartlett_sphericity(equicorrelation(p, rho), n)
    assert result.df == df
    assert result.statistic == pytest.approx(statistic, rel=1e-12)
    assert result.p_value == pytest.approx(stats.chi2.sf(statistic, df), rel=1e-9, abs=1e-300)


def test_bartlett_of_identity_is_zero_and_singular_matrix_is_undefined() -> None:
    result = bartlett_sphericity(np.eye(4), 100)
    assert result.statistic == pytest.approx(0.0, abs=1e-12)
    assert result.p_value == pytest.approx(1.0)
    singular = equicorrelation(3, 1.0)
    assert np.isnan(bartlett_sphericity(singular, 100).statistic)
    assert np.isnan(kmo(singular).overall)


def test_kmo_verdicts() -> None:
    assert kmo_verdict(0.93) == "marvelous"
    assert kmo_verdict(0.8) == "meritorious"
    assert kmo_verdict(0.55) == "miserable"
    assert kmo_verdict(0.3) == "unacceptable"
    assert kmo_verdict(float("nan")) == "undefined"


def test_retention_rules() -> None:
    values = np.array([3.0, 0.5, 0.3, 0.2])  # cumulative shares 0.75, 0.875, 0.95, 1
    assert retained_components(values, "eigenvalue") == 1
    assert retained_components(values, "cumulative", 0.85) == 2
    assert retained_components(values, "cumulative", 0.95) == 3
    assert retained_components(values, "both", 0.85) == 2
    assert retained_components(np.array([2.2, 1.3, 0.4, 0.1]), "both", 0.5) == 2
    assert retained_components(np.ones(3), "eigenvalue") == 1  # none > 1: keep one
    with pytest.raises(ValueError):
        retained_components(values, "scree")


def test_equicorrelated_data_give_the_mean_z_score_as_composite() -> None:
    # Exactly equicorrelated columns: l1 = 1 + (p - 1) rho, the rest 1 - rho; v1 = 1 / sqrt(p);
    # one component kept, so the composite is sum_j z_j / sqrt(p).
    rng = np.random.default_rng(3)
    p, rho, n = 4, 0.6, 500
    raw = rng.normal(size=(n, p))
    white = np.linalg.cholesky(np.cov(raw, rowvar=False))
    base = (raw - raw.mean(axis=0)) @ np.linalg.inv(white).T  # sample covariance = I
    x = base @ np.linalg.cholesky(equicorrelation(p, rho)).T
    result = principal_components(x * [1, 10, 100, 0.5])
    np.testing.assert_allclose(
        result.eigenvalues, [1 + (p - 1) * rho] + [1 - rho] * (p - 1), rtol=1e-9
    )
    assert result.n_kept == 1
    z = (x - x.mean(axis=0)) / x.std(axis=0, ddof=1)
    np.testing.assert_allclose(result.composite, z.sum(axis=1) / np.sqrt(p), atol=1e-9)
    np.testing.assert_allclose(result.loadings[:, 0], np.sqrt((1 + (p - 1) * rho) / p), rtol=1e-9)


def test_components_match_the_singular_value_decomposition() -> None:
    x = correlated_sample()
    result = principal_components(x, rule="cumulative", threshold=0.85)
    z = (x - x.mean(axis=0)) / x.std(axis=0, ddof=1)
    u, s, vt = np.linalg.svd(z, full_matrices=False)
    n = x.shape[0]
    np.testing.assert_allclose(result.eigenvalues, s**2 / (n - 1), rtol=1e-10)
    k = result.n_kept
    # same components up to sign; the module signs each so its coefficients sum > 0
    signs = np.sign(vt[:k].sum(axis=1))
    scores = (u[:, :k] * s[:k]) * signs
    np.testing.assert_allclose(result.scores, scores, atol=1e-8)
    shares = s[:k] ** 2 / (s[:k] ** 2).sum()
    np.testing.assert_allclose(result.composite, scores @ shares, atol=1e-8)
    assert result.cumulative_share[k - 1] >= 0.85 > result.cumulative_share[k - 2]
    assert np.all(result.eigenvectors.sum(axis=0) > 0)


def test_negative_direction_is_the_negated_indicator() -> None:
    x = correlated_sample(p=4)
    flipped = x.copy()
    flipped[:, 2] = -flipped[:, 2]
    a = principal_components(x, directions=["+", "+", "-", "+"])
    b = principal_components(flipped)
    np.testing.assert_allclose(a.composite, b.composite, atol=1e-10)
    np.testing.assert_allclose(a.eigenvalues, b.eigenvalues, rtol=1e-12)
    assert a.mean[2] == pytest.approx(x[:, 2].mean())


def test_invalid_inputs_are_refused() -> None:
    x = correlated_sample(p=3)
    with pytest.raises(ValueError, match="zero variance"):
        principal_components(np.column_stack([x, np.ones(len(x))]))
    with pytest.raises(ValueError, match="missing"):
        principal_components(np.where(np.eye(len(x), 3, dtype=bool), np.nan, x))
    with pytest.raises(ValueError, match="direction"):
        principal_components(x, directions=["+", "x", "+"])
    with pytest.raises(ValueError, match="more observations"):
        principal_components(x[:3])


def long_frame(x: np.ndarray, system: str, directions: list[str]) -> pd.DataFrame:
    n, p = x.shape
    regions = [f"{i % 20:06d}" for i in range(n)]
    years = [2000 + i // 20 for i in range(n)]
    rows = [
        {"system": system, "level": "city", "region_code": regions[i], "year": years[i],
         "indicator_code": f"ind_{j}", "dimension": f"dim_{j % 2}",
         "direction": directions[j], "value": x[i, j]}
        for i in range(n) for j in range(p)
    ]
    return pd.DataFrame(rows)


def test_pca_tables_lay_out_every_system_and_ignore_row_order() -> None:
    x = correlated_sample(n=200, p=4)
    values = pd.concat([
        long_frame(x, "s1", ["+", "+", "-", "+"]),
        long_frame(np.column_stack([x[:, :3], np.full(200, 5.0)]), "s2", ["+"] * 4),
    ])
    tables = pca_tables(values, rule="eigenvalue")
    shuffled = pca_tables(values.sample(frac=1.0, random_state=1), rule="eigenvalue")
    pd.testing.assert_frame_equal(tables.scores, shuffled.scores)

    direct = principal_components(x, ["+", "+", "-", "+"])
    s1 = tables.scores[tables.scores["system"] == "s1"]
    # rows are ordered by region then year; the matrix above is ordered by year then region
    order = np.lexsort((np.arange(200) // 20, np.arange(200) % 20))
    np.testing.assert_allclose(s1["composite"].to_numpy(), direct.composite[order], atol=1e-10)
    assert s1["composite_scaled"].min() == 0 and s1["composite_scaled"].max() == 1

    adequacy = tables.adequacy.set_index("system")
    assert adequacy.loc["s2", "indicators_dropped"] == "ind_3"  # constant column left out
    assert adequacy.loc["s2", "n_indicators"] == 3
    assert adequacy.loc["s1", "kmo"] == pytest.approx(direct.kmo.overall)
    eigen = tables.eigenvalues[tables.eigenvalues["system"] == "s1"]
    assert eigen["eigenvalue"].sum() == pytest.approx(4.0)
    assert eigen.loc[eigen["kept"], "composite_weight"].sum() == pytest.approx(1.0)
    loadings = tables.loadings[tables.loadings["system"] == "s1"]
    assert len(loadings) == 16
    squares = loadings.assign(sq=loadings["loading"] ** 2).groupby("indicator_code")["sq"].sum()
    np.testing.assert_allclose(squares, 1.0, rtol=1e-10)


def test_a_system_without_pca_gets_only_an_adequacy_row_with_the_reason() -> None:
    x = correlated_sample(n=60, p=3)
    one_left = np.column_stack([x[:, :1], np.full(60, 2.0)])  # one non-constant indicator
    values = pd.concat([long_frame(x, "ok", ["+"] * 3),
                        long_frame(one_left, "bad", ["+", "+"])])
    tables = pca_tables(values)
    assert set(tables.scores["system"]) == {"ok"}
    assert set(tables.eigenvalues["system"]) == {"ok"}
    adequacy = tables.adequacy.set_index("system")
    assert "at least 2 columns" in adequacy.loc["bad", "note"]
    assert pd.isna(adequacy.loc["bad", "n_components"])
    assert pd.isna(adequacy.loc["ok", "note"])
    assert adequacy.loc["ok", "n_components"] >= 1


def test_a_bad_setting_fails_the_run_instead_of_every_system() -> None:
    values = long_frame(correlated_sample(n=60, p=3), "ok", ["+"] * 3)
    with pytest.raises(ValueError, match="rule"):
        pca_tables(values, rule="scree")
    with pytest.raises(ValueError, match="threshold"):
        pca_tables(values, rule="cumulative", threshold=85)
