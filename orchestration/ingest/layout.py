"""What a table of regions means, read from its cells' content (no fixed cell addresses).

The shapes the real sources come in, and how each is recognized:

* **printed yearbook page** (China City Statistical Yearbook, provincial yearbooks, China
  Statistical Yearbook): a title row ("2-12 地方一般公共预算收支（2021年）", maybe an English
  title under it), a header block of 1-4 rows with merged cells (the region label "城 市 City"
  merged down, scope blocks "全 市 Total City" / "市 辖 区 Districts under City" merged across
  their indicator columns, indicator names with units broken over lines, an English row under
  the Chinese one), then one row per region, province separator rows without values, and
  notes ("注：", "Note:");
* **NBS data-portal export**: a preamble ("数据库：分省年度数据", "指标：年末常住人口(万人)",
  "时间：…"), regions down the side and years across ("2023年" or "2023"), "注：" and
  "数据来源：国家统计局" trailers;
* **wide panel export**: one row per region-year: a region column, a year column and indicator
  columns with units in the header ("地区生产总值(亿元)").

The reading follows tidyxl/unpivotr's idea of cells as data: the region column is the column
holding the most region names (any spelling the alias table knows, spaced or not, with or
without an English name after it); the data start at the first row that holds a region and
a number; the header block is the rows above it, from the row with the region label (城市,
地区, Region...) down, or the rows directly above when there is no label. Every header cell
of a column is classified by content — a scope word, a year, a Chinese indicator name with
its unit, an English translation — wherever it sits in the block, so scope-above-indicator,
indicator-above-scope and English rows all read the same. What is above the header block is
the title and preamble: the data year ("（2021年）"), the indicator and unit of a
regions-by-years table ("指标：", "单位："), a scope printed in the title.

Every non-blank cell ends in exactly one place: a value row, a quarantine row with its reason,
or a count of cells skipped as titles, headers, region labels or notes (`SheetReading`), so
the counts add up to the cells read.
"""

from __future__ import annotations

import math
import numbers
import re
import unicodedata
from collections import Counter
from dataclasses import dataclass, field
from functools import cache

from openpyxl.utils import get_column_letter

from orchestration.ingest.grid import Sheet, cell_text

# Printed "no data" markers: legitimate missing values, kept as NULL with their text.
MISSING_MARKERS = frozenset({"—", "——", "…", "……", "...", "-", "--", "－", "–", "―", "x", "X"})
REGION_LABELS = frozenset({
    "城市", "地区", "城市名称", "地区名称", "省份", "省份名称", "省市", "省区市", "省(区、市)",
    "省(自治区、直辖市)", "地级市", "区域", "地区/城市", "行政区划", "城市/地区",
    "region", "regions", "city", "cities", "province", "provinces", "area", "district",
})
YEAR_LABELS = frozenset({"年份", "年度", "年", "时间", "year", "years", "time"})
SCOPES = {"全市": "全市", "市辖区": "市辖区", "totalcity": "全市", "wholecity": "全市",
          "districtsundercity": "市辖区", "cityproper": "市辖区", "citydistricts": "市辖区",
          "urbandistricts": "市辖区"}
NOTE_PREFIXES = ("注", "资料来源", "数据来源", "说明", "备注", "note", "source")
SKIP_TITLE, SKIP_HEADER, SKIP_REGION, SKIP_NOTE = (
    "title or preamble", "header", "region and year labels", "note")
_MAX_HEADER_ROWS = 6

_CJK = re.compile(r"[\u3400-\u9fff]")
_WIDE = r"[\u2e80-\u9fff\u3000-\u303f\uff00-\uffef]"
_SPACE_NEAR_WIDE = re.compile(rf"\s*({_WIDE})\s*")
_TRAILING_EN = re.compile(r"^(.*[\u3400-\u9fff）)\]】])\s+([A-Za-z][A-Za-z0-9 ,.&'’()/%-]*)$")
_NAME_UNIT = re.compile(r"^(.*?)\s*[（(]([^（）()]+)[)）]$")
_YEAR_CELL = re.compile(r"^((?:19|20)\d{2})(?:\.0+)?\s*(?:年(?:度|末)?)?$")
_TITLE_YEAR = re.compile(r"[（(]\s*((?:19|20)\d{2})\s*(?:年)?\s*[)）]|((?:19|20)\d{2})\s*年")
_FILE_YEAR = re.compile(r"(?<!\d)((?:19|20)\d{2})(?!\d)")
_PREAMBLE = re.compile(
    r"^(数据库|指标|时间|地区|单位|计量单位|database|indicators?|time|region|unit)\s*[:：]\s*(.*)$",
    re.IGNORECASE)
