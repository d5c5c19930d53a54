"""The words the desk and the debrief use: labels, what checks say, and learning points.

What a worker reads is words, not numbers: a record "shows serious concern", a referral
"shows some concern". The bands follow the team's own thresholds, so a trainee who
reads carefully can apply them. Free-play referrals have no scripted narrative; their
"what was said" is put together here from the source, the concern and the wording's
strength. Learning points for holes in barriers are written in a learning-not-blame
voice: what in the system made the hole easy to fall into, and what would have caught it.
"""

from __future__ import annotations

from collections.abc import Sequence

from sim.config import Thresholds
from sim.names import plausible_spellings
from sim.vocabulary import AGENCY_BARRIERS, NOTICE_BARRIERS

SOURCE_LABELS = {
    "police": "Police",
    "school": "School",
    "health": "Health visitor or GP",
    "hospital": "Hospital",
    "family": "Family member",
    "public": "Member of the public",
    "housing": "Housing",
    "other": "Other agency",
}
CONCERN_LABELS = {
    "physical": "physical harm",
    "sexual": "sexual harm",
    "neglect": "neglect",
    "emotional": "emotional harm",
    "domestic_incident": "a domestic incident",
    "behaviour_at_school": "behaviour at school",
    "missed_appointment": "missed appointments",
    "housing": "the family's housing",
    "none": "no stated harm",
}
ROLE_LABELS = {
    "information_officer": "Information officer",
    "family_support_worker": "Family support worker",
    "student": "Student social worker",
    "newly_qualified": "Newly qualified worker",
    "experienced": "Social worker",
    "senior_practitioner": "Senior practitioner",
    "team_leader": "Team leader",
    "team_manager": "Team manager",
}
AGENCY_LABELS = {
    "police": "Police",
    "school": "School",
    "health": "Health",
    "housing": "Housing",
    "immigration": "Immigration",
    "probation": "Probation",
}
FILE_PLACES = {
    "on_site": "the basement",
    "other_building": "another building",
    "archive": "the archive",
    "missing": "nowhere: it is lost",
    "none": "no paper file",
}
BARRIER_LABELS = {
    "database_check": "Database search",
    "record_addendum": "Reading the whole record",
    "file_retrieval": "Paper file",
    "agency_check": "Agency check",
    "local_knowledge": "A colleague who knew the family",
    "seeing_child": "Seeing the child",
    "screening": "Screening decision",
    "team_leader_review": "Team leader review",
    "out_of_hours_handover": "Handover",
    "case_transfer": "Case transfer",
    "allocation": "Allocation in time",
    "assessment": "Assessment",
    "long_term_review": "Long-term review",
    "out_of_hours_triage": "Night team's triage",
    "bail_notification": "Police notice",
    "health_referral": "Health notice",
    "school_referral": "School notice",
    "housing_referral": "Housing notice",
    "police_protection": "Police protection",
    "hospital_discharge": "Hospital hold",
    "probation_action": "Probation acting",
    "mental_health_action": "Mental health acting",
}
CONDITION_LABELS = {
    "name_matching": "the database only matches the exact spelling",
    "data_entry_errors": "the record itself was keyed with a slip",
    "uncorrectable_records": "entries cannot be corrected; the addendum was easy to miss",
    "remote_file_storage": "the file is kept away from the office and takes time to come",
    "missing_files": "the file is lost",
    "poor_chronology": "the file has no usable chronology",
    "agency_refusal": "the agency would not share",
    "agency_delay": "the agency's answer came after the decision",
    "time_pressure": "the team was behind and rushing",
    "low_visibility_harm": "neglect and emotional harm show little in a referral",
    "inexperienced_staff": "an inexperienced worker decided alone",
    "high_caseload": "the worker was near their caseload limit",
    "handover_omission": "the handover left the fact out",
    "unstructured_handover": "the handover had no structure",
    "handover_slips": "a fact slipped at handover",
    "out_of_hours_cover": "the night team could not see the child",
    "no_access_to_child": "nobody answered the door",
    "understaffing": "no worker had room in time",
    "supervision_capacity": "the team leader had no time left that day",
    "single_point_of_entry": "a central team knows few families personally",
    "complacency": "a long-open case is seen through its first picture",
    "rule_of_optimism": "a familiar family is given the benefit of the doubt",
    "case_transfer": "facts were lost when the case changed hands",
    "agency_threshold_gap": "the agency judged by its own bar, higher than the team's",
    "no_notification_agreement": "no agreement told the agency to pass it on",
    "no_named_contact": "no named contact, so the message went astray",
}

