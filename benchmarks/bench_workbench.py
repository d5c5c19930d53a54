"""How quickly the managers' workbench answers, measured in a real browser.

Starts `frontdoor workbench` on a free loopback port and drives Debian's Chromium with
Playwright. Measures:

* first page ready: from starting the server process to the run button being shown;
* two-replication run: from clicking "Run 2 paired replications" (baseline, 60 measured
  days after 30 of warm-up, one lever changed) to the plain-language summary on the page;
* the same comparison from the command line (`frontdoor compare --reps 2`, whole process),
  as the reference the browser's run is set beside.

    python benchmarks/bench_workbench.py [--repeat 3]

Figures depend on the machine and its load; benchmarks/README.md records what was seen.
"""

from __future__ import annotations

import argparse
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = "/usr/bin/chromium"
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def set_number(page: object, label: str, value: str) -> None:
    box = page.get_by_label(label, exact=True)  # type: ignore[attr-defined]
    box.fill(value)
    box.press("Enter")
    page.wait_for_timeout(300)  # type: ignore[attr-defined]
    page.locator("[data-testid='stStatusWidget']").wait_for(state="hidden")  # type: ignore[attr-defined]


def one_session(browser: object, seed: int) -> tuple[float, float]:
    """(first page ready, two-replication run) in seconds, for a fresh server."""
    port = free_port()
    workdir = tempfile.mkdtemp(prefix="bench-workbench-")
    env = dict(os.environ, FRONTDOOR_WORKBENCH_DIR=workdir)
    started = time.monotonic()
    server = subprocess.Popen(
        [sys.executable, "-m", "frontdoor.cli", "workbench", "--port", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env=env,
        cwd=ROOT,
    )
    try:
        url = f"http://127.0.0.1:{port}"
        while True:
            try:
                urllib.request.urlopen(f"{url}/_stcore/health", timeout=1).close()
                break
            except OSError:
                time.sleep(0.05)
        page = browser.new_page(viewport={"width": 1400, "height": 1000})  # type: ignore[attr-defined]
        page.set_default_timeout(120_000)
        page.goto(url)
        page.get_by_role("button", name="Run 2 paired replications").wait_for()
        ready = time.monotonic() - started
        set_number(page, "Measured period (days)", "60")
        set_number(page, "Warm-up before measuring (days)", "30")
        set_number(page, "experienced: staff (workers)", "9")
        page.get_by_label("Seed (0 or more)").fill(str(seed))
        page.get_by_label("Seed (0 or more)").press("Enter")
        page.wait_for_timeout(300)
        clicked = time.monotonic()
        page.get_by_role("button", name="Run 2 paired replications").click()
        page.locator("[data-testid='fd-summary']").first.wait_for()
        run = time.monotonic() - clicked
        page.close()
        return ready, run
    finally:
        server.terminate()
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait(timeout=20)


def cli_compare(seed: int) -> float:
    folder = Path(tempfile.mkdtemp(prefix="bench-cli-"))
    base = folder / "base.yaml"  # not baseline.yaml: "extends: baseline" would find itself
    policy = folder / "policy.yaml"
    base.write_text("extends: baseline\nrun: {horizon_days: 60, warm_up_days: 30}\n")
    policy.write_text(
        "extends: baseline\nname: policy\nrun: {horizon_days: 60, warm_up_days: 30}\n"
    )
    started = time.monotonic()
    subprocess.run(
        [sys.executable, "-m", "frontdoor.cli", "compare", str(base), str(policy), "--reps", "2",
         "--seed", str(seed), "--json"],
        check=True, capture_output=True, cwd=ROOT,
    )  # fmt: skip
    return time.monotonic() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    ready, runs, cli = [], [], []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        for i in range(args.repeat):
            r, t = one_session(browser, seed=10 + i)
            ready.append(r)
            runs.append(t)
            cli.append(cli_compare(seed=10 + i))
            print(f"session {i + 1}: first page {r:.2f} s, run {t:.2f} s, cli {cli[-1]:.2f} s")
        browser.close()
    print(f"load average at the end: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    print(f"first page ready, median: {statistics.median(ready):.2f} s")
    print(f"two-replication run, median: {statistics.median(runs):.2f} s")
    print(f"frontdoor compare --reps 2, median: {statistics.median(cli):.2f} s")
    print(f"run in the browser / cli: {statistics.median(runs) / statistics.median(cli):.2f}")


if __name__ == "__main__":
    main()
