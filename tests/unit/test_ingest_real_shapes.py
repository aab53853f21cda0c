"""Files shaped like the real sources, written here with the values expected: a printed China
City Statistical Yearbook page (.xlsx with merged cells, .xls, and .csv without merges), a
continued table over two sheets, separate 全市 / 市辖区 tables, an NBS data-portal export
(GBK, preamble, regions down and years across, trailers), a wide region-year panel, a long
export at city level, and the NBS population table shipped under warehouse/bundled/."""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd
import pytest
import xlwt
from openpyxl import Workbook

from orchestration.ingest import intake
from orchestration.ingest.readers import guess_kind, landing_file_for, read_tables

ROOT = Path(__file__).resolve().parents[2]
NBS_ORIGINAL = (ROOT / "warehouse" / "bundled" / "province_st_yearbook" / "originals"
                / "population_yearend_10k_2000_2017.csv")

# The page: title, English title, 城市 merged down three rows, scope blocks merged across on
# the region label's row, Chinese indicator row (units in brackets, broken over lines), English
# row, a national row, a province separator, spaced names, notes.
TITLE = "2-12 地方一般公共预算收支（2021年）"
ROWS = [
    [TITLE, None, None, None, None, None, None],
    ["Local General Public Budget Revenue and Expenditure (2021)", None, None, None, None,
     None, None],
    ["城  市\nCity", "全 市 Total City", None, None, "市 辖 区 Districts under City", None, None],
    [None, "地方一般公共预算收入\n（万元）", "地方一般公共预算支出(万元)", "年末户籍人口（万人）",
     "地方一般公共预算收入\n（万元）", "地方一般公共预算支出(万元)", "年末户籍人口（万人）"],
    [None, "Revenue (10000 yuan)", "Expenditure (10000 yuan)", "Population (10000 persons)",
     "Revenue (10000 yuan)", "Expenditure (10000 yuan)", "Population (10000 persons)"],
    ["全国合计", "1,000,000", 2000000, 140000, "…", "—", None],
    ["河 北 省", None, None, None, None, None, None],
    ["石 家 庄", "6,543,210", 8765432, 1100.5, "3 210 000", "—", "\u3000"],
    ["唐山市", 5000000, 6000000, 770, "abc", 1, 2],
    ["Note: data of 2021.", None, None, None, None, None, None],
    ["注：本表为测试数据。", None, None, None, None, None, None],
]
MERGES = [(0, 0, 0, 6), (1, 0, 1, 6), (2, 0, 4, 0), (2, 1, 2, 3), (2, 4, 2, 6)]
# (row, col) 1-based -> (region_name, indicator, unit, scope, value) expected
EXPECTED = {
    (6, 2): ("全国合计", "地方一般公共预算收入", "万元", "全市", 1_000_000.0),
    (8, 2): ("石家庄", "地方一般公共预算收入", "万元", "全市", 6_543_210.0),
    (8, 3): ("石家庄", "地方一般公共预算支出", "万元", "全市", 8_765_432.0),
    (8, 4): ("石家庄", "年末户籍人口", "万人", "全市", 1100.5),
    (8, 5): ("石家庄", "地方一般公共预算收入", "万元", "市辖区", 3_210_000.0),
    (9, 6): ("唐山市", "地方一般公共预算支出", "万元", "市辖区", 1.0),
    (9, 7): ("唐山市", "年末户籍人口", "万人", "市辖区", 2.0),
}


def _xlsx(path: Path, rows=ROWS, merges=MERGES, sheets=None) -> Path:
    wb = Workbook()
    wb.remove(wb.active)
    for name, sheet_rows, sheet_merges in sheets or [("2-12", rows, merges)]:
        ws = wb.create_sheet(name)
        for r, row in enumerate(sheet_rows):
            for c, cell in enumerate(row):
                if cell is not None:
                    ws.cell(r + 1, c + 1, cell)
        for r0, c0, r1, c1 in sheet_merges:
            ws.merge_cells(start_row=r0 + 1, start_column=c0 + 1, end_row=r1 + 1,
                           end_column=c1 + 1)
    path.parent.mkdir(parents=True, exist_ok=True)
    wb.save(path)
    return path


