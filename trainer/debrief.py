"""The debrief: per case, the truth revealed, what the trainee did, each barrier as a slice,
the near miss caught or missed, learning points and what happened next.

Everything here is read from the event log (the truth comes from FAMILY_CREATED records,
now that the shift is over), the trainee's own actions and findings, and the exercise
file's teaching text. Cases are ordered with the most instructive first: a hidden risk
missed and followed by harm, then other misses, false alarms, under-triage, and last the
cases that went well.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from sim.entities import Level
from sim.events import EventKind, LogRecord
from trainer.desk import LEVEL_LABELS, PRIORITY_LABELS, DeskAction, Finding
from trainer.exercise import ShiftPlan
from trainer.scoring import CaseScore, ShiftScore, score_shift
from trainer.wording import (
    AGENCY_LABELS,
    BARRIER_LABELS,
    CONCERN_LABELS,
    CONDITION_LABELS,
    FILE_PLACES,
    LEARNING_POINTS,
    SOURCE_LABELS,
    concern_words,
    day_offset,
    hours_minutes,
    level_words,
)

# How the debrief's timeline tells each desk action, by its recorded kind.
ACTION_WORDS: dict[str, Callable[[dict[str, Any]], str]] = {
    "decide": lambda p: (
        f"You decided: {LEVEL_LABELS[Level(int(p['level']))]}, "
        f"{PRIORITY_LABELS[str(p['priority'])]}"
    ),
    "database": lambda p: f"You searched the database for {p['spelling']!r}",
    "agency": lambda p: f"You contacted {p['agency']}",
    "handover": lambda p: (
        f"You wrote a handover passing on: {', '.join(p['keep']) or 'nothing but the referral'}"
    ),
    "file": lambda p: "You requested the paper file",
    "visit": lambda p: "You set off on a home visit",
    "team_leader": lambda p: "You asked the team leader",
    "allocate": lambda p: f"You allocated the case to worker {p.get('worker')}",
}


@dataclass(frozen=True)
class Slice:
    """One defence as a slice of Swiss cheese: held, holed, or never put in place."""

    barrier: str  # label
    held: bool | None  # None: the defence was never put in place (a check not made)
    why: str
    key: str  # learning-point key: (barrier, reason)
    reason: str


@dataclass(frozen=True)
class CaseDebrief:
    score: CaseScore
    title: str
    verdict: str
    truth: tuple[str, ...]
    timeline: tuple[tuple[float, str], ...]
    slices: tuple[Slice, ...]
    learning_points: tuple[str, ...]
    what_next: tuple[tuple[float, str], ...]
    rank: int


@dataclass(frozen=True)
class Debrief:
    score: ShiftScore
    cases: tuple[CaseDebrief, ...]  # most instructive first


def _rank(c: CaseScore) -> int:
    if c.outcome == "miss":
        return 0 if any(sev != "low" for _, sev in c.harm) else 1
    if c.outcome == "false_alarm":
        return 2
    if c.under_triage:
        return 3
    if c.outcome == "hit":
        return 4
    return 5


def _verdict(c: CaseScore) -> str:
    if c.outcome == "hit":
        return "Near miss caught: the hidden risk was found and acted on in time."
    if c.outcome == "miss":
        if not c.uncovered:
            return "Near miss missed: the hidden risk was never uncovered."
        if c.harmed_before_decision:
            return "Near miss missed: harm came before the decision."
        return "Near miss missed: the risk was found but the decision stayed below it."
    if c.outcome == "false_alarm":
        return "False alarm: a family with no hidden risk was escalated to child protection."
    return "No hidden risk here, and none was invented."


def _facts_slices(
    c: CaseScore,
    family: LogRecord,
    spelling: str,
    findings: Sequence[Finding],
    barriers: Sequence[LogRecord],
) -> list[Slice]:
    """The information defences, from what could be found and what the trainee tried."""
    decided = c.decided_at if c.decided_at is not None else float("inf")
    mine = [f for f in findings if f.case_id == c.case_id]
    before = [f for f in mine if f.returned_at is not None and f.returned_at <= decided]
    slices: list[Slice] = []
    recorded = family.recorded_surname
    if recorded:
        searches = [f for f in mine if f.action == "database" and f.requested_at <= decided]
        found = any(f.outcome == "found" for f in before if f.action == "database")
        if found:
            why = f"record found under {recorded!r}"
            slices.append(Slice("Database search", True, why, "", ""))
        elif not searches:
            why = "never searched before the decision"
            slices.append(Slice("Database search", None, why, "database_check", "not_searched"))
        else:
            tried = ", ".join(repr(f.label.split("'")[1]) for f in searches if "'" in f.label)
            why = f"searched under {tried}; the record is under {recorded!r}"
            conds = [
                CONDITION_LABELS.get(k, k)
                for b in barriers
                if b.barrier == "database_check" and not b.held
                for k in b.conditions
            ]
            if conds:
                why += f" ({'; '.join(dict.fromkeys(conds))})"
            slices.append(Slice("Database search", False, why, "database_check", "other_spelling"))
    place = str(family.file_location)
    if place != "none":
        files = [f for f in mine if f.action == "file"]
        arrived = [f for f in before if f.action == "file" and f.outcome == "arrived"]
        if arrived:
            slices.append(Slice("Paper file", True, "the file arrived and was read", "", ""))
        elif not files:
            why = f"never requested (it is in {FILE_PLACES.get(place, place)})"
            slices.append(Slice("Paper file", None, why, "file_retrieval", "not_requested"))
        elif place == "missing":
            why = "requested, but the file is lost"
            slices.append(Slice("Paper file", False, why, "file_retrieval", "missing"))
        else:
            why = f"requested, still coming from {FILE_PLACES.get(place, place)} at the decision"
            slices.append(Slice("Paper file", False, why, "file_retrieval", "late"))
    for agency in family.agencies_knowing:
        label = f"{AGENCY_LABELS.get(agency, agency)} check"
        asked = [f for f in mine if f.label == f"agency:{agency}"]
        answered = [f for f in before if f.label == f"agency:{agency}" and f.outcome == "answered"]
        if answered:
            slices.append(Slice(label, True, f"{agency} shared what it knew", "", ""))
        elif not asked:
            why = f"{agency} knew something but was never asked"
            slices.append(Slice(label, None, why, "agency_check", "not_asked"))
        elif any(f.outcome == "refused" for f in asked):
            slices.append(Slice(label, False, f"{agency} refused", "agency_check", "refused"))
        else:
            why = f"{agency} answered after the decision"
            slices.append(Slice(label, False, why, "agency_check", "late"))
    if c.hidden_risk:
        visits = [f for f in mine if f.action == "visit"]
        seen = [f for f in before if f.action == "visit" and f.outcome == "seen"]
        if seen:
            slices.append(Slice("Seeing the child", True, "the child was seen at home", "", ""))
        elif not visits:
            why = "no visit before the decision"
            slices.append(Slice("Seeing the child", None, why, "seeing_child", "not_visited"))
        else:
            why = "the visit did not see the child, or came too late"
            slices.append(Slice("Seeing the child", False, why, "seeing_child", "not_seen"))
    return slices


def _log_slices(c: CaseScore, barriers: Sequence[LogRecord]) -> list[Slice]:
    """Decision and handover defences as the model logged them."""
    out: list[Slice] = []
    for b in barriers:
        name = str(b.barrier)
        if name not in ("screening", "out_of_hours_handover", "allocation") or (
            c.decided_at is not None and b.time > c.decided_at + 1.0
        ):
            continue
        held = bool(b.held)
        conds = [CONDITION_LABELS.get(k, k) for k in b.conditions]
        why = "; ".join(conds) if conds else ("held" if held else "did not hold")
        reason = ""
        if name == "screening" and not held:
            reason = "over" if b.decided == "child_protection" else "under"
            why = f"decided {level_words(b.decided)}, the truth was {level_words(b.truth)}" + (
                f" ({why})" if conds else ""
            )
        if name == "out_of_hours_handover" and not held:
            reason = "dropped"
        out.append(Slice(BARRIER_LABELS.get(name, name), held, why, name, reason))
    return out


def build_debrief(
    records: Sequence[LogRecord],
    plan: ShiftPlan,
    actions: Sequence[DeskAction],
    findings: Sequence[Finding],
) -> Debrief:
    # A trainee who left early was at the desk until then, not to the planned end.
    ends = next((a.sim_time for a in actions if a.kind == "end_shift"), plan.shift.ends_at)
    score = score_shift(
        records,
        scenario=plan.scenario,
        starts_at=plan.shift.starts_at,
        ends_at=ends,
        actions=actions,
        findings=findings,
    )
    thresholds = plan.scenario.thresholds
    families = {r.family: r for r in records if r.kind == EventKind.FAMILY_CREATED}
    by_case: dict[int, list[LogRecord]] = {}
    for r in records:
        if r.case >= 0:
            by_case.setdefault(r.case, []).append(r)
    cases: list[CaseDebrief] = []
    for c in score.cases:
        family = families[c.family_id]
        mine = by_case.get(c.case_id, [])
        arrival = next(r for r in mine if r.kind == EventKind.REFERRAL_ARRIVED)
        spelling = str(arrival.spelling)
        scripted = plan.referrals.get(c.ref) if c.ref else None
        child = scripted.child if scripted is not None else "a child"
        title = f"{child}: the {spelling} family ({SOURCE_LABELS.get(c.source, c.source)})"
        words, _ = concern_words(float(family.risk), thresholds)
        truth = [
            f"Hidden truth: {CONCERN_LABELS.get(c.harm_type, c.harm_type)}, {words}; "
            f"the family needed {LEVEL_LABELS[c.truth].lower()}.",
            f"The referral alone showed {LEVEL_LABELS[c.surface].lower()}.",
        ]
        recorded = family.recorded_surname
        if recorded and recorded != spelling:
            truth.append(f"On record under {recorded!r}, not {spelling!r}.")
        elif recorded:
            truth.append("Known to the team, on record under this spelling.")
        knowing = family.agencies_knowing
        if knowing:
            truth.append(f"Agencies holding information: {', '.join(knowing)}.")
        if scripted is not None and scripted.near_miss is not None:
            truth.append(scripted.near_miss.hidden)
        timeline: list[tuple[float, str]] = [(c.arrived_at, "Referral arrived")]
        for a in actions:
            if a.case_id != c.case_id:
                continue
            telling = ACTION_WORDS.get(a.kind)
            timeline.append((a.sim_time, a.kind if telling is None else telling(a.payload)))
        for f in findings:
            if f.case_id == c.case_id and f.returned_at is not None:
                timeline.append((f.returned_at, f"Answer ({f.label}): {f.detail}"))
        if c.decided_by == "night_team" and c.decided_at is not None:
            timeline.append(
                (
                    c.decided_at,
                    "The night team decided: "
                    + level_words(c.level.label if c.level is not None else None),
                )
            )
        timeline.sort(key=lambda item: item[0])
        barriers = [r for r in mine if r.kind == EventKind.BARRIER_TESTED]
        slices = _facts_slices(c, family, spelling, findings, barriers) + _log_slices(c, barriers)
        points: list[str] = list(scripted.learning_points) if scripted is not None else []
        if not points:
            went_wrong = c.outcome in ("miss", "false_alarm")
            for s in slices:
                text = LEARNING_POINTS.get((s.key, s.reason))
                hole = s.held is False or (s.held is None and went_wrong)
                if hole and text and text not in points:
                    points.append(text)
            if not points and c.outcome in ("hit", "correct_rejection"):
                points.append(
                    "The checks and the decision matched what the family needed. Notice "
                    "which check told you most: on a busier day it is the one to keep."
                )
        what_next: list[tuple[float, str]] = []
        near_miss = scripted.near_miss if scripted is not None else None
        if near_miss is not None and near_miss.pattern == "false_positive":
            # The near miss of a safe family is the escalation itself.
            if c.outcome == "false_alarm":
                what_next.append((ends, f"What escalation does: {near_miss.if_missed}"))
        elif near_miss is not None and c.outcome == "miss":
            what_next.append((ends, f"If nobody catches it: {near_miss.if_missed}"))
        for r in mine:
            if r.time < ends and r.kind != EventKind.HARM_OCCURRED:
                continue
            when = day_offset(r.time, ends)
            if r.kind == EventKind.ALLOCATED and r.time >= ends:
                what_next.append((r.time, f"{when}: allocated to a worker"))
            elif r.kind == EventKind.CONCLUDED:
                what_next.append((r.time, f"{when}: assessment concluded {r.outcome}"))
            elif r.kind == EventKind.PLAN_STARTED:
                what_next.append((r.time, f"{when}: {r.plan.replace('_', ' ')} plan"))
            elif r.kind == EventKind.CLOSED:
                reason = str(r.reason).replace("_", " ")
                what_next.append((r.time, f"{when}: case closed ({reason})"))
        for r in records:
            if r.family != c.family_id:
                continue
            when = day_offset(r.time, ends) if r.time >= ends else hours_minutes(r.time)
            if r.kind == EventKind.HARM_OCCURRED and r.time >= c.arrived_at:
                what_next.append((r.time, f"{when}: harm to the child ({r.severity})"))
            elif r.kind == EventKind.INCIDENT_GRADED:
                kind = str(r.incident).replace("_", " ")
                by = r.caught_by
                extra = f", caught by {BARRIER_LABELS.get(by, by)}" if by else ""
                what_next.append((r.time, f"{when}: graded {kind}{extra}"))
            elif r.kind == EventKind.REFERRAL_ARRIVED and r.case != c.case_id:
                what_next.append((r.time, f"{when}: referred again by {r.source}"))
        what_next.sort(key=lambda item: item[0])
        if not what_next or all(t < ends for t, _ in what_next):
            what_next.append((ends, "Nothing more happened in the follow-up period."))
        cases.append(
            CaseDebrief(
                score=c,
                title=title,
                verdict=_verdict(c),
                truth=tuple(truth),
                timeline=tuple(timeline),
                slices=tuple(slices),
                learning_points=tuple(points[:3]),
                what_next=tuple(what_next),
                rank=_rank(c),
            )
        )
    cases.sort(key=lambda d: (d.rank, d.score.arrived_at))
    return Debrief(score=score, cases=tuple(cases))


__all__ = ["CaseDebrief", "Debrief", "Slice", "build_debrief"]
