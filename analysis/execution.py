"""Where replications run: in this process, in local processes, or on a Dask cluster.

Every unit of work is a pure function of its arguments (a scenario, a seed and a
replication number), so where it runs cannot change its result: the same seed gives
the same digests sequentially, in processes and on Dask. Results come back as they
finish, in whatever order, each with the key it was submitted under; callers store
them by key, which is what lets an interrupted sweep resume.

An interrupt (Ctrl-C, or SIGTERM, which `frontdoor` turns into one) stops every backend
within seconds: queued work is cancelled, local worker processes are terminated and
joined, and a local Dask cluster is shut down, with further interrupts held off until
the clean-up is done, so nothing is left running. Worker processes ignore SIGINT (their
parent decides) and ask Linux to end them if their parent dies.

Dask is optional (`pip install 'frontdoor[dask]'`). `Backend.dask_local` starts a
LocalCluster of worker processes on 127.0.0.1; `Backend.scheduler` connects to a
running scheduler (`tcp://HOST:PORT`). A worker that dies mid-task has its tasks run
again elsewhere by the scheduler, so a sweep survives losing a worker.
"""

from __future__ import annotations

import os
import signal
import sys
import threading
import time
import uuid
from collections.abc import Callable, Generator, Hashable, Iterator, Sequence
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, Literal

BackendKind = Literal["sequential", "processes", "dask"]
_POLL_SECONDS = 0.2  # how often a wait looks at the cancel flag


class Cancelled(Exception):
    """The caller's cancel flag was set: queued work was dropped and workers stopped."""


@dataclass(frozen=True, kw_only=True)
class Task:
    """One call `fn(*args)` to run, known by `key`."""

    key: Hashable
    fn: Callable[..., Any]
    args: tuple[Any, ...]


@dataclass(frozen=True, kw_only=True)
class Backend:
    """How to run tasks. Build one with `Backend.choose`."""

    kind: BackendKind = "sequential"
    jobs: int = 1
    scheduler: str | None = None
    dask_local: int | None = None

    @staticmethod
    def choose(
        *, jobs: int | None = None, scheduler: str | None = None, dask_local: int | None = None
    ) -> Backend:
        """Dask when asked for; else processes (all cores by default); one job: sequential."""
        if scheduler and dask_local:
            raise ValueError("give either a Dask scheduler address or --dask-local, not both")
        if scheduler:
            if not scheduler.startswith(("tcp://", "tls://", "inproc://", "ws://", "wss://")):
                raise ValueError(
                    f"a scheduler address looks like tcp://HOST:PORT, got {scheduler!r}"
                )
            return Backend(kind="dask", scheduler=scheduler)
        if dask_local:
            return Backend(kind="dask", dask_local=int(dask_local))
        n = jobs if jobs is not None else (os.cpu_count() or 1)
        return Backend(kind="sequential") if n <= 1 else Backend(kind="processes", jobs=n)

    def describe(self) -> str:
        if self.kind == "dask":
            where = self.scheduler or f"a local cluster of {self.dask_local} worker processes"
            return f"Dask ({where})"
        if self.kind == "processes":
            return f"{self.jobs} local processes"
        return "this process"


def dask_available() -> bool:
    import importlib.util

    return importlib.util.find_spec("distributed") is not None


@contextmanager
def dask_client(backend: Backend) -> Iterator[Any]:
    """A Dask client for the backend: a new local cluster, or a connection to a scheduler."""
    if not dask_available():
        raise RuntimeError("Dask is not installed: pip install 'frontdoor[dask]'")
    from distributed import Client, LocalCluster

    if backend.scheduler:
        with Client(backend.scheduler, timeout="20s") as client:
            yield client
        return
    # Worker processes started while SIGINT is ignored keep ignoring it (an ignored signal
    # survives exec), so a Ctrl-C at the terminal, which reaches the whole process group,
    # is handled by this process alone, which then closes the cluster.
    with shielded(signal.SIGINT):
        cluster = _local_cluster(backend, LocalCluster)
    try:
        with Client(cluster) as client:
            yield client
    finally:
        with shielded():
            cluster.close(timeout=10)


def _local_cluster(backend: Backend, factory: Any) -> Any:
    return factory(
        n_workers=int(backend.dask_local or 1),
        threads_per_worker=1,
        processes=True,
        host="127.0.0.1",
        dashboard_address=None,
        silence_logs=50,  # CRITICAL: a restarted worker, or one closed by Ctrl-C, is not news
    )


@contextmanager
def session(backend: Backend) -> Iterator[Any]:
    """One Dask client for several `execute` calls (None for the other backends), so a
    local cluster starts once, not once a call."""
    if backend.kind != "dask":
        yield None
        return
    with dask_client(backend) as client:
        yield client


