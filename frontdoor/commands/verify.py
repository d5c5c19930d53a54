"""`frontdoor verify mmc`: the production model against Erlang C."""

from __future__ import annotations

import argparse
import statistics

from rich.console import Console
from rich.table import Table

from analysis.kpis import compute_kpis
from analysis.stats import erlang_c_wait
from frontdoor.commands.common import UsageError, positive_int, print_json, seed_value
from sim.events import EventKind
from sim.model import run_scenario
from sim.records import Allocated
from sim.verification import mmc_scenario


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("verify", help="check the model against queueing theory")
    what = p.add_subparsers(dest="check", metavar="CHECK", parser_class=type(p))
    what.required = True
    m = what.add_parser("mmc", help="mean wait to allocation against Erlang C")
    m.add_argument("--arrival-rate", type=float, required=True, help="referrals per day")
    m.add_argument("--service-rate", type=float, required=True, help="assessments per worker-day")
    m.add_argument("--servers", type=positive_int, required=True, help="workers (one case each)")
    m.add_argument("--customers", type=positive_int, default=20_000, help="referrals to run")
    m.add_argument("--seed", type=seed_value, default=1)
    m.add_argument("--json", action="store_true", help="print the result as JSON")
    m.set_defaults(handler=handle_mmc)


def simulate_mmc(
    arrival_rate: float, service_rate: float, servers: int, customers: int, seed: int
) -> dict[str, float]:
    scenario = mmc_scenario(
        arrival_rate=arrival_rate, service_rate=service_rate, servers=servers, customers=customers
    )
    log = run_scenario(scenario, seed)
    # of_kind(ALLOCATED) yields only Allocated records; isinstance narrows them for mypy.
    waits = [r.wait_days for r in log.of_kind(EventKind.ALLOCATED) if isinstance(r, Allocated)]
    kpis = compute_kpis(log.records)
    return {
        "simulated_mean_wait": statistics.fmean(waits),
        "erlang_c_mean_wait": erlang_c_wait(arrival_rate, service_rate, servers),
        "customers_served": float(len(waits)),
        "mean_number_waiting": kpis["unallocated_mean"],
        "arrival_rate": arrival_rate,
        "utilisation": arrival_rate / (servers * service_rate),
    }


def handle_mmc(args: argparse.Namespace) -> int:
    if args.arrival_rate <= 0 or args.service_rate <= 0:
        raise UsageError("--arrival-rate and --service-rate must be positive")
    if args.arrival_rate >= args.servers * args.service_rate:
        raise UsageError(
            "utilisation must be below 1 (arrival rate < servers x service rate) "
            "for a steady state to exist"
        )
    result = simulate_mmc(
        args.arrival_rate, args.service_rate, args.servers, args.customers, args.seed
    )
    if args.json:
        print_json(result)
        return 0
    table = Table(title=f"M/M/{args.servers}: the production model against Erlang C")
    table.add_column("measure")
    table.add_column("value", justify="right")
    for key, value in result.items():
        table.add_row(key.replace("_", " "), f"{value:.4f}")
    Console().print(table)
    return 0
