"""Patent-database extracts (.csv or .parquet, one row per patent) -> raw patent rows, in DuckDB.

Exports from CNIPA, incoPat, Himmpat and the like name the same fields differently and in
Chinese or English; columns are mapped by header name (never by position) to the
canonical names of `schema.PATENTS`. Rows without an application number or with an
application date that cannot be read go to quarantine with the reason.

A national extract has tens of millions of rows, so the file is read, mapped, trimmed and
date-parsed by one DuckDB query (`extract_sql`); Python only looks at the header. The
query's rows carry a status (`ok`, `bad`, `blank`) that `patent_load` splits into
raw.patents and quality.quarantine. `read_patents` runs the same query on a single file
and returns small pandas frames, for `dri ingest` validation and the tests.
"""

from __future__ import annotations

import codecs
import re
import tempfile
import unicodedata
from collections.abc import Iterator, Sequence
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pandas as pd

from orchestration.ingest import schema
from orchestration.ingest.landing import TEXT_ENCODINGS, IngestError, LandingFile

TARGET_TABLE = "raw.patents"

# Export header -> canonical column. When an extract has two headers for the same field,
# the one listed first here wins (e.g. 公开(公告)日 before 授权公告日).
COLUMN_MAP: dict[str, str] = {
    "申请号": "application_number",
    "专利申请号": "application_number",
    "application_number": "application_number",
    "Application Number": "application_number",
    "Application No": "application_number",
    "申请日": "application_date",
    "application_date": "application_date",
    "Application Date": "application_date",
    "公开(公告)日": "publication_date",
    "公开日": "publication_date",
    "公告日": "publication_date",
    "授权公告日": "publication_date",
    "publication_date": "publication_date",
    "Publication Date": "publication_date",
    "专利类型": "patent_type",
    "patent_type": "patent_type",
    "Patent Type": "patent_type",
    "type": "patent_type",
    "名称": "title",
    "标题": "title",
    "发明名称": "title",
    "专利名称": "title",
    "title": "title",
    "摘要": "abstract",
    "Abstract": "abstract",
    "申请人": "applicant",
    "申请(专利权)人": "applicant",
    "专利权人": "applicant",
    "applicant": "applicant",
    "Applicants": "applicant",
    "申请人地址": "applicant_address",
    "地址": "applicant_address",
    "address": "applicant_address",
    "applicant_address": "applicant_address",
    # The applicant's administrative division code (6 or 12 digits, sometimes 2 or 4).
    "申请人区划代码": "applicant_region_code",
    "申请人行政区划代码": "applicant_region_code",
    "行政区划代码": "applicant_region_code",
    "区划代码": "applicant_region_code",
    "地区代码": "applicant_region_code",
    "省市代码": "applicant_region_code",
    "国省代码": "applicant_region_code",
    "applicant_region_code": "applicant_region_code",
    "Applicant Region Code": "applicant_region_code",
    "Region Code": "applicant_region_code",
    "主分类号": "main_ipc",
    "IPC主分类号": "main_ipc",
    "main_ipc": "main_ipc",
    "Main IPC": "main_ipc",
    "IPC分类号": "ipc_codes",
    "分类号": "ipc_codes",
    "IPC": "ipc_codes",
    "ipc_codes": "ipc_codes",
    "IPC Codes": "ipc_codes",
}
REQUIRED = ("application_number", "application_date", "ipc_codes")
FIELDS = schema.PATENTS[len(schema.PROVENANCE):]
DATE_FIELDS = ("application_date", "publication_date")
_EXCERPT = 200
_CHUNK = 1 << 24

# 2010-01-05, 2010/1/5, 2010.01.05, 2010年1月5日, optionally followed by a time of day;
# or 20100105. RE2 syntax (DuckDB); `try_cast` turns impossible dates (02-30) into NULL.
_DATE_SEPARATED = r"(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?(?:[ T].*)?"
_DATE_COMPACT = r"\d{8}"


def header_key(header: str) -> str:
    """Header as compared: full-width folded, case-, space- and underscore-insensitive."""
    folded = unicodedata.normalize("NFKC", str(header)).lower()
    return re.sub(r"[\s_.\-\ufeff]+", "", folded)


