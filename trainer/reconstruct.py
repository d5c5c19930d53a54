"""A recorded session brought back from its seed and its action log.

The store keeps the seed, the plan's source and fingerprint, and every action with its
simulated time. Running a fresh desk on the same seed and applying the actions at their
times gives the same event log (the desk is deterministic), hence the same score: this
is how the cohort report reads each case's outcome and how replay shows the desk as it
was. A plan that has changed since the session was recorded is refused, not guessed at.
"""

from __future__ import annotations

from dataclasses import dataclass

from sim.loader import scenario_hash
from sim.yamlsafe import ScenarioError
from trainer.debrief import Debrief, build_debrief
from trainer.desk import DutyDesk
from trainer.desk_records import DeskAction
from trainer.exercise import ShiftPlan
from trainer.session import load_plan
from trainer.store import SessionRow, SessionStore, StoreError


@dataclass
class RecordedSession:
    row: SessionRow
    plan: ShiftPlan
    actions: list[DeskAction]

    def fresh_desk(self) -> DutyDesk:
        """The desk at the start of the shift, on the recorded seed, with no actions."""
        return DutyDesk(self.plan, seed=self.row.seed, wall_clock=lambda: 0.0)

    def replayed(self) -> tuple[DutyDesk, Debrief]:
        """The whole session re-run: the desk after the follow-up, and its debrief."""
        desk = self.fresh_desk()
        desk.replay([(a.sim_time, a.kind, a.case_id, a.payload) for a in self.actions])
        desk.actions = list(self.actions)
        records = desk.follow_up()
        return desk, build_debrief(records, self.plan, desk.actions, desk.findings)


def recorded_session(store: SessionStore, session_id: int) -> RecordedSession:
    """A session from the store with its plan, checked against the recorded fingerprint."""
    row = store.session(session_id)
    try:
        plan = load_plan(row.exercise_source)
    except (OSError, ValueError, ScenarioError) as exc:
        raise StoreError(f"session {session_id}: its exercise cannot be loaded ({exc})") from None
    if scenario_hash(plan.scenario) != row.scenario_hash:
        raise StoreError(
            f"session {session_id}: the exercise has changed since the session was recorded, "
            "so it cannot be re-run exactly"
        )
    return RecordedSession(row=row, plan=plan, actions=store.actions(session_id))


__all__ = ["RecordedSession", "recorded_session"]
