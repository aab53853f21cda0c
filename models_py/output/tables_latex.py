"""LaTeX tables as esttab (``esttab using t.tex, booktabs``) lays them out.

    {\\def\\sym#1{\\ifmmode^{#1}\\else\\(^{#1}\\)\\fi}
    \\def\\drifit#1{...}
    \\begin{table}[htbp]\\centering
    \\caption{Title}\\label{tab:study-table}
    \\def\\dritable{\\begin{tabular}{l*{2}{c}}
    \\toprule
                    &\\multicolumn{1}{c}{(1)}&\\multicolumn{1}{c}{(2)}\\\\
                    &\\multicolumn{1}{c}{base}&\\multicolumn{1}{c}{controls}\\\\
    \\midrule
    x               &       0.123\\sym{***}&       0.118\\sym{**}\\\\
                    &     (0.031)         &     (0.047)        \\\\
    \\midrule
    N               &        2970         &        2970        \\\\
    \\bottomrule
    \\end{tabular}}%
    \\setbox0=\\hbox{\\dritable}%
    \\drifit{\\setbox0=\\hbox{\\footnotesize\\dritable}}% ... scriptsize, tiny
    \\dimen0=\\wd0 \\ifdim\\dimen0<0.6\\linewidth \\dimen0=0.6\\linewidth\\fi
    \\begin{minipage}{\\dimen0}\\centering\\box0
    \\par\\smallskip\\footnotesize\\raggedright
    Standard errors in parentheses\\par
    \\end{minipage}
    \\end{table}
    }

The notes wrap under the table as threeparttable's tablenotes would: the tabular is set in
box 0 (in a smaller size while it is wider than the text or taller than 3/4 of the page)
and the notes in a minipage as wide as the tabular (at least 0.6 of the text width,
so a narrow table does not squeeze them into a column), so a long note never widens the
table beyond the text block. Needs only the booktabs package (no threeparttable; Chinese
labels: compile with xelatex + ctex).
"""

from __future__ import annotations

import re

import pandas as pd

from models_py.output.table_cells import (
    display_cells,
    has_row_labels,
    regression_blocks,
    superscripts,
)

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
_SUPERSCRIPTS = "⁰¹²³⁴⁵⁶⁷⁸⁹⁻"
_SUPERSCRIPT_RUN = re.compile(f"[{_SUPERSCRIPTS}]+")
_STARS = re.compile(r"^(.*?)(\*+)$")
_NUMBERED = re.compile(r"^\((\d+)\)\s*(.*)$")
SYM_DEF = r"\def\sym#1{\ifmmode^{#1}\else\(^{#1}\)\fi}"
# Set the tabular (\dritable) in box 0 at normal size; while it is wider than the text or
# taller than 3/4 of the page, again in footnotesize, then in scriptsize with narrower
# column gaps, and as a last resort (the estimates of the panels missed) in tiny.
FIT_DEF = (r"\def\drifit#1{\ifdim\wd0>\linewidth #1\else\dimen0=\ht0 \advance\dimen0 by\dp0 "
           r"\ifdim\dimen0>0.75\textheight #1\fi\fi}")
FIT_WIDTH = (r"\setbox0=\hbox{\dritable}%" "\n"
             r"\drifit{\setbox0=\hbox{\footnotesize\dritable}}%" "\n"
             r"\drifit{\setbox0=\hbox{\scriptsize\tabcolsep=3pt\dritable}}%" "\n"
             r"\drifit{\setbox0=\hbox{\tiny\tabcolsep=2pt\dritable}}%")
# Estimated widths (Computer Modern 10pt): a character, the gaps around a column.
_PT_PER_CHAR = 5.0
_PT_PER_COL = 12.0
_EM_PER_CHAR = 0.5
_PT_PER_ROW = 12.0  # a tabular row at 10pt
_FLOAT_HEIGHT_PT = 480.0  # panels per float: an A4 article's text is about 550pt high
_PANEL_LIMIT_PT = 400.0  # about 1.15 x an A4 article's 345pt text width
_TEXT_WRAP = 24  # longer text cells wrap (a note column, a verdict)
_LABEL_WRAP = 34  # longer row labels wrap
_HEADER_MIN = 9  # longer column names wrap over at least this many characters
_NUMBER = re.compile(r"^[-+(\[]?[\d.,<>*\s\[\]()e+-]*$")
NOTES_WIDTH = r"\dimen0=\wd0 \ifdim\dimen0<0.6\linewidth \dimen0=0.6\linewidth\fi"


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
    # "diff²", "x⁻¹": one \textsuperscript per run of superscript characters
    digits = str.maketrans(_SUPERSCRIPTS, "0123456789-")
    return _SUPERSCRIPT_RUN.sub(
        lambda m: "\\textsuperscript{" + m.group(0).translate(digits) + "}", out)


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


