"""Speed from command to answer: whole commands against a bare SimPy queue, side by side.

Measured in turns, each in a fresh process (so imports count, as a user waits for them):

1. the reference: a bare SimPy M/M/10 of 200,000 customers at utilisation 0.85
   (simpy.Resource, exponential gaps and services drawn from a numpy Generator);
2. `frontdoor run baseline --reps 1 --jobs 1`, end to end;
3. `frontdoor validate scenarios/baseline.yaml`;
4. the model's own run (one baseline replication, `run_scenario`, imports excluded);
5. peak resident memory (ru_maxrss) of a process that runs one replication as
   `frontdoor run` does (`analysis.experiment.run_replication`).

With `--base DIR` (a checkout of another commit, e.g. `git worktree add /tmp/base
88a5e1f`), 2-5 are also run from that checkout in the same turns, so both sides see the
same machine load. Figures are medians over `--rounds` turns; timings are printed, never
asserted. Run `python benchmarks/bench_command.py [--rounds N] [--base DIR] [--json OUT]`.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent

BARE_QUEUE = """
import time, numpy as np, simpy
t0 = time.perf_counter()
rng = np.random.default_rng(1)
env = simpy.Environment()
desk = simpy.Resource(env, capacity=10)
servers, service_rate, customers = 10, 1.0, 200_000
arrival_rate = 0.85 * servers * service_rate
waits = []
def customer(arrived):
    with desk.request() as request:
        yield request
        waits.append(env.now - arrived)
        yield env.timeout(rng.exponential(1.0 / service_rate))
def source():
    for _ in range(customers):
        yield env.timeout(rng.exponential(1.0 / arrival_rate))
        env.process(customer(env.now))
env.process(source())
env.run()
assert len(waits) == customers
"""

MODEL_RUN = """
import time
from sim.loader import load_scenario
from sim.model import run_scenario
scenario = load_scenario("baseline")
t0 = time.perf_counter()
log = run_scenario(scenario, 1)
print("SECONDS", time.perf_counter() - t0)
"""

PEAK_MEMORY = """
import resource
from analysis.experiment import run_replication
from sim.loader import load_scenario
run_replication(load_scenario("baseline"), 1, 0, keep_cases=True)
print("MAXRSS_KB", resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)
"""

CLI = "import sys; from frontdoor.cli import main; sys.exit(main())"


def _python(code: str, args: list[str], root: Path) -> tuple[float, str]:
    """Seconds a fresh interpreter takes to run `code` from checkout `root`, and its output."""
    env = dict(os.environ, PYTHONPATH=str(root), SDL_VIDEODRIVER="dummy")
    start = time.perf_counter()
    out = subprocess.run(
        [sys.executable, "-c", code, *args],
        cwd=root,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    seconds = time.perf_counter() - start
    if out.returncode != 0:
        raise RuntimeError(f"{root}: {args}: {out.stderr[-2000:]}")
    return seconds, out.stdout


def _value(stdout: str, key: str) -> float:
    for line in stdout.splitlines():
        if line.startswith(key):
            return float(line.split()[1])
    raise ValueError(f"no {key} in output")


def one_turn(root: Path) -> dict[str, float]:
    run, _ = _python(CLI, ["run", "baseline", "--reps", "1", "--jobs", "1"], root)
    validate, _ = _python(CLI, ["validate", str(root / "scenarios" / "baseline.yaml")], root)
    _, model_out = _python(MODEL_RUN, [], root)
    _, memory_out = _python(PEAK_MEMORY, [], root)
    return {
        "run_command_s": run,
        "validate_command_s": validate,
        "model_run_s": _value(model_out, "SECONDS"),
        "replication_peak_rss_mb": _value(memory_out, "MAXRSS_KB") / 1024.0,
    }


def _git_head(root: Path) -> str:
    out = subprocess.run(
        ["git", "-C", str(root), "rev-parse", "--short", "HEAD"], capture_output=True, text=True
    )
    return out.stdout.strip() or "unknown"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--base", type=Path, help="checkout of the commit to compare with")
    parser.add_argument("--json", type=Path, help="write the figures here as JSON")
    args = parser.parse_args(argv)
    sides = {"this": ROOT} | ({"base": args.base.resolve()} if args.base else {})
    samples: dict[str, list[dict[str, float]]] = {side: [] for side in sides}
    bare: list[float] = []
    load_before = os.getloadavg()
    for turn in range(args.rounds):
        seconds, _ = _python(BARE_QUEUE, [], ROOT)
        bare.append(seconds)
        for side, root in sides.items():
            samples[side].append(one_turn(root))
        print(f"turn {turn + 1}/{args.rounds} done", file=sys.stderr)
    load_after = os.getloadavg()
    bare_s = statistics.median(bare)
    report: dict[str, Any] = {
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, Python "
        f"{platform.python_version()}",
        "load_average_before_after": [round(load_before[0], 1), round(load_after[0], 1)],
        "rounds": args.rounds,
        "bare_mm10_200k_s": round(bare_s, 2),
    }
    for side, root in sides.items():
        medians = {
            key: statistics.median(s[key] for s in samples[side]) for key in samples[side][0]
        }
        report[side] = {
            "commit": _git_head(root),
            **{k: round(v, 2) for k, v in medians.items()},
            "run_over_bare": round(medians["run_command_s"] / bare_s, 2),
            "validate_over_bare": round(medians["validate_command_s"] / bare_s, 2),
        }
    if "base" in report:
        report["model_run_this_over_base"] = round(
            report["this"]["model_run_s"] / report["base"]["model_run_s"], 3
        )
    text = json.dumps(report, indent=2)
    print(text)
    if args.json:
        args.json.write_text(text + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
