"""National-size SYNTHETIC patent extract (tens of millions of patents) as Parquet parts.

The small demo (`demo_data.py`) writes ~250,000 patents as one CSV through pandas; a
national extract (50 million patents, ~125 million IPC assignments) cannot be built that
way. This writer draws the patents part by part (`part_rows` per file, default 1,000,000)
with numpy and assembles the text columns with Arrow compute kernels, so memory stays at
a few hundred MB whatever the total, and every part is written and released before the
next is drawn. Everything here is SYNTHETIC: real city names, codes and IPC entries,
invented patents. It exists to exercise and time the pipeline at national scale; it does
NOT carry the causal world of the small demo (`demo_truth.csv` does not describe it).

Data-generating process (i = one of the 337 ref_cities units, t = 2010..2024, s = t - 2010)
-----------------------------------------------------------------------------------
    a_i             ~ N(0, 1)                                 latent size of the city
    patents in year t: N_t proportional to exp(0.08 s), rounded to sum to N exactly;
      rows are ordered by year (as extracts exported per year are), serial numbers run
      within the year, so application numbers are unique: CN + year + type digit
      (1 invention, 2 utility model) + 7-digit serial + '.' + the CNIPA mod-11 check digit
    city of a patent: P(i | t) proportional to exp(a_i + (0.05 + 0.02 a_i) s)
    kind:           integrated (digital AND real-economy codes) with probability
                      p_int_it = clip(0.08 + 0.03 a_i + 0.006 s, 0.01, 0.40),
                    digital only with p_dig_it = clip(0.06 + 0.02 a_i + 0.003 s, 0.01, 0.30),
                    real-economy only otherwise
    invention:      P = 0.60 for integrated / digital patents, 0.35 for the others
                    (invention -> 发明, otherwise 实用新型; no designs, they carry no IPC)
    codes per patent n: 1..6 with P = .29 .30 .21 .11 .05 .04 (integrated: at least 2);
                    mean ~2.5. Integrated: code 1 digital, code 2 real, the others digital
                    with P 1/2. Digital codes are drawn from concrete codes covered by the
                    CNIPA 2023 digital-economy core industry table (ref_ipc_digital_core:
                    exact entries as listed, `*` entries expanded to a few groups/subgroups);
                    real-economy codes from subclasses the table does not list at all.
                    Popular codes are drawn more often (index = floor(pool size * u^2)); a
                    code may repeat within a patent (rarely), as merged exports do.
    spelling of each code (independently): 'G06F 17/30' .55, 'G06F17/30' .22,
                    'G06F0017300000' .08, 'G06F 17/30 (2006.01)' .08 (editions 2006.01,
                    2019.01, 2023.01), 'g06f 17/30' .04, full-width 'Ｇ０６Ｆ　１７／３０' .03
    garbage:        1% of patents get one extra unparseable code appended (e.g. '见说明书',
                    'N/A', 'G06F', 'XX99 1/00'); their other codes are valid
    separator:      ';' between codes
    main IPC (主分类号): the first code, spelled as in the IPC field
    location:       region code (申请人区划代码) of the applicant's prefecture-level city
                    (40%), of a county of it (6 digits, 38%), a 12-digit town-level code of
                    such a county (3%), the city's 4-digit prefix (2%); no code with an address
                    naming province + city (13%), with an address naming only the county
                    (3%; a district name two cities of the province share, as 向阳区 in
                    黑龙江省, is rightly left unlocated), with a foreign address that
                    locates nowhere (1%). Without a county
                    table the county shares go to the city code / city address.
                    The address (申请人地址) is always present: province, city, district,
                    road and number for located applicants.
    dates:          application date uniform in the year; publication 180-720 days later

Determinism: part k is drawn from numpy's generator seeded with (seed, k), so the same
seed, patent count and part size write the same files.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from orchestration.demo.city import DEFAULT_SEED, seeds_dir

# `dri demo-data --scale X` with X >= SCALE_THRESHOLD writes this extract with
# round(X * PATENTS_PER_SCALE) patents (X = 200 -> 50 million).
PATENTS_PER_SCALE = 250_000
SCALE_THRESHOLD = 20.0
PART_ROWS = 1_000_000
ROW_GROUP_ROWS = 250_000
YEARS = tuple(range(2010, 2025))

HEADERS = (
    "申请号", "申请日", "公开(公告)日", "专利类型", "名称", "申请人", "申请人地址",
    "申请人区划代码", "主分类号", "IPC分类号",
)
ABSTRACT_HEADER = "摘要"

N_CODES_P = (0.29, 0.30, 0.21, 0.11, 0.05, 0.04)
SPELLINGS = (
    ("canonical", 0.55), ("compact", 0.22), ("epo", 0.08), ("edition", 0.08),
    ("lower", 0.04), ("fullwidth", 0.03),
)
EDITIONS = ("2006.01", "2019.01", "2023.01")
GARBAGE_SHARE = 0.01
GARBAGE_CODES = (
    "见说明书", "N/A", "#N/A", "G06F", "XX99 1/00", "0000", "?", "G06F 17/30/40/", "无",
)
# (mode, probability): how the applicant's location is printed (see the DGP above).
LOCATION_MODES = (
    ("city_code", 0.40), ("county_code", 0.38), ("town_code", 0.03), ("prefix_code", 0.02),
    ("city_address", 0.13), ("county_address", 0.03), ("foreign", 0.01),
)
INVENTION_P = {"digital": 0.60, "real": 0.35}

# Real-economy subclasses (a broad sample of IPC sections A-H); those the CNIPA table lists
# are dropped when the pool is built, so a real-economy code is never digital.
REAL_SUBCLASSES = (
    "A01B", "A01C", "A01D", "A01G", "A01K", "A01M", "A01N", "A21D", "A22C", "A23B", "A23F",
    "A23K", "A23L", "A23N", "A24B", "A41D", "A43B", "A45C", "A46B", "A47B", "A47C", "A47J",
    "A47L", "A61F", "A61G", "A61H", "A61J", "A61K", "A61L", "A61M", "A61P", "A61Q", "A62B",
    "A62C", "A63B", "A63H", "B01D", "B01F", "B01J", "B02C", "B03C", "B05B", "B05C", "B07B",
    "B08B", "B21B", "B21C", "B21D", "B22C", "B22D", "B22F", "B23B", "B23K", "B23P", "B23Q",
    "B24B", "B25B", "B25H", "B26D", "B27N", "B28B", "B29C", "B30B", "B32B", "B41F", "B60B",
    "B60K", "B60L", "B60P", "B60R", "B61D", "B62D", "B63H", "B64C", "B65B", "B65D", "B65G",
    "B65H", "B66B", "B66C", "B66F", "C01B", "C02F", "C03B", "C03C", "C04B", "C05G", "C07C",
    "C07D", "C07K", "C08F", "C08G", "C08J", "C08K", "C08L", "C09D", "C09J", "C09K", "C10G",
    "C10L", "C11D", "C12M", "C12N", "C12P", "C21D", "C22B", "C22C", "C23C", "C23F", "C25D",
    "D01D", "D01F", "D03D", "D04B", "D04H", "D06F", "D06M", "D06P", "D21F", "D21H", "E01B",
    "E01C", "E01D", "E02B", "E02D", "E02F", "E03B", "E03C", "E03F", "E04B", "E04F", "E04G",
    "E04H", "E05B", "E05D", "E06B", "E21B", "E21D", "F01D", "F01K", "F01N", "F02B", "F02C",
    "F02M", "F03D", "F04B", "F04C", "F04D", "F15B", "F16B", "F16C", "F16D", "F16H", "F16J",
    "F16K", "F16L", "F17C", "F21S", "F21V", "F22B", "F23C", "F23G", "F24C", "F24F", "F24H",
    "F24S", "F25B", "F25D", "F26B", "F27B", "F27D", "F28D", "F28F", "F41A", "F42B", "G01B",
    "G01C", "G01K", "G01L", "G01M", "G01N", "G01V", "G02B", "G03B", "G04B", "G09B", "G09F",
    "G10K", "G21C", "H01B", "H01F", "H01H", "H01M", "H01R", "H02B", "H02G", "H02J", "H02K",
    "H02M", "H02S", "H05B",
)
REAL_MAIN_GROUPS = (1, 3, 5, 7, 9, 11, 13, 15, 17, 19, 21, 23, 25, 27, 29, 31, 33, 35, 37)
SUBGROUPS = (
    "00", "02", "04", "06", "08", "10", "12", "14", "16", "18", "20", "22", "24", "26",
    "28", "30", "32", "34", "36", "38", "40", "42", "44", "46", "48", "50", "52", "54",
    "56", "58", "60", "62", "64", "66", "68", "70", "72", "74", "76", "78", "80", "82",
    "84", "86", "88", "90", "92", "94", "96", "98", "045", "0464", "105", "1435", "215",
    "2455", "325", "535", "625", "785", "865", "958",
)

TITLES = {
    "integrated": ("一种基于工业互联网的智能制造方法", "一种基于物联网的设备监测系统",
                   "一种智能控制的加工装置", "一种基于机器视觉的检测装置"),
    "digital": ("一种数据处理方法及系统", "一种图像识别方法、装置及存储介质",
                "一种通信网络资源调度方法", "一种神经网络模型训练方法"),
    "real": ("一种机械装置", "一种复合材料及其制备方法", "一种建筑用支撑结构",
             "一种食品加工设备", "一种药物组合物"),
}
ABSTRACTS = {
    "integrated": "本发明公开了一种将数据采集与控制结合于生产设备的方法，提高了加工效率。",
    "digital": "本发明公开了一种数据处理方法，通过对输入数据进行特征提取与计算，提高了处理速度。",
    "real": "本实用新型公开了一种结构装置，包括底座、支撑件与连接件，结构简单，使用方便。",
}
APPLICANT_SUFFIXES = ("智造科技有限公司", "信息技术股份有限公司", "新材料有限公司",
                      "机械制造有限公司", "技术研究院", "电子科技有限公司")
DISTRICTS = ("高新技术产业开发区", "经济技术开发区", "中心城区")
ROADS = ("创新路", "科技大道", "工业园路", "学府路", "建设大街")
FOREIGN = ("美国加利福尼亚州圣克拉拉", "日本国东京都港区", "大韩民国京畿道", "德国慕尼黑",
           "瑞典斯德哥尔摩")
# CNIPA application numbers: 12 digits, check digit = sum(d_k * w_k) mod 11 ('X' for 10).
_CHECK_WEIGHTS = np.array([2, 3, 4, 5, 6, 7, 8, 9, 2, 3, 4, 5])


@dataclass(frozen=True)
class ScaleWorld:
    """What every part is drawn from: cities, year sizes, probabilities and code pools."""

    n_patents: int
    seed: int
    cities: pd.DataFrame  # city_code, city_name, province_name, short_name, a
    counties: pd.DataFrame  # county_code, county_name, city_index (may be empty)
    year_start: np.ndarray  # first global row of each year (len(YEARS) + 1 bounds)
    city_cum: np.ndarray  # (years, cities) cumulative city probabilities
    p_integrated: np.ndarray  # (cities, years)
    p_digital: np.ndarray  # (cities, years)
    code_pool: pa.Array  # every code in every spelling, then the garbage codes
    n_digital_codes: int
    n_real_codes: int


@dataclass(frozen=True)
class ScaleFiles:
    parts: list[Path]
    sidecar: Path
    n_patents: int
    n_codes: int  # codes printed in the IPC fields, garbage included
    seconds: float


def load_counties(seeds: Path | None = None) -> pd.DataFrame:
    """County-level units (county_code, county_name, city_code) when a county seed exists;
    an empty frame otherwise (the writer then prints city codes and city addresses)."""
    seeds = seeds or seeds_dir()
    for name in ("ref_counties.csv", "ref_county_divisions.csv"):
        path = seeds / name
        if path.exists():
            frame = pd.read_csv(path, dtype=str)
            if "status" in frame.columns:  # print today's codes, not former ones
                frame = frame[frame["status"] == "current"]
            code = next(c for c in ("county_code", "code") if c in frame.columns)
            label = next(c for c in ("county_name", "name") if c in frame.columns)
            parent = next(c for c in ("city_code", "parent_code", "prefecture_code")
                          if c in frame.columns)
            out = frame[[code, label, parent]].set_axis(
                ["county_code", "county_name", "city_code"], axis=1)
            return out.dropna().drop_duplicates("county_code").reset_index(drop=True)
    return pd.DataFrame(columns=["county_code", "county_name", "city_code"])


def ipc_pools(seeds: Path | None = None, seed: int = DEFAULT_SEED) -> tuple[list, list]:
    """Concrete codes (subclass, main group, subgroup) covered by the CNIPA table, and
    real-economy codes from subclasses the table does not list."""
    seeds = seeds or seeds_dir()
    rng = np.random.default_rng([seed, 10_001])
    table = pd.read_csv(seeds / "ref_ipc_digital_core.csv", dtype=str)
    table = table[table["flag"].fillna("") != "malformed_in_source"]
    digital: set[tuple[str, int, str]] = set()
    for prefix, wildcard in zip(table["ipc_prefix"], table["wildcard"], strict=True):
        subclass, rest = prefix[:4], prefix[4:]
        if "/" in rest:  # an exact subgroup entry
            group, sub = rest.split("/")
            digital.add((subclass, int(group), sub))
        elif rest:  # a main group: G06F17* covers its subgroups, H04R1/00-style exact
            for sub in (rng.choice(SUBGROUPS, 5, replace=False) if wildcard == "1" else ["00"]):
                digital.add((subclass, int(rest), str(sub)))
        else:  # a whole subclass
            for group in rng.choice(REAL_MAIN_GROUPS, 4, replace=False):
                for sub in rng.choice(SUBGROUPS, 3, replace=False):
                    digital.add((subclass, int(group), str(sub)))
    listed = {p[:4] for p in table["ipc_prefix"]}
    real = [
        (subclass, int(group), str(sub))
        for subclass in REAL_SUBCLASSES if subclass not in listed
        for group in rng.choice(REAL_MAIN_GROUPS, 4, replace=False)
        for sub in rng.choice(SUBGROUPS, 4, replace=False)
    ]
    return sorted(digital), sorted(set(real))


def spell(code: tuple[str, int, str], spelling: str, edition: str = EDITIONS[0]) -> str:
    """One code printed the way `spelling` names (see SPELLINGS)."""
    subclass, group, sub = code
    canonical = f"{subclass} {group}/{sub}"
    if spelling == "canonical":
        return canonical
    if spelling == "compact":
        return f"{subclass}{group}/{sub}"
    if spelling == "epo":
        return f"{subclass}{group:04d}{sub.ljust(6, '0')}"
    if spelling == "edition":
        return f"{canonical} ({edition})"
    if spelling == "lower":
        return canonical.lower()
    if spelling == "fullwidth":
        return "".join("\u3000" if ch == " " else chr(ord(ch) + 0xFEE0) for ch in canonical)
    raise ValueError(f"unknown spelling {spelling!r}")


def canonical_code(code: tuple[str, int, str]) -> str:
    return spell(code, "canonical")


def build_world(
    n_patents: int, seed: int = DEFAULT_SEED, seeds: Path | None = None
) -> ScaleWorld:
    """Everything that does not depend on the part: drawn once from (seed, 0)."""
    if n_patents < 1:
        raise ValueError(f"n_patents must be positive, got {n_patents}")
    seeds = seeds or seeds_dir()
    rng = np.random.default_rng([seed, 0])
    cities = pd.read_csv(seeds / "ref_cities.csv", dtype={"city_code": str})
    cities = cities.sort_values("city_code").reset_index(drop=True)
    cities["short_name"] = cities["city_name"].str.replace(
        r"(市|地区|自治州|盟)$", "", regex=True)
    a = rng.normal(0, 1, len(cities))
    cities["a"] = a

    s = np.arange(len(YEARS))
    year_w = np.exp(0.08 * s)
    raw = n_patents * year_w / year_w.sum()
    per_year = np.floor(raw).astype(np.int64)
    # largest remainders get the rows rounding left over, so the years sum to N exactly
    per_year[np.argsort(raw - per_year)[::-1][: n_patents - per_year.sum()]] += 1
    if per_year.max() >= 10_000_000:
        raise ValueError("more than 9,999,999 patents in one year do not fit the 7-digit "
                         "serial of a CNIPA application number")
    year_start = np.concatenate([[0], np.cumsum(per_year)])

    logits = a[None, :] + (0.05 + 0.02 * a[None, :]) * s[:, None]
    city_p = np.exp(logits - logits.max(axis=1, keepdims=True))
    city_cum = np.cumsum(city_p / city_p.sum(axis=1, keepdims=True), axis=1)
    city_cum[:, -1] = 1.0
    p_int = np.clip(0.08 + 0.03 * a[:, None] + 0.006 * s[None, :], 0.01, 0.40)
    p_dig = np.clip(0.06 + 0.02 * a[:, None] + 0.003 * s[None, :], 0.01, 0.30)

    counties = load_counties(seeds)
    index = pd.Series(np.arange(len(cities)), index=cities["city_code"])
    counties = counties[counties["city_code"].isin(index.index)].copy()
    counties["city_index"] = index.reindex(counties["city_code"]).to_numpy()
    counties = counties.sort_values(["city_index", "county_code"]).reset_index(drop=True)

    digital, real = ipc_pools(seeds, seed)
    codes = digital + real
    texts = [
        spell(code, name, EDITIONS[k % len(EDITIONS)])
        for name, _ in SPELLINGS for k, code in enumerate(codes)
    ]
    pool = pa.array(texts + list(GARBAGE_CODES), pa.string())
    return ScaleWorld(
        n_patents=n_patents, seed=seed, cities=cities, counties=counties,
        year_start=year_start, city_cum=city_cum, p_integrated=p_int, p_digital=p_dig,
        code_pool=pool, n_digital_codes=len(digital), n_real_codes=len(real),
    )


def expected_shares(world: ScaleWorld) -> dict[str, float]:
    """Shares of all patents the DGP implies in expectation: integrated, digital (integrated
    or digital only), invention, and foreign (the most that can stay unlocated by design;
    an address naming a county whose name two cities of the province share, such as
    黑龙江省向阳区, is rightly left unlocated too)."""
    year_w = np.diff(world.year_start) / world.n_patents
    city_p = np.diff(np.concatenate([np.zeros((len(YEARS), 1)), world.city_cum], axis=1),
                     axis=1)
    integrated = float(year_w @ (city_p * world.p_integrated.T).sum(axis=1))
    digital = integrated + float(year_w @ (city_p * world.p_digital.T).sum(axis=1))
    inventions = (INVENTION_P["real"]
                  + (INVENTION_P["digital"] - INVENTION_P["real"]) * digital)
    return {"integrated": integrated, "digital": digital, "invention": inventions,
            "foreign": dict(LOCATION_MODES)["foreign"]}


def _check_digits(year: np.ndarray, type_digit: np.ndarray, serial: np.ndarray) -> np.ndarray:
    digits = np.empty((len(year), 12), dtype=np.int64)
    for k in range(4):
        digits[:, k] = year // 10 ** (3 - k) % 10
    digits[:, 4] = type_digit
    for k in range(7):
        digits[:, 5 + k] = serial // 10 ** (6 - k) % 10
    return (digits @ _CHECK_WEIGHTS) % 11


def _strings(values: np.ndarray) -> pa.Array:
    return pc.cast(pa.array(values), pa.string())


def _take(labels, index: np.ndarray) -> pa.Array:
    return pa.array(list(labels), pa.string()).take(pa.array(index))


def generate_part(world: ScaleWorld, part: int, part_rows: int = PART_ROWS,
                  abstracts: bool = False) -> pa.Table:
    """Rows [part * part_rows, (part + 1) * part_rows) of the extract as an Arrow table."""
    first = part * part_rows
    last = min(first + part_rows, world.n_patents)
    if first >= last:
        raise ValueError(f"part {part} is past the end of {world.n_patents:,} patents")
    rng = np.random.default_rng([world.seed, part + 1])
    n = last - first
    row = np.arange(first, last, dtype=np.int64)
    year_idx = np.searchsorted(world.year_start, row, side="right") - 1
    year = np.asarray(YEARS)[year_idx]
    serial = row - world.year_start[year_idx]

    # city, kind and type of each patent
    u = rng.random(n)
    city = np.empty(n, dtype=np.int64)
    for y in np.unique(year_idx):
        rows = year_idx == y
        city[rows] = np.searchsorted(world.city_cum[y], u[rows], side="right")
    city = np.minimum(city, len(world.cities) - 1)
    u = rng.random(n)
    p_int = world.p_integrated[city, year_idx]
    kind = np.where(u < p_int, 0, np.where(u < p_int + world.p_digital[city, year_idx], 1, 2))
    invention = rng.random(n) < np.where(kind < 2, INVENTION_P["digital"], INVENTION_P["real"])

    # the IPC field: n codes, plus a garbage code for some patents
    n_codes = rng.choice(np.arange(1, len(N_CODES_P) + 1), size=n, p=N_CODES_P)
    n_codes[kind == 0] = np.maximum(n_codes[kind == 0], 2)
    garbage = rng.random(n) < GARBAGE_SHARE
    n_total = n_codes + garbage
    offsets = np.concatenate([[0], np.cumsum(n_total)])
    total = int(offsets[-1])
    owner = np.repeat(np.arange(n), n_total)
    pos = np.arange(total) - offsets[:-1][owner]
    kind_f = kind[owner]
    digital_f = (kind_f == 1) | (
        (kind_f == 0) & ((pos == 0) | ((pos >= 2) & (rng.random(total) < 0.5))))
    u = rng.random(total) ** 2
    code = np.where(
        digital_f, (u * world.n_digital_codes).astype(np.int64),
        world.n_digital_codes + (u * world.n_real_codes).astype(np.int64),
    )
    spelling = rng.choice(len(SPELLINGS), size=total, p=[p for _, p in SPELLINGS])
    n_pool = world.n_digital_codes + world.n_real_codes
    flat = spelling * n_pool + code
    is_garbage = pos == n_codes[owner]
    flat[is_garbage] = len(SPELLINGS) * n_pool + rng.integers(
        0, len(GARBAGE_CODES), int(is_garbage.sum()))
    pieces = world.code_pool.take(pa.array(flat))
    ipc_field = pc.binary_join(pa.ListArray.from_arrays(pa.array(offsets, pa.int32()), pieces), ";")
    main_ipc = pieces.take(pa.array(offsets[:-1]))

    # application number and dates
    type_digit = np.where(invention, 1, 2)
    check = _check_digits(year, type_digit, serial)
    app_no = pc.binary_join_element_wise(
        "CN", _strings(year), _strings(type_digit), pc.utf8_lpad(_strings(serial), 7, "0"),
        ".", _take([str(k) for k in range(10)] + ["X"], check), "")
    jan1 = (np.asarray([np.datetime64(f"{y}-01-01") for y in YEARS])
            - np.datetime64("1970-01-01")).astype(np.int64)
    leap = np.array([366 if (y % 4 == 0 and y % 100) or y % 400 == 0 else 365 for y in YEARS])
    app_day = jan1[year_idx] + (rng.random(n) * leap[year_idx]).astype(np.int64)
    pub_day = app_day + rng.integers(180, 721, n)

    # applicant and location
    cities = world.cities
    mode = rng.choice(len(LOCATION_MODES), size=n, p=[p for _, p in LOCATION_MODES])
    names = [m for m, _ in LOCATION_MODES]
    county = np.full(n, -1, dtype=np.int64)
    if len(world.counties):
        bounds = np.searchsorted(world.counties["city_index"].to_numpy(),
                                 np.arange(len(cities) + 1))
        n_county = bounds[city + 1] - bounds[city]
        has = n_county > 0
        county[has] = bounds[city[has]] + (rng.random(int(has.sum())) * n_county[has]).astype(
            np.int64)
    # a city without counties in the table prints its own code / its own address instead
    for wanted, fallback in (("county_code", "city_code"), ("town_code", "city_code"),
                             ("county_address", "city_address")):
        mode[(mode == names.index(wanted)) & (county < 0)] = names.index(fallback)
    city_code = _take(cities["city_code"], city)
    county_code = (_take(world.counties["county_code"], np.maximum(county, 0))
                   if len(world.counties) else city_code)
    town = pc.binary_join_element_wise(
        county_code, pc.utf8_lpad(_strings(rng.integers(1, 30, n)), 3, "0"), "000", "")
    region = pa.nulls(n, pa.string())
    for m, values in (
        ("city_code", city_code), ("county_code", county_code), ("town_code", town),
        ("prefix_code", pc.utf8_slice_codeunits(city_code, 0, 4)),
    ):
        region = pc.if_else(pa.array(mode == names.index(m)), values, region)

    province = _take(cities["province_name"], city)
    city_name = _take(cities["city_name"], city)
    street = pc.binary_join_element_wise(
        _take(ROADS, rng.integers(0, len(ROADS), n)),
        _strings(rng.integers(1, 1000, n)), "号", "")
    district = _take(DISTRICTS, rng.integers(0, len(DISTRICTS), n))
    # municipalities print the name once: 北京市海淀区…, not 北京市北京市…
    is_muni = (cities["unit_type"].to_numpy() == "municipality")[city]
    city_part = pc.if_else(pa.array(is_muni), pa.scalar(""), city_name)
    address = pc.binary_join_element_wise(province, city_part, district, street, "")
    if len(world.counties):
        county_name = _take(world.counties["county_name"], np.maximum(county, 0))
        county_address = pc.binary_join_element_wise(province, county_name, street, "")
        address = pc.if_else(pa.array(mode == names.index("county_address")),
                             county_address, address)
    foreign = pc.binary_join_element_wise(
        _take(FOREIGN, rng.integers(0, len(FOREIGN), n)), street, "")
    address = pc.if_else(pa.array(mode == names.index("foreign")), foreign, address)
    applicant = pc.binary_join_element_wise(
        _take(cities["short_name"], city),
        _take(APPLICANT_SUFFIXES, rng.integers(0, len(APPLICANT_SUFFIXES), n)), "")
    applicant = pc.if_else(pa.array(mode == names.index("foreign")),
                           pa.scalar("海外技术有限公司"), applicant)

    kinds = ("integrated", "digital", "real")
    title_pool = [t for k in kinds for t in TITLES[k]]
    title_start = np.cumsum([0] + [len(TITLES[k]) for k in kinds])[kind]
    title_len = np.array([len(TITLES[k]) for k in kinds])[kind]
    title = _take(title_pool, title_start + (rng.random(n) * title_len).astype(np.int64))

    columns = {
        "申请号": app_no,
        "申请日": pa.array(app_day.astype(np.int32), pa.date32()),
        "公开(公告)日": pa.array(pub_day.astype(np.int32), pa.date32()),
        "专利类型": _take(["发明", "实用新型"], np.where(invention, 0, 1)),
        "名称": title,
        "申请人": applicant,
        "申请人地址": address,
        "申请人区划代码": region,
        "主分类号": main_ipc,
        "IPC分类号": ipc_field,
    }
    if abstracts:
        columns[ABSTRACT_HEADER] = _take([ABSTRACTS[k] for k in kinds], kind)
    return pa.table(columns)


def part_paths(out_dir: Path, n_patents: int, part_rows: int = PART_ROWS) -> list[Path]:
    n_parts = -(-n_patents // part_rows)
    return [out_dir / f"patents_scale_part-{k:05d}.parquet" for k in range(n_parts)]


def write_part(world: ScaleWorld, part: int, path: Path, part_rows: int = PART_ROWS,
               abstracts: bool = False) -> tuple[int, int]:
    """Draw and write one part (zstd, row groups of ROW_GROUP_ROWS) with its sidecar;
    returns (patents, codes printed in the IPC field)."""
    import pyarrow.parquet as pq

    table = generate_part(world, part, part_rows, abstracts)
    pq.write_table(table, path, row_group_size=ROW_GROUP_ROWS, compression="zstd")
    write_sidecar(path, world, part_rows, abstracts)
    codes = pc.sum(pc.count_substring(table["IPC分类号"], ";")).as_py() + table.num_rows
    return table.num_rows, codes


def write_scale_patents(
    out_dir: Path,
    n_patents: int,
    seed: int = DEFAULT_SEED,
    part_rows: int = PART_ROWS,
    abstracts: bool = False,
    progress: Callable[[str], None] | None = None,
    seeds: Path | None = None,
    workers: int = 2,
) -> ScaleFiles:
    """Write the extract as `patents_scale_part-NNNNN.parquet` files of `part_rows` patents
    each, plus one `.meta.yml` sidecar per part. `workers` parts are drawn at a time
    (numpy and Arrow kernels release the GIL), so memory is bounded by `workers` parts."""
    from concurrent.futures import ThreadPoolExecutor

    say = progress or (lambda _msg: None)
    started = time.perf_counter()
    world = build_world(n_patents, seed, seeds)
    out_dir.mkdir(parents=True, exist_ok=True)
    paths = part_paths(out_dir, n_patents, part_rows)
    written = codes = 0
    with ThreadPoolExecutor(max_workers=max(1, workers)) as pool:
        # submit lazily: at most `workers` parts are in flight, never the whole extract
        pending = []
        for part, path in enumerate(paths):
            pending.append((path, pool.submit(write_part, world, part, path, part_rows,
                                              abstracts)))
            if len(pending) < max(1, workers) and part < len(paths) - 1:
                continue
            while pending and (len(pending) >= max(1, workers) or part == len(paths) - 1):
                done_path, future = pending.pop(0)
                rows, part_codes = future.result()
                written += rows
                codes += part_codes
                rate = written / (time.perf_counter() - started)
                say(f"{done_path.name}: {written:,} / {n_patents:,} patents, "
                    f"{codes:,} codes ({rate:,.0f} patents/s)")
    return ScaleFiles(parts=paths, sidecar=paths[0].with_name(paths[0].name + ".meta.yml"),
                      n_patents=written, n_codes=codes,
                      seconds=time.perf_counter() - started)


def write_sidecar(path: Path, world: ScaleWorld, part_rows: int, abstracts: bool) -> Path:
    """The `.meta.yml` provenance sidecar (as demo_data.write_sidecar) with the DGP's knobs."""
    import yaml

    sidecar = path.with_name(path.name + ".meta.yml")
    sidecar.write_text(yaml.safe_dump({
        "synthetic": True,
        "producer": "DRI Warehouse national-scale patent generator "
                    "(orchestration/demo/patents_scale.py)",
        "description": "Synthetic national-size patent extract (one part), one row per "
                       "patent; real city names, codes and IPC entries, invented patents. "
                       "DGP in the module docstring; it does not carry the small demo's "
                       "causal world.",
        "seed": world.seed,
        "n_patents_total": world.n_patents,
        "part_rows": part_rows,
        "abstracts": abstracts,
        "codes_per_patent_p": list(N_CODES_P),
        "spellings": dict(SPELLINGS),
        "garbage_share": GARBAGE_SHARE,
        "location_modes": dict(LOCATION_MODES),
        "counties_available": bool(len(world.counties)),
    }, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return sidecar
