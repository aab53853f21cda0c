"""Long-export reader: small fixtures written here, then the real bundled provincial tables
end to end (read -> normalize_indicators).

Fixture expectations are read off the rows written below. For the real files, row counts
are taken with the csv module (independently of the reader), and the numbers checked are
the ones quoted by the reference collection's SOURCE.txt (national 2020 patents granted
3,520,901, of which invention 440,691; Guangdong 709,725; Beijing 162,824; Beijing 2017
population 2171) or identities between independently published tables.
"""

from __future__ import annotations

import csv
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml
from openpyxl import Workbook

from orchestration.demo import province as demo_province
from orchestration.ingest import schema
from orchestration.ingest.indicators import load_catalogue, normalize_indicators
from orchestration.ingest.landing import IngestError, LandingFile, sha256_of
from orchestration.ingest.long_export import (
    COLUMNS,
    TARGET_TABLE,
    is_long_export_header,
    read_long_export,
)

ROOT = Path(__file__).resolve().parents[2]
BUNDLE = ROOT / "warehouse" / "bundled" / "province_st_yearbook"
PANELS_MACROS = ROOT / "dbt_project" / "macros" / "panels.sql"
LONG_FILES = sorted((BUNDLE / "long").rglob("*.csv"))
# sha256 of the reference collection's province_st_yearbook files (tests/data/.../SOURCE.md)
REFERENCE_SHA256 = ROOT / "tests" / "data" / "province_st_yearbook" / "reference_sha256.txt"


def landing_file(path: Path, relpath: str | None = None) -> LandingFile:
    return LandingFile(
        path=path.resolve(), relpath=relpath or f"yearbook_long/{path.name}",
        kind="yearbook_long", sha256=sha256_of(path), size=path.stat().st_size,
    )


def write_csv(path: Path, rows: list[list[object]], encoding: str = "utf-8-sig") -> Path:
    with open(path, "w", encoding=encoding, newline="") as fh:
        csv.writer(fh, lineterminator="\n").writerows(rows)
    return path


# ------------------------------------------------------------------ fixtures

CHINESE_ROWS: list[list[object]] = [
    ["表 各地区专利授权数"],                                         # 1 title
    ["地区", "年份", "指标", "数值", "单位"],                          # 2 header
    ["北京", "2020", "专利授权数", "162,824", "件"],                   # 3
    ["广东", "2020年", "专利授权数", "709725", "件"],                  # 4
    [],                                                                 # 5 blank line
    ["西藏", "2020", "专利授权数", "—", "件"],                        # 6 missing marker
    ["上海", "", "专利授权数", "139780", "件"],                        # 7
    ["天津", "20x0", "专利授权数", "75434", "件"],                     # 8
    ["", "2020", "专利授权数", "1", "件"],                             # 9
    ["江苏", "2020", "专利授权数", "abc", "件"],                       # 10
    ["浙江", "2020", "", "391562", "件"],                              # 11
    ["河北", "2020", "地区生产总值（亿元）", "36206.9", ""],           # 12
    ["山西", "2020", "地区生产总值（亿元）", "17651.9", "万元"],       # 13
    ["辽宁", "2020", "地区生产总值（当年价格）", "25115", "亿元"],     # 14
    ["", "", "专利授权数", "5", "件"],                                 # 15
    ["", "", "", "", ""],                                               # 16 blank fields
]


