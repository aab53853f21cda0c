"""The bad-input corpus (tests/fixtures/bad/): each file gets one line naming it and saying
what is wrong, and `dri ingest` refuses it with a non-zero exit, copying nothing."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from orchestration.ingest.landing import IngestError
from orchestration.ingest.readers import guess_kind, validate
from tests.conftest import run_dri, warehouse_env

BAD = Path(__file__).resolve().parents[1] / "fixtures" / "bad"
EXPECTED = yaml.safe_load((BAD / "expected.yml").read_text(encoding="utf-8"))


def test_corpus_and_expectations_agree() -> None:
    files = {p.name for p in BAD.iterdir() if p.name != "expected.yml"}
    assert files == set(EXPECTED)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_each_file_gets_its_message(name: str) -> None:
    path, expected = BAD / name, EXPECTED[name]
    if expected.get("ok"):
        rows, _ = validate(path, guess_kind(path))
        assert rows > 0
        return
    with pytest.raises(IngestError) as info:
        validate(path, guess_kind(path))
    message = str(info.value)
    assert expected["message"] in message
    assert name in message  # the line names the file
    assert "\n" not in message.strip()


def test_dri_ingest_refuses_bad_files_and_copies_nothing(tmp_path) -> None:
    env = warehouse_env(tmp_path)
    bad = [str(BAD / n) for n, e in sorted(EXPECTED.items()) if not e.get("ok")]
    good = str(BAD / "patents_gbk.csv")
    proc = run_dri(env, "ingest", good, *bad, "--no-refresh")
    assert proc.returncode == 2
    rejected = [line for line in proc.stderr.splitlines() if line.startswith("rejected")]
    assert len(rejected) == len(bad)
    assert not (tmp_path / "warehouse" / "landing").exists()  # not even the good file
