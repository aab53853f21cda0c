"""Column contracts of the `raw` and `quality` tables the readers produce.

The readers return pandas frames with exactly these columns, in this order; the
Dagster raw assets write them to DuckDB unchanged, and the dbt sources
(`dbt_project/models/staging/*/_*__sources.yml`) document the same columns.
"""

from __future__ import annotations

# Provenance carried by every raw row: which file (path relative to the landing
# zone), its sha256, and where in it the value was read.
PROVENANCE = ["source_file", "source_sha256", "sheet", "source_row", "source_col"]

# raw.city_yearbook_values — one row per printed cell (region x indicator x scope).
CITY_YEARBOOK_VALUES = [
    *PROVENANCE,
    "year",            # INTEGER: the year the data refer to (from the table title)
    "region_name",     # VARCHAR: region as printed down the side, e.g. 石家庄市
    "indicator_name",  # VARCHAR: header text without the unit, e.g. 地区生产总值
    "unit",            # VARCHAR: unit printed in the header, e.g. 万元
    "scope",           # VARCHAR: 全市 (whole city) or 市辖区 (city proper)
    "value_text",      # VARCHAR: the cell as printed
    "value",           # DOUBLE: parsed number (NULL when the cell is a missing marker)
]

# raw.yearbook_long_values — long exports (region, year, indicator, value, unit); the
# export's own indicator code (e.g. techme's `variables`) is kept as indicator_key.
YEARBOOK_LONG_VALUES = [*CITY_YEARBOOK_VALUES, "indicator_key"]

# Added to both yearbook tables on ingest: the region and indicator the printed names mean,
# and the value in the catalogue's canonical unit (orchestration.ingest.normalize).
NORMALIZED = [
    "region_code", "region_level", "region_match",
    "indicator_code", "canonical_unit", "value_canonical", "source_preference",
]

# raw.patents — one row per patent record of an extract.
PATENTS = [
    *PROVENANCE,
    "application_number",  # VARCHAR
    "application_date",    # DATE
    "publication_date",    # DATE (NULL when the extract has none)
    "patent_type",         # VARCHAR: 发明 / 实用新型 / 外观设计 as printed
    "title",               # VARCHAR
    "applicant",           # VARCHAR
    "applicant_address",   # VARCHAR
    "applicant_region_code",  # VARCHAR: applicant's division code as printed (NULL if none)
    "main_ipc",            # VARCHAR: main IPC code as printed
    "ipc_codes",           # VARCHAR: all IPC codes as printed, one text field
    "abstract",            # VARCHAR (NULL when the extract has none)
]

# Added by the load (orchestration.ingest.patent_load): a BIGINT surrogate key of the
# patent record within this build.
PATENT_KEY = "patent_key"

# raw.ipc_pieces — the piece dictionary (written by orchestration.ingest.ipc): one row per
# distinct piece of text of the patents' IPC fields (split on ';') and main IPCs.
IPC_PIECES = [
    "piece",             # VARCHAR: the text as printed
    "ipc_code_ids",      # BIGINT[]: raw.ipc_codes.ipc_code_id of its codes, printed order
    "main_ipc_code_id",  # BIGINT: the code a main IPC printed so means (its first code)
    "unparseable",       # STRUCT(piece, reason)[]: what in it does not parse, and why
]

# raw.ipc_codes — every distinct canonical IPC code of the extracts, parsed.
IPC_CODES = [
    "ipc_code_id",  # BIGINT: from the code's parts alone (ipc.CODE_KEY_SQL), same in every build
    "ipc_code",     # VARCHAR: canonical 'G06F 17/30'
    "section",      # VARCHAR: 'G'
    "class",        # VARCHAR: 'G06'
    "subclass",     # VARCHAR: 'G06F'
    "main_group",   # INTEGER: 17
    "subgroup",     # VARCHAR: '30' (at least 2 digits, trailing zeros beyond 2 stripped)
]

# quality.quarantine — what could not be read, with the reason; nothing is dropped silently.
QUARANTINE = [
    *PROVENANCE,
    "target_table",  # VARCHAR: raw table the value was meant for
    "value_text",    # VARCHAR: the offending text (cell or row excerpt)
    "reason",        # VARCHAR: why it was quarantined
]

# Row and column are integers, as in raw (source_row BIGINT), so a quarantined value joins
# its file's raw rows without a cast; the rest is text.
QUARANTINE_TYPES = {c: "BIGINT" if c in ("source_row", "source_col") else "VARCHAR"
                    for c in QUARANTINE}

QUARANTINE_DDL = (
    "CREATE TABLE IF NOT EXISTS quality.quarantine ("
    + ", ".join(f"{c} {t}" for c, t in QUARANTINE_TYPES.items())
    + ", loaded_at TIMESTAMP)"
)


def table_exists(con, relation: str) -> bool:
    """Whether `schema.table` exists in the connection's database."""
    schema_name, table = relation.split(".")
    return con.execute("SELECT count(*) FROM information_schema.tables WHERE table_schema = ? "
                       "AND table_name = ?", [schema_name, table]).fetchone()[0] > 0


def ensure_quarantine(con) -> None:
    """Create quality.quarantine, or migrate one written by an older version (every column
    VARCHAR) in place: its row and column numbers become BIGINT (TRY_CAST: they were
    written from integers), the rows stay."""
    con.execute("CREATE SCHEMA IF NOT EXISTS quality")
    con.execute(QUARANTINE_DDL)
    types = dict(con.execute(
        "SELECT column_name, data_type FROM information_schema.columns "
        "WHERE table_schema = 'quality' AND table_name = 'quarantine'").fetchall())
    for column, wanted in QUARANTINE_TYPES.items():
        if column in types and types[column] != wanted:
            con.execute(f"ALTER TABLE quality.quarantine ALTER COLUMN {column} "
                        f"SET DATA TYPE {wanted} USING TRY_CAST({column} AS {wanted})")
