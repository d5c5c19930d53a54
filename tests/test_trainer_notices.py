"""A notice another agency sends the team unasked (sim `agency_decisions`) shows in the
open case's findings, with the agency's name and what it said (issue 17).

Exercise 07 as bundled has the police judge by their own bar, so their notice is never
sent; the same exercise with the scenario's `joint_thresholds` lever switched on has the
police act at the team's thresholds, and the notice reaches the desk. Both are played
headless by the thorough bot through the real interface.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from trainer_support import EXERCISES, ROOT

from trainer.bots import ThoroughBot
from trainer.game import Game, catalogue
from trainer.settings import Settings
from trainer.ui import App


def exercise_07(tmp_path: Path, *, joint_thresholds: bool) -> Path:
    """Exercise 07, as bundled or with the police judging by the team's thresholds."""
    text = EXERCISES["07_happy_enough"].read_text(encoding="utf-8")
    if joint_thresholds:
        lever = "    named_liaison: true\n"
        assert lever in text
        text = text.replace(lever, lever + "    joint_thresholds: true\n")
    (tmp_path / "teams").mkdir(exist_ok=True)
    team = ROOT / "scenarios" / "training" / "teams" / "small_duty_team.yaml"
    (tmp_path / "teams" / team.name).write_text(team.read_text(encoding="utf-8"))
    path = tmp_path / "07_happy_enough.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def play_watching(path: Path) -> tuple[list[dict[str, Any]], Any]:
    """Play the shift with the thorough bot; every notice the open case's view listed
    among what the case panel shows (the first time each was seen), and the desk at the
    end."""
    app = App(
        settings=Settings(), settings_file=None, store=None, headless=True, bot=ThoroughBot(1)
    )
    game = Game(app, entries=catalogue([path], None), seed=1, trainee="t")
    game.to_title()
    seen: dict[tuple[int, str], dict[str, Any]] = {}
    desk = None
    for _ in range(20_000):
        app.step(0.5)
        scene: Any = app.scene
        if scene.name == "desk":
            desk = scene.desk
            case = scene.bot_view()["case"]
            for f in case["notices"] if case else []:
                seen.setdefault((case["case_id"], f["label"]), {**f, "case": case})
        if scene.name == "debrief":
            break
    assert desk is not None and app.scene.name == "debrief"
    return list(seen.values()), desk


def test_a_notice_the_police_send_shows_in_the_case_with_their_name_and_words(
    tmp_path: Path,
) -> None:
    notices, desk = play_watching(exercise_07(tmp_path, joint_thresholds=True))
    # The model says the police notice was sent, for the Garside case, and when.
    sent = [
        r
        for r in desk.api.log.records
        if getattr(r, "barrier", None) == "bail_notification" and r.held
    ]
    assert len(sent) == 1
    garside = next(c for c in desk.cases() if c.scripted_ref == "garside")
    assert [n.agency for n in garside.notices] == ["police"]
    assert sent[0].case == garside.case_id
    # The desk showed it among the open case's findings, in words.
    assert len(notices) == 1
    notice = notices[0]
    assert notice["case"]["case_id"] == garside.case_id
    assert notice["label"] == "notice:police" and notice["done"]
    assert notice["asked_at"] == garside.notices[0].at
    assert notice["text"].startswith("Police sent a notice at 09:")
    assert "without being asked" in notice["text"]
    # What it read: the police's own reading of the family, in the team's words.
    assert notice["band"] == 1 and "some concern" in notice["text"]
    assert "agency:" not in notice["text"] and "_" not in notice["text"]


def test_a_notice_the_police_hold_back_is_not_shown(tmp_path: Path) -> None:
    notices, desk = play_watching(exercise_07(tmp_path, joint_thresholds=False))
    held_back = [
        r
        for r in desk.api.log.records
        if getattr(r, "barrier", None) == "bail_notification" and not r.held
    ]
    assert len(held_back) == 1 and held_back[0].conditions == ["agency_threshold_gap"]
    assert notices == []
    assert all(c.notices == () for c in desk.cases())
