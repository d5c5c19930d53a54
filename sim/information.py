"""Finding things out: the database, paper files, other agencies and local knowledge.

Each source of information is a barrier. A known family's history is only of use if
the database search finds its record (the spelling may differ, the record may carry a
slip, the worrying part may be an addendum a reader misses), if the paper file arrives
before the decision (it may be in another building, in an archive, or lost), and if the
agency that knows something answers in time (it may be slow, or refuse a worker it has
no rapport with, while answering a colleague who has). When all of these fail, a
long-serving worker may still recognise the family, by chance.

Everything a family could reveal is drawn once, when the family first appears, from its
own random stream (`FamilyFacts`), so a counterfactual replay changes only what the
team manages to find, never what there was to find.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import simpy

from sim.config import Agencies, CaseFiles, Database, ScriptedFamily, Staffing
from sim.context import RunContext
from sim.entities import Case, Family, Worker
from sim.events import EventKind
from sim.household import AdultFacts, search_adults
from sim.information_barriers import record_information_barriers
from sim.judgement import Judgement
from sim.names import SURNAMES, names_match, variant_spelling
from sim.records import InformationRequested, InformationReturned
from sim.rng import BatchedDraws, cumulative, pick
from sim.vocabulary import AGENCIES, FILE_LOCATIONS, HARM_TYPES, NAME_ORIGINS, NameOrigin
from sim.workload import Workload

# How much of the true risk a terse database entry, and a fuller addendum, show.
RECORD_CLARITY = 0.4  # a terse entry: the history itself is in the paper file
ADDENDUM_CLARITY = 0.85
FILE_CLARITY = 0.9  # a chronology shows cumulative harm that a referral does not


@dataclass(slots=True)
class FamilyFacts:
    """What could be found out about a family, whether or not anyone finds it."""

    surname: str
    name_origin: str
    recorded_surname: str | None = None  # spelling on the database; None: not on record
    record_history: float = 0.0
    record_addendum: float | None = None
    addendum_corrects: bool = False  # the addendum corrects a wrong entry (report 4.5)
    warning_flag: bool = False
    flag_risk: float = 0.0  # the risk written down when the flag was set, as the record shows it
    file_location: str = "none"  # on_site, other_building, archive, missing, none
    file_history: float = 0.0
    poor_chronology: bool = False
    agency_information: dict[str, float] = field(default_factory=dict)
    refusal_draw: dict[str, float] = field(default_factory=dict)  # fixed per family
    addendum_draw: float = 1.0
    adults: tuple[AdultFacts, ...] = ()  # household adults with records of their own


@dataclass(frozen=True, slots=True)
class InformationResult:
    """The answer to one information action, as the worker sees it."""

    action: str  # database, file, agency, visit, local_knowledge
    outcome: str  # found, not_found, arrived, missing, answered, nothing_known, refused, ...
    detail: str
    evidence_key: str | None = None
    value: float | None = None


def scripted_facts(spec: ScriptedFamily) -> FamilyFacts:
    """The facts an exercise sets for its family, exactly."""
    facts = FamilyFacts(
        surname=spec.surname,
        name_origin=spec.name_origin,
        recorded_surname=spec.recorded_surname,
        record_history=spec.record_history,
        record_addendum=spec.record_addendum,
        addendum_corrects=spec.addendum_corrects,
        warning_flag=spec.warning_flag,
        flag_risk=spec.risk if spec.warning_flag else 0.0,
        file_location=spec.file_location,
        file_history=spec.file_history,
        agency_information={agency: value for agency, value in spec.agency_information.items()},
        addendum_draw=1.0,
    )
    # An exercise's refusals are certain; its other agencies always answer.
    facts.refusal_draw = {a: (0.0 if a in spec.agency_refuses else 1.0) for a in AGENCIES}
    return facts


class InformationDesk:
    """Finds things out about a case: for the duty desk's checks and a trainee's actions."""

    def __init__(
        self,
        ctx: RunContext,
        *,
        database: Database,
        case_files: CaseFiles,
        agencies: Agencies,
        staffing: Staffing,
        workload: Workload,
        judgement: Judgement,
    ) -> None:
        self._ctx = ctx
        self._database = database
        self._files = case_files
        self._agencies = agencies
        self._staffing = staffing
        self._workload = workload
        self._judgement = judgement
        origins = [o for o in NAME_ORIGINS if database.origin_shares.get(o, 0.0) > 0]
        shares = [case_files.location_shares.get(loc, 0.0) for loc in FILE_LOCATIONS]
        # Per harm type, the agencies that may know such a family and how likely they
        # are to (their index in AGENCIES, for the family's draws).
        self.agency_holds: dict[str, tuple[tuple[int, str, float], ...]] = {
            harm: tuple(
                (i, agency, spec.holds_information.get(harm, 0.0))  # type: ignore[call-overload]
                for i, agency in enumerate(AGENCIES)
                if (spec := agencies.agencies.get(agency)) is not None  # type: ignore[call-overload]
            )
            for harm in HARM_TYPES
        }
        # Lookup tables for drawing each family's facts: name origins and file places.
        self.tables: tuple[list[NameOrigin], list[float], list[float]] = (
            origins,
            cumulative([database.origin_shares[o] for o in origins]),  # type: ignore[index]
            cumulative(shares) if sum(shares) > 0 else [],
        )

    # -- what there is to find ----------------------------------------------------

    def draw_facts(self, family: Family, draws: BatchedDraws, known: bool) -> FamilyFacts:
        """A random family's findable facts, from a fixed number of draws of its stream."""
        database, files = self._database, self._files
        u = draws.uniforms(12 + 2 * len(AGENCIES))
        origins, origin_cdf, location_cdf = self.tables
        origin = origins[pick(origin_cdf, u[0])]
        names = SURNAMES[origin]
        surname = names[min(int(u[1] * len(names)), len(names) - 1)]
        facts = FamilyFacts(surname=surname, name_origin=origin, addendum_draw=u[2])
        risk = family.base_risk
        if known:
            slip = u[3] < database.data_entry_error_rate
            facts.recorded_surname = variant_spelling(surname, u[4]) if slip else surname
            if u[5] < database.addendum_probability:
                facts.record_history = 0.5 * RECORD_CLARITY * risk
                facts.record_addendum = ADDENDUM_CLARITY * risk
            else:
                facts.record_history = RECORD_CLARITY * risk
            facts.warning_flag = family.harm_type != "none" and risk >= database.warning_flag_risk
            facts.flag_risk = risk if facts.warning_flag else 0.0
            where = FILE_LOCATIONS[pick(location_cdf, u[6])] if location_cdf else "on_site"
            facts.file_location = "missing" if u[7] < files.missing_probability else where
            facts.poor_chronology = u[8] < files.poor_chronology_probability
            clarity = files.poor_chronology_clarity if facts.poor_chronology else 1.0
            facts.file_history = FILE_CLARITY * clarity * risk
        agency_clarity = self._agencies.clarity
        held = facts.agency_information
        for i, agency, holds in self.agency_holds[family.harm_type]:
            if u[12 + 2 * i] < holds:
                value = agency_clarity * risk + (u[13 + 2 * i] - 0.5) * 0.1
                held[agency] = 0.0 if value < 0.0 else 1.0 if value > 1.0 else value
        facts.refusal_draw = dict(zip(AGENCIES, u[13::2], strict=True))
        # u[9:12] are drawn and unused: they once spelt the family's name in referrals, and
        # dropping them would shift every later family's draws (and so every event log).
        return facts

    # -- what the referral says ---------------------------------------------------

    def referral_spelling(self, case: Case) -> str:
        """How this referral spells the family's name (varies more for some origins)."""
        facts = case.family.facts
        rate = self._database.variant_spelling_rate.get(facts.name_origin, 0.0)
        rng = case.family.rng
        if rng.random() < rate:
            return variant_spelling(facts.surname, float(rng.random()))
        return facts.surname

    # -- the database ----------------------------------------------------------------

    def search_database(
        self, case: Case, spelling: str, *, reader_opens_addenda: bool = False
    ) -> InformationResult:
        """Search the record under `spelling`; a hit adds the history it holds.

        The team's own duty check reads a record's addendum unless its reader misses it
        (`addendum_missed_probability`). A person at the desk is the reader: the search
        shows the entry and says an addendum waits, which `read_addendum` opens
        (`reader_opens_addenda`).
        """
        facts = case.family.facts
        matching = self._database.matching
        recorded = facts.recorded_surname
        found = recorded is not None and names_match(spelling, recorded, matching=matching)
        if not found:  # perhaps a household adult's own record (sim/household.py)
            return InformationResult("database", *search_adults(case, spelling, matching))
        opened = case.record_found and not case.addendum_missed  # found and read before
        case.record_found = True
        parts = [f"record found under {recorded!r}"]
        if facts.record_addendum is not None:
            if reader_opens_addenda:
                case.addendum_missed = not opened  # until the reader opens it
                parts.append("an addendum was added later")
            else:
                case.addendum_missed = (
                    facts.addendum_draw < self._database.addendum_missed_probability
                )
                if not case.addendum_missed:
                    parts.append(
                        "an addendum corrects the entry"
                        if facts.addendum_corrects
                        else "an addendum adds later concerns"
                    )
        history = self._record_reading(case)
        if facts.warning_flag:
            parts.append("the record carries a warning flag")
        return InformationResult("database", "found", "; ".join(parts), "database", history)

    def read_addendum(self, case: Case) -> InformationResult:
        """Open the addendum of the record a search found (a person at the desk)."""
        facts = case.family.facts
        if not case.record_found or facts.record_addendum is None:
            return InformationResult("addendum", "none", "the record has no addendum to read")
        case.addendum_missed = False
        history = self._record_reading(case)
        if facts.addendum_corrects:
            return InformationResult(
                "addendum", "corrects", "it corrects the entry", "database", history
            )
        return InformationResult("addendum", "adds", "it adds later concerns", "database", history)

    def _record_reading(self, case: Case) -> float:
        """The concern the found record shows as read so far; it is the case's evidence.

        An addendum read adds to the entry, or replaces it when it corrects the entry (the
        system would not let anyone change the entry itself). The team's own earlier
        contact and a warning flag show as they were written."""
        facts = case.family.facts
        history = facts.record_history
        if facts.record_addendum is not None and not case.addendum_missed:
            if facts.addendum_corrects:
                history = facts.record_addendum
            else:
                history = max(history, facts.record_addendum)
        if case.family.team_record is not None:
            history = max(history, case.family.team_record)
        if facts.warning_flag:
            # The flag shows what was recorded when it was set, not the family as it is now.
            history = max(history, facts.flag_risk)
        case.evidence["database"] = history
        return history

    # -- local knowledge ---------------------------------------------------------------

    @staticmethod
    def known_locally(family: Family) -> bool:
        """On record, or known to a local school, health visitor or police officer."""
        facts = family.facts
        return facts.recorded_surname is not None or bool(facts.agency_information)

    @staticmethod
    def _remembered(family: Family) -> float:
        """What a colleague or a local professional can recall of a family: what was
        written or seen at earlier contacts (the record, the team's last assessment, what
        local agencies hold), never the family as it is now."""
        facts, team = family.facts, family.team_record
        return max(facts.record_history, team or 0.0, *facts.agency_information.values())

    def local_knowledge(self, case: Case, worker: Worker) -> InformationResult:
        """A long-serving worker may know a family, from the record or from the area.

        A central team sees the whole authority and knows few families; a patch team
        knows its area's families, schools and health visitors (report 4.5, 4.8).
        """
        staffing = self._staffing
        family = case.family
        patch = staffing.design == "patch"
        base = staffing.patch_local_knowledge if patch else staffing.local_knowledge
        chance = base * min(1.0, worker.tenure_at(self._ctx.env.now) / 3.0)
        if not self.known_locally(family) or family.rng.random() >= chance:
            return InformationResult("local_knowledge", "not_recognised", "nobody knew them")
        value = self._remembered(family)
        case.evidence["local_knowledge"] = value
        return InformationResult(
            "local_knowledge",
            "recognised",
            "a colleague remembers this family",
            "local_knowledge",
            value,
        )

    # -- paper files ------------------------------------------------------------------

    def _file_delay(self, case: Case, where: str) -> tuple[float, str]:
        """Working days until the paper file comes back from `where`, and how it comes."""
        files = self._files
        if where == "none":
            return 0.0, "no_file"
        if where == "missing" and not files.digitised:
            return self._working_delay(case, 3.0), "missing"  # searched, then given up
        if files.digitised:
            return 0.0, "arrived"
        median = files.retrieval_working_days.get(where, 1.0)  # type: ignore[call-overload]
        return (self._working_delay(case, median) if median > 0 else 0.0), "arrived"

    def request_file(self, case: Case, *, notify: bool = True) -> simpy.Event | None:
        """Ask for the paper file; the event fires when it arrives (or is found missing).

        The retrieval time is drawn now, so the desk knows when to expect an answer;
        `case.expected["file"]` holds that time. With `notify=False` (the duty desk's own
        checks, which wait on that time instead) no event is made.
        """
        ctx = self._ctx
        done = ctx.env.event() if notify else None
        if case.file_status != "not_requested":
            if done is not None:
                done.succeed(self._file_answer(case))
            return done
        case.file_status = "requested"
        ctx.log.append(
            InformationRequested(
                ctx.env.now,
                ctx.log.next_seq,
                EventKind.INFORMATION_REQUESTED,
                case.id,
                case.family.id,
                what="file",
            )
        )
        facts = case.family.facts
        where = facts.file_location
        delay, status = self._file_delay(case, where)
        case.expected["file"] = ctx.env.now + delay

        def arrive(_event: simpy.Event) -> None:
            case.file_status = status
            if status == "arrived":
                case.evidence["file"] = facts.file_history
            answer = self._file_answer(case)
            ctx.log.append(
                InformationReturned(
                    ctx.env.now,
                    ctx.log.next_seq,
                    EventKind.INFORMATION_RETURNED,
                    case.id,
                    case.family.id,
                    what="file",
                    outcome=answer.outcome,
                    location=where,
                )
            )
            if done is not None:
                done.succeed(answer)

        ctx.env.timeout(delay).callbacks.append(arrive)
        return done

    def _file_answer(self, case: Case) -> InformationResult:
        status = case.file_status
        facts = case.family.facts
        if status == "arrived":
            detail = "the file shows earlier concerns"
            if facts.poor_chronology:
                detail += ", but without a usable chronology"
            return InformationResult("file", "arrived", detail, "file", facts.file_history)
        if status == "missing":
            return InformationResult("file", "missing", "the file cannot be found")
        if status == "no_file":
            return InformationResult("file", "no_file", "there is no paper file")
        return InformationResult("file", "pending", "the file has been requested")

    def _working_delay(self, case: Case, median_working_days: float) -> float:
        """Calendar days for a task of lognormal working-day length starting now."""
        wd = median_working_days * math.exp(0.5 * case.family.judgement_rng.normal())
        now = self._ctx.env.now
        return self._ctx.calendar.add_working_days(now, wd) - now  # from the next opening

    # -- other agencies -------------------------------------------------------------------

    def contact_agency(
        self, case: Case, agency: str, worker: Worker | None, *, notify: bool = True
    ) -> simpy.Event | None:
        """Ask an agency what it knows; the event fires with its answer (or refusal).

        Whether it refuses, and whether a colleague with better rapport then gets an
        answer, is settled from the family's fixed draws; `case.expected[agency]` holds
        when the answer comes (`notify=False`: no event, as for `request_file`).
        """
        ctx = self._ctx
        done = ctx.env.event() if notify else None
        ctx.log.append(
            InformationRequested(
                ctx.env.now,
                ctx.log.next_seq,
                EventKind.INFORMATION_REQUESTED,
                case.id,
                case.family.id,
                what="agency",
                agency=agency,
            )
        )
        case.agency_status[agency] = "asked"
        spec = self._agencies.agencies.get(agency)  # type: ignore[call-overload]
        delay = self._working_delay(case, spec.response_median_working_days if spec else 5.0)
        asker = worker
        refused = self._refuses(case, agency, asker)
        if refused and self._agencies.ask_colleague:
            colleague = max(
                (w for w in ctx.workers if w is not worker),
                key=lambda w: (w.relationships.get(agency, 0.0), -w.id),
                default=None,
            )
            if colleague is not None and not self._refuses(case, agency, colleague):
                delay += 0.5  # the colleague rings back the next day or so
                refused, asker = False, colleague
        case.expected[agency] = ctx.env.now + delay

        def reply(_event: simpy.Event) -> None:
            answer = self._agency_answer(case, agency, worker, asker, refused)
            if done is not None:
                done.succeed(answer)

        ctx.env.timeout(delay).callbacks.append(reply)
        return done

    def _refuses(self, case: Case, agency: str, worker: Worker | None) -> bool:
        spec = self._agencies.agencies.get(agency)  # type: ignore[call-overload]
        if spec is None:
            return True
        rapport = worker.relationships.get(agency, 0.0) if worker is not None else 0.0
        staffing = self._staffing
        if staffing.design == "patch":
            rapport = min(1.0, rapport + staffing.patch_rapport_bonus)
        chance = spec.refusal_probability * (1.0 - rapport)
        return case.family.facts.refusal_draw.get(agency, 1.0) < chance

    def _agency_answer(
        self,
        case: Case,
        agency: str,
        worker: Worker | None,
        asker: Worker | None,
        refused: bool,
    ) -> InformationResult:
        facts = case.family.facts
        if refused:
            case.agency_status[agency] = "refused"
            answer = InformationResult("agency", "refused", f"{agency} would not share")
        elif agency in facts.agency_information:
            value = facts.agency_information[agency]
            key = f"agency:{agency}"
            case.evidence[key] = value
            case.agency_status[agency] = "answered"
            via = "" if asker is worker else " (to a colleague with a better relationship)"
            answer = InformationResult(
                "agency", "answered", f"{agency} shared what it knows{via}", key, value
            )
        else:
            case.agency_status[agency] = "nothing_known"
            answer = InformationResult("agency", "nothing_known", f"{agency} knows nothing")
        self._ctx.log.append(
            InformationReturned(
                self._ctx.env.now,
                self._ctx.log.next_seq,
                EventKind.INFORMATION_RETURNED,
                case.id,
                case.family.id,
                what="agency",
                agency=agency,
                outcome=answer.outcome,
                answered_by=None if asker is None else asker.id,
            )
        )
        return answer

    # -- barrier records for what was (not) found by a decision ----------------------------

    def record_checks(self, case: Case, worker: Worker | None) -> None:
        """Log each information barrier as it stood when the screening decision was taken."""
        record_information_barriers(
            case,
            worker,
            self._judgement.barrier,
            known_locally=self.known_locally(case.family),
            central=self._staffing.design == "central",
        )
