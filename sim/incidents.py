"""Safeguarding incidents, graded by comparing what the team did with the hidden truth.

An incident is not drawn from a rate. It opens when a decision leaves a family at a
different level from the one its truth warrants, and it is graded by what happens next:

- corrected by a later barrier on the same case before any harm: a near miss, *prevented*;
- never corrected in the case, or corrected only at a later referral, with no harm beyond
  low-level harm: a near miss, *no harm* (impact not prevented);
- a child left under-protected and harmed (moderate or worse): *harm*, a false negative;
  severe injury or death is also *life-threatening injury or death*;
- a family wrongly suspected is graded by what it went through (its *ordeal*): an
  over-response caught while professionals were still discussing it is *prevented*; one
  caught after someone came to the door with questions is *no harm* at the low end of the
  scale (the family felt it); a child protection plan is *harm* (moderate), a child taken
  away by the police is *harm* (severe). Plans and removals are false positives.

Each graded incident records the barrier that failed, the barrier (and the role of the
worker) that caught it, the latent conditions present and whether an active failure
contributed. Harm to a child still waiting for screening or allocation past the
timescale is an incident too, with allocation as the failed barrier: the decision was
right but the system did not act on it.

The report's three grades (Table 5) and health's five-point scale (Appendix D, Table 1)
are both written on every record.
"""

from __future__ import annotations

from collections.abc import Callable

from sim.config import Reporting, Timescales
from sim.context import RunContext
from sim.entities import ROLE_IS_FRONTLINE, Case, ErrorEpisode, Family, Level
from sim.events import EventKind
from sim.records import ErrorCensored, IncidentGraded, IncidentReported
from sim.vocabulary import ORDEAL_RANK, Ordeal, Severity
from sim.workload import Workload

SEVERITY_RANK: dict[Severity | None, int] = {
    None: 0,
    "low": 1,
    "moderate": 2,
    "severe": 3,
    "death": 4,
}


