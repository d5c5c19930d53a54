"""The managers' workbench in a real browser: Debian's Chromium driven by Playwright.

The tests start the real server (`frontdoor workbench`) on a free loopback port, change
levers, run two paired replications of a short scenario, and check the page's numbers
against `frontdoor compare` on the same seed. Screenshots of every page are kept under
test-artifacts/workbench/ (gitignored) for people to look at.
"""

from __future__ import annotations

import json
import math
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("streamlit")
playwright_api = pytest.importorskip("playwright.sync_api")

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
ROOT = Path(__file__).resolve().parent.parent
ARTIFACTS = ROOT / "test-artifacts" / "workbench"
SHORT = {"Measured period (days)": "60", "Warm-up before measuring (days)": "30"}
SEED = 3

pytestmark = pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="needs /usr/bin/chromium")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def frontdoor(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "frontdoor.cli", *args],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=ROOT,
    )


def stop(proc: subprocess.Popen[str], port: int) -> None:
    """SIGTERM (the server is the process started: `frontdoor workbench` execs it), and
    SIGKILL if it has not gone within 60 s; then any replication worker it forked and left
    behind (they carry the server's command line, with this test's own port)."""
    proc.terminate()
    try:
        proc.wait(timeout=60)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(timeout=20)
    marker = f"--server.port\0{port}\0".encode()
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            cmdline = (entry / "cmdline").read_bytes()
        except OSError:
            continue
        if marker in cmdline and b"frontdoor/workbench/app.py" in cmdline:
            os.kill(int(entry.name), signal.SIGKILL)


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    workdir = tmp_path_factory.mktemp("workbench-runs")
    port = free_port()
    env = dict(os.environ, FRONTDOOR_WORKBENCH_DIR=str(workdir))
    proc = subprocess.Popen(
        [sys.executable, "-m", "frontdoor.cli", "workbench", "--port", str(port)],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env=env,
        cwd=ROOT,
    )
    url = f"http://127.0.0.1:{port}"
    first_line = proc.stdout.readline() if proc.stdout else ""
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as answer:
                if answer.status == 200:
                    break
        except OSError:
            time.sleep(0.3)
    else:
        stop(proc, port)
        pytest.fail("the workbench did not start within 60 s")
    try:
        yield {"url": url, "workdir": workdir, "first_line": first_line}
    finally:
        stop(proc, port)


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with playwright_api.sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture(scope="module")
def artifacts() -> Path:
    shutil.rmtree(ARTIFACTS, ignore_errors=True)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    return ARTIFACTS


def open_page(browser: Any, url: str) -> Any:
    page = browser.new_page(viewport={"width": 1400, "height": 1000}, accept_downloads=True)
    page.set_default_timeout(120_000)
    page.goto(url)
    page.get_by_role("button", name="Run 2 paired replications").wait_for()
    return page


def set_number(page: Any, label: str, value: str) -> None:
    box = page.get_by_label(label, exact=True)
    box.fill(value)
    box.press("Enter")
    page.wait_for_timeout(400)
    page.locator("[data-testid='stStatusWidget']").wait_for(state="hidden", timeout=120_000)


def tall_screenshot(page: Any, path: Path) -> None:
    """Streamlit scrolls inside its own container, so a full-page shot shows one screen:
    make the window as tall as the content for the picture."""
    height = page.evaluate(
        "() => Math.max(...[...document.querySelectorAll('section, div')].map(e => e.scrollHeight))"
    )
    page.set_viewport_size({"width": 1400, "height": min(int(height) + 100, 12000)})
    page.wait_for_timeout(800)
    page.screenshot(path=path, full_page=True)
    page.set_viewport_size({"width": 1400, "height": 1000})


def download(page: Any, name: str, target: Path) -> Path:
    with page.expect_download() as info:
        page.get_by_role("button", name=name).click()
    info.value.save_as(target)
    return target


@pytest.fixture(scope="module")
def finished(server: dict[str, Any], browser: Any, artifacts: Path) -> dict[str, Any]:
    """One short run through the page: a lever changed, two paired replications."""
    page = open_page(browser, server["url"])
    page.screenshot(path=artifacts / "01-first-page.png", full_page=True)
    for label, value in SHORT.items():
        set_number(page, label, value)
    set_number(page, "experienced: staff (workers)", "9")
    page.get_by_label("Seed (0 or more)").fill(str(SEED))
    page.get_by_label("Seed (0 or more)").press("Enter")
    page.wait_for_timeout(400)
    page.screenshot(path=artifacts / "02-levers-changed.png", full_page=True)
    started = time.monotonic()
    page.get_by_role("button", name="Run 2 paired replications").click()
    page.locator("[data-testid='fd-summary']").first.wait_for(timeout=120_000)
    took = time.monotonic() - started
    page.get_by_text("Watch the front door").wait_for()
    page.wait_for_timeout(1500)
    page.evaluate("() => document.querySelectorAll('*').forEach(e => { e.scrollTop = 0; })")
    page.wait_for_timeout(500)
    page.screenshot(path=artifacts / "03-answer-first-screen.png")
    tall_screenshot(page, artifacts / "03-answer.png")
    return {"page": page, "took": took, "url": page.url}


