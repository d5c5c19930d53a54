"""Every analysis table written to take away: CSV and Parquet under ``tables/``.

`run --out`, `compare --out`, `sweep --out` and `explain --out` write the tables here,
one file pair per table (``tables/<name>.csv`` and ``tables/<name>.parquet``), so a
researcher can read them in R, Stata or pandas without scraping HTML. Every table has
one unit convention: counts are per year of measured time, and every such column says
``_per_year`` in its name (in long tables the KPI's name carries the suffix). The
tables and their columns are described in docs/tables.md.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import pandas as pd

from analysis.kpis import COUNT_KPIS

__all__ = ["TABLE_NAMES", "experiment_tables", "per_year_name", "write_tables"]

TABLE_NAMES: tuple[str, ...] = (
    "kpis",
    "differences",
    "incident_pyramid",
    "barriers",
    "swiss_cheese",
    "grading_matrix",
    "latent_conditions",
    "explain",
    "explain_joint",
)


def per_year_name(kpi: str) -> str:
    """A count KPI's name with ``_per_year`` (the unit of every count in the tables)."""
    return f"{kpi}_per_year" if kpi in COUNT_KPIS else kpi


def _parquet_ready(frame: pd.DataFrame) -> pd.DataFrame:
    """Columns of mixed Python objects as text, so Parquet has one type per column."""
    out = frame.copy()
    for name in out.columns:
        if out[name].dtype == object:
            values = out[name]
            kinds = {type(v) for v in values if v is not None and v == v}
            if len(kinds) > 1 or (kinds and not kinds <= {str, bool}):
                out[name] = [None if v is None or v != v else str(v) for v in values]
    return out


def write_tables(folder: str | Path, tables: Mapping[str, pd.DataFrame]) -> list[Path]:
    """Write each table as ``folder/tables/<name>.csv`` and ``.parquet``; returns the paths.

    Parquet is skipped (CSV still written) when pyarrow is not installed.
    """
    unknown = set(tables) - set(TABLE_NAMES)
    if unknown:
        raise ValueError(f"unknown table(s): {', '.join(sorted(unknown))}")
    target = Path(folder) / "tables"
    target.mkdir(parents=True, exist_ok=True)
    try:
        import pyarrow  # noqa: F401

        parquet = True
    except ImportError:
        parquet = False
    written = []
    for name, frame in tables.items():
        csv_path = target / f"{name}.csv"
        frame.to_csv(csv_path, index=False)
        written.append(csv_path)
        if parquet:
            pq_path = target / f"{name}.parquet"
            _parquet_ready(frame).to_parquet(pq_path, index=False)
            written.append(pq_path)
    return written


def _per_year_long(frame: pd.DataFrame) -> pd.DataFrame:
    """A long table (one row per KPI) with count KPIs renamed ``<kpi>_per_year``."""
    out = frame.copy()
    out["kpi"] = [per_year_name(k) for k in out["kpi"]]
    return out


def _by_scenario(
    scenarios: Sequence[tuple[str, Sequence[dict[str, Any]]]], table: Any
) -> pd.DataFrame:
    """One incident table per scenario, stacked with a leading ``scenario`` column."""
    frames = []
    for label, digests in scenarios:
        frame = table(digests)
        frame.insert(0, "scenario", label)
        frames.append(frame)
    frames = [f for f in frames if not f.empty]
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=["scenario"])


def latent_conditions_table(digests: Sequence[dict[str, Any]]) -> pd.DataFrame:
    """`analysis.incidents.barrier_conditions` with its one total turned into a rate a
    year (``tests_with_condition_per_year``), so every count in it is per year."""
    from analysis import incidents as inc

    frame = inc.barrier_conditions(digests).copy()
    years = inc.measured_years(digests)
    if "tests_with_condition" in frame:
        frame["tests_with_condition"] = frame["tests_with_condition"].astype(float) / (
            years if years else float("nan")
        )
        frame = frame.rename(columns={"tests_with_condition": "tests_with_condition_per_year"})
    return frame


def barriers_table(digests: Sequence[dict[str, Any]]) -> pd.DataFrame:
    """`analysis.incidents.barrier_analysis` with its hole counts (already a year) named
    ``..._per_year``."""
    from analysis import incidents as inc

    frame = inc.barrier_analysis(digests)
    renames = {
        c: f"{c}_per_year"
        for c in frame.columns
        if c.startswith("holes_") and not c.startswith("share") and not c.endswith("_per_year")
    }
    return frame.rename(columns=renames)


def incident_tables(
    scenarios: Sequence[tuple[str, Sequence[dict[str, Any]]]],
) -> dict[str, pd.DataFrame]:
    """The incident analyses of each scenario's digests, stacked by scenario."""
    from analysis import incidents as inc

    return {
        "incident_pyramid": _by_scenario(scenarios, inc.incident_pyramid),
        "barriers": _by_scenario(scenarios, barriers_table),
        "swiss_cheese": _by_scenario(scenarios, inc.swiss_cheese_alignment),
        "grading_matrix": _by_scenario(scenarios, inc.grading_matrix),
        "latent_conditions": _by_scenario(scenarios, latent_conditions_table),
    }


def kpis_table(frame: pd.DataFrame) -> pd.DataFrame:
    """Per-replication KPIs (counts already per year) with count columns renamed."""
    return frame.rename(columns={k: per_year_name(k) for k in COUNT_KPIS})


def experiment_tables(
    result: Any, differences: pd.DataFrame | None = None
) -> dict[str, pd.DataFrame]:
    """Every table of an experiment (`analysis.experiment.ExperimentResult`): per-year
    KPIs per replication, paired differences with verdicts, and the incident tables."""
    tables = {"kpis": kpis_table(result.kpi_frame(per_year=True))}
    if differences is not None:
        tables["differences"] = _per_year_long(differences)
    scenarios = [(p.label, result.digests[p.id]) for p in result.points]
    tables.update(incident_tables(scenarios))
    return tables
