"""The domain's words are typed once (sim/vocabulary.py) and the model speaks only them."""

from __future__ import annotations

import typing

from sim import vocabulary
from sim.conditions import LATENT_CONDITIONS
from sim.events import EventKind
from sim.loader import load_scenario, scenario_with
from sim.model import run_scenario


def test_each_tuple_is_its_type_s_values_in_order() -> None:
    pairs = [
        (vocabulary.SOURCES, vocabulary.Source),
        (vocabulary.HARM_TYPES, vocabulary.HarmType),
        (vocabulary.CONCERNS, vocabulary.Concern),
        (vocabulary.ROLES, vocabulary.Role),
        (vocabulary.AGENCIES, vocabulary.Agency),
        (vocabulary.BARRIERS, vocabulary.Barrier),
        (vocabulary.CONDITIONS, vocabulary.Condition),
        (vocabulary.PROTECTIONS, vocabulary.Protection),
    ]
    for values, kind in pairs:
        assert values == typing.get_args(kind)
        assert len(set(values)) == len(values)


def test_every_removable_latent_condition_is_a_condition_word() -> None:
    assert set(LATENT_CONDITIONS) <= set(vocabulary.CONDITIONS)


def test_a_run_names_only_barriers_conditions_and_sources_of_the_vocabulary() -> None:
    """A year of the patch-team scenario (every barrier but the trainee's handover) and
    the handover weekend: each barrier, condition and source the log names is a word."""
    barriers: set[str] = set()
    conditions: set[str] = set()
    sources: set[str] = set()
    concerns: set[str] = set()
    for name in ("patch-teams", "handover-weekend"):
        base = load_scenario(name)
        short = scenario_with(base, {"run.horizon_days": 180, "run.warm_up_days": 0})
        for record in run_scenario(short, 3):
            if record.kind is EventKind.BARRIER_TESTED:
                barriers.add(record.barrier)
                conditions.update(record.conditions)
            elif record.kind is EventKind.INCIDENT_GRADED:
                barriers.add(record.failed_barrier)
                conditions.update(record.conditions)
            elif record.kind is EventKind.REFERRAL_ARRIVED:
                sources.add(record.source)
                concerns.add(record.concern)
    assert barriers and conditions and sources
    assert barriers <= set(vocabulary.BARRIERS), barriers - set(vocabulary.BARRIERS)
    assert conditions <= set(vocabulary.CONDITIONS), conditions - set(vocabulary.CONDITIONS)
    assert sources <= set(vocabulary.SOURCES)
    # Referrals name presenting problems, not only harm types (sim/presenting.py).
    assert concerns <= set(vocabulary.CONCERNS)
    assert concerns - set(vocabulary.HARM_TYPES)