def test_prints_its_loopback_address(server: dict[str, Any]) -> None:
    assert server["first_line"].startswith("Front Door workbench at http://127.0.0.1:")


def test_summary_matches_frontdoor_compare(finished: dict[str, Any], tmp_path: Path) -> None:
    page = finished["page"]
    summary = page.locator("[data-testid='fd-summary']").first.inner_text()
    assert "baseline-policy against baseline (2 paired replications)" in summary
    base = download(page, "Baseline as run (YAML)", tmp_path / "baseline.yaml")
    policy = download(page, "Policy scenario (YAML)", tmp_path / "baseline-policy.yaml")
    page_csv = download(page, "Differences (CSV)", tmp_path / "differences.csv")
    cli = frontdoor("compare", str(base), str(policy), "--reps", "2", "--seed", str(SEED),
                    "--json", "--jobs", "1")  # fmt: skip
    assert cli.returncode == 0, cli.stderr
    expected = json.loads(cli.stdout)["differences"]
    import pandas as pd

    rows = pd.read_csv(page_csv).set_index("kpi")
    compared = 0
    for kpi, by_scenario in expected.items():
        want = by_scenario["baseline-policy"]["mean"]
        got = rows.loc[kpi, "mean"]
        if want is None:
            assert math.isnan(got)
            continue
        assert math.isclose(got, want, rel_tol=1e-9, abs_tol=1e-12), kpi
        compared += 1
    assert compared >= 10
    # The policy really carries the lever's change, and the staff cut shows in the answer.
    assert "count: 9" in policy.read_text(encoding="utf-8")


def test_downloaded_yaml_validates(finished: dict[str, Any], tmp_path: Path) -> None:
    policy = download(finished["page"], "Policy scenario (YAML)", tmp_path / "policy.yaml")
    result = frontdoor("validate", str(policy))
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("ok:")
    finished["page"].get_by_role("button", name="HTML report").wait_for(timeout=240_000)
    report = download(finished["page"], "HTML report", tmp_path / "report.html")
    assert "<h1>Front Door workbench: baseline-policy</h1>" in report.read_text(encoding="utf-8")


def test_second_tab_sees_the_same_run(
    finished: dict[str, Any], browser: Any, server: dict[str, Any], artifacts: Path
) -> None:
    second = browser.new_page(viewport={"width": 1400, "height": 1000})
    second.set_default_timeout(120_000)
    second.goto(finished["url"])
    second.locator("[data-testid='fd-summary']").first.wait_for()
    first_text = finished["page"].locator("[data-testid='fd-summary']").first.inner_text()
    assert second.locator("[data-testid='fd-summary']").first.inner_text() == first_text
    tall_screenshot(second, artifacts / "04-second-tab.png")
    runs = sorted(p.name for p in Path(server["workdir"]).iterdir() if p.name.startswith("run-"))
    assert len(runs) == 1, runs
    second.close()


def test_out_of_range_lever_is_explained(
    browser: Any, server: dict[str, Any], artifacts: Path
) -> None:
    page = open_page(browser, server["url"])
    set_number(page, "Measured period (days)", "0")
    error = page.get_by_text("Measured period: must be > 0 and ≤ 36500 (run.horizon_days)")
    error.wait_for()
    from playwright.sync_api import expect

    # Streamlit draws the page top to bottom, so the message can show a moment before the
    # button below it is redrawn: wait for the button (fails if it never becomes disabled).
    run = page.get_by_role("button", name="Run 2 paired replications")
    expect(run).to_be_disabled(timeout=30_000)
    page.screenshot(path=artifacts / "05-lever-out-of-range.png", full_page=True)
    page.close()


def test_broken_upload_shows_located_error(
    browser: Any, server: dict[str, Any], artifacts: Path, tmp_path: Path
) -> None:
    broken = tmp_path / "broken.yaml"
    broken.write_text(
        "extends: baseline\nname: broken\nthresholds:\n  screen_in_risk: 1.5\n", encoding="utf-8"
    )
    page = open_page(browser, server["url"])
    page.get_by_text("Upload a YAML file").click()
    page.locator("input[type='file']").set_input_files(str(broken))
    message = page.get_by_text("The uploaded scenario was not accepted")
    message.wait_for()
    text = message.inner_text()
    assert "broken.yaml:4:" in text and "screen_in_risk" in text
    assert "Traceback" not in page.content()
    page.screenshot(path=artifacts / "06-broken-upload.png", full_page=True)
    page.close()


def test_cancel_stops_a_run(browser: Any, server: dict[str, Any], artifacts: Path) -> None:
    page = open_page(browser, server["url"])
    for label, value in SHORT.items():
        set_number(page, label, value)
    page.get_by_label("Paired replications (2 to 50)").fill("20")
    page.get_by_label("Paired replications (2 to 50)").press("Enter")
    page.get_by_role("button", name="Run 20 paired replications").click()
    page.get_by_role("button", name="Cancel this run").click()
    page.get_by_text("This run was cancelled").wait_for()
    page.screenshot(path=artifacts / "07-cancelled.png", full_page=True)
    page.close()