def _wrap(text: str, em: float, align: str = r"\raggedright") -> str:
    """`text` (already escaped) in a top-aligned paragraph `em` wide, so it breaks lines."""
    return f"\\parbox[t]{{{em:g}em}}{{{align} {text}}}"


def _longest_word(text: str) -> int:
    return max((len(w) for w in str(text).split()), default=0)


def _header(columns: list[str], corner: str | None, widths: list[int]) -> list[str]:
    """esttab's two header lines "(1)" / model name when the columns are numbered,
    otherwise one line of column names. A name longer than its column's numbers wraps
    (centred, bottom-aligned) instead of widening the column."""

    def head(text: str, width: int) -> str:
        escaped = latex_escape(text)
        if len(text) > max(width, _HEADER_MIN):
            # never narrower than its longest word, which cannot break
            em = round(max(width, _HEADER_MIN, _longest_word(text) + 1) * _EM_PER_CHAR, 1)
            escaped = f"\\parbox[b]{{{em:g}em}}{{\\centering {escaped}}}"
        return f"\\multicolumn{{1}}{{c}}{{{escaped}}}"

    numbered = [_NUMBERED.match(c) for c in columns]
    if all(numbered):
        lines = [[head(f"({m.group(1)})", w) for m, w in zip(numbered, widths, strict=True)]]
        names = [m.group(2) for m in numbered]
        if any(names):
            lines.append([head(n, w) for n, w in zip(names, widths, strict=True)])
    else:
        lines = [[head(c, w) for c, w in zip(columns, widths, strict=True)]]
    if corner is None:  # no row-label column
        return [_line(line) for line in lines]
    first = [latex_escape(corner)] + [""] * (len(lines) - 1)
    return [_line([lead, *line]) for lead, line in zip(first, lines, strict=True)]


