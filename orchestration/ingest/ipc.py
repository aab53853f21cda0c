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
text. Each distinct piece is normalized once (`normalize_pieces_sql`) into the piece
dictionary raw.ipc_pieces (piece -> its canonical code keys); dbt looks every patent's
pieces up in it (int_patents_classified), and patent x code is a view that looks them up
when read (int_patent_ipc_codes), so no 10^8-row table is written. A piece that does not parse
goes to quality.quarantine with the application number; the patent's other codes still
count.
"""

from __future__ import annotations

import functools
import time
from datetime import UTC, datetime

import duckdb
import jinja2

from orchestration import paths
from orchestration.ingest import schema
from orchestration.ingest.patents import quote_literal, unordered

PIECES_TABLE = "raw.ipc_pieces"
CODES_TABLE = "raw.ipc_codes"

# The normalization SQL has one source for both engines: the Jinja macros of
# dbt_project/macros/ipc/ipc_normalize.sql (patterns, folding, tokenizer, canonical form, code
# key). The spark target's models call them through dbt; the ingest renders them here with
# plain Jinja, dialect 'duckdb', so the two builds cannot drift apart.
IPC_MACROS = paths.DBT_PROJECT_DIR / "macros" / "ipc" / "ipc_normalize.sql"


@functools.cache
def _macros():
    env = jinja2.Environment(extensions=["jinja2.ext.do"], autoescape=False)
    return env.from_string(IPC_MACROS.read_text(encoding="utf-8")).module


def render_macro(macro: str, *args: str) -> str:
    """A macro of ipc_normalize.sql rendered without dbt, e.g.
    render_macro("ipc_normalize_pieces_sql", "pieces", "spark")."""
    return str(getattr(_macros(), macro)(*args)).strip()


# Separators between codes (a separator with spaces around it, '; ', is split as one, so the
# pieces of a field come out trimmed and `G06F 17/30;H04L 29/08` and `G06F 17/30; H04L 29/08`
# give the same pieces), and the pattern that splits on them.
_SEPARATORS = render_macro("ipc_separators")
_SPLIT = render_macro("ipc_split_pattern")


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
    return render_macro("ipc_normalize_pieces_sql", pieces, "duckdb")


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


def normalize_ipc(con: duckdb.DuckDBPyConnection, loaded_at: datetime | None = None,
                  new_from_key: int | None = None) -> dict:
    """From raw.patents, write the piece dictionary raw.ipc_pieces (`schema.IPC_PIECES`: each
    distinct piece of text of the IPC fields and main IPCs, with the canonical codes it
    holds), raw.ipc_codes (the distinct canonical codes with their parts) and the quarantine
    rows of raw.ipc_pieces (one per patent and piece that does not parse, with the
    application number; and one per patent without any code). Returns counts and the
    seconds taken. Each patent's codes are looked up in the dictionary by dbt
    (int_patents_classified), once per patent, so no patent x code table is written.

    `new_from_key`: the records of raw.patents with patent_key >= it were appended since the
    last normalization (patent_load's `appended_from_key`) and nothing else changed: only
    their pieces that the dictionary lacks are normalized and added, and only their
    quarantine rows written. The tables then equal a full normalization's: an entry depends
    on its text alone, and a code's key on the code alone."""
    started = time.perf_counter()
    loaded_at = loaded_at or datetime.now(UTC).replace(tzinfo=None)
    stamp = f"{quote_literal(loaded_at.isoformat(sep=' '))}::TIMESTAMP"
    if not schema.table_exists(con, PIECES_TABLE):
        new_from_key = None
    with unordered(con):
        stats = _normalize(con, stamp, new_from_key)
    stats["seconds"] = round(time.perf_counter() - started, 3)
    return stats


# A code's key, from its parts alone: section (0-7), class number, subclass letter, main
# group and subgroup (6 digits, as the decimal it is: /3 = /300000) side by side in decimal,
# G06F 17/30 -> 15761 0017 300000. The same code has the same key in every build and in a
# build that adds a year to the others, and keys sort in code order.
CODE_KEY_SQL = render_macro("ipc_code_key_sql")

# A piece of a field (split on ';') that holds another separator is split further in the
# dictionary (by _SPLIT), so the per-patent lookup only ever splits on ';'.


def _normalize(con: duckdb.DuckDBPyConnection, stamp: str, new_from_key: int | None) -> dict:
    append = new_from_key is not None
    patents = (f"(SELECT * FROM raw.patents WHERE {schema.PATENT_KEY} >= {int(new_from_key)})"
               if append else "raw.patents")
    known = f"WHERE piece NOT IN (SELECT piece FROM {PIECES_TABLE})" if append else ""
    # 1. Every distinct piece of the fields and every distinct main IPC once: ~10^5 rows
    # however large the extract. A main IPC is a whole entry (the per-patent lookup
    # casts the field as printed); its code is the first code of its first piece. Most main
    # IPCs are printed again as the first piece of the field, so only the others join the
    # pieces (appending every main IPC to its field's pieces doubled the cost of this pass).
    con.execute(f"""
        CREATE OR REPLACE TEMP TABLE _ipc_entries AS
        SELECT * FROM (
            SELECT unnest(string_split(ipc_codes, ';')) AS piece FROM {patents}
            UNION
            SELECT main_ipc FROM {patents}
            WHERE main_ipc IS NOT NULL
              AND NOT coalesce(ipc_codes = main_ipc
                               OR starts_with(ipc_codes, main_ipc || ';'), false)
        ) {known}""")
    con.execute(f"""
        CREATE OR REPLACE TEMP TABLE _ipc_sub AS
        SELECT piece, unnest(subs) AS sub, generate_subscripts(subs, 1) AS sub_position
        FROM (SELECT piece,
                     CASE WHEN regexp_matches(piece, '[;,，；]')
                          THEN string_split_regex(piece, {quote_literal(_SPLIT)})
                          ELSE [piece] END AS subs
              FROM _ipc_entries WHERE piece IS NOT NULL)""")
    con.execute(f"""
        CREATE OR REPLACE TEMP TABLE _ipc_normalized AS
        {normalize_pieces_sql('(SELECT DISTINCT sub AS piece FROM _ipc_sub)')}""")
    codes = f"""
        SELECT {CODE_KEY_SQL} AS ipc_code_id,
               ipc_code, section, class, subclass, main_group, subgroup
        FROM (SELECT DISTINCT ipc_code, section, class, subclass, main_group, subgroup
              FROM _ipc_normalized WHERE error IS NULL)"""
    if append:
        con.execute(f"INSERT INTO {CODES_TABLE} SELECT * FROM ({codes}) "
                    f"WHERE ipc_code_id NOT IN (SELECT ipc_code_id FROM {CODES_TABLE})")
    else:
        con.execute(f"CREATE OR REPLACE TABLE {CODES_TABLE} AS {codes} ORDER BY ipc_code_id")
    # 2. The dictionary: per entry its codes in printed order, a code printed twice in one
    # entry kept once; the pieces that do not parse, with the reason.
    con.execute(f"""
        {f"INSERT INTO {PIECES_TABLE}" if append else f"CREATE OR REPLACE TABLE {PIECES_TABLE} AS"}
        WITH hits AS (
            SELECT s.piece, s.sub_position, n.sub_index, c.ipc_code_id, n.error,
                   trim(s.sub) AS sub
            FROM _ipc_sub s
            LEFT JOIN _ipc_normalized n ON n.piece = s.sub
            LEFT JOIN {CODES_TABLE} c ON c.ipc_code = n.ipc_code
        ),
        entries AS (
            SELECT piece,
                   coalesce(list(ipc_code_id ORDER BY sub_position, sub_index)
                            FILTER (WHERE ipc_code_id IS NOT NULL), []) AS codes,
                   max(ipc_code_id) FILTER (WHERE sub_position = 1 AND sub_index = 1)
                       AS main_ipc_code_id,
                   list(DISTINCT {{'piece': sub, 'reason': error}})
                       FILTER (WHERE error IS NOT NULL) AS unparseable
            FROM hits GROUP BY piece
        )
        SELECT piece,
               list_filter(codes, lambda c, i: list_position(codes, c) = i) AS ipc_code_ids,
               main_ipc_code_id, unparseable
        FROM entries
        ORDER BY piece""")

    # 3. To quarantine, with the application number: the patents without any code, and
    # each patent's pieces that do not parse.
    schema.ensure_quarantine(con)
    if not append:
        con.execute("DELETE FROM quality.quarantine WHERE target_table = ?", [PIECES_TABLE])
    # A patent without any code (empty field, or separators only) drops out of every
    # IPC-based count. Only a field that starts with a separator can be one: the
    # starts_with tests spare the ltrim on all the others.
    starts = " OR ".join(f"starts_with(ipc_codes, {quote_literal(s)})"
                         for s in " " + _SEPARATORS)
    con.execute(f"""
        INSERT INTO quality.quarantine BY NAME
        SELECT source_file, source_sha256, sheet,
               CAST(source_row AS BIGINT) AS source_row,
               CAST(source_col AS BIGINT) AS source_col,
               {quote_literal(PIECES_TABLE)} AS target_table,
               application_number || ': ' || coalesce(ipc_codes, '') AS value_text,
               'no IPC code' AS reason,
               {stamp} AS loaded_at
        FROM {patents}
        WHERE ipc_codes IS NULL
           OR (({starts}) AND ltrim(ipc_codes, {quote_literal(' ' + _SEPARATORS)}) = '')""")
    # The patents that carry an unparseable piece: every field piece looked up against the
    # few bad entries (a main IPC that does not parse is not quarantined: the field counts).
    con.execute(f"""
        CREATE OR REPLACE TEMP TABLE _ipc_bad_hits AS
        WITH bad AS (
            SELECT piece, unnest(unparseable) AS u FROM {PIECES_TABLE}
            WHERE unparseable IS NOT NULL
        )
        SELECT p.patent_key, b.u.piece AS piece,
               string_agg(DISTINCT b.u.reason, '; ') AS reason
        FROM (SELECT patent_key, unnest(string_split(ipc_codes, ';')) AS piece
              FROM {patents}) p
        JOIN bad b USING (piece)
        GROUP BY ALL""")
    if con.execute("SELECT count(*) FROM _ipc_bad_hits").fetchone()[0]:
        # Only application_number and source_row vary within a file (patent_load writes
        # the file's provenance on each of its rows, patent_key >> 32 numbering the file):
        # the wide provenance columns are read for one row per file.
        firsts = ", ".join(str(k) for (k,) in con.execute(
            f"SELECT min({schema.PATENT_KEY}) FROM raw.patents "
            f"GROUP BY {schema.PATENT_KEY} >> 32").fetchall())
        con.execute(f"""
            INSERT INTO quality.quarantine BY NAME
            WITH numbers AS (
                SELECT patent_key, application_number, source_row FROM raw.patents
                WHERE patent_key IN (SELECT patent_key FROM _ipc_bad_hits)
            ),
            files AS (
                SELECT patent_key >> 32 AS file, source_file, source_sha256, sheet, source_col
                FROM raw.patents WHERE patent_key IN ({firsts})
            )
            SELECT f.source_file, f.source_sha256, f.sheet,
                   CAST(n.source_row AS BIGINT) AS source_row,
                   CAST(f.source_col AS BIGINT) AS source_col,
                   {quote_literal(PIECES_TABLE)} AS target_table,
                   n.application_number || ': ' || h.piece AS value_text,
                   'unparseable IPC code: ' || h.reason AS reason,
                   {stamp} AS loaded_at
            FROM _ipc_bad_hits h
            JOIN numbers n USING (patent_key)
            JOIN files f ON f.file = h.patent_key >> 32""")
    stats = con.execute(f"""
        SELECT (SELECT count(*) FROM {PIECES_TABLE}),
               (SELECT count(*) FROM {CODES_TABLE}),
               (SELECT count(DISTINCT piece) FROM _ipc_bad_hits),
               (SELECT count(*) FROM quality.quarantine WHERE target_table = ?)""",
                        [PIECES_TABLE]).fetchone()
    for table in ("_ipc_entries", "_ipc_sub", "_ipc_normalized", "_ipc_bad_hits"):
        con.execute(f"DROP TABLE {table}")
    return {
        "distinct_pieces": stats[0], "distinct_codes": stats[1],
        "unparseable_pieces": stats[2], "quarantined": stats[3],
    }
