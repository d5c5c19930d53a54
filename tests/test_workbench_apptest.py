"""The workbench's widgets through Streamlit's own headless runner (no browser): quick
checks that every lever is drawn with its range and that a refused value is explained
under its widget and holds back the run button."""

from __future__ import annotations

from pathlib import Path

import pytest

pytest.importorskip("streamlit")
from streamlit.testing.v1 import AppTest  # noqa: E402

APP = Path(__file__).resolve().parent.parent / "frontdoor" / "workbench" / "app.py"
KEY = "lever|bundled:baseline|{}"


def fresh() -> AppTest:
    app = AppTest.from_file(str(APP), default_timeout=120)
    app.run()
    assert not app.exception, app.exception
    return app


def test_levers_show_unit_range_and_source() -> None:
    app = fresh()
    horizon = app.number_input(key=KEY.format("run.horizon_days"))
    assert horizon.label == "Measured period (days)"
    captions = [c.value for c in app.caption]
    allowed = "allowed: > 0 and ≤ 36500 · default 365 · scenario file:"
    assert any(c.startswith(allowed) for c in captions)
    assert any("allowed: ≥ 0 and ≤ 1" in c for c in captions)  # a threshold
    assert app.selectbox(key=KEY.format("policy")).options == [
        "fifo",
        "immediate-harm-first",
        "need-weighted",
    ]


def test_refused_value_is_explained_and_blocks_the_run() -> None:
    app = fresh()
    app.number_input(key=KEY.format("thresholds.screen_in_risk")).set_value(1.5).run()
    errors = [e.value for e in app.error]
    assert any(e.startswith("Screen in at believed risk: must be ≥ 0 and ≤ 1") for e in errors), (
        errors
    )
    run = next(b for b in app.button if b.label.startswith("Run "))
    assert run.disabled