def map_columns(headers: list[str]) -> dict[str, str]:
    """Canonical column -> the export header it is read from (first alias found wins)."""
    by_key: dict[str, str] = {}
    for header in headers:
        by_key.setdefault(header_key(header), header)
    mapping: dict[str, str] = {}
    for alias, canonical in COLUMN_MAP.items():
        header = by_key.get(header_key(alias))
        if header is not None and canonical not in mapping:
            mapping[canonical] = header
    return mapping


def quote_ident(name: str) -> str:
    return '"' + str(name).replace('"', '""') + '"'


def quote_literal(text: str) -> str:
    return "'" + str(text).replace("'", "''") + "'"


def parse_date_sql(text: str) -> str:
    """SQL: the DATE a trimmed text expression spells, NULL when empty or not a valid date."""
    separated = quote_literal(_DATE_SEPARATED)
    return f"""(CASE
        WHEN length({text}) = 10 AND {text}[5] = '-' AND {text}[8] = '-'
             AND {text}[1:4] <> '0000'
            THEN try_cast({text} AS DATE)  -- the ISO spelling, without a regex
        WHEN regexp_full_match({text}, {separated})
            THEN try_cast(nullif(regexp_extract({text}, {separated}, 1), '0000') || '-'
                 || regexp_extract({text}, {separated}, 2) || '-'
                 || regexp_extract({text}, {separated}, 3) AS DATE)
        WHEN regexp_full_match({text}, {quote_literal(_DATE_COMPACT)})
            THEN try_cast(nullif({text}[1:4], '0000') || '-' || {text}[5:6] || '-'
                 || {text}[7:8] AS DATE)
    END)"""


@dataclass(frozen=True)
class ExtractSource:
    """How DuckDB reads one extract, or several Parquet extracts with the same columns: a
    table function call and the extracts' columns with types."""

    scan: str  # read_csv(...) / read_parquet(...), with `__row` (0-based record in its file)
    columns: dict[str, str]  # header -> DuckDB type
    files: tuple[LandingFile, ...] = ()  # the files read, in the order `__file` numbers them

    def file_index_sql(self) -> str:
        """SQL: the 0-based index in `files` of the row's file (a constant per file, so
        DuckDB evaluates it once per vector, not per row)."""
        if len(self.files) <= 1:
            return "0"
        cases = " ".join(f"WHEN {quote_literal(f.path.as_posix())} THEN {i}"
                         for i, f in enumerate(self.files))
        return f"(CASE __path {cases} END)"


def _parquet_scan(paths: list[Path]) -> str:
    listed = ", ".join(quote_literal(p.as_posix()) for p in paths)
    return (f"(SELECT * EXCLUDE (file_row_number), file_row_number AS __row "
            f"FROM read_parquet([{listed}], file_row_number = true, filename = '__path'))")


@contextmanager
def open_extract(file: LandingFile, con: duckdb.DuckDBPyConnection) -> Iterator[ExtractSource]:
    """The DuckDB scan of an extract. A CSV that DuckDB cannot read directly (GBK text,
    blank lines that DuckDB would skip and so shift row numbers) is first rewritten as
    UTF-8 into a temporary file, which lives as long as the context."""
    suffix = file.path.suffix.lower()
    if not file.path.exists() or file.path.stat().st_size == 0:
        raise IngestError(f"{file.relpath}: empty file")
    if suffix == ".parquet":
        scan = _parquet_scan([file.path])
        yield ExtractSource(scan, _describe(con, scan, file), (file,))
        return
    if suffix != ".csv":
        raise IngestError(f"{file.relpath}: unsupported patent extract type {suffix!r}")
    encoding, blank_lines = _sniff_text(file)
    with tempfile.TemporaryDirectory(prefix="dri-patents-") as tmp:
        path = file.path
        if encoding != "utf-8" or blank_lines:
            path = Path(tmp) / "extract.csv"
            _rewrite_utf8(file, encoding, path)
        # Blank lines were rewritten to a single space so DuckDB keeps them as records;
        # such records have one field, hence null padding (which DuckDB can only do
        # single-threaded when quoted fields span lines).
        padded = ", null_padding = true, parallel = false" if blank_lines else ""
        options = (f"header = true, all_varchar = true, delim = ',', quote = '\"', "
                   f"escape = '\"'{padded}")
        # row_number() over the scan follows file order: DuckDB preserves insertion order.
        scan = (f"(SELECT *, row_number() OVER () - 1 AS __row FROM "
                f"read_csv({quote_literal(path.as_posix())}, {options}))")
        columns = _describe(con, scan, file)
        if list(columns) == ["column0"] and not _has_header(path):
            raise IngestError(f"{file.relpath}: empty file (no header row)")
        yield ExtractSource(scan, columns, (file,))


