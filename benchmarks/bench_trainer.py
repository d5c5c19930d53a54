"""Benchmarks of the duty-desk trainer: frame time with a full in-tray, and launch time.

Run: SDL_VIDEODRIVER=dummy python benchmarks/bench_trainer.py [--frames N] [--launches N]

1. Frame time at 1280x720 with 40 referral cards in the tray: the real desk scene (the
   model stepped every frame, every card, the open case and the team drawn, the
   pygame_gui widgets updated and drawn), 1x speed at 60 frames a second of simulated
   wall time. Reported: median, 95th percentile and worst frame. Target: p95 <= 16 ms.
2. Launch to the title screen: from starting `frontdoor train` in a fresh process to the
   title screen's first frame on screen (its screenshot written). Target: <= 2 s.
3. Idle: the share of one core a still screen (the title, a paused desk) uses in an
   ordinary windowed App. A screen with nothing moving is stepped ten times a second and
   drawn twice a second. Target: under 10%.

Both run under SDL's dummy video driver, so the cost of a real window's compositor and
vsync is not included.

Measured on the project's 2-core machine (Python 3.11, pygame-ce 2.5.8, pygame_gui
0.6.14), `python benchmarks/bench_trainer.py --launches 8`, two runs while other work
shared the machine:
    frame time, 40 cards: median 1.5-1.7 ms, p95 2.1-2.5 ms, worst 13-14 ms (600 frames;
    the worst frames are the ones that rebuild the widgets after a new case is opened)
    launch to title: median 1.5-2.0 s, worst 2.0-2.2 s. About 1 s of it is `frontdoor`
    building its parser, which imports every subcommand (scipy, pandas, matplotlib);
    the trainer's own imports take 0.4 s and loading the exercises 0.08 s.
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("SDL_VIDEODRIVER", "dummy")
os.environ.setdefault("SDL_AUDIODRIVER", "dummy")
os.environ.setdefault("PYGAME_HIDE_SUPPORT_PROMPT", "1")

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sim.config import ScriptedFamily, ScriptedReferral  # noqa: E402
from sim.loader import scenario_with  # noqa: E402
from trainer.exercise import load_exercise  # noqa: E402


def full_tray_plan(cards: int):
    """Exercise 1 with `cards` referrals arriving in the first minutes of the shift."""
    plan = load_exercise(ROOT / "scenarios" / "training" / "01_name_on_the_record.yaml")
    extra = [
        ScriptedReferral(
            ref=f"bench{i}",
            day=0,
            hour=8.0 + i / 60.0,
            source="police",
            concern="neglect",
            signal=0.2,
            need_signal=0.3,
            family=ScriptedFamily(surname=f"Family{i}", harm_type="neglect", risk=0.3, need=0.3),
        )
        for i in range(cards)
    ]
    scenario = scenario_with(plan.scenario, {"scripted": [r.model_dump() for r in extra]})
    return dataclasses.replace(plan, scenario=scenario, referrals={})


def frame_times(cards: int, frames: int) -> list[float]:
    from trainer.game import Game
    from trainer.scenes.desk_scene import DeskScene
    from trainer.session import TrainingSession
    from trainer.settings import Settings
    from trainer.ui import App

    app = App(settings=Settings(), settings_file=None, store=None, headless=True, size=(1280, 720))
    game = Game(app, entries=[], seed=1, trainee="bench")
    game.session = TrainingSession.prepare(
        full_tray_plan(cards), seed=1, trainee="bench", store=None
    )
    scene = DeskScene(app, game)
    app.set_scene(scene)
    for _ in range(30):  # warm the caches, as a few seconds of play would
        app.step(1 / 60)
    assert len(scene.desk.tray) >= cards, len(scene.desk.tray)
    times = []
    for i in range(frames):
        if i % 60 == 0:
            scene._move(1)  # a new case opened each second: widgets rebuilt
        start = time.perf_counter()
        app.step(1 / 60)
        times.append(time.perf_counter() - start)
    return times


def launch_times(launches: int) -> tuple[list[float], list[float]]:
    """Seconds from starting `frontdoor train` to its title screen, and the CPU seconds
    (user and system) the process used by then (less at the mercy of a shared machine's
    load than the wall time)."""
    results, cpu = [], []
    for _ in range(launches):
        with tempfile.TemporaryDirectory() as tmp:
            shots = Path(tmp) / "shots"
            env = dict(os.environ, FRONTDOOR_CONFIG_DIR=tmp, FRONTDOOR_DATA_DIR=tmp)
            start = time.perf_counter()
            # An ordinary launch (a window, on the dummy driver), left at its title screen.
            proc = subprocess.Popen(
                [sys.executable, "-m", "frontdoor.cli", "train", "--screenshots", str(shots)],
                env=env,
                cwd=ROOT,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
            try:
                while not (shots / "title.png").exists():
                    if proc.poll() is not None:
                        raise RuntimeError("the trainer exited before drawing its title screen")
                    time.sleep(0.002)
                results.append(time.perf_counter() - start)
            finally:
                proc.kill()
                _, _, usage = os.wait4(proc.pid, 0)
                proc.returncode = -9
            cpu.append(usage.ru_utime + usage.ru_stime)
    return results, cpu


def idle_share(scene: str, seconds: float) -> float:
    """Share of one core a still screen uses: an ordinary (windowed) App on the dummy
    driver, left alone at its title screen or at a paused desk for `seconds`; process CPU
    time over wall time."""
    from trainer.game import Game, catalogue
    from trainer.settings import Settings
    from trainer.ui import App

    app = App(settings=Settings(), settings_file=None, store=None, headless=False)
    path = ROOT / "scenarios" / "training" / "01_name_on_the_record.yaml"
    game = Game(app, entries=catalogue([path], None), seed=1, trainee="bench")
    game.to_title()
    if scene == "paused desk":
        game.to_briefing()
        game.to_desk()
        app.scene.paused = True  # type: ignore[union-attr]
    for _ in range(20):  # settle
        app.step(app.clock.tick(60) / 1000.0)
    cpu, wall = time.process_time(), time.perf_counter()
    while time.perf_counter() - wall < seconds:
        fps = 10 if app._idle_frames > 3 else 60
        app.step(app.clock.tick(fps) / 1000.0)
    return (time.process_time() - cpu) / (time.perf_counter() - wall)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--frames", type=int, default=600)
    parser.add_argument("--cards", type=int, default=40)
    parser.add_argument("--launches", type=int, default=5)
    parser.add_argument("--idle-seconds", type=float, default=10.0)
    args = parser.parse_args()
    times = sorted(frame_times(args.cards, args.frames))
    p95 = times[int(0.95 * (len(times) - 1))]
    print(
        f"frame time, {args.cards} cards: median {1000 * statistics.median(times):.1f} ms, "
        f"p95 {1000 * p95:.1f} ms, worst {1000 * times[-1]:.1f} ms ({len(times)} frames)"
    )
    for still in ("title", "paused desk"):
        share = idle_share(still, args.idle_seconds)
        print(f"idle {still}: {100 * share:.1f}% of a core over {args.idle_seconds:.0f} s")
    launches, launch_cpu = launch_times(args.launches)
    print(
        f"launch to title: median {statistics.median(launches):.2f} s, "
        f"worst {max(launches):.2f} s ({len(launches)} launches); CPU time to title: "
        f"median {statistics.median(launch_cpu):.2f} s, worst {max(launch_cpu):.2f} s"
    )


if __name__ == "__main__":
    main()
