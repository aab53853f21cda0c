"""The landing zone: find the files a data steward dropped, fingerprint and archive them.

Layout: `<landing>/city_yearbook/...` (yearbook tables as printed, `.xlsx`/`.xls`/`.csv`),
`<landing>/yearbook_long/...` (long exports: region, year, indicator, value, unit) and
`<landing>/patents/...` (patent extracts, `.csv`/`.parquet`). A file's identity is its
sha256, so re-dropping the same bytes under any name is recognizable, and the archive is
content-addressed: `<archive>/<sha[:2]>/<sha>/<name>`.
"""

from __future__ import annotations

import csv
import functools
import hashlib
import io
import os
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import yaml

# Sub-folder of the landing zone (= kind) -> file suffixes the readers understand.
KINDS: dict[str, frozenset[str]] = {
    "city_yearbook": frozenset({".xlsx", ".xls", ".csv"}),
    "yearbook_long": frozenset({".csv", ".xlsx", ".parquet"}),
    "patents": frozenset({".csv", ".parquet"}),
}
SIDECAR_SUFFIX = ".meta.yml"
# Chinese statistical exports come as UTF-8 (often with a BOM) or as GBK/GB18030.
TEXT_ENCODINGS = ("utf-8-sig", "gb18030")
_CHUNK = 1 << 20
_CACHE_FROM = 64 << 20  # bytes


class IngestError(ValueError):
    """A landing file that cannot be read at all; the message names the file."""


@dataclass(frozen=True)
class LandingFile:
    path: Path  # absolute path in the landing zone
    relpath: str  # path relative to the landing zone, '/'-separated (the provenance key)
    kind: str  # a key of KINDS
    sha256: str
    size: int


def sidecar(file: LandingFile) -> dict:
    """The `.meta.yml` next to a landing file (producer, citation, synthetic flag, and for a
    table that does not print them: indicator, unit, year, scope), if any."""
    path = file.path.with_name(file.path.name + SIDECAR_SUFFIX)
    if not path.exists():
        return {}
    try:
        meta = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except yaml.YAMLError as exc:
        raise IngestError(f"{file.relpath}: unreadable sidecar {path.name} ({exc})") from exc
    if not isinstance(meta, dict):
        raise IngestError(f"{file.relpath}: sidecar {path.name} is not a mapping")
    return meta


def sha256_of(path: Path) -> str:
    """Hex sha256 of a file's bytes, read in chunks so large extracts stay cheap on memory.

    Large files are remembered per (path, size, modification time) within the process:
    `dri build` hashes the landing zone for its fingerprint and the raw assets, run in the
    same process, hash it again, and a national patent extract should be read once. Small
    files are always read: two same-size writes within the clock's granularity would share
    a modification time, which cannot happen while writing _CACHE_FROM bytes."""
    stat = Path(path).stat()
    if stat.st_size < _CACHE_FROM:
        return _sha256.__wrapped__(str(path), stat.st_size, stat.st_mtime_ns)
    return _sha256(str(Path(path).resolve()), stat.st_size, stat.st_mtime_ns)


@functools.lru_cache(maxsize=4096)
def _sha256(path: str, size: int, mtime_ns: int) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        while chunk := fh.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def read_text(file: LandingFile) -> str:
    """The file's text, decoded with the first of TEXT_ENCODINGS that fits."""
    data = file.path.read_bytes()
    for encoding in TEXT_ENCODINGS:
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        if not text.strip():
            raise IngestError(f"{file.relpath}: empty file")
        return text
    raise IngestError(f"{file.relpath}: not readable as {' or '.join(TEXT_ENCODINGS)} text")


def read_csv_grid(file: LandingFile) -> pd.DataFrame:
    """A CSV as a grid of text cells, like a spreadsheet read with header=None. Rows have
    different lengths (a title line has one field); they are padded so row and column
    numbers stay the file's."""
    text = read_text(file)
    try:
        rows = list(csv.reader(io.StringIO(text, newline="")))
    except csv.Error as exc:
        raise IngestError(f"{file.relpath}: malformed CSV ({exc})") from exc
    width = max(len(r) for r in rows)
    return pd.DataFrame([r + [None] * (width - len(r)) for r in rows], dtype=object)


