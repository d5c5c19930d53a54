"""Tidy tables built from an event log: one row per case, one row per incident."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pandas as pd

from sim.events import EventKind, LogRecord

CASE_COLUMNS = (
    "case",
    "family",
    "source",
    "concern",
    "arrived_at",
    "out_of_hours",
    "re_referral",
    "screened_at",
    "screening_level",
    "queued_at",
    "allocated_at",
    "wait_days",
    "worker",
    "role",
    "concluded_at",
    "outcome",
    "assessment_stage",
    "assessment_days",
    "within_timescale",
    "closed_at",
    "close_reason",
    "harm_type",
    "true_risk",
    "true_need",
)


def case_rows(records: Sequence[LogRecord]) -> list[dict[str, Any]]:
    """One dict per case with what happened to it and the family's hidden truth."""
    truth: dict[int, dict[str, Any]] = {}
    cases: dict[int, dict[str, Any]] = {}
    for r in records:
        d = r.data
        kind = r.kind
        if kind is EventKind.FAMILY_CREATED:
            truth[r.family] = {
                "harm_type": d["harm_type"],
                "true_risk": d["risk"],
                "true_need": d["need"],
            }
            continue
        if kind is EventKind.REFERRAL_ARRIVED:
            row = dict.fromkeys(CASE_COLUMNS)
            row.update(
                case=r.case,
                family=r.family,
                source=d["source"],
                concern=d["concern"],
                arrived_at=r.time,
                out_of_hours=d["out_of_hours"],
                re_referral=d["re_referral"],
            )
            row.update(truth.get(r.family, {}))
            cases[r.case] = row
            continue
        row = cases.get(r.case)
        if row is None:
            continue
        if kind is EventKind.SCREENED:
            row.update(screened_at=r.time, screening_level=d["level"])
        elif kind is EventKind.QUEUED:
            row["queued_at"] = r.time
        elif kind is EventKind.ALLOCATED:
            row.update(
                allocated_at=r.time, wait_days=d["wait_days"], worker=d["worker"], role=d["role"]
            )
        elif kind is EventKind.CONCLUDED:
            row.update(
                concluded_at=r.time,
                outcome=d["outcome"],
                assessment_stage=d["stage"],
                assessment_days=d["length_days"],
                within_timescale=d["within_timescale"],
            )
        elif kind is EventKind.CLOSED:
            row.update(closed_at=r.time, close_reason=d["reason"])
    return list(cases.values())


def case_table(records: Sequence[LogRecord]) -> pd.DataFrame:
    return pd.DataFrame(case_rows(records), columns=list(CASE_COLUMNS))


def incident_table(records: Sequence[LogRecord]) -> pd.DataFrame:
    rows = [
        {"time": r.time, "case": r.case, "family": r.family, **r.data}
        for r in records
        if r.kind is EventKind.INCIDENT_GRADED
    ]
    return pd.DataFrame(rows)


def log_table(records: Sequence[LogRecord]) -> pd.DataFrame:
    """The log itself as a DataFrame (data fields kept as dicts)."""
    return pd.DataFrame(
        [(r.time, r.seq, r.kind.value, r.case, r.family, dict(r.data)) for r in records],
        columns=["time", "seq", "kind", "case", "family", "data"],
    )
