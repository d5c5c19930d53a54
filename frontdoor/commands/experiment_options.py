"""Options shared by the experiment commands: where to run, warm-up, and a progress bar
whose total is known only once stored results have been counted."""

from __future__ import annotations

import argparse
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from rich.progress import (
    Progress,
)

from analysis.digest import WARM_UP_CHOICES
from analysis.execution import Backend, dask_available
from frontdoor.commands.common import (
    LineProgress,
    UsageError,
    interactive_stderr,
    positive_int,
    progress_columns,
    stderr_console,
)


def add_backend_arguments(p: argparse.ArgumentParser) -> None:
    where = p.add_argument_group("where replications run (results are the same on each)")
    where.add_argument(
        "--jobs",
        type=positive_int,
        default=None,
        help="local processes (default: all cores; 1 runs in this process)",
    )
    where.add_argument(
        "--dask-local",
        type=positive_int,
        metavar="N",
        help="start a local Dask cluster of N worker processes on 127.0.0.1",
    )
    where.add_argument(
        "--scheduler", metavar="tcp://HOST:PORT", help="run on the Dask scheduler at this address"
    )


def add_overwrite_argument(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--overwrite",
        action="store_true",
        help="empty an --out folder that holds other results before writing (without it, "
        "such a folder is refused)",
    )


def add_warm_up_argument(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--warm-up",
        choices=WARM_UP_CHOICES,
        default="auto",
        help="warm-up rule: the scenario's own (auto, the default), its fixed warm_up_days, "
        "or MSER-5 on each replication's backlog",
    )


def backend_from_args(args: argparse.Namespace) -> Backend:
    try:
        backend = Backend.choose(
            jobs=args.jobs, scheduler=args.scheduler, dask_local=args.dask_local
        )
    except ValueError as exc:
        raise UsageError(str(exc)) from None
    if backend.kind == "dask" and not dask_available():
        raise UsageError("Dask is not installed: pip install 'frontdoor[dask]'")
    return backend


@contextmanager
def counted_progress(label: str, *, enabled: bool = True) -> Iterator[Callable[[int, int], None]]:
    """A rich progress bar with an ETA on stderr; yields `update(done, total)`."""
    if not enabled:
        yield lambda done, total: None
        return
    if not interactive_stderr():
        yield LineProgress(label).update
        return
    with Progress(*progress_columns(), console=stderr_console(), transient=True) as progress:
        task = progress.add_task(label, total=None)

        def update(done: int, total: int) -> None:
            progress.update(task, completed=done, total=total)

        yield update


def run_stored_experiment(
    points: Any,
    args: argparse.Namespace,
    *,
    store: Any,
    kind: str,
    label: str,
    show_progress: bool = True,
) -> Any:
    """Run an experiment's points with the command's backend, warm-up and progress bar;
    a results folder that belongs to another experiment is a usage error."""
    from analysis.experiment import run_experiment
    from analysis.store import StoreMismatch

    backend = backend_from_args(args)  # a bad address is refused before any bar is drawn
    try:
        with counted_progress(label, enabled=show_progress) as progress:
            return run_experiment(
                points,
                args.reps,
                args.seed,
                backend=backend,
                store=store,
                kind=kind,
                warm_up=args.warm_up,
                progress=progress,
            )
    except StoreMismatch as exc:
        raise UsageError(str(exc)) from None
