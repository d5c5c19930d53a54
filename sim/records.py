"""One record type per kind of event, with named, typed and documented fields.

Every record is a named tuple (cheap: a year writes over a hundred thousand) that begins
with the common header: `time` (simulated days), `seq` (running number), `kind`, `case`
and `family` (NO_ID when the record concerns none). The fields after the header are the
kind's own; each is annotated with its type and a plain-words meaning, from which
`frontdoor schema --events` and docs/event-log.md are made (sim/log_schema.py).

Each record's `kind` is typed as its own literal, so `if r.kind is EventKind.X:` narrows a
`LogRecord` to that kind's type for the type checker (a tagged union).

A field with a default is one that applies only to some records of its kind (a barrier
test at a handover names who it went `to`; others do not); it is None where it does not
apply. `record_fields` gives a record's fields as the model wrote them, leaving out those.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated, Any, Literal, NamedTuple


class EventKind(StrEnum):
    RUN_STARTED = "run_started"  # the scenario, seed and team of the run
    FAMILY_CREATED = "family_created"  # the hidden truth of a family (for analysis only)
    REFERRAL_ARRIVED = "referral_arrived"
    OUT_OF_HOURS_TRIAGED = "out_of_hours_triaged"  # the EDT's reading of a night referral
    SCREENED = "screened"
    QUEUED = "queued"  # waiting for allocation, with its priority
    ALLOCATED = "allocated"
    ASSESSMENT_STAGE_ENDED = "assessment_stage_ended"
    CONCLUDED = "concluded"  # outcome of assessment
    PLAN_STARTED = "plan_started"
    SUPPORT_QUEUED = "support_queued"  # a child in need waiting for a family support place
    PLAN_ENDED = "plan_ended"
    CLOSED = "closed"
    INFORMATION_REQUESTED = "information_requested"
    INFORMATION_RETURNED = "information_returned"
    BARRIER_TESTED = "barrier_tested"
    HARM_OCCURRED = "harm_occurred"
    HANDED_OVER = "handed_over"
    INCIDENT_GRADED = "incident_graded"
    INCIDENT_REPORTED = "incident_reported"
    LEARNING_REVIEW = "learning_review"  # a review of reported incidents and what it found
    CONDITION_REPAIRED = "condition_repaired"  # a review's finding put right
    ERROR_CENSORED = "error_censored"  # open at the end or when the family left: never graded
    FAMILY_LEFT = "family_left"  # out of the team's population for good
    TRUTH_CHANGED = "truth_changed"
    WORKER_CHANGED = "worker_changed"
    RUN_ENDED = "run_ended"


NO_ID = -1  # case or family field of a record that concerns neither

HEADER = ("time", "seq", "kind", "case", "family")
HEADER_DOCS = {
    "time": "simulated time of the change, in days from the start of the run",
    "seq": "running number of the record in its run's log, from 0",
    "kind": "the kind of change (the table the record is in)",
    "case": "the case the change concerns, or -1 for none",
    "family": "the family the change concerns, or -1 for none",
}

Workers = list[list[Any]]
Level = Annotated[str, "a level of response (see docs/model.md)"]


class RunStarted(NamedTuple):
    """The run began: its scenario, seed and team."""

    time: float
    seq: int
    kind: Literal[EventKind.RUN_STARTED]
    case: int
    family: int
    scenario: Annotated[str, "name of the scenario"]
    seed: Annotated[int, "seed of the run"]
    replication: Annotated[int, "replication number, from 0"]
    policy: Annotated[str, "name of the decision policy that made the team's choices"]
    measured_from: Annotated[float, "end of the warm-up, in days; KPIs count from here"]
    ends_at: Annotated[float, "the day the run ends"]
    workers: Annotated[
        Workers, "the team at the start: [id, role, caseload_cap, duty, team] per worker"
    ]
    design: Annotated[str, "staffing design (e.g. central or patch)"]
    patches: Annotated[int, "number of patches the referrals are split between"]
    reporting: Annotated[dict[str, Any], "incident reporting set-up: {culture, reporting_system}"]


class FamilyCreated(NamedTuple):
    """A family came into being, with its hidden truth (for analysis and grading only)."""

    time: float
    seq: int
    kind: Literal[EventKind.FAMILY_CREATED]
    case: int
    family: int
    harm_type: Annotated[str, "the kind of harm the family's child is at risk of"]
    risk: Annotated[float, "true base risk, 0 to 1"]
    need: Annotated[float, "true level of need, 0 to 1"]
    trend: Annotated[float, "yearly log-growth of risk"]
    known_before_run: Annotated[bool, "the family was known to the service before the run"]
    truth_level: Annotated[str, "the level of response the truth calls for"]
    surname: Annotated[str, "the family's surname"]
    name_origin: Annotated[str, "origin of the surname (used for spelling variants)"]
    recorded_surname: Annotated[str | None, "the surname as held on old records, if any"]
    file_location: Annotated[str, "where the family's old paper file is (none if no file)"]
    agencies_knowing: Annotated[list[str], "agencies that hold information on the family"]
    patch: Annotated[int, "the patch the family lives in"]


class ReferralArrived(NamedTuple):
    """A referral about a child reached the front door."""

    time: float
    seq: int
    kind: Literal[EventKind.REFERRAL_ARRIVED]
    case: int
    family: int
    source: Annotated[str, "who referred (police, school, health, ...)"]
    concern: Annotated[
        str, "the concern the referral names (the presenting problem, not the hidden harm)"
    ]
    out_of_hours: Annotated[bool, "arrived when the office was closed"]
    re_referral: Annotated[bool, "the family was referred before in this run"]
    known_family: Annotated[bool, "the family was known before, in or before this run"]
    days_since_last_referral: Annotated[
        float | None, "days since the family's last referral in this run, if any"
    ]
    signal: Annotated[float, "how clearly the referral shows the risk, 0 to 1"]
    need_signal: Annotated[float, "how clearly the referral shows the need, 0 to 1"]
    spelling: Annotated[str, "the surname as the referrer spelled it"]
    scripted: Annotated[str | None, "reference of a scripted referral of an exercise, if any"]


class OutOfHoursTriaged(NamedTuple):
    """The emergency duty team read a night referral."""

    time: float
    seq: int
    kind: Literal[EventKind.OUT_OF_HOURS_TRIAGED]
    case: int
    family: int
    urgent: Annotated[bool, "judged urgent (acted on at night)"]
    believed_risk: Annotated[float, "the risk as the duty team believed it, 0 to 1"]


class Screened(NamedTuple):
    """A referral was screened and given a level of response."""

    time: float
    seq: int
    kind: Literal[EventKind.SCREENED]
    case: int
    family: int
    level: Level
    believed_risk: Annotated[float, "the risk as the screener believed it, 0 to 1"]
    believed_need: Annotated[float, "the need as the screener believed it, 0 to 1"]
    worker: Annotated[int, "id of the worker who screened"]
    role: Annotated[str, "that worker's role"]
    within_timescale: Annotated[bool, "screened within the screening timescale"]
    evidence: Annotated[list[str], "the pieces of evidence held when screening"]


class Queued(NamedTuple):
    """A case joined the queue for allocation, with its priority."""

    time: float
    seq: int
    kind: Literal[EventKind.QUEUED]
    case: int
    family: int
    priority: Annotated[float, "its priority key (lower is taken first)"]
    level: Annotated[str | None, "its screening level, if screened"]
    waiting: Annotated[int, "cases waiting for allocation, this one included"]


class Allocated(NamedTuple):
    """A case was allocated to a worker for assessment."""

    time: float
    seq: int
    kind: Literal[EventKind.ALLOCATED]
    case: int
    family: int
    worker: Annotated[int, "id of the worker"]
    role: Annotated[str, "that worker's role"]
    wait_days: Annotated[float, "days waited for allocation"]
    wait_working_days: Annotated[float, "working days waited for allocation"]
    concern: Annotated[str, "the referral's concern"]
    caseload: Annotated[int, "the worker's caseload with this case"]


class AssessmentStageEnded(NamedTuple):
    """A stage of an assessment ended with a provisional level."""

    time: float
    seq: int
    kind: Literal[EventKind.ASSESSMENT_STAGE_ENDED]
    case: int
    family: int
    stage: Annotated[str, "the stage that ended (initial)"]
    level: Level


class Concluded(NamedTuple):
    """An assessment concluded with an outcome."""

    time: float
    seq: int
    kind: Literal[EventKind.CONCLUDED]
    case: int
    family: int
    outcome: Level
    stage: Annotated[str, "the stage it concluded at"]
    believed_risk: Annotated[float, "the risk as the assessor believed it, 0 to 1"]
    believed_need: Annotated[float, "the need as the assessor believed it, 0 to 1"]
    length_days: Annotated[float, "days from allocation to conclusion"]
    length_working_days: Annotated[float, "working days from allocation to conclusion"]
    within_timescale: Annotated[bool, "concluded within the assessment timescale"]
    worker: Annotated[int, "id of the assessing worker"]


class PlanStarted(NamedTuple):
    """A family went onto a plan."""

    time: float
    seq: int
    kind: Literal[EventKind.PLAN_STARTED]
    case: int
    family: int
    plan: Annotated[str, "the plan (e.g. child_in_need, child_protection)"]
    days: Annotated[float, "how long the plan is set to last, in days"]
    waited_days: Annotated[
        float | None,
        "days the child in need waited for the family support team to start, when its starts "
        "are rationed",
    ] = None


class SupportQueued(NamedTuple):
    """A child in need joined the family support team's waiting list (rationed starts)."""

    time: float
    seq: int
    kind: Literal[EventKind.SUPPORT_QUEUED]
    case: int
    family: int
    priority: Annotated[float, "its priority key on the waiting list (lower is taken first)"]
    waiting: Annotated[int, "children waiting for the team to start, this one included"]


