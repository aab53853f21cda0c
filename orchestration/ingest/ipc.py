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
back to the patents by exact text, in one pass that splits on ';' only and writes
raw.patent_ipc_codes directly (grouped per patent x code, integer columns). Only when
some field uses another separator do the fields go through the general split. A piece
that does not parse goes to quality.quarantine with the application number; the
patent's other codes still count.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime

import duckdb

from orchestration.ingest import schema
from orchestration.ingest.patents import quote_literal, unordered

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
    and the quarantine rows of raw.patent_ipc_codes (one per patent and piece that does not
    parse, with the application number; and one per patent without any code). Returns
    counts and the seconds taken."""
    started = time.perf_counter()
    loaded_at = loaded_at or datetime.now(UTC).replace(tzinfo=None)
    stamp = f"{quote_literal(loaded_at.isoformat(sep=' '))}::TIMESTAMP"
    with unordered(con):
        stats = _normalize(con, stamp)
    stats["seconds"] = round(time.perf_counter() - started, 3)
    return stats


def _normalize(con: duckdb.DuckDBPyConnection, stamp: str) -> dict:
    # 1. Every distinct piece (and main IPC) once: ~10^5 rows however large the extract.
    # The big pass splits on ';' only (what national extracts use). When a piece holds
    # another separator, the positions of the pieces after it depend on it, so the
    # fields are split again on every separator, as `split_sql` does.
    con.execute("""
        CREATE OR REPLACE TEMP TABLE _ipc_pieces AS
        SELECT DISTINCT unnest(string_split(ipc_codes, ';')) AS piece FROM raw.patents""")
    other = " OR ".join(f"contains(piece, {quote_literal(s)})" for s in _SEPARATORS if s != ";")
    if con.execute(f"SELECT count(*) FROM _ipc_pieces WHERE {other}").fetchone()[0]:
        split = split_sql("ipc_codes")
        con.execute(f"""
            CREATE OR REPLACE TEMP TABLE _ipc_pieces AS
            SELECT DISTINCT unnest({split}) AS piece FROM raw.patents""")
    else:
        split = "string_split(ipc_codes, ';')"
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
    # piece -> its codes; a piece that does not parse (or holds a code that does not)
    # maps to a negative id of its own, so the one pass below also finds the patents
    # that carry it; those rows are moved to quarantine after.
    con.execute(f"""
        CREATE OR REPLACE TEMP TABLE _ipc_piece_codes AS
        SELECT DISTINCT n.piece, c.ipc_code_id
        FROM _ipc_normalized n JOIN {CODES_TABLE} c USING (ipc_code)
        WHERE n.error IS NULL
        UNION ALL
        SELECT piece, -CAST(row_number() OVER () AS INTEGER) AS ipc_code_id
        FROM (SELECT DISTINCT piece FROM _ipc_normalized n SEMI JOIN _ipc_pieces USING (piece)
              WHERE error IS NOT NULL)""")
    con.execute("""
        CREATE OR REPLACE TEMP TABLE _ipc_main AS
        SELECT m.main_ipc, c.ipc_code_id
        FROM _ipc_main_pieces m JOIN _ipc_normalized n USING (piece)
        JOIN raw.ipc_codes c USING (ipc_code)
        WHERE n.sub_index = 1 AND n.error IS NULL""")

    # 2. Join back by exact text: a code printed twice in a field (two spellings, or a
    # whitespace list holding it) is kept once, at its first position. The patents go
    # in ranges of patent_key of ~2M patents: a hash aggregate over 125M groups at once
    # runs out of cache (and into GBs of memory), one over 5M stays fast.
    aggregates = """CAST(min(e.ipc_position) AS INTEGER) AS ipc_position,
               coalesce(bool_or(c.ipc_code_id = e.main_code_id), false) AS is_main_ipc"""
    packing = _packing(con)
    if packing is None:
        select = f"SELECT e.patent_key, {aggregates}, c.ipc_code_id"
        group, wrap = "e.patent_key, c.ipc_code_id", "{}"
    else:
        # (patent_key, ipc_code_id) packed into one BIGINT: a one-column hash aggregate
        # is ~30% faster than a two-column one
        bits, offset = packing
        select = f"SELECT e.patent_key << {bits} | (c.ipc_code_id + {offset}) AS _k, {aggregates}"
        group = "_k"
        wrap = (f"SELECT _k >> {bits} AS patent_key, ipc_position, is_main_ipc, "
                f"CAST((_k & {(1 << bits) - 1}) - {offset} AS INTEGER) AS ipc_code_id "
                "FROM ({})")
    con.execute(f"CREATE OR REPLACE TABLE {TARGET_TABLE} (patent_key BIGINT, "
                "ipc_position INTEGER, is_main_ipc BOOLEAN, ipc_code_id INTEGER)")
    for low, high in _key_ranges(con):
        grouped = f"""
            {select}
            FROM (
                SELECT patent_key, main_code_id,
                       unnest(pieces) AS piece, generate_subscripts(pieces, 1) AS ipc_position
                FROM (
                    SELECT p.patent_key, m.ipc_code_id AS main_code_id, {split} AS pieces
                    FROM raw.patents p LEFT JOIN _ipc_main m ON m.main_ipc = p.main_ipc
                    WHERE p.ipc_codes IS NOT NULL
                      AND p.patent_key BETWEEN {low} AND {high}
                )
            ) e JOIN _ipc_piece_codes c ON c.piece = e.piece
            GROUP BY {group}"""
        con.execute(f"INSERT INTO {TARGET_TABLE} {wrap.format(grouped)}")

    # 3. Unparseable pieces, with the application number, to quarantine.
    schema.ensure_quarantine(con)
    con.execute("DELETE FROM quality.quarantine WHERE target_table = ?", [TARGET_TABLE])
    # A patent without any code (empty field, or separators only) is reported too: it
    # drops out of every IPC-based count. Only a field that starts with a separator can
    # be one: the starts_with tests spare the ltrim on all the others.
    starts = " OR ".join(f"starts_with(ipc_codes, {quote_literal(s)})"
                         for s in " " + _SEPARATORS)
    con.execute(f"""
        INSERT INTO quality.quarantine BY NAME
        SELECT source_file, source_sha256, sheet,
               CAST(source_row AS BIGINT) AS source_row,
               CAST(source_col AS BIGINT) AS source_col,
               {quote_literal(TARGET_TABLE)} AS target_table,
               application_number || ': ' || coalesce(ipc_codes, '') AS value_text,
               'no IPC code' AS reason,
               {stamp} AS loaded_at
        FROM raw.patents
        WHERE ipc_codes IS NULL
           OR (({starts}) AND ltrim(ipc_codes, {quote_literal(' ' + _SEPARATORS)}) = '')""")
    errors = con.execute(f"SELECT count(*) FROM {TARGET_TABLE} "
                         "WHERE ipc_code_id < 0").fetchone()[0]
    if errors:
        # Only application_number and source_row vary within a file (patent_load writes
        # the file's provenance on each of its rows, patent_key >> 32 numbering the file):
        # the wide provenance columns are read for one row per file, so the 1% of
        # patents with a bad piece does not cost a scan of every text column.
        firsts = ", ".join(str(k) for (k,) in con.execute(
            f"SELECT min({schema.PATENT_KEY}) FROM raw.patents "
            f"GROUP BY {schema.PATENT_KEY} >> 32").fetchall())
        con.execute(f"""
            INSERT INTO quality.quarantine BY NAME
            WITH bad AS (
                SELECT c.ipc_code_id, trim(c.piece) AS piece,
                       string_agg(DISTINCT n.error, '; ') AS reason
                FROM _ipc_piece_codes c JOIN _ipc_normalized n USING (piece)
                WHERE c.ipc_code_id < 0 AND n.error IS NOT NULL GROUP BY ALL
            ),
            hits AS (SELECT patent_key, ipc_code_id FROM {TARGET_TABLE} WHERE ipc_code_id < 0),
            numbers AS (
                SELECT patent_key, application_number, source_row FROM raw.patents
                WHERE patent_key IN (SELECT patent_key FROM hits)
            ),
            files AS (
                SELECT patent_key >> 32 AS file, source_file, source_sha256, sheet, source_col
                FROM raw.patents WHERE patent_key IN ({firsts})
            )
            SELECT f.source_file, f.source_sha256, f.sheet,
                   CAST(n.source_row AS BIGINT) AS source_row,
                   CAST(f.source_col AS BIGINT) AS source_col,
                   {quote_literal(TARGET_TABLE)} AS target_table,
                   n.application_number || ': ' || b.piece AS value_text,
                   'unparseable IPC code: ' || b.reason AS reason,
                   {stamp} AS loaded_at
            FROM hits h JOIN bad b USING (ipc_code_id)
            JOIN numbers n USING (patent_key)
            JOIN files f ON f.file = h.patent_key >> 32""")
        con.execute(f"DELETE FROM {TARGET_TABLE} WHERE ipc_code_id < 0")
    stats = con.execute(f"""
        SELECT (SELECT count(*) FROM {TARGET_TABLE}),
               (SELECT count(*) FROM _ipc_pieces),
               (SELECT count(*) FROM {CODES_TABLE}),
               (SELECT count(DISTINCT trim(piece)) FROM _ipc_piece_codes WHERE ipc_code_id < 0),
               (SELECT count(*) FROM quality.quarantine WHERE target_table = ?)""",
                        [TARGET_TABLE]).fetchone()
    for table in ("_ipc_pieces", "_ipc_main_pieces", "_ipc_normalized", "_ipc_piece_codes",
                  "_ipc_main"):
        con.execute(f"DROP TABLE {table}")
    return {
        "rows": stats[0], "distinct_pieces": stats[1], "distinct_codes": stats[2],
        "unparseable_pieces": stats[3], "quarantined": stats[4],
    }


def _packing(con: duckdb.DuckDBPyConnection) -> tuple[int, int] | None:
    """(bits, offset) such that patent_key << bits | (ipc_code_id + offset) is a positive
    BIGINT that keeps both, or None when the keys are too large for that."""
    low, high, top = con.execute(
        "SELECT (SELECT min(ipc_code_id) FROM _ipc_piece_codes), "
        "(SELECT max(ipc_code_id) FROM _ipc_piece_codes), "
        f"(SELECT max({schema.PATENT_KEY}) FROM raw.patents)").fetchone()
    if low is None or top is None:
        return None
    offset = max(0, -low)
    bits = max(1, (high + offset).bit_length())
    if top < 0 or top.bit_length() + bits > 62:
        return None
    return bits, offset


_CHUNK = 1 << 21


def _key_ranges(con: duckdb.DuckDBPyConnection) -> list[tuple[int, int]]:
    """Ranges of raw.patents.patent_key (inclusive) of about _CHUNK patents each: whole
    files (key >> 32) merged while they fit, a larger file cut into equal key ranges."""
    ranges: list[tuple[int, int]] = []
    size = 0
    for low, high, rows in con.execute(f"""
            SELECT min({schema.PATENT_KEY}), max({schema.PATENT_KEY}), count(*)
            FROM raw.patents GROUP BY {schema.PATENT_KEY} >> 32 ORDER BY 1""").fetchall():
        if ranges and size + rows <= _CHUNK:
            ranges[-1] = (ranges[-1][0], high)
            size += rows
            continue
        parts = -(-rows // _CHUNK)
        step = -(-(high - low + 1) // parts)
        ranges += [(start, min(high, start + step - 1)) for start in range(low, high + 1, step)]
        size = rows if parts == 1 else _CHUNK
    return ranges
