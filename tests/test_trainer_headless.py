"""The duty desk played headless through its real interface (SDL dummy drivers).

Bots read the screen and answer with injected keyboard and mouse events. These tests
play whole shifts through every scene, compare screenshots with references, kill a shift
with SIGKILL and resume it, and check that the bots rank as they should on d'.
"""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pygame
import pytest
from scipy.stats import mannwhitneyu
from trainer_support import EXERCISES, ROOT, play_app

from trainer.bots import ThoroughBot, press
from trainer.scoring import SCORE_KEYS
from trainer.store import SessionStore
from trainer.theme import gui_theme

REFERENCES = Path(__file__).resolve().parent / "reference" / "trainer"
SCENES = ("title", "briefing", "desk", "shift_end", "debrief", "debrief_case", "history")


def differs(shot: Path, reference: Path) -> tuple[float, float]:
    """Share of pixels that differ visibly, and the mean absolute difference."""
    a = pygame.surfarray.array3d(pygame.image.load(str(shot))).astype(np.int16)
    b = pygame.surfarray.array3d(pygame.image.load(str(reference))).astype(np.int16)
    if a.shape != b.shape:
        return 1.0, 255.0
    diff = np.abs(a - b)
    return float((diff.max(axis=2) > 48).mean()), float(diff.mean())


def env_for(tmp: Path) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        SDL_VIDEODRIVER="dummy",
        SDL_AUDIODRIVER="dummy",
        FRONTDOOR_CONFIG_DIR=str(tmp / "config"),
        FRONTDOOR_DATA_DIR=str(tmp / "data"),
    )
    return env


def frontdoor(*args: str) -> list[str]:
    return [
        sys.executable,
        "-c",
        "import sys; from frontdoor.cli import main; sys.exit(main(sys.argv[1:]))",
        *args,
    ]


class Watcher(ThoroughBot):
    """The thorough bot, noting every button it was shown."""

    def __init__(self, seed: int) -> None:
        super().__init__(seed)
        self.seen: dict[str, int | None] = {}
        self.paused_frames: list[float] = []

    def before_frame(self, app) -> None:
        for c in app.controls:
            self.seen[c.name] = c.key
        super().before_frame(app)


class HandoverWatcher(Watcher):
    """The watcher, writing one handover as soon as the handover tray opens, so that the
    handover dialog is met however quickly the agencies answer on the seed."""

    def __init__(self, seed: int) -> None:
        super().__init__(seed)
        self.handed_over = False

    def play(self, app, view) -> None:
        if (
            not self.handed_over
            and view["mode"] == "normal"
            and view["handover_open"]
            and view["undecided"]
            and not view["busy"]
        ):
            case_id = view["undecided"][0]
            if self.select(app, view, case_id):
                self.handed_over = self.use(app, "handover")
            return
        super().play(app, view)


# -- functional ---------------------------------------------------------------------------


def test_a_bot_plays_every_scene_and_the_screens_match(tmp_path: Path) -> None:
    store = SessionStore.open(tmp_path / "s.sqlite3")
    app, game = play_app(
        "01_name_on_the_record", "thorough", 1, store=store, screenshots=tmp_path / "shots"
    )
    assert app.error is None
    assert set(app.result) == set(SCORE_KEYS)
    assert app.result["hits"] == 2 and app.result["false_alarms"] == 0
    row = store.session(1)
    assert row.status == "completed" and row.score == app.result and row.actions > 10
    update = os.environ.get("FRONTDOOR_UPDATE_REFERENCES") == "1"
    for scene in SCENES:
        shot = tmp_path / "shots" / f"{scene}.png"
        assert shot.exists(), scene
        reference = REFERENCES / f"{scene}.png"
        if update:
            REFERENCES.mkdir(parents=True, exist_ok=True)
            reference.write_bytes(shot.read_bytes())
        share, mean = differs(shot, reference)
        assert share < 0.01 and mean < 2.0, f"{scene}: {share:.2%} of pixels differ"


def test_command_line_prints_exactly_the_score_keys(tmp_path: Path) -> None:
    done = subprocess.run(
        frontdoor(
            "train",
            "--headless",
            "--bot",
            "careless",
            "--seed",
            "2",
            "--exercise",
            "02_the_missing_file",
            "--db",
            str(tmp_path / "s.sqlite3"),
            "--screenshots",
            str(tmp_path / "shots"),
        ),
        capture_output=True,
        text=True,
        env=env_for(tmp_path),
        timeout=120,
        cwd=ROOT,
    )
    assert done.returncode == 0, done.stderr
    score = json.loads(done.stdout.strip().splitlines()[-1])
    assert list(score) == [*SCORE_KEYS, "holed_barriers"]
    # The careless bot misses the hidden risks of exercise 2: the decision is holed.
    assert "screening" in score["holed_barriers"]
    assert {p.stem for p in (tmp_path / "shots").glob("*.png")} >= set(SCENES)