_UNIT_NOTE = re.compile(r"(?:^|\s)(?:单位|计量单位|unit)\s*[:：]\s*([^\s;；,，]+)", re.IGNORECASE)
_NUMBER = re.compile(r"^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$")


# ---------------------------------------------------------------------------- text


def squash(text: str | None) -> str:
    """Text without any whitespace, for labels printed as "城　市" or "全 市"."""
    return re.sub(r"\s+", "", text or "")


def clean(text: str) -> str:
    """Line breaks and justification spaces out: '石 家 庄' -> '石家庄', '地区生产总值' + line
    break + '（万元）' -> '地区生产总值（万元）'; spaces between Latin words stay."""
    return _SPACE_NEAR_WIDE.sub(r"\1", re.sub(r"\s+", " ", text).strip())


def split_zh_en(text: str) -> tuple[str | None, str | None]:
    """A cell's Chinese text and its English translation: lines without Chinese characters,
    or a Latin phrase after the Chinese ('全 市 Total City', '北 京 Beijing'), are the
    English. 'R&D经费' keeps its Latin letters: they are inside the Chinese name."""
    zh, en = [], []
    for line in str(text).splitlines():
        line = line.strip()
        if not line:
            continue
        if not _CJK.search(line):
            en.append(line)
            continue
        match = _TRAILING_EN.match(line)
        if match and len(match.group(2).replace(" ", "")) >= 2:
            zh.append(match.group(1))
            en.append(match.group(2))
        else:
            zh.append(line)
    return (clean("".join(zh)) or None, " ".join(en).strip() or None)


def split_name_unit(header: str) -> tuple[str, str | None]:
    """'地区生产总值（万元）' -> ('地区生产总值', '万元'); a header without a unit keeps None."""
    header = clean(header)
    match = _NAME_UNIT.match(header)
    if match and match.group(1):
        return match.group(1).strip(), match.group(2).strip()
    return header, None


def _key(text: str | None) -> str:
    return squash(unicodedata.normalize("NFKC", text or "")).casefold()


def is_region_label(text: str | None) -> bool:
    if not text:
        return False
    zh, en = split_zh_en(text)
    return _key(zh) in REGION_LABELS or _key(en) in REGION_LABELS or _key(text) in REGION_LABELS


def is_year_label(text: str | None) -> bool:
    if not text:
        return False
    zh, en = split_zh_en(text)
    return any(_key(t) in YEAR_LABELS for t in (zh, en, text) if t)


def scope_of(text: str | None) -> str | None:
    """全市 / 市辖区 for a scope header in Chinese, English or both ('全 市 Total City')."""
    if not text:
        return None
    zh, en = split_zh_en(text)
    for t in (zh, en):
        scope = SCOPES.get(_key(t))
        if scope:
            return scope
    return None


def is_note(text: str | None) -> bool:
    return bool(text) and _key(text).startswith(NOTE_PREFIXES)


def year_of(text: str | None) -> int | None:
    """2023 for a year header or key: 2023, '2023', '2023年', '2023.0'."""
    if not text:
        return None
    match = _YEAR_CELL.match(squash(unicodedata.normalize("NFKC", text)))
    return int(match.group(1)) if match else None