def test_chinese_csv_values_and_quarantine_exactly(tmp_path):
    file = landing_file(write_csv(tmp_path / "patents_by_region.csv", CHINESE_ROWS))
    values, quarantine = read_long_export(file)

    assert list(values.columns) == COLUMNS == [*schema.CITY_YEARBOOK_VALUES, "indicator_key"]
    got = values[["source_row", "region_name", "year", "indicator_name", "unit", "value_text"]]
    assert got.to_dict("list") == {
        "source_row": [3, 4, 6, 12, 14],
        "region_name": ["北京", "广东", "西藏", "河北", "辽宁"],
        "year": [2020] * 5,
        "indicator_name": ["专利授权数", "专利授权数", "专利授权数", "地区生产总值",
                           "地区生产总值（当年价格）"],
        "unit": ["件", "件", "件", "亿元", "亿元"],
        "value_text": ["162,824", "709725", "—", "36206.9", "25115"],
    }
    np.testing.assert_array_equal(
        values["value"].to_numpy(), [162824, 709725, np.nan, 36206.9, 25115]
    )
    assert (values["sheet"] == "").all() and values["source_col"].isna().all()
    assert values["scope"].isna().all() and values["indicator_key"].isna().all()
    assert (values["source_file"] == "yearbook_long/patents_by_region.csv").all()
    assert (values["source_sha256"] == file.sha256).all()

    assert list(quarantine.columns) == schema.QUARANTINE
    assert quarantine["source_row"].tolist() == [7, 8, 9, 10, 11, 13, 15]
    assert quarantine["reason"].tolist() == [
        "missing year",
        "unreadable year '20x0'",
        "no region name",
        "not a number: 'abc'",
        "no indicator name or code",
        "unit column '万元' contradicts the unit in the indicator name '地区生产总值（亿元）'",
        "no region name; missing year",
    ]
    assert quarantine["value_text"].iat[0] == "地区=上海 | 指标=专利授权数 | 数值=139780 | 单位=件"
    assert (quarantine["target_table"] == TARGET_TABLE).all()
    assert quarantine["source_col"].isna().all()
    # every non-blank data line is accounted for exactly once
    data_lines = [r for r in CHINESE_ROWS[2:] if any(str(c).strip() for c in r)]
    assert len(values) + len(quarantine) == len(data_lines)


def test_gbk_csv_with_english_headers_and_codes(tmp_path):
    rows = [
        ["Province", "Year", "Item", "Value", "Units", "Code"],
        ["全国", "2020", "发明", "440691.0", "件", "v4_cg_zlsq2_fm"],
        ["北京", "2020", "合计", "162824", "件", "v4_cg_zlsq2_hj"],
    ]
    file = landing_file(write_csv(tmp_path / "export.csv", rows, encoding="gb18030"))
    values, quarantine = read_long_export(file)
    assert quarantine.empty
    assert values["region_name"].tolist() == ["全国", "北京"]
    assert values["indicator_key"].tolist() == ["v4_cg_zlsq2_fm", "v4_cg_zlsq2_hj"]
    assert values["value"].tolist() == [440691.0, 162824.0]
    assert values["source_row"].tolist() == [2, 3]
    normalized, _ = normalize_indicators(values)
    assert normalized["indicator_code"].tolist() == ["patents_granted_invention", "patents_granted"]


def test_xlsx_sheets_typed_cells_and_a_notes_sheet(tmp_path):
    wb = Workbook()
    data = wb.active
    data.title = "数据"
    data.append(["Region", "Year", "Indicator", "Value", "Unit", "variables"])
    data.append(["全国", 2020, "合计", 3520901, "件", "v4_cg_zlsq2_hj"])
    data.append(["全国", 2020.0, "RD强度", 2.4, "%", "v4_ztr_qd_RD"])
    data.append(["北京", 2020, "RD强度", "NA", "%", "v4_ztr_qd_RD"])
    notes = wb.create_sheet("说明")
    notes.append(["数据来源：中国科技统计年鉴"])
    wb.create_sheet("空表")
    path = tmp_path / "export.xlsx"
    wb.save(path)
    file = landing_file(path)

    values, quarantine = read_long_export(file)
    assert values["sheet"].tolist() == ["数据"] * 3
    assert values["source_row"].tolist() == [2, 3, 4]
    assert values["value_text"].tolist() == ["3520901", "2.4", "NA"]
    np.testing.assert_array_equal(values["value"].to_numpy(), [3520901, 2.4, np.nan])
    assert values["year"].tolist() == [2020, 2020, 2020]
    assert quarantine[["sheet", "reason"]].to_dict("list") == {
        "sheet": ["说明"],
        "reason": [
            "sheet skipped: no header naming region, year, value and indicator "
            "(first row: 数据来源：中国科技统计年鉴)"
        ],
    }
    assert quarantine["source_row"].isna().all()