class PlanEnded(NamedTuple):
    """A family's plan ended."""

    time: float
    seq: int
    kind: Literal[EventKind.PLAN_ENDED]
    case: int
    family: int
    plan: Annotated[str, "the plan that ended"]


class Closed(NamedTuple):
    """A case was closed."""

    time: float
    seq: int
    kind: Literal[EventKind.CLOSED]
    case: int
    family: int
    reason: Annotated[str, "why it closed"]
    days_open: Annotated[float, "days from arrival to closure"]


class InformationRequested(NamedTuple):
    """A worker asked for information about a family."""

    time: float
    seq: int
    kind: Literal[EventKind.INFORMATION_REQUESTED]
    case: int
    family: int
    what: Annotated[str, "what was asked: database, addendum, file, agency, visit, team_leader"]
    spelling: Annotated[str | None, "the surname searched for (database searches only)"] = None
    agency: Annotated[str | None, "the agency asked (agency requests only)"] = None


class InformationReturned(NamedTuple):
    """An answer to a request for information came back (or harm surfaced elsewhere).

    Which fields apply depends on `what` (see INFORMATION_RETURNED_FIELDS).
    """

    time: float
    seq: int
    kind: Literal[EventKind.INFORMATION_RETURNED]
    case: int
    family: int
    what: Annotated[
        str, "what answered: database, addendum, file, agency, visit, team_leader, harm_seen"
    ]
    outcome: Annotated[
        str | None, "the answer (found, not_found, arrived, missing, refused, ...)"
    ] = None
    evidence_key: Annotated[
        str | None, "the evidence it added to the case (database, visit, team leader)"
    ] = None
    location: Annotated[str | None, "where the file was (file answers only)"] = None
    agency: Annotated[str | None, "the agency that answered (agency answers only)"] = None
    answered_by: Annotated[
        int | None, "id of the worker the agency answered (agency answers only)"
    ] = None
    source: Annotated[str | None, "the agency that saw harm (harm_seen only)"] = None