def parse_value(value: object, text: str) -> tuple[float | None, str | None]:
    """(number or None, quarantine reason or None) for one non-blank value cell. Printed
    missing markers are a NULL value; thousands separators and spaces are printing artefacts."""
    if isinstance(value, numbers.Real) and not isinstance(value, bool):
        number = float(value)
        return (number, None) if math.isfinite(number) else (None, f"not a number: {text!r}")
    if not isinstance(value, str):
        return None, f"not a number: {text!r} ({type(value).__name__} cell)"
    folded = unicodedata.normalize("NFKC", text).strip()
    if text in MISSING_MARKERS or folded in MISSING_MARKERS:
        return None, None
    compact = re.sub(r"[\s,]", "", folded)
    if _NUMBER.match(compact):
        return float(compact), None
    return None, f"not a number: {text!r}"


def _is_number(value: object, text: str | None) -> bool:
    if text is None:
        return False
    number, reason = parse_value(value, text)
    return reason is None and number is not None


@cache
def _region_names() -> frozenset[str]:
    from orchestration.ingest.regions import load_aliases

    return frozenset(load_aliases()["alias_norm"].dropna())


@cache
def region_text(text: str) -> str:
    """The region as printed, without its English name or justification spaces:
    '石 家 庄' -> '石家庄', '北 京 Beijing' -> '北京', 'Inner Mongolia' stays."""
    zh, en = split_zh_en(text)
    return zh or en or text


@cache
def is_region(text: str | None) -> bool:
    """Whether the alias table knows the name (in some year, at some level)."""
    from orchestration.ingest.regions import normalize_region_name

    if not text:
        return False
    name = normalize_region_name(region_text(text))
    return name is not None and name in _region_names()


# ---------------------------------------------------------------------------- layout


@dataclass
class Column:
    """What one value column means, from its header cells (top to bottom)."""

    col: int
    header: list[str]
    indicator_name: str | None = None
    unit: str | None = None
    scope: str | None = None
    year: int | None = None
    english: str | None = None
    label: bool = False  # a column of labels (region codes, a province beside the city)

    def describe(self) -> str:
        if self.label:
            return f"(labels: {' / '.join(self.header)})"
        parts = [self.indicator_name or "(no indicator)"]
        if self.unit:
            parts.append(f"[{self.unit}]")
        if self.scope:
            parts.append(self.scope)
        if self.year:
            parts.append(str(self.year))
        return " ".join(parts)


@dataclass
class Block:
    """One table on a sheet: header rows, the data rows below them, what each column means."""

    shape: str
    region_col: int
    year_col: int | None
    header_rows: list[int]
    first_data_row: int
    end_row: int  # exclusive
    columns: dict[int, Column]
    table_year: int | None
    year_source: str
    indicator: str | None
    unit: str | None
    scope: str | None


@dataclass
class SheetReading:
    sheet: str
    provenance: dict = field(default_factory=dict)
    values: list[dict] = field(default_factory=list)
    quarantine: list[dict] = field(default_factory=list)
    skipped: Counter = field(default_factory=Counter)
    cells: int = 0
    blocks: list[Block] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Context:
    """What the reader knows about the file besides the sheet: its name's year, the years
    printed in other sheets' titles, and its sidecar's indicator / unit / year / scope."""

    file_year: int | None = None
    workbook_year: int | None = None
    indicator: str | None = None
    unit: str | None = None
    year: int | None = None
    scope: str | None = None


def title_year(text: str | None) -> int | None:
    """The data year a title line prints ('（2021年）', '(2021)', '2021年'); None for a
    preamble range such as '时间：2014-2023' or a line without one."""
    if not text or _PREAMBLE.match(text.strip()):
        return None
    match = _TITLE_YEAR.search(text)
    return int(match.group(1) or match.group(2)) if match else None


def file_year(name: str) -> int | None:
    match = _FILE_YEAR.search(name)
    return int(match.group(1)) if match else None


