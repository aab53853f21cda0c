"""The project's own data-quality pages: one self-contained HTML index and a page per suite.

`write_quality_pages` turns validated suites (`validate.SuiteOutcome`) into

* `index.html`: every suite with its verdict and counts, then every failing expectation with
  its failing values, one table row per value (region, year, file, row and the other index
  columns the batch names), linking each suite's latest result;
* `results/<suite>.html`: that suite's latest validation, every expectation with its status,
  counts, observed value, notes and failing rows; `results/<suite>.json` the same data.

Everything is inline (CSS in a `<style>` element, no script, no image, no font): the pages
open from disk with no network, unlike the Great Expectations Data Docs, whose index loads
its styles and scripts from public CDNs. Pure: no Great Expectations or DuckDB import.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import asdict
from datetime import datetime
from html import escape
from pathlib import Path
from typing import Any

INDEX_FILE = "index.html"
RESULTS_DIR = "results"

# Index columns shown first, in this order, when a failing row has them.
_LEADING = (
    "region_code",
    "region_name",
    "city_code",
    "city_name",
    "province_code",
    "province_name",
    "year",
    "indicator_code",
    "scope",
    "source_file",
    "source_row",
)

_CSS = """
body { font-family: -apple-system, "Segoe UI", Roboto, "Noto Sans", "PingFang SC",
       "Microsoft YaHei", sans-serif; margin: 2em auto; max-width: 78em; padding: 0 1em;
       color: #222; line-height: 1.4; }
h1 { font-size: 1.6em; } h2 { font-size: 1.25em; margin-top: 1.8em; }
h3 { font-size: 1.05em; margin-top: 1.4em; }
table { border-collapse: collapse; margin: 0.6em 0 1.2em; font-size: 0.9em; }
th, td { border: 1px solid #ccc; padding: 0.25em 0.55em; text-align: left;
         vertical-align: top; }
th { background: #f2f2f2; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
.passed { color: #1a7f37; } .warning { color: #9a6700; font-weight: bold; }
.failed { color: #cf222e; font-weight: bold; } .skipped { color: #666; }
.banner { background: #fff3cd; border: 1px solid #e0c060; padding: 0.6em 1em;
          font-weight: bold; }
.note { color: #555; font-size: 0.9em; }
code { background: #f6f8fa; padding: 0 0.2em; }
"""


def anchor(label: str) -> str:
    """An HTML id for an expectation label (labels hold spaces, '#' and parentheses)."""
    return re.sub(r"[^A-Za-z0-9_.-]+", "-", label).strip("-")


def _e(value: object) -> str:
    return escape("" if value is None else str(value))


def _page(title: str, body: list[str]) -> str:
    return "\n".join(
        [
            "<!DOCTYPE html>",
            '<html lang="en">',
            "<head>",
            '<meta charset="utf-8">',
            f"<title>{_e(title)}</title>",
            f"<style>{_CSS}</style>",
            "</head>",
            "<body>",
            *body,
            "</body>",
            "</html>",
            "",
        ]
    )


def suite_verdict(outcome) -> tuple[str, str]:
    """(text, css class) of a validated suite, as quality_summary.md words it."""
    if outcome.failed_blocking:
        return f"FAILED ({len(outcome.failed_blocking)} blocking)", "failed"
    if outcome.failed_warning:
        return f"warning ({len(outcome.failed_warning)})", "warning"
    return "passed", "passed"


def _status(e) -> tuple[str, str]:
    if e.skipped:
        return "skipped", "skipped"
    if e.success:
        return "passed", "passed"
    return ("FAILED (blocking)", "failed") if e.blocking else ("failed (warning)", "warning")


def _value(value: object) -> str:
    if isinstance(value, float):
        return f"{value:.6g}"
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False, default=str)
    return "" if value is None else str(value)


def _rows_table(rows: list) -> list[str]:
    """Failing rows as a table, one row per failing value; the region, year, file and row
    columns first."""
    dicts = [r if isinstance(r, dict) else {"value": r} for r in rows]
    keys: list[str] = [k for k in _LEADING if any(k in r for r in dicts)]
    for r in dicts:
        keys += [k for k in r if k not in keys]
    out = ["<table>", "<tr>" + "".join(f"<th>{_e(k)}</th>" for k in keys) + "</tr>"]
    for r in dicts:
        cells = []
        for k in keys:
            v = r.get(k)
            num = ' class="num"' if isinstance(v, int | float) and not isinstance(v, bool) else ""
            cells.append(f"<td{num}>{_e(_value(v))}</td>")
        out.append("<tr>" + "".join(cells) + "</tr>")
    out.append("</table>")
    return out


def _found(e) -> str:
    if e.error:
        return e.error
    if e.skipped:
        return e.skipped
    if e.unexpected_count is not None:
        of = f" of {e.element_count:,}" if e.element_count else ""
        share = f" ({e.unexpected_percent:.3g}%)" if e.unexpected_percent is not None else ""
        return f"{e.unexpected_count:,}{of} rows unexpected{share}"
    if e.observed_value is not None:
        return f"observed {_value(e.observed_value)}"
    return ""


def result_file(outcome, ext: str = "html") -> str:
    """Path of a suite's result page relative to the index."""
    return f"{RESULTS_DIR}/{outcome.suite.name}.{ext}"


def _relations(outcome, batch_name: str) -> str:
    from orchestration.quality.gx_checks import relations

    batch = next((b for b in outcome.suite.batches if b.name == batch_name), None)
    return ", ".join(relations(batch.sql)) if batch is not None else ""


def _suite_page(outcome, source: str, written: str, synthetic: bool) -> str:
    name = outcome.suite.name
    verdict, css = suite_verdict(outcome)
    body = [
        f'<p><a href="../{INDEX_FILE}">All suites</a></p>',
        f'<h1>Suite {_e(name)}: <span class="{css}">{_e(verdict)}</span></h1>',
    ]
    if synthetic:
        body.append(
            '<p class="banner">SYNTHETIC DEMO DATA: the warehouse validated here was '
            "built from synthetic inputs.</p>"
        )
    where = outcome.suite.path.name if outcome.suite.path else ""
    body += [
        f"<p>Asset <code>{_e('/'.join(outcome.suite.asset_key))}</code>; suite file "
        f"<code>expectations/{_e(where)}</code>; validated {_e(written)} on "
        f"<code>{_e(source)}</code>.</p>"
    ]
    if outcome.suite.description:
        body.append(f"<p>{_e(outcome.suite.description)}</p>")
    body += [
        "<h2>Batches</h2>",
        "<table><tr><th>batch</th><th>reads</th><th>rows</th><th>error</th></tr>",
    ]
    for b in outcome.batches:
        rows = "" if b.rows is None else f"{b.rows:,}"
        body.append(
            f"<tr><td>{_e(b.name)}</td><td>{_e(_relations(outcome, b.name))}</td>"
            f'<td class="num">{rows}</td><td>{_e(b.error)}</td></tr>'
        )
    body += [
        "</table>",
        "<h2>Expectations</h2>",
        "<table><tr><th>status</th><th>expectation</th><th>type</th><th>blocking</th>"
        "<th>found</th><th>notes</th></tr>",
    ]
    for e in outcome.expectations:
        status, scss = _status(e)
        rows_link = f' (<a href="#{anchor(e.label)}">rows</a>)' if e.failing_rows else ""
        body.append(
            f'<tr><td class="{scss}">{_e(status)}</td><td>{_e(e.label)}</td>'
            f"<td>{_e(e.type)}</td><td>{'yes' if e.blocking else 'no'}</td>"
            f"<td>{_e(_found(e))}{rows_link}</td><td>{_e(e.notes)}</td></tr>"
        )
    body.append("</table>")
    for e in outcome.expectations:
        if e.failing_rows:
            body += [
                f'<h3 id="{anchor(e.label)}">{_e(e.label)}: failing rows '
                f"(first {len(e.failing_rows)})</h3>",
                *_rows_table(e.failing_rows),
            ]
    if outcome.previous_build:
        body += (
            ["<h2>Previous build</h2>", "<table>"]
            + [
                f'<tr><th>{_e(k)}</th><td class="num">{_e(_value(v))}</td></tr>'
                for k, v in outcome.previous_build.items()
            ]
            + ["</table>"]
        )
    body.append(f'<p class="note">Raw result: <a href="{_e(name)}.json">{_e(name)}.json</a></p>')
    return _page(f"Data quality: {name}", body)


def _suite_json(outcome, source: str, written: str) -> str:
    verdict, _ = suite_verdict(outcome)
    data: dict[str, Any] = {
        "suite": outcome.suite.name,
        "asset": "/".join(outcome.suite.asset_key),
        "verdict": verdict,
        "validated_at": written,
        "database": source,
        "batches": [asdict(b) for b in outcome.batches],
        "expectations": [asdict(e) for e in outcome.expectations],
        "previous_build": outcome.previous_build,
    }
    return json.dumps(data, ensure_ascii=False, indent=1, default=str)


def write_quality_pages(
    outcomes: Sequence,
    out_dir: Path,
    source: str,
    *,
    synthetic: bool = False,
    gx_index: Path | None = None,
    summary_file: str | None = None,
) -> Path:
    """Write `index.html` and `results/<suite>.html|json` for `outcomes` under `out_dir`;
    returns the index path. `gx_index` (the GX Data Docs index, if built) and `summary_file`
    (quality_summary.md beside the index) are linked when given."""
    out_dir = Path(out_dir)
    results = out_dir / RESULTS_DIR
    results.mkdir(parents=True, exist_ok=True)
    for stale in results.glob("*"):
        if stale.is_file():
            stale.unlink()
    written = datetime.now().strftime("%Y-%m-%d %H:%M:%S")
    for outcome in outcomes:
        (out_dir / result_file(outcome)).write_text(
            _suite_page(outcome, source, written, synthetic), encoding="utf-8"
        )
        (out_dir / result_file(outcome, "json")).write_text(
            _suite_json(outcome, source, written), encoding="utf-8"
        )

    failed = sum(bool(o.failed_blocking) for o in outcomes)
    warned = sum(bool(o.failed_warning) and not o.failed_blocking for o in outcomes)
    body = ["<h1>Data quality</h1>"]
    if synthetic:
        body.append(
            '<p class="banner">SYNTHETIC DEMO DATA: the warehouse validated here was '
            "built from synthetic inputs; the values below are not real statistics."
            "</p>"
        )
    body.append(
        f"<p>{len(outcomes)} Great Expectations suites (<code>expectations/</code>) "
        f"validated {_e(written)} on <code>{_e(source)}</code>: "
        f"{len(outcomes) - failed - warned} passed, {warned} with warnings, "
        f"{failed} failed.</p>"
    )
    body += [
        "<table><tr><th>suite</th><th>asset</th><th>verdict</th><th>expectations</th>"
        "<th>failed (blocking)</th><th>failed (warning)</th><th>skipped</th>"
        "<th>latest result</th></tr>"
    ]
    for o in outcomes:
        verdict, css = suite_verdict(o)
        body.append(
            f"<tr><td>{_e(o.suite.name)}</td><td><code>{_e('/'.join(o.suite.asset_key))}</code>"
            f'</td><td class="{css}">{_e(verdict)}</td>'
            f'<td class="num">{len(o.expectations)}</td>'
            f'<td class="num">{len(o.failed_blocking)}</td>'
            f'<td class="num">{len(o.failed_warning)}</td><td class="num">{len(o.skipped)}</td>'
            f'<td><a href="{_e(result_file(o))}">page</a> · '
            f'<a href="{_e(result_file(o, "json"))}">json</a></td></tr>'
        )
    body.append("</table>")

    failing = [(o, e) for o in outcomes for e in o.failed_blocking + o.failed_warning]
    body.append("<h2>Failing values</h2>")
    if not failing:
        body.append("<p>None: every expectation was met (or skipped, see each suite).</p>")
    for o, e in failing:
        status, css = _status(e)
        tables = _relations(o, e.batch)
        body += [
            f'<h3><a href="{_e(result_file(o))}#{anchor(e.label)}">{_e(o.suite.name)}</a>: '
            f'{_e(e.label)} <span class="{css}">{_e(status)}</span></h3>',
            f"<p>{_e(_found(e))} (batch <code>{_e(e.batch)}</code>"
            + (f" on {_e(tables)}" if tables else "")
            + ")</p>",
        ]
        if e.notes:
            body.append(f'<p class="note">{_e(e.notes)}</p>')
        if e.failing_rows:
            body += _rows_table(e.failing_rows)

    extras = []
    if summary_file:
        extras.append(
            f'<a href="{_e(summary_file)}">{_e(summary_file)}</a> (the same results '
            "as plain Markdown)"
        )
    if gx_index is not None:
        rel = gx_index.relative_to(out_dir).as_posix()
        extras.append(
            f'<a href="{_e(rel)}">Great Expectations Data Docs</a> (loads its styles '
            "and scripts from public CDNs: its index page is empty without internet)"
        )
    if extras:
        body.append('<p class="note">Also: ' + "; ".join(extras) + ".</p>")
    index = out_dir / INDEX_FILE
    index.write_text(_page("Data quality", body), encoding="utf-8")
    return index