# Learning points for a barrier that did not hold, by what opened the hole.
LEARNING_POINTS = {
    ("database_check", "not_searched"): (
        "The record was never searched. When the desk is busy a referral can look "
        "self-explanatory, and the first check is the one that gets skipped; it is also the "
        "cheapest check there is."
    ),
    ("database_check", "other_name"): (
        "An adult of the household was on record under his or her own name, not the "
        "family's. A search under the family's name cannot find what came into the family "
        "with a new adult; each adult the referral names is a name to search."
    ),
    ("database_check", "other_spelling"): (
        "The family was on record under another spelling. The database matches only what "
        "is typed, so a known family looked new; trying the likely variants of a name "
        "heard over the phone would have found it."
    ),
    ("record_addendum", "unread"): (
        "The record's addendum was not opened. A system that cannot correct an entry can "
        "only add to it, so what changes the picture, a later concern or a correction of a "
        "wrong entry, sits in an addendum that a summary does not show."
    ),
    ("file_retrieval", "not_requested"): (
        "The paper file was never asked for. The record is often a summary; the file holds "
        "the chronology that shows a pattern."
    ),
    ("file_retrieval", "late"): (
        "The file was on its way when the decision was made. Files kept away from the "
        "office arrive after the moment they are needed; a decision can wait for them, or "
        "be revisited when they come."
    ),
    ("file_retrieval", "missing"): (
        "The file could not be found. That is a gap in the system, not in the worker; "
        "other agencies may hold the same history, and asking them closes the gap."
    ),
    ("agency_check", "not_asked"): (
        "An agency that knew something was never asked. Each agency sees a different part "
        "of a family's life, and the part that matters is not always the obvious one."
    ),
    ("agency_check", "refused"): (
        "The agency would not share. A colleague with a better relationship, or the team "
        "leader, can often get the answer that a cold call does not."
    ),
    ("agency_check", "late"): (
        "The agency answered after the decision. A decision taken before the answers are in "
        "is a decision on part of the picture; say so on the record and revisit it."
    ),
    ("seeing_child", "not_visited"): (
        "Nobody saw the child. What a visit shows, and what a referral cannot, is the "
        "child's own state; for neglect and emotional harm it is often the only clear sign."
    ),
    ("seeing_child", "not_seen"): (
        "The visit did not see the child. A visit that does not see the child has not "
        "answered the question it was for."
    ),
    ("out_of_hours_handover", "dropped"): (
        "The key fact did not go with the case to the night team. Handovers at the end of a "
        "long day are where facts fall out; a written handover that names the risk keeps it."
    ),
    ("screening", "under"): (
        "The decision sat below what the family needed. The evidence in hand pointed lower "
        "than the truth, which is how near misses usually look from the inside."
    ),
    ("screening", "over"): (
        "The family was escalated to child protection without cause. A false positive is "
        "harm too: an investigation frightens a family and uses time another child needed."
    ),
}
# Another agency's own decision that left a hole (reason "declined"): a notice it did not
# send, or an action it would not take when asked.
AGENCY_TOLD_NOTHING = (
    "Another agency knew and did not tell the team: by a bar of its own, with no agreement "
    "to pass worries on, or with nobody named to pass them to. Asking that agency directly "
    "closes the gap for this child; an agreed protocol, shared thresholds and a named "
    "contact close it for the next."
)
AGENCY_WOULD_NOT_ACT = (
    "Another agency, asked to act, declined by its own judgement. A refusal does not end "
    "the team's part: record it, take it higher, and find a second way to keep the child "
    "safe."
)
LEARNING_POINTS.update(
    {
        (b, "declined"): (
            AGENCY_TOLD_NOTHING if b in NOTICE_BARRIERS.values() else AGENCY_WOULD_NOT_ACT
        )
        for b in AGENCY_BARRIERS
    }
)


