"""City yearbook reader on small workbooks built here in the demo (CCSY) layout.

Expected numbers are read off the fixture tables below by hand; the generic check
`_assert_every_cell_accounted` counts non-blank cells of each fixture's data area
straight from the fixture spec, independently of the reader.
"""

from __future__ import annotations

import csv
import math
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from openpyxl import Workbook, load_workbook

from orchestration.ingest import schema
from orchestration.ingest.landing import IngestError, LandingFile, discover
from orchestration.ingest.layout import split_name_unit
from orchestration.ingest.readers import read_tables


def read_city_yearbook(file: LandingFile):
    reading = read_tables(file, "city_yearbook")
    assert reading.balanced(), "every non-blank cell is a value, quarantined or skipped"
    return reading.values, reading.quarantine

Cell = object  # None = blank

POP_BLOCKS = ["地区生产总值（万元）", "年末户籍人口（万人）"]
POP_BODY: list[list[Cell]] = [
    ["河北省", None, None, None, None],
    ["石家庄市", 55000000, 22000000, 1028.84, 420.5],
    ["唐山市", 60000000, "—", 760.12, 315],
    ["山西省", None, None, None, None],
    ["太原市", 28000000, 25000000, "abc", 280.1],
]
FIN_BLOCKS = ["地方一般公共预算支出（万元）", "战略性新兴产业营业收入（万元）"]
FIN_BODY: list[list[Cell]] = [
    ["河北省", None, None, None, None],
    ["石家庄市", 7000000, 3000000, "1,234,567", 800000],
    ["唐山市", 6500000, "…", 900000, "--"],
    ["山西省", None, None, None, None],
    ["太原市", 5000000, 4500000, 700000, 650000],
]
NOTE = "注：本表为合成演示数据，不代表真实统计。"


@dataclass
class SheetSpec:
    """A sheet as a grid of cells placed at (top, left), 1-based, with merged ranges."""

    name: str
    rows: list[list[Cell]]
    merges: list[tuple[int, int, int, int]] = field(default_factory=list)  # r1, c1, r2, c2
    header_index: int | None = 1  # index in `rows` of the 城市 row; None = no header
    top: int = 1
    left: int = 1

    def data_cells(self) -> int:
        """Non-blank cells right of the region column below the header block."""
        if self.header_index is None:
            return 0
        return sum(
            1
            for row in self.rows[self.header_index + 2:]
            for cell in row[1:]
            if cell is not None and str(cell).strip() != ""
        )


def ccsy_sheet(
    name: str, title: str, blocks: list[str], body: list[list[Cell]], note: str | None = NOTE,
    top: int = 1, left: int = 1,
) -> SheetSpec:
    """The demo layout: title merged across, 城市 merged over two rows, each indicator
    merged over its 全市 / 市辖区 columns, body, a blank row and a footnote."""
    width = 1 + 2 * len(blocks)
    header: list[Cell] = ["城市"]
    sub: list[Cell] = [None]
    for block in blocks:
        header += [block, None]
        sub += ["全市", "市辖区"]
    rows = [[title] + [None] * (width - 1), header, sub, *body]
    if note is not None:
        rows += [[None] * width, [note] + [None] * (width - 1)]
    merges = [(1, 1, 1, width), (2, 1, 3, 1)] + [
        (2, 2 + 2 * b, 2, 3 + 2 * b) for b in range(len(blocks))
    ]
    return SheetSpec(name, rows, merges, header_index=1, top=top, left=left)


def demo_sheets(year: int = 2015) -> list[SheetSpec]:
    return [
        ccsy_sheet("人口与经济", f"表2-1 地区生产总值与人口（{year}年）", POP_BLOCKS, POP_BODY),
        ccsy_sheet(
            "财政与产业", f"表2-2 财政与战略性新兴产业（{year}年）", FIN_BLOCKS, FIN_BODY
        ),
    ]


