"""Parallel efficiency of replications: sequential against local processes and Dask.

Runs the same replications of a scenario (by default the bundled baseline: a simulated
year after a year of warm-up) in this process, in N local processes and on a local Dask
cluster of N worker processes, checks that every backend gave identical digests, and
reports wall time, speed-up and parallel efficiency (speed-up / N). Results go to
stdout and, with --json, to a file. Timings depend on what else the machine is doing:
run it on a quiet machine and say so when quoting numbers.

    python benchmarks/parallel_efficiency.py --reps 8 --jobs 2 --json bench.json
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import time
from typing import Any

from analysis.execution import Backend, dask_client
from analysis.experiment import comparison_points, run_experiment
from sim.loader import load_scenario


def timed(points: list, reps: int, seed: int, backend: Backend, client: Any = None) -> tuple:
    start = time.perf_counter()
    result = run_experiment(points, reps, seed, backend=backend, client=client)
    return time.perf_counter() - start, json.dumps(result.digests, sort_keys=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scenario", default="baseline")
    parser.add_argument("--reps", type=int, default=8)
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--skip-dask", action="store_true")
    parser.add_argument("--json", help="write the results to this file")
    args = parser.parse_args()

    scenario = load_scenario(args.scenario)
    points = comparison_points([scenario])
    rows: dict[str, dict[str, float]] = {}
    t_seq, ref = timed(points, args.reps, args.seed, Backend())
    rows["sequential"] = {"seconds": t_seq, "speed_up": 1.0, "efficiency": 1.0}
    t_proc, digests = timed(points, args.reps, args.seed, Backend(kind="processes", jobs=args.jobs))
    assert digests == ref, "processes gave different results"
    rows[f"processes x{args.jobs}"] = {
        "seconds": t_proc,
        "speed_up": t_seq / t_proc,
        "efficiency": t_seq / t_proc / args.jobs,
    }
    if not args.skip_dask:
        backend = Backend(kind="dask", dask_local=args.jobs)
        start = time.perf_counter()
        with dask_client(backend) as client:
            startup = time.perf_counter() - start
            t_dask, digests = timed(points, args.reps, args.seed, backend, client)
        assert digests == ref, "Dask gave different results"
        rows[f"dask local x{args.jobs} (cluster running)"] = {
            "seconds": t_dask,
            "speed_up": t_seq / t_dask,
            "efficiency": t_seq / t_dask / args.jobs,
        }
        rows["dask cluster start-up"] = {"seconds": startup}
    report = {
        "scenario": scenario.name,
        "reps": args.reps,
        "jobs": args.jobs,
        "cpus": os.cpu_count(),
        "load_average_before": os.getloadavg(),
        "python": platform.python_version(),
        "results": rows,
        "identical_results": True,
    }
    for name, row in rows.items():
        extra = (
            f"  speed-up {row['speed_up']:.2f}  efficiency {row['efficiency']:.0%}"
            if "speed_up" in row
            else ""
        )
        print(f"{name:40s} {row['seconds']:7.2f} s{extra}")
    if args.json:
        with open(args.json, "w", encoding="utf-8") as handle:
            json.dump(report, handle, indent=2)


if __name__ == "__main__":
    main()
