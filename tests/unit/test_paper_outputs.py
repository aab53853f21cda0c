"""Paper outputs of every shipped study, built from simulated panels without the pipeline
(as tests/unit/test_studies_runner.py does): every .tex compiles in a plain A4 `article`
with no overfull box, numbers print as papers print them, the Hausman caveat reaches every
format, and a study's figures give a group one label and one colour.

The LaTeX check needs pdflatex (Debian: texlive-latex-base texlive-latex-recommended,
which .ci/run installs when missing). Under CI (DRI_CI set, as .ci/run does) a missing
engine fails the test; elsewhere it is skipped. Tables whose text is not ASCII would need
xelatex + ctex and are left out of the compile (the shipped studies' labels are ASCII).
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from dataclasses import replace
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from matplotlib.colors import to_hex

from models_py.output import estimates_tables, figures
from models_py.output.study_outputs import write_study_report, write_table_outputs
from models_py.specification import HausmanResult
from models_py.studies import runner
from models_py.studies.runner import StudyTable, prepare_panel, run_table
from models_py.studies.spec import SPEC_DIR, load_spec, required_columns, table_names
from tests.unit.test_studies_runner import city_panel, province_panel

STUDIES = ("paper002_city", "paper000_province", "paper004_province", "real_province_st")
ARTICLE = ("\\documentclass[a4paper]{article}\n\\usepackage{booktabs}\n"
           "\\begin{document}\n\\input{%s}\n\\end{document}\n")
SOURCE = "Source: 3 landing file(s)."


def real_panel() -> pd.DataFrame:
    """A panel with the real S&T study's columns (random positive values, 31 x 14)."""
    spec = load_spec(SPEC_DIR / "real_province_st.yml")
    rng = np.random.default_rng(3)
    n, years = 31, list(range(2010, 2024))
    panel = pd.DataFrame({"province_code": np.repeat([f"{i:02d}0000" for i in range(11, 42)],
                                                     len(years)), "year": years * n})
    for col in sorted(required_columns(spec) - {"province_code", "year"}):
        panel[col] = np.exp(rng.normal(2, 0.5, len(panel)))
    panel["region3"] = np.repeat(rng.permutation(["east", "central", "west"] * 11)[:n],
                                 len(years))
    panel["province_name_en"] = "Province " + panel["province_code"]
    return panel


@pytest.fixture(scope="module")
def panels() -> dict[str, pd.DataFrame]:
    province = province_panel()[0]
    return {"paper002_city": city_panel(), "paper000_province": province,
            "paper004_province": province, "real_province_st": real_panel()}


@pytest.fixture(scope="module")
def reports(tmp_path_factory, panels) -> Path:
    """reports/<study>/ of the four shipped studies (tables, figures, workbook, page)."""
    root = tmp_path_factory.mktemp("reports")
    for study in STUDIES:
        spec = load_spec(SPEC_DIR / f"{study}.yml")
        df = prepare_panel(spec, panels[study])
        synthetic = study != "real_province_st"
        for name in table_names(spec):
            write_table_outputs(run_table(spec, name, df), spec, root / study, SOURCE,
                                synthetic)
        write_study_report(spec, table_names(spec), root / study,
                           pd.DataFrame({"source_file": ["x.csv"], "synthetic": [synthetic]}),
                           synthetic, "title: t\n")
    return root


# --- LaTeX --------------------------------------------------------------------------------


def _pdflatex() -> str:
    engine = shutil.which("pdflatex")
    if engine is None:
        message = ("pdflatex is missing: apt-get install texlive-latex-base "
                   "texlive-latex-recommended (.ci/run does)")
        if os.environ.get("DRI_CI"):
            pytest.fail(message)
        pytest.skip(message)
    return engine


def compile_tex(engine: str, tex: Path, work: Path) -> tuple[int, str]:
    """Compile `tex` inside a plain A4 article; (return code, log)."""
    work.mkdir(parents=True, exist_ok=True)
    (work / "doc.tex").write_text(ARTICLE % tex.as_posix(), encoding="utf-8")
    proc = subprocess.run([engine, "-interaction=nonstopmode", "-halt-on-error", "doc.tex"],
                          cwd=work, capture_output=True, text=True, timeout=120)
    log = (work / "doc.log").read_text(encoding="utf-8", errors="replace")
    return proc.returncode, log


def test_every_study_table_compiles_in_an_a4_article_without_overfull_boxes(
        reports, tmp_path) -> None:
    engine = _pdflatex()
    compiled, failures = [], []
    for tex in sorted(reports.glob("*/*.tex")):
        text = tex.read_text(encoding="utf-8")
        if not text.isascii():  # Chinese labels: xelatex + ctex, not tested here
            continue
        code, log = compile_tex(engine, tex, tmp_path / tex.parent.name / tex.stem)
        # wider than the text, or a float taller than the page (it would run off it)
        boxes = re.findall(r"^(Overfull \\[hv]box .*|LaTeX Warning: Float too large.*)$", log,
                           flags=re.M)
        if code or boxes:
            failures.append(f"{tex.parent.name}/{tex.name}: exit {code}, {boxes[:2]}")
        compiled.append(f"{tex.parent.name}/{tex.stem}")
    assert not failures, "\n".join(failures)
    # the two tables of the issue, the 31-province table and every study are in the check
    assert {"paper002_city/mediation", "real_province_st/hausman",
            "paper000_province/by_province"} <= set(compiled)
    assert len(compiled) >= 30


