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
from sim.records import BarrierTested, FamilyCreated, ReferralArrived
from trainer.debrief_slices import Slice, facts_slices, log_slices
from trainer.desk_records import LEVEL_LABELS, PRIORITY_LABELS, DeskAction, Finding
from trainer.exercise import NearMiss, ShiftPlan, TrainingReferral
from trainer.scoring import CaseScore, ShiftScore, score_shift
from trainer.wording import (
    AGENCY_LABELS,
    BARRIER_LABELS,
    CONCERN_LABELS,
    CONDITION_LABELS,
    LEARNING_POINTS,
    SOURCE_LABELS,
    check_words,
    concern_words,
    day_offset,
    evidence_words,
    hours_minutes,
    incident_words,
    join_words,
    level_words,
)

# How the debrief's timeline tells each desk action, by its recorded kind.
ACTION_WORDS: dict[str, Callable[[dict[str, Any]], str]] = {
    "decide": lambda p: (
        f"You decided: {LEVEL_LABELS[Level(int(p['level']))]}"
        + (f", {PRIORITY_LABELS[str(p['priority'])].lower()}" if int(p["level"]) > 0 else "")
    ),
    "database": lambda p: f"You searched the database for {p['spelling']!r}",
    "agency": lambda p: f"You contacted {check_words('agency:' + str(p['agency']))}",
    "handover": lambda p: (
        f"You wrote a handover passing on: {', '.join(p['keep']) or 'nothing but the referral'}"
    ),
    "addendum": lambda p: "You opened the record's addendum",
    "file": lambda p: "You requested the paper file",
    "visit": lambda p: "You set off on a home visit",
    "team_leader": lambda p: "You asked the team leader",
    "allocate": lambda p: "You allocated the case to a worker",
}


@dataclass(frozen=True)
class CaseDebrief:
    score: CaseScore
    title: str
    child: str
    story: tuple[str, ...]  # what happened, in sentences: the debrief opens with these
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
    overview: tuple[str, ...] = ()  # the shift in a few sentences, before any statistic


# The statistics, each with one line a tutor can read aloud (the "For your tutor" panel).
TUTOR_NOTES = {
    "d_prime": "how well hidden risks were told from cases without one; 0 is chance, "
    "higher is better",
    "criterion": "above 0: slow to escalate; below 0: quick to escalate; 0: balanced",
    "hit_rate": "share of hidden risks caught, nudged away from 0 and 1 (log-linear) so "
    "that d' stays finite; with few cases it is not the raw share",
    "false_alarm_rate": "share of safe families escalated, with the same correction",
    "weighted_triage_error": "too-slow priorities count double, as they put children at risk",
}


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


def child_of(scripted: TrainingReferral | None, spelling: str) -> str:
    """The child's name as the exercise gives it, or how a worker would say it."""
    return scripted.child if scripted is not None else f"the {spelling} child"


def _cap(text: str) -> str:
    return text[:1].upper() + text[1:]


def _caught_story(c: CaseScore, child: str, near_miss: NearMiss | None) -> str:
    shown = join_words([evidence_words(k) for k in c.revealing])
    return f"You caught the risk hidden behind the referral about {child}" + (
        f": {shown} showed it, and you acted on it." if shown else "."
    )


def _missed_story(
    c: CaseScore, child: str, slices: Sequence[Slice], near_miss: NearMiss | None
) -> list[str]:
    out: list[str] = []
    holes = [s for s in slices if s.held is False]
    unused = [s for s in slices if s.held is None]
    if c.decided_by == "night_team":
        why = "the case went to the night team, who saw only what the handover passed on"
    elif c.harmed_before_decision:
        why = "harm came before a decision was made"
    elif c.uncovered:
        why = "the risk was found, but the decision stayed below it"
    elif holes:
        why = f"{holes[0].barrier.lower()}: {holes[0].why}"
    elif unused:
        why = f"{unused[0].barrier.lower()}: {unused[0].why}"
    else:
        why = "the referral showed less than the truth"
    out.append(f"The risk hidden behind the referral about {child} was missed: {why}.")
    if near_miss is not None:
        ways = join_words([evidence_words(k) for k in near_miss.caught_by])
        out.append(f"What would have caught it: {ways}.")
    elif unused:
        out.append(
            "What would have caught it: " + join_words([s.barrier.lower() for s in unused]) + "."
        )
    return out