def write_xlsx(path: Path, sheets: list[SheetSpec]) -> Path:
    wb = Workbook()
    wb.remove(wb.active)
    for spec in sheets:
        ws = wb.create_sheet(spec.name)
        for i, row in enumerate(spec.rows):
            for j, cell in enumerate(row):
                if cell is not None:
                    ws.cell(spec.top + i, spec.left + j, cell)
        for r1, c1, r2, c2 in spec.merges:
            dr, dc = spec.top - 1, spec.left - 1
            ws.merge_cells(
                start_row=r1 + dr, start_column=c1 + dc, end_row=r2 + dr, end_column=c2 + dc
            )
    path.parent.mkdir(parents=True, exist_ok=True)
    wb.save(path)
    return path


def write_csv(path: Path, spec: SheetSpec, encoding: str) -> Path:
    lines = [[""] * (spec.left - 1) for _ in range(spec.top - 1)]
    for row in spec.rows:
        lines.append([""] * (spec.left - 1) + ["" if c is None else str(c) for c in row])
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", encoding=encoding, newline="") as fh:
        csv.writer(fh).writerows(lines)
    return path


def landing_file(path: Path) -> LandingFile:
    landing = path.parents[1]
    (found,) = [f for f in discover(landing) if f.path == path.resolve()]
    return found


def _assert_every_cell_accounted(values, quarantine, sheets: list[SheetSpec]) -> None:
    headerless = sum(1 for s in sheets if s.header_index is None)
    cell_rows = quarantine["source_row"].notna().sum() if len(quarantine) else 0
    assert len(values) + cell_rows == sum(s.data_cells() for s in sheets)
    assert len(quarantine) - cell_rows == headerless


def _cell(values, sheet: str, row: int, col: int):
    hit = values[
        (values["sheet"] == sheet) & (values["source_row"] == row) & (values["source_col"] == col)
    ]
    assert len(hit) == 1, f"expected one row at {sheet}!{row},{col}, got {len(hit)}"
    return hit.iloc[0]


@pytest.fixture
def demo_workbook(tmp_path) -> tuple[LandingFile, list[SheetSpec]]:
    sheets = demo_sheets(2015)
    path = write_xlsx(tmp_path / "landing" / "city_yearbook" / "ccsy_2015.xlsx", sheets)
    return landing_file(path), sheets


def test_demo_layout_long_rows(demo_workbook):
    file, sheets = demo_workbook
    values, quarantine = read_city_yearbook(file)

    assert list(values.columns) == schema.CITY_YEARBOOK_VALUES
    assert list(quarantine.columns) == schema.QUARANTINE
    _assert_every_cell_accounted(values, quarantine, sheets)
    # 3 cities x 4 cells x 2 sheets, less the one 'abc'.
    assert len(values) == 23
    assert set(values["year"]) == {2015}
    assert set(values["region_name"]) == {"石家庄市", "唐山市", "太原市"}
    assert set(values["scope"]) == {"全市", "市辖区"}
    assert set(values["source_file"]) == {"city_yearbook/ccsy_2015.xlsx"}
    assert set(values["source_sha256"]) == {file.sha256}
    assert sorted(set(zip(values["indicator_name"], values["unit"], strict=True))) == sorted([
        ("地区生产总值", "万元"), ("年末户籍人口", "万人"),
        ("地方一般公共预算支出", "万元"), ("战略性新兴产业营业收入", "万元"),
    ])

    pop = _cell(values, "人口与经济", 5, 4)  # 石家庄市, 年末户籍人口, 全市
    assert (pop.region_name, pop.indicator_name, pop.unit, pop.scope) == (
        "石家庄市", "年末户籍人口", "万人", "全市"
    )
    assert pop.value == pytest.approx(1028.84)
    assert pop.value_text == "1028.84"

    gdp = _cell(values, "人口与经济", 5, 3)  # merged header carried to the 市辖区 column
    assert (gdp.indicator_name, gdp.scope, gdp.value, gdp.value_text) == (
        "地区生产总值", "市辖区", 22000000.0, "22000000"
    )


