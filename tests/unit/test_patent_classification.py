"""The patent classification in dbt (models/intermediate/patents) against an independent Python
reading of the CNIPA 2023 table, on a small synthetic extract.

The extract is loaded by the real ingest (load_patent_files + normalize_ipc); dbt builds the
staging, location and classification models into a scratch DuckDB file. Expected values come
from `_covering_minors` below — the table's rules applied to the seed CSV in plain Python,
code by code — and from pandas counts, never from the models' own output (only the city of
each patent is taken from int_patents_located, which is the location helper's model).
"""

from __future__ import annotations

import csv
import random
import re
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from orchestration.ingest.ipc import normalize_ipc
from orchestration.ingest.patent_load import load_patent_files
from tests.conftest import run_dbt

ROOT = Path(__file__).resolve().parents[2]
DBT_DIR = ROOT / "dbt_project"
SEED = DBT_DIR / "seeds" / "ref_ipc_digital_core.csv"
ENTRY = re.compile(r"^([A-H]\d{2}[A-Z])(\d{1,4})?(?:/(\d{1,6}))?(\*)?$")
MODELS = ("+int_city_patent_counts +int_patent_digital_industries +int_patents_unlocated_by_year "
          "+int_patent_ipc_classified")

# addresses the location model resolves (or not) — their cities come from its output
ADDRESSES = ["河北省石家庄市长安区建设北大街1号", "北京市海淀区中关村大街2号",
             "安徽省马鞍山市花山区3号", "广东省深圳市南山区4号", "无法识别的地址5号"]
TYPES = ["发明", "实用新型", "外观设计"]


# --- the table's rules, independently ----------------------------------------------------------

def canonical_subgroup(subgroup: str) -> str:
    """The canonical subgroup of the patents' codes: trailing zeros beyond 2 digits dropped."""
    if len(subgroup) > 2:
        subgroup = subgroup.rstrip("0")
    return subgroup.ljust(2, "0")