class _Grid:
    def __init__(self, sheet: Sheet) -> None:
        width = sheet.n_cols
        self.values = [list(r) + [None] * (width - len(r)) for r in sheet.values]
        self.texts = [[cell_text(v) for v in row] for row in self.values]
        self.n_rows, self.n_cols = len(self.values), width
        self.owner: dict[tuple[int, int], tuple[int, int]] = {}
        for r0, c0, r1, c1 in sheet.merges:
            for r in range(r0, min(r1, self.n_rows - 1) + 1):
                for c in range(c0, min(c1, self.n_cols - 1) + 1):
                    self.owner[(r, c)] = (r0, c0)

    def text(self, r: int, c: int) -> str | None:
        return self.texts[r][c]

    def filled(self, r: int, c: int) -> str | None:
        """The cell's text, or the text of the merged range it lies in."""
        r0, c0 = self.owner.get((r, c), (r, c))
        return self.texts[r0][c0]

    def row_cells(self, r: int) -> list[int]:
        return [c for c, t in enumerate(self.texts[r]) if t is not None]


def read_sheet(sheet: Sheet, provenance: dict, target_table: str, context: Context) -> SheetReading:
    """Read one sheet: values, quarantine rows (with `provenance` and `target_table`) and the
    count of every other non-blank cell by why it was skipped. A table printed the other way
    round (regions across, years or indicators down) is read transposed, with the cells'
    own rows and columns in the provenance."""
    grid = _Grid(sheet)
    if not _regions_run_across(grid):
        return _read_grid(grid, provenance, target_table, context)
    # Title and preamble lines stay on top; the table under them is turned round.
    t = next((r for r in range(grid.n_rows) if len(grid.row_cells(r)) > 1), 0)
    body = [list(col) for col in zip(*grid.values[t:], strict=True)]
    merges = [m for m in sheet.merges if m[2] < t] + [
        (c0 + t, r0 - t, c1 + t, r1 - t) for r0, c0, r1, c1 in sheet.merges if r0 >= t]
    out = _read_grid(_Grid(Sheet(sheet.name, grid.values[:t] + body, merges)), provenance,
                     target_table, context)
    for row in (*out.values, *out.quarantine):
        r, c = row["source_row"] - 1, row["source_col"] - 1
        if r >= t:
            row["source_row"], row["source_col"] = t + c + 1, r - t + 1
    for block in out.blocks:
        block.shape = f"{block.shape}, printed transposed (regions across)"
    return out


def _regions_run_across(grid: _Grid) -> bool:
    by_col, by_row = Counter(), Counter()
    for r in range(grid.n_rows):
        for c in grid.row_cells(r):
            if is_region(grid.text(r, c)):
                by_col[c] += 1
                by_row[r] += 1
    best_col = max(by_col.values(), default=0)
    return max(by_row.values(), default=0) > max(best_col, 2)


def _read_grid(grid: _Grid, provenance: dict, target_table: str,
               context: Context) -> SheetReading:
    out = SheetReading(provenance.get("sheet", ""), provenance=provenance)
    out.cells = sum(len(grid.row_cells(r)) for r in range(grid.n_rows))
    if not out.cells:
        return out

    def reject(r: int, c: int, reason: str) -> None:
        out.quarantine.append({
            **provenance, "source_row": r + 1, "source_col": c + 1, "target_table": target_table,
            "value_text": grid.text(r, c), "reason": reason,
        })

    def not_understood(problem: str) -> SheetReading:
        # Nothing of the sheet is guessed at, and nothing is lost: every cell is quarantined.
        out.problems.append(problem)
        out.values.clear()
        out.quarantine.clear()
        out.skipped.clear()
        out.blocks.clear()
        for r in range(grid.n_rows):
            for c in grid.row_cells(r):
                reject(r, c, f"sheet not understood: {problem}")
        return out

    region_col = _region_column(grid)
    if region_col is None:
        return not_understood("no column of region names (no cell matches a province, city "
                              "or county name the alias table knows)")

    done_to = 0  # rows before this one are accounted for
    start = 0
    while start < grid.n_rows:
        block = _find_block(grid, region_col, start, context)
        if block is None:
            break
        top = block.header_rows[0] if block.header_rows else block.first_data_row
        for r in range(done_to, top):
            _skip_outside(grid, r, SKIP_TITLE, reject, out)
        for r in block.header_rows:
            for c in grid.row_cells(r):
                if _is_number(grid.values[r][c], grid.text(r, c)) and not year_of(grid.text(r, c)):
                    reject(r, c, "number in the header block")
                else:
                    out.skipped[SKIP_HEADER] += 1
        _read_block(grid, block, reject, out, context)
        out.blocks.append(block)
        done_to = start = block.end_row
    if not out.blocks:
        return not_understood(
            f"region names found in column {get_column_letter(region_col + 1)} but no row "
            "with a region and a number")
    for r in range(done_to, grid.n_rows):
        _skip_outside(grid, r, SKIP_NOTE, reject, out)
    return out