def test_missing_markers_are_null_values_not_quarantined(demo_workbook):
    file, _ = demo_workbook
    values, quarantine = read_city_yearbook(file)

    missing = values[values["value"].isna()]
    assert sorted(zip(missing["sheet"], missing["source_row"], missing["source_col"],
                      missing["value_text"], strict=True)) == sorted([
        ("人口与经济", 6, 3, "—"), ("财政与产业", 6, 3, "…"), ("财政与产业", 6, 5, "--"),
    ])
    tangshan = _cell(values, "人口与经济", 6, 3)
    assert (tangshan.region_name, tangshan.indicator_name, tangshan.scope) == (
        "唐山市", "地区生产总值", "市辖区"
    )
    assert not quarantine["value_text"].isin(["—", "…", "--"]).any()


def test_non_numeric_cell_is_quarantined_with_provenance(demo_workbook):
    file, _ = demo_workbook
    _, quarantine = read_city_yearbook(file)

    assert len(quarantine) == 1
    bad = quarantine.iloc[0]
    assert (bad.sheet, bad.source_row, bad.source_col) == ("人口与经济", 8, 4)
    assert bad.target_table == "raw.city_yearbook_values"
    assert bad.value_text == "abc"
    assert bad.reason == "not a number: 'abc'"
    assert bad.source_file == file.relpath and bad.source_sha256 == file.sha256


def test_thousands_separators_are_stripped(demo_workbook):
    file, _ = demo_workbook
    values, _ = read_city_yearbook(file)
    sei = _cell(values, "财政与产业", 5, 4)
    assert (sei.indicator_name, sei.scope, sei.value_text, sei.value) == (
        "战略性新兴产业营业收入", "全市", "1,234,567", 1234567.0
    )


def test_province_headings_blank_rows_and_footnotes_yield_nothing(demo_workbook):
    file, _ = demo_workbook
    values, quarantine = read_city_yearbook(file)
    assert not values["region_name"].str.endswith("省").any()
    assert not values["region_name"].str.startswith("注").any()
    # Rows 4 and 7 are province headings, 9 blank, 10 the footnote.
    assert set(values["source_row"]) == {5, 6, 8}
    assert set(quarantine["source_row"].dropna()) <= {5, 6, 8}


def test_layout_is_found_wherever_the_table_sits(tmp_path):
    sheet = ccsy_sheet(
        "人口与经济", "表2-1 地区生产总值与人口（2015年）", POP_BLOCKS, POP_BODY, top=4, left=2
    )
    path = write_xlsx(tmp_path / "landing" / "city_yearbook" / "ccsy_2017.xlsx", [sheet])
    wb = load_workbook(path)
    # A cover line above the table; the title nearest the header gives the data year.
    wb["人口与经济"]["A1"] = "中国城市统计年鉴（2016年）"
    wb["人口与经济"]["A2"] = "单位：见各表"
    wb.save(path)

    values, quarantine = read_city_yearbook(landing_file(path))

    _assert_every_cell_accounted(values, quarantine, [sheet])
    # Demo coordinates (6, 3) and (8, 4) shift by 3 rows and 1 column.
    tangshan = _cell(values, "人口与经济", 9, 4)
    assert (tangshan.region_name, tangshan.indicator_name, tangshan.scope, tangshan.value_text) == (
        "唐山市", "地区生产总值", "市辖区", "—"
    )
    assert math.isnan(tangshan.value)
    assert quarantine[["source_row", "source_col"]].values.tolist() == [[11, 5]]
    assert set(values["year"]) == {2015}


