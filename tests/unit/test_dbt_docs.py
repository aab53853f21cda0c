"""`dri docs`: dbt docs generated from a copy of the published file, served or not.

dbt itself is replaced by a stand-in that records how it was called and writes the files
`dbt docs generate --static` writes (the real command takes about a minute: it parses and
compiles the project); what is tested is what the project adds around it: the copy named
dri.duckdb (relations read dri.marts.x), the published file left untouched, the site copied
to the output folder, and the command's --no-serve path.
"""

from __future__ import annotations

import hashlib
import io
import subprocess
from pathlib import Path

import duckdb
import pytest
from typer.testing import CliRunner

from orchestration import cli, dbt_docs


def _published(tmp_path: Path) -> Path:
    db = tmp_path / "warehouse" / "dri.duckdb"
    db.parent.mkdir(parents=True)
    with duckdb.connect(str(db)) as con:
        con.execute("CREATE SCHEMA marts; CREATE TABLE marts.t AS SELECT 1 AS a")
    return db


@pytest.fixture
def fake_dbt(monkeypatch):
    calls: list[dict] = []

    def run(cmd, env, **kwargs):
        target = Path(cmd[cmd.index("--target-path") + 1])
        copy = Path(env["DRI_DUCKDB_PATH"])
        with duckdb.connect(str(copy)) as con:  # dbt opens its database read-write
            tables = con.execute("SELECT table_name FROM duckdb_tables()").fetchall()
            con.execute("CREATE TABLE marts.dbt_was_here AS SELECT 1 AS x")
        calls.append({"cmd": cmd, "copy": copy, "tables": tables})
        target.mkdir(parents=True, exist_ok=True)
        for name in dbt_docs.SITE_FILES:
            (target / name).write_text(f"{name} of {copy.stem}", encoding="utf-8")
        return subprocess.CompletedProcess(cmd, 0, "", "")

    monkeypatch.setattr(dbt_docs.subprocess, "run", run)
    return calls


def test_generate_docs_runs_dbt_on_a_copy_named_dri(tmp_path, fake_dbt) -> None:
    db = _published(tmp_path)
    before = hashlib.sha256(db.read_bytes()).hexdigest()
    out = tmp_path / "site"
    static = dbt_docs.generate_docs(db, out)
    (call,) = fake_dbt
    assert call["cmd"][1:4] == ["docs", "generate", "--static"]
    assert call["copy"].name == "dri.duckdb" and call["copy"] != db
    assert call["tables"] == [("t",)]  # the copy holds the published tables
    assert not call["copy"].exists()  # thrown away afterwards
    assert hashlib.sha256(db.read_bytes()).hexdigest() == before  # published file untouched
    assert static == out / "static_index.html"
    assert sorted(p.name for p in out.iterdir()) == sorted(dbt_docs.SITE_FILES)
    assert static.read_text(encoding="utf-8") == "static_index.html of dri"


def test_a_failing_dbt_raises_with_its_output(tmp_path, monkeypatch) -> None:
    db = _published(tmp_path)
    monkeypatch.setattr(
        dbt_docs.subprocess,
        "run",
        lambda cmd, **kw: subprocess.CompletedProcess(
            cmd, 2, "Compilation Error in model city_panel", ""
        ),
    )
    with pytest.raises(RuntimeError, match="Compilation Error in model city_panel"):
        dbt_docs.generate_docs(db, tmp_path / "site")


def test_dri_docs_no_serve_writes_and_prints_the_path(tmp_path, fake_dbt, monkeypatch) -> None:
    _published(tmp_path)
    out = io.StringIO()  # the CLI's console is bound to stdout when it is imported
    monkeypatch.setattr(cli, "console", cli.make_console(out))
    monkeypatch.setenv("DRI_WAREHOUSE_DIR", str(tmp_path / "warehouse"))
    monkeypatch.setenv("DRI_REPORTS_DIR", str(tmp_path / "reports"))
    served = []
    monkeypatch.setattr(dbt_docs, "serve", lambda directory, port: served.append((directory, port)))
    result = CliRunner().invoke(cli.app, ["docs", "--no-serve"])
    assert result.exit_code == 0, result.output
    static = tmp_path / "reports" / "dbt_docs" / "static_index.html"
    assert static.exists() and str(static) in out.getvalue()
    assert served == []
    result = CliRunner().invoke(cli.app, ["docs", "--port", "8123"])
    assert result.exit_code == 0, result.output
    assert served == [(static.parent, 8123)]
    assert "http://127.0.0.1:8123" in out.getvalue()


def test_dri_docs_without_a_published_warehouse_exits_2(tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("DRI_WAREHOUSE_DIR", str(tmp_path / "nothing"))
    result = CliRunner().invoke(cli.app, ["docs", "--no-serve"])
    assert result.exit_code == 2


def test_the_docs_server_serves_the_folder_on_localhost(tmp_path) -> None:
    import threading
    import urllib.request

    (tmp_path / "static_index.html").write_text("<p>docs</p>", encoding="utf-8")
    server = dbt_docs.make_server(tmp_path, 0)  # port 0: any free port
    host, port = server.server_address[:2]
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        url = f"http://127.0.0.1:{port}/static_index.html"
        with urllib.request.urlopen(url, timeout=5) as response:
            assert response.read() == b"<p>docs</p>"
    finally:
        server.shutdown()
        server.server_close()
    assert host == "127.0.0.1"