def _xls(path: Path) -> Path:
    book = xlwt.Workbook(encoding="utf-8")
    ws = book.add_sheet("2-12")
    merged = {(r0, c0): (r1, c1) for r0, c0, r1, c1 in MERGES}
    covered = {(r, c) for r0, c0, r1, c1 in MERGES for r in range(r0, r1 + 1)
               for c in range(c0, c1 + 1)}
    for r, row in enumerate(ROWS):
        for c, cell in enumerate(row):
            if (r, c) in merged:
                r1, c1 = merged[(r, c)]
                ws.write_merge(r, r1, c, c1, cell)
            elif (r, c) not in covered and cell is not None:
                ws.write(r, c, cell)
    path.parent.mkdir(parents=True, exist_ok=True)
    book.save(str(path))
    return path


def _csv(path: Path, rows: list[list], encoding: str = "utf-8-sig") -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    width = max(len(row) for row in rows)
    frame = pd.DataFrame([list(row) + [None] * (width - len(row)) for row in rows], dtype=object)
    frame.to_csv(path, header=False, index=False, encoding=encoding)
    return path


def _read(path: Path, kind: str | None = None):
    kind = kind or guess_kind(path)
    reading = read_tables(landing_file_for(path, kind), kind)
    assert reading.balanced(), (reading.items, len(reading.values), len(reading.quarantine),
                                reading.skipped)
    return reading


def _by_cell(values: pd.DataFrame) -> dict:
    return {(int(r.source_row), int(r.source_col)):
            (r.region_name, r.indicator_name, r.unit, r.scope, r.value)
            for r in values.itertuples(index=False)}


@pytest.mark.parametrize("fmt", ["xlsx", "xls", "csv"])
def test_printed_yearbook_page(tmp_path, fmt):
    path = tmp_path / f"ccsy_page.{fmt}"
    if fmt == "xlsx":
        _xlsx(path)
    elif fmt == "xls":
        _xls(path)
    else:  # a database export: merges lost, GBK
        _csv(path, ROWS, encoding="gb18030")
    reading = _read(path)

    assert reading.kind == "city_yearbook"
    got = _by_cell(reading.values)
    for cell, expected in EXPECTED.items():
        assert got[cell][:4] == expected[:4], cell
        assert got[cell][4] == pytest.approx(expected[4]), cell
    assert set(reading.values["year"]) == {2021}
    # 5 + 5 + 5 value cells: missing markers land as NULL, a full-width space is blank
    assert len(reading.values) == 15
    assert reading.values.loc[reading.values["value_text"] == "—", "value"].isna().all()
    (bad,) = reading.quarantine.itertuples(index=False)
    assert (bad.source_row, bad.source_col, bad.reason) == (9, 5, "not a number: 'abc'")
    assert reading.sheets[0].shape.startswith("printed table")
    assert reading.skipped["note"] == 2 and reading.skipped["title or preamble"] == 2


def test_continued_table_over_two_sheets_takes_the_first_sheets_year(tmp_path):
    first = ROWS[:8]
    second = [["续表"], *ROWS[2:5], ROWS[8]]
    path = _xlsx(tmp_path / "page.xlsx", sheets=[
        ("2-12", first, MERGES),
        ("2-12续", second, [(1, 0, 3, 0), (1, 1, 1, 3), (1, 4, 1, 6)]),
    ])
    reading = _read(path)
    values = reading.values
    assert set(values["year"]) == {2021}
    cont = values[values["sheet"] == "2-12续"]
    assert set(cont["region_name"]) == {"唐山市"} and len(cont) == 5
    assert set(cont["source_row"]) == {5}


def test_separate_scope_tables_take_the_scope_from_the_title(tmp_path):
    rows = [["2-5 人口（市辖区）（2020年）"], ["城 市", "年末户籍人口（万人）"],
            ["石家庄市", 420.5], ["唐山市", 315]]
    reading = _read(_csv(tmp_path / "districts.csv", rows))
    assert set(reading.values["scope"]) == {"市辖区"}
    assert reading.values["value"].tolist() == [420.5, 315.0]