def _skip_outside(grid: _Grid, r: int, kind: str, reject, out: SheetReading) -> None:
    """A row outside any table (title, preamble, trailing notes): its text is skipped; a
    number beside other cells is not a value of the table and is quarantined."""
    cells = grid.row_cells(r)
    for c in cells:
        text = grid.text(r, c)
        if len(cells) > 1 and _is_number(grid.values[r][c], text) and not year_of(text):
            reject(r, c, "number outside the table (above its header or below its rows)")
        else:
            out.skipped[SKIP_NOTE if is_note(grid.text(r, cells[0])) else kind] += 1


def _region_column(grid: _Grid) -> int | None:
    counts = [0] * grid.n_cols
    distinct: list[set[str]] = [set() for _ in range(grid.n_cols)]
    for r in range(grid.n_rows):
        for c in grid.row_cells(r):
            if is_region(grid.text(r, c)):
                counts[c] += 1
                distinct[c].add(region_text(grid.text(r, c)))
    if not counts or max(counts) == 0:
        return None
    # The finest list of names wins: cities beside their province, the rightmost on a tie.
    return max(range(grid.n_cols), key=lambda c: (len(distinct[c]), counts[c], c))


def _data_row(grid: _Grid, r: int, region_col: int, skip: set[int]) -> bool:
    if not is_region(grid.text(r, region_col)):
        return False
    return any(_is_number(grid.values[r][c], grid.text(r, c))
               for c in grid.row_cells(r) if c != region_col and c not in skip)


def _find_block(grid: _Grid, region_col: int, start: int, context: Context) -> Block | None:
    year_col = _year_column(grid, region_col, start)
    skip = {year_col} if year_col is not None else set()
    first = next((r for r in range(start, grid.n_rows) if _data_row(grid, r, region_col, skip)),
                 None)
    if first is None:
        return None
    header_rows = _header_rows(grid, region_col, start, first)
    top = header_rows[0] if header_rows else first
    above = list(range(start, top))
    # A repeated header (续表, or the next year's table on the same sheet) starts the next
    # block, together with the title lines printed directly above it.
    end = next((r for r in range(first + 1, grid.n_rows)
                if is_region_label(grid.text(r, region_col))), grid.n_rows)
    while end < grid.n_rows and end - 1 > first and _title_like(grid, end - 1):
        end -= 1
    table_year, year_source = _title_year(grid, above)
    preamble = _preamble(grid, above)
    title_scope = next((s for r in above for c in grid.row_cells(r)
                        if (s := _scope_in_title(grid.text(r, c)))), None)
    columns = _columns(grid, region_col, year_col, header_rows, first, end)
    if year_col is not None:
        shape = "wide panel (one row per region-year)"
    elif columns and sum(col.year is not None for col in columns.values()) > len(columns) / 2:
        shape = "regions x years (NBS data-portal layout)"
    else:
        shape = "printed table (regions down, indicators across)"
    return Block(
        shape=shape, region_col=region_col, year_col=year_col, header_rows=header_rows,
        first_data_row=header_rows[-1] + 1 if header_rows else first, end_row=end,
        columns=columns, table_year=table_year,
        year_source=year_source, indicator=preamble.get("indicator") or context.indicator,
        unit=preamble.get("unit") or context.unit, scope=title_scope or context.scope,
    )


def _title_like(grid: _Grid, r: int) -> bool:
    """A line of its own that is not a region row: a title, an English title, a unit note."""
    cells = grid.row_cells(r)
    return len(cells) == 1 and not is_region(grid.text(r, cells[0])) and not _is_number(
        grid.values[r][cells[0]], grid.text(r, cells[0]))