class IncidentBook:
    """Keeps each family's open error episode and writes graded incidents to the log."""

    def __init__(
        self,
        ctx: RunContext,
        *,
        timescales: Timescales,
        reporting: Reporting,
        workload: Workload,
    ) -> None:
        self._ctx = ctx
        self._timescales = timescales
        self._reporting = reporting
        self._workload = workload
        self._rng = ctx.streams.stream("reporting")
        # Learning from reports (sim.learning), when the scenario switches it on.
        self.learn: Callable[..., None] | None = None

    @staticmethod
    def level_holds(decided: Level, truth: Level, ceiling: Level | None = None) -> bool:
        """A decision holds when it protects at least as much as the truth needs and does
        not put a family under child protection that the truth (read generously, the
        `ceiling`) does not warrant."""
        if decided < truth:
            return False
        top = truth if ceiling is None else max(truth, ceiling)
        return not (decided == Level.CHILD_PROTECTION and top < Level.CHILD_PROTECTION)

    def after_decision(
        self,
        family: Family,
        case: Case,
        decided: Level,
        truth: Level,
        *,
        barrier: str,
        role: str | None,
        conditions: tuple[str, ...],
        active_failure: bool,
        ceiling: Level,
    ) -> None:
        """`truth` and `ceiling` are the truth now, as `Judgement.truth_at` reads it."""
        episode = family.episode
        if episode is not None:
            corrected = (
                decided >= truth
                if episode.direction == "under"
                else decided < Level.CHILD_PROTECTION
            )
            if corrected:
                same_case = episode.case_id == case.id
                if same_case and not episode.felt:
                    self._grade(
                        family,
                        episode,
                        "near_miss_prevented",
                        caught_by=barrier,
                        noticed_by=role,
                        case=case,
                    )
                else:
                    self._grade(
                        family,
                        episode,
                        "near_miss_no_harm",
                        caught_by=barrier,
                        noticed_by=role,
                        case=case,
                    )
                family.episode = None
            else:
                return  # the error goes on; it keeps its first failed barrier
        if decided < truth:
            self._open_episode(family, case, "under", barrier, conditions, active_failure)
        elif decided == Level.CHILD_PROTECTION and ceiling < Level.CHILD_PROTECTION:
            self._open_episode(family, case, "over", barrier, conditions, active_failure)

    def agency_failed(
        self,
        family: Family,
        case: Case,
        barrier: str,
        conditions: tuple[str, ...],
        active_failure: bool,
    ) -> None:
        """Another agency's decision left a child unprotected whom the truth says needs
        protecting (the caller read the truth): an error episode begins at that barrier,
        unless one is already open."""
        if family.episode is None:
            self._open_episode(family, case, "under", barrier, conditions, active_failure)

    def _open_episode(
        self,
        family: Family,
        case: Case,
        direction: str,
        barrier: str,
        conditions: tuple[str, ...],
        active_failure: bool,
    ) -> None:
        """A decision left the family at the wrong level: an error episode begins."""
        # The story so far: every hole this case has met, with the conditions behind it.
        holed = tuple(dict.fromkeys(name for name, _ in case.holes))
        story = dict.fromkeys(conditions)
        for _, why in case.holes:
            story.update(dict.fromkeys(why))
        family.episode = ErrorEpisode(
            direction=direction,
            case_id=case.id,
            started_at=self._ctx.env.now,
            failed_barrier=barrier,
            conditions=tuple(story),
            active_failure=active_failure,
            holed_barriers=holed or (barrier,),
        )

    def plan_started(self, family: Family, case: Case, level: Level) -> None:
        """A child protection plan for a family that never needed one harms that family."""
        if level == Level.CHILD_PROTECTION:
            self.intruded(family, case, "plan")

    def intruded(self, family: Family, case: Case, ordeal: Ordeal) -> None:
        """An over-response reached further into the family: a visit asking questions,
        a plan, a removal. A plan or a removal is harm done, graded at once by it."""
        episode = family.episode
        if episode is None or episode.direction != "over":
            return
        if ORDEAL_RANK[ordeal] > ORDEAL_RANK[episode.ordeal]:
            episode.ordeal = ordeal
        if ORDEAL_RANK[ordeal] >= ORDEAL_RANK["plan"]:
            self._grade(
                family, episode, "harm_false_positive", caught_by=None, noticed_by=None, case=case
            )
            family.episode = None

    def harm(self, family: Family, severity: Severity, *, surfaced: bool = False) -> None:
        episode = family.episode
        if episode is None or episode.direction == "over":
            case = family.open_case
            if case is None or not self._overdue(case):
                return  # harm despite a sound decision: not an agency failure
            failed = "allocation" if case.screened_at is not None else "screening_delay"
            holed = tuple(dict.fromkeys([name for name, _ in case.holes] + [failed]))
            story = dict.fromkeys(self._workload.conditions(case, None))
            story["understaffing"] = None
            episode = ErrorEpisode(
                direction="under",
                case_id=case.id,
                started_at=case.arrived_at,
                failed_barrier=failed,
                conditions=tuple(story),
                holed_barriers=holed,
            )
            episode.worst_harm = severity
            episode.surfaced = surfaced
            if SEVERITY_RANK[severity] >= SEVERITY_RANK["moderate"]:
                self._grade(
                    family,
                    episode,
                    "harm_false_negative",
                    caught_by=None,
                    noticed_by=None,
                    case=case,
                )
            return
        if SEVERITY_RANK[severity] > SEVERITY_RANK[episode.worst_harm]:
            episode.worst_harm = severity
        episode.surfaced = episode.surfaced or surfaced
        if SEVERITY_RANK[severity] >= SEVERITY_RANK["moderate"]:
            self._grade(
                family,
                episode,
                "harm_false_negative",
                caught_by=None,
                noticed_by=None,
                case=family.open_case,
            )
            family.episode = None

    def _overdue(self, case: Case) -> bool:
        cal = self._ctx.calendar
        timescales = self._timescales
        now = self._ctx.env.now
        if case.screened_at is None:
            return cal.working_days_between(case.arrived_at, now) > timescales.decision_working_days
        if case.allocated_at is None and case.queued_at is not None:
            waited = cal.working_days_between(case.queued_at, now)
            return waited > timescales.allocation_working_days
        return False

    def close_all(self, now: float) -> None:
        """An error still open at the end of the run has no outcome yet: it is censored."""
        for family in self._ctx.families.values():
            if family.episode is not None:
                self.censor(family, now, "run_ended")

    def censor(self, family: Family, now: float, reason: str) -> None:
        """End a family's open error without an outcome: the run ended, or the family
        left the team's sight. It is written as its own record, never graded, so it
        never counts as a near miss or as harm (its outcome lies beyond what was seen)."""
        episode = family.episode
        if episode is None:
            return
        case = family.open_case
        self._ctx.log.append(
            ErrorCensored(
                now,
                self._ctx.log.next_seq,
                EventKind.ERROR_CENSORED,
                case.id if case is not None else episode.case_id,
                family.id,
                reason=reason,
                direction=episode.direction,
                harm_type=family.harm_type,
                failed_barrier=episode.failed_barrier,
                conditions=list(episode.conditions),
                active_failure=episode.active_failure,
                started_at=episode.started_at,
                origin_case=episode.case_id,
                worst_harm=episode.worst_harm,
                holed_barriers=list(episode.holed_barriers),
            )
        )
        family.episode = None

    def _grade(
        self,
        family: Family,
        episode: ErrorEpisode,
        kind: str,
        *,
        caught_by: str | None,
        noticed_by: str | None,
        case: Case | None,
        censored: bool = False,
    ) -> None:
        worst = episode.worst_harm
        if noticed_by is None and kind == "harm_false_negative":
            # Harm comes to light through whoever holds the case, or an agency outside.
            if case is not None and case.worker is not None and case.closed_at is None:
                noticed_by = case.worker.role
            elif episode.surfaced:
                noticed_by = "outside_agency"
        over = episode.direction == "over"
        if noticed_by is None and kind == "harm_false_positive":
            noticed_by = "family"  # a plan or a removal is done to the family, who know it
        if kind == "near_miss_prevented":
            grade, scale = "no_harm", "no_harm_prevented"
        elif kind == "near_miss_no_harm":
            grade = "no_harm"
            scale = "low" if episode.felt else "no_harm_not_prevented"
        elif kind == "harm_false_positive":
            grade, scale = "harm", "severe" if episode.ordeal == "removal" else "moderate"
        elif worst in ("severe", "death"):
            grade, scale = "life_threatening_or_death", worst
        else:
            grade, scale = "harm", "moderate"
        record = self._ctx.log.append(
            IncidentGraded(
                self._ctx.env.now,
                self._ctx.log.next_seq,
                EventKind.INCIDENT_GRADED,
                case.id if case is not None else episode.case_id,
                family.id,
                incident=kind,
                grade=grade,
                scale=scale,
                direction=episode.direction,
                harm_type=family.harm_type,
                failed_barrier=episode.failed_barrier,
                caught_by=caught_by,
                noticed_by=noticed_by,
                conditions=list(episode.conditions),
                active_failure=episode.active_failure,
                started_at=episode.started_at,
                origin_case=episode.case_id,
                worst_harm=worst,
                censored=censored,
                holed_barriers=list(episode.holed_barriers),
                surfaced=episode.surfaced,
                ordeal=episode.ordeal if over else None,
            )
        )
        self._report(record.seq, family, kind, noticed_by, episode)

    def _report(
        self,
        ref: int,
        family: Family,
        kind: str,
        noticed_by: str | None,
        episode: ErrorEpisode,
    ) -> None:
        """Whether anyone beyond the frontline hears of an incident.

        A frontline worker who noticed reports it with a chance set by the culture; with
        a reporting system the report reaches senior managers, without one it stops with
        the line manager. Senior managers otherwise hear only when an outside agency that
        saw the harm takes it up with them.
        """
        reporting = self._reporting
        rng = self._rng
        u_report, u_outside = float(rng.random()), float(rng.random())
        if (
            noticed_by is not None
            and noticed_by in ROLE_IS_FRONTLINE
            and u_report < reporting.report_probability[reporting.culture]
        ):
            channel = "reporting_system" if reporting.reporting_system else "line_manager"
            reported_by = noticed_by
        elif (
            kind == "harm_false_negative"
            and episode.surfaced
            and u_outside < reporting.outside_agency_escalation
        ):
            channel, reported_by = "outside_agency", "outside_agency"
        else:
            return
        self._ctx.log.append(
            IncidentReported(
                self._ctx.env.now,
                self._ctx.log.next_seq,
                EventKind.INCIDENT_REPORTED,
                episode.case_id,
                family.id,
                incident_seq=ref,
                incident=kind,
                reported_by=reported_by,
                channel=channel,
                seen_by_senior_managers=channel in ("reporting_system", "outside_agency"),
            )
        )
        if self.learn is not None:
            self.learn(
                channel=channel,
                conditions=episode.conditions,
                serious=kind == "harm_false_negative"
                and SEVERITY_RANK[episode.worst_harm] >= SEVERITY_RANK["severe"],
                senior=channel in ("reporting_system", "outside_agency"),
            )
