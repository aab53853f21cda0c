"""orchestration.workers: imports done in a thread while the build waits on dbt."""

from __future__ import annotations

import sys

from orchestration.workers import STUDY_IMPORTS, import_meanwhile


def test_modules_are_imported_in_the_background_and_a_failure_is_left_for_later() -> None:
    sys.modules.pop("colorsys", None)
    thread = import_meanwhile(("colorsys", "dri_no_such_module", "this_is_not_reached"))
    thread.join(timeout=60)
    assert not thread.is_alive()
    assert "colorsys" in sys.modules
    # the failed import raised nothing in the build; the modules after it were not tried
    assert "dri_no_such_module" not in sys.modules
    assert "this_is_not_reached" not in sys.modules


def test_the_study_imports_exist() -> None:
    """A renamed library would otherwise only make the study step slower, silently."""
    import importlib.util

    missing = [name for name in STUDY_IMPORTS if importlib.util.find_spec(name) is None]
    assert missing == []
