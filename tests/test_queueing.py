"""The production model, with its features switched off, against queueing theory.

`frontdoor verify mmc` reduces the real model (sim.verification.mmc_scenario) to an
M/M/c queue. Over several replications per utilisation the simulated mean wait to
allocation must agree with Erlang C: the theoretical value lies inside the 99% t-interval
of the replication means, and the mean is within 15% of it. The share of referrals that
wait at all must match Erlang C's probability of waiting. Little's law holds exactly on
every sample path that starts and ends empty (area under the waiting count equals the
sum of waits), and in expectation over the arrival period (L = lambda x Wq).

Replications are run two at a time in processes; seeds are fixed (1..R), not chosen.
"""

from __future__ import annotations

import json
import statistics
import subprocess
import sys
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass

import numpy as np
import pytest

from analysis.kpis import compute_kpis
from analysis.stats import erlang_c_probability_wait, erlang_c_wait, mean_ci
from frontdoor.commands.verify import simulate_mmc
from sim.events import EventKind, EventLog
from sim.model import FrontDoorModel
from sim.verification import mmc_scenario

SERVICE_RATE = 1.0  # assessments per worker-day


@dataclass(frozen=True)
class Case:
    """One queue to check: utilisation, servers, customers per replication, replications."""

    utilisation: float
    servers: int
    customers: int
    reps: int

    @property
    def arrival_rate(self) -> float:
        return self.utilisation * self.servers * SERVICE_RATE

    @property
    def id(self) -> str:
        return f"rho{self.utilisation}-c{self.servers}"


# Heavier traffic needs longer runs: the wait's variance grows like 1/(1 - rho)^2.
# Sized so that one replication's mean wait varies by about 15-30% and the mean over the
# replications by under 8%: the 15% tolerance is about two standard errors.
CASES = (
    Case(0.3, 3, 3000, 6),
    Case(0.5, 3, 3000, 6),
    Case(0.7, 3, 4000, 8),
    Case(0.9, 3, 8000, 8),
    Case(0.5, 1, 3000, 6),
)


@dataclass(frozen=True)
class Observed:
    mean_wait: float
    share_waiting: float


def _replicate(case: Case, seed: int) -> Observed:
    """One replication through the CLI's own machinery plus the share that waited."""
    scenario = mmc_scenario(
        arrival_rate=case.arrival_rate,
        service_rate=SERVICE_RATE,
        servers=case.servers,
        customers=case.customers,
    )
    log = FrontDoorModel(scenario, seed=seed).run()
    waits = [r.wait_days for r in log.of_kind(EventKind.ALLOCATED)]
    assert len(waits) == case.customers
    return Observed(statistics.fmean(waits), sum(w > 0 for w in waits) / len(waits))


@pytest.fixture(scope="module")
def observed() -> dict[str, list[Observed]]:
    jobs = [(case, seed) for case in CASES for seed in range(1, case.reps + 1)]
    with ProcessPoolExecutor(max_workers=2) as pool:
        results = list(pool.map(_replicate, *zip(*jobs, strict=True)))
    out: dict[str, list[Observed]] = {case.id: [] for case in CASES}
    for (case, _), result in zip(jobs, results, strict=True):
        out[case.id].append(result)
    return out


# -- functional: Erlang C ---------------------------------------------------------------


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_mean_wait_matches_erlang_c(case: Case, observed: dict[str, list[Observed]]) -> None:
    expected = erlang_c_wait(case.arrival_rate, SERVICE_RATE, case.servers)
    means = np.array([o.mean_wait for o in observed[case.id]])
    interval = mean_ci(means, 0.99)
    assert interval.ci_low <= expected <= interval.ci_high, (expected, interval)
    assert interval.mean == pytest.approx(expected, rel=0.15)


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_share_waiting_matches_erlang_c_probability(
    case: Case, observed: dict[str, list[Observed]]
) -> None:
    expected = erlang_c_probability_wait(case.arrival_rate, SERVICE_RATE, case.servers)
    shares = np.array([o.share_waiting for o in observed[case.id]])
    interval = mean_ci(shares, 0.99)
    assert interval.ci_low <= expected <= interval.ci_high, (expected, interval)
    assert interval.mean == pytest.approx(expected, rel=0.1)


def test_waits_grow_with_utilisation(observed: dict[str, list[Observed]]) -> None:
    three = [c for c in CASES if c.servers == 3]
    means = [statistics.fmean(o.mean_wait for o in observed[c.id]) for c in three]
    assert means == sorted(means)
    assert means[-1] > 30 * means[0]


def test_simulate_mmc_reports_erlang_c_beside_the_simulation() -> None:
    result = simulate_mmc(1.5, SERVICE_RATE, 3, 500, 4)
    assert result["erlang_c_mean_wait"] == pytest.approx(erlang_c_wait(1.5, 1.0, 3))
    assert result["customers_served"] == 500
    assert result["utilisation"] == pytest.approx(0.5)
    assert result["simulated_mean_wait"] > 0