def test_notes_wrap_under_the_table_instead_of_widening_it(reports) -> None:
    """No note is a \\multicolumn{..}{l} line (which sets it on one line as wide as the
    text): notes sit in a minipage as wide as the tabular, after \\box0."""
    for name in ("paper002_city/mediation.tex", "real_province_st/hausman.tex"):
        tex = (reports / name).read_text(encoding="utf-8")
        assert "{l}{\\footnotesize" not in tex
        table_part, notes_part = tex.split("\\begin{minipage}{\\dimen0}\\centering\\box0")
        assert "\\end{tabular}" in table_part and "\\end{minipage}" in notes_part
        assert "SYNTHETIC" in notes_part or "Real data" in notes_part
    # a table of a few columns stays one panel; 31 provinces are stacked panels
    def panels(name: str) -> int:  # header lines "(1) & (2) ..." of the panels
        tex = (reports / name).read_text(encoding="utf-8")
        return len(re.findall(r"^ & \\multicolumn\{1\}\{c\}\{\(\d+\)\}", tex, re.M))

    assert panels("paper002_city/mediation.tex") == panels("paper002_city/benchmark.tex") == 1
    assert 1 < panels("paper000_province/by_province.tex") < 31
    by_province = (reports / "paper000_province/by_province.tex").read_text(encoding="utf-8")
    # its panels are more than a page high: several floats, one table number, notes last
    floats = by_province.count("\\begin{table}")
    assert floats > 1 and by_province.count("(continued)}") == floats - 1
    assert by_province.count("{c}{(31)}") == 1
    assert by_province.rindex("SYNTHETIC DEMO") > by_province.rindex("\\begin{table}")


# --- numbers as papers print them -----------------------------------------------------


def test_counts_p_values_powers_and_esttab_statistics(reports) -> None:
    city = reports / "paper002_city"
    descriptive = (city / "descriptive.md").read_text(encoding="utf-8")
    observations = next(line for line in descriptive.splitlines()
                        if line.startswith("| Observations"))
    assert re.fullmatch(r"\| Observations( \| \d+)+ \|", observations), observations
    mediation = (city / "mediation.md").read_text(encoding="utf-8")
    assert "| Sobel p-value |  |  | <0.001 |" in mediation  # not 0.0000
    f_test = (reports / "paper000_province" / "f_test.md").read_text(encoding="utf-8")
    assert "| p-value | <0.001 |" in f_test  # a row named by the first column
    for row in ("Mean of dep. var.", "Clusters"):
        assert f"| {row} |" in mediation
    assert "| Clusters | 80 | 80 | 80 |" in mediation  # errors clustered by the 80 cities
    benchmark = (city / "benchmark.md").read_text(encoding="utf-8")
    assert "| Clusters | 80 | 80 | 80 | 80 |" in benchmark
    mean = re.search(r"\| Mean of dep\. var\. \| ([\d.]+) \|", benchmark).group(1)
    assert float(mean) == pytest.approx(5.77, abs=0.5)  # the panel's mean ln SEI revenue
    hausman = {fmt: (reports / "real_province_st" / f"hausman.{fmt}").read_text("utf-8")
               for fmt in ("md", "tex")}
    page = (reports / "real_province_st" / "index.html").read_text(encoding="utf-8")
    assert "diff² / (Var_FE − Var_RE)" in hausman["md"] and "diff² / (Var_FE" in page
    assert "diff\\textsuperscript{2} / (Var\\_FE" in hausman["tex"]
    for path in reports.glob("*/*.*"):
        if path.suffix in (".md", ".tex", ".html"):
            text = path.read_text(encoding="utf-8")
            assert not re.search(r"\w\^\d", text), f"a literal caret power in {path}"
            assert "0.0000" not in text.replace("<0.001", ""), path


# --- the Hausman caveat ---------------------------------------------------------------