@contextmanager
def open_extracts(files: Sequence[LandingFile], con: duckdb.DuckDBPyConnection
                  ) -> Iterator[list[ExtractSource]]:
    """Scans covering `files`: the Parquet files with the same columns (names and types)
    share one `read_parquet` over their list, each CSV has its own (see open_extract)."""
    with ExitStack() as stack:
        sources: list[ExtractSource] = []
        groups: dict[tuple, list[LandingFile]] = {}
        for file in files:
            source = stack.enter_context(open_extract(file, con))
            if file.path.suffix.lower() == ".parquet":
                groups.setdefault(tuple(source.columns.items()), []).append(file)
            else:
                sources.append(source)
        for signature, members in groups.items():
            scan = _parquet_scan([f.path for f in members])
            sources.append(ExtractSource(scan, dict(signature), tuple(members)))
        yield sources


@contextmanager
def unordered(con: duckdb.DuckDBPyConnection) -> Iterator[None]:
    """preserve_insertion_order off for the block: the tables written here are sets (readers
    order by key), and keeping scan order costs DuckDB memory and parallelism."""
    before = con.execute("SELECT current_setting('preserve_insertion_order')").fetchone()[0]
    con.execute("SET preserve_insertion_order = false")
    try:
        yield
    finally:
        con.execute(f"SET preserve_insertion_order = {'true' if before else 'false'}")


def _describe(con: duckdb.DuckDBPyConnection, scan: str, file: LandingFile) -> dict[str, str]:
    try:
        rows = con.execute(f"DESCRIBE SELECT * FROM {scan}").fetchall()
    except duckdb.Error as exc:
        raise IngestError(f"{file.relpath}: cannot read patent extract "
                          f"({type(exc).__name__}: {_first_line(exc)})") from exc
    return {name: dtype for name, dtype, *_ in rows if name not in ("__row", "__path")}


def _first_line(exc: Exception) -> str:
    return str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__


def _has_header(path: Path) -> bool:
    with open(path, "rb") as fh:
        return bool(fh.read(65536).strip())