def execute(
    tasks: Sequence[Task],
    backend: Backend,
    *,
    client: Any | None = None,
    cancel: threading.Event | None = None,
) -> Generator[tuple[Hashable, Any], None, None]:
    """Run `tasks` and yield `(key, result)` as each one finishes.

    Stopping the iteration early (or an interrupt) cancels what has not started. A Dask
    `client` may be passed in to reuse a cluster; otherwise one is made for the call.
    Setting `cancel` (from another thread, say a web page's Cancel button) raises
    `Cancelled` within a fraction of a second. Local worker processes are terminated, so
    running replications stop rather than finish. On Dask, queued tasks are cancelled and
    a cluster made for this call is closed; a task already running on someone else's
    scheduler runs to its end there and its result is dropped. In this process
    (sequential) the flag is read between tasks: a running task cannot be stopped.
    """
    if not tasks:
        return
    if backend.kind == "sequential":
        for task in tasks:
            _check(cancel)
            yield task.key, task.fn(*task.args)
        return
    if backend.kind == "processes":
        yield from _in_processes(tasks, backend.jobs, cancel)
        return
    if client is not None:
        yield from _on_dask(tasks, client, cancel)
        return
    with dask_client(backend) as own:
        yield from _on_dask(tasks, own, cancel)


def _check(cancel: threading.Event | None) -> None:
    if cancel is not None and cancel.is_set():
        raise Cancelled


@contextmanager
def shielded(*signals: signal.Signals) -> Iterator[None]:
    """Hold off `signals` (SIGINT and SIGTERM by default) while cleaning up, so a second
    Ctrl-C cannot cut the clean-up short and leave workers behind (signals can only be
    set in the main thread)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    saved = {sig: signal.getsignal(sig) for sig in (signals or (signal.SIGINT, signal.SIGTERM))}
    for sig in saved:
        signal.signal(sig, signal.SIG_IGN)
    try:
        yield
    finally:
        for sig, handler in saved.items():
            signal.signal(sig, handler)


def worker_setup() -> None:
    """Run in each local worker: leave SIGINT to the parent, die with it on SIGTERM, and
    have Linux send SIGTERM if the parent dies without cleaning up (PR_SET_PDEATHSIG)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    if sys.platform.startswith("linux"):
        try:
            import ctypes

            libc = ctypes.CDLL(None, use_errno=True)
            libc.prctl(1, signal.SIGTERM, 0, 0, 0)  # 1 = PR_SET_PDEATHSIG
        except (OSError, AttributeError):
            pass


def stop_pool(pool: ProcessPoolExecutor, *, grace: float = 2.0) -> None:
    """Cancel what is queued, terminate the workers and wait for them to be gone."""
    with shielded():
        processes = list((getattr(pool, "_processes", None) or {}).values())
        pool.shutdown(wait=False, cancel_futures=True)
        for process in processes:
            if process.is_alive():
                process.terminate()
        for process in processes:
            process.join(grace)
            if process.is_alive():
                process.kill()
                process.join(grace)


def _in_processes(
    tasks: Sequence[Task], jobs: int, cancel: threading.Event | None = None
) -> Iterator[tuple[Hashable, Any]]:
    pool = ProcessPoolExecutor(max_workers=max(1, min(jobs, len(tasks))), initializer=worker_setup)
    order = {t.key: i for i, t in enumerate(tasks)}
    finished = False
    timeout = None if cancel is None else _POLL_SECONDS
    try:
        pending = {pool.submit(t.fn, *t.args): t.key for t in tasks}
        while pending:
            _check(cancel)
            done, _ = wait(pending, timeout=timeout, return_when=FIRST_COMPLETED)
            # Report in submission order within a batch, so runs read the same way.
            for future in sorted(done, key=lambda f: order[pending[f]]):
                key = pending.pop(future)
                yield key, future.result()
        finished = True
    finally:
        if finished:
            pool.shutdown(wait=True)
        else:
            stop_pool(pool)


def dask_key(key: Hashable, run_token: str) -> str:
    """A Dask key unique to this call: a key reused across calls would reuse old results."""
    return "-".join(["frontdoor", run_token, *(str(part) for part in _flatten(key))])


def _flatten(key: Hashable) -> Iterator[Hashable]:
    if isinstance(key, tuple):
        for part in key:
            yield from _flatten(part)
    else:
        yield key


def _on_dask(
    tasks: Sequence[Task], client: Any, cancel: threading.Event | None = None
) -> Iterator[tuple[Hashable, Any]]:
    from distributed import as_completed

    run_token = uuid.uuid4().hex[:12]
    futures = []
    keys: dict[str, Hashable] = {}
    for task in tasks:
        name = dask_key(task.key, run_token)
        keys[name] = task.key
        futures.append(client.submit(task.fn, *task.args, key=name, pure=False))
    finished = False
    try:
        if cancel is None:
            for future in as_completed(futures):
                yield keys[future.key], future.result()
        else:
            arrivals = as_completed(futures)
            while not arrivals.is_empty():
                _check(cancel)
                batch = arrivals.next_batch(block=False)
                if not batch:
                    time.sleep(_POLL_SECONDS)
                for future in batch:
                    yield keys[future.key], future.result()
        finished = True
    finally:
        if not finished:
            with shielded():
                client.cancel(futures)
