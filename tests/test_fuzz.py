"""Mutants of the bundled files: each is accepted and runs, or is refused in one located line.

A seeded mutation fuzzer (tests/fuzz_mutants.py) edits the bundled scenarios and
exercises: lines deleted, duplicated and swapped, values replaced by negatives, huge
numbers, inf, NaN, lists, mappings, text and unicode, indentation broken, `extends:` and
`team:` pointed at files outside the folder. The loader runs in-process; a sample of the
accepted mutants runs for 20 days and must give finite KPIs. The command line is checked
on a few refused mutants in a subprocess for exit status 2. A longer run is marked `fuzz`
(deselected by default; `pytest -m fuzz`).
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from fuzz_mutants import finite_kpis, fuzz, run_short, well_reported

FRONTDOOR = Path(sys.executable).with_name("frontdoor")


def check(tmp_path: Path, count: int, seed: int, runs: int) -> None:
    accepted, refused, crashed = fuzz(tmp_path, count, seed)
    assert not crashed, crashed[0].describe()
    badly = [o for o in refused if o.error is not None and not well_reported(o.error, o.path)]
    assert not badly, badly[0].describe()
    # The fuzzer must reach both sides, or it tests nothing.
    assert refused and accepted
    for outcome in accepted[:runs]:
        assert outcome.scenario is not None
        kpis = run_short(outcome.scenario)
        assert kpis["referrals"] > 0 or outcome.scenario.arrivals.annual_referrals < 500
        assert finite_kpis(kpis) == [], outcome.describe()
    # The command line gives the same refusals: exit 2, one line, no traceback.
    for outcome in refused[:3]:
        done = subprocess.run(
            [str(FRONTDOOR), "validate", str(outcome.path)],
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert done.returncode == 2, outcome.describe()
        assert done.stderr.count("\n") == 1 and "Traceback" not in done.stderr


def test_mutants_are_accepted_and_run_or_refused_clearly(tmp_path: Path) -> None:
    check(tmp_path, count=240, seed=20261127, runs=6)


@pytest.mark.fuzz
@pytest.mark.parametrize("seed", [1, 2, 3])
def test_many_mutants(tmp_path: Path, seed: int) -> None:
    check(tmp_path, count=2000, seed=seed, runs=60)
