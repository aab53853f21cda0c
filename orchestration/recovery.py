"""A refresh that fails must not wedge the landing zone: the files that started it leave the
live landing zone (landing/failed/<kind>/, the reason beside each), the published warehouse
stays as it was, and the next build runs without them. Used by `dri ingest` / `dri build`
after a failed run and by the `landing_failure_sensor` for runs the landing sensor started.
"""

from __future__ import annotations

from pathlib import Path

from orchestration import paths
from orchestration.ingest.landing import discover, set_aside


def published_checksums(published_db: Path | None = None) -> set[str] | None:
    """sha256 of every file the published warehouse loaded; None when there is no
    published warehouse to compare with (a first build)."""
    import duckdb

    db = published_db or paths.published_db_path()
    if not db.exists():
        return None
    try:
        with duckdb.connect(str(db), read_only=True) as con:
            return {r[0] for r in con.execute(
                "SELECT source_sha256 FROM raw.landing_files").fetchall()}
    except duckdb.Error:
        return None


def set_aside_new_files(reason: str, new_files: list[Path] | None = None
                        ) -> list[tuple[str, Path]]:
    """Move `new_files` (default: the landing files the published warehouse has never
    loaded) to landing/failed/ with `reason`; returns (relative path, new path) per file.
    Nothing is moved on a first build: with nothing published, no file can be told apart."""
    landing = paths.landing_dir()
    if new_files is None:
        published = published_checksums()
        if published is None:
            return []
        new_files = [f.path for f in discover(landing) if f.sha256 not in published]
    moved = []
    for path in new_files:
        relpath = Path(path).resolve().relative_to(landing.resolve()).as_posix()
        moved.append((relpath, set_aside(landing, relpath, reason)))
    return moved
