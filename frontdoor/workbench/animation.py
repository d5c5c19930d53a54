"""Watching the front door: referrals moving through screening, waiting and assessment.

Built from one replication's event log through `analysis.tables.case_table` (one row per
case with the moments it arrived, was screened, queued, allocated and concluded). Each
frame is the end of a day: every case then in the front door is a dot in the column of
the step it is at, and cases that left that day appear in the last column. Dots keep
their case's id from frame to frame, so Plotly moves them between columns.

vidigi (a queue-animation package) installs here, but wants its own event-log shape and
a step per resource; the case table already says where every case is on every day, so a
Plotly frame per day from it is the shorter honest path.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd

STAGES: tuple[str, ...] = ("screening", "waiting for allocation", "in assessment", "left today")
PER_ROW = 12
MAX_FRAMES = 150


def _times(cases: pd.DataFrame, column: str) -> np.ndarray:
    values = pd.to_numeric(cases[column], errors="coerce").to_numpy(dtype=float)
    return np.where(np.isnan(values), np.inf, values)


def stages_at(cases: pd.DataFrame, day_end: float) -> np.ndarray:
    """Each case's step at `day_end` as an index into STAGES, or -1 when it is not in the
    front door (not yet arrived, or gone before that day)."""
    arrived, screened = _times(cases, "arrived_at"), _times(cases, "screened_at")
    queued, allocated = _times(cases, "queued_at"), _times(cases, "allocated_at")
    concluded, closed = _times(cases, "concluded_at"), _times(cases, "closed_at")
    left = np.minimum(np.minimum(concluded, closed), np.where(np.isinf(queued), screened, np.inf))
    stage = np.full(len(cases), -1)
    here = arrived <= day_end
    stage[here & (day_end - 1 < left) & (left <= day_end)] = 3
    stage[here & (allocated <= day_end) & (day_end < concluded)] = 2
    stage[here & (queued <= day_end) & (day_end < allocated)] = 1
    stage[here & (day_end < screened)] = 0
    return stage


def frame_rows(cases: pd.DataFrame, days: list[int]) -> pd.DataFrame:
    """One row per (day, case in the front door), with the dot's place on the grid."""
    parts = []
    ids = cases["case"].to_numpy()
    concerns = cases["concern"].astype(str).to_numpy()
    for day in days:
        stage = stages_at(cases, day + 1.0)
        for index in range(len(STAGES)):
            chosen = np.flatnonzero(stage == index)
            k = np.arange(len(chosen))
            parts.append(
                pd.DataFrame(
                    {
                        "day": day,
                        "case": ids[chosen],
                        "stage": STAGES[index],
                        "concern": concerns[chosen],
                        "x": index * (PER_ROW + 4) + k % PER_ROW,
                        "y": k // PER_ROW,
                    }
                )
            )
    columns = ["day", "case", "stage", "concern", "x", "y"]
    return pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(columns=columns)


def day_list(cases: pd.DataFrame) -> list[int]:
    end = float(np.nanmax(cases[["arrived_at", "concluded_at", "closed_at"]].to_numpy(float)))
    last = max(1, int(end))
    stride = max(1, math.ceil(last / MAX_FRAMES))
    return list(range(0, last, stride))


CONCERN_COLOURS = {
    "physical": "#cf222e",
    "sexual": "#8250df",
    "neglect": "#bf8700",
    "emotional": "#0969da",
    "none": "#6e7781",
}


def _dots(rows: pd.DataFrame) -> dict[str, Any]:
    return {
        "x": rows["x"].tolist(),
        "y": rows["y"].tolist(),
        "ids": [str(c) for c in rows["case"]],
        "mode": "markers",
        "marker": {
            "size": 8,
            "color": [CONCERN_COLOURS.get(c, "#6e7781") for c in rows["concern"]],
        },
        "text": [
            f"case {c}: {s} ({k})"
            for c, s, k in zip(rows["case"], rows["stage"], rows["concern"], strict=True)
        ],
        "hoverinfo": "text",
    }


def front_door_figure(cases: pd.DataFrame, title: str, start_day: float = 0.0) -> Any:
    """A Plotly animation, a frame a day from `start_day`, with a play button and a slider."""
    import plotly.graph_objects as go

    days = [d for d in day_list(cases) if d >= int(start_day)] or day_list(cases)
    rows = frame_rows(cases, days)
    by_day = {day: group for day, group in rows.groupby("day")}
    empty = rows.iloc[0:0]
    frames = [go.Frame(data=[go.Scatter(**_dots(by_day.get(d, empty)))], name=str(d)) for d in days]
    height = int(rows["y"].max() + 2) if len(rows) else 4
    fig = go.Figure(data=frames[0].data if frames else [], frames=frames)
    for i, stage in enumerate(STAGES):
        fig.add_annotation(
            x=i * (PER_ROW + 4) + PER_ROW / 2,
            y=height - 0.5,
            text=f"<b>{stage}</b>",
            showarrow=False,
        )
    step = {"frame": {"duration": 250, "redraw": True}, "transition": {"duration": 150}}
    fig.update_layout(
        title=title,
        height=520,
        margin={"l": 10, "r": 10, "t": 60, "b": 10},
        xaxis={"visible": False, "range": [-2, len(STAGES) * (PER_ROW + 4)]},
        yaxis={"visible": False, "range": [-1, height]},
        updatemenus=[
            {
                "type": "buttons",
                "x": 0,
                "y": -0.12,
                "xanchor": "left",
                "yanchor": "top",
                "direction": "left",
                "buttons": [
                    {"label": "Play", "method": "animate", "args": [None, step]},
                    {
                        "label": "Pause",
                        "method": "animate",
                        "args": [[None], {"mode": "immediate", "frame": {"duration": 0}}],
                    },
                ],
            }
        ],
        sliders=[
            {
                "x": 0.2,
                "len": 0.8,
                "y": 0.0,
                "currentvalue": {"prefix": "day "},
                "steps": [
                    {
                        "label": str(d),
                        "method": "animate",
                        "args": [[str(d)], {"mode": "immediate", "frame": {"duration": 0}}],
                    }
                    for d in days
                ],
            }
        ],
    )
    return fig


def replication_cases(scenario: Any, seed: int, replication: int = 0) -> pd.DataFrame:
    """The case table of one replication, run afresh (the same log `frontdoor run` writes)."""
    from analysis.tables import case_table
    from sim.model import run_scenario

    log = run_scenario(scenario, seed, replication=replication)
    table = case_table(log.records)
    if hasattr(log, "release"):
        log.release()
    return table
