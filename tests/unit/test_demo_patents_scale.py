"""The national-size SYNTHETIC patent extract writer, at small N."""

from __future__ import annotations

import re
import unicodedata

import numpy as np
import pandas as pd
import pyarrow.parquet as pq
import pytest

from orchestration.demo import patents_scale as scale
from orchestration.demo.city import seeds_dir
from orchestration.ingest.patents import map_columns

N = 30_000
PART_ROWS = 10_000
SPELLING_PATTERNS = {
    "canonical": r"[A-H]\d\d[A-Z] \d{1,4}/\d{2,6}",
    "compact": r"[A-H]\d\d[A-Z]\d{1,4}/\d{2,6}",
    "epo": r"[A-H]\d\d[A-Z]\d{10}",
    "edition": r"[A-H]\d\d[A-Z] \d{1,4}/\d{2,6} \(\d{4}\.\d{2}\)",
    "lower": r"[a-h]\d\d[a-z] \d{1,4}/\d{2,6}",
    "fullwidth": r"[Ａ-Ｈ][０-９]{2}[Ａ-Ｚ]\u3000[０-９]{1,4}／[０-９]{2,6}",
}


@pytest.fixture(scope="module")
def written(tmp_path_factory):
    out = tmp_path_factory.mktemp("scale")
    files = scale.write_scale_patents(out, N, seed=7, part_rows=PART_ROWS)
    return files, pd.concat([pq.read_table(p).to_pandas() for p in files.parts],
                            ignore_index=True)


def pieces_of(frame: pd.DataFrame) -> pd.Series:
    return frame["IPC分类号"].str.split(";").explode()


def spelling_of(piece: str) -> str:
    for name, pattern in SPELLING_PATTERNS.items():
        if re.fullmatch(pattern, piece):
            return name
    return "garbage"


