"""The worked example of README.md's models_py section runs as printed.

The ```python block of the section "The econometrics library (models_py)" is extracted and
executed in a fresh interpreter from the repository root; the ```text block after it (what
``print(fe)`` shows) must appear line by line in what the example prints. Only the shipped
data (models_py.datasets) are used, so a fresh clone runs it.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
HEADING = "## The econometrics library (models_py)"


def _section() -> str:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    assert HEADING in text, f"README.md lacks the section {HEADING!r}"
    body = text.split(HEADING, 1)[1]
    return re.split(r"^## ", body, maxsplit=1, flags=re.MULTILINE)[0]


def _blocks(section: str, language: str) -> list[str]:
    return re.findall(rf"^```{language}\n(.*?)^```", section, flags=re.MULTILINE | re.DOTALL)


@pytest.fixture(scope="module")
def example_output() -> str:
    code = _blocks(_section(), "python")
    assert len(code) == 1, "the section should hold exactly one python block"
    run = subprocess.run([sys.executable, "-c", code[0]], cwd=ROOT, capture_output=True,
                         text=True, timeout=600)
    assert run.returncode == 0, run.stderr[-3000:]
    return run.stdout


def test_readme_example_runs(example_output: str) -> None:
    assert "entity fixed effects" in example_output
    assert "Model:        pooled OLS" in example_output
    assert "gamma1" in example_output and "0.0157" in example_output
    assert "F test of no entity effects" in example_output


def test_readme_shows_what_the_example_prints(example_output: str) -> None:
    shown = _blocks(_section(), "text")
    assert shown, "the section should show the printed summary in a text block"
    printed = {line.rstrip() for line in example_output.splitlines()}
    for line in shown[0].splitlines():
        assert line.rstrip() in printed, f"README shows a line the example does not print: {line!r}"


def test_example_does_not_read_outside_the_repository() -> None:
    code = _blocks(_section(), "python")[0]
    assert "shared" not in code and "../" not in code