def concern_words(value: float, thresholds: Thresholds) -> tuple[str, int]:
    """How a piece of evidence reads, and the band (0 none, 1 some, 2 serious)."""
    if value >= thresholds.child_protection_risk:
        return "serious concern", 2
    if value >= thresholds.screen_in_risk:
        return "some concern", 1
    return "no real concern", 0


def need_words(need: float, thresholds: Thresholds) -> tuple[str, int]:
    if need >= thresholds.child_in_need_need:
        return "the family needs a lot of support", 2
    if need >= thresholds.screen_in_need:
        return "the family needs some support", 1
    return "no particular need for support", 0


def level_words(label: str | None) -> str:
    if label is None:
        return "not decided"
    return label.replace("_", " ")


_OPENINGS = {
    "police": "Police notification: officers attended the home of the {name} family.",
    "school": "The school's safeguarding lead rang about a pupil from the {name} family.",
    "health": "A health visitor rang about the {name} family.",
    "hospital": "A hospital ward rang about a child of the {name} family.",
    "family": "A relative of the {name} family rang asking for help.",
    "public": "A neighbour of the {name} family rang; they would not give their name.",
    "housing": "The housing officer for the {name} family rang.",
    "other": "Another agency referred a child of the {name} family.",
}
_WORRIES = {
    0: "They were not sure it was anything, but wanted it on record",
    1: "They are worried about {concern}",
    2: "They are very worried about {concern} and want someone to act today",
}


def free_play_said(source: str, concern: str, spelling: str, band: int, need_band: int) -> str:
    """What was said, for a referral the model drew (free play has no script)."""
    opening = _OPENINGS.get(source, _OPENINGS["other"]).format(name=spelling)
    worry = _WORRIES[band].format(concern=CONCERN_LABELS.get(concern, concern))
    need = {
        0: "",
        1: " The family seems to be struggling.",
        2: " The family is struggling badly and asking for help.",
    }[need_band]
    return f"{opening} {worry}.{need}"


def hours_minutes(t: float) -> str:
    """Simulated time (days) as a clock reading: 'Mon 09:05'."""
    days = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
    day = int(t)
    minutes = int(round((t - day) * 24 * 60))
    if minutes >= 24 * 60:
        day, minutes = day + 1, minutes - 24 * 60
    return f"{days[day % 7]} {minutes // 60:02d}:{minutes % 60:02d}"


def day_offset(t: float, since: float) -> str:
    """When something happened after the shift, in words: "within the hour", "5 hours
    later", "on day 3"."""
    days = t - since
    if days < 1:
        hours = int(round(days * 24))
        if hours < 1:
            return "Within the hour"
        return "An hour later" if hours == 1 else f"{hours} hours later"
    return f"On day {int(round(days))}"


# What each piece of evidence is, as a sentence fragment ("...would have caught it").
_EVIDENCE_WORDS = {
    "database": "a database search under every name and spelling the household may be known by",
    "addendum": "opening the record's addendum",
    "file": "reading the paper file",
    "visit": "a home visit that saw the child",
    "edt_visit": "the night team's visit",
    "harm_seen": "another agency's report of harm",
}


def evidence_words(key: str) -> str:
    """A piece of evidence (database, file, visit, agency:NAME) in plain words."""
    if key.startswith("agency:"):
        agency = key.split(":", 1)[1]
        return f"asking {AGENCY_LABELS.get(agency, agency).lower()}"
    return _EVIDENCE_WORDS.get(key, key.replace("_", " "))


def check_words(label: str) -> str:
    """A check's label as the desk stores it ("agency:health", "database 'Smith'") in
    plain words ("Health", "Database search for 'Smith'")."""
    if label.startswith("agency:"):
        agency = label.split(":", 1)[1]
        return AGENCY_LABELS.get(agency, agency)
    if label.startswith("database"):
        return "Database search" + label[len("database") :].replace(" '", " for '", 1)
    return label[:1].upper() + label[1:]


