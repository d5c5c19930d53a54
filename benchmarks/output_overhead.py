"""What keeping results safe costs a replication of `frontdoor run --out`, as ratios.

Per replication, `run --out` now also computes the digest that `report` reads (instead
of re-reading the event log later), and the folder's manifest hashes every file once
(SHA-256). Both are set beside the two costs a replication already had: simulating it
and writing its CSV event log. CPU time (time.process_time) is used, so other work on
the machine counts less; each figure is the median of `--repeat` runs.

Run `python benchmarks/output_overhead.py [--horizon DAYS] [--repeat N]`. Timings are
only printed, never asserted.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

from analysis.digest import digest_log
from analysis.outputs import atomic_path, file_digest
from sim.loader import load_scenario, scenario_with
from sim.model import run_scenario


def measure(horizon: float, seed: int) -> dict[str, float]:
    scenario = scenario_with(
        load_scenario("baseline"), {"run.horizon_days": horizon, "run.warm_up_days": 30.0}
    )
    clock = time.process_time
    start = clock()
    log = run_scenario(scenario, seed, replication=0)
    simulated = clock()
    digest_log(log.records)
    digested = clock()
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "events-rep000.csv"
        with atomic_path(path) as partial:
            log.write_csv(partial)
        written = clock()
        file_digest(path)
        hashed = clock()
    return {
        "simulate": simulated - start,
        "digest": digested - simulated,
        "write_csv": written - digested,
        "sha256": hashed - written,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--horizon", type=float, default=180.0, help="simulated days")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    runs = [measure(args.horizon, seed) for seed in range(1, args.repeat + 1)]
    median = {k: statistics.median(r[k] for r in runs) for k in runs[0]}
    for name, seconds in median.items():
        print(f"{name:10s} {seconds:7.3f} s CPU")
    print(f"digest / simulate    {median['digest'] / median['simulate']:.2f}")
    print(f"sha256 / write_csv   {median['sha256'] / median['write_csv']:.2f}")
    extra = median["digest"] + median["sha256"]
    base = median["simulate"] + median["write_csv"]
    print(f"(digest + sha256) / (simulate + write_csv)   {extra / base:.2f}")


if __name__ == "__main__":
    main()
