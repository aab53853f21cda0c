"""What the readers made of each landing file, kept between builds.

Reading a printed yearbook workbook cell by cell is most of the ingest's time, and a refresh
after one new file would otherwise read every file of its kind again. A reading depends only
on the file's bytes, its sidecar, the path it lands under (the provenance columns) and the
code and reference tables of the readers, so it is stored under a key made of exactly those
and reused while none of them changes. Matching, superseding and the per-file accounts are
recomputed from the readings on every build (intake.take_in).
"""

from __future__ import annotations

import dataclasses
import functools
import hashlib
import pickle
from pathlib import Path

from orchestration import paths
from orchestration.fingerprint import code_digest
from orchestration.ingest.landing import SIDECAR_SUFFIX, LandingFile
from orchestration.ingest.readers import Reading, read_tables
from orchestration.workers import fork_pool

# The readers' code and the seeds they classify header cells with (the indicator catalogue).
READER_INPUTS = ("orchestration/ingest", "dbt_project/seeds")


@functools.cache
def _readers_digest() -> str:
    return code_digest(paths.PROJECT_ROOT, READER_INPUTS)


class ReadingCache:
    """`read(file, kind)` as readers.read_tables, from the cache folder when it holds this
    reading; `prune(kind)` then drops the kind's readings this build did not ask for."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.used: set[Path] = set()
        self.filled: set[Path] = set()
        self.hits = 0

    def _path(self, file: LandingFile, kind: str) -> Path:
        return self.folder / f"{kind}-{self.key(file, kind)}.pickle"

    def fill(self, files: list[LandingFile], kind: str) -> None:
        """Read the files this cache lacks in worker processes, one per core, so that `read`
        finds them (a first build reads every workbook; one after the other they took 2.3 s
        for the 15 demo yearbooks). A file that cannot be read is left to `read`, which
        raises its error."""
        missing = [f for f in files if not self._path(f, kind).exists()]
        pool = fork_pool(len(missing))
        if pool is None:
            return
        with pool:
            read = pool.map(_read_quietly, [self.folder] * len(missing), missing,
                            [kind] * len(missing))
            self.filled |= {self._path(f, kind) for f, ok in zip(missing, read, strict=True)
                            if ok}

    def key(self, file: LandingFile, kind: str) -> str:
        digest = hashlib.sha256()
        meta = file.path.with_name(file.path.name + SIDECAR_SUFFIX)
        for part in (kind, file.relpath, file.sha256, _readers_digest(),
                     hashlib.sha256(meta.read_bytes()).hexdigest() if meta.exists() else ""):
            digest.update(part.encode() + b"\0")
        return digest.hexdigest()

    def read(self, file: LandingFile, kind: str) -> Reading:
        path = self._path(file, kind)
        self.used.add(path)
        if path.exists():
            try:
                reading = pickle.loads(path.read_bytes())
            except Exception:  # a damaged or foreign entry is read again, never trusted
                path.unlink(missing_ok=True)
            else:
                self.hits += path not in self.filled  # read by `fill` this build: no reuse
                return dataclasses.replace(reading, file=file)
        reading = read_tables(file, kind)  # an IngestError is not cached: raised every time
        self.folder.mkdir(parents=True, exist_ok=True)
        partial = path.with_suffix(".partial")
        partial.write_bytes(pickle.dumps(reading, protocol=pickle.HIGHEST_PROTOCOL))
        partial.replace(path)
        return reading

    def prune(self, kind: str) -> None:
        for path in self.folder.glob(f"{kind}-*.pickle"):
            if path not in self.used:
                path.unlink(missing_ok=True)


def _read_quietly(folder: Path, file: LandingFile, kind: str) -> bool:
    """ReadingCache(folder).read in a worker: whether the reading is now in the cache."""
    try:
        ReadingCache(folder).read(file, kind)
    except Exception:  # noqa: BLE001 - `read` in the build raises it again, with the file
        return False
    return True