INCIDENT_WORDS = {
    "near_miss_prevented": "the review counted a near miss that a later defence caught",
    "near_miss_no_harm": "the review counted an error that happened to cause no harm",
    "harm_false_negative": "the review counted harm that a missed risk let through",
    "harm_false_positive": (
        "the review counted harm done to a family by a child protection plan, or a"
        " removal, that it did not need"
    ),
}


def incident_words(kind: str) -> str:
    return INCIDENT_WORDS.get(kind, kind.replace("_", " "))


def join_words(items: list[str]) -> str:
    """ "a", "a and b", "a, b and c"."""
    items = [i for i in items if i]
    if len(items) <= 1:
        return "".join(items)
    if any("," in i for i in items):  # "Maja, 6; Leo, 14 months and Ama, 3 months"
        return "; ".join(items[:-1]) + " and " + items[-1]
    return ", ".join(items[:-1]) + " and " + items[-1]


def spelling_suggestions(
    name: str, *, order_key: str, other_names: Sequence[str] = (), limit: int = 4
) -> list[str]:
    """Other plausible spellings of `name` for the trainee to try at the database, mixed
    with `other_names` (the surnames of other adults the referral names).

    The spellings come from the same shifts the name-variant model uses (transliteration
    and mishearing), as a duty worker would guess them. The whole list is shown in an
    order fixed by `order_key` (the shift's seed and the case) rather than most likely
    first, and the other adults' names take their place in it like any spelling, so the
    list never gives away which one the record is under: the trainee has to try them.
    """
    import hashlib

    def rank(spelling: str) -> str:
        return hashlib.sha256(f"{order_key}|{spelling.lower()}".encode()).hexdigest()

    spellings = plausible_spellings(name, limit=limit)
    others = [n for n in dict.fromkeys(other_names) if n != name and n not in spellings]
    return sorted(spellings + others, key=rank)


_FACT_WORDS = {
    "database": "the database record",
    "file": "the paper file",
    "visit": "the home visit",
    "edt_visit": "the night team's visit",
    "harm_seen": "another agency's report of harm",
}


def fact_words(key: str) -> str:
    """A fact for the handover (an evidence key) as the note would name it."""
    if key.startswith("agency:"):
        agency = key.split(":", 1)[1]
        return f"what {AGENCY_LABELS.get(agency, agency).lower()} said"
    return _FACT_WORDS.get(key, key.replace("_", " "))


# The priority a team leader gives with each level, by the harm the referral is about.
_LEADER_PRIORITY = {
    "child_protection": ("immediately", "within 24 hours"),
    "child_in_need": ("within 7 days", "within 7 days"),
}


def leader_advice(level: str, concern: str, evidence: list[tuple[str, int]], need_band: int) -> str:
    """The team leader's advice in full: a level, a priority and the two or three reasons
    behind it, strongest first. `evidence` is what the desk holds as (where it came from,
    band 0-2), the referral included; the level is the model's own reading."""
    words = level_words(level)
    if level in _LEADER_PRIORITY:
        urgent, usual = _LEADER_PRIORITY[level]
        when = urgent if concern in ("physical", "sexual") else usual
        head = f"{words[:1].upper()}{words[1:]}, {when}."
    else:
        head = "No further action for now."
    ranked = sorted(evidence, key=lambda item: -item[1])
    band_words = {2: "shows serious concern", 1: "shows some concern", 0: "shows no real concern"}
    reasons = [f"{where} {band_words[band]}" for where, band in ranked[:2]]
    if need_band >= 1:
        reasons.append(
            "the family needs a lot of support" if need_band == 2 else "the family needs support"
        )
    elif len(ranked) > 2:
        where, band = ranked[2]
        reasons.append(f"{where} {band_words[band]}")
    if len(ranked) == 1:
        reasons.append("no check has come back yet to add to it or to contradict it")
    numbered = "; ".join(f"({i}) {r}" for i, r in enumerate(reasons[:3], start=1))
    return f"Advice: {head} Because {numbered}." if numbered else f"Advice: {head}"
