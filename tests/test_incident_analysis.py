"""Incident analysis read from real logs: pyramid, barriers, alignment, grading, warm-up,
and counterfactual replay on a case whose necessary condition is known."""

from __future__ import annotations

import pytest
from experiment_helpers import inexperience_story_scenario, short_baseline

from analysis import incidents as inc
from analysis.counterfactual import CaseNotFound, explain_case, necessary_conditions
from analysis.digest import digest_log, warm_up_method
from analysis.stats import mser5
from sim.events import EventKind, LogRecord
from sim.model import FrontDoorModel
from sim.records import IncidentReported


@pytest.fixture(scope="module")
def log() -> list[LogRecord]:
    return FrontDoorModel(short_baseline(horizon=120.0, warm_up=60.0), seed=11).run().records


@pytest.fixture(scope="module")
def digest(log: list[LogRecord]) -> dict:
    return digest_log(log)


# --------------------------------------------------------------------------- functional


def test_digest_counts_agree_with_the_log(log: list[LogRecord], digest: dict) -> None:
    w0 = digest["measured_from"]
    graded = [r for r in log if r.kind is EventKind.INCIDENT_GRADED and r.time >= w0]
    tested = [r for r in log if r.kind is EventKind.BARRIER_TESTED and r.time >= w0]
    assert sum(row[-1] for row in digest["incidents"]) == len(graded) > 0
    assert sum(row[-1] for row in digest["barriers"]) == len(tested)
    holes = sum(1 for r in tested if not r.held)
    assert sum(row[-1] for row in digest["holes"]) == holes
    kinds = {"harm_false_negative": 0, "harm_false_positive": 0}
    for r in graded:
        kinds[r.incident] = kinds.get(r.incident, 0) + 1
    assert digest["kpis"]["harm_false_negative"] == kinds["harm_false_negative"]
    # Every incident's hole combination starts with the barrier that failed first.
    for row in digest["incidents"]:
        assert row[7].split(" > ")[0] == row[4]


def test_pyramid_and_heinrich(digest: dict) -> None:
    pyramid = inc.incident_pyramid([digest])
    years = digest["measured_days"] / 365.0
    total = sum(row[-1] for row in digest["incidents"]) / years
    for kind in ("grade", "scale", "heinrich"):
        part = pyramid[pyramid["classification"] == kind]
        assert part["true_per_year"].sum() == pytest.approx(total)
    heinrich = pyramid[pyramid["classification"] == "heinrich"]
    assert heinrich["heinrich_share"].tolist() == pytest.approx([1 / 330, 29 / 330, 300 / 330])
    if pyramid["reported_per_year"].notna().any():  # the model reports incidents
        assert (pyramid["reported_per_year"] <= pyramid["true_per_year"] + 1e-9).all()
        senior = pyramid["seen_by_senior_managers_per_year"]
        assert (senior <= pyramid["reported_per_year"] + 1e-9).all()
    else:  # no reporting mechanism: reported counts are unknown, not zero
        assert pyramid["seen_by_senior_managers_per_year"].isna().all()


def test_reported_incidents_are_matched_to_the_truth(log: list[LogRecord]) -> None:
    """Reports in the log (here: one for every other graded incident) show as the
    reported part of the pyramid, matched to their incident by family and kind."""
    log = [r for r in log if r.kind is not EventKind.INCIDENT_REPORTED]  # only ours
    graded = [r for r in log if r.kind is EventKind.INCIDENT_GRADED]
    reports = [
        IncidentReported(
            g.time,
            len(log) + i,
            EventKind.INCIDENT_REPORTED,
            g.case,
            g.family,
            incident_seq=g.seq,
            incident=g.incident,
            reported_by="family",
            channel="line_manager",
            seen_by_senior_managers=False,
        )
        for i, g in enumerate(graded[::2])
    ]
    d = digest_log(sorted([*log, *reports], key=lambda r: (r.time, r.seq)))
    pyramid = inc.incident_pyramid([d]).set_index(["classification", "level"])
    w0 = d["measured_from"]
    expected = sum(1 for g in graded[::2] if g.time >= w0) / (d["measured_days"] / 365.0)
    grades = pyramid.loc["grade"]
    assert grades["reported_per_year"].sum() == pytest.approx(expected)
    assert (grades["reported_per_year"] <= grades["true_per_year"]).all()


def test_barrier_analysis_adds_up(digest: dict) -> None:
    table = inc.barrier_analysis([digest]).set_index("barrier")
    assert {"screening", "assessment"} <= set(table.index)
    parts = (
        table["holes_latent_only"]
        + table["holes_active_only"]
        + table["holes_latent_and_active"]
        + table["holes_neither"]
    )
    assert parts.to_numpy() == pytest.approx(table["holed_per_year"].to_numpy())
    assert (table["held_per_year"] + table["holed_per_year"]).to_numpy() == pytest.approx(
        table["tested_per_year"].to_numpy()
    )
    conditions = inc.barrier_conditions([digest])
    assert set(conditions["condition"]) >= {"low_visibility_harm"}
    assert conditions["share_of_holes"].between(0, 1).all()


