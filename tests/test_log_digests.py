"""Every bundled scenario and training exercise gives the event log recorded at 1902759.

The model is being restructured; a change of structure must change no record. The
digests are over each record's content (tests/log_digests.py), so they survive a change of
file format but not a change of any time, field or order.
"""

from __future__ import annotations

import json

import pytest
from log_digests import (
    BOTS,
    EXERCISES,
    RECORDED,
    SCENARIOS,
    exercise_bot_digest,
    exercise_policy_digest,
    scenario_digest,
)

RECORDED_DIGESTS: dict[str, str] = json.loads(RECORDED.read_text(encoding="utf-8"))


def test_every_bundled_file_has_a_recorded_digest() -> None:
    expected = {f"scenario/{p.stem}" for p in SCENARIOS}
    for path in EXERCISES:
        expected.add(f"exercise/{path.stem}/policy")
        expected.update(f"exercise/{path.stem}/{bot}" for bot in BOTS)
    assert expected == set(RECORDED_DIGESTS)


@pytest.mark.parametrize("path", SCENARIOS, ids=lambda p: p.stem)
def test_scenario_log_unchanged(path) -> None:
    assert scenario_digest(path) == RECORDED_DIGESTS[f"scenario/{path.stem}"]


@pytest.mark.parametrize("path", EXERCISES, ids=lambda p: p.stem)
def test_exercise_logs_unchanged(path) -> None:
    assert exercise_policy_digest(path) == RECORDED_DIGESTS[f"exercise/{path.stem}/policy"]
    for bot in BOTS:
        got = exercise_bot_digest(path, bot)
        assert got == RECORDED_DIGESTS[f"exercise/{path.stem}/{bot}"], bot
