"""Region names become codes with the year; the rest is quarantined with candidates."""

from __future__ import annotations

import pandas as pd

from orchestration.ingest import schema
from orchestration.ingest.normalize import attach_region_codes
from orchestration.ingest.regions import load_aliases


def _values(rows: list[tuple[str, int]]) -> pd.DataFrame:
    frame = pd.DataFrame(rows, columns=["region_name", "year"])
    for i, column in enumerate(schema.PROVENANCE):
        frame[column] = [f"{column}{i}"] * len(frame) if column != "source_row" else range(
            2, 2 + len(frame))
    frame["value"] = 1.0
    return frame


def test_matched_unmatched_and_year_dependent_names() -> None:
    values = _values([("石家庄市", 2015), ("巢湖市", 2010), ("巢湖市", 2012), ("火星市", 2015),
                      ("襄樊市", 2010)])
    out, quarantine = attach_region_codes(values, load_aliases(), "raw.t", level="prefecture")
    assert out[["region_name", "region_code"]].values.tolist() == [
        ["石家庄市", "130100"], ["巢湖市", "341400"], ["襄樊市", "420600"]]
    assert list(quarantine.columns) == schema.QUARANTINE
    assert quarantine["value_text"].tolist() == ["巢湖市", "火星市"]
    assert quarantine["source_row"].tolist() == [4, 5]
    assert "unmatched region name '巢湖市' in 2012" in quarantine["reason"].iloc[0]
    assert "341400" in quarantine["reason"].iloc[0]  # the near match is offered
    assert len(out) + len(quarantine) == len(values)
