"""IPC codes as printed -> canonical codes and their parts, set-based in DuckDB.

Spellings found in patent extracts, all meaning the canonical `G06F 17/30`:
`G06F 17/30`, `G06F17/30`, `g06f 17/30`, `G06F 17/30 (2006.01)` (edition suffix),
`G06F0017300000` (EPO/DOCDB compact: subclass, 4-digit main group, 6-digit subgroup
left-aligned), `Ｇ０６Ｆ１７／３０` (full width). A field lists several codes separated by
`;` `,` `，` `；` or, where nothing else separates them, whitespace (`G06F17/30 H04L29/08`;
whitespace inside one code, as in `G06F 17/30`, is not a separator).

Canonical form: subclass, a space, the main group without leading zeros, `/`, the subgroup
with at least two digits and no trailing zeros beyond two (IPC subgroups read as decimals:
/30 = /300000, /301 follows /30). A one-digit subgroup (`G06F 17/3`) is ambiguous (/03 or
/30?) and not parsed.

Scale: a national extract has ~125M code assignments but only ~10^5 distinct pieces of
text. Each distinct piece is normalized once (`normalize_pieces_sql`) and the result joined
back to the patents by exact text. A piece that does not parse goes to quality.quarantine
with the application number; the patent's other codes still count.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime

import duckdb

from orchestration.ingest import schema
from orchestration.ingest.patents import quote_literal

TARGET_TABLE = "raw.patent_ipc_codes"
CODES_TABLE = "raw.ipc_codes"

# Full-width ASCII (U+FF01..U+FF5E), the ideographic space and the no-break space, folded to
# ASCII: what NFKC does for these characters (DuckDB's nfc_normalize does not fold them).
_FULL_WIDTH = "".join(chr(0xFF01 + i) for i in range(94)) + "\u3000\u00a0"
_ASCII = "".join(chr(0x21 + i) for i in range(94)) + "  "

# Separators between codes. A separator with spaces around it ('; ') is split as one, so
# the pieces of a field come out trimmed and `G06F 17/30;H04L 29/08` and
# `G06F 17/30; H04L 29/08` give the same pieces.
_SEPARATORS = ";,，；"
# One code, as the tokenizer sees it (after folding and upper-casing): a section letter (any,
# checked after), 2 digits, a subclass letter, then the compact DOCDB group or a
# main group '/' subgroup with optional spaces.
_CODE = r"[A-Z][0-9]{2}[A-Z](?:[0-9]{10}|\s*[0-9]{1,4}\s*/\s*[0-9]{1,6})"
_EDITION = r"\(\s*[0-9]{4}\s*\.\s*[0-9]{1,2}\s*\)"
_CODES_ONLY = r"(?:" + _CODE + r"\s*)+"
_SPLIT = r"\s*[" + _SEPARATORS + r"]\s*"


def split_sql(field: str) -> str:
    """SQL: the pieces of an IPC field (a VARCHAR[]), in printed order. The plain
    `string_split` on ';' is the common case; the regex split only runs on fields that
    hold another separator or spaces around one."""
    tests = " OR ".join(f"contains({field}, {quote_literal(s)})"
                        for s in [",", "，", "；", "; ", " ;"])
    return (f"(CASE WHEN {tests} THEN string_split_regex({field}, "
            f"{quote_literal(_SPLIT)}) "
            f"ELSE string_split({field}, ';') END)")


def normalize_pieces_sql(pieces: str) -> str:
    """SQL over a table/subquery with a VARCHAR column `piece` (distinct pieces): one row per
    code found in a piece — piece, sub_index (1-based within the piece), ipc_code, section,
    class, subclass, main_group, subgroup — or one row with `error` set when the piece (or
    a code in it) does not parse. Pieces that are empty after cleaning give no row."""
    code = quote_literal(_CODE)
    return f"""
    WITH cleaned AS (
        SELECT piece,
               trim(regexp_replace(
                   upper(translate(piece, {quote_literal(_FULL_WIDTH)}, {quote_literal(_ASCII)})),
                   {quote_literal(_EDITION)}, ' ', 'g')) AS text
        FROM {pieces}
    ),
    tokenized AS (
        SELECT piece, text,
               CASE WHEN regexp_full_match(text, {quote_literal(_CODES_ONLY)})
                    THEN regexp_extract_all(text, {code}) END AS codes
        FROM cleaned
        WHERE text <> ''
    ),
    codes AS (
        SELECT piece, CAST(sub_index AS INTEGER) AS sub_index,
               regexp_replace(token, '\\s', '', 'g') AS token
        FROM (SELECT piece, unnest(codes) AS token, generate_subscripts(codes, 1) AS sub_index
              FROM tokenized WHERE codes IS NOT NULL)
    ),
    parts AS (
        SELECT piece, sub_index, token,
               token[1] AS section,
               token[1:3] AS class,
               token[1:4] AS subclass,
               CASE WHEN contains(token, '/') THEN split_part(token[5:], '/', 1)
                    ELSE token[5:8] END AS main_digits,
               CASE WHEN contains(token, '/') THEN split_part(token, '/', 2)
                    ELSE token[9:14] END AS sub_digits
        FROM codes
    ),
    checked AS (
        SELECT piece, sub_index, section, class, subclass,
               CAST(main_digits AS INTEGER) AS main_group,
               regexp_replace(sub_digits, '^([0-9]{{2}}[0-9]*?)0*$', '\\1') AS subgroup,
               CASE
                   WHEN section NOT BETWEEN 'A' AND 'H'
                       THEN 'unknown IPC section ''' || section || ''' (A-H)'
                   WHEN CAST(main_digits AS INTEGER) = 0 THEN 'main group 0'
                   WHEN length(sub_digits) < 2
                       THEN 'one-digit subgroup ''/' || sub_digits
                            || ''' is ambiguous (/0' || sub_digits || ' or /' || sub_digits
                            || '0?)'
               END AS error
        FROM parts
    )
    SELECT piece, sub_index,
           CASE WHEN error IS NULL
                THEN subclass || ' ' || CAST(main_group AS VARCHAR) || '/' || subgroup
           END AS ipc_code,
           CASE WHEN error IS NULL THEN section END AS section,
           CASE WHEN error IS NULL THEN class END AS class,
           CASE WHEN error IS NULL THEN subclass END AS subclass,
           CASE WHEN error IS NULL THEN main_group END AS main_group,
           CASE WHEN error IS NULL THEN subgroup END AS subgroup,
           error
    FROM checked
    UNION ALL
    SELECT piece, 1 AS sub_index, NULL, NULL, NULL, NULL, NULL, NULL,
           CASE
               WHEN regexp_full_match(text, '[A-Z][0-9]{{2}}[A-Z]')
                   THEN 'subclass only, no main group / subgroup'
               WHEN regexp_full_match(text, '[A-Z][0-9]{{2}}[A-Z]\\s*[0-9]{{1,4}}')
                   THEN 'main group without subgroup'
               ELSE 'not an IPC code (expected e.g. G06F 17/30)'
           END AS error
    FROM tokenized
    WHERE codes IS NULL
    """


def normalize_ipc_codes(con: duckdb.DuckDBPyConnection, spellings: list[str]) -> list[dict]:
    """Normalize IPC fields given as text (each split like a patent's IPC field): one dict
    per code or unparseable piece, in input order, with keys spelling, position, sub_index,
    ipc_code, section, class, subclass, main_group, subgroup, error."""
    con.execute("CREATE OR REPLACE TEMP TABLE _ipc_input (ord INTEGER, spelling VARCHAR)")
    con.executemany("INSERT INTO _ipc_input VALUES (?, ?)", list(enumerate(spellings)))
    rows = con.execute(f"""
        WITH pieces AS (
            SELECT ord, spelling, unnest(l) AS piece, generate_subscripts(l, 1) AS position
            FROM (SELECT ord, spelling, {split_sql('trim(spelling)')} AS l FROM _ipc_input)
        ),
        normalized AS (
            {normalize_pieces_sql('(SELECT DISTINCT piece FROM pieces)')}
        )
        SELECT p.spelling, CAST(p.position AS INTEGER) AS position, n.* EXCLUDE (piece)
        FROM pieces p JOIN normalized n USING (piece)
        ORDER BY p.ord, p.position, n.sub_index""")
    names = [d[0] for d in rows.description]
    result = [dict(zip(names, r, strict=True)) for r in rows.fetchall()]
    con.execute("DROP TABLE _ipc_input")
    return result


def normalize_ipc(con: duckdb.DuckDBPyConnection, loaded_at: datetime | None = None) -> dict:
    """From raw.patents, write raw.ipc_codes (the distinct canonical codes with their parts),
    raw.patent_ipc_codes (one row per patent x distinct code: `schema.PATENT_IPC_CODES`)
    and the quarantine rows of raw.patent_ipc_codes (pieces that do not parse, with the
    application number). Returns counts and the seconds taken."""
    started = time.perf_counter()
    loaded_at = loaded_at or datetime.now(UTC).replace(tzinfo=None)
    stamp = f"{quote_literal(loaded_at.isoformat(sep=' '))}::TIMESTAMP"
    split = split_sql("ipc_codes")

    # 1. Every distinct piece (and main IPC) once: ~10^5 rows however large the extract.
    con.execute(f"""
        CREATE OR REPLACE TEMP TABLE _ipc_pieces AS
        SELECT DISTINCT unnest({split}) AS piece FROM raw.patents""")
    # The main IPC is one code; printed like the codes of the field (its first piece counts).
    con.execute(f"""
        CREATE OR REPLACE TEMP TABLE _ipc_main_pieces AS
        SELECT main_ipc, {split_sql('main_ipc')}[1] AS piece
        FROM (SELECT DISTINCT main_ipc FROM raw.patents WHERE main_ipc IS NOT NULL)""")
    con.execute(f"""
        CREATE OR REPLACE TEMP TABLE _ipc_normalized AS
        {normalize_pieces_sql('(SELECT piece FROM _ipc_pieces UNION '
                              'SELECT piece FROM _ipc_main_pieces)')}""")
    con.execute(f"""
        CREATE OR REPLACE TABLE {CODES_TABLE} AS
        SELECT CAST(row_number() OVER (ORDER BY ipc_code) AS INTEGER) AS ipc_code_id,
               ipc_code, section, class, subclass, main_group, subgroup
        FROM (SELECT DISTINCT ipc_code, section, class, subclass, main_group, subgroup
              FROM _ipc_normalized WHERE error IS NULL)""")
    # A code needs the per-patent duplicate check when two pieces spell it (a patent may
    # print both) or a whitespace-separated piece holds it; every other code can repeat
    # within a patent only as the same piece twice, which the field itself shows.
    con.execute(f"""
        CREATE OR REPLACE TEMP TABLE _ipc_piece_codes AS
        WITH valid AS (
            SELECT n.piece, n.sub_index, c.ipc_code_id,
                   max(n.sub_index) OVER (PARTITION BY n.piece) > 1 AS multi
            FROM _ipc_normalized n JOIN {CODES_TABLE} c USING (ipc_code)
            WHERE n.error IS NULL
        )
        SELECT piece, sub_index, ipc_code_id,
               count(*) OVER (PARTITION BY ipc_code_id) > 1
               OR bool_or(multi) OVER (PARTITION BY ipc_code_id) AS needs_check
        FROM valid""")
    con.execute("""
        CREATE OR REPLACE TEMP TABLE _ipc_main AS
        SELECT m.main_ipc, c.ipc_code_id
        FROM _ipc_main_pieces m JOIN _ipc_piece_codes c USING (piece)
        WHERE c.sub_index = 1""")

    # 2. Join back by exact text, in one pass. Rows that cannot repeat a code are final;
    # the few that can are then reduced to the first position of each code per patent.
    con.execute(f"""
        CREATE OR REPLACE TABLE {TARGET_TABLE} AS
        SELECT e.patent_key, CAST(e.ipc_position AS INTEGER) AS ipc_position,
               coalesce(c.ipc_code_id = e.main_code_id, false) AS is_main_ipc,
               c.ipc_code_id, c.sub_index AS _sub_index,
               e.repeats OR c.needs_check AS _check_duplicates
        FROM (
            SELECT patent_key, main_code_id, list_unique(pieces) < len(pieces) AS repeats,
                   unnest(pieces) AS piece, generate_subscripts(pieces, 1) AS ipc_position
            FROM (
                SELECT p.patent_key, m.ipc_code_id AS main_code_id, {split} AS pieces
                FROM raw.patents p LEFT JOIN _ipc_main m ON m.main_ipc = p.main_ipc
                WHERE p.ipc_codes IS NOT NULL
            )
        ) e
        JOIN _ipc_piece_codes c ON c.piece = e.piece""")
    con.execute(f"""
        DELETE FROM {TARGET_TABLE} WHERE _check_duplicates AND rowid NOT IN (
            SELECT rowid FROM {TARGET_TABLE} WHERE _check_duplicates
            QUALIFY row_number() OVER (PARTITION BY patent_key, ipc_code_id
                                       ORDER BY ipc_position, _sub_index) = 1)""")
    con.execute(f"ALTER TABLE {TARGET_TABLE} DROP COLUMN _check_duplicates")
    con.execute(f"ALTER TABLE {TARGET_TABLE} DROP COLUMN _sub_index")

    # 3. Unparseable pieces, with the application number, to quarantine.
    con.execute(schema.QUARANTINE_DDL)
    con.execute("DELETE FROM quality.quarantine WHERE target_table = ?", [TARGET_TABLE])
    errors = con.execute("SELECT count(*) FROM _ipc_normalized JOIN _ipc_pieces USING (piece) "
                         "WHERE error IS NOT NULL").fetchone()[0]
    # A patent without any code (empty field, or separators only) is reported too: it
    # drops out of every IPC-based count.
    con.execute(f"""
        INSERT INTO quality.quarantine BY NAME
        SELECT source_file, source_sha256, sheet,
               CAST(source_row AS VARCHAR) AS source_row,
               CAST(source_col AS VARCHAR) AS source_col,
               {quote_literal(TARGET_TABLE)} AS target_table,
               application_number || ': ' || coalesce(ipc_codes, '') AS value_text,
               'no IPC code' AS reason,
               {stamp} AS loaded_at
        FROM raw.patents
        WHERE ipc_codes IS NULL OR ltrim(ipc_codes, {quote_literal(' ' + _SEPARATORS)}) = ''""")
    if errors:
        con.execute(f"""
            INSERT INTO quality.quarantine BY NAME
            WITH bad AS (
                SELECT piece, string_agg(DISTINCT error, '; ') AS reason
                FROM _ipc_normalized WHERE error IS NOT NULL GROUP BY piece
            ),
            exploded AS (
                SELECT source_file, source_sha256, sheet, source_row, source_col,
                       application_number, unnest({split}) AS piece
                FROM raw.patents WHERE ipc_codes IS NOT NULL
            )
            SELECT e.source_file, e.source_sha256, e.sheet,
                   CAST(e.source_row AS VARCHAR) AS source_row,
                   CAST(e.source_col AS VARCHAR) AS source_col,
                   {quote_literal(TARGET_TABLE)} AS target_table,
                   e.application_number || ': ' || e.piece AS value_text,
                   'unparseable IPC code: ' || b.reason AS reason,
                   {stamp} AS loaded_at
            FROM exploded e JOIN bad b USING (piece)""")
    stats = con.execute(f"""
        SELECT (SELECT count(*) FROM {TARGET_TABLE}),
               (SELECT count(*) FROM _ipc_pieces),
               (SELECT count(*) FROM {CODES_TABLE}),
               (SELECT count(DISTINCT piece) FROM _ipc_normalized JOIN _ipc_pieces USING (piece)
                WHERE error IS NOT NULL),
               (SELECT count(*) FROM quality.quarantine WHERE target_table = ?)""",
                        [TARGET_TABLE]).fetchone()
    for table in ("_ipc_pieces", "_ipc_main_pieces", "_ipc_normalized", "_ipc_piece_codes",
                  "_ipc_main"):
        con.execute(f"DROP TABLE {table}")
    return {
        "rows": stats[0], "distinct_pieces": stats[1], "distinct_codes": stats[2],
        "unparseable_pieces": stats[3], "quarantined": stats[4],
        "seconds": round(time.perf_counter() - started, 3),
    }