def _sniff_text(file: LandingFile) -> tuple[str, bool]:
    """(encoding, has blank lines). UTF-8 (with or without BOM) is read by DuckDB as is;
    anything else is decoded with the first of TEXT_ENCODINGS that fits the whole file."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    utf8, blank, tail = True, False, b""
    with open(file.path, "rb") as fh:
        while chunk := fh.read(_CHUNK):
            window = tail + chunk
            blank = blank or b"\n\n" in window or b"\n\r\n" in window
            tail = window[-2:]
            if utf8:
                try:
                    decoder.decode(chunk)
                except UnicodeDecodeError:
                    utf8 = False
    if utf8:
        try:
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            utf8 = False
    if utf8:
        return "utf-8", blank
    for encoding in TEXT_ENCODINGS[1:]:
        try:
            with open(file.path, encoding=encoding, newline="") as fh:
                while fh.read(_CHUNK):
                    pass
        except UnicodeDecodeError:
            continue
        return encoding, blank
    raise IngestError(f"{file.relpath}: not readable as {' or '.join(TEXT_ENCODINGS)} text")


def _rewrite_utf8(file: LandingFile, encoding: str, target: Path) -> None:
    """Stream the extract into UTF-8, with each blank line replaced by one space (a record
    whose cells are empty, so the row numbers of the records after it stay the file's)."""
    with open(file.path, encoding=encoding, newline="") as src, \
            open(target, "w", encoding="utf-8", newline="") as out:
        carry = ""
        while chunk := src.read(_CHUNK):
            text = carry + chunk
            # Keep the last characters back so a blank line split across chunks is seen.
            text, carry = text[:-2], text[-2:]
            out.write(_fill_blank_lines(text))
        out.write(_fill_blank_lines(carry))


def _fill_blank_lines(text: str) -> str:
    # Twice: "\n\n\n" holds two blank lines whose matches overlap.
    for _ in range(2):
        text = text.replace("\n\n", "\n \n").replace("\n\r\n", "\n \r\n")
    return text


def extract_sql(source: ExtractSource, mapping: dict[str, str], rows: str = "all") -> str:
    """SELECT over the extracts of `source`: provenance, the `schema.PATENTS` fields,
    `_file` (index of the row's file in `source.files`), and `_status` ('ok' | 'bad' |
    'blank'), `_reason` and `_excerpt` (set for bad rows only). `rows`: 'all', or only
    the 'ok' rows, or only the rows that are 'not_ok' (bad or blank); the filter sits on
    the scan, so reading the ok rows costs the fields alone and reading the others costs
    the test of two columns (a 50M-row extract has few bad rows)."""
    headers = list(source.columns)
    texts = {field: _text_sql(quote_ident(header), source.columns[header])
             for field, header in mapping.items()}
    dates = {field: _date_sql(quote_ident(mapping[field]), source.columns[mapping[field]])
             for field in DATE_FIELDS if field in mapping}
    fields = [f"{dates.get(field, 'NULL::DATE')} AS {field}" if field in DATE_FIELDS
              else f"{texts.get(field, 'NULL::VARCHAR')} AS {field}" for field in FIELDS]
    # Whitespace-only cells count as empty, also in columns no field is read from: a row
    # with text only there is not blank, it goes to quarantine.
    every_cell = [_text_sql(quote_ident(h), t) for h, t in source.columns.items()]
    # Only a record without an application number can be blank: test the other cells there.
    blank = " AND ".join(f"{cell} IS NULL" for cell in every_cell) or "true"
    blank = f"({texts['application_number']} IS NULL AND {blank})"
    excerpt = ", ".join(
        f"CASE WHEN {cell} IS NOT NULL THEN {quote_literal(h + '=')} || "
        f"CAST({quote_ident(h)} AS VARCHAR) END"
        for cell, h in zip(every_cell, headers, strict=True)
    )
    not_ok = f"({texts['application_number']} IS NULL OR {dates['application_date']} IS NULL)"
    files = source.files
    if len(files) <= 1:
        file_sql = "0"
        relpath = quote_literal(files[0].relpath if files else "")
        sha256 = quote_literal(files[0].sha256 if files else "")
    else:
        file_sql = source.file_index_sql()
        relpath = f"[{', '.join(quote_literal(f.relpath) for f in files)}][_file + 1]"
        sha256 = f"[{', '.join(quote_literal(f.sha256) for f in files)}][_file + 1]"
    where = {"all": "", "ok": f"WHERE NOT {not_ok}", "not_ok": f"WHERE {not_ok}"}[rows]
    return f"""
    WITH fields AS (
        SELECT
            CAST({file_sql} AS INTEGER) AS _file,
            '' AS sheet,
            __row + 2 AS source_row,
            NULL::BIGINT AS source_col,
            {', '.join(fields)},
            CASE WHEN {not_ok} THEN {texts['application_date']} END AS _date_text,
            CASE WHEN {not_ok} THEN {blank} ELSE false END AS _blank,
            CASE WHEN {not_ok} AND NOT ({blank})
                 THEN left(concat_ws(' | ', {excerpt}), {_EXCERPT}) END AS _row_excerpt
        FROM {source.scan}
        {where}
    )
    SELECT
        {relpath} AS source_file, {sha256} AS source_sha256,
        * EXCLUDE (_date_text, _blank, _row_excerpt, _reason),
        CASE WHEN _blank THEN 'blank' WHEN _reason <> '' THEN 'bad' ELSE 'ok' END AS _status,
        nullif(_reason, '') AS _reason,
        CASE WHEN _reason <> '' AND NOT _blank THEN _row_excerpt END AS _excerpt
    FROM (
        SELECT *,
            CASE WHEN application_number IS NULL OR application_date IS NULL
            THEN concat_ws('; ',
                CASE WHEN application_number IS NULL THEN 'empty application number' END,
                CASE WHEN _date_text IS NULL THEN 'missing application date'
                     WHEN application_date IS NULL
                     THEN 'unparseable application date: ''' || _date_text || '''' END)
            ELSE '' END AS _reason
        FROM fields
    )
    """


def _text_sql(column: str, dtype: str) -> str:
    """Trimmed text with empty cells as NULL; typed Parquet dates print as 2010-01-05."""
    if dtype.startswith("TIMESTAMP"):
        column = f"strftime({column}, '%Y-%m-%d')"
    return f"nullif(trim(CAST({column} AS VARCHAR)), '')"


def _date_sql(column: str, dtype: str) -> str:
    if dtype == "DATE":
        return column
    if dtype.startswith("TIMESTAMP"):
        return f"CAST({column} AS DATE)"
    return parse_date_sql(_text_sql(column, dtype))


def checked_mapping(file: LandingFile, source: ExtractSource) -> dict[str, str]:
    """map_columns of the extract's headers; IngestError when a required column is missing."""
    headers = list(source.columns)
    mapping = map_columns(headers)
    missing = [c for c in REQUIRED if c not in mapping]
    if missing:
        raise IngestError(
            f"{file.relpath}: missing required column(s) {', '.join(missing)} "
            f"(headers found: {', '.join(map(str, headers))})"
        )
    return mapping


def read_patents(file: LandingFile) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Read one extract into (rows with columns `schema.PATENTS`, quarantine with
    `schema.QUARANTINE`) as pandas frames, for validation and tests; the warehouse load
    (`patent_load.load_patent_files`) runs the same query without leaving DuckDB.
    Raises IngestError naming the file when it cannot be read or lacks a required column
    (application number, application date, IPC codes)."""
    con = duckdb.connect()
    try:
        with open_extract(file, con) as source:
            sql = extract_sql(source, checked_mapping(file, source))
            con.execute(f"CREATE TEMP TABLE extract AS {sql}")
    except duckdb.Error as exc:
        raise IngestError(f"{file.relpath}: cannot read patent extract "
                          f"({type(exc).__name__}: {_first_line(exc)})") from exc
    values = _frame(con, f"SELECT {', '.join(schema.PATENTS)} FROM extract "
                         "WHERE _status = 'ok' ORDER BY source_row")
    quarantine = _frame(con, f"""
        SELECT source_file, source_sha256, sheet, source_row, source_col,
               {quote_literal(TARGET_TABLE)} AS target_table, _excerpt AS value_text,
               _reason AS reason
        FROM extract WHERE _status = 'bad' ORDER BY source_row""")
    con.close()
    return values, quarantine


def count_patents(file: LandingFile) -> tuple[int, int]:
    """(rows read, rows quarantined) of one extract, without fetching its rows."""
    con = duckdb.connect()
    try:
        with open_extract(file, con) as source:
            sql = extract_sql(source, checked_mapping(file, source))
            ok, bad = con.execute(
                f"SELECT count(*) FILTER (_status = 'ok'), count(*) FILTER (_status = 'bad') "
                f"FROM ({sql})").fetchone()
    except duckdb.Error as exc:
        raise IngestError(f"{file.relpath}: cannot read patent extract "
                          f"({type(exc).__name__}: {_first_line(exc)})") from exc
    finally:
        con.close()
    return int(ok), int(bad)


def _frame(con: duckdb.DuckDBPyConnection, sql: str) -> pd.DataFrame:
    # Through Arrow so DATE columns arrive as datetime.date objects (None when missing).
    return con.sql(sql).to_arrow_table().to_pandas()