def test_every_button_has_a_shortcut_and_esc_pauses_the_clock(tmp_path: Path) -> None:
    from trainer.game import Game, catalogue
    from trainer.settings import Settings
    from trainer.ui import App

    # The thorough bot writes a handover only when a shift ends with answers still
    # awaited, which depends on the seed; this watcher writes one as soon as it can.
    watcher = HandoverWatcher(1)
    app = App(
        settings=Settings(),
        settings_file=None,
        store=None,
        headless=True,
        bot=watcher,
        max_frames=20_000,
    )
    game = Game(
        app, entries=catalogue([EXERCISES["03_last_hour_handover"]], None), seed=1, trainee="t-1"
    )
    app.game = game
    game.to_title()
    app.run()
    assert app.result is not None
    missing = sorted(name for name, key in watcher.seen.items() if key is None)
    assert missing == [], f"buttons without a shortcut: {missing}"
    # The desk's own dialogs were all met on the way.
    dialogs = {"database", "search", "agency:police", "record", "handover", "send"}
    assert dialogs <= set(watcher.seen), sorted(dialogs - set(watcher.seen))

    app = App(settings=Settings(), settings_file=None, store=None, headless=True)
    game = Game(
        app, entries=catalogue([EXERCISES["01_name_on_the_record"]], None), seed=1, trainee="t-1"
    )
    game.to_title()
    press(pygame.K_RETURN)  # Start
    app.step(0.5)
    press(pygame.K_RETURN)  # Begin the shift
    app.step(0.5)
    assert app.scene.name == "desk"
    for _ in range(3):
        app.step(0.5)
    desk = app.scene.desk
    press(pygame.K_ESCAPE)
    app.step(0.5)
    stopped_at = desk.now
    for _ in range(10):
        app.step(0.5)
    assert app.scene.mode == "paused" and desk.now == stopped_at
    press(pygame.K_ESCAPE)  # Resume
    app.step(0.5)
    assert desk.now > stopped_at


def test_tab_moves_focus_and_large_text_scales_every_font() -> None:
    from trainer.game import Game, catalogue
    from trainer.settings import Settings
    from trainer.ui import App

    app = App(settings=Settings(), settings_file=None, store=None, headless=True)
    game = Game(
        app, entries=catalogue([EXERCISES["01_name_on_the_record"]], None), seed=1, trainee="t-1"
    )
    game.to_title()
    app.step(0.5)
    names = []
    for _ in range(len(app.controls) + 1):
        press(pygame.K_TAB)
        app.step(0.5)
        names.append(app.controls[app.focus].name)
    live = [c.name for c in app.controls if c.enabled]
    assert names[: len(live)] == live and names[len(live)] == live[0]  # it cycles
    press(pygame.K_TAB, pygame.KMOD_SHIFT)
    app.step(0.5)
    assert app.controls[app.focus].name == live[-1]
    body, title = app.type.size("body"), app.type.size("title")
    app.focus = [c.name for c in app.controls].index("large_text")
    press(pygame.K_RETURN)  # presses the focused button
    app.step(0.5)
    assert app.settings.large_text
    assert app.type.size("body") == round(body * 1.3) and app.type.size("title") == round(
        title * 1.3
    )
    theme = gui_theme(1.3)
    assert all(
        int(block["font"]["size"]) == round(int(base["font"]["size"]) * 1.3)
        for block, base in zip(theme.values(), gui_theme(1.0).values(), strict=True)
        if isinstance(block, dict) and "font" in block
    )


# -- crash and resume -------------------------------------------------------------------------


