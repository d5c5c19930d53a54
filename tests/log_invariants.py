"""Checks that any event log of the front-door model must pass, whatever the scenario.

Shared by the conservation tests and the property tests. Each check reads only the
event log (the contract between sim/ and its readers) and raises AssertionError with
the offending record when an invariant breaks, so a failure names the case and time.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

from sim.config import Scenario
from sim.events import EventKind, EventLog, LogRecord
from sim.model import FrontDoorModel

# The grade and five-point-scale values each kind of incident may carry (see
# sim/incidents.py and report Table 5 / Appendix D Table 1).
ALLOWED_GRADING: dict[str, set[tuple[str, str]]] = {
    "near_miss_prevented": {("no_harm", "no_harm_prevented")},
    "near_miss_no_harm": {("no_harm", "no_harm_not_prevented"), ("no_harm", "low")},
    "harm_false_positive": {("harm", "moderate"), ("harm", "severe")},
    "harm_false_negative": {
        ("harm", "moderate"),
        ("life_threatening_or_death", "severe"),
        ("life_threatening_or_death", "death"),
    },
}


def check_ordering(records: Sequence[LogRecord]) -> None:
    """Times never go back, seq counts 0, 1, 2, ... and the run is framed."""
    assert records, "empty log"
    assert records[0].kind is EventKind.RUN_STARTED, records[0]
    assert records[-1].kind is EventKind.RUN_ENDED, records[-1]
    assert sum(1 for r in records if r.kind is EventKind.RUN_STARTED) == 1
    assert sum(1 for r in records if r.kind is EventKind.RUN_ENDED) == 1
    for i, (before, after) in enumerate(zip(records, records[1:], strict=False)):
        assert before.seq == i, before
        assert after.seq > before.seq, (before, after)
        assert after.time >= before.time, (before, after)
    assert records[-1].seq == len(records) - 1


def check_conservation(records: Sequence[LogRecord]) -> None:
    """Every referral closes exactly once or is still open at the end, and the
    end-of-run counts agree with what the log says happened."""
    arrived: dict[int, LogRecord] = {}
    closed: Counter[int] = Counter()
    screened = queued = allocated = 0
    for r in records:
        if r.kind is EventKind.REFERRAL_ARRIVED:
            assert r.case not in arrived, f"case {r.case} arrived twice"
            arrived[r.case] = r
        elif r.kind is EventKind.CLOSED:
            assert r.case in arrived, f"case {r.case} closed before it arrived: {r}"
            closed[r.case] += 1
        elif r.kind is EventKind.SCREENED:
            screened += 1
        elif r.kind is EventKind.QUEUED:
            queued += 1
        elif r.kind is EventKind.ALLOCATED:
            allocated += 1
    twice = {case: n for case, n in closed.items() if n > 1}
    assert not twice, f"cases closed more than once: {twice}"
    end = records[-1]
    assert end.kind is EventKind.RUN_ENDED
    still_open = len(arrived) - len(closed)
    assert still_open == end.open_cases, (still_open, end)
    assert queued - allocated == end.waiting_for_allocation, (queued, allocated, end)
    # Cases still in a duty worker's hands (awaiting checks) or with the emergency duty
    # team are neither screened nor queued for the desk; none can be missing from both.
    unscreened = len(arrived) - screened
    screening_off = screened == 0 and end.waiting_for_screening == 0
    if not screening_off:
        assert unscreened >= end.waiting_for_screening, (unscreened, end)
    assert screened <= len(arrived)


def check_case_lifecycles(records: Sequence[LogRecord]) -> None:
    """Each case moves forward through arrival, screening, queue, allocation,
    conclusion, the family support team's waiting list, plans and closure, never
    backward. Each step happens at most once, except that a plan may be renewed or
    stepped up (several starts and ends) before closure."""
    order = {
        EventKind.REFERRAL_ARRIVED: 0,
        EventKind.SCREENED: 1,
        EventKind.QUEUED: 2,
        EventKind.ALLOCATED: 3,
        EventKind.CONCLUDED: 4,
        EventKind.SUPPORT_QUEUED: 4.5,  # waiting for the family support team to start
        EventKind.PLAN_STARTED: 5,
        EventKind.PLAN_ENDED: 5,
        EventKind.CLOSED: 6,
    }
    repeatable = {5}
    last_step: dict[int, float] = {}
    for r in records:
        step = order.get(r.kind)
        if step is None:
            continue
        previous = last_step.get(r.case, -1)
        moved_on = step > previous or (step == previous and step in repeatable)
        assert moved_on, f"case {r.case}: {r.kind} after step {previous}: {r}"
        if step == 0:
            assert previous == -1
        else:
            assert previous >= 0, f"case {r.case} has {r.kind} before arriving"
        last_step[r.case] = step


def check_durations(records: Sequence[LogRecord]) -> None:
    """No negative waits, lengths or times open; working days never exceed days."""
    for r in records:
        if r.kind is EventKind.ALLOCATED:
            assert r.wait_days >= 0, r
            assert r.wait_working_days >= 0, r
        elif r.kind is EventKind.CONCLUDED:
            assert r.length_days >= 0, r
            assert r.length_working_days >= 0, r
        elif r.kind is EventKind.CLOSED:
            assert r.days_open >= 0, r
        elif r.kind is EventKind.REFERRAL_ARRIVED:
            since = r.days_since_last_referral
            assert since is None or since >= 0, r


def check_caseloads(records: Sequence[LogRecord]) -> None:
    """Replaying allocations and conclusions, no worker ever holds more than the cap
    or fewer than none, and each allocation record gives the replayed caseload."""
    caps = {w[0]: w[2] for w in records[0].workers}
    held: Counter[int] = Counter()
    for r in records:
        if r.kind is EventKind.ALLOCATED:
            worker = r.worker
            held[worker] += 1
            assert held[worker] <= caps[worker], f"worker {worker} over cap {caps[worker]}: {r}"
            # The record says the caseload with this case, as the replay counts it.
            assert r.caseload == held[worker], (r, held[worker])
        elif r.kind is EventKind.CONCLUDED:
            worker = r.worker
            held[worker] -= 1
            assert held[worker] >= 0, r


def caseload_field_mismatches(records: Sequence[LogRecord]) -> list[tuple[LogRecord, int]]:
    """ALLOCATED records whose `caseload` field differs from the replayed caseload
    just after that allocation (what a reader of the log would take the field to mean)."""
    held: Counter[int] = Counter()
    wrong: list[tuple[LogRecord, int]] = []
    for r in records:
        if r.kind is EventKind.ALLOCATED:
            held[r.worker] += 1
            if r.caseload != held[r.worker]:
                wrong.append((r, held[r.worker]))
        elif r.kind is EventKind.CONCLUDED:
            held[r.worker] -= 1
    return wrong


def check_incidents(records: Sequence[LogRecord]) -> None:
    """Grades and scale values pair up as the report's tables say, and harm only
    happens to a child whose hidden truth holds a harm type (never after a death)."""
    harm_type: dict[int, str] = {}
    dead: set[int] = set()
    for r in records:
        if r.kind is EventKind.FAMILY_CREATED:
            harm_type[r.family] = r.harm_type
        elif r.kind is EventKind.HARM_OCCURRED:
            assert r.family not in dead, f"harm after death: {r}"
            assert harm_type[r.family] != "none", f"harm to a family with no harm type: {r}"
            assert r.harm_type == harm_type[r.family], r
            if r.severity == "death":
                dead.add(r.family)
        elif r.kind is EventKind.REFERRAL_ARRIVED:
            assert r.family not in dead, f"referral of a family after a death: {r}"
        elif r.kind is EventKind.INCIDENT_GRADED:
            pair = (r.grade, r.scale)
            assert pair in ALLOWED_GRADING[r.incident], f"grade/scale mismatch: {r}"
            assert r.harm_type == harm_type[r.family], r
            if r.incident == "harm_false_positive":
                assert r.direction == "over", r
            if r.incident == "harm_false_negative":
                assert r.direction == "under", r
                assert r.worst_harm in ("moderate", "severe", "death"), r
                # An under-protection incident with harm needs a real harm type.
                assert harm_type[r.family] != "none", r
            # An over-response is graded by what the family went through (its ordeal);
            # an under-response by the worst harm the child suffered.
            if r.direction == "over":
                assert r.worst_harm is None, r
                felt = r.ordeal != "strategy_discussion"
                # Prevented only if nobody came to the door and it was caught on the case
                # it began on; caught on a later case, an unfelt error was not prevented.
                if r.incident == "near_miss_prevented":
                    assert not felt and r.case == r.origin_case, r
                if r.incident == "near_miss_no_harm":
                    assert r.scale == ("low" if felt else "no_harm_not_prevented"), r
                if r.incident == "harm_false_positive":
                    assert r.ordeal in ("plan", "removal"), r
                    assert (r.scale == "severe") == (r.ordeal == "removal"), r
            else:
                assert r.ordeal is None, r
                if r.scale == "low":
                    assert r.worst_harm == "low", r
                if r.scale in ("severe", "death"):
                    assert r.worst_harm == r.scale, r
            if r.incident == "near_miss_prevented":
                assert r.worst_harm is None, r


def check_all(records: Sequence[LogRecord]) -> None:
    check_ordering(records)
    check_conservation(records)
    check_case_lifecycles(records)
    check_durations(records)
    check_caseloads(records)
    check_incidents(records)


def log_csv_text(scenario: Scenario, seed: int, replication: int = 0) -> str:
    """Run one replication and return its whole event log as CSV text.

    A module-level function so that a process pool can run it in another process.
    """
    return FrontDoorModel(scenario, seed=seed, replication=replication).run().to_csv_text()


def run_guarded(
    scenario: Scenario,
    seed: int,
    replication: int = 0,
    *,
    max_same_instant: int = 20_000,
    max_records: int = 2_000_000,
) -> EventLog:
    """Run one replication step by step, failing fast if the clock sticks or the log runs
    away, where `FrontDoorModel.run()` would hang or fill the memory. The log is the same
    as `run()` gives: the clock is then moved on to the end exactly as run() moves it."""
    model = FrontDoorModel(scenario, seed=seed, replication=replication)
    env = model.env
    same_instant, last = 0, -1.0
    while env.peek() < model.end_time:
        env.step()
        same_instant = same_instant + 1 if env.now == last else 0
        last = env.now
        assert same_instant < max_same_instant, f"time stuck at day {env.now!r}"
        assert len(model.log) < max_records, f"log ran away: {len(model.log)} records"
    env.run(until=model.end_time)
    model.finish()
    return model.log
