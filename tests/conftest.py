"""Suite-wide ordering: the longest test files start first.

With `-n auto --dist loadfile` each file runs whole on one worker. xdist would hand out
files by their number of tests, so the stylised facts (13 tests, about half the suite's
CPU) started several minutes in and ran alone at the end. Starting the longest files
first lets the rest of the suite run beside them. The order changes no test's result.
"""

from __future__ import annotations

import pytest

# Measured with --durations on a full run (2026-11-28): these files' tests take longest.
LONGEST_FIRST = (
    "test_stylised_facts.py",
    "test_calibration.py",
    "test_steady_state.py",
    "test_trainer_headless.py",
    "test_workbench_browser.py",
)


def pytest_configure(config: pytest.Config) -> None:
    # Keep the collection order below instead of xdist's "most tests first".
    if hasattr(config.option, "loadscopereorder"):
        config.option.loadscopereorder = False


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    def rank(item: pytest.Item) -> int:
        name = item.path.name
        return LONGEST_FIRST.index(name) if name in LONGEST_FIRST else len(LONGEST_FIRST)

    items.sort(key=rank)  # stable: every file's own order is kept