INFORMATION_RETURNED_FIELDS: dict[str, tuple[str, ...]] = {
    "file": ("what", "outcome", "location"),
    "agency": ("what", "agency", "outcome", "answered_by"),
    "harm_seen": ("what", "source"),
}
"""The fields of an information answer, by `what`; any other answer has these:"""
INFORMATION_RETURNED_OTHER = ("what", "outcome", "evidence_key")


class BarrierTested(NamedTuple):
    """A barrier (a check that can stop a wrong decision) was tested on a case."""

    time: float
    seq: int
    kind: Literal[EventKind.BARRIER_TESTED]
    case: int
    family: int
    barrier: Annotated[str, "the barrier's name (screening, database_check, ...)"]
    held: Annotated[bool, "the barrier held (no hole)"]
    conditions: Annotated[list[str], "latent conditions that opened its hole, if it did not"]
    active_failure: Annotated[bool, "the hole came from a person's decision, not a condition"]
    worker: Annotated[int | None, "id of the worker at the barrier, if one"]
    role: Annotated[str | None, "role of whoever was at the barrier, if anyone"]
    decided: Annotated[str | None, "the level decided (judgement barriers only)"] = None
    truth: Annotated[str | None, "the level the truth called for (judgements only)"] = None
    agency: Annotated[
        str | None, "the agency checked (agency_check) or deciding (an agency's own decision)"
    ] = None
    to: Annotated[str | None, "who the case was handed to (handovers only)"] = None
    at: Annotated[str | None, "where the child was seen (seeing_child only)"] = None
    case_age_days: Annotated[
        float | None, "days the case had been open (long_term_review only)"
    ] = None