def _entries() -> list[tuple[str, str, int | None, str | None, bool]]:
    """(minor, subclass, main group, subgroup, wildcard) for every usable seed entry."""
    out = []
    with SEED.open(encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            match = ENTRY.match(row["ipc_raw"])
            if match is None:  # the source's malformed GC23C16*
                assert row["flag"] == "malformed_in_source", row
                continue
            subclass, main_group, subgroup, star = match.groups()
            out.append((row["minor_code"], subclass,
                        int(main_group) if main_group else None,
                        canonical_subgroup(subgroup) if subgroup else None, star is not None))
    return out


ENTRIES = _entries()


def _covering_minors(code: str) -> set[str]:
    """Sub-classes whose entries cover a canonical code 'G06F 1/16'."""
    subclass, rest = code.split(" ")
    main_group, subgroup = rest.split("/")
    minors = set()
    for minor, e_subclass, e_main, e_sub, _star in ENTRIES:
        if e_subclass != subclass:
            continue
        if e_main is None:  # a subclass: H05K*, and H01Q printed without '*'
            minors.add(minor)
        elif e_sub is None:  # a main group with '*': compare the numbers, not text
            if e_main == int(main_group):
                minors.add(minor)
        elif (e_main, e_sub) == (int(main_group), subgroup):  # an exact code
            minors.add(minor)
    return minors


def _probe_codes() -> list[str]:
    """Codes at, below, beside and (string-)prefix-alike to every entry, plus real ones."""
    codes = {"A01B 79/00", "C07D 213/00", "F16B 5/02", "A23L 2/00", "G06F 15/16", "G06F 10/00",
             "G05B 19/4183", "G05B 19/41", "G05B 19/42", "G11B 3/04", "H01Q 1/22"}
    for _minor, subclass, main_group, subgroup, _star in ENTRIES:
        if main_group is None:
            codes |= {f"{subclass} 1/00", f"{subclass} 99/02"}
        elif subgroup is None:
            for group in (main_group, main_group * 10 + 5, main_group + 1):
                codes |= {f"{subclass} {group}/00", f"{subclass} {group}/16"}
        else:
            below = canonical_subgroup(subgroup + "3")
            beside = canonical_subgroup(str(int(subgroup) + 1).zfill(len(subgroup)))
            codes |= {f"{subclass} {main_group}/{s}" for s in (subgroup, below, beside)}
    return sorted(codes)


# --- the build ----------------------------------------------------------------------------------

def _write_extract(path: Path, codes: list[str], n_patents: int) -> pd.DataFrame:
    rng = random.Random(20230323)
    rows = []
    for i in range(n_patents):
        # every probe code at least once, with 0-3 random companions
        patent_codes = [codes[i % len(codes)], *rng.sample(codes, rng.randint(0, 3))]
        if i % 7 == 0:  # the same code printed twice and differently spelt: one assignment
            patent_codes.append(patent_codes[0].replace(" ", ""))
        rows.append({
            "申请号": f"CN{2015 + i % 6}1{i:07d}.X", "申请日": f"{2015 + i % 6}-0{1 + i % 9}-15",
            "专利类型": TYPES[i % 3], "名称": "合成专利", "申请人": "合成公司",
            "申请人地址": ADDRESSES[i % len(ADDRESSES)], "主分类号": patent_codes[0],
            "IPC分类号": ";".join(patent_codes),
        })
    # a patent whose only code cannot be parsed: no code, neither digital nor real
    rows.append({"申请号": "CN2016NOCODE.X", "申请日": "2016-05-05", "专利类型": "发明",
                 "名称": "合成专利", "申请人": "合成公司", "申请人地址": ADDRESSES[0],
                 "主分类号": "", "IPC分类号": "not a code"})
    frame = pd.DataFrame(rows)
    frame.to_csv(path, index=False, encoding="utf-8")
    return frame


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> tuple[Path, pd.DataFrame]:
    tmp = tmp_path_factory.mktemp("patent_classification")
    (tmp / "patents").mkdir()
    codes = _probe_codes()
    extract = _write_extract(tmp / "patents" / "synthetic.csv", codes, len(codes) + 500)
    db = tmp / "wh.duckdb"
    with duckdb.connect(str(db)) as con:
        load_patent_files(con, [tmp / "patents" / "synthetic.csv"])
        normalize_ipc(con)
    run_dbt(tmp, db, "seed")
    # every model up to the counts, with their data tests and unit tests
    run_dbt(tmp, db, "build", "--select", MODELS, "--exclude", "resource_type:seed")
    return db, extract


def _query(db: Path, sql: str) -> pd.DataFrame:
    with duckdb.connect(str(db), read_only=True) as con:
        return con.sql(sql).df()


@pytest.fixture(scope="module")
def expected(built) -> pd.DataFrame:
    """Per patent, from the extract text and the Python rules: codes, minors, flags."""
    _db, extract = built
    records = []
    for _, row in extract.iterrows():
        codes = set()
        for piece in row["IPC分类号"].split(";"):
            m = re.fullmatch(r"([A-H]\d{2}[A-Z])\s*(\d+)/(\d+)", piece)
            if m:
                codes.add(f"{m[1]} {int(m[2])}/{canonical_subgroup(m[3])}")
        covering = {code: _covering_minors(code) for code in codes}
        minors = set().union(*covering.values()) if codes else set()
        n_digital = sum(1 for v in covering.values() if v)
        records.append({
            "application_number": row["申请号"], "year": int(row["申请日"][:4]),
            "is_invention": row["专利类型"] == "发明", "n_ipc_codes": len(codes),
            "n_digital_ipc_codes": n_digital, "minors": minors,
            "is_digital": n_digital > 0, "is_real": n_digital < len(codes),
        })
    frame = pd.DataFrame(records)
    frame["is_integrated"] = frame["is_digital"] & frame["is_real"]
    return frame


# --- matching -----------------------------------------------------------------------------------

def _model_minors(db: Path) -> dict[str, set[str]]:
    bridge = _query(db, "select ipc_code, minor_code from intermediate.int_ipc_code_digital_minors")
    codes = _query(db, "select ipc_code from intermediate.int_ipc_codes_classified")
    out = {code: set() for code in codes["ipc_code"]}
    for code, minor in bridge.itertuples(index=False):
        out[code].add(minor)
    return out


def test_every_code_matches_the_sub_classes_the_rules_give(built):
    db, _ = built
    model = _model_minors(db)
    assert set(model) == set(_probe_codes())
    wrong = {c: (model[c], _covering_minors(c)) for c in model if model[c] != _covering_minors(c)}
    assert not wrong, list(wrong.items())[:5]
    # the probes exercise every kind of entry, and real-economy codes
    assert sum(1 for v in model.values() if v) > 500
    assert sum(1 for v in model.values() if not v) > 300


def test_named_cases_of_the_table(built):
    model = _model_minors(built[0])
    # G06F1* (040703 lists it, not G06F15*): 1/16 yes, 15/16 and 10/00 no
    assert "040703" in model["G06F 1/16"]
    assert "040703" not in model["G06F 15/16"] and "040703" not in model["G06F 10/00"]
    # exact G05B19/418 (010104, no G05B19* there): not the subgroup below, above or beside
    assert "010104" in model["G05B 19/418"]
    for neighbour in ("G05B 19/4183", "G05B 19/41", "G05B 19/42"):
        assert "010104" not in model[neighbour], neighbour
    # G11B3/00 without '*' (010307) is that code only
    assert "010307" in model["G11B 3/00"] and "010307" not in model["G11B 3/04"]
    # H01Q without '*' (010302) covers the subclass
    assert "010302" in model["H01Q 1/22"]
    # the malformed GC23C16* adds nothing: C23C 16/xx only where C23C16* is printed
    printed = {m for m, s, g, _sg, _st in ENTRIES if (s, g) == ("C23C", 16)}
    assert model["C23C 16/00"] == printed


# --- per patent ---------------------------------------------------------------------------------

def test_patent_flags_equal_the_python_classification(built, expected):
    db, _ = built
    model = _query(db, """select application_number, n_ipc_codes, n_digital_ipc_codes, is_digital,
                                  is_real, is_integrated, n_digital_minor_industries
                           from intermediate.int_patents_classified""")
    merged = expected.merge(model, on="application_number", suffixes=("", "_model"),
                            validate="one_to_one")
    assert len(merged) == len(expected) == len(model)
    for column in ("n_ipc_codes", "n_digital_ipc_codes", "is_digital", "is_real",
                   "is_integrated"):
        assert (merged[column] == merged[f"{column}_model"]).all(), column
    assert (merged["minors"].map(len) == merged["n_digital_minor_industries"]).all()
    # the patent x code view agrees code by code
    pairs = _query(db, "select ipc_code, is_digital_code, n_digital_minors "
                       "from intermediate.int_patent_ipc_classified")
    assert len(pairs) == expected["n_ipc_codes"].sum()
    assert (pairs["is_digital_code"] == pairs["ipc_code"].map(lambda c: bool(_covering_minors(c)))
            ).all()
    assert (pairs["n_digital_minors"] == pairs["ipc_code"].map(lambda c: len(_covering_minors(c)))
            ).all()
    no_code = merged.set_index("application_number").loc["CN2016NOCODE.X"]
    assert not no_code["is_digital_model"] and not no_code["is_real_model"]
    assert expected["is_integrated"].sum() > 100 and (~expected["is_real"]).sum() > 10


def test_industries_once_per_patent_and_level(built, expected):
    db, _ = built
    rows = _query(db, """select application_number, industry_level, industry_code
                          from intermediate.int_patent_digital_industries""")
    assert not rows.duplicated().any()
    got = rows.groupby(["application_number", "industry_level"])["industry_code"].agg(set)
    want = {}
    for number, minors in expected.loc[expected["is_digital"], ["application_number", "minors"]
                                       ].itertuples(index=False):
        want[(number, "minor")] = minors
        want[(number, "mid")] = {m[:4] for m in minors}
        want[(number, "major")] = {m[:2] for m in minors}
    assert got.to_dict() == want
    # a patent in several sub-classes of one mid class has that mid class once
    several = [k for k, v in want.items() if k[1] == "minor" and len(v) > len({m[:4] for m in v})]
    assert len(several) > 100


# --- counts -------------------------------------------------------------------------------------

def test_city_year_counts_equal_a_pandas_count(built, expected):
    db, _ = built
    cities = _query(db, "select application_number, city_code "
                        "from intermediate.int_patents_located")
    frame = expected.merge(cities, on="application_number", validate="one_to_one")
    for major in ("01", "02", "03", "04"):
        frame[f"digital_patents_{major}"] = frame["minors"].map(
            lambda minors, major=major: any(m[:2] == major for m in minors))
    frame["digital_invention_patents"] = frame["is_digital"] & frame["is_invention"]
    located = frame[frame["city_code"].notna()]
    want = located.groupby(["city_code", "year"]).agg(
        patents=("application_number", "size"),
        invention_patents=("is_invention", "sum"),
        digital_patents=("is_digital", "sum"),
        digital_invention_patents=("digital_invention_patents", "sum"),
        integrated_patents=("is_integrated", "sum"),
        **{f"digital_patents_{m}": (f"digital_patents_{m}", "sum")
           for m in ("01", "02", "03", "04")},
    ).reset_index().rename(columns={"year": "application_year"})
    got = _query(db, "select * from intermediate.int_city_patent_counts")
    assert len(located["city_code"].unique()) >= 3, "the fixture should locate several cities"
    pd.testing.assert_frame_equal(
        got.sort_values(["city_code", "application_year"]).reset_index(drop=True)[want.columns],
        want.sort_values(["city_code", "application_year"]).reset_index(drop=True),
        check_dtype=False,
    )
    unlocated = frame[frame["city_code"].isna()].groupby("year").size()
    got_unlocated = _query(db, "select application_year, unlocated_patents, patents "
                               "from intermediate.int_patents_unlocated_by_year")
    got_unlocated = got_unlocated.set_index("application_year")
    assert got_unlocated["patents"].to_dict() == frame.groupby("year").size().to_dict()
    assert (got_unlocated["unlocated_patents"]
            == unlocated.reindex(got_unlocated.index, fill_value=0)).all()
    assert unlocated.sum() > 0