def test_hausman_generalized_inverse_caveat_in_every_format(tmp_path, panels,
                                                            monkeypatch) -> None:
    """hausman() marks a V_FE - V_RE that is not positive definite in the test's name
    (stored in estimates.tests); the table's .md, .tex, .html and .xlsx say so in a note."""
    real = runner.hausman

    def rank_deficient(fe, re_):
        result = real(fe, re_)
        test = replace(result.test, df="2",
                       test="Hausman (V_FE - V_RE not positive definite: g-inverse)")
        return HausmanResult(test=test, comparison=result.comparison)

    monkeypatch.setattr(runner, "hausman", rank_deficient)
    spec = load_spec(SPEC_DIR / "real_province_st.yml")
    table = run_table(spec, "hausman", panels["real_province_st"])
    stored = estimates_tables.tests_frame(spec.id, table.name, table.tests, synthetic=False)
    assert "not positive definite" in stored.loc[0, "test"]
    out = tmp_path / spec.id
    write_table_outputs(table, spec, out, SOURCE, False)
    write_study_report(spec, ["hausman"], out, pd.DataFrame(), False, "")
    caveat = "not positive definite, so the statistic uses its generalized (Moore-Penrose)"
    for fmt in ("md", "tex", "json"):
        assert caveat in (out / f"hausman.{fmt}").read_text(encoding="utf-8"), fmt
    assert caveat in (out / "index.html").read_text(encoding="utf-8")
    from openpyxl import load_workbook

    cells = [c.value for row in load_workbook(out / f"{spec.id}.xlsx")["hausman"].iter_rows()
             for c in row if isinstance(c.value, str)]
    assert any(caveat in c for c in cells)
    # a full-rank test has no caveat
    plain = run_table(spec, "hausman", panels["real_province_st"]).notes
    monkeypatch.setattr(runner, "hausman", real)
    assert not any("Moore-Penrose" in n for n in run_table(
        spec, "hausman", panels["real_province_st"]).notes)
    assert any("Moore-Penrose" in n for n in plain)


# --- figures --------------------------------------------------------------------------


def _drawn(monkeypatch) -> dict[str, object]:
    """Capture every figure the study outputs save: {file name: Figure}."""
    drawn: dict[str, object] = {}
    save = figures._save

    def capture(fig, path, note):
        drawn[Path(path).name] = fig
        return save(fig, path, note)

    monkeypatch.setattr(figures, "_save", capture)
    return drawn


def _colours(fig) -> dict[str, str]:
    """Label -> colour of what a figure draws per group (legend entries, lines, points)."""
    ax = fig.axes[0]
    out = {}
    for handle, label in zip(*ax.get_legend_handles_labels(), strict=True):
        artist = handle.lines[0] if hasattr(handle, "lines") else handle
        colour = (artist.get_color() if hasattr(artist, "get_color")
                  else artist.get_facecolor())
        out[label] = to_hex(colour)
    legend = ax.get_legend()
    if legend is not None:
        for patch, text in zip(legend.legend_handles, legend.get_texts(), strict=True):
            if hasattr(patch, "get_facecolor") and not hasattr(patch, "get_xdata"):
                out[text.get_text()] = to_hex(patch.get_facecolor())
    return out


def test_one_palette_and_human_labels_per_grouping(tmp_path, panels, monkeypatch) -> None:
    drawn = _drawn(monkeypatch)
    spec = load_spec(SPEC_DIR / "paper002_city.yml")
    df = prepare_panel(spec, panels["paper002_city"])
    out = tmp_path / spec.id
    for name in ("heterogeneity_region", "heterogeneity_hu_line"):
        write_table_outputs(run_table(spec, name, df), spec, out, SOURCE, True)
    # an index table grouped by region3 in the same study (as paper004's PCA index is):
    # its two figures must colour the regions as the heterogeneity figure does
    scores = df[[spec.entity, spec.time, "integrated_share", "region3"]].rename(
        columns={"integrated_share": "index"})
    index = StudyTable(study=spec.id, name="index_by_region", title="Index", kind="statistics",
                       frame=pd.DataFrame({"v": [1.0]}, index=pd.Index(["a"], name="")),
                       figure_data={"scores": scores, "group": "region3", "index": "index"})
    write_table_outputs(index, spec, out, SOURCE, True)

    regions = {f: _colours(drawn[f]) for f in ("heterogeneity_region_coef.png",
                                               "index_by_region_trend.png",
                                               "index_by_region_rank.png")}
    for name, colours in regions.items():
        assert set(colours) <= {"East", "Central", "West"} and "East" in colours, (name, colours)
    for label in ("East", "Central", "West"):
        shown = {colours[label] for colours in regions.values() if label in colours}
        assert len(shown) == 1, (label, regions)
    assert len({regions["index_by_region_trend.png"][g] for g in ("East", "Central", "West")}
               ) == 3
    for f in ("index_by_region_trend.png", "index_by_region_rank.png"):
        legend = drawn[f].axes[0].get_legend()
        assert legend.get_title().get_text() == "Region", f  # not "region3"
    hu = _colours(drawn["heterogeneity_hu_line_coef.png"])
    assert set(hu) == {"Southeast", "Northwest"} and len(set(hu.values())) == 2
    # the same study's styles, whichever figure asks
    style = figures.group_style("region3", ["west", "east"])
    assert style.label("central") == "Central" and style.title == "Region"
    assert list(style.colours) == ["East", "Central", "West"]
    assert figures.human_label("central/west") == "Central/West"
    assert figures.human_title("east_group") == "East group"

