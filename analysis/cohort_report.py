"""The instructor's cohort report: class statistics across trainees' shifts at the desk.

Given the tables of a cohort (one row per session, per case, and per check skipped before
a miss; built by trainer.cohort from the session stores), it writes one HTML page with
embedded figures for the seminar: which near-miss patterns the class missed most, the
spread of d' and the criterion c, under- and over-triage by trainee, and the checks most
often not made before a miss. It uses the same page writer, palette and figure files as
`frontdoor report`. Trainees appear under their pseudonymous ids only.
"""

from __future__ import annotations

import html
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from analysis import figures
from analysis.outputs import atomic_write_text
from analysis.report import STYLE, _Writer

PATTERN_WORDS = {
    "missing_file": "missing file",
    "new_partner": "new partner",
    "face_value": "taken at face value",
    "bail_not_passed_on": "bail not passed on",
    "other_spelling": "another spelling",
    "friday_discharge": "Friday discharge",
    "police_refusal": "police: happy enough",
    "school_will_not_say": "school will not say",
    "rule_of_optimism": "rule of optimism",
    "edt_visit_unseen": "night visit, child unseen",
    "requests_ignored": "requests ignored",
    "handover_drops_fact": "handover drops a fact",
    "agency_fact_not_passed_on": "agency fact not passed on",
    "long_term_change": "long-term case changes",
    "false_positive": "alarming referral, safe family",
    "free_play_hidden_risk": "free play: hidden risk",
}


def missed_by_pattern(cases: pd.DataFrame) -> pd.DataFrame:
    """Hidden risks per pattern: how many the class met, missed, and the share missed."""
    hidden = cases[cases["hidden_risk"]] if len(cases) else cases
    if hidden.empty:
        return pd.DataFrame(columns=["pattern", "met", "missed", "share_missed"])
    grouped = hidden.groupby("pattern")["outcome"]
    table = pd.DataFrame(
        {"met": grouped.size(), "missed": grouped.apply(lambda s: int((s == "miss").sum()))}
    ).reset_index()
    table["share_missed"] = table["missed"] / table["met"]
    return table.sort_values(["share_missed", "missed", "pattern"], ascending=[False, False, True])


