"""Readings kept between builds: reused only while the file, its sidecar and the readers are
unchanged, and the accounts come out the same as from a fresh read."""

from __future__ import annotations

import pandas as pd

from orchestration import workers
from orchestration.ingest import intake
from orchestration.ingest.readers import landing_file_for
from orchestration.ingest.reading_cache import ReadingCache
from tests.unit.test_ingest_real_shapes import ROWS, _csv, _xlsx


def _take(cache: ReadingCache, paths) -> intake.Intake:
    files = [landing_file_for(p, "city_yearbook") for p in paths]
    return intake.take_in(files, "city_yearbook", read=cache.read)


def test_unchanged_files_are_read_from_the_cache_with_the_same_result(tmp_path):
    page = _xlsx(tmp_path / "landing" / "ccsy_2021.xlsx")
    other = _csv(tmp_path / "landing" / "b_2021.csv", [["城市", "地区生产总值（万元）"],
                                                        ["石家庄市", 100]])
    fresh = _take(ReadingCache(tmp_path / "cache"), [page, other])
    cache = ReadingCache(tmp_path / "cache")
    again = _take(cache, [page, other])
    assert cache.hits == 2
    pd.testing.assert_frame_equal(fresh.values, again.values)
    pd.testing.assert_frame_equal(fresh.quarantine, again.quarantine)
    assert [r.lines() for r in fresh.reports.values()] == [r.lines() for r in
                                                            again.reports.values()]
    # the reading carries the file as it is now, not as it was when cached
    assert again.readings[next(iter(again.readings))].file.path == page


def test_a_changed_file_or_sidecar_is_read_again(tmp_path):
    page = _xlsx(tmp_path / "landing" / "ccsy_2021.xlsx")
    _take(ReadingCache(tmp_path / "cache"), [page])
    rows = [list(r) for r in ROWS]
    rows[7][1] = "7,000,000"  # 石家庄's revenue corrected
    _xlsx(page, rows=rows)
    cache = ReadingCache(tmp_path / "cache")
    taken = _take(cache, [page])
    assert cache.hits == 0
    assert 7_000_000.0 in taken.values["value"].tolist()

    page.with_name(page.name + ".meta.yml").write_text("synthetic: false\n", encoding="utf-8")
    cache = ReadingCache(tmp_path / "cache")
    _take(cache, [page])
    assert cache.hits == 0


def test_prune_keeps_only_what_the_build_read(tmp_path):
    a = _csv(tmp_path / "landing" / "a_2021.csv", [["城市", "地区生产总值（万元）"],
                                                    ["石家庄市", 100]])
    b = _csv(tmp_path / "landing" / "b_2021.csv", [["城市", "地区生产总值（万元）"],
                                                    ["唐山市", 100]])
    cache = ReadingCache(tmp_path / "cache")
    _take(cache, [a, b])
    assert len(list((tmp_path / "cache").glob("*.pickle"))) == 2
    b.unlink()
    cache = ReadingCache(tmp_path / "cache")
    _take(cache, [a])
    cache.prune("city_yearbook")
    assert cache.hits == 1
    assert len(list((tmp_path / "cache").glob("*.pickle"))) == 1


def test_a_damaged_entry_is_read_again(tmp_path):
    a = _csv(tmp_path / "landing" / "a_2021.csv", [["城市", "地区生产总值（万元）"],
                                                    ["石家庄市", 100]])
    _take(ReadingCache(tmp_path / "cache"), [a])
    (entry,) = (tmp_path / "cache").glob("*.pickle")
    entry.write_bytes(b"not a pickle")
    cache = ReadingCache(tmp_path / "cache")
    assert _take(cache, [a]).values["value"].tolist() == [100.0]
    assert cache.hits == 0


def test_the_ingest_check_fills_the_cache_the_landed_copy_reads(tmp_path):
    """`dri ingest` checks a file where the user has it; the refresh then reads the copy in
    the landing zone: the same bytes, sidecar and landing path, so it is read once."""
    import shutil

    from orchestration.ingest.inspect import check

    outside = _xlsx(tmp_path / "downloads" / "ccsy_2021.xlsx")
    cache = ReadingCache(tmp_path / "cache")
    checked = check(outside, "city_yearbook", read=cache.read)
    assert checked.report.error is None and checked.report.landed > 0 and cache.hits == 0
    landed = tmp_path / "landing" / "city_yearbook" / outside.name
    landed.parent.mkdir(parents=True)
    shutil.copy2(outside, landed)
    refresh = ReadingCache(tmp_path / "cache")
    taken = _take(refresh, [landed])
    assert refresh.hits == 1
    pd.testing.assert_frame_equal(taken.values, checked.taken.values)


def test_fill_reads_the_missing_files_in_workers_and_read_finds_them(tmp_path, monkeypatch):
    monkeypatch.setattr(workers, "cores", lambda: 2)  # workers even on one core
    page = _xlsx(tmp_path / "landing" / "ccsy_2021.xlsx")
    other = _csv(tmp_path / "landing" / "b_2021.csv", [["城市", "地区生产总值（万元）"],
                                                        ["石家庄市", 100]])
    broken = tmp_path / "landing" / "ccsy_2016.xlsx"
    broken.write_bytes(b"PK\x03\x04 not really a workbook")
    files = [landing_file_for(p, "city_yearbook") for p in (page, other, broken)]
    fresh = intake.take_in(files, "city_yearbook", read=ReadingCache(tmp_path / "fresh").read)

    cache = ReadingCache(tmp_path / "cache")
    cache.fill(files, "city_yearbook")
    assert len(list((tmp_path / "cache").glob("*.pickle"))) == 2  # the broken one is not
    filled = intake.take_in(files, "city_yearbook", read=cache.read)
    assert cache.hits == 0  # read this build (by the workers), not reused from an earlier one
    pd.testing.assert_frame_equal(fresh.values, filled.values)
    assert filled.failed == fresh.failed and set(filled.failed) == {files[2].relpath}
    assert [r.lines() for r in fresh.reports.values()] == [r.lines() for r in
                                                            filled.reports.values()]
