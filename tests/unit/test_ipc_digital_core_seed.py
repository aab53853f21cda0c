"""The seed ref_ipc_digital_core.csv against the CNIPA 2023 table itself.

The seed comes from a pdfplumber parse of the official PDF (cnipa_digital_core_ipc_2023/ of the
reference collection). These tests re-read the independent `pdftotext -layout` dump of the same
PDF, whose table part ships in tests/data/cnipa_digital_core_ipc_2023/ (SOURCE.md there), with
a different method (a line scan: a 6-digit 小类 code opens a sub-class, every IPC-like token
after it belongs to it) and require the seed to hold exactly those entries, in
the printed order, repeats included.
"""

from __future__ import annotations

import re
from collections import defaultdict
from pathlib import Path

import pandas as pd
import pytest

ROOT = Path(__file__).resolve().parents[2]
SEED = ROOT / "dbt_project" / "seeds" / "ref_ipc_digital_core.csv"
REFERENCE = ROOT / "tests" / "data" / "cnipa_digital_core_ipc_2023"
DUMP = REFERENCE / "cnipa_2023_digital_core_ipc_pdftotext_table.txt"

TABLE_HEADING = "五、数字经济核心产业分类与国际专利分类参照关系表"
MINOR_CODE = re.compile(r"(?<!\d)(0[1-4]\d{4})(?!\d)")
# Deliberately looser than a valid IPC code (one or two leading letters) so that a malformed
# token such as GC23C16* is picked up as a token, not silently read as C23C16*.
IPC_TOKEN = re.compile(r"(?<![A-Za-z0-9])([A-Z]{1,2}\d{2}[A-Z](?:\d{1,4}(?:/\d{1,6})?)?\*?)")
VALID_ENTRY = re.compile(r"[A-H]\d{2}[A-Z](?:\d{1,4}(?:/\d{2,6})?)?\*?")


def _entries_in_dump() -> dict[str, list[str]]:
    text = DUMP.read_text(encoding="utf-8")
    table = text[text.index(TABLE_HEADING):]
    entries: dict[str, list[str]] = defaultdict(list)
    current = None
    for line in table.splitlines():
        # the 小类 code and the first IPC entries share a line; order them by column
        hits = [(m.start(), "minor", m.group(1)) for m in MINOR_CODE.finditer(line)]
        hits += [(m.start(), "ipc", m.group(1)) for m in IPC_TOKEN.finditer(line)]
        for _, kind, value in sorted(hits):
            if kind == "minor":
                current = value
                entries[current]  # noqa: B018 - a sub-class with no entry would still show
            else:
                assert current is not None, f"IPC token {value} before any sub-class"
                entries[current].append(value)
    return dict(entries)


@pytest.fixture(scope="module")
def dump() -> dict[str, list[str]]:
    return _entries_in_dump()


@pytest.fixture(scope="module")
def seed() -> pd.DataFrame:
    frame = pd.read_csv(SEED, dtype=str, keep_default_na=False)
    frame["seq"] = frame["seq"].astype(int)
    return frame.sort_values(["minor_code", "seq"])


def test_dump_has_the_86_sub_classes_of_4_major_and_15_mid_classes(dump):
    assert len(dump) == 86
    assert {code[:2] for code in dump} == {"01", "02", "03", "04"}
    assert len({code[:4] for code in dump}) == 15
    assert all(dump.values()), "a sub-class with no IPC entry"


def test_seed_has_every_entry_of_the_dump_per_sub_class_in_order(dump, seed):
    assert set(seed["minor_code"]) == set(dump)
    for minor, rows in seed.groupby("minor_code"):
        assert list(rows["ipc_raw"]) == dump[minor], minor
        assert list(rows["seq"]) == list(range(1, len(rows) + 1)), minor
    assert len(seed) == sum(len(v) for v in dump.values())


def test_codes_hierarchy_consistent(seed):
    assert (seed["minor_code"].str[:4] == seed["mid_code"]).all()
    assert (seed["mid_code"].str[:2] == seed["major_code"]).all()
    assert seed.groupby("minor_code")["minor_name"].nunique().eq(1).all()


def test_prefix_wildcard_and_level_agree_with_the_printed_entry(seed):
    assert (seed["ipc_prefix"] == seed["ipc_raw"].str.rstrip("*")).all()
    starred = seed["ipc_raw"].str.endswith("*").map({True: "1", False: "0"})
    assert (seed["wildcard"] == starred).all()
    valid = seed[seed["flag"] == ""]
    level = valid["ipc_prefix"].map(
        lambda p: "subclass" if len(p) == 4
        else "main_group" if "/" not in p or p.endswith("/00")
        else "group"
    )
    assert (level == valid["level"]).all()
    dup = seed.duplicated(["minor_code", "ipc_raw"]).map({True: "1", False: "0"})
    assert (dup == seed["duplicate_in_minor"]).all()


def test_the_malformed_entry_is_the_only_invalid_one_and_is_flagged(seed):
    invalid = seed[~seed["ipc_raw"].str.fullmatch(VALID_ENTRY)]
    assert list(invalid["ipc_raw"]) == ["GC23C16*"]
    assert list(invalid["minor_code"]) == ["010501"]
    assert list(seed.loc[seed["flag"] != "", "ipc_raw"]) == ["GC23C16*"]
    assert (seed.loc[seed["flag"] != "", "flag"] == "malformed_in_source").all()
    # dropping it loses nothing: the intended C23C16* is listed in the same sub-class
    assert "C23C16*" in set(seed.loc[seed["minor_code"] == "010501", "ipc_raw"])


def test_quirks_listed_in_source_txt_are_present(seed):
    in_010501 = list(seed.loc[seed["minor_code"] == "010501", "ipc_raw"])
    # printed as C23C16*、H01L*、G03F*、GC23C16*、H01L*、G03F*
    assert in_010501[:6] == ["C23C16*", "H01L*", "G03F*", "GC23C16*", "H01L*", "G03F*"]
    assert "H01Q" in set(seed.loc[seed["minor_code"] == "010302", "ipc_raw"])
    starless_subclasses = seed[(seed["wildcard"] == "0") & (seed["level"] == "subclass")]
    assert list(starless_subclasses["ipc_raw"]) == ["H01Q"]
    # no subgroup entry carries '*' (one would need the IPC dot hierarchy to expand)
    assert not ((seed["wildcard"] == "1") & seed["ipc_prefix"].str.contains("/")).any()