def mastery_by_pattern(cases: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Each trainee's mastery of each pattern they met (knowledge tracing over their cases
    in session order, trainer.curriculum), and the class summary per pattern."""
    from trainer.curriculum import MASTERED, Observation, trace

    columns = ["pattern", "trainees", "mean_mastery", "lowest", "mastered"]
    if cases.empty:
        return pd.DataFrame(), pd.DataFrame(columns=columns)
    keep = cases[~cases["pattern"].isin(["none", "free_play_hidden_risk"])]
    rows: dict[str, dict[str, float]] = {}
    for trainee, group in keep.groupby("trainee", sort=True):
        observed = [
            Observation(
                int(r.session), str(r.pattern), r.outcome in ("hit", "correct_rejection"), 1
            )
            for r in group.itertuples()
        ]
        m = trace(observed)
        rows[str(trainee)] = {p: round(m.of(p), 3) for p in sorted(m.met)}
    wide = pd.DataFrame.from_dict(rows, orient="index").sort_index(axis=1)
    wide.index.name = "trainee"
    summary = [
        {
            "pattern": p,
            "trainees": int(wide[p].notna().sum()),
            "mean_mastery": round(float(wide[p].mean()), 3),
            "lowest": float(wide[p].min()),
            "mastered": int((wide[p] >= MASTERED).sum()),
        }
        for p in wide.columns
    ]
    table = pd.DataFrame(summary, columns=columns).sort_values(["mean_mastery", "pattern"])
    return wide, table


def by_trainee(sessions: pd.DataFrame) -> pd.DataFrame:
    cols = ["d_prime", "criterion", "under_triage", "over_triage", "hits", "misses", "false_alarms"]
    grouped = sessions.groupby("trainee")
    table = grouped[cols].mean().round(3)
    table.insert(0, "sessions", grouped.size())
    return table.reset_index()


def _bar_figure(
    labels: list[str], values: list[float], title: str, xlabel: str, notes: list[str]
) -> Figure:
    fig, ax = plt.subplots(figsize=(7.5, 0.45 * max(3, len(labels)) + 1.2))
    y = np.arange(len(labels))
    ax.barh(y, values, color=figures.OKABE_ITO[4], hatch="//", edgecolor="black")
    for yi, v, note in zip(y, values, notes, strict=True):
        ax.text(v, float(yi), f" {note}", va="center", fontsize=9)
    ax.set_yticks(y, labels)
    ax.invert_yaxis()
    ax.set_xlabel(xlabel)
    ax.set_title(title)
    ax.set_xlim(0, max([*values, 1e-9]) * 1.35)
    fig.tight_layout()
    return fig


def detection_figure(sessions: pd.DataFrame) -> Figure:
    """d' against c, one mark per session; difficulty by marker and colour together."""
    fig, (ax, hist) = plt.subplots(1, 2, figsize=(10, 4.2))
    levels = ["induction", "practice", "pressure", "duty_day"]
    for i, level in enumerate(levels):
        part = sessions[sessions["difficulty"] == level]
        if part.empty:
            continue
        style = figures._style(i)
        ax.scatter(
            part["criterion"],
            part["d_prime"],
            color=style["color"],
            marker=style["marker"],
            edgecolor="black",
            s=45,
            label=level.replace("_", " "),
        )
    ax.axhline(0, color="grey", linewidth=0.8)
    ax.axvline(0, color="grey", linewidth=0.8)
    ax.set_xlabel("criterion c (negative: escalates readily)")
    ax.set_ylabel("d' (higher: tells hidden risks from safe families)")
    ax.set_title("Sensitivity and caution, one mark per shift")
    ax.legend(title="difficulty", fontsize=8)
    bins = np.linspace(
        min(-1.5, sessions["d_prime"].min()), max(3.0, sessions["d_prime"].max()), 14
    )
    hist.hist(
        sessions["d_prime"],
        bins=bins,
        color=figures.OKABE_ITO[1],
        edgecolor="black",
        hatch="..",
        label="d'",
    )
    hist.hist(
        sessions["criterion"],
        bins=bins,
        histtype="step",
        color="black",
        linewidth=1.6,
        linestyle="--",
        label="c",
    )
    hist.set_xlabel("value")
    hist.set_ylabel("shifts")
    hist.set_title(f"Distribution over {len(sessions)} shifts")
    hist.legend()
    fig.tight_layout()
    return fig


def triage_figure(table: pd.DataFrame) -> Figure:
    fig, ax = plt.subplots(figsize=(7.5, 0.5 * max(3, len(table)) + 1.2))
    y = np.arange(len(table))
    h = 0.38
    for offset, col, i, words in (
        (-h / 2, "under_triage", 4, "under-triage"),
        (h / 2, "over_triage", 1, "over-triage"),
    ):
        vals = table[col].to_numpy(dtype=float)
        ax.barh(
            y + offset,
            vals,
            height=h,
            color=figures.OKABE_ITO[i],
            hatch=figures.HATCHES[1 if i == 4 else 2],
            edgecolor="black",
            label=words,
        )
        for yi, v in zip(y + offset, vals, strict=True):
            ax.text(v, yi, f" {v:.0%}", va="center", fontsize=8)
    ax.set_yticks(y, table["trainee"])
    ax.invert_yaxis()
    ax.set_xlim(0, 1.15)
    ax.set_xlabel("share of decided cases (mean over the trainee's shifts)")
    ax.set_title("Under- and over-triage by trainee")
    ax.legend(loc="lower right")
    fig.tight_layout()
    return fig