def _year_column(grid: _Grid, region_col: int, start: int) -> int | None:
    """A column labelled 年份/Year whose cells below the label are years."""
    for r in range(start, min(grid.n_rows, start + 40)):
        for c in grid.row_cells(r):
            if c == region_col or not is_year_label(grid.text(r, c)):
                continue
            below = [grid.text(rr, c) for rr in range(r + 1, min(grid.n_rows, r + 30))
                     if grid.text(rr, c) is not None]
            if below and sum(year_of(t) is not None for t in below) >= 0.8 * len(below):
                return c
    return None


def _header_rows(grid: _Grid, region_col: int, start: int, first: int) -> list[int]:
    """From the row with the region label down to the first data row; without a label, the
    rows directly above the data that print more than one cell. A province separator row
    just above the first data row is not part of the header."""
    while first > start and grid.row_cells(first - 1) == [region_col] and is_region(
            grid.text(first - 1, region_col)):
        first -= 1
    for r in range(first - 1, max(start, first - _MAX_HEADER_ROWS) - 1, -1):
        corner = grid.filled(r, region_col)
        if (is_region_label(corner) or is_year_label(corner)) and grid.owner.get(
                (r, region_col), (r, region_col))[0] == r:
            return list(range(r, first))
    rows = []
    for r in range(first - 1, max(start, first - _MAX_HEADER_ROWS) - 1, -1):
        cells = grid.row_cells(r)
        if len(cells) < 2 or any(_PREAMBLE.match(squash(grid.text(r, c)) or "") for c in cells):
            break
        rows.insert(0, r)
    return rows


def _title_year(grid: _Grid, rows: list[int]) -> tuple[int | None, str]:
    """The year of the title line closest above the header."""
    for r in reversed(rows):
        for c in grid.row_cells(r):
            text = unicodedata.normalize("NFKC", grid.text(r, c))
            year = title_year(text) or (title_year(text.split(":", 1)[1])
                                        if text.strip().startswith(("指标", "Indicator")) else None)
            if year:
                return year, f"title row {r + 1}"
    return None, ""


def _preamble(grid: _Grid, rows: list[int]) -> dict[str, str]:
    found: dict[str, str] = {}
    for r in rows:
        for c in grid.row_cells(r):
            text = unicodedata.normalize("NFKC", grid.text(r, c)).strip()
            match = _PREAMBLE.match(text)
            if match:
                key, value = match.group(1).casefold(), match.group(2).strip()
                if key in ("指标", "indicator", "indicators") and value:
                    found["indicator"] = value
                elif key in ("单位", "计量单位", "unit") and value:
                    found["unit"] = value
                continue
            unit = _UNIT_NOTE.search(text)
            if unit:
                found.setdefault("unit", unit.group(1))
    return found


def _scope_in_title(text: str | None) -> str | None:
    if not text:
        return None
    zh, _ = split_zh_en(text)
    for word in ("市辖区", "全市"):
        if word in squash(zh or ""):
            return word
    return None


def _columns(grid: _Grid, region_col: int, year_col: int | None, header_rows: list[int],
             first: int, end: int) -> dict[int, Column]:
    used = sorted({c for r in range(first, end) for c in grid.row_cells(r)}
                  | {c for r in header_rows for c in range(grid.n_cols) if grid.filled(r, c)})
    columns: dict[int, Column] = {}
    for c in used:
        if c in (region_col, year_col):
            continue
        stack: list[str] = []
        for i, r in enumerate(header_rows):
            text = grid.filled(r, c)
            if text is None and (r, c) not in grid.owner:
                text = _carried(grid, header_rows[i:], c, region_col)
            if text is not None and (not stack or stack[-1] != text):
                stack.append(text)
        columns[c] = _meaning(c, stack)
    return columns


def _carried(grid: _Grid, rows: list[int], c: int, region_col: int) -> str | None:
    """A blank header cell over a printed sub-header belongs to the header on its left: how
    a merged cell looks once the merge is lost (CSV exports)."""
    r = rows[0]
    if not any(grid.text(rr, c) is not None for rr in rows[1:]):
        return None
    for cc in range(c - 1, region_col, -1):
        text = grid.text(r, cc)
        if text is not None:
            return text
    return None


