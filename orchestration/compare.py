"""Two warehouse files compared table by table: how a refresh is shown to give what a full
build from the same landing zone gives (tests/integration/test_ingest_refresh.py,
benchmarks/bench_refresh.py)."""

from __future__ import annotations

from pathlib import Path

# When a row was loaded, estimated or built differs between two runs by design.
STAMPS = ("loaded_at", "estimated_at", "built_at")
# Bookkeeping of the refresh itself (when each study table was last estimated).
SKIPPED = ("table_inputs",)


def differing_tables(a: Path, b: Path, schemas: tuple[str, ...] = ("marts", "estimates"),
                     rtol: float = 1e-9) -> list[str]:
    """'schema.table: why' for each table of `schemas` that is missing from one file or
    whose rows differ (in any order; numbers to `rtol`), stamps aside; [] when equal."""
    import duckdb
    import pandas as pd

    listing = ("SELECT table_schema, table_name FROM information_schema.tables "
               f"WHERE table_schema IN ({', '.join('?' for _ in schemas)}) ORDER BY 1, 2")
    differ = []
    with duckdb.connect(str(a), read_only=True) as ca, duckdb.connect(str(b), read_only=True) as cb:
        left_tables = ca.execute(listing, list(schemas)).fetchall()
        right_tables = cb.execute(listing, list(schemas)).fetchall()
        for schema, name in sorted(set(left_tables) ^ set(right_tables)):
            differ.append(f"{schema}.{name}: in one file only")
        for schema, name in sorted(set(left_tables) & set(right_tables)):
            if name in SKIPPED:
                continue
            query = f'SELECT * FROM "{schema}"."{name}"'
            left = ca.execute(query).df().drop(columns=list(STAMPS), errors="ignore")
            right = cb.execute(query).df().drop(columns=list(STAMPS), errors="ignore")
            try:
                keys = list(left.columns)
                left = left.sort_values(keys, ignore_index=True)
                right = right.sort_values(keys, ignore_index=True)
                pd.testing.assert_frame_equal(left, right, check_exact=False, rtol=rtol,
                                              atol=1e-12)
            except (AssertionError, TypeError, ValueError) as exc:
                differ.append(f"{schema}.{name}: {str(exc).splitlines()[0]}")
    return differ
