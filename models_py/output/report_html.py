"""One self-contained HTML report per study: spec, data provenance, tables, figures.

No external resources (no CDN, no web fonts): the style is inline and the figures are
embedded as data URIs, so the file opens offline and can be mailed as it is. When any
input is synthetic a banner says so at the top of the page and, in print, at the top of
every printed page.
"""

from __future__ import annotations

import base64
import html
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from models_py.output.table_cells import display_cells, has_row_labels, regression_blocks

SYNTHETIC_BANNER = ("SYNTHETIC DATA — these results are computed from simulated demo inputs "
                    "with known true effects, not from real statistics.")

_STYLE = """
body { font-family: Georgia, 'Times New Roman', 'Songti SC', serif; margin: 2em auto;
       max-width: 60em; padding: 0 1em; color: #222; }
.banner { background: #b00020; color: #fff; font-weight: bold; padding: .6em 1em;
          text-align: center; position: sticky; top: 0; z-index: 10; }
table.paper { border-collapse: collapse; margin: 1em 0; font-size: .92em; }
table.paper caption { text-align: left; font-weight: bold; padding-bottom: .4em; }
table.paper thead tr:first-child th { border-top: 2px solid #000; }
table.paper thead tr:last-child th { border-bottom: 1px solid #000; }
table.paper tbody tr:last-child td { border-bottom: 2px solid #000; }
table.paper tr.stats-start td { border-top: 1px solid #000; }
table.paper th, table.paper td { padding: .15em .8em; text-align: center; }
table.paper th.label, table.paper td.label { text-align: left; }
table.meta { border-collapse: collapse; font-size: .85em; }
table.meta th, table.meta td { border: 1px solid #ccc; padding: .2em .5em; text-align: left; }
p.note { font-size: .85em; margin: .2em 0; }
pre.spec { background: #f6f6f6; padding: 1em; overflow-x: auto; font-size: .85em; }
figure img { max-width: 100%; }
code { font-size: .9em; }
@media print { .banner { position: fixed; top: 0; left: 0; right: 0; }
               body { margin-top: 3em; } section { page-break-inside: avoid; } }
"""


@dataclass(frozen=True)
class ReportTable:
    name: str
    title: str
    frame: pd.DataFrame
    notes: list[str] = field(default_factory=list)
    regression: bool = False
    files: dict[str, str] = field(default_factory=dict)  # format -> relative path


@dataclass(frozen=True)
class ReportFigure:
    title: str
    path: Path


def _e(text: object) -> str:
    return html.escape(str(text), quote=True)


def table_html(table: ReportTable, digits: int = 3) -> str:
    """The table as HTML with booktabs-like rules (top, header, statistics, bottom)."""
    cells = display_cells(table.frame, digits)
    labels = has_row_labels(table.frame)
    stats_start = regression_blocks(table.frame)[0] if table.regression else -1
    head = ([f'<th class="label">{_e(table.frame.index.name or "")}</th>'] if labels else [])
    head += [f"<th>{_e(c)}</th>" for c in cells.columns]
    rows = []
    for i, (label, row) in enumerate(zip(cells.index, cells.itertuples(index=False),
                                         strict=True)):
        cls = ' class="stats-start"' if i == stats_start and i > 0 else ""
        tds = [f'<td class="label">{_e(label)}</td>'] if labels else []
        tds += [f"<td>{_e(v)}</td>" for v in row]
        rows.append(f"<tr{cls}>{''.join(tds)}</tr>")
    return (f'<table class="paper"><caption>{_e(table.title)}</caption>'
            f"<thead><tr>{''.join(head)}</tr></thead><tbody>{''.join(rows)}</tbody></table>")


def _figure_html(figure: ReportFigure) -> str:
    data = base64.b64encode(Path(figure.path).read_bytes()).decode("ascii")
    return (f'<figure><img alt="{_e(figure.title)}" src="data:image/png;base64,{data}">'
            f"<figcaption>{_e(figure.title)} (<code>{_e(Path(figure.path).name)}</code>)"
            "</figcaption></figure>")


def provenance_html(landing: pd.DataFrame) -> str:
    """The landing files the inputs came from: file, kind, sha256, synthetic flag."""
    if landing.empty:
        return "<p>No landing files recorded (raw.landing_files is empty).</p>"
    columns = list(landing.columns)
    head = "".join(f"<th>{_e(c)}</th>" for c in columns)
    body = "".join(
        "<tr>" + "".join(f"<td>{_e('' if pd.isna(v) else v)}</td>" for v in row) + "</tr>"
        for row in landing.itertuples(index=False)
    )
    return f'<table class="meta"><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>'


def render_report(
    study: str,
    title: str,
    spec_text: str,
    landing: pd.DataFrame,
    tables: list[ReportTable],
    figures: list[ReportFigure],
    synthetic: bool,
    generated: str = "",
) -> str:
    """The whole report as one HTML document.

    Args:
        study: study id (the spec file's stem).
        title: the study's title.
        spec_text: the specification as written (YAML), shown verbatim.
        landing: the current landing files (columns such as source_file, kind,
            source_sha256, synthetic); shown as the data provenance.
        tables: every table of the study, in order.
        figures: PNG files to embed.
        synthetic: whether any input is synthetic; adds the banner.
        generated: a timestamp or build id to print (optional).
    """
    banner = f'<div class="banner">{_e(SYNTHETIC_BANNER)}</div>' if synthetic else ""
    toc = "".join(f'<li><a href="#{_e(t.name)}">{_e(t.title)}</a></li>' for t in tables)
    sections = []
    for t in tables:
        notes = "".join(f'<p class="note">{_e(n)}</p>' for n in t.notes if n.strip())
        files = " · ".join(f'<a href="{_e(p)}">{_e(fmt)}</a>' for fmt, p in t.files.items())
        sections.append(f'<section id="{_e(t.name)}">'
                        f"{table_html(t)}{notes}"
                        + (f'<p class="note">Files: {files}</p>' if files else "")
                        + "</section>")
    figure_html = "".join(_figure_html(f) for f in figures) or "<p>No figures.</p>"
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<title>{_e(title)}</title>
<style>{_STYLE}</style></head>
<body>
{banner}
<h1>{_e(title)}</h1>
<p>Study <code>{_e(study)}</code>{(" · generated " + _e(generated)) if generated else ""}.</p>
<h2>Contents</h2><ol>{toc}</ol>
<h2>Data provenance</h2>
<p>Inputs are the current landing files below (sha256 of the bytes read);
{"<strong>some inputs are SYNTHETIC</strong>" if synthetic else "no input is flagged synthetic"}.
</p>
{provenance_html(landing)}
<h2>Tables</h2>
{"".join(sections)}
<h2>Figures</h2>
{figure_html}
<h2>Specification</h2>
<pre class="spec">{_e(spec_text)}</pre>
{banner}
</body></html>
"""
