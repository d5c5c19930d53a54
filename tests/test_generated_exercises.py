"""Generated exercises: a pattern, a rung and a seed give a fresh exercise file that loads
like any other, hides the pattern's risk from the careless bot (with exactly the barriers
it declares holed in the model's log), is won by the thorough bot, and changes its
families with the seed. Each is played through the real interface, headless."""

from __future__ import annotations

import multiprocessing
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any

import pytest
from test_exercise_library import expected_holes
from trainer_support import FIXED_WALL

from trainer.exercise import load_exercise
from trainer.generate import PATTERNS, generate, write_exercise

SEED = 7
# Every pattern at induction, and one at each rung above, so every rung is played.
CASES = [(p, 1, 11) for p in PATTERNS] + [
    ("other_spelling", 4, 12),
    ("agency_fact_not_passed_on", 3, 13),
    ("bail_not_passed_on", 2, 14),
]


def written(folder: Path, pattern: str, rung: int, seed: int) -> Path:
    path = folder / f"{pattern}_{rung}_{seed}.yaml"
    return write_exercise(
        generate(pattern, rung, seed), path, pattern=pattern, rung=rung, seed=seed
    )


def play(job: tuple[str, str]) -> tuple[str, str, dict[str, dict[str, Any]]]:
    import os

    os.environ.setdefault("SDL_VIDEODRIVER", "dummy")
    os.environ.setdefault("SDL_AUDIODRIVER", "dummy")
    from trainer.bots import make_bot
    from trainer.game import Game, catalogue
    from trainer.holes import front_door_holes
    from trainer.settings import Settings
    from trainer.ui import App

    path, bot = job
    app = App(
        settings=Settings(),
        settings_file=None,
        store=None,
        headless=True,
        bot=make_bot(bot, SEED),
        wall_clock=lambda: FIXED_WALL,
        max_frames=20_000,
    )
    game = Game(app, entries=catalogue([Path(path)], None), seed=SEED, trainee="t-1")
    app.game = game
    game.to_title()
    app.run()
    assert app.error is None, app.error
    records = game.last_session.desk.log.records
    cases = {
        str(c.score.ref): {
            "hidden": c.score.hidden_risk,
            "outcome": c.score.outcome,
            "holes": front_door_holes(records, c.score.case_id),
        }
        for c in game.last_session.debrief.cases
    }
    return path, bot, cases


@pytest.fixture(scope="module")
def generated(tmp_path_factory) -> dict[tuple[str, int, int], Path]:
    folder = tmp_path_factory.mktemp("generated")
    return {(p, r, s): written(folder, p, r, s) for p, r, s in CASES}


@pytest.fixture(scope="module")
def plays(generated) -> dict[tuple[str, str], dict[str, dict[str, Any]]]:
    jobs = [(str(path), bot) for path in generated.values() for bot in ("thorough", "careless")]
    spawn = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(2, mp_context=spawn) as pool:
        return {(path, bot): cases for path, bot, cases in pool.map(play, jobs)}


@pytest.mark.parametrize("case", CASES, ids=lambda c: f"{c[0]}-rung{c[1]}")
def test_generated_exercise_loads_at_its_rung_with_distractors(generated, case) -> None:
    pattern, rung, _ = case
    plan = load_exercise(generated[case])
    hiding = [r for r in plan.referrals.values() if r.near_miss is not None]
    assert [r.near_miss.pattern for r in hiding] == [pattern]
    assert len(plan.referrals) - len(hiding) >= 2
    assert plan.difficulty == ("induction", "practice", "pressure", "duty_day")[rung - 1]


@pytest.mark.parametrize("case", CASES, ids=lambda c: f"{c[0]}-rung{c[1]}")
def test_thorough_wins_and_careless_misses_with_the_declared_holes(generated, plays, case):
    path = str(generated[case])
    plan = load_exercise(path)
    thorough, careless = plays[(path, "thorough")], plays[(path, "careless")]
    for ref, r in plan.referrals.items():
        if r.near_miss is None:
            assert thorough[ref]["outcome"] == "correct_rejection", (ref, thorough[ref])
            continue
        assert thorough[ref]["hidden"] and thorough[ref]["outcome"] == "hit", thorough[ref]
        assert "screening" not in thorough[ref]["holes"]
        assert careless[ref]["outcome"] == "miss", careless[ref]
        assert careless[ref]["holes"] == expected_holes(r.near_miss.barriers), careless[ref]


@pytest.mark.parametrize("pattern", PATTERNS)
def test_seeds_give_different_families_and_the_same_seed_the_same_file(tmp_path, pattern):
    def without_team(path: Path) -> list[str]:
        return [
            x for x in path.read_text(encoding="utf-8").splitlines() if not x.startswith("team:")
        ]

    (tmp_path / "again").mkdir()
    first = without_team(written(tmp_path, pattern, 2, 1))
    assert without_team(written(tmp_path / "again", pattern, 2, 1)) == first
    surnames = []
    for seed in range(1, 6):
        plan = load_exercise(written(tmp_path, pattern, 2, seed))
        surnames.append(tuple(sorted(r.family.surname for r in plan.referrals.values())))
    assert len(set(surnames)) == len(surnames)


def test_generate_command_writes_a_loadable_file_and_refuses_a_bad_pattern(tmp_path, capsys):
    from frontdoor.cli import main

    out = tmp_path / "fresh.yaml"
    code = main(
        [
            "exercises",
            "--generate",
            "other_spelling",
            "--rung",
            "3",
            "--seed",
            "5",
            "--out",
            str(out),
        ]
    )
    assert code == 0 and load_exercise(out).difficulty == "pressure"
    # The file and its folder stand alone: the team file is copied beside it.
    assert (tmp_path / "teams" / "small_duty_team.yaml").is_file()
    assert "team: teams/small_duty_team.yaml" in out.read_text(encoding="utf-8")
    assert main(["exercises", "--generate", "bad_luck", "--out", str(out)]) == 2
    assert "no generator for 'bad_luck'" in capsys.readouterr().err
    (tmp_path / "teams" / "small_duty_team.yaml").write_text("name: other\n", encoding="utf-8")
    code = main(["exercises", "--generate", "other_spelling", "--out", str(out)])
    assert code == 2 and "not the bundled team file" in capsys.readouterr().err
