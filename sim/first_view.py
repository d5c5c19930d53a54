"""Decisions that stick: a duty worker's first impression, and whose word counts.

A duty worker reads a referral, forms a first impression, and then the checks come back
(the database, the paper file, the agencies, what colleagues remember). With anchoring
on, the checks change the worker's reading only when they raise it by more than a bar,
and the bar is higher when the first impression was clear-cut (the worker was sure) and
when the worker is under pressure (a full caseload, a team behind): the report's failure
to re-assess a family taken at face value (4.3, 4.5). Separately, what a parent or a
relative says is weighed below what a professional says unless the scenario hears
parents equally (report 4.4: requests for help ignored until another agency pushes).

Both bend the worker's reading, never the truth. Each is named as a condition on the
screening record only where it changed the level the policy's thresholds give.
"""

from __future__ import annotations

from collections.abc import Collection
from typing import NamedTuple

from sim.config import Thresholds
from sim.config_front import Decisions
from sim.context import clip01
from sim.deciders import screening_level_for
from sim.entities import Case, Worker
from sim.judgement import Judgement
from sim.workload import Workload

# Distance of a first reading from the nearest screening threshold at which the worker
# is as sure as can be (judgement: a quarter of the scale).
SURE_AT = 0.25


class ScreeningReading(NamedTuple):
    """A duty worker's reading of a referral, with what bent it."""

    risk: float  # believed, as the decision is taken
    need: float
    clean_risk: float  # without the worker's misreading or anchoring: what was found
    clean_need: float
    conditions: list[str]  # conditions that changed the level, for the barrier record


class FirstView:
    """Reads a referral at the duty desk with anchoring and the weight given to parents."""

    def __init__(
        self,
        *,
        decisions: Decisions,
        thresholds: Thresholds,
        judgement: Judgement,
        workload: Workload,
    ) -> None:
        self._spec = decisions
        self._thresholds = thresholds
        self._judgement = judgement
        self._workload = workload

    def parent_weight(self, case: Case) -> float:
        spec = self._spec
        if case.source != "family" or spec.parents_heard_equally:
            return 1.0
        return spec.parent_request_weight

    def revision_bar(self, first: float, worker: Worker) -> float:
        """How far the checks must raise the reading before the worker revises it."""
        spec = self._spec
        t = self._thresholds
        distance = min(abs(first - t.screen_in_risk), abs(first - t.child_protection_risk))
        sure = min(1.0, distance / SURE_AT)
        if self._workload.behind(worker.team):
            pressure = 1.0
        else:
            pressure = clip01((worker.load - 0.8) / 0.2)
        return (
            spec.revise_base
            + spec.revise_confidence_gain * sure
            + spec.revise_workload_gain * pressure
        )

    def read(self, case: Case, worker: Worker, first_keys: Collection[str]) -> ScreeningReading:
        """The screening reading: the same two draws as `Judgement.read`, so switching
        anchoring or the parents' weight changes no other draw."""
        rng = case.family.judgement_rng
        z_risk, z_need = rng.normal(), rng.normal()
        sd = self._judgement.worker_error_sd(worker)
        weight = self.parent_weight(case)
        evidence = case.evidence
        raw = max(evidence.values()) if evidence else 0.0
        weighed = [weight * v if k == "referral" else v for k, v in evidence.items()]
        clean_risk = max(weighed) if weighed else 0.0
        clean_need = weight * case.need_signal
        risk = clip01(clean_risk + sd * z_risk)
        need = clip01(clean_need + sd * z_need)
        conditions: list[str] = []
        level = screening_level_for(risk, need, self._thresholds)
        if weight < 1.0:
            heard = screening_level_for(
                clip01(raw + sd * z_risk), clip01(case.need_signal + sd * z_need), self._thresholds
            )
            if heard != level:
                conditions.append("parents_not_heard")
        if self._spec.anchoring:
            known = [weighed[i] for i, k in enumerate(evidence) if k in first_keys]
            first = clip01((max(known) if known else 0.0) + sd * z_risk)
            if risk - first < self.revision_bar(first, worker):
                if screening_level_for(first, need, self._thresholds) != level:
                    conditions.append("first_impression_anchoring")
                risk = first
        return ScreeningReading(risk, need, clean_risk, clean_need, conditions)
