"""Adults of a household with records of their own: a new partner, a lodger, a relative.

Only a training exercise names them (`scripted[].family.adults`); a random family has
none. Such an adult's record is under his own name, not the family's, so a search under
the family's name never finds it (report 4.3: the new partner whose warning was found by
a search under his name and date of birth). The search compares name and date of birth
together, so a record found is known to be his.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sim.names import names_match

if TYPE_CHECKING:
    from sim.config_scripted import ScriptedFamily
    from sim.entities import Case


@dataclass(frozen=True, slots=True)
class AdultFacts:
    """An adult in the household with a record of his or her own."""

    name: str
    surname: str
    recorded_surname: str | None
    record_history: float
    warning_flag: bool


def adult_facts(spec: ScriptedFamily) -> tuple[AdultFacts, ...]:
    """The household adults an exercise names for its family, exactly."""
    return tuple(
        AdultFacts(a.name, a.surname, a.recorded_surname, a.record_history, a.warning_flag)
        for a in spec.adults
    )


def search_adults(
    case: Case, spelling: str, matching: str
) -> tuple[str, str, str | None, float | None]:
    """A household adult's own record under `spelling`, when the family's own record is not
    under it: the search's outcome, what it says, its evidence key and the risk shown. A
    record found adds its history to the case's evidence."""
    for adult in case.family.facts.adults:
        recorded = adult.recorded_surname
        if recorded is None or not names_match(spelling, recorded, matching=matching):
            continue
        detail = f"record of {adult.name} found under {recorded!r}, date of birth matching"
        if adult.warning_flag:
            detail += "; the record carries a warning flag"
        case.evidence["database"] = max(case.evidence.get("database", 0.0), adult.record_history)
        case.adults_found.add(adult.surname)
        return "found", detail, "database", adult.record_history
    return "not_found", f"no record under {spelling!r}", None, None


def adult_checks(case: Case, worker: Any, barrier: Callable[..., None]) -> None:
    """Log the database check of each household adult on record, as it stood at screening:
    held when his record was found, else holed by the search's name (or skipped)."""
    for adult in case.family.facts.adults:
        if adult.recorded_surname is None:
            continue
        if adult.surname in case.adults_found:
            barrier(case, "database_check", True, [], worker)
        else:
            why = ["time_pressure"] if "database" in case.skipped else ["name_matching"]
            barrier(case, "database_check", False, why, worker)
