"""Real `frontdoor` processes for the reliability tests: start one, watch its children
(psutil, so the tests run wherever the suite does), send it real signals, and see what it
leaves behind."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path

import psutil

ROOT = Path(__file__).resolve().parent.parent


def default_interrupt() -> None:
    # A shell starts background jobs with SIGINT ignored, and Python then never raises
    # KeyboardInterrupt: give the command the Ctrl-C a user at a terminal would have.
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def start(args: Sequence[str], *, cwd: Path) -> subprocess.Popen[str]:
    """`frontdoor ARGS` in a new session (so a signal to it reaches only what we aim at)."""
    env = dict(os.environ, PYTHONPATH=str(ROOT), COLUMNS="200")
    env.pop("FRONTDOOR_DEBUG", None)
    return subprocess.Popen(
        [sys.executable, "-m", "frontdoor.cli", *args],
        cwd=cwd,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
        preexec_fn=default_interrupt,
    )


def run(args: Sequence[str], *, cwd: Path, timeout: float = 300) -> subprocess.CompletedProcess:
    env = dict(os.environ, PYTHONPATH=str(ROOT), COLUMNS="200")
    env.pop("FRONTDOOR_DEBUG", None)
    return subprocess.run(
        [sys.executable, "-m", "frontdoor.cli", *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def descendants(pid: int) -> set[int]:
    """Every living process below `pid` (children, their children...)."""
    try:
        return {child.pid for child in psutil.Process(pid).children(recursive=True)}
    except psutil.NoSuchProcess:
        return set()


def alive(pids: set[int]) -> set[int]:
    """Those of `pids` still running (a zombie has stopped and holds nothing)."""
    living = set()
    for pid in pids:
        try:
            if psutil.Process(pid).status() != psutil.STATUS_ZOMBIE:
                living.add(pid)
        except psutil.NoSuchProcess:
            continue
    return living


def wait_for(condition: Callable[[], bool], *, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.05)
    raise AssertionError(f"timed out after {timeout:.0f}s waiting for {what}")


def interrupt(
    proc: subprocess.Popen[str],
    sig: int = signal.SIGINT,
    *,
    limit: float = 30.0,
    group: bool = False,
) -> tuple[int, float, str]:
    """Send `sig` to the process alone, or to its whole process group as a terminal's
    Ctrl-C does (`group`); its exit status, seconds to exit, and stderr."""
    sent = time.monotonic()
    if group:
        os.killpg(proc.pid, sig)
    else:
        proc.send_signal(sig)
    try:
        _out, err = proc.communicate(timeout=limit)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.communicate()
        raise AssertionError(f"still running {limit:.0f}s after signal {sig}") from None
    return proc.returncode, time.monotonic() - sent, err


def cleanup(proc: subprocess.Popen[str], pids: set[int]) -> None:
    """Kill whatever a failed test left running, so one failure does not pile up load."""
    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.communicate()
    for pid in alive(pids):
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
