"""The instructor's view: the cohort report from several bot sessions in more than one
store, and re-running recorded sessions from their seed and action log."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from trainer_support import EXERCISES, FIXED_WALL

from analysis.outputs import read_manifest, verify
from frontdoor.cli import main
from trainer.cohort import gather
from trainer.reconstruct import recorded_session
from trainer.store import SessionStore

# (store, trainee, bot, exercise, seed): three trainees, two stores, four exercises.
SHIFTS = (
    ("a", "t-anna", "thorough", "02_the_missing_file", 1),
    ("a", "t-ben", "careless", "02_the_missing_file", 1),
    ("a", "t-ben", "careless", "12_the_bitter_separation", 3),
    ("b", "t-cara", "random", "11_bruises_that_were_not", 2),
    ("b", "t-cara", "careless", "05_taken_at_face_value", 4),
    ("b", "t-anna", "thorough", "13_the_fracture_explained", 5),
)


def play_into(store: SessionStore, trainee: str, bot: str, exercise: str, seed: int) -> dict:
    from trainer.bots import make_bot
    from trainer.game import Game, catalogue
    from trainer.settings import Settings
    from trainer.ui import App

    app = App(
        settings=Settings(),
        settings_file=None,
        store=store,
        headless=True,
        bot=make_bot(bot, seed),
        wall_clock=lambda: FIXED_WALL,
        max_frames=20_000,
    )
    game = Game(app, entries=catalogue([EXERCISES[exercise]], None), seed=seed, trainee=trainee)
    app.game = game
    game.to_title()
    app.run()
    assert app.error is None and app.result is not None
    return app.result


@pytest.fixture(scope="module")
def stores(tmp_path_factory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("cohort")
    paths = {name: folder / f"{name}.sqlite3" for name in ("a", "b")}
    opened = {name: SessionStore.open(path) for name, path in paths.items()}
    for name, trainee, bot, exercise, seed in SHIFTS:
        play_into(opened[name], trainee, bot, exercise, seed)
    for store in opened.values():
        store.close()
    return paths


# -- functional ---------------------------------------------------------------------------


class TestCohort:
    def test_tables_follow_the_recorded_shifts(self, stores) -> None:
        cohort = gather([stores["a"], stores["b"]])
        assert len(cohort.sessions) == len(SHIFTS) and cohort.problems == ()
        assert cohort.sessions["rerun_matches"].all()
        assert set(cohort.sessions["trainee"]) == {"t-anna", "t-ben", "t-cara"}
        # Misses per pattern add up to the misses in the stored scores.
        hidden = cohort.cases[cohort.cases["hidden_risk"]]
        assert int((hidden["outcome"] == "miss").sum()) == int(cohort.sessions["misses"].sum())
        careless = cohort.cases[cohort.cases["trainee"] == "t-ben"]
        missed = set(careless[careless["outcome"] == "miss"]["pattern"])
        assert {"missing_file", "school_will_not_say", "other_spelling"} <= missed
        # Every miss of the careless player left a revealing check undone.
        assert set(cohort.skipped[cohort.skipped["trainee"] == "t-ben"]["case"]) == set(
            careless[careless["outcome"] == "miss"]["case"]
        )
        spelling = cohort.skipped[cohort.skipped["pattern"] == "other_spelling"]
        assert "database under another spelling" in set(spelling["check"])
        fa = cohort.cases[cohort.cases["outcome"] == "false_alarm"]
        assert "false_positive" in set(fa["pattern"])
        # Mastery per pattern across the class: the careless player's misses pull the
        # spelling below where every trainee starts; the thorough player's catches raise
        # what they met above it.
        from analysis.cohort_report import mastery_by_pattern
        from trainer.curriculum import P_INIT

        wide, summary = mastery_by_pattern(cohort.cases)
        assert wide.loc["t-ben", "other_spelling"] < P_INIT
        assert wide.loc["t-anna", "false_positive"] > P_INIT
        assert set(summary["pattern"]) == set(wide.columns)

    def test_html_report_with_figures_and_no_ids_when_anonymised(self, stores, tmp_path) -> None:
        out = tmp_path / "report"
        code = main(
            ["cohort", "--db", str(stores["a"]), str(stores["b"]), "--out", str(out), "--anonymise"]
        )
        assert code == 0
        page = (out / "cohort.html").read_text(encoding="utf-8")
        assert len(re.findall(r'<img src="data:image/png;base64,', page)) == 4
        for heading in (
            "missed most",
            "Mastery of each pattern",
            "criterion",
            "triage",
            "not made before a miss",
        ):
            assert heading in page
        assert "trainee 1" in page
        assert not re.search(r"t-(anna|ben|cara)", page)
        assert f"matched the stored score in {len(SHIFTS)} of {len(SHIFTS)}" in page
        assert len(list((out / "figures").glob("*.svg"))) == 4
        manifest = read_manifest(out)
        assert manifest is not None and manifest["identity"]["command"] == "cohort"
        assert verify(out, manifest) == {} and "cohort.html" in manifest["files"]

    def test_an_out_folder_of_other_stores_is_refused_unless_overwritten(
        self, stores, tmp_path, capsys
    ) -> None:
        out = tmp_path / "report"
        assert main(["cohort", "--db", str(stores["a"]), "--out", str(out)]) == 0
        capsys.readouterr()
        assert main(["cohort", "--db", str(stores["b"]), "--out", str(out)]) == 2
        assert "--overwrite" in capsys.readouterr().err
        args = ["cohort", "--db", str(stores["b"]), "--out", str(out), "--overwrite"]
        assert main(args) == 0
        manifest = read_manifest(out)
        assert manifest is not None and verify(out, manifest) == {}
        assert manifest["identity"]["databases"] == [str(stores["b"].resolve())]

    def test_a_missing_store_is_one_error_line(self, tmp_path, capsys) -> None:
        code = main(["cohort", "--db", str(tmp_path / "none.sqlite3"), "--out", str(tmp_path)])
        err = capsys.readouterr().err.strip().splitlines()
        assert code == 2 and len(err) == 1 and "none.sqlite3" in err[0]


# -- deterministic -------------------------------------------------------------------------


class TestRerun:
    def test_every_recorded_shift_re_runs_to_its_stored_score(self, stores) -> None:
        for path in stores.values():
            store = SessionStore.open(path)
            for row in store.sessions():
                desk, debrief = recorded_session(store, row.id).replayed()
                assert debrief.score.summary() == row.score, (path.name, row.id)
                assert [a.kind for a in desk.actions] == [a.kind for a in store.actions(row.id)]
            store.close()


def replay_app(store: SessionStore, session_id: int, bot, *, trainee: str = "t-rehearse"):
    from trainer.game import Game
    from trainer.scenes.replay_scene import ReplayScene
    from trainer.settings import Settings
    from trainer.ui import App

    app = App(
        settings=Settings(),
        settings_file=None,
        store=store,
        headless=True,
        bot=bot,
        wall_clock=lambda: FIXED_WALL,
        max_frames=20_000,
    )
    game = Game(app, entries=[], seed=None, trainee=trainee)
    app.game = game
    app.set_scene(ReplayScene(app, game, recorded_session(store, session_id), speed=16))
    return app, game


class TestReplay:
    @pytest.mark.parametrize("speed", ["1", "16"])
    def test_command_line_replay_reproduces_the_recorded_score(self, stores, speed, capsys) -> None:
        import json

        store = SessionStore.open(stores["b"])
        rows = store.sessions()
        store.close()
        for row in rows:
            code = main(
                [
                    "replay",
                    "--db",
                    str(stores["b"]),
                    "--session",
                    str(row.id),
                    "--headless",
                    "--speed",
                    speed,
                ]
            )
            result = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
            assert code == 0 and result.pop("matches_recorded") is True
            assert result == row.score

    def test_pause_stops_the_clock_and_speeds_go_to_16x(self, stores) -> None:
        from trainer.bots import press

        class Viewer:
            def __init__(self) -> None:
                self.frames = 0
                self.paused_at: list[float] = []

            def before_frame(self, app) -> None:
                scene = app.scene
                if scene.name != "replay":
                    app.running = False
                    return
                self.frames += 1
                if self.frames == 5:
                    press(pygame.K_F1)
                elif self.frames == 40:
                    press(pygame.K_p)
                elif 42 <= self.frames < 60:
                    assert scene.paused
                    self.paused_at.append(scene.desk.now)
                elif self.frames == 60:
                    press(pygame.K_p)
                    press(pygame.K_F5)
                elif self.frames == 62:
                    assert scene.speed == 16 and not scene.paused

        import pygame

        store = SessionStore.open(stores["a"])
        viewer = Viewer()
        app, game = replay_app(store, 1, viewer)
        app.run()
        store.close()
        assert app.error is None and viewer.frames > 62
        assert len(set(viewer.paused_at)) == 1  # the clock stood still while paused
        assert app.result is not None  # and the replay ran on to the debrief

    def test_new_from_a_moment_rehearses_the_missed_decision(self, stores, tmp_path) -> None:
        import shutil

        import pygame

        from trainer.bots import ThoroughBot, press

        db = tmp_path / "rehearse.sqlite3"
        shutil.copy(stores["a"], db)
        moment = 9.3 / 24.0  # just after the fire-setting referral arrived

        class Rehearsal(ThoroughBot):
            started: int | None = None

            def before_frame(self, app) -> None:
                scene = app.scene
                if scene.name == "replay":
                    if not scene.paused and scene.desk.now >= moment:
                        press(pygame.K_p)
                    elif scene.paused:
                        press(pygame.K_n)
                    return
                if scene.name == "debrief":
                    app.running = False
                    return
                if scene.name == "desk" and scene.paused:
                    press(pygame.K_p)  # the new shift starts paused: start the clock
                    return
                super().before_frame(app)

        store = SessionStore.open(db)
        original = store.session(2)  # the careless player on the missing-file exercise
        app, game = replay_app(store, 2, Rehearsal(3))
        app.run()
        assert app.error is None and app.result is not None
        new_id = game.last_session.session_id
        assert new_id is not None and new_id != original.id
        row = store.session(new_id)
        assert row.status == "completed" and row.trainee == "t-rehearse"
        assert row.seed == original.seed and row.exercise == original.exercise
        before = [a for a in store.actions(original.id) if a.sim_time <= moment]
        assert store.actions(new_id)[: len(before)] == before
        # From the same moment a careful player catches what the recorded one missed.
        cases = {c.score.ref: c.score.outcome for c in game.last_session.debrief.cases}
        assert cases["radcliffe"] == "hit" and original.score["hits"] == 0
        # The rehearsal is a session like any other: it re-runs to its own score.
        _, debrief = recorded_session(store, new_id).replayed()
        assert debrief.score.summary() == row.score
        store.close()
