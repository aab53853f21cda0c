"""Synthetic demo data with a documented data-generating process (DGP).

Everything written here is SYNTHETIC: real city names and codes, invented numbers.
The files have the shape of the real sources (China City Statistical Yearbook
workbooks, a patent-database extract) so the whole pipeline runs on them, and the
true effects are known so tests can check that the estimators recover them.

Data-generating process (i = city, t = year 2010..2024, s = t - 2010)
---------------------------------------------------------------------
    a_i            ~ N(0, 1)                       latent development level of the city
    population_it  = exp(ln P0_i + 0.005 s + N(0, 0.01)),  ln P0_i ~ N(ln 450, 0.4)   (万人)
    ln pgdp*_it    = 10.3 + 0.4 a_i + 0.06 s + e_it,        e_it ~ N(0, 0.05)
    gdp_it         = pgdp*_it * population_it                                        (万元)
    gov*_it        = clip(0.14 - 0.03 a_i + N(0, 0.01), 0.05, 0.40);  fiscal = gov* gdp (万元)
    patents T_it   = 30 + Poisson(40 exp(0.3 a_i + 0.04 s))
    X*_it          = clip(0.12 + 0.04 a_i + 0.01 s + 1.5 e_it + N(0, 0.04), 0.02, 0.60)
    integrated K_it = round(X*_it T_it);     X_it = K_it / T_it   (integrated_share as measured)
    M*_it          = 1.3 + 0.3 a_i + 0.03 s + A * X_it + N(0, 0.10)
    digital inventions D_it = round(exp(M*_it) - 1);  M_it = ln(1 + D_it)   (mediator as measured)
    ln SEI_it      = mu_i + lambda_t + C_DIRECT * X_it + B * M_it
                     + 0.6 ln_pgdp_it - 1.0 gov_it + 0.5 ln_population_it + N(0, 0.08)
with mu_i = -4.5 + 0.2 a_i + N(0, 0.2), lambda_t = 0.02 s + N(0, 0.02), SEI = revenue of
strategic emerging industries (亿元; printed in 万元), and the controls computed from the
published (rounded) yearbook values exactly as the city panel mart computes them.

True effects: A = 2.0 (integration -> digital invention patents), B = 0.4 (digital
invention patents -> new-quality industry), C_DIRECT = 0.5; total effect of the
integrated-patent share on ln SEI = C_DIRECT + A * B = 1.3. Because X_it loads on the
per-capita GDP shock e_it, a regression without the controls is biased; with
two-way fixed effects and the controls it is consistent.

Patents: the K integrated patents carry digital and real-economy IPC codes, the
pure digital ones digital codes only, the rest real-economy codes only; exactly
D_it of the digital patents are invention patents (the others utility models), and
real-economy patents are inventions with probability 0.35. The digital codes all
fall under the CNIPA 2023 digital-economy core industry table; the real-economy
codes are in subclasses the table does not list.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from operator import attrgetter
from pathlib import Path

import numpy as np
import pandas as pd

TRUE_EFFECTS: dict[str, float] = {
    "a_integration_on_digital_inventions": 2.0,
    "b_digital_inventions_on_sei": 0.4,
    "c_direct_integration_on_sei": 0.5,
}
TRUE_TOTAL_EFFECT = (
    TRUE_EFFECTS["c_direct_integration_on_sei"]
    + TRUE_EFFECTS["a_integration_on_digital_inventions"]
    * TRUE_EFFECTS["b_digital_inventions_on_sei"]
)
CONTROL_EFFECTS: dict[str, float] = {"ln_pgdp": 0.6, "gov": -1.0, "ln_population": 0.5}

DEFAULT_SEED = 20240601
DEFAULT_CITIES = 198
YEARS = tuple(range(2010, 2025))
SYNTHETIC_NOTE = (
    "注：本表为合成演示数据（synthetic demo data），数值由已知数据生成过程模拟，不代表真实统计。"
)

DIGITAL_IPC = (
    "G06F 17/30", "G06F 16/27", "G06F 21/62", "G06N 3/08", "G06Q 10/06", "G06Q 50/04",
    "H04L 67/12", "H04W 4/70", "G06T 7/00", "H04N 21/20", "G16Y 10/25", "H01L 21/02",
)
REAL_IPC = (
    "A01B 79/00", "A23L 2/00", "B21D 22/02", "B60K 6/20", "C07D 213/00", "C08L 23/06",
    "E02D 17/20", "F02M 26/00", "F16H 57/02", "B65D 81/00", "C12N 15/00", "D01F 6/00",
    "F03D 7/00", "C02F 1/00",
)

# (sheet, table number, title, [(header, column in the simulated frame, decimals)])
YEARBOOK_SHEETS = (
    ("人口与经济", "表2-1", "地区生产总值与人口", [
        ("地区生产总值（万元）", "gdp_wan_yuan", 0),
        ("年末户籍人口（万人）", "population_wan", 2),
    ]),
    ("财政与产业", "表2-2", "财政与战略性新兴产业", [
        ("地方一般公共预算支出（万元）", "fiscal_wan_yuan", 0),
        ("战略性新兴产业营业收入（万元）", "sei_wan_yuan", 0),
        ("战略性新兴产业从业人员（万人）", "sei_employment_wan", 2),
    ]),
    ("从业人员与信息化", "表2-3", "分行业从业人员与信息化", [
        ("年末单位从业人员（万人）", "employment_wan", 2),
        ("制造业从业人员（万人）", "emp_manufacturing_wan", 2),
        ("交通运输、仓储和邮政业从业人员（万人）", "emp_transport_wan", 2),
        ("信息传输、软件和信息技术服务业从业人员（万人）", "emp_ict_wan", 2),
        ("金融业从业人员（万人）", "emp_finance_wan", 2),
        ("租赁和商务服务业从业人员（万人）", "emp_business_wan", 2),
        ("科学研究和技术服务业从业人员（万人）", "emp_research_wan", 2),
        ("互联网宽带接入用户（万户）", "broadband_wan_households", 2),
        ("移动电话年末用户（万户）", "mobile_wan_households", 2),
        ("电信业务总量（万元）", "telecom_wan_yuan", 0),
    ]),
)
MISSING_MARKER = "—"
# From this edition on the demo workbooks are laid out as the printed yearbook pages are (see
# write_yearbook_workbook), so the whole pipeline runs on both layouts.
PRINTED_LAYOUT_FROM = 2018
ENGLISH = {
    "地区生产总值与人口": "Gross Regional Product and Population",
    "财政与战略性新兴产业": "Public Finance and Strategic Emerging Industries",
    "分行业从业人员与信息化": "Employment by Sector and Informatization",
}


@dataclass(frozen=True)
class DemoData:
    """A simulated world: the city-year truth, the yearbook values and the patents."""

    truth: pd.DataFrame  # one row per city-year: measured X, M, Y, controls, counts
    yearbook: pd.DataFrame  # one row per city-year: printed values, 全市 and 市辖区
    patents: pd.DataFrame  # one row per patent, columns as the extract prints them


def seeds_dir() -> Path:
    return Path(__file__).resolve().parents[2] / "dbt_project" / "seeds"


def load_cities(seeds: Path | None = None) -> pd.DataFrame:
    """Prefecture-level cities (not municipalities) that existed unchanged through the whole
    window, as paper 002's balanced panel requires: no unit created, abolished, merged or
    renamed in 2010-2024 (the geography seeds' change list)."""
    seeds = seeds or seeds_dir()
    cities = pd.read_csv(seeds / "ref_cities.csv", dtype={"city_code": str})
    units = pd.read_csv(seeds / "ref_admin_divisions.csv", dtype={"code": str})
    changes = pd.read_csv(seeds / "ref_admin_changes.csv", dtype=str)
    stable = set(units.loc[units["valid_from"].isna() & units["valid_to"].isna(), "code"])
    changed = set(changes["old_code"].dropna()) | set(changes["new_code"].dropna())
    keep = (cities["unit_type"] == "prefecture") & cities["city_code"].isin(stable - changed)
    return cities[keep].sort_values("city_code")


def simulate(
    seed: int = DEFAULT_SEED,
    n_cities: int = DEFAULT_CITIES,
    scale: float = 1.0,
    years: tuple[int, ...] = YEARS,
    cities: pd.DataFrame | None = None,
) -> DemoData:
    """Draw one synthetic world from the DGP in the module docstring.

    `scale` multiplies the patent volume (the number of patent records), leaving the
    measured share and the true effects unchanged in expectation.
    """
    if scale <= 0:
        raise ValueError(f"scale must be positive, got {scale}")
    rng = np.random.default_rng(seed)
    pool = load_cities() if cities is None else cities
    if not 1 <= n_cities <= len(pool):
        raise ValueError(f"n_cities must be between 1 and {len(pool)}, got {n_cities}")
    chosen = pool.iloc[np.sort(rng.choice(len(pool), size=n_cities, replace=False))]
    chosen = chosen.reset_index(drop=True)

    n, t_count = n_cities, len(years)
    s = np.tile(np.arange(t_count) + (years[0] - 2010), n)
    city = np.repeat(np.arange(n), t_count)

    a = rng.normal(0, 1, n)[city]
    ln_p0 = rng.normal(np.log(450), 0.4, n)[city]
    population = np.round(np.exp(ln_p0 + 0.005 * s + rng.normal(0, 0.01, n * t_count)), 2)
    e = rng.normal(0, 0.05, n * t_count)
    gdp = np.round(np.exp(10.3 + 0.4 * a + 0.06 * s + e) * population)
    gov_star = np.clip(0.14 - 0.03 * a + rng.normal(0, 0.01, n * t_count), 0.05, 0.40)
    fiscal = np.round(gov_star * gdp)
    # Controls as the mart computes them from the printed values (gdp 万元 -> 亿元).
    ln_pgdp = np.log(gdp * 1e-4 * 1e8 / (population * 1e4))
    gov = fiscal / gdp
    ln_population = np.log(population)

    lam_patents = 40 * scale * np.exp(0.3 * a + 0.04 * s)
    total = np.round(30 * scale).astype(int) + rng.poisson(lam_patents)
    x_star = np.clip(
        0.12 + 0.04 * a + 0.01 * s + 1.5 * e + rng.normal(0, 0.04, n * t_count), 0.02, 0.60
    )
    integrated = np.round(x_star * total).astype(int)
    integrated_share = integrated / total

    m_star = (
        1.3 + 0.3 * a + 0.03 * s
        + TRUE_EFFECTS["a_integration_on_digital_inventions"] * integrated_share
        + rng.normal(0, 0.10, n * t_count)
    )
    digital_inventions_wanted = np.maximum(np.round(np.exp(m_star) - 1), 0).astype(int)
    digital_inventions = np.minimum(digital_inventions_wanted, total)
    ln_digital_invention = np.log1p(digital_inventions)

    mu = (-4.5 + 0.2 * rng.normal(0, 1, n) + rng.normal(0, 0.2, n))[city]
    year_shock = rng.normal(0, 0.02, t_count)
    lam = 0.02 * s + year_shock[s - s.min()]
    ln_sei = (
        mu + lam
        + TRUE_EFFECTS["c_direct_integration_on_sei"] * integrated_share
        + TRUE_EFFECTS["b_digital_inventions_on_sei"] * ln_digital_invention
        + CONTROL_EFFECTS["ln_pgdp"] * ln_pgdp
        + CONTROL_EFFECTS["gov"] * gov
        + CONTROL_EFFECTS["ln_population"] * ln_population
        + rng.normal(0, 0.08, n * t_count)
    )
    sei_wan_yuan = np.round(np.exp(ln_sei) * 1e4)

    # Pure-digital patents: enough to host the digital inventions, plus a few more.
    free = total - integrated
    need = np.maximum(digital_inventions - integrated, 0)
    pure_digital = need + rng.binomial(np.maximum(free - need, 0), 0.05)

    truth = pd.DataFrame({
        "city_code": chosen["city_code"].to_numpy()[city],
        "city_name": chosen["city_name"].to_numpy()[city],
        "province_name": chosen["province_name"].to_numpy()[city],
        "year": np.asarray(years)[s - (years[0] - 2010)],
        "patents": total,
        "integrated_patents": integrated,
        "digital_patents": integrated + pure_digital,
        "digital_invention_patents": digital_inventions,
        "digital_inventions_clipped": digital_inventions_wanted - digital_inventions,
        "integrated_share": integrated_share,
        "ln_digital_invention": ln_digital_invention,
        "ln_sei_revenue": np.log(sei_wan_yuan * 1e-4),
        "ln_pgdp": ln_pgdp,
        "gov": gov,
        "ln_population": ln_population,
    })
    share = rng.uniform(0.3, 0.7, n)[city]  # 市辖区 share of the whole city
    yearbook = pd.DataFrame({
        "city_name": truth["city_name"], "province_name": truth["province_name"],
        "year": truth["year"], "gdp_wan_yuan": gdp, "population_wan": population,
        "fiscal_wan_yuan": fiscal, "sei_wan_yuan": sei_wan_yuan, "district_share": share,
        **_supplementary(np.random.default_rng([seed, 2]), a, s, city, population, gdp,
                         np.log(sei_wan_yuan * 1e-4)),
    })
    patents = _patent_records(rng, truth, pure_digital)
    truth["invention_patents"] = (
        patents.assign(inv=patents["专利类型"] == "发明")
        .groupby(["_city", "_year"])["inv"].sum()
        .reindex(pd.MultiIndex.from_arrays([truth["city_code"], truth["year"]]))
        .to_numpy()
    )
    patents = patents.drop(columns=["_city", "_year"])
    return DemoData(truth=truth, yearbook=yearbook, patents=patents)


def _supplementary(rng, a, s, city, population, gdp, ln_sei) -> dict[str, np.ndarray]:
    """Indicators the estimation DGP does not use (employment by industry, digital
    infrastructure), for the indices: drawn from their own stream so the core world above
    is the same with or without them. Plausible levels, no causal claims."""
    n = len(s)
    n_cities = city.max() + 1

    def noise(sd: float) -> np.ndarray:
        return rng.normal(0, sd, n)

    def by_city(sd: float) -> np.ndarray:
        return rng.normal(0, sd, n_cities)[city]

    employment = population * np.clip(0.14 + 0.03 * a + 0.002 * s + by_city(0.02) + noise(0.005),
                                      0.05, 0.45)
    shares = {
        "emp_manufacturing_wan": np.clip(0.30 + 0.04 * a + by_city(0.06) - 0.003 * s
                                         + noise(0.01), 0.05, 0.6),
        "emp_transport_wan": np.clip(0.045 + by_city(0.01) + noise(0.003), 0.01, 0.1),
        "emp_ict_wan": np.clip(0.015 + 0.006 * a + 0.0012 * s + by_city(0.004) + noise(0.002),
                               0.003, 0.08),
        "emp_finance_wan": np.clip(0.035 + 0.006 * a + by_city(0.006) + noise(0.002), 0.01, 0.1),
        "emp_business_wan": np.clip(0.03 + 0.005 * a + 0.001 * s + by_city(0.006)
                                    + noise(0.002), 0.005, 0.1),
        "emp_research_wan": np.clip(0.02 + 0.005 * a + 0.0008 * s + by_city(0.004)
                                    + noise(0.002), 0.003, 0.08),
    }
    out = {"employment_wan": np.round(employment, 2)}
    out.update({k: np.round(employment * v, 2) for k, v in shares.items()})
    out["broadband_wan_households"] = np.round(
        population * np.clip(0.08 + 0.03 * a + 0.018 * s + noise(0.01), 0.02, 0.6), 2)
    out["mobile_wan_households"] = np.round(
        population * np.clip(0.55 + 0.08 * a + 0.035 * s + noise(0.02), 0.2, 1.6), 2)
    out["telecom_wan_yuan"] = np.round(gdp * np.clip(0.012 + 0.002 * a + 0.0015 * s
                                                     + noise(0.002), 0.002, 0.08))
    out["sei_employment_wan"] = np.round(
        np.minimum(np.exp(0.8 * ln_sei - 3.2 + noise(0.05)), 0.5 * employment), 2)
    return out


def _patent_records(
    rng: np.random.Generator, truth: pd.DataFrame, pure_digital: np.ndarray
) -> pd.DataFrame:
    """One row per patent, vectorized over all city-years."""
    total = truth["patents"].to_numpy()
    integrated = truth["integrated_patents"].to_numpy()
    inventions = truth["digital_invention_patents"].to_numpy()
    cy = np.repeat(np.arange(len(truth)), total)
    # Position of each patent within its city-year decides its kind: first the
    # integrated ones, then pure digital, then real-economy only.
    start = np.repeat(np.cumsum(total) - total, total)
    pos = np.arange(len(cy)) - start
    is_integrated = pos < integrated[cy]
    is_digital = pos < (integrated + pure_digital)[cy]
    # Which digital patents are inventions: a random subset of size D per city-year,
    # drawn by ranking a random key within the digital block.
    key = rng.random(len(cy))
    key[~is_digital] = 2.0
    order = np.lexsort((key, cy))
    digital_rank = np.empty(len(cy), dtype=int)
    digital_rank[order] = np.arange(len(cy)) - np.repeat(np.cumsum(total) - total, total)
    is_invention = np.where(
        is_digital, digital_rank < inventions[cy], rng.random(len(cy)) < 0.35
    )

    n_pat = len(cy)
    dig1 = rng.choice(DIGITAL_IPC, n_pat)
    dig2 = rng.choice(DIGITAL_IPC, n_pat)
    real1 = rng.choice(REAL_IPC, n_pat)
    real2 = rng.choice(REAL_IPC, n_pat)
    two = rng.random(n_pat) < 0.4
    digital_part = np.where(two & (dig1 != dig2), np.char.add(np.char.add(dig1, ";"), dig2), dig1)
    real_part = np.where(two & (real1 != real2), np.char.add(np.char.add(real1, ";"), real2), real1)
    codes = np.where(
        is_integrated, np.char.add(np.char.add(digital_part, ";"), real_part),
        np.where(is_digital, digital_part, real_part),
    )
    main_ipc = pd.Series(codes).str.split(";").str[0]

    year = truth["year"].to_numpy()[cy]
    day = rng.integers(0, 365, n_pat)
    app_date = pd.to_datetime(year.astype(str), format="%Y") + pd.to_timedelta(day, unit="D")
    pub_date = app_date + pd.to_timedelta(rng.integers(180, 540, n_pat), unit="D")
    serial = np.arange(n_pat) % 10_000_000
    type_digit = np.where(is_invention, "1", "2")
    app_no = (
        "CN" + pd.Series(year.astype(str)) + pd.Series(type_digit)
        + pd.Series(serial).map("{:07d}".format) + "." + pd.Series(serial % 10).astype(str)
    )
    city_name = truth["city_name"].to_numpy()[cy]
    province = truth["province_name"].to_numpy()[cy]
    district = rng.choice(["高新技术产业开发区", "经济技术开发区", "中心城区"], n_pat)
    address = (
        pd.Series(province) + pd.Series(city_name) + pd.Series(district)
        + "创新路" + pd.Series(rng.integers(1, 300, n_pat)).astype(str) + "号"
    )
    short_name = pd.Series(city_name).str.replace(r"(市|地区|自治州|盟)$", "", regex=True)
    applicant = short_name + rng.choice(
        ["智造科技有限公司", "信息技术股份有限公司", "新材料有限公司", "机械制造有限公司"], n_pat
    )
    title = np.where(
        is_integrated, "一种基于工业互联网的智能制造方法",
        np.where(is_digital, "一种数据处理方法及系统", "一种机械装置"),
    )
    return pd.DataFrame({
        "申请号": app_no,
        "申请日": app_date.strftime("%Y-%m-%d"),
        "公开(公告)日": pub_date.strftime("%Y-%m-%d"),
        "专利类型": np.where(is_invention, "发明", "实用新型"),
        "名称": title,
        "申请人": applicant,
        "申请人地址": address,
        "主分类号": main_ipc,
        "IPC分类号": codes,
        "_city": truth["city_code"].to_numpy()[cy],
        "_year": year,
    })


def write_sidecar(path: Path, description: str, seed: int) -> Path:
    """The `.meta.yml` provenance sidecar every landing file may carry (OWID-style)."""
    import yaml

    sidecar = path.with_name(path.name + ".meta.yml")
    sidecar.write_text(yaml.safe_dump({
        "synthetic": True,
        "producer": "DRI Warehouse demo-data generator (orchestration/demo/city.py)",
        "description": description,
        "seed": seed,
        "true_effects": TRUE_EFFECTS,
    }, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return sidecar


def write_yearbook_workbook(yearbook: pd.DataFrame, year: int, path: Path, seed: int) -> Path:
    """One CCSY-style workbook for one data year, three sheets.

    Before PRINTED_LAYOUT_FROM: merged two-row headers (indicator with unit over its 全市 /
    市辖区 pair), province heading rows, missing markers and a footnote. From then on, the
    layout of the printed pages: a Chinese and an English title, the region label "城  市 /
    City" merged down three header rows, the scope blocks "全 市 / Total City" and "市 辖 区 /
    Districts under City" merged across their indicator columns on the label's row, indicator
    names with the unit on a second line, city and province names justified with spaces
    ("石 家 庄"), GDP printed as text with thousands separators, and a note."""
    from openpyxl import Workbook

    rng = np.random.default_rng([seed, year])
    rows = yearbook[yearbook["year"] == year].sort_values(["province_name", "city_name"])
    # The rows grouped by province once for the three sheets (pandas' itertuples per group
    # and sheet was half the time of writing a workbook).
    provinces = [(province, list(group)) for province, group in itertools.groupby(
        rows.itertuples(index=False), key=attrgetter("province_name"))]
    wb = Workbook()
    wb.remove(wb.active)
    for sheet_name, number, title, blocks in YEARBOOK_SHEETS:
        ws = wb.create_sheet(sheet_name)
        printed = year >= PRINTED_LAYOUT_FROM
        write = _write_printed_page if printed else _write_two_row_page
        write(ws, provinces, rng, number, title, blocks, year)
        ws.column_dimensions["A"].width = 16
    path.parent.mkdir(parents=True, exist_ok=True)
    wb.save(path)
    return path


def _write_two_row_page(ws, provinces, rng, number, title, blocks, year) -> None:
    from openpyxl.styles import Alignment, Font

    last_col = 1 + 2 * len(blocks)
    ws.cell(1, 1, f"{number} {title}（{year}年）").font = Font(bold=True)
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=last_col)
    ws.cell(2, 1, "城市")
    ws.merge_cells(start_row=2, start_column=1, end_row=3, end_column=1)
    for b, (header, _, _) in enumerate(blocks):
        col = 2 + 2 * b
        ws.cell(2, col, header).alignment = Alignment(horizontal="center")
        ws.merge_cells(start_row=2, start_column=col, end_row=2, end_column=col + 1)
        ws.cell(3, col, "全市")
        ws.cell(3, col + 1, "市辖区")
    r = 4
    for province, records in provinces:
        ws.cell(r, 1, province)
        r += 1
        for rec in records:
            ws.cell(r, 1, rec.city_name)
            for b, (_, column, decimals) in enumerate(blocks):
                whole, district = _pair(rec, column, decimals, rng)
                ws.cell(r, 2 + 2 * b, whole)
                ws.cell(r, 3 + 2 * b, district)
            r += 1
    ws.cell(r + 1, 1, SYNTHETIC_NOTE)


def _write_printed_page(ws, provinces, rng, number, title, blocks, year) -> None:
    from openpyxl.styles import Font

    n = len(blocks)
    last_col = 1 + 2 * n
    ws.cell(1, 1, f"{number} {title}（{year}年）").font = Font(bold=True)
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=last_col)
    ws.cell(2, 1, f"{ENGLISH[title]} ({year})")
    ws.merge_cells(start_row=2, start_column=1, end_row=2, end_column=last_col)
    ws.cell(3, 1, "城  市\nCity")
    ws.merge_cells(start_row=3, start_column=1, end_row=4, end_column=1)
    ws.cell(3, 2, "全 市\nTotal City")
    ws.merge_cells(start_row=3, start_column=2, end_row=3, end_column=1 + n)
    ws.cell(3, 2 + n, "市 辖 区\nDistricts under City")
    ws.merge_cells(start_row=3, start_column=2 + n, end_row=3, end_column=last_col)
    for b, (header, _, _) in enumerate(blocks):
        name, unit = header[:-1].split("（", 1)
        for col in (2 + b, 2 + n + b):
            ws.cell(4, col, f"{name}\n（{unit}）")
    r = 5
    for province, records in provinces:
        ws.cell(r, 1, " ".join(province))
        r += 1
        for rec in records:
            ws.cell(r, 1, " ".join(rec.city_name.removesuffix("市")))
            for b, (_, column, decimals) in enumerate(blocks):
                whole, district = _pair(rec, column, decimals, rng)
                if column == "gdp_wan_yuan":
                    whole = f"{whole:,}"
                ws.cell(r, 2 + b, whole)
                ws.cell(r, 2 + n + b, district)
            r += 1
    ws.cell(r + 1, 1, SYNTHETIC_NOTE)


def _pair(rec, column: str, decimals: int, rng) -> tuple[object, object]:
    """The printed whole-city value and its city-proper (市辖区) share, or the missing marker."""
    whole = float(getattr(rec, column))
    district = round(whole * rec.district_share, decimals)
    missing = rng.random() < 0.05
    return (int(whole) if decimals == 0 else whole,
            MISSING_MARKER if missing else (int(district) if decimals == 0 else district))