def _after_shift(t: float, ends: float) -> str:
    hours = (t - ends) * 24
    if hours < 1:
        return "within an hour of the end of the shift"
    if hours < 36:
        return f"{hours:.0f} hours after the shift"
    return f"{hours / 24:.0f} days after the shift"


def _screened_right(c: CaseScore) -> bool:
    return (
        c.decided_by == "trainee"
        and c.level is not None
        and int(c.level) >= int(c.truth)
        and not c.under_triage
    )


def _failed_barrier(r: LogRecord) -> str | None:
    """The barrier a graded incident or a holed barrier test names, by the record's kind."""
    if r.kind is EventKind.INCIDENT_GRADED:
        return r.failed_barrier
    if r.kind is EventKind.BARRIER_TESTED:
        return r.barrier
    return None


def _conditions(r: LogRecord) -> list[str]:
    if r.kind is EventKind.INCIDENT_GRADED or r.kind is EventKind.BARRIER_TESTED:
        return r.conditions
    return []


def _harm_story(c: CaseScore, child: str, later: Sequence[LogRecord], ends: float) -> list[str]:
    """What it cost the family and, when harm followed a sound screening, which later
    defence failed (an incident's failed barrier, else the first barrier that did not
    hold after the decision)."""
    if not c.harm:
        if c.outcome == "miss":
            return ["No harm came in the follow-up period: luck, not a defence."]
        return []
    when, severity = c.harm[0]
    at = "during the shift" if when < ends else _after_shift(when, ends)
    out = [f"It cost the family: {severity} harm to {child}, {at}."]
    if c.outcome not in ("hit", "correct_rejection") or not _screened_right(c):
        return out
    failed = [b for b in map(_failed_barrier, later) if b not in (None, "screening")]
    if failed:
        conds = [CONDITION_LABELS.get(k, k) for r in later for k in _conditions(r)]
        because = f" ({conds[0]})" if conds else ""
        out.append(
            "Your screening was right. A later defence failed: "
            f"{BARRIER_LABELS.get(failed[0], failed[0]).lower()}{because}. "
            "That was not your decision."
        )
    else:
        out.append(
            "Your screening was right, and no later defence is recorded as failing: the "
            "family's risk was real, and sound decisions lower it without removing it. "
            "That harm was not your decision."
        )
    return out


def _case_story(
    c: CaseScore,
    child: str,
    slices: Sequence[Slice],
    near_miss: NearMiss | None,
    incidents: Sequence[LogRecord],
    ends: float,
) -> tuple[str, ...]:
    out: list[str] = []
    if c.outcome == "hit":
        out.append(_caught_story(c, child, near_miss))
    elif c.outcome == "miss":
        out += _missed_story(c, child, slices, near_miss)
    elif c.outcome == "false_alarm":
        out.append(
            f"The family of {child} was escalated to child protection, but the family was safe."
        )
        if near_miss is not None and near_miss.pattern == "false_positive":
            out.append(near_miss.if_missed)
    elif c.decided_by == "night_team":
        out.append(
            f"The referral about {child} was left to the night team; it hid no more than it showed."
        )
    else:
        out.append(
            f"The referral about {child} hid no more than it showed, and you did not "
            "escalate it beyond what it needed."
        )
    out += _harm_story(c, child, incidents, ends)
    return tuple(out)