def test_parquet_with_codes_only(tmp_path):
    path = tmp_path / "export.parquet"
    pd.DataFrame({
        "地区": ["广东", "广东"], "年份": [2020, 2021], "指标代码": ["v4_cg_zlsq2_hj"] * 2,
        "数值": [709725.0, np.nan], "单位": ["件", "件"],
    }).to_parquet(path)
    values, quarantine = read_long_export(landing_file(path))
    assert quarantine.empty
    assert values["source_row"].tolist() == [2, 3]
    assert values["indicator_name"].isna().all()
    assert values["value_text"].tolist()[0] == "709725" and pd.isna(values["value_text"].iat[1])
    np.testing.assert_array_equal(values["value"].to_numpy(), [709725.0, np.nan])


@pytest.mark.parametrize(("name", "content", "message"), [
    ("empty.csv", b"", "empty file"),
    ("blank.csv", b"\n \n", "empty file"),
    ("no_value.csv", "地区,年份,指标,单位\n北京,2020,合计,件\n".encode(),
     "not a long export (no header naming region, year, value and indicator "
     "(first row: 地区, 年份, 指标, 单位))"),
    ("broken.xlsx", b"PK\x03\x04 not really a zip", "cannot read long export"),
    ("data.txt", b"region,year\n", "unsupported long export type '.txt'"),
])
def test_unreadable_files_raise_naming_the_file(tmp_path, name, content, message):
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(IngestError) as error:
        read_long_export(landing_file(path))
    assert str(error.value).startswith(f"yearbook_long/{name}: ")
    assert message in str(error.value)


def test_header_recognition():
    assert is_long_export_header(["province", "year", "chn_block4", "value", "units"])
    assert is_long_export_header(["地区", "年份", "指标代码", "数值"])
    assert not is_long_export_header(["地区", "年份", "指标", "单位"])  # no value column
    assert not is_long_export_header(["城市", "地区生产总值（万元）", None])  # a printed table
    assert not is_long_export_header(["申请号", "申请日", "IPC分类号"])


# ------------------------------------------------------------------ the real bundled files


def _data_rows(path: Path) -> int:
    with open(path, encoding="utf-8-sig", newline="") as fh:
        return sum(1 for row in csv.reader(fh) if any(c.strip() for c in row)) - 1


@pytest.fixture(scope="module")
def real() -> pd.DataFrame:
    """Every bundled long file read and normalized; the whole accounting checked here."""
    frames, total = [], 0
    for path in LONG_FILES:
        relpath = f"yearbook_long/{path.relative_to(BUNDLE / 'long').as_posix()}"
        values, quarantine = read_long_export(landing_file(path, relpath))
        normalized, rejected = normalize_indicators(values, target_table=TARGET_TABLE)
        rows = _data_rows(path)
        assert (len(values), len(quarantine)) == (rows, 0), path.name
        assert (len(normalized), len(rejected)) == (rows, 0), path.name
        frames.append(normalized)
        total += rows
    # the row counts of SOURCE.md: ten techme tables and the 31 x 18 NBS population rows
    assert total == 1792 + 1791 + 1792 + 1792 + 2208 + 832 + 2240 + 960 + 960 + 1756 + 558
    return pd.concat(frames, ignore_index=True)


def _value(real: pd.DataFrame, code: str, region: str, year: int) -> float:
    hit = real[
        (real["indicator_code"] == code) & (real["region_name"] == region)
        & (real["year"] == year) & (real["source_preference"] == 1)
    ]
    assert len(hit) == 1, (code, region, year)
    return float(hit["value_canonical"].iat[0])


def test_bundle_covers_every_real_column_of_the_province_panel(real):
    assert len(LONG_FILES) == 11
    # marts.province_panel pivots the codes of the macro province_panel_indicators; those the
    # synthetic provincial demo does not write all come from the real bundle. (The catalogue
    # itself is larger: it also knows the yearbook indicators no bundled table carries.)
    macro = re.search(
        r"{% macro province_panel_indicators\(\) %}(.*?){% endmacro %}",
        PANELS_MACROS.read_text(encoding="utf-8"), re.S,
    )
    panel = set(re.findall(r"'([a-z0-9_]+)'", macro.group(1)))
    demo_only = set(demo_province.PRINTED)
    assert set(real["indicator_code"]) == panel - demo_only
    assert set(real["indicator_code"]) <= set(load_catalogue()["code"])