def _is_candidate(path: Path, root: Path, suffixes: frozenset[str]) -> bool:
    rel_parts = path.relative_to(root).parts
    # Hidden files/folders and Excel's "~$book.xlsx" lock files are editor droppings,
    # never data.
    if any(part.startswith((".", "~$")) for part in rel_parts):
        return False
    if path.name.endswith(SIDECAR_SUFFIX):
        return False
    return path.is_file() and path.suffix.lower() in suffixes


def discover(landing_dir: Path) -> list[LandingFile]:
    """Every readable landing file under `landing_dir/<kind>/`, sorted by relative path."""
    landing_dir = Path(landing_dir)
    found: list[LandingFile] = []
    for kind, suffixes in KINDS.items():
        root = landing_dir / kind
        if not root.is_dir():
            continue
        for path in root.rglob("*"):
            if not _is_candidate(path, root, suffixes):
                continue
            found.append(LandingFile(
                path=path.resolve(),
                relpath=path.relative_to(landing_dir).as_posix(),
                kind=kind,
                sha256=sha256_of(path),
                size=path.stat().st_size,
            ))
    return sorted(found, key=lambda f: f.relpath)


def archive(file: LandingFile, archive_dir: Path) -> Path:
    """Copy `file` to `archive_dir/<sha[:2]>/<sha>/<name>` and return that path.

    Idempotent: an existing archive copy with the same content is left alone. An existing
    copy with different content, or a landing file that changed since it was fingerprinted,
    raises IngestError rather than putting bytes under a checksum that does not match them.
    """
    target = Path(archive_dir) / file.sha256[:2] / file.sha256 / file.path.name
    if target.exists():
        if sha256_of(target) != file.sha256:
            raise IngestError(
                f"{file.relpath}: archive copy {target} exists with different content; "
                "refusing to overwrite it"
            )
        return target
    target.parent.mkdir(parents=True, exist_ok=True)
    # Copy to a temporary name in the same folder and rename, so a crash never leaves a
    # half-written file under the final name (which would then look archived).
    fd, tmp_name = tempfile.mkstemp(prefix=".partial-", dir=target.parent)
    tmp = Path(tmp_name)
    try:
        with os.fdopen(fd, "wb") as out, open(file.path, "rb") as src:
            shutil.copyfileobj(src, out, _CHUNK)
        if sha256_of(tmp) != file.sha256:
            raise IngestError(
                f"{file.relpath}: file changed since it was fingerprinted "
                f"(expected sha256 {file.sha256})"
            )
        os.replace(tmp, target)
    finally:
        tmp.unlink(missing_ok=True)
    return target


FAILED_DIR = "failed"


def set_aside(landing_dir: Path, relpath: str, reason: str) -> Path:
    """Move a landing file whose refresh failed (and its sidecar) out of the live landing zone
    to `<landing>/failed/<relpath>`, with `<name>.reason.txt` beside it, so it cannot wedge
    later builds; its bytes also stay in the archive. Returns the new path."""
    source = Path(landing_dir) / relpath
    target = Path(landing_dir) / FAILED_DIR / relpath
    target.parent.mkdir(parents=True, exist_ok=True)
    if source.exists():
        os.replace(source, target)
    meta = source.with_name(source.name + SIDECAR_SUFFIX)
    if meta.exists():
        os.replace(meta, target.with_name(target.name + SIDECAR_SUFFIX))
    target.with_name(target.name + ".reason.txt").write_text(reason.rstrip() + "\n",
                                                             encoding="utf-8")
    return target


def deduplicate(files: list[LandingFile]) -> tuple[list[LandingFile], list[LandingFile]]:
    """Split into (unique, duplicates): the same bytes dropped twice are read once, under
    the first relative path; re-dropping a file therefore changes nothing."""
    seen: set[str] = set()
    unique, duplicates = [], []
    for file in sorted(files, key=lambda f: f.relpath):
        (duplicates if file.sha256 in seen else unique).append(file)
        seen.add(file.sha256)
    return unique, duplicates


def newest_first(files: list[LandingFile]) -> list[LandingFile]:
    """Order in which files take precedence: the most recently modified first, so a
    corrected file dropped later supersedes the values of an earlier one."""
    return sorted(files, key=lambda f: (-f.path.stat().st_mtime_ns, f.relpath))