def _panels(label_chars: int, widths: list[int], limit: float) -> list[list[int]]:
    """Column indices split into panels whose estimated width (pt at 10pt) stays under
    `limit`: a table with 31 entity columns is printed as stacked panels, as by hand."""
    panels: list[list[int]] = [[]]
    used = _PT_PER_CHAR * label_chars + _PT_PER_COL if label_chars else 0.0
    start = used
    for j, width in enumerate(widths):
        need = _PT_PER_CHAR * width + _PT_PER_COL
        if panels[-1] and used + need > limit:
            panels.append([])
            used = start
        panels[-1].append(j)
        used += need
    return panels


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

    Width: the table must fit an A4 text block in a plain ``article``. Text cells wider
    than their column's numbers (at most `_TEXT_WRAP` characters in a column of text) and
    long row labels wrap in a ``\\parbox``, long column
    names wrap over their column, a table wider than about 1.15 text widths is split into
    stacked panels of columns (the header repeated), and in LaTeX the tabular is set in
    normal size, else footnotesize, else scriptsize with narrower column gaps (else, when
    the estimate missed, tiny), whichever first fits ``\\linewidth`` and 3/4 of
    ``\\textheight``. The notes wrap
    under it, as wide as the table. Panels taller than a page together go into several
    floats, the later ones captioned "(continued)" under the same table number.
    """
    cells = display_cells(table, digits)
    show_labels = has_row_labels(table)
    columns = [str(c) for c in cells.columns]

    # characters each column needs: its longest cell (a long text cell wraps at _TEXT_WRAP)
    # characters per column: its numbers (a text cell longer than that wraps, e.g. the
    # "Dependent variable" row of a regression table), or for a column of text only its
    # longest text up to _TEXT_WRAP; never narrower than a word that cannot break
    widths = []
    for j in range(len(columns)):
        values = [str(v) for v in cells.iloc[:, j]]
        numbers = [len(v) for v in values if _NUMBER.match(v)]
        texts = [v for v in values if v and not _NUMBER.match(v)]
        base = (max(numbers) if numbers and any(numbers)
                else min(max((len(v) for v in texts), default=0), _TEXT_WRAP))
        words = max((_longest_word(v) for v in texts), default=0)
        widths.append(max(base, min(words, _TEXT_WRAP), _HEADER_MIN if texts else 0))
    header_widths = [max(w, _HEADER_MIN) for w in widths]
    labels = [str(v) for v in cells.index] if show_labels else []
    label_chars = min(max((len(v) for v in labels), default=0), _LABEL_WRAP)
    if show_labels:
        label_chars = max(label_chars, len(str(table.index.name or "")), 1)
    panels = _panels(label_chars, header_widths, _PANEL_LIMIT_PT) if columns else [[]]
    n_data = max(len(p) for p in panels)
    spec = ("l" if show_labels else "") + (f"*{{{n_data}}}{{c}}" if n_data else "")

    def cell(j: int, value: str) -> str:
        text = _cell(value, stars=regression)
        if len(value) <= widths[j] or _NUMBER.match(value):
            return text
        chars = max(widths[j], _longest_word(value) + 1)
        return _wrap(text, round(chars * _EM_PER_CHAR, 1))

    def row_label(text: str) -> str:
        escaped = latex_escape(text)
        if len(text) > _LABEL_WRAP:
            chars = max(_LABEL_WRAP, _longest_word(text) + 1)
            return _wrap(escaped, round(chars * _EM_PER_CHAR, 1))
        return escaped

    split = regression_blocks(table)[0] if regression else len(cells)
    rows = list(zip(cells.index, cells.itertuples(index=False), strict=True))
    panel_lines: list[list[str]] = []
    for panel in panels:
        pad = [""] * (n_data - len(panel))
        header = _header([columns[j] for j in panel],
                         str(table.index.name or "") if show_labels else None,
                         [widths[j] for j in panel])
        if pad:
            header = [h.removesuffix(r" \\") + " & " * len(pad) + r" \\" for h in header]
        block = [*header, r"\midrule"]
        for i, (label_text, row) in enumerate(rows):
            if regression and i == split and 0 < split < len(cells):
                block.append(r"\midrule")
            parts = [row_label(str(label_text))] if show_labels else []
            parts += [cell(j, str(row[j])) for j in panel] + pad
            block.append(_line(parts))
        panel_lines.append(block)

    # Panels go into as many floats as their height needs: a float taller than the page
    # would run off it. The first float has the caption and label, the others "(continued)"
    # under the same number; the notes close the last.
    floats: list[list[list[str]]] = [[]]
    height = 0.0
    for block in panel_lines:
        need = _PT_PER_ROW * len(block)
        if floats[-1] and height + need > _FLOAT_HEIGHT_PT:
            floats.append([])
            height = 0.0
        floats[-1].append(block)
        height += need

    written = [latex_escape(superscripts(n.strip())) for n in notes if str(n).strip()]
    lines = ["{" + SYM_DEF, FIT_DEF]
    for k, chunk in enumerate(floats):
        lines.append(r"\begin{table}[htbp]\centering")
        if k == 0:
            caption = f"\\caption{{{latex_escape(title)}}}"
            if label:
                caption += f"\\label{{{re.sub(r'[^A-Za-z0-9:._-]', '-', label)}}}"
        else:
            caption = (f"\\addtocounter{{table}}{{-1}}\\caption{{{latex_escape(title)} "
                       "(continued)}")
        body = [line for b, block in enumerate(chunk)
                for line in ([r"\midrule"] if b else []) + block]
        lines += [caption, f"\\def\\dritable{{\\begin{{tabular}}{{{spec}}}", r"\toprule",
                  *body, r"\bottomrule", r"\end{tabular}}%", FIT_WIDTH]
        # The notes wrap in a minipage as wide as the tabular (box 0), at least 0.6
        # \linewidth: a long note can no longer stretch the table past the text block.
        lines += [NOTES_WIDTH, r"\begin{minipage}{\dimen0}\centering\box0"]
        if k == len(floats) - 1 and written:
            lines.append(r"\par\smallskip\footnotesize\raggedright")
            lines += [f"{note}\\par" for note in written]
        elif k < len(floats) - 1:
            lines.append(r"\par\smallskip\footnotesize\raggedright (continued)\par")
        lines += [r"\end{minipage}", r"\end{table}"]
    lines.append("}")
    return "\n".join(lines) + "\n"
