"""Patent extract reader: header mapping, dates, quarantine, encodings, parquet."""

from __future__ import annotations

import csv
import datetime as dt
import random
from pathlib import Path

import pandas as pd
import pytest

from orchestration.ingest import schema
from orchestration.ingest.landing import IngestError, LandingFile, discover
from orchestration.ingest.patents import map_columns, read_patents

DEMO_HEADER = [
    "申请号", "申请日", "公开(公告)日", "专利类型", "名称", "申请人", "申请人地址", "主分类号",
    "IPC分类号",
]
# Data rows start at spreadsheet row 2 (the header is row 1).
DEMO_ROWS = [
    ["CN201010000001.1", "2010-03-05", "2011-06-01", "发明", "一种数据处理方法及系统",
     "石家庄智造科技有限公司", "河北省石家庄市长安区建设北大街88号", "G06F 17/30",
     "G06F 17/30;B21D 22/02"],  # row 2
    ["CN201020000002.2", "2010/7/9", "", "实用新型", "一种机械装置", "唐山机械制造有限公司",
     "河北省唐山市路南区新华道1号", "B21D 22/02", "B21D 22/02"],  # row 3
    ["", "2011-01-01", "2012-01-01", "发明", "无申请号", "某公司", "河北省", "G06N 3/08",
     "G06N 3/08"],  # row 4: no application number
    ["CN201110000004.4", "2011-13-45", "", "发明", "坏日期", "某公司", "河北省", "G06T 7/00",
     "G06T 7/00"],  # row 5: month 13
    ["CN201110000005.5", "", "", "发明", "无日期", "某公司", "河北省", "G06T 7/00",
     "G06T 7/00"],  # row 6: no date
    ["CN201110000006.6", "20110230", "", "发明", "二月三十日", "某公司", "河北省", "G06T 7/00",
     "G06T 7/00"],  # row 7: 30 February
    ["CN201210000007.7", "2012年5月6日", "不详", "实用新型", "中文日期", "NA",
     "山西省太原市", "F16H 57/02", "F16H 57/02"],  # row 8: unreadable publication date
    ["  CN201210000008.8 ", " 2012-05-06 ", "2013-01-02", "发明", "带空格", "某公司",
     "山西省太原市", "H04L 67/12", "H04L 67/12;F03D 7/00"],  # row 9
]
GOOD_ROWS = [2, 3, 8, 9]
BAD_ROWS = {
    4: "empty application number",
    5: "unparseable application date: '2011-13-45'",
    6: "missing application date",
    7: "unparseable application date: '20110230'",
}