@pytest.mark.parametrize("region_header", ["城　市", "地区"])  # with an ideographic space
def test_half_width_parentheses_and_spaced_labels(tmp_path, region_header):
    sheet = ccsy_sheet(
        "表", "表2-1 地区生产总值与人口(2016年)", ["地区生产总值(万元)", "年末户籍人口 （万人）"],
        [["石家庄市", 1, 2, 3, 4]], note=None,
    )
    sheet.rows[1][0] = region_header
    sheet.rows[2][1:] = ["全 市", "市辖区", "全市", "市 辖 区"]
    path = write_xlsx(tmp_path / "landing" / "city_yearbook" / "ccsy.xlsx", [sheet])

    values, quarantine = read_city_yearbook(landing_file(path))

    assert quarantine.empty
    assert values[["indicator_name", "unit", "scope", "value"]].values.tolist() == [
        ["地区生产总值", "万元", "全市", 1.0],
        ["地区生产总值", "万元", "市辖区", 2.0],
        ["年末户籍人口", "万人", "全市", 3.0],
        ["年末户籍人口", "万人", "市辖区", 4.0],
    ]
    assert set(values["year"]) == {2016}


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("地区生产总值（万元）", ("地区生产总值", "万元")),
        ("地区生产总值(万元)", ("地区生产总值", "万元")),
        ("人均地区生产总值\n（元/人）", ("人均地区生产总值", "元/人")),
        ("建成区面积", ("建成区面积", None)),
    ],
)
def test_split_name_unit(header, expected):
    assert split_name_unit(header) == expected


def test_year_comes_from_title_then_file_name(tmp_path):
    titled = write_xlsx(
        tmp_path / "landing" / "city_yearbook" / "ccsy_2016.xlsx", demo_sheets(2015)
    )
    values, _ = read_city_yearbook(landing_file(titled))
    assert set(values["year"]) == {2015}  # the title wins over the file name

    untitled = demo_sheets()
    for spec in untitled:
        spec.rows[0][0] = "表2-1 地区生产总值与人口"
    path = write_xlsx(tmp_path / "landing" / "city_yearbook" / "城市年鉴_2018.xlsx", untitled)
    values, _ = read_city_yearbook(landing_file(path))
    assert set(values["year"]) == {2018}


def test_a_sheet_without_a_title_year_takes_the_workbooks_year(tmp_path):
    # A continued table (续表) on its own sheet prints no year: the workbook's single year holds.
    sheets = demo_sheets()
    sheets[1].rows[0][0] = "续表 财政与战略性新兴产业"
    path = write_xlsx(tmp_path / "landing" / "city_yearbook" / "ccsy.xlsx", sheets)

    values, quarantine = read_city_yearbook(landing_file(path))

    assert set(values["sheet"]) == {"人口与经济", "财政与产业"}
    assert set(values["year"]) == {2015}


def test_no_year_anywhere_quarantines_the_values(tmp_path):
    sheets = demo_sheets()
    for sheet in sheets:
        sheet.rows[0][0] = "表2-2 财政与战略性新兴产业"
    path = write_xlsx(tmp_path / "landing" / "city_yearbook" / "ccsy.xlsx", sheets)

    values, quarantine = read_city_yearbook(landing_file(path))

    assert values.empty
    assert len(quarantine) == 24  # every value cell (23 numbers or markers, 1 "abc"), none lost
    assert quarantine["reason"].str.startswith("no data year").all()


def test_stacked_tables_take_their_own_titles(tmp_path):
    first = ccsy_sheet("表", "表2-1 地区生产总值与人口（2015年）", POP_BLOCKS, POP_BODY)
    second = ccsy_sheet("表", "表2-1 地区生产总值与人口（2016年）", POP_BLOCKS, POP_BODY)
    offset = len(first.rows)
    combined = SheetSpec(
        "表",
        first.rows + second.rows,
        first.merges + [(r1 + offset, c1, r2 + offset, c2) for r1, c1, r2, c2 in second.merges],
    )
    path = write_xlsx(tmp_path / "landing" / "city_yearbook" / "ccsy.xlsx", [combined])

    values, quarantine = read_city_yearbook(landing_file(path))

    _assert_every_cell_accounted(values, quarantine, [first, second])
    assert (values["source_row"] <= offset).sum() == 11
    assert set(values.loc[values["source_row"] <= offset, "year"]) == {2015}
    assert set(values.loc[values["source_row"] > offset, "year"]) == {2016}
    assert _cell(values, "表", offset + 6, 3).value_text == "—"


