"""Other agencies' own decisions: each a barrier with its own threshold and conditions.

Agencies do more than hold information. The police decide whether to take a child into
protection when the team asks, and whether to tell the team that a violent partner is
out on bail; health visitors and GPs, schools and housing each have their own threshold
for passing a worry on; a hospital or midwife decides when a baby goes home and whether
to tell the team first; probation and adult mental health decide whether to act on the
team's request about a parent who is their client (report 4.6, 4.7).

Each decision compares the agency's own reading of the family (what it knows, or what
it sees when it decides) with its own threshold. Three latent conditions can open a hole
in it: no notification agreement (the agency saw the worry but had no protocol telling
it to pass it on), a threshold above the team's (`agency_threshold_gap`), and no named
contact (the notice or request went to nobody in particular and was lost). A condition
is named only where removing it, with the same draws, would have changed the decision.
Scenario levers switch each condition off: `notification_agreement`, `joint_thresholds`
(the agency acts at the team's own thresholds) and `named_liaison`.

What follows from a decision is a change in what the team knows (a notice adds the
agency's reading to the case's evidence) or in the child's protection (police
protection or a hospital stay shield a child until the assessment starts; an agency
that declines to act leaves a plan one step weaker for a while). Only the harm clock
and grading read the truth: an agency's hole that leaves a child the truth says needs
protecting opens an error episode, graded later like any other.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import NamedTuple

from sim.config import ActSpec, AgencyDecisions, Thresholds
from sim.context import RunContext, clip01
from sim.entities import Case, Level, Worker
from sim.harm_clock import HarmClock
from sim.incidents import IncidentBook
from sim.judgement import Judgement
from sim.vocabulary import (  # the tables live with the words, so readers skip numpy
    AGENCY_BARRIERS,
    NOTICE_BARRIERS,
    NOTIFYING_AGENCIES,
    REQUEST_BARRIERS,
    Barrier,
    Condition,
    Protection,
)

# Each decision's slot in the case's draws, so one decision never shifts another's.
_SLOTS: dict[Barrier, int] = {b: i for i, b in enumerate(AGENCY_BARRIERS)}
# A child protection plan works as a child in need plan, for a while, when an agency
# asked to act with a parent (at the plan's core group) declines.
_WEAKER: dict[Protection, Protection] = {"child_protection": "child_in_need"}


class Outcome(NamedTuple):
    """One agency decision: whether it acted, and the conditions that stopped it."""

    acted: bool
    conditions: tuple[Condition, ...]
    active_failure: bool  # a hole no condition explains: the agency's own reading


def decide(
    reading: float,
    *,
    own: float,
    joint: float,
    without_agreement: float,
    draws: Sequence[float],
    levers: AgencyDecisions,
) -> Outcome:
    """Whether an agency acts on `reading`, from three uniforms (agreement, contact, slip).

    The agency acts when its reading reaches its threshold (the team's, with joint
    thresholds), it has agreed to tell or the notice goes anyway, the notice reaches
    someone, and nothing slips. A condition is named only when the agency would have
    acted with every named condition removed and the same draws.
    """
    u_agree, u_contact, u_slip = draws[0], draws[1], draws[2]
    threshold = joint if levers.joint_thresholds else own
    blocked: list[Condition] = []
    if reading < threshold and reading >= joint:
        blocked.append("agency_threshold_gap")
    if not levers.notification_agreement and u_agree >= without_agreement:
        blocked.append("no_notification_agreement")
    if not levers.named_liaison and u_contact < levers.lost_without_contact:
        blocked.append("no_named_contact")
    slipped = u_slip < levers.slip
    if reading >= threshold and not blocked and not slipped:
        return Outcome(True, (), False)
    if slipped or reading < joint:
        return Outcome(False, (), True)  # no agreement would have changed it
    return Outcome(False, tuple(blocked), False)


class AgencyDecisionMakers:
    """Asks each agency for its decision at the moments the case path reaches one."""

    def __init__(
        self,
        ctx: RunContext,
        *,
        decisions: AgencyDecisions,
        thresholds: Thresholds,
        judgement: Judgement,
        harm_clock: HarmClock,
        incidents: IncidentBook,
    ) -> None:
        self._ctx = ctx
        self._spec = decisions
        self._thresholds = thresholds
        self._judgement = judgement
        self._harm_clock = harm_clock
        self._incidents = incidents

    def _draws(self, case: Case, barrier: Barrier) -> tuple[list[float], float]:
        """Three uniforms and a normal for one decision on one case, keyed by the family,
        which of its referrals this is and the decision, so the same family's same
        decision draws alike in every scenario (case numbers differ between them)."""
        family = case.family
        rng = self._ctx.streams.for_key("agencies", family.id, family.referrals, _SLOTS[barrier])
        return [float(u) for u in rng.random(3)], float(rng.normal())

    def _reading(self, case: Case, spec: ActSpec, z: float) -> float:
        """What an agency sees of the child when it decides: a blurred share of the risk."""
        family = case.family
        risk = family.risk_at(self._ctx.env.now)
        return clip01(spec.clarity * risk + self._spec.reading_noise_sd * z)

    def _test(
        self,
        case: Case,
        barrier: Barrier,
        outcome: Outcome,
        worker: Worker | None,
        needed: Level,
    ) -> bool:
        """Log the decision as a barrier test; True when it left a hole.

        Like the team's own decisions it is graded against the truth: a refusal holes the
        barrier only when the truth says the child needed what the agency declined."""
        truth, _ = self._judgement.truth_at(case.family, self._ctx.env.now)
        held = outcome.acted or truth < needed
        self._judgement.barrier(
            case,
            barrier,
            held,
            [] if held else list(outcome.conditions),
            worker,
            agency=AGENCY_BARRIERS[barrier],
            active_failure=not held and outcome.active_failure,
        )
        return not held

    # -- before screening: what agencies tell the team unasked ------------------------

    def notices(self, case: Case, worker: Worker | None) -> None:
        """Agencies that know something worrying tell the team, by their own thresholds.

        Tested only where the agency's information reaches the team's own screen-in
        threshold and is more worrying than anything the team has yet, so there was
        something worth telling by the team's standard that the team did not know."""
        if not self._spec.enabled:
            return
        held = case.family.facts.agency_information
        joint = self._thresholds.screen_in_risk
        known = max(case.evidence.values(), default=0.0)
        for agency in NOTIFYING_AGENCIES:
            reading = held.get(agency)
            spec = self._spec.notices.get(agency)
            if reading is None or spec is None or reading < joint or reading <= known:
                continue
            barrier = NOTICE_BARRIERS[agency]
            draws, _ = self._draws(case, barrier)
            outcome = decide(
                reading,
                own=spec.threshold,
                joint=joint,
                without_agreement=spec.without_agreement,
                draws=draws,
                levers=self._spec,
            )
            if outcome.acted:
                key = f"agency:{agency}"
                case.evidence[key] = max(case.evidence.get(key, 0.0), reading)
                case.notices[agency] = (self._ctx.env.now, reading)
            self._test(case, barrier, outcome, worker, Level.CHILD_IN_NEED)

    # -- after screening: protection while the case waits -------------------------------

    def screened(
        self, case: Case, level: Level, believed_risk: float, worker: Worker | None
    ) -> None:
        """A case screened in: the police asked to protect a child the team believes in
        immediate danger, a hospital asked to keep a child it referred until assessed."""
        spec = self._spec
        if not spec.enabled or level == Level.NO_FURTHER_ACTION:
            return
        if level == Level.CHILD_PROTECTION and believed_risk >= spec.police_request_risk:
            self._shield(
                case,
                worker,
                "police_protection",
                spec.police_protection,
                (self._thresholds.child_protection_risk, spec.police_protection_days),
                Level.CHILD_PROTECTION,
            )
        if case.source == "hospital":
            self._shield(
                case,
                worker,
                "hospital_discharge",
                spec.hospital_discharge,
                (self._thresholds.child_in_need_risk, spec.hospital_hold_days),
                Level.CHILD_IN_NEED,
            )

    def _shield(
        self,
        case: Case,
        worker: Worker | None,
        barrier: Barrier,
        spec: ActSpec,
        joint_and_days: tuple[float, float],
        needed: Level,
    ) -> None:
        """An agency keeps the child safe until the assessment starts, for at most `days`;
        a refusal that leaves a child the truth says needs it unsafe is an error."""
        joint, days = joint_and_days
        draws, z = self._draws(case, barrier)
        outcome = decide(
            self._reading(case, spec, z),
            own=spec.threshold,
            joint=joint,
            without_agreement=spec.without_agreement,
            draws=draws,
            levers=self._spec,
        )
        holed = self._test(case, barrier, outcome, worker, needed)
        family = case.family
        if outcome.acted:
            if barrier == "police_protection":  # the child is taken to safety, away from home
                self._incidents.intruded(family, case, "removal")
            self._harm_clock.set_protection(family, "child_protection")
            timer = self._ctx.env.timeout(days)
            timer.callbacks.append(lambda _ev: self._shield_ends(case))
        elif holed:
            self._unsafe(case, barrier, outcome)

    def _shield_ends(self, case: Case) -> None:
        """Police protection lapses, or the child goes home: still waiting, unshielded."""
        family = case.family
        waiting = case.allocated_at is None and case.closed_at is None
        if waiting and family.open_case is case and family.protection == "child_protection":
            self._harm_clock.set_protection(family, "waiting")

    def _unsafe(self, case: Case, barrier: Barrier, outcome: Outcome) -> None:
        """A hole that left a child unprotected opens an error episode (graded later)."""
        self._incidents.agency_failed(
            case.family, case, barrier, outcome.conditions, outcome.active_failure
        )

    # -- when a plan starts: agencies asked to act with a parent ----------------------------

    def plan_started(self, case: Case, state: Protection) -> None:
        """Probation and adult mental health asked to act with a parent who is their
        client when a child protection plan starts. Each service that knows the parent is
        asked and decides by its own bar (report 3.2: neither would act); any refusal
        leaves the plan working as a child in need plan for a while."""
        if not self._spec.enabled or state not in _WEAKER:
            return
        family = case.family
        clients = self._ctx.streams.for_key("agency_clients", family.id).random(
            len(REQUEST_BARRIERS)
        )
        declined = False
        for u, (agency, barrier) in zip(clients, REQUEST_BARRIERS.items(), strict=True):
            spec = self._spec.requests.get(agency)  # type: ignore[call-overload]
            if spec is None or u >= spec.parent_known.get(family.harm_type, 0.0):
                continue
            draws, z = self._draws(case, barrier)
            outcome = decide(
                self._reading(case, spec, z),
                own=spec.threshold,
                joint=self._thresholds.child_protection_risk,
                without_agreement=spec.without_agreement,
                draws=draws,
                levers=self._spec,
            )
            holed = self._test(case, barrier, outcome, case.worker, Level.CHILD_PROTECTION)
            if outcome.acted:
                continue
            if not declined:  # one refusal is enough to weaken the plan
                weaker = _WEAKER[state]
                self._harm_clock.set_protection(family, weaker)
                timer = self._ctx.env.timeout(self._spec.declined_delay_days)
                timer.callbacks.append(
                    lambda _ev, w=weaker: self._plan_restored(case, state, w)  # type: ignore[misc]
                )
            declined = True
            if holed:
                self._unsafe(case, barrier, outcome)

    def _plan_restored(self, case: Case, state: Protection, weaker: Protection) -> None:
        """The team finds another way (or the agency comes round): the plan works again."""
        family = case.family
        if family.open_case is case and case.stage == state and family.protection == weaker:
            self._harm_clock.set_protection(family, state)
