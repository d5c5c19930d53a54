"""Scoring at the duty desk: signal detection, triage, and near misses from the mechanism.

A shift is played here by calling the desk directly (the interface tests drive it by
events); what counts as a near miss, a catch or a false alarm comes from the event log.
"""

from __future__ import annotations

import math

import pytest
from trainer_support import EXERCISES, arrived, case_of, plan, run_until

from sim.entities import Level
from sim.events import EventKind
from trainer.debrief import build_debrief
from trainer.desk import DeskRefusal, DutyDesk
from trainer.scoring import Detection, score_shift, true_priority


def finish(desk: DutyDesk):
    records = desk.follow_up()
    return build_debrief(records, desk.plan, desk.actions, desk.findings)


def by_ref(debrief, ref):
    return next(c for c in debrief.cases if c.score.ref == ref)


# -- functional ---------------------------------------------------------------------------


class TestDetection:
    def test_log_linear_values(self) -> None:
        d = Detection(hits=2, misses=0, false_alarms=0, correct_rejections=3)
        assert d.hit_rate == pytest.approx(2.5 / 3)
        assert d.false_alarm_rate == pytest.approx(0.5 / 4)
        assert d.d_prime == pytest.approx(0.967422 + 1.150349, abs=1e-5)
        assert d.criterion == pytest.approx(-(0.967422 - 1.150349) / 2, abs=1e-5)

    def test_more_hits_more_sensitivity_and_false_alarms_lower_criterion(self) -> None:
        base = Detection(1, 1, 1, 3)
        assert Detection(2, 0, 1, 3).d_prime > base.d_prime
        assert Detection(1, 1, 3, 1).criterion < base.criterion

    def test_priority_the_truth_warrants(self) -> None:
        assert true_priority(Level.CHILD_PROTECTION, "physical") == "immediate"
        assert true_priority(Level.CHILD_PROTECTION, "neglect") == "within_24_hours"
        assert true_priority(Level.CHILD_IN_NEED, "none") == "within_7_days"
        assert true_priority(Level.NO_FURTHER_ACTION, "none") == "no_further_action"


class TestNearMissesFromTheMechanism:
    @pytest.mark.parametrize("name", sorted(EXERCISES))
    def test_exercise_flags_agree_with_truth_against_referral(self, name: str) -> None:
        # Nobody acts: every case goes to the night team. Which cases hide a risk is
        # read from the log (truth above what the referral showed), and must match the
        # exercise's teaching text.
        p = plan(name)
        desk = DutyDesk(p, seed=3)
        debrief = finish(desk)
        assert len(debrief.cases) == len(p.referrals)
        for c in debrief.cases:
            near_miss = p.referrals[c.score.ref].near_miss
            # A false-positive exercise names the safe family it tempts you to escalate.
            hides = near_miss is not None and near_miss.pattern != "false_positive"
            assert c.score.hidden_risk == hides, c.title
            if c.score.hidden_risk:
                assert c.score.outcome == "miss"

    def test_other_spelling_caught_only_under_the_recorded_spelling(self) -> None:
        p = plan("01_name_on_the_record")
        careless, careful = DutyDesk(p, seed=5), DutyDesk(p, seed=5)
        for desk, spellings in ((careless, ["Kowalchyk"]), (careful, ["Kowalchyk", "Kowalczyk"])):
            run_until(desk, lambda d=desk: arrived(d, "kowalczyk"))
            cid = case_of(desk, "kowalczyk")
            for spelling in spellings:
                run_until(desk, lambda d=desk: not d.busy())
                desk.search_database(cid, spelling)
            run_until(desk, lambda d=desk: not d.busy())
            found = [f for f in desk.findings_for(cid) if f.outcome == "found"]
            level = Level.CHILD_PROTECTION if found else Level.CHILD_IN_NEED
            desk.decide(cid, level, "within_24_hours")
        missed = by_ref(finish(careless), "kowalczyk").score
        caught = by_ref(finish(careful), "kowalczyk").score
        assert (missed.outcome, missed.uncovered) == ("miss", False)
        assert (caught.outcome, caught.revealing) == ("hit", ("database",))

    def test_escalating_without_uncovering_is_not_a_catch(self) -> None:
        desk = DutyDesk(plan("01_name_on_the_record"), seed=5)
        run_until(desk, lambda: arrived(desk, "kowalczyk"))
        desk.decide(case_of(desk, "kowalczyk"), Level.CHILD_PROTECTION, "immediate")
        assert by_ref(finish(desk), "kowalczyk").score.outcome == "miss"

    def test_child_protection_for_a_safe_family_is_a_false_alarm(self) -> None:
        desk = DutyDesk(plan("02_the_missing_file"), seed=2)
        run_until(desk, lambda: arrived(desk, "nowicki"))
        desk.decide(case_of(desk, "nowicki"), Level.CHILD_PROTECTION, "immediate")
        debrief = finish(desk)
        score = by_ref(debrief, "nowicki").score
        assert score.outcome == "false_alarm"
        assert score.over_triage is True
        # The model grades it too: a family put on a plan it never needed is harmed.
        incidents = [i["incident"] for i in score.incidents]
        assert debrief.score.detection.false_alarms == 1
        assert not incidents or "harm_false_positive" in incidents or score.level == 2

    @pytest.mark.parametrize("keep", [[], ["database"]])
    def test_the_night_team_reads_only_the_handover(self, keep: list[str]) -> None:
        desk = DutyDesk(plan("03_last_hour_handover"), seed=4)
        run_until(desk, lambda: arrived(desk, "pickering"))
        cid = case_of(desk, "pickering")
        run_until(desk, lambda: not desk.busy())
        desk.search_database(cid, "Pickering")
        run_until(desk, lambda: desk.handover_open() and not desk.busy())
        desk.write_handover(cid, keep)
        desk.end_shift()
        debrief = finish(desk)
        score = by_ref(debrief, "pickering").score
        handed = [r for r in desk.log if r.kind == EventKind.HANDED_OVER and r.case == cid]
        assert handed[0].lost == ([] if keep else ["database"])
        assert score.decided_by == "night_team"
        assert score.outcome == ("hit" if keep else "miss")
        if not keep:
            slices = {s.barrier: s for s in by_ref(debrief, "pickering").slices}
            assert slices["Handover"].held is False

    def test_triage_against_the_true_priority(self) -> None:
        desk = DutyDesk(plan("01_name_on_the_record"), seed=1)
        run_until(desk, lambda: arrived(desk, "greaves"))
        desk.decide(case_of(desk, "greaves"), Level.CHILD_PROTECTION, "within_7_days")
        records = desk.follow_up()
        score = score_shift(
            records,
            scenario=desk.plan.scenario,
            starts_at=desk.shift.starts_at,
            ends_at=desk.shift.ends_at,
            actions=desk.actions,
            findings=desk.findings,
        )
        greaves = next(c for c in score.cases if c.ref == "greaves")
        assert greaves.truth_priority == "immediate"
        assert greaves.under_triage is True and greaves.over_triage is False
        assert score.under_triage == 1.0  # the only case triaged by the trainee
        assert score.weighted_triage_error == pytest.approx(2 / 3)


