"""The adaptive curriculum: knowledge tracing per near-miss pattern, the next shift for a
trainee, and the `frontdoor next` command, on real SQLite session stores.

The simulated trainees below sit every shift the curriculum gives them; their sessions are
written through the store as the desk writes them (the score's near-miss cases and the
rung in the session's details). One real shift, played headless by the careless bot,
checks that the desk writes what the curriculum reads.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from trainer_support import EXERCISES, play_app

from trainer.curriculum import (
    MASTERED,
    P_INIT,
    Observation,
    bkt_update,
    next_for,
    trace,
)
from trainer.exercise import DIFFICULTIES, load_exercise
from trainer.store import SessionStore


def test_knowledge_tracing_rises_with_catches_and_falls_with_misses() -> None:
    p = P_INIT
    after_catch = bkt_update(p, True)
    after_miss = bkt_update(p, False)
    assert after_miss < p < after_catch
    # The posterior by hand: 0.2*0.9 / (0.2*0.9 + 0.8*0.2) = 0.5294; then learning 0.15.
    assert after_catch == pytest.approx(0.5294 + (1 - 0.5294) * 0.15, abs=1e-3)
    m = trace([Observation(i, "other_spelling", True, 1) for i in range(3)])
    assert m.of("other_spelling") >= MASTERED and m.rung == 2
    m = trace([Observation(i, "other_spelling", False, 1) for i in range(3)])
    assert m.of("other_spelling") < P_INIT and m.rung == 1


def patterns_of(exercise: str) -> list[str]:
    if exercise.startswith("generate:"):
        return [exercise.split(":")[1]]
    plan = load_exercise(EXERCISES[exercise])
    return [r.near_miss.pattern for r in plan.referrals.values() if r.near_miss]


def rung_of(exercise: str) -> int:
    if exercise.startswith("generate:"):
        return int(exercise.split(":")[2])
    return DIFFICULTIES.index(load_exercise(EXERCISES[exercise]).difficulty) + 1


def sit(store: SessionStore, trainee: str, exercise: str, misses: set[str]) -> None:
    """One finished shift: every near-miss case caught, except the patterns in `misses`."""
    sid = store.start_session(
        trainee=trainee,
        exercise=exercise,
        exercise_source=exercise,
        scenario_hash="-",
        seed=1,
        version="test",
    )
    cases = [
        {
            "ref": f"c{i}",
            "pattern": p,
            "outcome": ("miss" if p != "false_positive" else "false_alarm")
            if p in misses
            else ("hit" if p != "false_positive" else "correct_rejection"),
        }
        for i, p in enumerate(patterns_of(exercise))
    ]
    difficulty = DIFFICULTIES[rung_of(exercise) - 1]
    store.finish_session(sid, score={}, details={"near_misses": cases, "difficulty": difficulty})


def test_a_trainee_who_always_misses_the_spelling_is_given_spelling_exercises(tmp_path) -> None:
    store = SessionStore.open(tmp_path / "s.sqlite3")
    chosen = []
    for _ in range(6):
        nxt = next_for(store, "t-spell")
        chosen.append(nxt)
        sit(store, "t-spell", nxt.exercise, misses={"other_spelling"})
    store.close()
    met = [i for i, c in enumerate(chosen) if "other_spelling" in patterns_of(c.exercise)]
    assert met, [c.exercise for c in chosen]
    # From the first shift in which the spelling was missed, every next shift holds it.
    for c in chosen[met[0] + 1 :]:
        assert c.patterns == ("other_spelling",), c
        assert "other_spelling" in patterns_of(c.exercise)
        assert "another spelling" in c.reason and c.rung == 1
    assert chosen[-1].mastery["other_spelling"] < P_INIT


def test_a_trainee_who_catches_everything_climbs_the_ladder(tmp_path) -> None:
    store = SessionStore.open(tmp_path / "s.sqlite3")
    rungs = []
    for _ in range(5):
        nxt = next_for(store, "t-ace")
        rungs.append(rung_of(nxt.exercise))
        assert nxt.rung == rungs[-1]
        sit(store, "t-ace", nxt.exercise, misses=set())
    store.close()
    assert rungs == sorted(rungs) and rungs[0] == 1 and rungs[-1] == 4, rungs


def test_a_real_careless_shift_sends_the_trainee_back_to_the_spelling(tmp_path) -> None:
    store = SessionStore.open(tmp_path / "s.sqlite3")
    app, game = play_app("01_name_on_the_record", "careless", 7, store=store)
    assert app.error is None
    row = store.sessions()[0]
    assert {c["pattern"]: c["outcome"] for c in row.details["near_misses"]} == {
        "other_spelling": "miss",
        "false_positive": "false_alarm",  # the Dunmore entry, its correcting addendum unread
        "agency_fact_not_passed_on": "miss",
    }
    nxt = next_for(store, "t-1")
    store.close()
    assert nxt.patterns == ("other_spelling",) and nxt.exercise == "01_name_on_the_record"
    # The bot quits from the title screen, which by then shows the same choice.
    assert app.scene.name == "title"
    shown = app.scene.bot_view()["next_for_you"]
    assert shown.startswith("Next for you: 01_name_on_the_record.") and nxt.reason in shown


def test_next_command_prints_the_choice_as_json(tmp_path, capsys) -> None:
    from frontdoor.cli import main

    db = tmp_path / "s.sqlite3"
    store = SessionStore.open(db)
    sit(store, "t-json", "01_name_on_the_record", misses={"other_spelling"})
    store.close()
    assert main(["next", "--db", str(db), "--trainee", "t-json", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert {"exercise", "patterns", "reason", "mastery"} <= set(data)
    assert data["patterns"] == ["other_spelling"]
    assert data["mastery"]["other_spelling"] < data["mastery"]["false_positive"]
    assert data["mastery"]["bail_not_passed_on"] == P_INIT  # not met yet
    assert main(["next", "--db", str(tmp_path / "none.sqlite3"), "--trainee", "x"]) == 2
    assert main(["next", "--db", str(db), "--trainee", "not a code"]) == 2


def test_a_pattern_with_no_bundled_exercise_at_the_rung_is_generated(tmp_path, capsys):
    import shutil

    from frontdoor.cli import main

    # A library of one induction exercise; once it is passed, the trainee is at practice,
    # and the bail pattern (never met, nothing bundled) gets a fresh exercise.
    library = tmp_path / "library"
    shutil.copytree(EXERCISES["01_name_on_the_record"].parent / "teams", library / "teams")
    shutil.copy(EXERCISES["01_name_on_the_record"], library)
    db = tmp_path / "s.sqlite3"
    store = SessionStore.open(db)
    sit(store, "t-gen", "01_name_on_the_record", misses=set())
    store.close()
    out = tmp_path / "next.yaml"
    args = ["next", "--db", str(db), "--trainee", "t-gen", "--dir", str(library)]
    assert main([*args, "--json", "--out", str(out)]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["generated"] and data["exercise"].startswith("generate:bail_not_passed_on:2:")
    assert data["patterns"] == ["bail_not_passed_on"] and Path(data["file"]) == out
    plan = load_exercise(out)
    assert plan.difficulty == "practice"
    assert [r.near_miss.pattern for r in plan.referrals.values() if r.near_miss] == [
        "bail_not_passed_on"
    ]