class HarmOccurred(NamedTuple):
    """Harm came to a child (read from the hidden truth)."""

    time: float
    seq: int
    kind: Literal[EventKind.HARM_OCCURRED]
    case: int
    family: int
    harm_type: Annotated[str, "the kind of harm"]
    severity: Annotated[str, "how severe it was"]
    protection: Annotated[str, "the protection the family had at the time"]
    team_level: Annotated[str, "the level of response the team had the family at"]
    truth_level: Annotated[str, "the level the truth called for"]
    seen_by_outside_agency: Annotated[bool, "an outside agency saw the harm"]


class HandedOver(NamedTuple):
    """A case's facts were passed on to another team; some may have been lost."""

    time: float
    seq: int
    kind: Literal[EventKind.HANDED_OVER]
    case: int
    family: int
    to: Annotated[str, "who the case was handed to"]
    facts: Annotated[list[str], "the facts held before the handover"]
    lost: Annotated[list[str], "the facts lost in the handover"]


class IncidentGraded(NamedTuple):
    """An incident (harm, near miss or wrong intervention) was graded."""

    time: float
    seq: int
    kind: Literal[EventKind.INCIDENT_GRADED]
    case: int
    family: int
    incident: Annotated[str, "kind of incident"]
    grade: Annotated[str, "its grade (no_harm, harm, life_threatening_or_death)"]
    scale: Annotated[str, "its scale on the harm scale"]
    direction: Annotated[str, "under- or over-response"]
    harm_type: Annotated[str, "the kind of harm"]
    failed_barrier: Annotated[str | None, "the first barrier with a hole in its story"]
    caught_by: Annotated[str | None, "the barrier that caught it, if any"]
    noticed_by: Annotated[str | None, "who noticed it, if anyone"]
    conditions: Annotated[list[str], "latent conditions in its story"]
    active_failure: Annotated[bool, "a person's decision opened a hole in its story"]
    started_at: Annotated[float, "the day its story began"]
    origin_case: Annotated[int, "the case its story began on"]
    worst_harm: Annotated[str | None, "the worst harm in its story, if any"]
    censored: Annotated[bool, "the run ended before it could be graded in full"]
    holed_barriers: Annotated[list[str], "every barrier with a hole in its story"]
    surfaced: Annotated[bool, "it came to light"]
    ordeal: Annotated[str | None, "what a family wrongly suspected went through (over only)"]