@pytest.mark.parametrize(("code", "region", "year", "expected"), [
    ("patents_granted", "全国", 2020, 3_520_901),
    ("patents_granted_invention", "全国", 2020, 440_691),
    ("patents_granted", "广东", 2020, 709_725),
    ("patents_granted", "北京", 2020, 162_824),
    ("population_resident", "Beijing", 2017, 2171),
])
def test_real_numbers_quoted_by_the_source(real, code, region, year, expected):
    assert _value(real, code, region, year) == expected


def test_patent_types_add_up_to_the_total_in_every_table(real):
    for total in ("patents_granted", "patent_applications", "patents_valid"):
        parts = real[real["indicator_code"].str.fullmatch(
            f"{total}_(invention|utility|design)"
        )]
        summed = parts.groupby(["region_name", "year"])["value_canonical"].agg(["sum", "count"])
        totals = real[real["indicator_code"] == total].set_index(["region_name", "year"])
        joined = summed[summed["count"] == 3].join(totals["value_canonical"], how="inner")
        assert len(joined) >= 447, total
        assert (joined["sum"] == joined["value_canonical"]).all(), total


def test_rd_expenditure_tables_agree_after_conversion(real):
    """RDActivity prints 万元, RDIntense 亿元 rounded to 0.1: after conversion to 亿元 the
    two published tables must agree to within that rounding (0.05 亿元)."""
    rd = real[real["indicator_code"] == "rd_expenditure"]
    activity = rd[rd["source_file"].str.endswith("RDActivity.csv")]
    intense = rd[rd["source_file"].str.endswith("RDIntense.csv")]
    assert set(rd["canonical_unit"]) == {"亿元"}
    joined = activity.merge(intense, on=["region_name", "year"], suffixes=("_a", "_i"))
    assert len(joined) == 32 * 13
    gap = (joined["value_canonical_a"] - joined["value_canonical_i"]).abs()
    assert gap.max() <= 0.05 + 1e-9
    assert _value(real, "rd_expenditure", "全国", 2023) == 333_570_688 / 10_000


def test_population_long_file_equals_the_original_wide_table(real):
    with open(BUNDLE / "originals" / "population_yearend_10k_2000_2017.csv",
              encoding="utf-8-sig", newline="") as fh:
        wide = list(csv.reader(fh))
    expected = {
        (row[0], int(year)): float(value)
        for row in wide[1:] for year, value in zip(wide[0][1:], row[1:], strict=True)
    }
    population = real[real["indicator_code"] == "population_resident"]
    got = dict(zip(zip(population["region_name"], population["year"], strict=True),
                   population["value_canonical"], strict=True))
    assert len(expected) == 31 * 18
    assert got == expected


def test_bundled_files_have_real_data_sidecars():
    files = [p for p in BUNDLE.rglob("*.csv")]
    assert len(files) == 13
    for path in files:
        meta = yaml.safe_load(path.with_name(path.name + ".meta.yml").read_text("utf-8"))
        assert meta["synthetic"] is False, path.name
        assert meta["sha256"] == sha256_of(path), path.name
        for key in ("producer", "citation", "licence", "repository", "commit"):
            assert meta[key], (path.name, key)
    assert (BUNDLE / "SOURCE.md").is_file()


def test_bundled_techme_files_are_byte_copies_of_the_reference():
    reference = dict(
        reversed(line.split()) for line in REFERENCE_SHA256.read_text("utf-8").splitlines()
    )
    copies = {path: f"techme/{path.name}" for path in (BUNDLE / "long" / "techme").glob("*.csv")}
    assert len(copies) == 10
    copies[BUNDLE / "originals" / "techme_varsList.csv"] = "techme/varsList.csv"
    copies[BUNDLE / "originals" / "population_yearend_10k_2000_2017.csv"] = (
        "nbs_population/population_yearend_10k_2000_2017.csv"
    )
    for path, name in copies.items():
        assert sha256_of(path) == reference[name], path.name