def write_csv(path: Path, header: list[str], rows: list[list[str]], encoding: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", encoding=encoding, newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(header)
        writer.writerows(rows)
    return path


def landing_file(path: Path) -> LandingFile:
    (found,) = [f for f in discover(path.parents[1]) if f.path == path.resolve()]
    return found


@pytest.fixture
def demo_extract(tmp_path) -> LandingFile:
    path = tmp_path / "landing" / "patents" / "patents_demo.csv"
    return landing_file(write_csv(path, DEMO_HEADER, DEMO_ROWS, "utf-8-sig"))


def test_demo_extract_rows(demo_extract):
    values, quarantine = read_patents(demo_extract)

    assert list(values.columns) == schema.PATENTS
    assert len(values) + len(quarantine) == len(DEMO_ROWS)
    assert values["source_row"].tolist() == GOOD_ROWS
    assert values["application_number"].tolist() == [
        "CN201010000001.1", "CN201020000002.2", "CN201210000007.7", "CN201210000008.8",
    ]
    assert values["application_date"].tolist() == [
        dt.date(2010, 3, 5), dt.date(2010, 7, 9), dt.date(2012, 5, 6), dt.date(2012, 5, 6),
    ]
    assert values["publication_date"].tolist() == [
        dt.date(2011, 6, 1), None, None, dt.date(2013, 1, 2),
    ]
    first = values.iloc[0]
    assert (first.patent_type, first.title, first.applicant, first.applicant_address) == (
        "发明", "一种数据处理方法及系统", "石家庄智造科技有限公司",
        "河北省石家庄市长安区建设北大街88号",
    )
    assert (first.main_ipc, first.ipc_codes) == ("G06F 17/30", "G06F 17/30;B21D 22/02")
    assert values.loc[2, "applicant"] == "NA"  # text, not a missing-value marker
    assert set(values["source_file"]) == {"patents/patents_demo.csv"}
    assert set(values["source_sha256"]) == {demo_extract.sha256}
    assert set(values["sheet"]) == {""}
    assert values["source_col"].isna().all()


def test_demo_extract_quarantine(demo_extract):
    _, quarantine = read_patents(demo_extract)

    assert list(quarantine.columns) == schema.QUARANTINE
    assert dict(zip(quarantine["source_row"], quarantine["reason"], strict=True)) == BAD_ROWS
    assert set(quarantine["target_table"]) == {"raw.patents"}
    assert set(quarantine["sheet"]) == {""}
    assert quarantine["source_col"].isna().all()
    row5 = quarantine.set_index("source_row").loc[5, "value_text"]
    assert "申请号=CN201110000004.4" in row5 and "申请日=2011-13-45" in row5
    assert all(len(text) <= 200 for text in quarantine["value_text"])


def test_english_headers_in_another_order_gbk_encoded(tmp_path):
    header = ["Title", "IPC", "Notes", "Application Date", "Application Number", "Applicants"]
    rows = [
        ["一种数据处理方法", "G06F 17/30", "备注", "2015-02-03", "CN201510000001.1", "某公司"],
        ["一种机械装置", "B21D 22/02", "", "2015-02-04", "CN201520000002.2", "另一公司"],
    ]
    path = write_csv(tmp_path / "landing" / "patents" / "export.csv", header, rows, "gbk")
    with pytest.raises(UnicodeDecodeError):
        path.read_bytes().decode("utf-8")  # the fixture really is not UTF-8

    values, quarantine = read_patents(landing_file(path))

    assert quarantine.empty
    assert values["title"].tolist() == ["一种数据处理方法", "一种机械装置"]
    assert values["ipc_codes"].tolist() == ["G06F 17/30", "B21D 22/02"]
    assert values["application_number"].tolist() == ["CN201510000001.1", "CN201520000002.2"]
    assert values["applicant"].tolist() == ["某公司", "另一公司"]
    assert values["application_date"].tolist() == [dt.date(2015, 2, 3), dt.date(2015, 2, 4)]
    for absent in ("publication_date", "patent_type", "applicant_address", "main_ipc"):
        assert values[absent].isna().all(), absent


@pytest.mark.parametrize(
    ("header", "canonical"),
    [
        ("申请号", "application_number"), ("application_number", "application_number"),
        ("Application Number", "application_number"), ("申请日", "application_date"),
        ("公开(公告)日", "publication_date"), ("公开（公告）日", "publication_date"),
        ("公开日", "publication_date"), ("授权公告日", "publication_date"),
        ("专利类型", "patent_type"), ("type", "patent_type"), ("名称", "title"),
        ("标题", "title"), ("申请人", "applicant"), ("申请(专利权)人", "applicant"),
        ("申请人地址", "applicant_address"), ("地址", "applicant_address"),
        ("address", "applicant_address"), ("主分类号", "main_ipc"), ("Main IPC", "main_ipc"),
        ("main_ipc", "main_ipc"), ("IPC分类号", "ipc_codes"), ("分类号", "ipc_codes"),
        ("IPC", "ipc_codes"), ("ipc_codes", "ipc_codes"), (" \ufeff申请号 ", "application_number"),
    ],
)
def test_header_aliases(header, canonical):
    assert map_columns([header, "无关列"]) == {canonical: header}


def test_first_listed_alias_wins_when_an_extract_has_two():
    assert map_columns(["授权公告日", "公开(公告)日"]) == {"publication_date": "公开(公告)日"}


def test_missing_required_columns_raise_naming_file_and_columns(tmp_path):
    header = ["申请号", "名称", "主分类号"]
    path = write_csv(
        tmp_path / "landing" / "patents" / "partial.csv", header, [["CN1", "x", "G06F"]],
        "utf-8-sig",
    )
    with pytest.raises(IngestError) as info:
        read_patents(landing_file(path))
    message = str(info.value)
    assert "patents/partial.csv" in message
    assert "application_date" in message and "ipc_codes" in message
    assert "application_number," not in message  # present columns are not reported missing


def test_empty_and_header_only_files(tmp_path):
    folder = tmp_path / "landing" / "patents"
    folder.mkdir(parents=True)
    (folder / "empty.csv").write_bytes(b"")
    with pytest.raises(IngestError, match=r"patents/empty\.csv"):
        read_patents(landing_file(folder / "empty.csv"))
    (folder / "broken.parquet").write_bytes(b"PAR1 not really")
    with pytest.raises(IngestError, match=r"patents/broken\.parquet"):
        read_patents(landing_file(folder / "broken.parquet"))

    path = write_csv(folder / "header_only.csv", DEMO_HEADER, [], "utf-8-sig")
    values, quarantine = read_patents(landing_file(path))
    assert values.empty and quarantine.empty
    assert list(values.columns) == schema.PATENTS


def test_blank_lines_keep_row_numbers(tmp_path):
    path = tmp_path / "landing" / "patents" / "gaps.csv"
    path.parent.mkdir(parents=True)
    path.write_text(
        "申请号,申请日,IPC分类号,备注\n"  # line 1
        "CN1,2016-01-01,G06F 17/30,\n"  # line 2
        "\n"  # line 3
        "CN3,2016-01-03,G06F 16/27,\n"  # line 4
        ",,,只有备注\n",  # line 5: text only in an unmapped column is not a blank line
        encoding="utf-8",
    )
    values, quarantine = read_patents(landing_file(path))
    assert values[["application_number", "source_row"]].values.tolist() == [["CN1", 2], ["CN3", 4]]
    assert quarantine["source_row"].tolist() == [5]
    assert quarantine["value_text"].tolist() == ["备注=只有备注"]


def test_parquet_extract_with_typed_dates(tmp_path):
    frame = pd.DataFrame({
        "application_number": ["CN201710000001.1", "CN201710000002.2", None],
        "application_date": pd.to_datetime(["2017-04-01", None, "2017-04-03"]),
        "publication_date": [dt.date(2018, 1, 1), None, dt.date(2018, 1, 3)],
        "main_ipc": ["G06Q 10/06", "A01B 79/00", "G16Y 10/25"],
        "ipc_codes": ["G06Q 10/06;A01B 79/00", "A01B 79/00", "G16Y 10/25"],
    })
    path = tmp_path / "landing" / "patents" / "extract.parquet"
    path.parent.mkdir(parents=True)
    frame.to_parquet(path)

    values, quarantine = read_patents(landing_file(path))

    assert values["application_number"].tolist() == ["CN201710000001.1"]
    assert values["application_date"].tolist() == [dt.date(2017, 4, 1)]
    assert values["publication_date"].tolist() == [dt.date(2018, 1, 1)]
    assert values["source_row"].tolist() == [2]
    assert dict(zip(quarantine["source_row"], quarantine["reason"], strict=True)) == {
        3: "missing application date",
        4: "empty application number",
    }


def test_many_rows_map_each_date_to_its_own_row(tmp_path):
    rng = random.Random(7)
    days = [dt.date(2010, 1, 1) + dt.timedelta(days=rng.randrange(5000)) for _ in range(20_000)]
    styles = [
        lambda d: d.isoformat(), lambda d: f"{d.year}/{d.month}/{d.day}",
        lambda d: d.strftime("%Y%m%d"), lambda d: f"{d.year}年{d.month}月{d.day}日",
        lambda d: f"{d.isoformat()} 00:00:00", lambda d: f"{d.year}.{d.month:02d}.{d.day}",
    ]
    rows = [
        [f"CN{i:012d}", rng.choice(styles)(d), "G06F 17/30"] for i, d in enumerate(days)
    ]
    path = write_csv(
        tmp_path / "landing" / "patents" / "many.csv", ["申请号", "申请日", "IPC分类号"], rows,
        "utf-8-sig",
    )
    values, quarantine = read_patents(landing_file(path))
    assert quarantine.empty
    assert values["application_date"].tolist() == days
    assert values["source_row"].tolist() == list(range(2, len(days) + 2))


# --- DuckDB-native reading (patent_load): new fields, encodings, Parquet, newest file wins ---

def _load(tmp_path, files, precedence=None):
    import duckdb

    from orchestration.ingest.patent_load import load_patent_files

    con = duckdb.connect()
    stats = load_patent_files(con, [landing_file(f) for f in files], precedence=precedence)
    return con, stats


@pytest.mark.parametrize(
    ("header", "canonical"),
    [
        ("申请人区划代码", "applicant_region_code"), ("行政区划代码", "applicant_region_code"),
        ("地区代码", "applicant_region_code"), ("省市代码", "applicant_region_code"),
        ("Applicant Region Code", "applicant_region_code"),
        ("applicant_region_code", "applicant_region_code"), ("摘要", "abstract"),
        ("Abstract", "abstract"),
    ],
)
def test_region_code_and_abstract_aliases(header, canonical):
    assert map_columns([header, "无关列"]) == {canonical: header}


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gbk"])
def test_region_code_and_abstract_are_read_in_any_encoding(tmp_path, encoding):
    header = ["申请号", "申请日", "申请人区划代码", "摘要", "IPC分类号"]
    rows = [["CN1", "2019-05-01", "130102", "一种基于深度学习的图像识别方法", "G06N 3/08"],
            ["CN2", "2019年5月2日", "", "", "G06F 17/30"]]
    path = write_csv(tmp_path / "landing" / "patents" / f"{encoding}.csv", header, rows,
                     encoding)
    values, quarantine = read_patents(landing_file(path))
    assert quarantine.empty
    def texts(column):
        return [None if pd.isna(v) else v for v in values[column]]

    assert texts("applicant_region_code") == ["130102", None]
    assert texts("abstract") == ["一种基于深度学习的图像识别方法", None]
    assert values["application_date"].tolist() == [dt.date(2019, 5, 1), dt.date(2019, 5, 2)]


def test_load_writes_raw_patents_and_quarantine_in_duckdb(tmp_path):
    folder = tmp_path / "landing" / "patents"
    path = write_csv(folder / "demo.csv", DEMO_HEADER, DEMO_ROWS, "gbk")
    con, stats = _load(tmp_path, [path])
    assert stats["rows"] == len(GOOD_ROWS) and stats["quarantined"] == len(BAD_ROWS)
    columns = [r[0] for r in con.execute("DESCRIBE raw.patents").fetchall()]
    assert columns == [*schema.PATENTS, "patent_key", "loaded_at"]
    rows = con.execute("SELECT source_row FROM raw.patents ORDER BY source_row").fetchall()
    assert [r[0] for r in rows] == GOOD_ROWS
    keys = con.execute("SELECT count(DISTINCT patent_key) FROM raw.patents").fetchone()[0]
    assert keys == len(GOOD_ROWS)
    reasons = dict(con.execute(
        "SELECT CAST(source_row AS INTEGER), reason FROM quality.quarantine "
        "WHERE target_table = 'raw.patents'").fetchall())
    assert reasons == BAD_ROWS


def test_newest_file_wins_per_application_number(tmp_path):
    import os

    folder = tmp_path / "landing" / "patents"
    old = write_csv(folder / "a_old.csv", ["申请号", "申请日", "名称", "IPC分类号"], [
        ["CN1", "2015-01-01", "旧标题", "G06F 17/30"],
        ["CN2", "2015-01-02", "只在旧文件", "B21D 22/02"],
    ], "utf-8")
    frame = pd.DataFrame({
        "Application Number": ["CN1", "CN3"],
        "Application Date": [dt.date(2015, 1, 1), dt.date(2015, 1, 3)],
        "Title": ["新标题", "只在新文件"],
        "IPC": ["G06F 17/30;H04L 29/08", "A01B 1/00"],
    })
    new = folder / "z_new.parquet"
    frame.to_parquet(new)
    os.utime(old, ns=(1_000_000_000, 1_000_000_000))  # the CSV is older than the Parquet
    con, stats = _load(tmp_path, [old, new])
    titles = dict(con.execute("SELECT application_number, title FROM raw.patents").fetchall())
    assert titles == {"CN1": "新标题", "CN2": "只在旧文件", "CN3": "只在新文件"}
    assert stats["superseded"] == {"patents/a_old.csv": 1}
    # the same files with the opposite precedence: the CSV's record wins
    con, stats = _load(tmp_path, [old, new],
                       precedence=["patents/a_old.csv", "patents/z_new.parquet"])
    titles = dict(con.execute("SELECT application_number, title FROM raw.patents").fetchall())
    assert titles["CN1"] == "旧标题"
    assert stats["superseded"] == {"patents/z_new.parquet": 1}


def test_count_patents_matches_read_patents(demo_extract):
    from orchestration.ingest.patents import count_patents

    values, quarantine = read_patents(demo_extract)
    assert count_patents(demo_extract) == (len(values), len(quarantine))


def _parquet(path: Path, numbers: list[str], dates: list, ipc: list[str],
             headers: tuple[str, str, str] = ("申请号", "申请日", "IPC分类号")) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    pd.DataFrame(dict(zip(headers, [numbers, dates, ipc], strict=True))).to_parquet(path)
    return path


def test_many_parquet_files_load_in_one_pass_with_stable_keys(tmp_path):
    """Files with the same columns share one scan, a file with other headers has its own;
    every row keeps its own file's provenance, bad rows go to quarantine with it, and
    patent_key = file index (relative-path order) << 32 | record number in the file."""
    folder = tmp_path / "landing" / "patents"
    day = dt.date(2020, 1, 1)
    files = [
        _parquet(folder / "a.parquet", ["CN1", "CN2"], [day, day], ["G06F 17/30", "A01B 1/00"]),
        _parquet(folder / "b.parquet", ["CN3", None, "CN4"], [day, day, None],
                 ["B21D 22/02", "G06N 3/08", "H04L 29/08"]),
        _parquet(folder / "c.parquet", ["CN5"], ["2020-01-05"], ["G06T 7/00"],
                 headers=("Application Number", "Application Date", "IPC")),
    ]
    con, stats = _load(tmp_path, files)
    rows = con.execute("""
        SELECT source_file, source_row, application_number, application_date, patent_key
        FROM raw.patents ORDER BY patent_key""").fetchall()
    assert rows == [
        ("patents/a.parquet", 2, "CN1", day, 0), ("patents/a.parquet", 3, "CN2", day, 1),
        ("patents/b.parquet", 2, "CN3", day, 1 << 32),
        ("patents/c.parquet", 2, "CN5", dt.date(2020, 1, 5), 2 << 32),
    ]
    bad = con.execute("""
        SELECT source_file, source_row, reason FROM quality.quarantine
        WHERE target_table = 'raw.patents' ORDER BY source_row""").fetchall()
    assert bad == [("patents/b.parquet", 3, "empty application number"),
                   ("patents/b.parquet", 4, "missing application date")]
    assert {k: v["loaded"] for k, v in stats["per_file"].items()} == {
        "patents/a.parquet": 2, "patents/b.parquet": 1, "patents/c.parquet": 1}
    assert stats["per_file"]["patents/b.parquet"]["quarantined"] == 2
    # the same files in another order give the same keys
    con, _ = _load(tmp_path, files[::-1])
    assert con.execute("SELECT application_number, patent_key FROM raw.patents "
                       "ORDER BY patent_key").fetchall() == [(r[2], r[4]) for r in rows]


def test_newest_file_wins_among_files_of_one_scan(tmp_path):
    import os

    folder = tmp_path / "landing" / "patents"
    day = dt.date(2020, 1, 1)
    old = _parquet(folder / "old.parquet", ["CN1", "CN2", "CN2"], [day] * 3,
                   ["A01B 1/00", "A01B 1/02", "A01B 1/03"])
    new = _parquet(folder / "new.parquet", ["CN2", "CN9"], [day] * 2, ["G06F 17/30", "H04L 29/08"])
    os.utime(old, ns=(1_000_000_000, 1_000_000_000))
    con, stats = _load(tmp_path, [old, new])
    rows = con.execute("SELECT application_number, ipc_codes FROM raw.patents "
                       "ORDER BY 1, 2").fetchall()
    assert rows == [("CN1", "A01B 1/00"), ("CN2", "G06F 17/30"), ("CN9", "H04L 29/08")]
    assert stats["superseded"] == {"patents/old.parquet": 2}
    assert stats["rows"] == 3


def test_text_columns_are_stored_uncompressed_unless_asked(tmp_path):
    import duckdb

    from orchestration.ingest.patent_load import load_patent_files

    folder = tmp_path / "landing" / "patents"
    path = _parquet(folder / "a.parquet", [f"CN{i}" for i in range(3000)],
                    [dt.date(2020, 1, 1)] * 3000, ["G06F 17/30"] * 3000)
    for compress, expected in ((False, {"Uncompressed"}), (True, None)):
        con = duckdb.connect(str(tmp_path / f"w{compress}.duckdb"))
        load_patent_files(con, [landing_file(path)], compress_text=compress)
        con.execute("CHECKPOINT")
        methods = {r[0] for r in con.execute(
            "SELECT DISTINCT compression FROM pragma_storage_info('raw.patents') "
            "WHERE column_name = 'ipc_codes' AND segment_type = 'VARCHAR'").fetchall()}
        if expected:
            assert methods == expected
        else:
            assert "Uncompressed" not in methods
        # the session's own setting is restored
        assert con.execute("SELECT current_setting('disabled_compression_methods')"
                           ).fetchone()[0] in ("", None)
        con.close()


@pytest.mark.parametrize(("value", "expected"), [
    (None, False), ("", False), ("0", False), ("false", False), ("No", False),
    ("1", True), ("true", True), (" YES ", True)])
def test_compressed_patent_text_is_a_setting(monkeypatch, value, expected):
    from orchestration import paths

    if value is None:
        monkeypatch.delenv("DRI_PATENTS_COMPRESS_TEXT", raising=False)
    else:
        monkeypatch.setenv("DRI_PATENTS_COMPRESS_TEXT", value)
    assert paths.patents_compress_text() is expected


def test_a_bad_compression_setting_is_refused_by_name(monkeypatch):
    from orchestration import paths

    monkeypatch.setenv("DRI_PATENTS_COMPRESS_TEXT", "maybe")
    with pytest.raises(ValueError, match="DRI_PATENTS_COMPRESS_TEXT='maybe'"):
        paths.patents_compress_text()