def test_stray_cells_in_the_data_area_are_quarantined(tmp_path):
    body = [
        ["石家庄市", 1, 2, 3, 4, "旁注"],  # a cell right of the last header column
        [None, 5, None, None, None],  # a value without a region
        ["河北省", 10, 11, 12, 13],  # a province row with values is data, not a heading
    ]
    sheet = ccsy_sheet("表", "表2-1 地区生产总值与人口（2015年）", POP_BLOCKS, body)
    for row in sheet.rows:
        row.extend([None] * (6 - len(row)))
    sheet.rows[-1][2] = 99  # a value in the footnote row
    path = write_xlsx(tmp_path / "landing" / "city_yearbook" / "ccsy.xlsx", [sheet])

    values, quarantine = read_city_yearbook(landing_file(path))

    _assert_every_cell_accounted(values, quarantine, [sheet])
    assert len(values) == 8
    assert set(values["region_name"]) == {"石家庄市", "河北省"}
    got = sorted(zip(quarantine["source_row"], quarantine["source_col"], quarantine["reason"],
                     strict=True))
    assert got == [
        (4, 6, "no indicator header above column F"),
        (5, 2, "no region name in column A"),
        (8, 3, "value in a footnote row"),
    ]


@pytest.mark.parametrize("marker", ["—", "…", "-", "--", "——", "……"])
def test_each_missing_marker(tmp_path, marker):
    sheet = ccsy_sheet(
        "表", "表（2015年）", POP_BLOCKS, [["石家庄市", 1, marker, 3, 4]], note=None
    )
    path = write_xlsx(tmp_path / "landing" / "city_yearbook" / "ccsy.xlsx", [sheet])
    values, quarantine = read_city_yearbook(landing_file(path))
    assert quarantine.empty
    cell = _cell(values, "表", 4, 3)
    assert math.isnan(cell.value) and cell.value_text == marker


@pytest.mark.parametrize(
    ("text", "value"),
    [("1,234", 1234.0), (" 8 800 ", 8800.0), ("１２３", 123.0), ("-4.5", -4.5), ("1e3", 1000.0)],
)
def test_numeric_text_cells(tmp_path, text, value):
    sheet = ccsy_sheet("表", "表（2015年）", POP_BLOCKS, [["石家庄市", text, 2, 3, 4]], note=None)
    path = write_xlsx(tmp_path / "landing" / "city_yearbook" / "ccsy.xlsx", [sheet])
    values, quarantine = read_city_yearbook(landing_file(path))
    assert quarantine.empty
    assert _cell(values, "表", 4, 2).value == value


@pytest.mark.parametrize("text", ["abc", "12.3.4", "nan", "NA", "12%", "1 2a"])
def test_unparseable_text_cells(tmp_path, text):
    sheet = ccsy_sheet("表", "表（2015年）", POP_BLOCKS, [["石家庄市", text, 2, 3, 4]], note=None)
    path = write_xlsx(tmp_path / "landing" / "city_yearbook" / "ccsy.xlsx", [sheet])
    values, quarantine = read_city_yearbook(landing_file(path))
    assert len(values) == 3
    assert quarantine[["source_row", "source_col", "reason"]].values.tolist() == [
        [4, 2, f"not a number: {text.strip()!r}"]
    ]


def test_sheet_without_header_is_quarantined_and_others_are_read(tmp_path):
    sheets = [
        SheetSpec("目录", [["目录"], ["表2-1 地区生产总值与人口"]], header_index=None),
        *demo_sheets(),
        SheetSpec("空白", [], header_index=None),  # an empty sheet holds nothing to lose
    ]
    path = write_xlsx(tmp_path / "landing" / "city_yearbook" / "ccsy_2015.xlsx", sheets)

    values, quarantine = read_city_yearbook(landing_file(path))

    assert len(values) == 23
    # A sheet that is not a table of regions has every cell quarantined, with the reason.
    toc = quarantine[quarantine["sheet"] == "目录"]
    assert toc["value_text"].tolist() == ["目录", "表2-1 地区生产总值与人口"]
    assert toc["reason"].str.startswith("sheet not understood: no column of region names").all()


