"""Synthetic provincial demo data with a documented data-generating process (DGP).

Everything written here is SYNTHETIC: the 31 real province-level units, invented numbers.
It feeds the provincial studies of papers 000 (digital synergy of the industrial chain ->
regional technological innovation) and 004 (digital economy -> innovation of high-tech
industries, through manufacturing / producer-services co-agglomeration, with a threshold)
with known true effects. It is written as one long export (region, year, indicator,
value, unit), the shape of the bundled real provincial tables, so it flows through the
same reader, catalogue and marts as real data. Only indicators the real bundled tables
do not carry are written, so no column of marts.province_panel mixes real and synthetic
values.

Notation: i = province (31), t = year 2011..2023, s = t - 2011; region r(i) = East /
Central / West (ref_provinces.region3: Liaoning East, Jilin and Heilongjiang Central).
Every N(.) is an independent draw; AR(1) series start from their stationary distribution.

Shared world
------------
    a_i              = alpha_r(i) + N(0, 0.6), alpha_east = 0.7, alpha_central = -0.2,
                       alpha_west = -0.6                          development level
    ln gdp_it        = 9.6 + 0.8 a_i + 0.07 s + N(0, 0.02)      gdp, 亿元
    ln fdi_used_it   = random walk: 12.6 + 0.8 a_i + N(0, 0.4) in 2011, steps N(0.03, 0.08)
                                                                 fdi_used, 万美元

Paper 000 block (entity fixed effects)
--------------------------------------
    EI_it  = enterprise_websites_per_100 (个/百家): random walk with drift,
             45 + 6 a_i + N(0, 3) in 2011, steps N(1.0, 1.2)     -> I(1)
    ln RD_it = industrial_rd_expenditure (亿元): random walk, 5.0 + 0.9 a_i + N(0, 0.3)
             in 2011, steps N(0.09, 0.04)                        -> I(1)
    ln NVP_it = mu_i + b_i EI_it + 0.10 ln fdi_used_it + 0.50 ln RD_it + u_it
             NVP = industrial_valid_invention_patents (件), mu_i = 4.3 + 0.3 a_i + N(0, 0.2)
    b_i    = b_r(i) + N(0, 0.0015),  b_east = 0.030, b_central = 0.024, b_west = 0.018
    u_it   = 0.5 u_i,t-1 + sigma_r(i) eps_it (stationary AR(1)),
             sigma_east = 0.03, sigma_central = 0.05, sigma_west = 0.08

So ln NVP, EI, ln fdi_used and ln RD are I(1) and cointegrated province by province (the
error u is stationary); the pooled entity-FE slope on EI estimates a within-variance
weighted mean of the b_i (its noise-free value, `fe_slope_ei_pseudo_true`, is in the
truth); the EI x region interaction recovers b_central - b_east = -0.006 and b_west -
b_east = -0.012; the error variance differs by region (and so falls with EI: the West has
the least informatization and the noisiest errors), and it is serially correlated, so
clustered errors differ from ordinary ones. Unit-root and cointegration outcomes at the
default seed are checked, not assumed (tests/unit/test_demo_province.py).

Paper 004 block (two-way fixed effects; threshold model with entity effects)
-----------------------------------------------------------------------------
    D_it   = 0.6 a_i + g_i s + v_it, g_i ~ N(0.12, 0.05), v AR(1) rho 0.5, sd 0.15
             latent digital-economy level; six indicators load on it:
             x_k,it = m_k + l_k D_it + N(0, n_k)   (table DIGITAL_INDICATORS)
    DEI_it = composite_scaled of their PCA (models_py.pca.pca_tables, rule `eigenvalue`,
             on the printed values of 2011-2023): the index exactly as
             marts.index_pca_scores computes it for system `province_digital_economy`
    q_it   = urbanization_rate (%) = clip(55 + 8 a_i + N(0, 3) + 0.9 s + N(0, 0.5), 25, 92)
    CA_it  = kappa_t + A DEI_it + N(0, 0.05)                     A = 0.8
             co-agglomeration of manufacturing and producer services, the formula of
             marts.index_coagglomeration over the 31 provinces: employment is built so that
             the measured index equals this (kappa_t, a year effect, is what makes the
             location quotients average 1 over the provinces)
    ln Y_it = mu_i + BETA_LOW DEI_it 1[q_it <= GAMMA] + BETA_HIGH DEI_it 1[q_it > GAMMA]
             + B CA_it + 0.4 ln gdp_it + 0.1 ln fdi_used_it + N(0, 0.05)
             Y = hightech_new_product_revenue (亿元; printed in 万元),
             mu_i = 0.5 a_i + N(0, 0.3)
    GAMMA = 60, BETA_LOW = 0.6, BETA_HIGH = 1.2, B = 0.5; indirect effect A x B = 0.4.

The effect of DEI in a LINEAR model (benchmark, mediation, East vs Central/West) averages
the two regimes with sample weights, so its true value is a pseudo-true value: the
coefficient of the noise-free outcome (everything above except the last N(0, 0.05)) in the
same regression, computed by the generator and written to the truth file. The East is
more urbanized, so more of it is in the high regime: its linear slope is larger.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

YEARS = tuple(range(2011, 2024))
DEFAULT_SEED = 20240601  # the city demo's default: `dri demo-data` passes one seed to both
PCA_SYSTEM = "province_digital_economy"
LANDING_SUBDIR = Path("yearbook_long") / "demo_province"
FILE_NAME = "province_demo_long.csv"

ALPHA_REGION = {"east": 0.7, "central": -0.2, "west": -0.6}
B_REGION = {"east": 0.030, "central": 0.024, "west": 0.018}
B_PROVINCE_SD = 0.0015
SIGMA_REGION = {"east": 0.03, "central": 0.05, "west": 0.08}
RHO_000 = 0.5
CONTROLS_000 = {"ln_fdi_used": 0.10, "ln_industrial_rd_expenditure": 0.50}

A_DEI_ON_CA = 0.8
B_CA_ON_Y = 0.5
BETA_LOW = 0.6
BETA_HIGH = 1.2
GAMMA = 60.0
CONTROLS_004 = {"ln_gdp": 0.4, "ln_fdi_used": 0.1}
SIGMA_004 = 0.05

TRUE_EFFECTS: dict[str, float] = {
    "p000_b_east": B_REGION["east"],
    "p000_b_central": B_REGION["central"],
    "p000_b_west": B_REGION["west"],
    "p000_interaction_central_minus_east": B_REGION["central"] - B_REGION["east"],
    "p000_interaction_west_minus_east": B_REGION["west"] - B_REGION["east"],
    "p000_ln_fdi_used": CONTROLS_000["ln_fdi_used"],
    "p000_ln_industrial_rd_expenditure": CONTROLS_000["ln_industrial_rd_expenditure"],
    "p004_a_dei_on_coagglomeration": A_DEI_ON_CA,
    "p004_b_coagglomeration_on_y": B_CA_ON_Y,
    "p004_indirect_a_times_b": A_DEI_ON_CA * B_CA_ON_Y,
    "p004_threshold_gamma": GAMMA,
    "p004_beta_low": BETA_LOW,
    "p004_beta_high": BETA_HIGH,
    "p004_ln_gdp": CONTROLS_004["ln_gdp"],
    "p004_ln_fdi_used": CONTROLS_004["ln_fdi_used"],
}

# (code, printed name, printed unit, decimals, dimension in the PCA system,
#  intercept m, loading l, noise sd n): x = m + l D + N(0, n)
DIGITAL_INDICATORS = (
    ("broadband_penetration", "每百人互联网宽带接入用户", "户/百人", 2,
     "digital_infrastructure", 22.0, 6.0, 2.0),
    ("mobile_phone_penetration", "移动电话普及率", "部/百人", 2,
     "digital_infrastructure", 95.0, 14.0, 5.0),
    ("telecom_business_per_capita", "人均电信业务总量", "元/人", 1,
     "digital_industry", 1500.0, 700.0, 250.0),
    ("ecommerce_enterprise_share", "有电子商务交易活动的企业比重", "%", 2,
     "digital_application", 8.0, 2.5, 0.9),
    ("computers_per_100_employees", "每百人使用计算机数", "台/百人", 2,
     "digital_application", 25.0, 5.0, 1.8),
    ("digital_finance_index", "数字普惠金融指数", "点", 2,
     "digital_finance", 220.0, 45.0, 15.0),
)
PRODUCER_SERVICES = (
    "employment_transport", "employment_ict", "employment_finance", "employment_business",
    "employment_research",
)
# code -> (printed name, printed unit, decimals, column of the panel, printed scale).
# Printed names are catalogue aliases; scale turns the panel's canonical value into the
# printed unit (亿元 -> 万元: 1e4).
PRINTED: dict[str, tuple[str, str, int, str, float]] = {
    "gdp": ("地区生产总值", "亿元", 2, "gdp", 1.0),
    "fdi_used": ("实际利用外商直接投资额", "万美元", 0, "fdi_used", 1.0),
    "enterprise_websites_per_100": ("每百家企业拥有网站数", "个/百家", 2,
                                    "enterprise_websites_per_100", 1.0),
    "industrial_rd_expenditure": ("规模以上工业企业R&D经费", "万元", 0,
                                  "industrial_rd_expenditure", 1e4),
    "industrial_valid_invention_patents": ("规模以上工业企业有效发明专利数", "件", 0,
                                           "industrial_valid_invention_patents", 1.0),
    **{code: (name, unit, dec, code, 1.0)
       for code, name, unit, dec, *_ in DIGITAL_INDICATORS},
    "urbanization_rate": ("城镇化率", "%", 2, "urbanization_rate", 1.0),
    "employment_total": ("年末单位从业人员", "万人", 2, "employment_total", 1.0),
    "employment_manufacturing": ("制造业从业人员", "万人", 2, "employment_manufacturing", 1.0),
    "employment_transport": ("交通运输、仓储和邮政业从业人员", "万人", 2,
                             "employment_transport", 1.0),
    "employment_ict": ("信息传输、软件和信息技术服务业从业人员", "万人", 2, "employment_ict", 1.0),
    "employment_finance": ("金融业从业人员", "万人", 2, "employment_finance", 1.0),
    "employment_business": ("租赁和商务服务业从业人员", "万人", 2, "employment_business", 1.0),
    "employment_research": ("科学研究和技术服务业从业人员", "万人", 2, "employment_research", 1.0),
    "hightech_new_product_revenue": ("高技术产业新产品销售收入", "万元", 0,
                                     "hightech_new_product_revenue", 1e4),
}
# Interior cells printed as missing ("—"), as yearbooks have them; the panel interpolates
# them (paper 000: "missing variables are made up by interpolation"). Controls only.
MISSING_CODES = ("fdi_used", "industrial_rd_expenditure")
MISSING_SHARE = 0.02
MISSING_MARKER = "—"


@dataclass(frozen=True)
class ProvinceDemo:
    """A simulated provincial world."""

    panel: pd.DataFrame  # one row per province-year: indicators as printed (canonical
    #                      units), model variables (ln_*, dei, coagglomeration), latent ones
    long: pd.DataFrame  # the long export, one row per province x year x indicator
    truth: dict  # parameters, pseudo-true linear effects, per-province slopes


def load_provinces(seeds: Path | None = None) -> pd.DataFrame:
    """The 31 province-level units with their East/Central/West group (ref_provinces)."""
    from orchestration.demo.city import seeds_dir

    seeds = seeds or seeds_dir()
    provinces = pd.read_csv(seeds / "ref_provinces.csv", dtype={"province_code": str})
    return provinces[["province_code", "province_name", "region3"]].sort_values(
        "province_code").reset_index(drop=True)


def _random_walk(rng: np.random.Generator, start: np.ndarray, drift: float, sd: float,
                 t_count: int) -> np.ndarray:
    steps = rng.normal(drift, sd, (len(start), t_count))
    steps[:, 0] = 0.0
    return start[:, None] + np.cumsum(steps, axis=1)


def _ar1(rng: np.random.Generator, n: int, t_count: int, rho: float,
         sd: np.ndarray | float) -> np.ndarray:
    """Stationary AR(1) with innovation sd `sd` (per row), started at its stationary law."""
    sd = np.broadcast_to(np.asarray(sd, float), (n,))
    out = np.empty((n, t_count))
    out[:, 0] = rng.normal(0, 1, n) * sd / np.sqrt(1 - rho**2)
    for t in range(1, t_count):
        out[:, t] = rho * out[:, t - 1] + rng.normal(0, 1, n) * sd
    return out


def coagglomeration(total: np.ndarray, manufacturing: np.ndarray, services: np.ndarray,
                    year: np.ndarray) -> np.ndarray:
    """The formula of marts.index_coagglomeration (docs block coagglomeration), with the
    reference totals of each year summed over the rows given."""
    frame = pd.DataFrame({"e": total, "m": manufacturing, "s": services, "year": year})
    sums = frame.groupby("year")[["e", "m", "s"]].transform("sum")
    lqm = (frame["m"] / frame["e"]) / (sums["m"] / sums["e"])
    lqs = (frame["s"] / frame["e"]) / (sums["s"] / sums["e"])
    return (1 - (lqm - lqs).abs() / (lqm + lqs) + (lqm + lqs)).to_numpy()


def _solve_services_lq(c_target: np.ndarray, lqm: np.ndarray) -> np.ndarray:
    """The producer-services LQ s with 1 - |m - s| / (m + s) + m + s = c_target; the
    left side increases in s when m > 0.5 (checked by the caller), so bisection."""
    lo, hi = np.full_like(c_target, 1e-6), np.full_like(c_target, 50.0)
    for _ in range(80):
        mid = (lo + hi) / 2
        value = 1 - np.abs(lqm - mid) / (lqm + mid) + lqm + mid
        lo = np.where(value < c_target, mid, lo)
        hi = np.where(value < c_target, hi, mid)
    return (lo + hi) / 2


def _fe_projection(y: np.ndarray, x: np.ndarray, entity: np.ndarray,
                   time: np.ndarray | None) -> np.ndarray:
    """OLS coefficients of y on x after removing entity (and time) means, by alternating
    projections (exact for a balanced panel after one pass; iterated to be safe)."""
    def demean(v: np.ndarray) -> np.ndarray:
        v = v.astype(float).copy()
        for _ in range(50 if time is not None else 1):
            v -= pd.DataFrame(v).groupby(entity).transform("mean").to_numpy()
            if time is not None:
                v -= pd.DataFrame(v).groupby(time).transform("mean").to_numpy()
        return v
    yd = demean(y.reshape(-1, 1)).ravel()
    xd = demean(x.reshape(len(y), -1))
    return np.linalg.lstsq(xd, yd, rcond=None)[0]


def simulate_province(seed: int = DEFAULT_SEED, years: tuple[int, ...] = YEARS,
                      provinces: pd.DataFrame | None = None) -> ProvinceDemo:
    """Draw one synthetic provincial world from the DGP in the module docstring."""
    from models_py.pca import pca_tables

    rng = np.random.default_rng(seed)
    prov = load_provinces() if provinces is None else provinces.reset_index(drop=True)
    n, t_count = len(prov), len(years)
    s = np.arange(t_count)[None, :].repeat(n, axis=0)
    region = prov["region3"].to_numpy()
    region_row = np.repeat(region, t_count)

    a = np.array([ALPHA_REGION[r] for r in region]) + rng.normal(0, 0.6, n)
    a2 = a[:, None]
    ln_gdp = 9.6 + 0.8 * a2 + 0.07 * s + rng.normal(0, 0.02, (n, t_count))
    gdp = np.round(np.exp(ln_gdp), 2)
    ln_fdi_star = _random_walk(rng, 12.6 + 0.8 * a + rng.normal(0, 0.4, n), 0.03, 0.08,
                               t_count)
    fdi_used = np.round(np.exp(ln_fdi_star))

    # ---- paper 000
    ei = np.round(_random_walk(rng, 45 + 6 * a + rng.normal(0, 3, n), 1.0, 1.2, t_count), 2)
    rd = np.round(np.exp(_random_walk(rng, 5.0 + 0.9 * a + rng.normal(0, 0.3, n), 0.09,
                                      0.04, t_count)) * 1e4) / 1e4  # printed in whole 万元
    b_i = np.array([B_REGION[r] for r in region]) + rng.normal(0, B_PROVINCE_SD, n)
    sigma_i = np.array([SIGMA_REGION[r] for r in region])
    u = _ar1(rng, n, t_count, RHO_000, sigma_i)
    mu_000 = 4.3 + 0.3 * a + rng.normal(0, 0.2, n)
    signal_000 = (mu_000[:, None] + b_i[:, None] * ei
                  + CONTROLS_000["ln_fdi_used"] * np.log(fdi_used)
                  + CONTROLS_000["ln_industrial_rd_expenditure"] * np.log(rd))
    nvp = np.round(np.exp(signal_000 + u))

    # ---- paper 004: digital indicators and their PCA index
    g = rng.normal(0.12, 0.05, n)
    latent_d = 0.6 * a2 + g[:, None] * s + _ar1(rng, n, t_count, 0.5, 0.15)
    digital = {}
    for code, _, _, decimals, _, m, load, noise in DIGITAL_INDICATORS:
        x = m + load * latent_d + rng.normal(0, noise, (n, t_count))
        digital[code] = np.round(np.maximum(x, 0.05 * m), decimals)
    codes_rows = np.repeat(prov["province_code"].to_numpy(), t_count)
    year_rows = np.tile(np.asarray(years), n)
    pca_input = pd.concat([
        pd.DataFrame({"system": PCA_SYSTEM, "level": "province", "region_code": codes_rows,
                      "year": year_rows, "indicator_code": code, "dimension": dim,
                      "direction": "+", "value": digital[code].ravel()})
        for code, _, _, _, dim, *_ in DIGITAL_INDICATORS
    ], ignore_index=True)
    scores = pca_tables(pca_input).scores.set_index(["region_code", "year"])
    keys = pd.MultiIndex.from_arrays([codes_rows, year_rows])
    dei = scores["composite_scaled"].reindex(keys).to_numpy().reshape(n, t_count)
    dei_raw = scores["composite"].reindex(keys).to_numpy().reshape(n, t_count)

    q = np.round(np.clip(55 + 8 * a2 + rng.normal(0, 3, (n, 1)) + 0.9 * s
                         + rng.normal(0, 0.5, (n, t_count)), 25, 92), 2)

    # ---- employment such that the measured co-agglomeration is kappa_t + A DEI + eta
    total = np.round(np.exp(np.log(500) + 0.7 * a2 + rng.normal(0, 0.3, (n, 1))
                            + 0.015 * s + rng.normal(0, 0.01, (n, t_count))), 2)
    lqm = np.clip(np.exp(0.2 * rng.normal(0, 1, (n, 1)) + rng.normal(0, 0.03, (n, t_count))),
                  0.65, 1.6)
    lqm = lqm / ((total * lqm).sum(axis=0) / total.sum(axis=0))  # weighted mean 1 per year
    if lqm.min() <= 0.5:
        raise ValueError("manufacturing location quotient below 0.5: the solve is not monotone")
    eta = rng.normal(0, 0.05, (n, t_count))
    c_target = np.empty((n, t_count))
    lqs = np.empty((n, t_count))
    for t in range(t_count):
        lo, hi = 1.0, 6.0
        for _ in range(80):  # kappa_t: the producer-services LQs average 1 (weighted)
            kappa = (lo + hi) / 2
            cand = _solve_services_lq(kappa + A_DEI_ON_CA * dei[:, t] + eta[:, t], lqm[:, t])
            mean = (total[:, t] * cand).sum() / total[:, t].sum()
            lo, hi = (kappa, hi) if mean < 1 else (lo, kappa)
        c_target[:, t] = kappa + A_DEI_ON_CA * dei[:, t] + eta[:, t]
        lqs[:, t] = cand
    share_m = 0.26 - 0.003 * s
    share_s = 0.14 + 0.003 * s
    manufacturing = np.round(total * lqm * share_m, 2)
    split = rng.dirichlet([6, 3, 4, 4, 3], n)  # producer-service industries, by province
    services_parts = {
        code: np.round(total * lqs * share_s * split[:, k:k + 1], 2)
        for k, code in enumerate(PRODUCER_SERVICES)
    }
    services = sum(services_parts.values())
    ca = coagglomeration(total.ravel(), manufacturing.ravel(), services.ravel(),
                         year_rows).reshape(n, t_count)

    # ---- high-tech innovation with a threshold in urbanization
    mu_004 = 0.5 * a + rng.normal(0, 0.3, n)
    high = q > GAMMA
    threshold_part = np.where(high, BETA_HIGH, BETA_LOW) * dei
    signal_004 = (mu_004[:, None] + threshold_part + B_CA_ON_Y * ca
                  + CONTROLS_004["ln_gdp"] * np.log(gdp)
                  + CONTROLS_004["ln_fdi_used"] * np.log(fdi_used))
    y = np.round(np.exp(signal_004 + rng.normal(0, SIGMA_004, (n, t_count))) * 1e4) / 1e4

    panel = pd.DataFrame({
        "province_code": codes_rows,
        "province_name": np.repeat(prov["province_name"].to_numpy(), t_count),
        "region3": region_row,
        "year": year_rows,
        "gdp": gdp.ravel(),
        "fdi_used": fdi_used.ravel(),
        "enterprise_websites_per_100": ei.ravel(),
        "industrial_rd_expenditure": rd.ravel(),
        "industrial_valid_invention_patents": nvp.ravel(),
        **{code: v.ravel() for code, v in digital.items()},
        "urbanization_rate": q.ravel(),
        "employment_total": total.ravel(),
        "employment_manufacturing": manufacturing.ravel(),
        **{code: v.ravel() for code, v in services_parts.items()},
        "hightech_new_product_revenue": y.ravel(),
        "digital_economy_pca": dei_raw.ravel(),
        "digital_economy_pca_scaled": dei.ravel(),
        "coagglomeration": ca.ravel(),
        "latent_digital_economy": latent_d.ravel(),
        "coagglomeration_target": c_target.ravel(),
    })
    for col in ("gdp", "fdi_used", "industrial_rd_expenditure",
                "industrial_valid_invention_patents", "hightech_new_product_revenue"):
        panel[f"ln_{col}"] = np.log(panel[col])
    panel["above_threshold"] = high.ravel()

    missing = _missing_cells(np.random.default_rng([seed, 7]), n, t_count)
    long = _long_export(panel, missing)
    truth = _truth(seed, panel, prov, b_i, sigma_i, signal_000.ravel(),
                   (threshold_part + B_CA_ON_Y * ca).ravel(), missing)
    return ProvinceDemo(panel=panel, long=long, truth=truth)


def _missing_cells(rng: np.random.Generator, n: int, t_count: int) -> dict[str, np.ndarray]:
    """Flat row positions printed as missing, per code: interior years only, so the panel
    can interpolate every one of them."""
    out = {}
    for code in MISSING_CODES:
        interior = (np.arange(n * t_count) % t_count > 0) & (
            np.arange(n * t_count) % t_count < t_count - 1)
        candidates = np.flatnonzero(interior)
        chosen = rng.choice(candidates, size=int(round(MISSING_SHARE * n * t_count)),
                            replace=False)
        # no two adjacent years, so each gap has observed neighbours on both sides
        chosen = np.sort(chosen)
        keep = np.r_[True, np.diff(chosen) > 1]
        out[code] = chosen[keep]
    return out


def _long_export(panel: pd.DataFrame, missing: dict[str, np.ndarray]) -> pd.DataFrame:
    frames = []
    for code, (name, unit, decimals, column, scale) in PRINTED.items():
        values = np.round(panel[column].to_numpy() * scale, decimals)
        text = pd.Series(values).map(
            lambda v, d=decimals: f"{v:.{d}f}" if d else f"{v:.0f}")
        if code in missing:
            text.iloc[missing[code]] = MISSING_MARKER
        frames.append(pd.DataFrame({
            "地区": panel["province_name"], "年份": panel["year"], "指标": name,
            "数值": text.to_numpy(), "单位": unit,
        }))
    return pd.concat(frames, ignore_index=True)


def _truth(seed: int, panel: pd.DataFrame, prov: pd.DataFrame, b_i: np.ndarray,
           sigma_i: np.ndarray, signal_000: np.ndarray, signal_004: np.ndarray,
           missing: dict[str, np.ndarray]) -> dict:
    """Parameters plus the pseudo-true coefficients of the linear models: the coefficient
    of the noise-free outcome in the same regression on the same sample."""
    entity = panel["province_code"].to_numpy()
    time = panel["year"].to_numpy()
    x000 = panel[["enterprise_websites_per_100", "ln_fdi_used",
                  "ln_industrial_rd_expenditure"]].to_numpy()
    fe_000 = _fe_projection(signal_000, x000, entity, None)

    controls = panel[["ln_gdp", "ln_fdi_used"]].to_numpy()
    dei = panel[["digital_economy_pca_scaled"]].to_numpy()
    ca = panel[["coagglomeration"]].to_numpy()
    total = _fe_projection(signal_004, np.hstack([dei, controls]), entity, time)
    direct = _fe_projection(signal_004, np.hstack([dei, ca, controls]), entity, time)
    by_group = {}
    for name, rows in (("east", panel["region3"].eq("east")),
                       ("central_west", ~panel["region3"].eq("east"))):
        m = rows.to_numpy()
        by_group[name] = float(_fe_projection(
            signal_004[m], np.hstack([dei, controls])[m], entity[m], time[m])[0])
    share_high = panel.groupby("region3")["above_threshold"].mean()
    return {
        "synthetic": True,
        "generator": "orchestration/demo/province.py",
        "seed": seed,
        "years": [int(time.min()), int(time.max())],
        "n_provinces": int(len(prov)),
        "parameters": {k: float(v) for k, v in TRUE_EFFECTS.items()},
        "paper000": {
            "outcome": "ln industrial_valid_invention_patents",
            "core": "enterprise_websites_per_100",
            "controls": ["ln fdi_used", "ln industrial_rd_expenditure"],
            "fixed_effects": "entity",
            "fe_slope_ei_pseudo_true": float(fe_000[0]),
            "fe_ln_fdi_used_pseudo_true": float(fe_000[1]),
            "fe_ln_industrial_rd_expenditure_pseudo_true": float(fe_000[2]),
            "mean_province_slope": float(b_i.mean()),
            "error": {"ar1_rho": RHO_000, "sd_by_region": SIGMA_REGION},
            "integration": "EI, ln fdi_used, ln industrial_rd_expenditure and ln NVP are I(1) "
                           "(random walks); the error u is stationary AR(1): cointegrated",
            "province_slopes": {
                str(code): {"b": float(b), "sigma": float(sd), "region3": str(r)}
                for code, b, sd, r in zip(prov["province_code"], b_i, sigma_i,
                                          prov["region3"], strict=True)
            },
            "missing_cells_printed": {k: int(len(v)) for k, v in missing.items()},
        },
        "paper004": {
            "outcome": "ln hightech_new_product_revenue",
            "core": "digital_economy_pca_scaled (composite_scaled of index system "
                    f"{PCA_SYSTEM})",
            "mediator": "coagglomeration (manufacturing x producer services, provinces)",
            "threshold_variable": "urbanization_rate",
            "controls": ["ln gdp", "ln fdi_used"],
            "fixed_effects": "entity and year (threshold model: entity; the year effect "
                             "kappa_t reaches ln Y through the mediator only)",
            "total_effect_linear_pseudo_true": float(total[0]),
            "direct_effect_linear_pseudo_true": float(direct[0]),
            "linear_slope_east_pseudo_true": by_group["east"],
            "linear_slope_central_west_pseudo_true": by_group["central_west"],
            "share_above_threshold_by_region": {k: float(v) for k, v in share_high.items()},
            "corr_index_latent": float(np.corrcoef(
                panel["digital_economy_pca"], panel["latent_digital_economy"])[0, 1]),
        },
    }


def write_truth(truth: dict, path: Path) -> Path:
    import yaml

    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(yaml.safe_dump(truth, allow_unicode=True, sort_keys=False),
                    encoding="utf-8")
    return path


def write_province_demo(landing_dir: Path, truth_path: Path,
                        seed: int = DEFAULT_SEED) -> Path:
    """Write the long export (with its `.meta.yml` sidecar, synthetic: true) into
    landing/yearbook_long/demo_province/ and the truth as YAML to `truth_path`."""
    import yaml

    from orchestration.demo.city import write_sidecar

    demo = simulate_province(seed=seed)
    path = landing_dir / LANDING_SUBDIR / FILE_NAME
    path.parent.mkdir(parents=True, exist_ok=True)
    demo.long.to_csv(path, index=False, encoding="utf-8-sig")
    sidecar = write_sidecar(
        path, "Synthetic provincial panel (31 provinces x 2011-2023) for the studies of "
        "papers 000 and 004; DGP in orchestration/demo/province.py", seed)
    # write_sidecar records the city world's effects; this file's are the provincial ones
    meta = yaml.safe_load(sidecar.read_text(encoding="utf-8"))
    meta["producer"] = ("DRI Warehouse demo-data generator "
                        "(orchestration/demo/province.py)")
    meta["true_effects"] = {k: float(v) for k, v in TRUE_EFFECTS.items()}
    meta["truth_file"] = truth_path.name
    sidecar.write_text(yaml.safe_dump(meta, allow_unicode=True, sort_keys=False),
                       encoding="utf-8")
    write_truth(demo.truth, truth_path)
    return path
