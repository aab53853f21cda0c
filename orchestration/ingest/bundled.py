"""Real data that ships with the project: the provincial science-and-technology yearbook
tables (long exports, MIT-licensed transcription; see warehouse/bundled/.../SOURCE.md)."""

from __future__ import annotations

import shutil
from pathlib import Path

from orchestration.paths import PROJECT_ROOT

BUNDLED_LONG = PROJECT_ROOT / "warehouse" / "bundled" / "province_st_yearbook" / "long"


def copy_bundled(landing_dir: Path, source: Path = BUNDLED_LONG) -> list[Path]:
    """Copy the bundled long exports, with their `.meta.yml` sidecars, into
    `landing/yearbook_long/province_st_yearbook/`; files already there are left alone."""
    target_root = landing_dir / "yearbook_long" / "province_st_yearbook"
    copied = []
    for path in sorted(source.rglob("*")):
        if not path.is_file():
            continue
        target = target_root / path.relative_to(source)
        if target.exists():
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(path, target)
        copied.append(target)
    return copied