_CODE_HEADER = re.compile(r"代码|代号|编码|^code$|^id$|adcode", re.IGNORECASE)


def _meaning(c: int, stack: list[str]) -> Column:
    column = Column(col=c, header=stack)
    if stack and all(is_region_label(t) or is_year_label(t) or _CODE_HEADER.search(squash(t))
                     for t in stack):
        # 行政区划代码 beside the names, or 省份 beside 城市: keys, not values
        column.label = True
        return column
    names_zh: list[str] = []
    names_en: list[str] = []
    for text in stack:
        scope = scope_of(text)
        if scope:
            column.scope = scope
            continue
        year = year_of(text)
        if year:
            column.year = year
            continue
        if is_region_label(text) or is_year_label(text):
            continue
        zh, en = split_zh_en(text)
        if zh:
            names_zh.append(zh)
        if en:
            names_en.append(en)
    name = "-".join(names_zh) if names_zh else (" ".join(names_en) or None)
    if name:
        # The unit is printed with the most specific header (the lowest one that has one).
        base, unit = split_name_unit(name)
        if unit is None and len(names_zh) > 1:
            parts = [split_name_unit(p) for p in names_zh]
            unit = next((u for _, u in reversed(parts) if u), None)
            base = "-".join(b for b, _ in parts)
        column.indicator_name, column.unit = base, unit
    column.english = " ".join(names_en) or None
    return column


def _read_block(grid: _Grid, block: Block, reject, out: SheetReading, context: Context) -> None:
    region_letter = get_column_letter(block.region_col + 1)
    in_notes = False
    for r in range(block.first_data_row, block.end_row):
        cells = grid.row_cells(r)
        if not cells:
            continue
        region_cell = grid.text(r, block.region_col)
        first_text = grid.text(r, cells[0])
        if in_notes or is_note(first_text) or is_note(region_cell):
            # Notes run to the end of the table; a number in them is not a value of the table.
            in_notes = True
            for c in cells:
                if c != cells[0] and _is_number(grid.values[r][c], grid.text(r, c)):
                    reject(r, c, "value in a footnote row")
                else:
                    out.skipped[SKIP_NOTE] += 1
            continue
        row_year = None
        if block.year_col is not None:
            row_year = year_of(grid.text(r, block.year_col))
        for c in cells:
            text = grid.text(r, c)
            if c == block.region_col or c == block.year_col:
                if c == block.year_col and row_year is None:
                    reject(r, c, f"unreadable year {text!r}")
                else:
                    out.skipped[SKIP_REGION] += 1
                continue
            if region_cell is None:
                reject(r, c, f"no region name in column {region_letter}")
                continue
            column = block.columns.get(c)
            if column is not None and column.label:
                out.skipped[SKIP_REGION] += 1
                continue
            if column is None or not column.header:
                reject(r, c, f"no indicator header above column {get_column_letter(c + 1)}")
                continue
            if block.year_col is not None and row_year is None:
                reject(r, c, f"no readable year in column {get_column_letter(block.year_col + 1)}")
                continue
            year = column.year or row_year or block.table_year or context.workbook_year \
                or context.file_year or context.year
            if year is None:
                reject(r, c, "no data year: no year in the column header, the title, the "
                       "file name or the sidecar")
                continue
            indicator = column.indicator_name or block.indicator
            unit = column.unit if column.indicator_name else None
            if indicator and not column.indicator_name:
                indicator, unit = split_name_unit(indicator)
            unit = unit or block.unit
            if not indicator:
                reject(r, c, f"no indicator for column {get_column_letter(c + 1)} (a regions x "
                       "years table needs '指标：…' in its preamble or `indicator:` in its "
                       "sidecar)")
                continue
            number, reason = parse_value(grid.values[r][c], text)
            if reason:
                reject(r, c, reason)
                continue
            out.values.append({
                **out.provenance, "source_row": r + 1, "source_col": c + 1, "year": int(year),
                "region_name": region_text(region_cell), "indicator_name": indicator,
                "unit": unit, "scope": column.scope or block.scope, "value_text": text,
                "value": number,
            })
