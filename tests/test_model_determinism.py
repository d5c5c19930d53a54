"""One scenario and one seed give one byte-identical event log, in one process or many.

Also: other seeds and other replication numbers give other logs, a run leaves its
scenario exactly as it found it, and the model never touches Python's or NumPy's
global random generators.
"""

from __future__ import annotations

import copy
import gc
import multiprocessing
import os
import random
import subprocess
import sys
import weakref
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import numpy as np
import pytest
from log_invariants import log_csv_text
from pydantic import ValidationError

from sim.config import Scenario
from sim.entities import Family
from sim.events import EventKind
from sim.loader import load_scenario, scenario_hash, scenario_with
from sim.model import FrontDoorModel, collector_paused, run_scenario

TESTS_DIR = Path(__file__).resolve().parent


@pytest.fixture(scope="module")
def baseline() -> Scenario:
    return load_scenario("baseline")


@pytest.fixture(scope="module")
def short(baseline: Scenario) -> Scenario:
    """A quarter with a month's warm-up: every kind of record, a fraction of the cost."""
    return scenario_with(baseline, {"run.horizon_days": 90, "run.warm_up_days": 30})


@pytest.fixture(scope="module")
def short_log(short: Scenario) -> str:
    return log_csv_text(short, seed=7)


# -- deterministic: same inputs, same bytes ----------------------------------------------


class TestSameSeedSameLog:
    def test_two_runs_in_one_process_are_byte_identical(
        self, short: Scenario, short_log: str
    ) -> None:
        again = log_csv_text(short, seed=7)
        assert again == short_log
        # The log is not trivially short: it covers the whole life of many cases.
        assert short_log.count("\n") > 5_000
        for kind in ("referral_arrived", "allocated", "concluded", "closed", "incident_graded"):
            assert f",{kind}," in short_log

    def test_interleaved_models_share_no_state(self, short: Scenario, short_log: str) -> None:
        # Two live models in one process, one paused halfway while the other runs:
        # any module-level state shared between them would show up in the logs.
        first = FrontDoorModel(short, seed=7)
        second = FrontDoorModel(short, seed=7)
        first.env.run(until=50)
        second_text = second.run().to_csv_text()
        first_text = first.run().to_csv_text()
        assert first_text == short_log
        assert second_text == short_log

    def test_written_file_matches_text(self, short: Scenario, short_log: str, tmp_path: Path):
        log = FrontDoorModel(short, seed=7).run()
        log.write(str(tmp_path), "events", "csv")
        tables = [(tmp_path / "events" / f"{kind.value}.csv").read_text() for kind in EventKind]
        assert (
            "".join(f"## {k.value}\n{t}" for k, t in zip(EventKind, tables, strict=True))
            == short_log
        )

    def test_process_pool_gives_the_same_bytes(self, short: Scenario, short_log: str) -> None:
        # Fork and spawn: a spawned worker starts from a fresh interpreter and
        # re-imports everything, so import-time state cannot leak in.
        for method in ("fork", "spawn"):
            context = multiprocessing.get_context(method)
            with ProcessPoolExecutor(max_workers=2, mp_context=context) as pool:
                texts = list(pool.map(log_csv_text, [short, short], [7, 7]))
            assert texts == [short_log, short_log], method

    def test_fresh_interpreters_with_other_hash_seeds_give_the_same_bytes(
        self, short_log: str, tmp_path: Path
    ) -> None:
        # String hashing differs between these interpreters, so any iteration over a
        # set or hash-ordered structure that reached the log would change it.
        code = (
            "import sys\n"
            f"sys.path.insert(0, {str(TESTS_DIR)!r})\n"
            "from log_invariants import log_csv_text\n"
            "from sim.loader import load_scenario, scenario_with\n"
            "s = scenario_with(load_scenario('baseline'),"
            " {'run.horizon_days': 90, 'run.warm_up_days': 30})\n"
            "sys.stdout.write(log_csv_text(s, seed=7))\n"
        )
        for hash_seed in ("0", "12345"):
            env = dict(os.environ, PYTHONHASHSEED=hash_seed)
            out = subprocess.run(
                [sys.executable, "-c", code],
                capture_output=True,
                check=True,
                env=env,
                cwd=tmp_path,
            )
            assert out.stdout.decode("utf-8") == short_log, hash_seed

    def test_full_baseline_year_in_parallel_matches_in_process(self, baseline: Scenario) -> None:
        # The full two-year run (warm-up and measured year), replication 1.
        with ProcessPoolExecutor(max_workers=1) as pool:
            future = pool.submit(log_csv_text, baseline, 3, 1)
            here = log_csv_text(baseline, seed=3, replication=1)
            there = future.result()
        assert here == there