class IncidentReported(NamedTuple):
    """An incident was reported (or came to the managers' notice)."""

    time: float
    seq: int
    kind: Literal[EventKind.INCIDENT_REPORTED]
    case: int
    family: int
    incident_seq: Annotated[int, "seq of the incident_graded record it reports"]
    incident: Annotated[str, "kind of incident"]
    reported_by: Annotated[str, "who reported it"]
    channel: Annotated[str, "how (reporting_system, line_manager, outside_agency)"]
    seen_by_senior_managers: Annotated[bool, "it reached senior managers"]


class LearningReview(NamedTuple):
    """A review of reported incidents was held: what it looked at, found and cost."""

    time: float
    seq: int
    kind: Literal[EventKind.LEARNING_REVIEW]
    case: int
    family: int
    review: Annotated[str, "team_session, system_analysis or board_review"]
    reports: Annotated[int, "reported incidents it looked at"]
    finding: Annotated[
        str, "latent_condition, individual_blamed, or no_pattern (nothing to repair)"
    ]
    condition: Annotated[str | None, "the latent condition it found, if any"]
    named_by: Annotated[int, "reports that named that condition (0 when none was found)"]
    staff_hours: Annotated[float, "working hours of staff it took"]
    case_places_held: Annotated[int, "case places it held meanwhile"]
    until: Annotated[float, "the day it gives those places back"]


class ConditionRepaired(NamedTuple):
    """A latent condition found by a review was repaired: from now on it opens fewer holes."""

    time: float
    seq: int
    kind: Literal[EventKind.CONDITION_REPAIRED]
    case: int
    family: int
    condition: Annotated[str, "the latent condition repaired"]
    repair: Annotated[str, "what was done, in plain words"]
    review: Annotated[str, "the kind of review that found it"]
    review_seq: Annotated[int, "seq of the learning_review record that found it"]


class ErrorCensored(NamedTuple):
    """An open error ended without an outcome (the run ended or the family left): never
    graded, so never a near miss or harm."""

    time: float
    seq: int
    kind: Literal[EventKind.ERROR_CENSORED]
    case: int
    family: int
    reason: Annotated[str, "why it was censored (run_ended, family_left)"]
    direction: Annotated[str, "under- or over-response"]
    harm_type: Annotated[str, "the kind of harm"]
    failed_barrier: Annotated[str | None, "the first barrier with a hole in its story"]
    conditions: Annotated[list[str], "latent conditions in its story"]
    active_failure: Annotated[bool, "a person's decision opened a hole in its story"]
    started_at: Annotated[float, "the day its story began"]
    origin_case: Annotated[int, "the case its story began on"]
    worst_harm: Annotated[str | None, "the worst harm in its story so far, if any"]
    holed_barriers: Annotated[list[str], "every barrier with a hole in its story"]


class FamilyLeft(NamedTuple):
    """A family left the team's population for good (children grew up, the family moved)."""

    time: float
    seq: int
    kind: Literal[EventKind.FAMILY_LEFT]
    case: int
    family: int


class TruthChanged(NamedTuple):
    """A family's hidden risk or need changed."""

    time: float
    seq: int
    kind: Literal[EventKind.TRUTH_CHANGED]
    case: int
    family: int
    risk_before: Annotated[float, "true risk before"]
    risk_after: Annotated[float, "true risk after"]
    need_before: Annotated[float, "true need before"]
    need_after: Annotated[float, "true need after"]
    truth_level: Annotated[str, "the level the truth now calls for"]


class WorkerChanged(NamedTuple):
    """A member of the team changed (left and was replaced)."""

    time: float
    seq: int
    kind: Literal[EventKind.WORKER_CHANGED]
    case: int
    family: int
    worker: Annotated[int, "id of the worker"]
    role: Annotated[str, "that worker's role"]
    change: Annotated[str, "what changed (replaced)"]


