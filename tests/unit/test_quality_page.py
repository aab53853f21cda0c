"""The project's quality pages (orchestration.quality.page) work offline.

Built from validation outcomes made here for every shipped suite (no Great Expectations run:
`test_quality_checks.test_data_docs_are_built_offline` runs the real validation), so the test
takes a fraction of a second. The page must be self-contained (no external resource), its
links must resolve to files it wrote, every suite must appear, and every failing value must
be a table row with its region, year, file and row.
"""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser
from pathlib import Path

from orchestration.quality.page import anchor, write_quality_pages
from orchestration.quality.suites import load_suites
from orchestration.quality.validate import BatchOutcome, ExpectationOutcome, SuiteOutcome

FAILING_ROWS = [
    {
        "region_code": "130100",
        "region_name": "石家庄市",
        "year": 2015,
        "indicator_code": "gdp",
        "scope": "全市",
        "source_file": "city_yearbook/ccsy_2015.xlsx",
        "source_row": 7,
        "value": 1.5e9,
    },
    {
        "region_code": "130200",
        "region_name": "唐山市",
        "year": 2016,
        "indicator_code": "gdp",
        "scope": "全市",
        "source_file": "city_yearbook/ccsy_2016.xlsx",
        "source_row": 12,
        "value": -3.0,
    },
]


class _Links(HTMLParser):
    """Every src / href / url() of a page, and the tags used."""

    def __init__(self) -> None:
        super().__init__()
        self.refs: list[str] = []
        self.tags: set[str] = set()

    def handle_starttag(self, tag, attrs) -> None:
        self.tags.add(tag)
        self.refs += [v for k, v in attrs if k in ("src", "href") and v]


def _outcomes() -> list[SuiteOutcome]:
    outcomes = []
    for n, suite in enumerate(load_suites()):
        expectations = []
        for batch in suite.batches:
            for i, spec in enumerate(batch.expectations, start=1):
                expectations.append(
                    ExpectationOutcome(
                        label=spec.label(batch.name, i),
                        batch=batch.name,
                        type=spec.type,
                        columns=spec.columns,
                        blocking=spec.blocking,
                        success=True,
                        element_count=100,
                        unexpected_count=0,
                        unexpected_percent=0.0,
                    )
                )
        if n == 0:  # one suite fails: a blocking expectation with two failing values
            first = expectations[0]
            first.success, first.blocking = False, True
            first.unexpected_count, first.unexpected_percent = 2, 2.0
            first.failing_rows = FAILING_ROWS
        if n == 1:  # another only warns, with an error instead of rows
            expectations[0].success, expectations[0].blocking = False, False
            expectations[0].error = 'column "x" does not exist'
        outcomes.append(
            SuiteOutcome(
                suite=suite,
                expectations=expectations,
                batches=[BatchOutcome(b.name, 100) for b in suite.batches],
            )
        )
    return outcomes


def _pages(root: Path) -> list[Path]:
    return sorted(root.rglob("*.html"))


def test_quality_pages_are_self_contained_and_link_every_suite(tmp_path) -> None:
    outcomes = _outcomes()
    (tmp_path / "quality_summary.md").write_text("# summary\n", encoding="utf-8")
    index = write_quality_pages(
        outcomes,
        tmp_path,
        "warehouse/dri.duckdb",
        synthetic=True,
        summary_file="quality_summary.md",
    )
    assert index == tmp_path / "index.html"
    pages = _pages(tmp_path)
    assert len(pages) == 1 + len(outcomes)
    for page in pages:
        html = page.read_text(encoding="utf-8")
        parser = _Links()
        parser.feed(html)
        # no external resource of any kind: no script, stylesheet link, image, frame or font
        assert not parser.tags & {"script", "link", "img", "iframe", "object", "embed"}, page
        assert not re.search(r"url\(|@import", html), page
        for ref in parser.refs:
            assert not re.match(r"[a-z]+:", ref), f"{page.name}: external reference {ref}"
            target = ref.split("#")[0]
            if target:  # every local link resolves to a file that was written
                assert (page.parent / target).resolve().is_file(), f"{page.name}: {ref}"
        assert "SYNTHETIC" in html

    index_html = index.read_text(encoding="utf-8")
    parser = _Links()
    parser.feed(index_html)
    for outcome in outcomes:  # every suite appears, linked to its latest result
        name = outcome.suite.name
        assert f"results/{name}.html" in parser.refs and f"results/{name}.json" in parser.refs
        data = json.loads((tmp_path / "results" / f"{name}.json").read_text(encoding="utf-8"))
        assert data["suite"] == name
        assert len(data["expectations"]) == len(outcome.expectations)
    assert "1 passed" not in index_html and "1 failed" in index_html
    assert f"{len(outcomes) - 2} passed, 1 with warnings, 1 failed" in index_html


def test_failing_values_are_rows_with_region_year_file_and_row(tmp_path) -> None:
    outcomes = _outcomes()
    index = write_quality_pages(outcomes, tmp_path, "db")
    html = index.read_text(encoding="utf-8")
    header = re.search(r"<tr>(<th>region_code</th>.*?)</tr>", html).group(1)
    columns = re.findall(r"<th>(\w+)</th>", header)
    # region, year, file and row lead, in that order, then the other columns
    assert columns[:7] == [
        "region_code",
        "region_name",
        "year",
        "indicator_code",
        "scope",
        "source_file",
        "source_row",
    ]
    assert columns[-1] == "value"
    for row in FAILING_ROWS:
        assert (
            f"<td>{row['region_name']}</td>" in html
            and f'<td class="num">{row["year"]}</td>' in html
            and f"<td>{row['source_file']}</td>" in html
            and f'<td class="num">{row["source_row"]}</td>' in html
        )
    # the suite page has them too, under the expectation's anchor the index links to
    failing = outcomes[0]
    label = anchor(failing.expectations[0].label)
    assert " " not in label and "#" not in label
    assert f"results/{failing.suite.name}.html#{label}" in html
    suite_html = (tmp_path / "results" / f"{failing.suite.name}.html").read_text(encoding="utf-8")
    assert f'id="{label}"' in suite_html and "ccsy_2016.xlsx" in suite_html
    assert "column &quot;x&quot; does not exist" in html  # an error shows where rows would


def test_a_rebuild_leaves_no_stale_result_page(tmp_path) -> None:
    outcomes = _outcomes()
    write_quality_pages(outcomes, tmp_path, "db")
    write_quality_pages(outcomes[:2], tmp_path, "db")
    assert len(list((tmp_path / "results").glob("*.html"))) == 2
