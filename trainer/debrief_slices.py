"""The debrief's slices of Swiss cheese: each defence on a case, held, holed or never put
in place, with why.

The information defences (the database, the paper file, the agencies, seeing the child)
are read from what could be found and what the trainee tried; the decision, handover and
other agencies' own decisions from the barriers the model logged up to the decision.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sim.records import BarrierTested, FamilyCreated
from sim.vocabulary import AGENCY_BARRIERS
from trainer.desk_records import Finding
from trainer.scoring import CaseScore
from trainer.wording import (
    AGENCY_LABELS,
    BARRIER_LABELS,
    CONDITION_LABELS,
    FILE_PLACES,
    level_words,
)


@dataclass(frozen=True)
class Slice:
    """One defence as a slice of Swiss cheese: held, holed, or never put in place."""

    barrier: str  # label
    held: bool | None  # None: the defence was never put in place (a check not made)
    why: str
    key: str  # learning-point key: (barrier, reason)
    reason: str


def facts_slices(
    c: CaseScore,
    family: FamilyCreated,
    findings: Sequence[Finding],
    barriers: Sequence[BarrierTested],
) -> list[Slice]:
    """The information defences, from what could be found and what the trainee tried."""
    decided = c.decided_at if c.decided_at is not None else float("inf")
    mine = [f for f in findings if f.case_id == c.case_id]
    before = [f for f in mine if f.returned_at is not None and f.returned_at <= decided]
    slices: list[Slice] = []
    recorded = family.recorded_surname
    searches = [f for f in mine if f.action == "database" and f.requested_at <= decided]
    if recorded:
        found = any(f.outcome == "found" for f in before if f.action == "database")
        if found:
            why = f"record found under {recorded!r}"
            slices.append(Slice("Database search", True, why, "", ""))
            slices += _addendum_slices(c, barriers)
        elif not searches:
            why = "never searched before the decision"
            slices.append(Slice("Database search", None, why, "database_check", "not_searched"))
        else:
            conds = [
                k for b in barriers if b.barrier == "database_check" and not b.held
                for k in b.conditions
            ]  # fmt: skip
            why = _missed_search(searches, f"the record is under {recorded!r}", conds)
            slices.append(Slice("Database search", False, why, "database_check", "other_spelling"))
    else:
        slices += _adult_search_slices(c, searches, barriers)
    place = str(family.file_location)
    if place != "none":
        files = [f for f in mine if f.action == "file"]
        arrived = [f for f in before if f.action == "file" and f.outcome == "arrived"]
        if arrived:
            slices.append(Slice("Paper file", True, "the file arrived and was read", "", ""))
        elif not files:
            why = f"never requested (it is in {FILE_PLACES.get(place, place)})"
            slices.append(Slice("Paper file", None, why, "file_retrieval", "not_requested"))
        elif place == "missing":
            why = "requested, but the file is lost"
            slices.append(Slice("Paper file", False, why, "file_retrieval", "missing"))
        else:
            why = f"requested, still coming from {FILE_PLACES.get(place, place)} at the decision"
            slices.append(Slice("Paper file", False, why, "file_retrieval", "late"))
    for code in family.agencies_knowing:
        label = f"{AGENCY_LABELS.get(code, code)} check"
        agency = AGENCY_LABELS.get(code, code)
        asked = [f for f in mine if f.label == f"agency:{code}"]
        answered = [f for f in before if f.label == f"agency:{code}" and f.outcome == "answered"]
        if answered:
            slices.append(Slice(label, True, f"{agency} shared what it knew", "", ""))
        elif not asked:
            why = f"{agency} knew something but was never asked"
            slices.append(Slice(label, None, why, "agency_check", "not_asked"))
        elif any(f.outcome == "refused" for f in asked):
            slices.append(Slice(label, False, f"{agency} refused", "agency_check", "refused"))
        else:
            why = f"{agency} answered after the decision"
            slices.append(Slice(label, False, why, "agency_check", "late"))
    if c.hidden_risk:
        visits = [f for f in mine if f.action == "visit"]
        seen = [f for f in before if f.action == "visit" and f.outcome == "seen"]
        if seen:
            slices.append(Slice("Seeing the child", True, "the child was seen at home", "", ""))
        elif not visits:
            why = "no visit before the decision"
            slices.append(Slice("Seeing the child", None, why, "seeing_child", "not_visited"))
        else:
            why = "the visit did not see the child, or came too late"
            slices.append(Slice("Seeing the child", False, why, "seeing_child", "not_seen"))
    return slices


def _addendum_slices(c: CaseScore, barriers: Sequence[BarrierTested]) -> list[Slice]:
    """The record's addendum as the model logged it at the decision: read, or left
    unopened (report 4.5: an entry nobody could correct, and its addendum)."""
    tested = [b for b in barriers if b.barrier == "record_addendum" and _by_the_decision(c, b)]
    if not tested:
        return []
    label, b = BARRIER_LABELS["record_addendum"], tested[0]
    if b.held:
        return [Slice(label, True, "the addendum was opened and read", "", "")]
    conds = "; ".join(CONDITION_LABELS.get(k, k) for k in b.conditions)
    why = "the addendum was not opened before the decision" + (f" ({conds})" if conds else "")
    return [Slice(label, False, why, "record_addendum", "unread")]


def _by_the_decision(c: CaseScore, b: BarrierTested) -> bool:
    """Whether a barrier was tested no later than a day (1.0 in model time) after the
    decision."""
    return c.decided_at is None or b.time <= c.decided_at + 1.0


def _missed_search(searches: Sequence[Finding], where: str, conditions: Sequence[str]) -> str:
    """Why a search missed: the names tried, where the record was, and the conditions."""
    tried = ", ".join(repr(f.label.split("'")[1]) for f in searches if "'" in f.label)
    why = f"searched under {tried}; {where}"
    labels = [CONDITION_LABELS.get(k, k) for k in conditions]
    return why + (f" ({'; '.join(dict.fromkeys(labels))})" if labels else "")


def _adult_search_slices(
    c: CaseScore, searches: Sequence[Finding], barriers: Sequence[BarrierTested]
) -> list[Slice]:
    """The database search for another adult of a household whose family has no record of
    its own (exercise 04's new partner): one slice for each such search the model logged
    at the decision, held when his record was found, holed when it was searched under
    other names, not in place when nobody searched."""
    decided = c.decided_at if c.decided_at is not None else float("inf")
    found = [
        f.detail
        for f in searches
        if f.outcome == "found" and f.returned_at is not None and f.returned_at <= decided
    ]
    slices: list[Slice] = []
    for b in barriers:
        if b.barrier != "database_check" or not _by_the_decision(c, b):
            continue
        if b.held:
            why = found[0] if found else "the household adult's own record was found"
            slices.append(Slice("Database search", True, why, "", ""))
        elif not searches:
            why = "never searched before the decision"
            slices.append(Slice("Database search", None, why, "database_check", "not_searched"))
        else:
            where = "a household adult's record is under another name"
            why = _missed_search(searches, where, b.conditions)
            slices.append(Slice("Database search", False, why, "database_check", "other_name"))
    return slices


def log_slices(c: CaseScore, barriers: Sequence[BarrierTested]) -> list[Slice]:
    """Decision and handover defences, and other agencies' own decisions, as the model
    logged them."""
    out: list[Slice] = []
    for b in barriers:
        name = str(b.barrier)
        night_visit = name == "seeing_child" and b.at == "out_of_hours"
        if (
            name not in ("screening", "out_of_hours_handover", "allocation", *AGENCY_BARRIERS)
            and not night_visit
        ) or not _by_the_decision(c, b):
            continue
        held = bool(b.held)
        conds = [CONDITION_LABELS.get(k, k) for k in b.conditions]
        why = "; ".join(conds) if conds else ("held" if held else "did not hold")
        reason = ""
        if night_visit:  # the night team's visit on the trainee's note (exercise 09)
            why = "the night team saw the child" if held else f"the child was not seen ({why})"
            out.append(Slice("Night visit", held, why, name, "" if held else "not_seen"))
            continue
        if name == "screening" and not held:
            reason = "over" if b.decided == "child_protection" else "under"
            why = f"decided {level_words(b.decided)}, the truth was {level_words(b.truth)}" + (
                f" ({why})" if conds else ""
            )
        if name == "out_of_hours_handover" and not held:
            reason = "dropped"
        if name in AGENCY_BARRIERS and not held:
            reason = "declined"
        out.append(Slice(BARRIER_LABELS.get(name, name), held, why, name, reason))
    return out
