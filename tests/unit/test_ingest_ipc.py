"""IPC normalization at ingest (orchestration/ingest/ipc.py): every spelling, garbage to
quarantine with the patent id, duplicates once, main IPC, whitespace-separated lists."""

from __future__ import annotations

import csv
from pathlib import Path

import duckdb
import pytest

from orchestration.ingest.ipc import normalize_ipc, normalize_ipc_codes
from orchestration.ingest.patent_load import load_patent_files

SPELLINGS = [
    "G06F 17/30", "G06F17/30", "G06F0017300000", "G06F 17/30 (2006.01)", "G06F17/30(2006.01)",
    "Ｇ０６Ｆ１７／３０", "Ｇ０６Ｆ\u3000１７／３０（２００６．０１）", "g06f 17/30",
    "  G06F  17 / 30 ",
    "G06F 17/300000",
]
GARBAGE = {
    "G06F": "subclass only",
    "XYZ": "not an IPC code",
    "17/30": "not an IPC code",
    "G06F 17": "main group without subgroup",
    "I01B 1/00": "unknown IPC section 'I'",
    "G06F 17/3": "one-digit subgroup",
    "G06F 0/00": "main group 0",
}


@pytest.fixture
def con():
    connection = duckdb.connect()
    yield connection
    connection.close()


@pytest.mark.parametrize("spelling", SPELLINGS)
def test_every_spelling_gives_the_canonical_code_and_parts(con, spelling):
    (row,) = normalize_ipc_codes(con, [spelling])
    assert row["error"] is None
    assert (row["ipc_code"], row["section"], row["class"], row["subclass"], row["main_group"],
            row["subgroup"]) == ("G06F 17/30", "G", "G06", "G06F", 17, "30")


@pytest.mark.parametrize(
    ("spelling", "canonical"),
    [
        ("A01B0001020000", "A01B 1/02"), ("H04L0029080000", "H04L 29/08"),
        ("G06F0017301000", "G06F 17/301"), ("G06F 17/3012", "G06F 17/3012"),
        ("B21D 22/02", "B21D 22/02"), ("G06N 3/08", "G06N 3/08"), ("G06N 3/00", "G06N 3/00"),
        ("H01L 21/020", "H01L 21/02"), ("G06Q 1000/00", "G06Q 1000/00"),
        ("G06F 0017/30", "G06F 17/30"),
    ],
)
def test_canonical_form(con, spelling, canonical):
    (row,) = normalize_ipc_codes(con, [spelling])
    assert row["ipc_code"] == canonical


@pytest.mark.parametrize(
    "field",
    ["G06F17/30;H04L29/08", "G06F 17/30, H04L 29/08", "G06F 17/30，H04L 29/08",
     "G06F 17/30；H04L 29/08", "G06F 17/30 ; H04L 29/08;", "G06F17/30 H04L29/08",
     "G06F 17/30 H04L 29/08", "g06f0017300000 h04l0029080000"],
)
def test_lists_split_on_every_separator(con, field):
    rows = normalize_ipc_codes(con, [field])
    assert [r["ipc_code"] for r in rows] == ["G06F 17/30", "H04L 29/08"]
    assert all(r["error"] is None for r in rows)


@pytest.mark.parametrize(("piece", "reason"), sorted(GARBAGE.items()))
def test_garbage_is_reported_not_guessed(con, piece, reason):
    (row,) = normalize_ipc_codes(con, [piece])
    assert row["ipc_code"] is None and row["section"] is None
    assert reason in row["error"]


def test_empty_pieces_are_separators_not_codes(con):
    assert normalize_ipc_codes(con, ["", ";", " ; "]) == []
    rows = normalize_ipc_codes(con, ["G06F 17/30;;H04L 29/08"])
    assert [(r["position"], r["ipc_code"]) for r in rows] == [
        (1, "G06F 17/30"), (3, "H04L 29/08")]


