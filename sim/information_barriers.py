"""The information barriers as they stood when a screening decision was taken.

At each screening decision the model logs, for every source of information that could
have told the team something, whether it held (the record was found, the addendum read,
the file arrived, the agency answered) or which latent condition opened its hole (the
spelling, a keying slip, a record that cannot be corrected, a remote or lost file, an
agency that refused or was slow, time pressure that skipped the check).
"""

from __future__ import annotations

from collections.abc import Callable

from sim.entities import Case, Worker
from sim.household import adult_checks

Barrier = Callable[..., None]  # Judgement.barrier: logs one barrier tested on a case


def record_information_barriers(
    case: Case, worker: Worker | None, barrier: Barrier, *, known_locally: bool, central: bool
) -> None:
    """Log each information barrier of `case` as it stood at the decision.

    `known_locally`: the family is known to the record or a local agency; `central`: the
    team is a single point of entry, far from the families it serves."""
    if case.family.facts.recorded_surname is not None:
        _history_checks(case, worker, barrier)
    adult_checks(case, worker, barrier)
    _other_checks(case, worker, barrier, known_locally=known_locally, central=central)


def _history_checks(case: Case, worker: Worker | None, barrier: Barrier) -> None:
    """The database search, the addendum and the paper file of a family on record."""
    facts = case.family.facts
    assert facts.recorded_surname is not None  # only for a family on record
    if case.record_found:
        barrier(case, "database_check", True, [], worker)
        if facts.record_addendum is not None:
            barrier(
                case,
                "record_addendum",
                not case.addendum_missed,
                ["uncorrectable_records"] if case.addendum_missed else [],
                worker,
            )
    else:
        why: list[str] = []
        if "database" in case.skipped:
            why = ["time_pressure"]  # skipped: only ever under time pressure
        else:
            if facts.recorded_surname.lower() != facts.surname.lower():
                why.append("data_entry_errors")
            if case.spelling.lower() != facts.surname.lower():
                why.append("name_matching")
            if not why:
                why.append("name_matching")
        barrier(case, "database_check", False, why, worker)
    # A file nobody asked for (a person at the desk chose not to) was not a test
    # of the files, as an agency never rung is not a test of that agency.
    asked = case.file_status != "not_requested" or "file" in case.skipped
    if facts.file_location != "none" and case.record_found and asked:
        status = case.file_status
        if status == "arrived":
            barrier(
                case,
                "file_retrieval",
                True,
                ["poor_chronology"] if facts.poor_chronology else [],
                worker,
            )
        elif status == "missing" or (
            facts.file_location == "missing" and "file" not in case.skipped
        ):
            # A lost file asked for is missing whether or not the search has given up
            # yet: the decision went without it because it is lost, not because it is far.
            barrier(case, "file_retrieval", False, ["missing_files"], worker)
        elif "file" in case.skipped:
            barrier(case, "file_retrieval", False, ["time_pressure"], worker)
        else:
            barrier(case, "file_retrieval", False, ["remote_file_storage"], worker)


def _other_checks(
    case: Case, worker: Worker | None, barrier: Barrier, *, known_locally: bool, central: bool
) -> None:
    """Local knowledge and the agencies asked (or skipped) for this case."""
    facts = case.family.facts
    if known_locally and "local_knowledge" in case.checked:
        if "local_knowledge" in case.evidence:
            barrier(case, "local_knowledge", True, [], worker)
        else:
            barrier(
                case,
                "local_knowledge",
                False,
                ["single_point_of_entry"] if central else [],
                worker,
            )
    for agency in facts.agency_information:
        asked = case.agency_status.get(agency)
        if asked is None and agency not in case.skipped:
            continue  # never asked: not a check this case's concern called for
        if asked == "answered":
            barrier(case, "agency_check", True, [], worker, agency=agency)
        elif asked == "refused":
            barrier(case, "agency_check", False, ["agency_refusal"], worker, agency=agency)
        elif agency in case.skipped:
            barrier(case, "agency_check", False, ["time_pressure"], worker, agency=agency)
        else:
            barrier(case, "agency_check", False, ["agency_delay"], worker, agency=agency)
