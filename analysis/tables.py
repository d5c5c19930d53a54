"""Tidy tables built from an event log: one row per case, one row per incident."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pandas as pd

from sim.events import EventKind, LogRecord, record_fields

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
    rows = CaseRows()
    for r in records:
        rows(r)
    return rows.rows()


class CaseRows:
    """`case_rows`, reduced record by record as the run goes (subscribe to a log)."""

    def __init__(self) -> None:
        self.truth: dict[int, dict[str, Any]] = {}
        self.cases: dict[int, dict[str, Any]] = {}

    def rows(self) -> list[dict[str, Any]]:
        return list(self.cases.values())

    def __call__(self, r: Any) -> None:
        kind = r.kind
        if kind is EventKind.FAMILY_CREATED:
            self.truth[r.family] = {
                "harm_type": r.harm_type,
                "true_risk": r.risk,
                "true_need": r.need,
            }
            return
        if kind is EventKind.REFERRAL_ARRIVED:
            row = dict.fromkeys(CASE_COLUMNS)
            row.update(
                case=r.case,
                family=r.family,
                source=r.source,
                concern=r.concern,
                arrived_at=r.time,
                out_of_hours=r.out_of_hours,
                re_referral=r.re_referral,
            )
            row.update(self.truth.get(r.family, {}))
            self.cases[r.case] = row
            return
        found = self.cases.get(r.case)
        if found is None:
            return
        if kind is EventKind.SCREENED:
            found.update(screened_at=r.time, screening_level=r.level)
        elif kind is EventKind.QUEUED:
            found["queued_at"] = r.time
        elif kind is EventKind.ALLOCATED:
            found.update(allocated_at=r.time, wait_days=r.wait_days, worker=r.worker, role=r.role)
        elif kind is EventKind.CONCLUDED:
            found.update(
                concluded_at=r.time,
                outcome=r.outcome,
                assessment_stage=r.stage,
                assessment_days=r.length_days,
                within_timescale=r.within_timescale,
            )
        elif kind is EventKind.CLOSED:
            found.update(closed_at=r.time, close_reason=r.reason)


def case_table(records: Sequence[LogRecord]) -> pd.DataFrame:
    return pd.DataFrame(case_rows(records), columns=list(CASE_COLUMNS))


def incident_table(records: Sequence[LogRecord]) -> pd.DataFrame:
    rows = [
        {"time": r.time, "case": r.case, "family": r.family, **record_fields(r)}
        for r in records
        if r.kind is EventKind.INCIDENT_GRADED
    ]
    return pd.DataFrame(rows)


def log_table(records: Sequence[LogRecord]) -> pd.DataFrame:
    """The log itself as a DataFrame (data fields kept as dicts)."""
    return pd.DataFrame(
        [(r.time, r.seq, r.kind.value, r.case, r.family, record_fields(r)) for r in records],
        columns=["time", "seq", "kind", "case", "family", "data"],
    )