# -- functional: what changes the log, and what a run must not change --------------------


class TestWhatChangesTheLog:
    def test_different_seeds_differ(self, short: Scenario, short_log: str) -> None:
        other = log_csv_text(short, seed=8)
        assert other != short_log
        assert _arrival_times(short, 8) != _arrival_times(short, 7)

    def test_different_replications_differ(self, short: Scenario) -> None:
        rep0 = _arrival_times(short, 7, replication=0)
        rep1 = _arrival_times(short, 7, replication=1)
        rep2 = _arrival_times(short, 7, replication=2)
        assert rep0 != rep1 and rep1 != rep2 and rep0 != rep2
        assert log_csv_text(short, seed=7, replication=1) != log_csv_text(short, seed=7)

    def test_seed_and_replication_are_not_interchangeable(self, short: Scenario) -> None:
        # (seed 7, replication 1) must not be (seed 8, replication 0) or (seed 1, rep 7).
        a = _arrival_times(short, 7, replication=1)
        assert a != _arrival_times(short, 8, replication=0)
        assert a != _arrival_times(short, 1, replication=7)

    def test_run_started_records_seed_and_replication(self, short: Scenario) -> None:
        log = FrontDoorModel(short, seed=11, replication=4).run()
        first = log.records[0]
        assert first.kind is EventKind.RUN_STARTED
        assert first.seed == 11 and first.replication == 4

    def test_negative_seed_is_refused(self, short: Scenario) -> None:
        with pytest.raises(ValueError):
            FrontDoorModel(short, seed=-1)


class TestScenarioUntouched:
    def test_run_leaves_the_scenario_unchanged(self, short: Scenario) -> None:
        before = copy.deepcopy(short.model_dump(mode="python"))
        before_hash = scenario_hash(short)
        model = FrontDoorModel(short, seed=5)
        model.run()
        assert model.scenario is short
        assert short.model_dump(mode="python") == before
        assert scenario_hash(short) == before_hash

    @pytest.mark.parametrize(
        ("path", "value"),
        [
            ("name", "changed"),
            ("policy", "fifo"),
            ("run.horizon_days", 1.0),
            ("arrivals.annual_referrals", 1.0),
            ("staff.groups.4.count", 99),
            ("harm.rate_per_year_at_full_risk", 0.0),
        ],
    )
    def test_frozen_models_refuse_assignment(
        self, short: Scenario, path: str, value: object
    ) -> None:
        *parents, last = path.split(".")
        target: object = short
        for part in parents:
            target = target[int(part)] if isinstance(target, list) else getattr(target, part)
        before = getattr(target, last)
        with pytest.raises(ValidationError, match="frozen"):
            setattr(target, last, value)
        assert getattr(target, last) == before

    def test_run_does_not_touch_global_generators(self, short: Scenario) -> None:
        python_state = random.getstate()
        numpy_state = np.random.get_state()
        FrontDoorModel(short, seed=5).run()
        assert random.getstate() == python_state
        after = np.random.get_state()
        assert after[0] == numpy_state[0]
        assert np.array_equal(after[1], numpy_state[1])
        assert after[2:] == numpy_state[2:]


def _arrival_times(scenario: Scenario, seed: int, replication: int = 0) -> list[float]:
    log = FrontDoorModel(scenario, seed=seed, replication=replication).run()
    return [r.time for r in log.of_kind(EventKind.REFERRAL_ARRIVED) if not r.re_referral]


# -- a finished run is freed as soon as it is dropped ------------------------------------


def test_a_released_model_is_freed_by_reference_counting_alone(
    short: Scenario, short_log: str
) -> None:
    """run() pauses the cyclic collector, so a dropped model must not rely on it: after
    release() nothing of the run is left in a reference cycle, and its log is whole."""

    def families_alive() -> int:
        return sum(isinstance(o, Family) for o in gc.get_objects())

    with collector_paused():  # so that nothing but reference counting frees anything
        before = families_alive()
        model = FrontDoorModel(short, seed=7)
        model.run()
        assert families_alive() > before
        model.release()
        released = weakref.ref(model)
        del model
        assert released() is None
        assert families_alive() == before
        assert run_scenario(short, 7).to_csv_text() == short_log
