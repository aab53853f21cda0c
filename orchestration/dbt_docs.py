"""dbt docs of the published warehouse, generated into a folder and readable offline.

`generate_docs` runs `dbt docs generate --static` against a throw-away copy of the published
file named `dri.duckdb`, so the catalog (column types, row counts) is the published
warehouse's and the relations read `dri.marts.city_panel`, a name `dri sql` and any DuckDB
client that opened `warehouse/dri.duckdb` accept (the working file would say `dri_build`).
The copy keeps the published file untouched: dbt opens its database read-write.

The folder gets `index.html` with `manifest.json` and `catalog.json` (dbt's site: it fetches
the two JSON files, so it needs an HTTP server: `dri docs` starts one on localhost) and
`static_index.html`, the same site with both embedded, which opens from disk with no server.
dbt's pages carry their scripts and styles inline: no network is needed either way.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from orchestration import paths

SITE_FILES = ("index.html", "static_index.html", "manifest.json", "catalog.json")


def default_docs_dir() -> Path:
    return paths.reports_dir() / "dbt_docs"


def _dbt_executable() -> str:
    beside = Path(sys.executable).parent / "dbt"  # the project's environment
    return str(beside) if beside.exists() else "dbt"


def docs_command(target_path: Path, log_path: Path) -> list[str]:
    """The dbt command line `generate_docs` runs (compiles the SQL shown on each page)."""
    return [
        _dbt_executable(),
        "docs",
        "generate",
        "--static",
        "--project-dir",
        str(paths.DBT_PROJECT_DIR),
        "--profiles-dir",
        str(paths.DBT_PROJECT_DIR),
        "--target-path",
        str(target_path),
        "--log-path",
        str(log_path),
    ]


def generate_docs(db: Path, out_dir: Path | None = None, timeout: float = 900) -> Path:
    """Generate the dbt docs of the warehouse file `db` into `out_dir` (default
    `reports/dbt_docs/`, emptied of a previous site first) and return the path of
    `static_index.html`. Raises RuntimeError with the end of dbt's output on failure."""
    import os

    out_dir = Path(out_dir) if out_dir is not None else default_docs_dir()
    if not Path(db).exists():
        raise FileNotFoundError(f"no warehouse at {db}")
    with tempfile.TemporaryDirectory(prefix="dri_docs_") as tmp:
        work = Path(tmp)
        copy = work / "dri.duckdb"  # the database name in the docs: dri.<schema>.<table>
        shutil.copyfile(db, copy)
        env = {
            **os.environ,
            "DRI_DUCKDB_PATH": str(copy),
            "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
        }
        proc = subprocess.run(
            docs_command(work / "target", work / "logs"),
            env=env,
            capture_output=True,
            text=True,
            timeout=timeout,
            cwd=paths.DBT_PROJECT_DIR,
        )
        if proc.returncode != 0:
            raise RuntimeError("dbt docs generate failed:\n" + (proc.stdout + proc.stderr)[-4000:])
        out_dir.mkdir(parents=True, exist_ok=True)
        for name in SITE_FILES:
            (out_dir / name).unlink(missing_ok=True)
            produced = work / "target" / name
            if produced.exists():
                shutil.copyfile(produced, out_dir / name)
    static = out_dir / "static_index.html"
    if not static.exists():
        raise RuntimeError(f"dbt wrote no static_index.html for {out_dir}")
    return static


def make_server(directory: Path, port: int):
    """An HTTP server of `directory` on 127.0.0.1:`port` (localhost only)."""
    import functools
    import http.server

    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(directory))
    return http.server.ThreadingHTTPServer(("127.0.0.1", port), handler)


def serve(directory: Path, port: int) -> None:
    """Serve `directory` on http://127.0.0.1:`port` until interrupted (Ctrl-C)."""
    import contextlib

    with make_server(directory, port) as server, contextlib.suppress(KeyboardInterrupt):
        server.serve_forever()