def test_nbs_portal_export_gbk(tmp_path):
    text = ("数据库：分省年度数据\n指标：年末常住人口(万人)\n时间：最近3年\n"
            "地区,2023年,2022年,2021年\n北京市,2186,2184,2189\n天津市,1364,1363,1373\n"
            "河北省,7393,7420,7448\n"
            "注：1982、1990、2000、2010、2020年数据为当年人口普查数据推算数；\n数据来源：国家统计局\n")
    path = tmp_path / "分省年度数据.csv"
    path.write_bytes(text.encode("gbk"))
    reading = _read(path)

    values = reading.values
    assert reading.sheets[0].shape.startswith("regions x years")
    assert len(values) == 9 and set(values["indicator_name"]) == {"年末常住人口"}
    assert set(values["unit"]) == {"万人"}
    hebei = values[values["region_name"] == "河北省"].set_index("year")["value"].to_dict()
    assert hebei == {2023: 7393.0, 2022: 7420.0, 2021: 7448.0}
    assert reading.skipped["note"] == 2 and reading.skipped["title or preamble"] == 3

    taken = intake.take_in([landing_file_for(path, "city_yearbook")], "city_yearbook")
    assert set(taken.values["indicator_code"]) == {"population_resident"}
    assert set(taken.values["region_level"]) == {"province"}


def test_bundled_nbs_population_table_lands_with_its_real_values(tmp_path):
    path = tmp_path / NBS_ORIGINAL.name
    shutil.copy(NBS_ORIGINAL, path)
    shutil.copy(NBS_ORIGINAL.with_name(NBS_ORIGINAL.name + ".meta.yml"),
                path.with_name(path.name + ".meta.yml"))
    taken = intake.take_in([landing_file_for(path, "city_yearbook")], "city_yearbook")
    values = taken.values
    assert len(values) == 31 * 18 and taken.quarantine.empty
    assert set(values["indicator_code"]) == {"population_resident"}
    lookup = values.set_index(["region_code", "year"])["value_canonical"]
    assert lookup[("110000", 2017)] == 2171  # Beijing, first data row of the file
    assert lookup[("440000", 2000)] > 0
    report = next(iter(taken.reports.values()))
    assert report.balanced() and report.landed == 558


def test_wide_panel_export(tmp_path):
    rows = [["地区", "年份", "地区生产总值(亿元)", "年末总人口(万人)"],
            ["杭州市", 2020, 16106, 1196.5], ["杭州市", "2021年", 18109, 1220.4],
            ["宁波市", 2020, 12409, 940.4], ["宁波市", 2021, "-", 954.4]]
    reading = _read(_csv(tmp_path / "panel.csv", rows))
    got = reading.values.set_index(["region_name", "year", "indicator_name"])["value"]
    assert got[("杭州市", 2021, "地区生产总值")] == 18109
    assert got[("宁波市", 2020, "年末总人口")] == 940.4
    assert pd.isna(got[("宁波市", 2021, "地区生产总值")])
    assert set(reading.values["unit"]) == {"亿元", "万人"}


def test_long_export_at_city_level_matches_cities_not_provinces(tmp_path):
    rows = [["地区", "年份", "指标", "数值", "单位"],
            ["杭州市", 2021, "地区生产总值", 18109, "亿元"],
            ["宁波市", 2021, "地区生产总值", 14595, "亿元"],
            ["温州市", 2021, "地区生产总值", 7585, "亿元"],
            ["吉林", 2021, "地区生产总值", 1600, "亿元"],  # the city: the file lists cities
            ["北京市", 2021, "地区生产总值", 40269, "亿元"],  # a municipality among cities
            ["浙江省", 2021, "地区生产总值", 73516, "亿元"]]
    path = _csv(tmp_path / "city_long.csv", rows)
    assert guess_kind(path) == "yearbook_long"
    taken = intake.take_in([landing_file_for(path, "yearbook_long")], "yearbook_long")
    codes = taken.values.set_index("region_name")[["region_code", "region_level"]]
    assert codes.loc["杭州市"].tolist() == ["330100", "prefecture"]
    assert codes.loc["吉林"].tolist() == ["220200", "prefecture"]
    assert codes.loc["浙江省"].tolist() == ["330000", "province"]
    assert codes.loc["北京市"].tolist() == ["110000", "prefecture"]
    assert taken.quarantine.empty