def _overview(cases: Sequence[CaseDebrief], ends_early: bool) -> tuple[str, ...]:
    """The shift in plain sentences, names first, numbers after."""
    if not cases:
        return ("No referrals reached you in this shift.",)
    by = {
        k: [d.child for d in cases if d.score.outcome == k]
        for k in ("hit", "miss", "false_alarm", "correct_rejection")
    }
    mine = sum(1 for d in cases if d.score.decided_by == "trainee")
    night = len(cases) - mine
    out = [
        f"{len(cases)} referrals came to you. You decided {mine}"
        + (f"; {night} went to the night team." if night else ".")
    ]
    if by["hit"]:
        out.append(f"You caught the hidden risk for {join_words(by['hit'])}.")
    if by["miss"]:
        out.append(f"The hidden risk was missed for {join_words(by['miss'])}.")
    if by["false_alarm"]:
        out.append(
            f"{_cap(join_words(by['false_alarm']))}: escalated to child protection although "
            "the family was safe."
        )
    hurt = [d.child for d in cases if d.score.harm]
    if hurt:
        out.append(f"Harm followed for {join_words(hurt)}; open each case to see why.")
    elif not by["miss"]:
        out.append("No child came to harm in the follow-up period.")
    if ends_early:
        out.append("You ended the shift early.")
    return tuple(out)


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
    families = {r.family: r for r in records if isinstance(r, FamilyCreated)}
    by_case: dict[int, list[LogRecord]] = {}
    for r in records:
        if r.case >= 0:
            by_case.setdefault(r.case, []).append(r)
    cases: list[CaseDebrief] = []
    for c in score.cases:
        family = families[c.family_id]
        mine = by_case.get(c.case_id, [])
        arrival = next(r for r in mine if isinstance(r, ReferralArrived))
        spelling = str(arrival.spelling)
        scripted = plan.referrals.get(c.ref) if c.ref else None
        child = child_of(scripted, spelling)
        title = f"{_cap(child)}: the {spelling} family ({SOURCE_LABELS.get(c.source, c.source)})"
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
            names = [AGENCY_LABELS.get(a, a).lower() for a in knowing]
            truth.append(f"Agencies holding information: {join_words(names)}.")
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
                timeline.append((f.returned_at, f"Answer from {check_words(f.label)}: {f.detail}"))
        if c.decided_by == "night_team" and c.decided_at is not None:
            timeline.append(
                (
                    c.decided_at,
                    "The night team decided: "
                    + level_words(c.level.label if c.level is not None else None),
                )
            )
        timeline.sort(key=lambda item: item[0])
        barriers = [r for r in mine if isinstance(r, BarrierTested)]
        slices = facts_slices(c, family, findings, barriers) + log_slices(c, barriers)
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
                outcome = level_words(str(r.outcome))
                what_next.append((r.time, f"{when}: the assessment concluded {outcome}"))
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
                what_next.append((r.time, f"{when}: {r.severity} harm to {child}"))
            elif r.kind == EventKind.INCIDENT_GRADED:
                kind = incident_words(str(r.incident))
                by = r.caught_by
                extra = f" ({BARRIER_LABELS.get(by, by).lower()} caught it)" if by else ""
                what_next.append((r.time, f"{when}: {kind}{extra}"))
            elif r.kind == EventKind.REFERRAL_ARRIVED and r.case != c.case_id:
                source = SOURCE_LABELS.get(str(r.source), str(r.source))
                what_next.append((r.time, f"{when}: referred again ({source.lower()})"))
        what_next.sort(key=lambda item: item[0])
        if not what_next or all(t < ends for t, _ in what_next):
            what_next.append((ends, "Nothing more happened in the follow-up period."))
        decided = c.decided_at if c.decided_at is not None else ends
        first_harm = c.harm[0][0] if c.harm else float("inf")
        # What failed after the decision and before the harm: graded incidents first,
        # then any barrier that did not hold.
        later = [
            r for r in records if r.family == c.family_id and r.kind == EventKind.INCIDENT_GRADED
        ] + [
            r
            for r in records
            if r.family == c.family_id
            and r.kind == EventKind.BARRIER_TESTED
            and decided < r.time <= first_harm
            and not r.held
        ]
        cases.append(
            CaseDebrief(
                score=c,
                title=title,
                child=child,
                story=_case_story(c, child, slices, near_miss, later, ends),
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
    early = ends < plan.shift.ends_at
    return Debrief(score=score, cases=tuple(cases), overview=_overview(cases, early))


__all__ = ["CaseDebrief", "Debrief", "Slice", "build_debrief"]