def test_parts_are_parquet_with_n_rows_and_bounded_row_groups(written):
    files, frame = written
    assert len(files.parts) == -(-N // PART_ROWS)
    for path in files.parts:
        meta = pq.ParquetFile(path).metadata
        assert meta.num_rows <= PART_ROWS
        assert all(meta.row_group(k).num_rows <= scale.ROW_GROUP_ROWS
                   for k in range(meta.num_row_groups))
        assert path.with_name(path.name + ".meta.yml").read_text(encoding="utf-8").startswith(
            "synthetic: true")
    assert len(frame) == files.n_patents == N
    assert frame["申请号"].is_unique
    assert files.n_codes == len(pieces_of(frame))


def test_headers_map_to_the_canonical_patent_columns():
    mapping = map_columns([*scale.HEADERS, scale.ABSTRACT_HEADER])
    assert set(mapping.values()) == {*scale.HEADERS, scale.ABSTRACT_HEADER}
    for field in ("application_number", "application_date", "publication_date",
                  "patent_type", "title", "applicant", "applicant_address",
                  "applicant_region_code", "main_ipc", "ipc_codes", "abstract"):
        assert field in mapping, field


def test_about_two_and_a_half_codes_per_patent(written):
    _, frame = written
    per_patent = frame["IPC分类号"].str.count(";") + 1
    # E[n] = 2.45 (.29 .30 .21 .11 .05 .04 over 1..6) + integrated patents raised to 2
    # + 1% garbage; sd of the mean at N = 30,000 is about 0.008.
    assert 2.4 < per_patent.mean() < 2.6
    assert per_patent.min() >= 1


def test_spelling_mix_matches_the_dgp(written):
    _, frame = written
    kinds = pieces_of(frame).map(spelling_of).value_counts(normalize=True)
    garbage = kinds.pop("garbage")
    # ~1% of patents carry one garbage code: ~0.4% of pieces
    assert 0.002 < garbage < 0.007
    shares = kinds / kinds.sum()
    for name, p in scale.SPELLINGS:
        assert abs(shares[name] - p) < 0.01, (name, shares[name], p)


def test_main_ipc_is_the_first_code(written):
    _, frame = written
    assert (frame["主分类号"] == frame["IPC分类号"].str.split(";").str[0]).all()


def canonical(piece: str) -> tuple[str, int, str] | None:
    """Independent parse of the spellings (NFKC, upper case, edition and spaces dropped)."""
    text = unicodedata.normalize("NFKC", piece).upper()
    text = re.sub(r"\(\d{4}\.\d{2}\)", "", text).replace(" ", "")
    if m := re.fullmatch(r"([A-H]\d\d[A-Z])(\d{4})(\d{6})", text):
        sub = m.group(3).rstrip("0")
        return m.group(1), int(m.group(2)), sub.ljust(2, "0")
    if m := re.fullmatch(r"([A-H]\d\d[A-Z])(\d{1,4})/(\d{2,6})", text):
        return m.group(1), int(m.group(2)), m.group(3)
    return None


def covered(code: tuple[str, int, str], table: pd.DataFrame) -> bool:
    """The CNIPA table's rule: `*` covers the level and below; no `*` covers that code."""
    subclass, group, sub = code
    for prefix in table["ipc_prefix"]:
        if prefix[:4] != subclass:
            continue
        rest = prefix[4:]
        if not rest:
            return True
        if "/" in rest:
            g, s = rest.split("/")
            if int(g) == group and s == sub:
                return True
        elif int(rest) == group:
            return True
    return False


def test_digital_pool_is_covered_by_the_table_and_real_pool_is_not():
    table = pd.read_csv(seeds_dir() / "ref_ipc_digital_core.csv", dtype=str)
    table = table[table["flag"].fillna("") != "malformed_in_source"]
    digital, real = scale.ipc_pools()
    assert len(digital) > 1000 and len(real) > 1000
    assert all(covered(code, table) for code in digital)
    assert not any(covered(code, table) for code in real)


def test_every_spelling_parses_back_to_its_code():
    code = ("G06F", 17, "30")
    assert scale.spell(code, "epo") == "G06F0017300000"
    assert scale.spell(code, "fullwidth") == "Ｇ０６Ｆ\u3000１７／３０"
    for name, _ in scale.SPELLINGS:
        assert canonical(scale.spell(code, name)) == code, name


def test_written_codes_parse_except_garbage(written):
    _, frame = written
    pieces = pieces_of(frame)
    parsed = pieces.map(canonical)
    bad = pieces[parsed.isna()]
    assert set(bad) <= set(scale.GARBAGE_CODES)


def test_application_numbers_carry_valid_check_digits(written):
    _, frame = written
    m = frame["申请号"].str.extract(r"^CN(\d{12})\.([\dX])$")
    assert m.notna().all().all()
    digits = np.array([[int(c) for c in s] for s in m[0]])
    check = digits @ np.array([2, 3, 4, 5, 6, 7, 8, 9, 2, 3, 4, 5]) % 11
    assert (np.where(check == 10, "X", check.astype(str)) == m[1]).all()
    type_digit = m[0].str[4]
    assert ((type_digit == "1") == (frame["专利类型"] == "发明")).all()


def test_years_cities_and_location_mix(written):
    _, frame = written
    years = pd.to_datetime(frame["申请日"]).dt.year
    assert set(years) == set(scale.YEARS)
    assert (pd.to_datetime(frame["公开(公告)日"]) > pd.to_datetime(frame["申请日"])).all()
    code = frame["申请人区划代码"]
    lengths = code.dropna().str.len().value_counts(normalize=True)
    counties = not scale.load_counties().empty
    # shares of the DGP (with counties: city .40 + county .38 = .78 six-digit codes of .83)
    assert abs(code.notna().mean() - 0.83) < 0.02
    assert abs(lengths[4] - 0.02 / 0.83) < 0.01
    if counties:
        assert abs(lengths[12] - 0.03 / 0.83) < 0.01
    cities = pd.read_csv(seeds_dir() / "ref_cities.csv", dtype={"city_code": str})
    city_codes = code[code.isin(set(cities["city_code"]))]
    assert city_codes.nunique() > 250  # of 337; the smallest cities are rare at N = 30k
    assert frame["申请人地址"].notna().all()


def test_every_city_can_be_drawn():
    world = scale.build_world(1000)
    p = np.diff(np.concatenate([np.zeros((len(scale.YEARS), 1)), world.city_cum], axis=1),
                axis=1)
    assert world.city_cum.shape[1] == len(world.cities) >= 337
    assert (p > 0).all()
    assert world.year_start[-1] == 1000


def test_same_seed_same_files_and_parts_drawn_independently(written, tmp_path):
    files, _ = written
    again = scale.write_scale_patents(tmp_path / "a", N, seed=7, part_rows=PART_ROWS,
                                      workers=1)
    for a, b in zip(files.parts, again.parts, strict=True):
        assert pq.read_table(a).equals(pq.read_table(b))
    # a part is drawn from (seed, part) alone: no earlier part has to be held or redrawn
    world = scale.build_world(N, seed=7)
    assert scale.generate_part(world, 2, PART_ROWS).equals(pq.read_table(files.parts[2]))
    other = scale.generate_part(scale.build_world(N, seed=8), 0, PART_ROWS)
    assert not other.equals(pq.read_table(files.parts[0]))


def test_abstracts_are_optional():
    world = scale.build_world(100)
    assert scale.ABSTRACT_HEADER not in scale.generate_part(world, 0, 100).column_names
    assert scale.ABSTRACT_HEADER in scale.generate_part(world, 0, 100, abstracts=True).column_names


def test_classification_shares_match_the_dgp(written):
    """Patents classified independently (the table's rules on the parsed codes) are
    digital / integrated / inventions in the shares the DGP implies."""
    _, frame = written
    table = pd.read_csv(seeds_dir() / "ref_ipc_digital_core.csv", dtype=str)
    table = table[table["flag"].fillna("") != "malformed_in_source"]
    pieces = pieces_of(frame)
    codes = pieces.map(canonical)
    distinct = {c: covered(c, table) for c in set(codes.dropna())}
    is_digital = codes.map(distinct.get)  # None for garbage: says nothing either way
    per_patent = pd.DataFrame({
        "digital": is_digital.eq(True), "real": is_digital.eq(False),
    }).groupby(level=0).any()
    expected = scale.expected_shares(scale.build_world(N, seed=7))
    n = len(frame)
    for name, observed in (
        ("digital", per_patent["digital"].mean()),
        ("integrated", (per_patent["digital"] & per_patent["real"]).mean()),
        ("invention", (frame["专利类型"] == "发明").mean()),
    ):
        p = expected[name]
        # binomial sd of a share at N = 30,000 is below 0.003; 4 sd
        assert abs(observed - p) < 4 * np.sqrt(p * (1 - p) / n), (name, observed, p)