def test_alignment_is_most_frequent_first(digest: dict) -> None:
    table = inc.swiss_cheese_alignment([digest])
    assert not table.empty
    assert table["share"].sum() == pytest.approx(1.0)
    assert table["incidents_per_year"].is_monotonic_decreasing
    every = inc.swiss_cheese_alignment(
        [digest], incidents=("near_miss_prevented", "near_miss_no_harm")
    )
    assert every["incidents_per_year"].sum() > table["incidents_per_year"].sum()


def test_grading_matrix_follows_appendix_d(digest: dict) -> None:
    assert inc.likelihood_for(400) == "almost certain"
    assert inc.likelihood_for(60) == "likely"
    assert inc.likelihood_for(12) == "possible"
    assert inc.likelihood_for(1.5) == "unlikely"
    assert inc.likelihood_for(0.2) == "rare"
    assert inc.risk_rating("rare", "no harm") == "very low"
    assert inc.risk_rating("almost certain", "death") == "high"
    assert inc.risk_rating("possible", "moderate") == "moderate"
    assert inc.risk_rating("unlikely", "low") == "low"
    matrix = inc.grading_matrix([digest])
    assert set(matrix["risk"]) <= set(inc.RATINGS)
    for _, row in matrix.iterrows():
        assert row["likelihood"] == inc.likelihood_for(row["incidents_per_year"])
        assert row["risk"] == inc.risk_rating(row["likelihood"], row["most_likely_consequence"])
    grid = inc.grading_grid(matrix)
    assert len(grid) == 25 and grid["incident_types"].sum() == len(matrix)


# --------------------------------------------------------------------------- extreme values


def test_mser5_warm_up_cuts_the_start_of_a_filling_team() -> None:
    """A team that starts empty under heavy load: MSER-5 measures from where its backlog
    settles, and counts are scaled to the horizon."""
    # Fewer experienced workers than the baseline's 25, so the backlog builds and settles.
    heavy = {"arrivals.annual_referrals": 6000, "staff.experienced.count": 13}
    scenario = short_baseline(horizon=120.0, warm_up=0.0, **heavy)
    records = FrontDoorModel(scenario, seed=5).run().records
    fixed = digest_log(records, warm_up="fixed")
    auto = digest_log(records, warm_up="mser5", horizon_days=120.0)
    cut = mser5(fixed["series"]["backlog_daily"][:120])
    assert auto["measured_from"] == cut
    assert auto["measured_days"] == pytest.approx(120.0 - cut)
    assert cut > 0  # the team starts empty: the first weeks are cut
    scaled = auto["kpis"]["referrals"] * auto["measured_days"] / 120.0
    assert scaled == pytest.approx(
        sum(1 for r in records if r.kind is EventKind.REFERRAL_ARRIVED and r.time >= cut)
    )
    assert warm_up_method(scenario) == "fixed"
    assert warm_up_method(scenario, "mser5") == "mser5"
    with pytest.raises(ValueError):
        warm_up_method(scenario, "sometimes")


# --------------------------------------------------------------------------- deterministic


def test_counterfactual_replay_finds_the_one_necessary_condition() -> None:
    scenario = inexperience_story_scenario()
    records = FrontDoorModel(scenario, seed=4).run().records
    harmed = [
        r
        for r in records
        if r.kind is EventKind.INCIDENT_GRADED and r.incident == "harm_false_negative"
    ]
    assert len(harmed) >= 3
    for r in harmed[:3]:
        incident, table = explain_case(scenario, 4, r.case)
        assert incident.family == r.family
        assert {"low_visibility_harm", "inexperienced_staff"} <= set(incident.story_conditions)
        necessary = table.loc[table["necessary"] == True, "condition"].tolist()  # noqa: E712
        assert necessary == ["inexperienced_staff"]
        inert = table.set_index("condition").loc["low_visibility_harm"]
        assert inert["incident_without_it"] == True  # noqa: E712
    ranking = necessary_conditions(scenario, 4, reps=1).set_index("condition")
    assert ranking.loc["inexperienced_staff", "necessary_share"] == 1.0
    assert ranking.loc["low_visibility_harm", "necessary"] == 0
    assert ranking.index[0] == "inexperienced_staff"


def test_explaining_a_case_without_an_incident_says_so() -> None:
    scenario = inexperience_story_scenario()
    records = FrontDoorModel(scenario, seed=4).run().records
    with_incident = {r.origin_case for r in records if r.kind is EventKind.INCIDENT_GRADED} | {
        r.case for r in records if r.kind is EventKind.INCIDENT_GRADED
    }
    quiet = next(
        r.case
        for r in records
        if r.kind is EventKind.REFERRAL_ARRIVED and r.case not in with_incident
    )
    with pytest.raises(CaseNotFound, match="no safeguarding incident"):
        explain_case(scenario, 4, quiet)
    with pytest.raises(CaseNotFound, match="no case"):
        explain_case(scenario, 4, 10**6)
