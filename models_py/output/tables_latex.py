"""LaTeX tables as esttab (``esttab using t.tex, booktabs``) lays them out.

    {\\def\\sym#1{\\ifmmode^{#1}\\else\\(^{#1}\\)\\fi}
    \\begin{table}[htbp]\\centering
    \\caption{Title}\\label{tab:study-table}
    \\begin{tabular}{l*{2}{c}}
    \\toprule
                    &\\multicolumn{1}{c}{(1)}&\\multicolumn{1}{c}{(2)}\\\\
                    &\\multicolumn{1}{c}{base}&\\multicolumn{1}{c}{controls}\\\\
    \\midrule
    x               &       0.123\\sym{***}&       0.118\\sym{**}\\\\
                    &     (0.031)         &     (0.047)        \\\\
    \\midrule
    N               &        2970         &        2970        \\\\
    \\bottomrule
    \\multicolumn{3}{l}{\\footnotesize Standard errors in parentheses}\\\\
    \\end{tabular}
    \\end{table}
    }

Needs only the booktabs package (Chinese labels: compile with xelatex + ctex).
"""

from __future__ import annotations

import re

import pandas as pd

from models_py.output.table_cells import display_cells, has_row_labels, regression_blocks

# Order matters: the backslash first, or the escapes of the others would be escaped again.
_SPECIALS = [
    ("\\", r"\textbackslash{}"),
    ("&", r"\&"),
    ("%", r"\%"),
    ("$", r"\$"),
    ("#", r"\#"),
    ("_", r"\_"),
    ("{", r"\{"),
    ("}", r"\}"),
    ("~", r"\textasciitilde{}"),
    ("^", r"\textasciicircum{}"),
]
# Characters that pdflatex without extra packages cannot set; xelatex would, but the
# plain forms work everywhere.
_UNICODE = {
    "²": r"\textsuperscript{2}",
    "−": "-",
    "–": "--",
    "—": "---",
    "×": r"$\times$",
    "≤": r"$\leq$",
    "≥": r"$\geq$",
    "±": r"$\pm$",
    # OT1 text fonts set < and > as inverted ! and ? ("p<0.1" would print "p¡0.1").
    "<": r"\textless{}",
    ">": r"\textgreater{}",
}
_STARS = re.compile(r"^(.*?)(\*+)$")
_NUMBERED = re.compile(r"^\((\d+)\)\s*(.*)$")
SYM_DEF = r"\def\sym#1{\ifmmode^{#1}\else\(^{#1}\)\fi}"


def latex_escape(text: object) -> str:
    """Text with LaTeX's special characters escaped, so it sets as printed."""
    out = str(text)
    placeholder = {}
    for i, (char, escaped) in enumerate(_SPECIALS):
        token = f"\x00{i}\x00"
        placeholder[token] = escaped
        out = out.replace(char, token)
    for token, escaped in placeholder.items():
        out = out.replace(token, escaped)
    for char, escaped in _UNICODE.items():
        out = out.replace(char, escaped)
    return out


def _cell(text: str, stars: bool) -> str:
    """An escaped cell; trailing significance stars go into \\sym{} as esttab writes them."""
    match = _STARS.match(text) if stars else None
    if match and match.group(1):
        return f"{latex_escape(match.group(1))}\\sym{{{match.group(2)}}}"
    return latex_escape(text)


def _line(parts: list[str]) -> str:
    """One tabular row. A row starting with "[" would be read as the optional argument
    of the previous row's \\\\ (a vertical skip), so it is shielded with {}."""
    text = " & ".join(parts)
    return ("{}" + text if text.startswith("[") else text) + r" \\"


def _header(columns: list[str], corner: str | None) -> list[str]:
    """esttab's two header lines "(1)" / model name when the columns are numbered,
    otherwise one line of column names."""
    numbered = [_NUMBERED.match(c) for c in columns]
    if all(numbered):
        lines = [[f"\\multicolumn{{1}}{{c}}{{({m.group(1)})}}" for m in numbered]]
        names = [m.group(2) for m in numbered]
        if any(names):
            lines.append([f"\\multicolumn{{1}}{{c}}{{{latex_escape(n)}}}" for n in names])
    else:
        lines = [[f"\\multicolumn{{1}}{{c}}{{{latex_escape(c)}}}" for c in columns]]
    if corner is None:  # no row-label column
        return [_line(line) for line in lines]
    first = [latex_escape(corner)] + [""] * (len(lines) - 1)
    return [_line([lead, *line]) for lead, line in zip(first, lines, strict=True)]


def to_latex(
    table: pd.DataFrame,
    title: str,
    notes: list[str],
    label: str | None = None,
    regression: bool = False,
    digits: int = 3,
) -> str:
    """A booktabs table (toprule / midrule / bottomrule) with the notes under the last rule.

    `regression=True` reads `table` in the layout of `models_py.output.tables.regression_table`
    (coefficient, then its standard error or t in parentheses on a row labelled "", then
    N, R², fixed-effect Yes/No rows): stars are set as superscripts and a midrule
    separates the statistics. Every label, cell, title and note is escaped.
    """
    cells = display_cells(table, digits)
    show_labels = has_row_labels(table)
    columns = [str(c) for c in cells.columns]
    n_cols = len(columns) + (1 if show_labels else 0)
    spec = ("l" if show_labels else "") + (f"*{{{len(columns)}}}{{c}}" if columns else "")

    header = _header(columns, str(table.index.name or "") if show_labels else None)
    body: list[str] = []
    split = regression_blocks(table)[0] if regression else len(cells)
    for i, (row_label, row) in enumerate(zip(cells.index, cells.itertuples(index=False),
                                             strict=True)):
        if regression and i == split and 0 < split < len(cells):
            body.append(r"\midrule")
        parts = [latex_escape(row_label)] if show_labels else []
        parts += [_cell(str(v), stars=regression) for v in row]
        body.append(_line(parts))

    lines = ["{" + SYM_DEF, r"\begin{table}[htbp]\centering"]
    caption = f"\\caption{{{latex_escape(title)}}}"
    if label:
        caption += f"\\label{{{re.sub(r'[^A-Za-z0-9:._-]', '-', label)}}}"
    lines += [caption, f"\\begin{{tabular}}{{{spec}}}", r"\toprule", *header, r"\midrule",
              *body, r"\bottomrule"]
    for note in notes:
        if note.strip():
            lines.append(f"\\multicolumn{{{n_cols}}}{{l}}{{\\footnotesize "
                         f"{latex_escape(note.strip())}}} \\\\")
    lines += [r"\end{tabular}", r"\end{table}", "}"]
    return "\n".join(lines) + "\n"