def build_cohort_report(
    *,
    sessions: pd.DataFrame,
    cases: pd.DataFrame,
    skipped: pd.DataFrame,
    sources: tuple[str, ...],
    problems: tuple[str, ...],
    out: str | Path,
    title: str = "Front Door cohort report",
) -> tuple[Path, list[Path]]:
    """Write `cohort.html` (figures embedded, also as PNG and SVG files) in `out`."""
    target = Path(out)
    target.mkdir(parents=True, exist_ok=True)
    w = _Writer(folder=target)
    w.parts.append(f"<h1>{html.escape(title)}</h1>")
    trainees = sessions["trainee"].nunique() if len(sessions) else 0
    w.para(
        f"{len(sessions)} completed shifts by {trainees} trainees, read from "
        f"{len(sources)} session store(s). Every shift was re-run from its seed and its "
        "action log, so each case's outcome is the one its trainee saw in the debrief. "
        "Trainees appear under pseudonyms only."
    )
    if len(sessions):
        matched = int(sessions["rerun_matches"].sum())
        w.para(f"The re-run matched the stored score in {matched} of {len(sessions)} shifts.")
    for problem in problems:
        w.para(f"Not included: {problem}")
    if sessions.empty:
        w.para("There are no completed shifts to report on yet.")
    else:
        w.heading("Near misses the class missed most")
        missed = missed_by_pattern(cases)
        if missed.empty:
            w.para("No shift in these stores held a hidden risk.")
        else:
            labels = [PATTERN_WORDS.get(p, p) for p in missed["pattern"]]
            w.figure(
                _bar_figure(
                    labels,
                    list(missed["share_missed"]),
                    "Share of hidden risks missed, by pattern",
                    "share missed",
                    [f"{m} of {n}" for m, n in zip(missed["missed"], missed["met"], strict=True)],
                ),
                "cohort-missed-patterns",
                "Hidden risks missed, by the report's pattern (missed of met)",
            )
            w.table(missed.assign(pattern=labels))
        w.heading("Mastery of each pattern across the class")
        wide, mastery = mastery_by_pattern(cases)
        if mastery.empty:
            w.para("No shift in these stores held a near-miss pattern.")
        else:
            w.para(
                "Mastery is the chance that a trainee has learnt to catch a pattern, traced "
                "case by case over their shifts (Bayesian knowledge tracing: start 0.2, "
                "learning 0.15, slip 0.1, guess 0.2; mastered at 0.95 or above). It is what "
                "the curriculum reads to choose each trainee's next shift."
            )
            w.table(mastery.assign(pattern=[PATTERN_WORDS.get(p, p) for p in mastery["pattern"]]))
            w.table(wide.reset_index(), max_rows=200)
        w.heading("Sensitivity (d') and criterion (c)")
        w.para(
            "d' measures how well a trainee told families hiding a risk from the others; "
            "c how readily they escalated (negative: readily, positive: cautiously). Both "
            "use the log-linear correction, so a perfect shift still gives finite values."
        )
        w.figure(
            detection_figure(sessions),
            "cohort-detection",
            "d' against c per shift, and their distributions",
        )
        trainee_table = by_trainee(sessions)
        w.heading("Under- and over-triage")
        w.figure(triage_figure(trainee_table), "cohort-triage", "Under- and over-triage by trainee")
        w.table(trainee_table)
        w.heading("Checks most often not made before a miss")
        if skipped.empty:
            w.para("No hidden risk was missed for want of a check.")
        else:
            counts = skipped["check"].value_counts()
            w.figure(
                _bar_figure(
                    list(counts.index),
                    [int(v) for v in counts.to_numpy()],
                    "Checks that would have shown the risk, not made before the decision",
                    "missed cases",
                    [str(int(v)) for v in counts.to_numpy()],
                ),
                "cohort-skipped-checks",
                "Checks that would have revealed a missed risk and were not made",
            )
            w.table(counts.rename_axis("check").reset_index(name="missed cases"))
        w.heading("Every shift")
        shown = sessions.drop(columns=["store"]).sort_values(["trainee", "session"])
        w.table(shown, max_rows=200)
    page = (
        "<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>"
        f"<title>{html.escape(title)}</title><style>{STYLE}</style></head><body>"
        + "\n".join(w.parts)
        + "</body></html>\n"
    )
    path = target / "cohort.html"
    atomic_write_text(path, page)
    return path, w.figures


__all__ = ["build_cohort_report", "by_trainee", "mastery_by_pattern", "missed_by_pattern"]
