"""Exercise files, the session store and the trainer's settings: bad input gives one clear
error naming the file, line and field; sessions are durable; settings are remembered."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest
from trainer_support import EXERCISES, ROOT

from frontdoor.cli import main
from sim.yamlsafe import ScenarioError
from trainer.desk import DeskAction
from trainer.exercise import free_play_plan, load_exercise
from trainer.settings import Settings, load_settings, save_settings
from trainer.store import SessionStore, StoreError, check_trainee_id


def write_variant(tmp: Path, old: str, new: str) -> Path:
    text = EXERCISES["01_name_on_the_record"].read_text(encoding="utf-8")
    assert old in text
    (tmp / "teams").mkdir(exist_ok=True)
    team = ROOT / "scenarios" / "training" / "teams" / "small_duty_team.yaml"
    (tmp / "teams" / "small_duty_team.yaml").write_text(team.read_text(), encoding="utf-8")
    path = tmp / "broken.yaml"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return path


class TestExerciseFiles:
    def test_every_bundled_exercise_loads_with_a_run_covering_the_follow_up(self) -> None:
        assert len(EXERCISES) >= 3
        for path in EXERCISES.values():
            plan = load_exercise(path)
            run = plan.scenario.run
            assert run.warm_up_days + run.horizon_days >= plan.shift.ends_at + 90
            assert {r.ref for r in plan.scenario.scripted} == set(plan.referrals)
            assert all(len(r.learning_points) >= 1 for r in plan.referrals.values())

    @pytest.mark.parametrize(
        ("old", "new", "field", "words"),
        [
            ("difficulty: induction", "difficulty: expert", "difficulty", "induction"),
            (
                "caught_by: [database, file, agency:health, visit]",
                "caught_by: [database, agency:postman]",
                "referrals.0.near_miss.caught_by",
                "unknown evidence",
            ),
            ("    signal: 0.18", "    signal: 1.8", "referrals.0.signal", "less than or equal"),
            ("    child: Maja, 6", "    chlid: Maja, 6", "referrals.0.child", "missing required"),
            ("  retrieval_working_days", "  retrieval_working_days", "", ""),
        ],
    )
    def test_one_error_naming_file_line_and_field(
        self, tmp_path: Path, old, new, field, words
    ) -> None:
        if not field:  # a change in the team's scenario settings, written in the exercise
            path = write_variant(
                tmp_path,
                "team: teams/small_duty_team.yaml",
                "team: teams/small_duty_team.yaml\nscenario:\n  staff: {behind_backlog_share: -1}",
            )
            field, words = "scenario.staff.behind_backlog_share", "greater than or equal"
        else:
            path = write_variant(tmp_path, old, new)
        with pytest.raises(ScenarioError) as err:
            load_exercise(path)
        message = str(err.value)
        assert message.startswith(f"{path}:"), message
        assert err.value.line is not None and err.value.field == field, message
        assert words in message

    def test_missing_team_file(self, tmp_path: Path) -> None:
        path = write_variant(tmp_path, "team: teams/small_duty_team.yaml", "team: teams/none.yaml")
        with pytest.raises(ScenarioError, match="team file 'teams/none.yaml'"):
            load_exercise(path)

    def test_cli_reports_a_bad_exercise_in_one_line(self, tmp_path: Path, capsys) -> None:
        path = write_variant(tmp_path, "difficulty: induction", "difficulty: [1, 2]")
        code = main(
            [
                "train",
                "--headless",
                "--bot",
                "careless",
                "--exercise",
                str(path),
                "--db",
                str(tmp_path / "s.sqlite3"),
            ]
        )
        err = capsys.readouterr().err.strip().splitlines()
        assert code == 2 and len(err) == 1 and "difficulty" in err[0]

    def test_free_play_from_any_model_scenario(self) -> None:
        from sim.loader import load_scenario

        plan = free_play_plan(load_scenario(ROOT / "scenarios" / "baseline.yaml"))
        assert plan.free_play and plan.shift.day % 7 == 0
        assert plan.scenario.run.warm_up_days <= 28 and plan.scenario.scripted == []


class TestSessionStore:
    def test_wal_full_sync_and_actions_round_trip(self, tmp_path: Path) -> None:
        store = SessionStore.open(tmp_path / "s.sqlite3")
        assert store.conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert store.conn.execute("PRAGMA synchronous").fetchone()[0] == 2  # FULL
        sid = store.start_session(
            trainee="t-1", exercise="x", exercise_source="y", scenario_hash="h", seed=7, version="v"
        )
        action = DeskAction(0, 0.4, 123.0, "decide", 3, {"level": 2, "priority": "immediate"})
        store.record_action(sid, action)
        # A second connection sees the action at once: it was committed on its own.
        other = sqlite3.connect(tmp_path / "s.sqlite3")
        assert other.execute("SELECT COUNT(*) FROM actions").fetchone()[0] == 1
        assert store.actions(sid) == [action]
        store.finish_session(sid, score={"hits": 1}, details={})
        row = store.session(sid)
        assert (row.status, row.score, row.actions) == ("completed", {"hits": 1}, 1)
        with pytest.raises(sqlite3.IntegrityError):
            store.record_action(sid, action)  # the same seq twice is refused
        assert store.actions(sid) == [action]

    @pytest.mark.parametrize("bad", ["", "Jane Smith", "jane@example.org", "x" * 40, "-lead"])
    def test_trainee_ids_are_pseudonyms(self, bad: str) -> None:
        with pytest.raises(StoreError, match="pseudonym"):
            check_trainee_id(bad)
        assert check_trainee_id("cohort3_t-07") == "cohort3_t-07"

    def test_not_a_database(self, tmp_path: Path) -> None:
        path = tmp_path / "junk.sqlite3"
        path.write_bytes(b"this is not sqlite" * 100)
        with pytest.raises(StoreError, match="not a usable session database"):
            SessionStore.open(path)

    def test_sessions_command_lists_json_and_exports_csv(self, tmp_path: Path, capsys) -> None:
        db = tmp_path / "s.sqlite3"
        store = SessionStore.open(db)
        sid = store.start_session(
            trainee="t-2",
            exercise="ex",
            exercise_source="y",
            scenario_hash="h",
            seed=3,
            version="v",
        )
        store.finish_session(sid, score={"hits": 2, "d_prime": 1.5}, details={})
        store.close()
        assert main(["sessions", "--db", str(db), "--json"]) == 0
        rows = json.loads(capsys.readouterr().out)
        assert rows[0]["trainee"] == "t-2" and rows[0]["score"]["d_prime"] == 1.5
        out = tmp_path / "s.csv"
        assert main(["sessions", "--db", str(db), "--export", str(out)]) == 0
        lines = out.read_text().splitlines()
        assert lines[0].startswith("id,trainee,exercise") and len(lines) == 2
        assert main(["sessions", "--db", str(tmp_path / "none.sqlite3")]) == 2


class TestSettings:
    def test_remembered_between_runs(self, tmp_path: Path) -> None:
        path = tmp_path / "trainer.json"
        save_settings(Settings(large_text=True, speed=4, trainee="t-9"), path)
        loaded, warning = load_settings(path)
        assert warning is None
        assert loaded == Settings(large_text=True, speed=4, trainee="t-9")
        assert loaded.text_scale > 1.0

    @pytest.mark.parametrize("text", ["{not json", "[1, 2]", '{"speed": 3, "large_text": "yes"}'])
    def test_a_damaged_file_falls_back_to_defaults(self, tmp_path: Path, text: str) -> None:
        path = tmp_path / "trainer.json"
        path.write_text(text, encoding="utf-8")
        loaded, warning = load_settings(path)
        assert loaded.speed == 1 and loaded.large_text is False
        assert (warning is None) == text.startswith('{"speed"')