def _write_extract(path: Path, rows: list[list[str]]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(["申请号", "申请日", "主分类号", "IPC分类号"])
        writer.writerows(rows)
    return path


@pytest.fixture
def loaded(tmp_path, con):
    rows = [
        ["CN1", "2020-01-01", "G06F 17/30", "G06F 17/30;H04L 29/08"],
        # full-width main IPC, lower case and compact spellings of codes printed twice
        ["CN2", "2020-01-02", "Ｈ０４Ｌ２９／０８", "g06f 17/30;H04L0029080000;G06F17/30"],
        # garbage next to good codes: the good ones still count
        ["CN3", "2020-01-03", "A01B 1/00", "XYZ;A01B 1/00;G06F;I01B 1/00;17/30;G06F 17"],
        ["CN4", "2020-01-04", "", "B21D 22/02;B21D 22/02 (2006.01)"],  # same code twice
        ["CN5", "2020-01-05", "G06N 3/08", ";"],  # no code at all
        ["CN6", "2020-01-06", "G06F 17/30", "G06F17/30 H04L29/08, G06F 17/30"],
    ]
    path = _write_extract(tmp_path / "landing" / "patents" / "x.csv", rows)
    load_patent_files(con, [path])
    stats = normalize_ipc(con)
    return con, stats


def _codes(con) -> dict[str, list[tuple[str, bool]]]:
    """Each patent's codes as the dictionary gives them, read here in plain Python: the
    codes of its ';'-pieces in printed order, each once, and whether its main IPC names the
    code. (dbt's int_patents_classified does the same lookup set-based.)"""
    pieces = {piece: (ids, main) for piece, ids, main in con.execute(
        "SELECT piece, ipc_code_ids, main_ipc_code_id FROM raw.ipc_pieces").fetchall()}
    names = dict(con.execute("SELECT ipc_code_id, ipc_code FROM raw.ipc_codes").fetchall())
    result: dict[str, list[tuple[str, bool]]] = {}
    for number, field, main_ipc in con.execute(
            "SELECT application_number, ipc_codes, main_ipc FROM raw.patents").fetchall():
        codes: list[int] = []
        for piece in (field or "").split(";") if field is not None else []:
            codes += [c for c in pieces[piece][0] if c not in codes]
        main = pieces[main_ipc][1] if main_ipc is not None else None
        if codes:
            result[number] = [(names[c], c == main) for c in codes]
    return result


def test_patent_codes_duplicates_and_main(loaded):
    con, stats = loaded
    assert _codes(con) == {
        "CN1": [("G06F 17/30", True), ("H04L 29/08", False)],
        "CN2": [("G06F 17/30", False), ("H04L 29/08", True)],
        "CN3": [("A01B 1/00", True)],
        "CN4": [("B21D 22/02", False)],
        "CN6": [("G06F 17/30", True), ("H04L 29/08", False)],
    }
    # the four above and CN5's main IPC G06N 3/08 (raw.ipc_codes holds main IPCs too)
    assert stats["distinct_codes"] == 5


def test_unparseable_pieces_quarantined_with_the_application_number(loaded):
    con, stats = loaded
    rows = con.execute("""
        SELECT value_text, reason, source_row FROM quality.quarantine
        WHERE target_table = 'raw.ipc_pieces' ORDER BY value_text""").fetchall()
    by_text = {text: reason for text, reason, _ in rows}
    assert set(by_text) == {"CN3: XYZ", "CN3: G06F", "CN3: I01B 1/00", "CN3: 17/30",
                            "CN3: G06F 17", "CN5: ;"}
    assert "unknown IPC section 'I'" in by_text["CN3: I01B 1/00"]
    assert by_text["CN5: ;"] == "no IPC code"
    assert {row for _, _, row in rows} == {4, 6}  # the records' rows in the file (BIGINT)
    assert stats["unparseable_pieces"] == 5
    assert stats["quarantined"] == 6


def test_reloading_replaces_the_quarantine_rows(loaded):
    con, _ = loaded
    normalize_ipc(con)
    assert con.execute("SELECT count(*) FROM quality.quarantine "
                       "WHERE target_table = 'raw.ipc_pieces'").fetchone() == (6,)


SEMICOLON_ONLY = [
    ["CN1", "2020-01-01", "G06F 17/30", "G06F 17/30;H04L 29/08"],
    ["CN2", "2020-01-02", "Ｈ０４Ｌ２９／０８", " g06f 17/30 ; H04L0029080000;G06F17/30"],
    ["CN3", "2020-01-03", "A01B 1/00", "XYZ;A01B 1/00;G06F;I01B 1/00;17/30;G06F 17"],
    ["CN4", "2020-01-04", "", "B21D 22/02;;B21D 22/02 (2006.01)"],
    ["CN5", "2020-01-05", "G06N 3/08", ";"],
    ["CN6", "2020-01-06", "H04L 29/08", "G06F17/30 H04L29/08;G06F 17/30"],
]


def _normalized(tmp_path: Path, name: str, rows: list[list[str]]):
    connection = duckdb.connect()
    load_patent_files(connection, [_write_extract(tmp_path / "landing" / "patents" / name,
                                                  rows)])
    stats = normalize_ipc(connection)
    quarantine = connection.execute("""
        SELECT value_text, reason FROM quality.quarantine
        WHERE target_table = 'raw.ipc_pieces' ORDER BY 1""").fetchall()
    return _codes(connection), quarantine, stats


def test_semicolon_fields_read_alike_on_the_fast_and_the_general_path(tmp_path):
    """A piece holding ',' (or '，' '；') is split further in the dictionary; the fields
    around it must read exactly as in an extract split on ';' alone."""
    fast, fast_quarantine, fast_stats = _normalized(tmp_path, "fast.csv", SEMICOLON_ONLY)
    general, general_quarantine, _ = _normalized(
        tmp_path, "general.csv",
        [*SEMICOLON_ONLY, ["CN7", "2020-01-07", "", "G06F 17/30, A01B 1/00"]])
    assert general.pop("CN7") == [("G06F 17/30", False), ("A01B 1/00", False)]
    assert fast == general
    assert fast_quarantine == general_quarantine
    assert fast["CN2"] == [("G06F 17/30", False), ("H04L 29/08", True)]
    assert fast["CN4"] == [("B21D 22/02", False)]
    assert fast["CN6"] == [("G06F 17/30", False), ("H04L 29/08", True)]
    assert fast_stats["unparseable_pieces"] == 5
    assert [t for t, _ in fast_quarantine] == [
        "CN3: 17/30", "CN3: G06F", "CN3: G06F 17", "CN3: I01B 1/00", "CN3: XYZ", "CN5: ;"]


def test_code_keys_come_from_the_parts_alone(tmp_path):
    """The key of a code is the same whatever else the extract holds (a build that adds a
    year gives old codes their old keys), distinct codes get distinct keys, and keys sort
    as the codes do (section, class, subclass, main group, subgroup read as a decimal)."""
    rows = [["CN1", "2020-01-01", "G06F 17/30",
             "G06F 17/30;G06F 17/301;G06F 17/3;G06F 17/31;G06F 9/00;H04L 29/08;A01B 1/00;"
             "H99Z 9999/999999"]]
    connection = duckdb.connect()
    load_patent_files(connection, [_write_extract(tmp_path / "landing" / "patents" / "k.csv",
                                                  rows)])
    normalize_ipc(connection)
    keys = dict(connection.execute(
        "SELECT ipc_code, ipc_code_id FROM raw.ipc_codes").fetchall())
    assert keys["G06F 17/30"] == 157610017300000
    assert len(set(keys.values())) == len(keys) == 7  # G06F 17/3 is ambiguous: quarantined
    by_parts = sorted(keys, key=lambda c: (c[:4], int(c[5:].split("/")[0]),
                                           c.split("/")[1].ljust(6, "0")))
    assert sorted(keys, key=keys.get) == by_parts
    other = duckdb.connect()
    load_patent_files(other, [_write_extract(tmp_path / "landing" / "patents" / "k2.csv",
                                             [["CN9", "2021-01-01", "", "G06F 17/30"]])])
    normalize_ipc(other)
    assert other.execute("SELECT ipc_code_id FROM raw.ipc_codes").fetchall() == [
        (157610017300000,)]