class RunEnded(NamedTuple):
    """The run ended: what was still open."""

    time: float
    seq: int
    kind: Literal[EventKind.RUN_ENDED]
    case: int
    family: int
    open_cases: Annotated[int, "cases still open"]
    waiting_for_allocation: Annotated[int, "cases waiting for allocation"]
    waiting_for_screening: Annotated[int, "referrals waiting for screening"]
    measured_from: Annotated[float, "end of the warm-up, in days"]
    assessments_open_past_timescale: Annotated[
        int | None, "assessments still open and already past their timescale (late)"
    ] = None


LogRecord = (
    RunStarted
    | FamilyCreated
    | ReferralArrived
    | OutOfHoursTriaged
    | Screened
    | Queued
    | Allocated
    | AssessmentStageEnded
    | Concluded
    | PlanStarted
    | SupportQueued
    | PlanEnded
    | Closed
    | InformationRequested
    | InformationReturned
    | BarrierTested
    | HarmOccurred
    | HandedOver
    | IncidentGraded
    | IncidentReported
    | LearningReview
    | ConditionRepaired
    | ErrorCensored
    | FamilyLeft
    | TruthChanged
    | WorkerChanged
    | RunEnded
)

RECORD_TYPES: dict[EventKind, Any] = {
    EventKind.RUN_STARTED: RunStarted,
    EventKind.FAMILY_CREATED: FamilyCreated,
    EventKind.REFERRAL_ARRIVED: ReferralArrived,
    EventKind.OUT_OF_HOURS_TRIAGED: OutOfHoursTriaged,
    EventKind.SCREENED: Screened,
    EventKind.QUEUED: Queued,
    EventKind.ALLOCATED: Allocated,
    EventKind.ASSESSMENT_STAGE_ENDED: AssessmentStageEnded,
    EventKind.CONCLUDED: Concluded,
    EventKind.PLAN_STARTED: PlanStarted,
    EventKind.SUPPORT_QUEUED: SupportQueued,
    EventKind.PLAN_ENDED: PlanEnded,
    EventKind.CLOSED: Closed,
    EventKind.INFORMATION_REQUESTED: InformationRequested,
    EventKind.INFORMATION_RETURNED: InformationReturned,
    EventKind.BARRIER_TESTED: BarrierTested,
    EventKind.HARM_OCCURRED: HarmOccurred,
    EventKind.HANDED_OVER: HandedOver,
    EventKind.INCIDENT_GRADED: IncidentGraded,
    EventKind.INCIDENT_REPORTED: IncidentReported,
    EventKind.LEARNING_REVIEW: LearningReview,
    EventKind.CONDITION_REPAIRED: ConditionRepaired,
    EventKind.ERROR_CENSORED: ErrorCensored,
    EventKind.FAMILY_LEFT: FamilyLeft,
    EventKind.TRUTH_CHANGED: TruthChanged,
    EventKind.WORKER_CHANGED: WorkerChanged,
    EventKind.RUN_ENDED: RunEnded,
}
"""The record type of every kind: `RECORD_TYPES[kind](time, seq, kind, case, family, ...)`."""


def _optional(record_type: Any) -> frozenset[str]:
    return frozenset(record_type._field_defaults)


_OPTIONAL = {kind: _optional(t) for kind, t in RECORD_TYPES.items()}


def record_fields(record: Any) -> dict[str, Any]:
    """A record's own fields (after the header) that apply to it, by name.

    These are exactly the fields the model wrote: a field with a default counts only when
    it is not None (INFORMATION_RETURNED: the fields of its `what`).
    """
    names = record._fields[5:]
    if record.kind is EventKind.INFORMATION_RETURNED:
        wanted = INFORMATION_RETURNED_FIELDS.get(record.what, INFORMATION_RETURNED_OTHER)
        return {n: getattr(record, n) for n in names if n in wanted}
    optional = _OPTIONAL[record.kind]
    return {
        n: v for n, v in zip(names, record[5:], strict=True) if v is not None or n not in optional
    }