# -- functional: Little's law ------------------------------------------------------------


def _mmc_log(arrival_rate: float, servers: int, customers: int, seed: int) -> EventLog:
    scenario = mmc_scenario(
        arrival_rate=arrival_rate,
        service_rate=SERVICE_RATE,
        servers=servers,
        customers=customers,
    )
    return FrontDoorModel(scenario, seed=seed).run()


def _area_waiting(log: EventLog, start: float, end: float) -> float:
    """Integral over [start, end] of the number of referrals waiting for allocation."""
    steps = sorted(
        [(r.time, +1) for r in log.of_kind(EventKind.QUEUED)]
        + [(r.time, -1) for r in log.of_kind(EventKind.ALLOCATED)]
    )
    level, last, area = 0, start, 0.0
    for time, delta in steps:
        if time > end:
            break
        if time > start:
            area += level * (time - last)
            last = time
        level += delta
    return area + level * (end - last)


@pytest.mark.parametrize(("utilisation", "servers"), [(0.6, 2), (0.85, 4)])
def test_littles_law_holds_exactly_on_each_sample_path(utilisation: float, servers: int) -> None:
    # The run starts empty and ends empty (every customer served), so the area under
    # the number waiting equals the sum of the waits, whatever the randomness did.
    log = _mmc_log(utilisation * servers, servers, 3000, seed=2)
    end = log.records[-1].time
    waits = [r.wait_days for r in log.of_kind(EventKind.ALLOCATED)]
    assert log.records[-1].waiting_for_allocation == 0
    area = _area_waiting(log, 0.0, end)
    assert area == pytest.approx(sum(waits), rel=1e-6)
    # The KPI code's time average agrees: L = (N / T) x W over the whole run.
    kpis = compute_kpis(log.records)
    assert kpis["unallocated_mean"] == pytest.approx(len(waits) / end * statistics.fmean(waits))


def test_littles_law_in_expectation_over_the_arrival_period() -> None:
    # Over the period while referrals arrive, the time-average number waiting is the
    # arrival rate times the mean wait (L = lambda x Wq), and both match Erlang C.
    rate, servers = 2.4, 3  # utilisation 0.8
    lengths, products = [], []
    for seed in (1, 2, 3, 4):
        log = _mmc_log(rate, servers, 4000, seed=seed)
        arrivals = [r.time for r in log.of_kind(EventKind.REFERRAL_ARRIVED)]
        last = arrivals[-1]
        queued_at = {r.case: r.time for r in log.of_kind(EventKind.QUEUED)}
        window_waits = [
            r.wait_days for r in log.of_kind(EventKind.ALLOCATED) if queued_at[r.case] <= last
        ]
        lengths.append(_area_waiting(log, 0.0, last) / last)
        products.append(len(arrivals) / last * statistics.fmean(window_waits))
    mean_length = statistics.fmean(lengths)
    assert mean_length == pytest.approx(statistics.fmean(products), rel=0.05)
    theory = rate * erlang_c_wait(rate, SERVICE_RATE, servers)
    assert mean_length == pytest.approx(theory, rel=0.2)


# -- extreme values and the command line -------------------------------------------------


def test_one_customer_never_waits() -> None:
    result = simulate_mmc(0.5, SERVICE_RATE, 1, 1, 9)
    assert result["simulated_mean_wait"] == 0.0
    assert result["customers_served"] == 1


def test_many_servers_light_load_almost_never_wait() -> None:
    result = simulate_mmc(2.0, SERVICE_RATE, 20, 2000, 3)
    assert result["erlang_c_mean_wait"] < 1e-9
    assert result["simulated_mean_wait"] < 1e-3


def test_verify_command_prints_both_waits_as_json() -> None:
    out = subprocess.run(
        [
            sys.executable,
            "-m",
            "frontdoor.cli",
            "verify",
            "mmc",
            "--arrival-rate",
            "2",
            "--service-rate",
            "1",
            "--servers",
            "4",
            "--customers",
            "800",
            "--seed",
            "5",
            "--json",
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert out.returncode == 0, out.stderr
    result = json.loads(out.stdout)
    assert result["erlang_c_mean_wait"] == pytest.approx(erlang_c_wait(2.0, 1.0, 4))
    assert result["simulated_mean_wait"] >= 0
    assert result == simulate_mmc(2.0, 1.0, 4, 800, 5)


@pytest.mark.parametrize(
    "rates",
    [["--arrival-rate", "3", "--servers", "3"], ["--arrival-rate", "-1", "--servers", "2"]],
)
def test_verify_refuses_an_unstable_or_negative_queue(rates: list[str]) -> None:
    out = subprocess.run(
        [sys.executable, "-m", "frontdoor.cli", "verify", "mmc", "--service-rate", "1", *rates],
        capture_output=True,
        text=True,
        check=False,
    )
    assert out.returncode == 2
    assert out.stderr.startswith("error:")
    assert len(out.stderr.strip().splitlines()) == 1
    assert "Traceback" not in out.stderr
