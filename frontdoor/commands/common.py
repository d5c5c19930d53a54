"""Helpers shared by subcommands: scenario arguments, progress bars, KPI tables."""

from __future__ import annotations

import json
import math
import os
import sys
import time
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)
from rich.table import Table

from analysis.formatting import decimals_for, format_number, format_range
from analysis.kpis import KPI_LABELS

# Re-exported for the commands: the light part lives in `arguments` (see there).
from frontdoor.commands.arguments import UsageError as UsageError
from frontdoor.commands.arguments import positive_int as positive_int
from frontdoor.commands.arguments import seed_value as seed_value

if TYPE_CHECKING:  # scipy behind it: not imported to start the desk
    from analysis.stats import Interval


def wide_console() -> Console:
    """A console for tables on stdout: the terminal's width, or 200 columns when output
    goes to a file or pipe, so names and numbers are never cut to 80 columns."""
    return Console() if sys.stdout.isatty() else Console(width=200)


def stderr_console() -> Console:
    return Console(stderr=True)


def progress_columns() -> tuple[Any, ...]:
    """The columns of every progress bar: label, bar, done of total, elapsed, ETA."""
    return (
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        TextColumn("eta"),
        TimeRemainingColumn(),
    )


def _clock(seconds: float) -> str:
    seconds = max(0, int(round(seconds)))
    return f"{seconds // 3600}:{seconds // 60 % 60:02d}:{seconds % 60:02d}"


class LineProgress:
    """Progress as plain lines on stderr, for batch systems and output sent to a file.

    A line (label, done of total, elapsed, estimate of the time left) is written at the
    start, then at most once every `every` seconds, and when the work is done. The
    interval is `FRONTDOOR_PROGRESS_SECONDS` (default 5).
    """

    def __init__(self, label: str, total: int | None = None, *, every: float | None = None):
        self.label = label
        self.total = total
        default = os.environ.get("FRONTDOOR_PROGRESS_SECONDS", "5")
        self.every = float(default if every is None else every)
        self.started = time.monotonic()
        self.last_written: float | None = None
        self.done = 0

    def update(self, done: int, total: int | None = None) -> None:
        """Record `done` of `total` and write a line if one is due."""
        self.done = done
        if total is not None:
            self.total = total
        now = time.monotonic()
        finished = self.total is not None and done >= self.total
        due = self.last_written is None or now - self.last_written >= self.every
        if due or (finished and self.last_written is not None and done > 0):
            self.write(now)

    def advance(self, n: int = 1) -> None:
        self.update(self.done + n)

    def write(self, now: float) -> None:
        elapsed = now - self.started
        of = f"/{self.total}" if self.total is not None else ""
        line = f"{self.label}: {self.done}{of} done, {_clock(elapsed)} elapsed"
        if self.total and self.done:
            left = elapsed / self.done * (self.total - self.done)
            line += f", about {_clock(left)} left"
        sys.stderr.write(line + "\n")
        sys.stderr.flush()
        self.last_written = now


def interactive_stderr() -> bool:
    """True when stderr is a terminal that can draw a live progress bar."""
    return sys.stderr.isatty()


@contextmanager
def progress_bar(total: int, label: str, *, enabled: bool = True) -> Iterator[Any]:
    """A rich progress bar on stderr with an ETA (plain lines when stderr is not a
    terminal); yields `advance(n)`."""
    if not enabled:
        yield lambda n=1: None
        return
    if not interactive_stderr():
        lines = LineProgress(label, total)
        lines.update(0)
        yield lines.advance
        return
    with Progress(*progress_columns(), console=stderr_console(), transient=True) as progress:
        task = progress.add_task(label, total=total)
        yield lambda n=1: progress.advance(task, n)


def fmt(value: float) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "-"
    if abs(value) >= 100:
        return f"{value:,.0f}"
    return f"{value:.3f}" if abs(value) < 10 else f"{value:.2f}"


def kpi_table(title: str, intervals: Mapping[str, Interval]) -> Table:
    table = Table(title=title)
    table.add_column("KPI", no_wrap=True)
    table.add_column("mean", justify="right")
    table.add_column("95% interval", justify="right")
    table.add_column("meaning")
    for name, iv in intervals.items():
        decimals = decimals_for(iv.half_width)
        table.add_row(
            name,
            format_number(iv.mean, decimals),
            format_range(iv.ci_low, iv.ci_high, decimals),
            KPI_LABELS.get(name, ""),
        )
    return table


def json_number(value: float) -> float | None:
    """JSON has no NaN: an interval from one replication has no bounds."""
    return None if value is None or math.isnan(value) else value


def print_json(obj: Any) -> None:
    sys.stdout.write(json.dumps(obj, indent=2, sort_keys=False) + "\n")


def interval_json(iv: Interval) -> dict[str, float | None]:
    return {
        "mean": json_number(iv.mean),
        "ci_low": json_number(iv.ci_low),
        "ci_high": json_number(iv.ci_high),
    }


def warn_overloaded(label: str, loads: Sequence[Mapping[str, Sequence[float]] | None]) -> None:
    """Warn (on stderr) of each stage whose offered load, averaged over the replications,
    is at or above its capacity: such a stage has no steady state."""
    from analysis.steady import overloaded

    known = [entry for entry in loads if entry]
    if not known:
        return
    stages = sorted({stage for entry in known for stage in entry})
    mean: dict[str, list[float]] = {}
    for stage in stages:
        pairs = [entry[stage] for entry in known if stage in entry]
        mean[stage] = [sum(p[0] for p in pairs) / len(pairs), sum(p[1] for p in pairs) / len(pairs)]
    console = stderr_console()
    for message in overloaded(mean):
        console.print(f"warning: {label}: {message}", markup=False, highlight=False)
