"""Patent-database extracts (.csv or .parquet, one row per patent) -> raw patent rows.

Exports from CNIPA, incoPat, Himmpat and the like name the same fields differently and in
Chinese or English; columns are mapped by header name (never by position) to the
canonical names of `schema.PATENTS`. Rows without an application number or with an
application date that cannot be read go to quarantine with the reason.
"""

from __future__ import annotations

import re
import unicodedata

import numpy as np
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
    "申请人": "applicant",
    "申请(专利权)人": "applicant",
    "专利权人": "applicant",
    "applicant": "applicant",
    "Applicants": "applicant",
    "申请人地址": "applicant_address",
    "地址": "applicant_address",
    "address": "applicant_address",
    "applicant_address": "applicant_address",
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
_EXCERPT = 200

# 2010-01-05, 2010/1/5, 2010.01.05, 2010年1月5日, optionally followed by a time of day.
_DATE_SEPARATED = r"^(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?(?:[ T].*)?$"
_DATE_COMPACT = r"^(\d{4})(\d{2})(\d{2})$"


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


def read_patents(file: LandingFile) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Read one extract into (rows with columns `schema.PATENTS`, quarantine with
    `schema.QUARANTINE`). Raises IngestError naming the file when it cannot be read or
    lacks a required column (application number, application date, IPC codes)."""
    raw = _load(file).reset_index(drop=True)  # a parquet file may carry its own index
    mapping = map_columns(list(raw.columns))
    missing = [c for c in REQUIRED if c not in mapping]
    if missing:
        raise IngestError(
            f"{file.relpath}: missing required column(s) {', '.join(missing)} "
            f"(headers found: {', '.join(map(str, raw.columns))})"
        )

    texts = {c: _text(raw[h]) for c, h in mapping.items()}
    # Blank lines carry nothing; dropping them here keeps row numbers (taken before the
    # drop) pointing at the right record.
    row_numbers = pd.Series(np.arange(len(raw), dtype="int64") + 2, index=raw.index)
    blank = pd.concat([t.isna() for t in texts.values()], axis=1).all(axis=1)
    if blank.any():
        # A row with text only in unmapped columns is not blank: it goes to quarantine.
        candidates = raw[blank].to_dict("index")
        blank[blank] = [not any(_present(v) for v in row.values()) for row in candidates.values()]

    app_no = texts["application_number"]
    app_date = _parse_dates(raw[mapping["application_date"]])
    no_number = app_no.isna()
    no_date = texts["application_date"].isna()
    bad_date = app_date.isna() & ~no_date
    bad = (no_number | no_date | bad_date) & ~blank

    frame = pd.DataFrame({
        "source_file": file.relpath,
        "source_sha256": file.sha256,
        "sheet": "",
        "source_row": row_numbers,
        "source_col": pd.array([pd.NA] * len(raw), dtype="Int64"),
    }, index=raw.index)
    for field in FIELDS:
        if field == "application_date":
            frame[field] = app_date
        elif field == "publication_date":
            frame[field] = (
                _parse_dates(raw[mapping[field]]) if field in mapping
                else pd.Series(pd.NaT, index=raw.index, dtype="datetime64[us]")
            )
        else:
            frame[field] = texts.get(field, pd.Series(None, index=raw.index, dtype="str"))

    values = frame[~bad & ~blank].reset_index(drop=True)
    for field in ("application_date", "publication_date"):
        values[field] = _as_date_objects(values[field])
    quarantine = _quarantine(
        file, raw[bad], row_numbers[bad], texts["application_date"][bad],
        no_number[bad], no_date[bad], bad_date[bad],
    )
    return values[schema.PATENTS], quarantine


def _load(file: LandingFile) -> pd.DataFrame:
    suffix = file.path.suffix.lower()
    if not file.path.exists() or file.path.stat().st_size == 0:
        raise IngestError(f"{file.relpath}: empty file")
    try:
        if suffix == ".parquet":
            return pd.read_parquet(file.path)
        if suffix == ".csv":
            return _read_csv(file)
    except IngestError:
        raise
    except pd.errors.EmptyDataError as exc:
        raise IngestError(f"{file.relpath}: empty file (no header row)") from exc
    except Exception as exc:  # parsers raise many types for damaged files
        raise IngestError(
            f"{file.relpath}: cannot read patent extract ({type(exc).__name__}: {exc})"
        ) from exc
    raise IngestError(f"{file.relpath}: unsupported patent extract type {suffix!r}")


def _read_csv(file: LandingFile) -> pd.DataFrame:
    for encoding in TEXT_ENCODINGS:
        try:
            # Everything as text: application numbers and IPC codes are identifiers, and
            # pandas' NA sniffing would turn a literal "NA" applicant into NULL.
            return pd.read_csv(
                file.path, dtype=str, keep_default_na=False, skip_blank_lines=False,
                encoding=encoding,
            )
        except UnicodeDecodeError:
            continue
    raise IngestError(f"{file.relpath}: not readable as {' or '.join(TEXT_ENCODINGS)} text")


def _present(value: object) -> bool:
    return not (value is None or (isinstance(value, float) and np.isnan(value))
                or str(value).strip() == "")


def _text(column: pd.Series) -> pd.Series:
    """Trimmed text with empty cells as missing."""
    if pd.api.types.is_datetime64_any_dtype(column):
        column = column.dt.strftime("%Y-%m-%d")
    text = column.astype("str").str.strip()
    return text.mask(text == "")


def _parse_dates(column: pd.Series) -> pd.Series:
    """Dates as datetime64 (midnight); NaT where the cell is empty or not a valid date."""
    if pd.api.types.is_datetime64_any_dtype(column):
        if getattr(column.dt, "tz", None) is not None:
            column = column.dt.tz_localize(None)
        return column.dt.normalize().astype("datetime64[us]")
    text = _text(column.map(_date_to_text) if column.dtype == object else column)
    # An extract has a few thousand distinct dates over its rows: parse each once.
    codes, uniques = pd.factorize(text)
    distinct = pd.Series(uniques, dtype="str")
    parts = distinct.str.extract(_DATE_SEPARATED).fillna(distinct.str.extract(_DATE_COMPACT))
    ymd = parts.set_axis(["year", "month", "day"], axis=1).astype("float64")
    # errors="coerce" turns impossible dates (2010-02-30, month 13) into NaT.
    parsed = pd.to_datetime(ymd, errors="coerce").astype("datetime64[us]").to_numpy()
    dates = np.where(codes >= 0, parsed[np.maximum(codes, 0)], np.datetime64("NaT"))
    return pd.Series(dates, index=column.index, dtype="datetime64[us]")


def _date_to_text(value: object) -> object:
    # Parquet date32 columns arrive as datetime.date objects.
    return value.isoformat() if hasattr(value, "isoformat") else value


def _as_date_objects(column: pd.Series) -> pd.Series:
    dates = column.dt.date.astype(object)
    return dates.where(column.notna(), None)


def _quarantine(
    file: LandingFile,
    rows: pd.DataFrame,
    row_numbers: pd.Series,
    date_text: pd.Series,
    no_number: pd.Series,
    no_date: pd.Series,
    bad_date: pd.Series,
) -> pd.DataFrame:
    """One quarantine row per rejected record; only the (few) bad rows reach this loop."""
    reasons = []
    for number_missing, date_missing, date_bad, date in zip(
        no_number, no_date, bad_date, date_text, strict=True
    ):
        parts = ["empty application number"] if number_missing else []
        if date_missing:
            parts.append("missing application date")
        elif date_bad:
            parts.append(f"unparseable application date: {date!r}")
        reasons.append("; ".join(parts))
    excerpts = [
        " | ".join(f"{k}={v}" for k, v in rec.items() if pd.notna(v) and str(v).strip())
        [:_EXCERPT]
        for rec in rows.to_dict("records")
    ]
    return pd.DataFrame({
        "source_file": file.relpath,
        "source_sha256": file.sha256,
        "sheet": "",
        "source_row": pd.array(row_numbers.to_numpy(), dtype="Int64"),
        "source_col": pd.array([pd.NA] * len(rows), dtype="Int64"),
        "target_table": TARGET_TABLE,
        "value_text": excerpts,
        "reason": reasons,
    }, columns=schema.QUARANTINE)
