"""Team-leader review: a second look at a share of screening decisions.

A team leader looks again at a share of the decisions below child protection, as long
as there is time left in the day for it (a leader reviews only so many a day). The
leader reads the same evidence with their own judgement and can only raise the level.
A review that cannot happen for want of time is a barrier with a hole in it.
"""

from __future__ import annotations

from sim.config import TeamLeaderReview, Thresholds
from sim.context import RunContext, clip01
from sim.deciders import screening_level_for
from sim.entities import Case, Level, Worker
from sim.judgement import Judgement


class LeaderReview:
    """Reviews by the team's leaders, within their daily capacity."""

    def __init__(
        self,
        ctx: RunContext,
        *,
        review: TeamLeaderReview,
        thresholds: Thresholds,
        judgement: Judgement,
    ) -> None:
        self._ctx = ctx
        self._review = review
        self._thresholds = thresholds
        self._judgement = judgement
        self.leaders = [w for w in ctx.workers if w.role == "team_leader"]
        self._rng = ctx.streams.stream("review")
        self._done: dict[int, int] = {}  # reviews per working day

    def review(self, case: Case, level: Level, clean_risk: float, clean_need: float) -> Level:
        """The level after a leader's review, if the case is picked and there is time."""
        review = self._review
        if not review.enabled or not self.leaders:
            return level
        if self._rng.random() >= review.share_reviewed:
            return level
        day = int(self._ctx.env.now)
        capacity = review.reviews_per_leader_per_day * len(self.leaders)
        if self._done.get(day, 0) >= capacity:
            self._judgement.barrier(
                case, "team_leader_review", False, ["supervision_capacity"], None
            )
            return level
        self._done[day] = self._done.get(day, 0) + 1
        leader = self.leaders[day % len(self.leaders)]
        return self._reading(case, leader, level, clean_risk, clean_need)

    def _reading(
        self, case: Case, leader: Worker, level: Level, clean_risk: float, clean_need: float
    ) -> Level:
        """The leader's own reading of the same evidence; it can only raise the level."""
        z = case.family.judgement_rng.normal()
        risk = clip01(clean_risk + leader.judgement_sd * z)
        theirs = screening_level_for(risk, clean_need, self._thresholds)
        final = max(level, theirs)
        self._judgement.judge(case, leader, "team_leader_review", final, clean_risk, clean_need)
        return final