# -- extreme values ------------------------------------------------------------------------


class TestExtremes:
    @pytest.mark.parametrize("counts", [(0, 0, 0, 0), (5, 0, 0, 5), (0, 5, 5, 0), (0, 0, 9, 0)])
    def test_rates_stay_finite_with_the_correction(self, counts) -> None:
        d = Detection(*counts)
        assert 0 < d.hit_rate < 1 and 0 < d.false_alarm_rate < 1
        assert math.isfinite(d.d_prime) and math.isfinite(d.criterion)

    def test_an_empty_shift_scores_zero_everywhere(self) -> None:
        p = plan("01_name_on_the_record")
        desk = DutyDesk(p, seed=1)
        desk.end_shift()  # before any referral arrived
        debrief = finish(desk)
        assert debrief.cases == ()
        assert debrief.score.summary()["d_prime"] == 0.0

    def test_refusals_are_plain_words_and_change_nothing(self) -> None:
        desk = DutyDesk(plan("01_name_on_the_record"), seed=1)
        run_until(desk, lambda: arrived(desk, "kowalczyk"))
        cid = case_of(desk, "kowalczyk")
        before = len(desk.log)
        with pytest.raises(DeskRefusal, match="record first"):
            desk.request_file(cid)
        with pytest.raises(DeskRefusal, match="priority"):
            desk.decide(cid, Level.CHILD_IN_NEED, None)
        with pytest.raises(DeskRefusal, match="handover tray"):
            desk.write_handover(cid, [])
        assert desk.actions == [] and len(desk.log) == before


# -- deterministic -------------------------------------------------------------------------


class TestReplay:
    def test_replaying_the_actions_gives_the_same_log(self) -> None:
        p = plan("03_last_hour_handover")
        first = DutyDesk(p, seed=9)
        run_until(first, lambda: arrived(first, "caldwell"))
        cid = case_of(first, "caldwell")
        first.contact_agency(cid, "police")
        run_until(first, lambda: not first.busy())
        first.search_database(cid, "Caldwell")
        run_until(first, lambda: first.now > 0.6)
        first.decide(cid, Level.CHILD_PROTECTION, "immediate")
        run_until(first, lambda: first.awaiting_allocation() is not None and not first.busy())
        first.allocate(cid, first.awaiting_allocation().workers[0].worker_id)
        again = DutyDesk(p, seed=9)
        again.replay([(a.sim_time, a.kind, a.case_id, a.payload) for a in first.actions])
        assert again.log.to_csv_text() == first.log.to_csv_text()
        assert first.follow_up() == again.follow_up() or (
            first.log.to_csv_text() == again.log.to_csv_text()
        )