def test_a_shift_killed_mid_way_resumes_from_its_last_committed_action(tmp_path: Path) -> None:
    db = tmp_path / "s.sqlite3"
    args = [
        "--headless",
        "--bot",
        "thorough",
        "--seed",
        "4",
        "--exercise",
        "03_last_hour_handover",
        "--db",
        str(db),
    ]
    proc = subprocess.Popen(
        frontdoor("train", *args, "--pace", "0.02"),
        env=env_for(tmp_path),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        cwd=ROOT,
    )
    committed = 0
    deadline = time.time() + 90
    while committed < 8 and time.time() < deadline and proc.poll() is None:
        time.sleep(0.02)
        if db.exists():
            try:
                with sqlite3.connect(db, timeout=1) as conn:
                    committed = conn.execute("SELECT COUNT(*) FROM actions").fetchone()[0]
            except sqlite3.OperationalError:
                continue
    assert proc.poll() is None, "the shift ended before it could be killed"
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=10)
    assert proc.returncode == -signal.SIGKILL
    store = SessionStore.open(db)
    row = store.unfinished()[-1]
    before = store.actions(row.id)
    assert row.status == "in_progress" and len(before) >= 8
    store.close()

    # The same shift uninterrupted: what was committed is exactly what happened.
    reference_store = SessionStore.open(tmp_path / "ref.sqlite3")
    app, _ = play_app("03_last_hour_handover", "thorough", 4, store=reference_store)
    reference = reference_store.actions(1)
    strip = [(a.seq, a.sim_time, a.kind, a.case_id, a.payload) for a in before]
    assert strip == [
        (a.seq, a.sim_time, a.kind, a.case_id, a.payload) for a in reference[: len(before)]
    ]

    done = subprocess.run(
        frontdoor("train", *args, "--resume"),
        env=env_for(tmp_path),
        capture_output=True,
        text=True,
        timeout=120,
        cwd=ROOT,
    )
    assert done.returncode == 0, done.stderr
    score = json.loads(done.stdout.strip().splitlines()[-1])
    score.pop("holed_barriers")  # read from the log, not stored with the score
    store = SessionStore.open(db)
    finished = store.session(row.id)
    after = store.actions(row.id)
    assert finished.status == "completed" and finished.score == score
    assert after[: len(before)] == before  # nothing committed was lost or rewritten
    assert len(after) > len(before)
    # Resumed on the frame it was killed from, the bot finishes the shift as before.
    assert score == app.result


# -- the bots rank as they should ---------------------------------------------------------------


def test_bots_rank_thorough_over_careless_over_random_on_d_prime() -> None:
    d: dict[str, list[float]] = {"thorough": [], "careless": [], "random": []}
    # Three exercises after the first; the whole library is played by
    # tests/test_exercise_library.py (one shift per exercise and bot). Exercise 01 is left
    # out on purpose: its Dunmore entry (report 4.5) is a trap for exactly the careless
    # bot's way of working, one search and the entry taken at face value, so there the
    # careless bot false-alarms at every seed and scores below chance (d' -0.65) by design.
    for name in sorted(EXERCISES)[1:4]:
        for seed in (11, 12, 13, 14):
            for bot in d:
                app, _ = play_app(name, bot, seed)
                assert app.result is not None, (name, bot, seed)
                d[bot].append(app.result["d_prime"])
    assert np.median(d["thorough"]) > np.median(d["careless"]) >= np.median(d["random"])
    assert mannwhitneyu(d["thorough"], d["careless"], alternative="greater").pvalue < 0.01
    assert mannwhitneyu(d["careless"], d["random"], alternative="greater").pvalue < 0.05


@pytest.mark.parametrize("bot", ["careless", "random"])
def test_other_bots_finish_every_exercise(bot: str) -> None:
    app, game = play_app("03_last_hour_handover", bot, 21)
    assert app.error is None and set(app.result) == set(SCORE_KEYS)
    debrief = game.last_session.debrief
    assert len(debrief.cases) == 5


def test_a_mouse_player_waits_for_its_click_to_land() -> None:
    # A button reports its press in the next frame. The careless bot (a mouse player)
    # clicked the same place again in that frame, and with large text the press opened
    # the database dialog with its Cancel where Search database had been: the second
    # click cancelled the search, and the bot went round asking probation instead.
    from trainer.settings import Settings

    large = Settings(large_text=True)
    app, game = play_app("04_the_charming_partner", "careless", 7, settings=large)
    assert app.error is None and app.result is not None
    kinds = [(a.kind, a.case_id) for a in game.last_session.desk.actions]
    assert ("agency", 0) not in kinds, kinds
    searched = {case for kind, case in kinds if kind == "database"}
    assert searched == {0, 1, 2, 3}, kinds


TITLE_PROBE = """
import json, sys
import trainer.ui

step = trainer.ui.App.step


def step_to_title(self, dt):
    step(self, dt)
    if self.scene is not None and self.scene.name == "title":
        heavy = ("numpy", "scipy", "pandas", "matplotlib", "trainer.session")
        print(json.dumps([m for m in heavy if m in sys.modules]))
        raise SystemExit(0)


trainer.ui.App.step = step_to_title
from frontdoor.cli import main

main(["train", "--db", sys.argv[1]])
"""


def test_the_title_screen_comes_up_without_numpy(tmp_path: Path) -> None:
    # numpy (0.1-0.2 s of the launch) came in before the title through the exercise
    # loader's import of the agency decisions, and the game's import of the session.
    out = subprocess.run(
        [sys.executable, "-c", TITLE_PROBE, str(tmp_path / "s.sqlite3")],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=ROOT,
        env=env_for(tmp_path),
    )
    assert out.returncode == 0, out.stderr
    assert json.loads(out.stdout.strip().splitlines()[-1]) == []