def test_long_export_of_provinces_keeps_municipalities_and_jilin_as_provinces(tmp_path):
    rows = [["地区", "年份", "指标", "数值", "单位"],
            ["北京", 2021, "地区生产总值", 40269, "亿元"],
            ["吉林", 2021, "地区生产总值", 13235, "亿元"],
            ["河北", 2021, "地区生产总值", 40391, "亿元"],
            ["全国", 2021, "地区生产总值", 1143670, "亿元"]]
    path = _csv(tmp_path / "province_long.csv", rows)
    taken = intake.take_in([landing_file_for(path, "yearbook_long")], "yearbook_long")
    levels = taken.values.set_index("region_name")["region_level"].to_dict()
    assert levels == {"北京": "province", "吉林": "province", "河北": "province",
                      "全国": "national"}


def test_unknown_indicator_is_quarantined_under_its_printed_name(tmp_path):
    rows = [["城市", "年份", "元宇宙指数(点)"], ["杭州市", 2021, 12.5]]
    taken = intake.take_in([landing_file_for(_csv(tmp_path / "x.csv", rows), "city_yearbook")],
                           "city_yearbook")
    assert taken.values.empty
    (row,) = taken.quarantine.itertuples(index=False)
    assert "元宇宙指数" in row.value_text + row.reason
    report = next(iter(taken.reports.values()))
    assert report.balanced() and report.landed == 0 and sum(report.quarantined.values()) == 1


def test_newer_file_supersedes_by_code_whatever_the_spelling(tmp_path):
    old = _csv(tmp_path / "a_2021.csv", [["城市", "地区生产总值（万元）"], ["石家庄市", 100]])
    new = _csv(tmp_path / "b_2021.csv", [["城 市", "地区生产总值（万元）"], ["石 家 庄", 150]])
    files = [landing_file_for(p, "city_yearbook") for p in (old, new)]
    taken = intake.take_in(files, "city_yearbook", [f.relpath for f in reversed(files)])
    assert taken.values["value"].tolist() == [150.0]
    assert taken.reports[files[0].relpath].superseded == 1
    assert all(r.balanced() for r in taken.reports.values())


def test_reason_categories():
    assert intake.reason_category(
        "unmatched region name '杭州' in 2021; candidates: 杭州市") == "unmatched region name"
    assert intake.reason_category("not a number: 'abc'") == "not a number"


def test_table_printed_the_other_way_round_is_read_transposed(tmp_path):
    # years down, regions across: the provenance is still the cell's own row and column
    path = tmp_path / "transposed.csv"
    path.write_text("指标：地区生产总值(亿元)\n年份,北京市,天津市,河北省\n2021,40269,15695,40391\n"
                    "2022,41611,16311,42370\n", encoding="utf-8")
    reading = _read(path)
    assert "transposed" in reading.sheets[0].shape
    got = reading.values.set_index(["region_name", "year"])[["value", "source_row",
                                                              "source_col"]]
    assert got.loc[("天津市", 2022)].tolist() == [16311.0, 4, 3]
    assert set(reading.values["indicator_name"]) == {"地区生产总值"}


def test_code_and_province_columns_beside_the_cities_are_labels(tmp_path):
    rows = [["表1 主要指标（2020年）"],
            ["行政区划代码", "省份", "城市", "地区生产总值（亿元）"],
            ["130100", "河北省", "石家庄市", 5935.1], ["130200", "河北省", "唐山市", 7210.9]]
    reading = _read(_csv(tmp_path / "codes.csv", rows))
    assert reading.values["region_name"].tolist() == ["石家庄市", "唐山市"]
    assert reading.quarantine.empty and reading.skipped["region and year labels"] == 6


def test_a_sheet_that_is_not_a_table_of_regions_is_quarantined_cell_by_cell(tmp_path):
    rows = [["目录"], ["表1", "地区生产总值"], ["表2", "人口"]]
    book = tmp_path / "book.xlsx"
    _xlsx(book, sheets=[("目录", rows, []), ("2-12", ROWS, MERGES)])
    reading = _read(book)
    toc = reading.quarantine[reading.quarantine["sheet"] == "目录"]
    assert len(toc) == 5 and toc["reason"].str.startswith("sheet not understood").all()
    assert len(reading.values) == 15