def test_workbook_without_readable_sheet_raises(tmp_path):
    sheets = [SheetSpec("目录", [["目录"], ["一些说明"]], header_index=None)]
    path = write_xlsx(tmp_path / "landing" / "city_yearbook" / "ccsy_2015.xlsx", sheets)
    with pytest.raises(IngestError, match=r"city_yearbook/ccsy_2015\.xlsx.*no readable sheet"):
        read_city_yearbook(landing_file(path))


def test_empty_and_truncated_workbooks_raise(tmp_path):
    real = write_xlsx(tmp_path / "real.xlsx", demo_sheets())
    folder = tmp_path / "landing" / "city_yearbook"
    folder.mkdir(parents=True)
    (folder / "empty_2015.xlsx").write_bytes(b"")
    (folder / "truncated_2015.xlsx").write_bytes(real.read_bytes()[:100])

    with pytest.raises(IngestError, match=r"empty_2015\.xlsx.*empty"):
        read_city_yearbook(landing_file(folder / "empty_2015.xlsx"))
    with pytest.raises(IngestError, match=r"truncated_2015\.xlsx"):
        read_city_yearbook(landing_file(folder / "truncated_2015.xlsx"))


def test_xls_without_a_reader_package_raises_naming_the_file(tmp_path):
    folder = tmp_path / "landing" / "city_yearbook"
    folder.mkdir(parents=True)
    # An OLE2 (legacy .xls) signature followed by junk: pandas hands it to an .xls engine.
    (folder / "old_2009.xls").write_bytes(bytes.fromhex("d0cf11e0a1b11ae1") + b"\0" * 512)
    with pytest.raises(IngestError, match=r"city_yearbook/old_2009\.xls"):
        read_city_yearbook(landing_file(folder / "old_2009.xls"))


def _comparable(values):
    cols = ["source_row", "source_col", "year", "region_name", "indicator_name", "unit",
            "scope", "value_text", "value"]
    return values[cols].sort_values(["source_row", "source_col"]).reset_index(drop=True)


@pytest.mark.parametrize("encoding", ["utf-8-sig", "utf-8", "gbk"])
def test_csv_in_the_same_layout_reads_like_the_workbook(tmp_path, encoding):
    spec = demo_sheets(2015)[0]
    xlsx = write_xlsx(tmp_path / "landing" / "city_yearbook" / "ccsy_2015.xlsx", [spec])
    path = write_csv(tmp_path / "landing" / "city_yearbook" / "ccsy_2015.csv", spec, encoding)
    if encoding == "gbk":
        with pytest.raises(UnicodeDecodeError):
            path.read_bytes().decode("utf-8")  # the fixture really is not UTF-8

    values, quarantine = read_city_yearbook(landing_file(path))
    xlsx_values, xlsx_quarantine = read_city_yearbook(landing_file(xlsx))

    _assert_every_cell_accounted(values, quarantine, [spec])
    assert set(values["sheet"]) == {""}
    assert set(values["source_file"]) == {"city_yearbook/ccsy_2015.csv"}
    assert _comparable(values).equals(_comparable(xlsx_values))
    assert quarantine[["source_row", "source_col", "reason"]].values.tolist() == (
        xlsx_quarantine[["source_row", "source_col", "reason"]].values.tolist()
    )


def test_empty_csv_raises(tmp_path):
    folder = tmp_path / "landing" / "city_yearbook"
    folder.mkdir(parents=True)
    (folder / "ccsy_2015.csv").write_bytes(b"")
    (folder / "bom_only_2015.csv").write_bytes("\ufeff\n".encode())
    for name in ("ccsy_2015.csv", "bom_only_2015.csv"):
        with pytest.raises(IngestError, match=name.replace(".", r"\.")):
            read_city_yearbook(landing_file(folder / name))
