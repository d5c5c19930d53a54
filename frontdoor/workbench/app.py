"""The Streamlit script of the managers' workbench (started by `frontdoor workbench`).

Streamlit runs this script afresh for every browser session and every interaction. Runs
are kept by one `RunManager` per server (`st.cache_resource`), so every tab sees every
run; the run a page shows is named in its address (`?run=KEY`), so a second tab opened
on that address follows the same run instead of starting another.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import streamlit as st

from frontdoor.workbench import inputs
from frontdoor.workbench.runs import Run, RunManager

# `view` (pandas, the analysis) is imported where a run is shown, so the first page,
# which has none, is drawn without waiting for it.

SCHEDULER_ENV = "FRONTDOOR_WORKBENCH_SCHEDULER"
WORKDIR_ENV = "FRONTDOOR_WORKBENCH_DIR"


@st.cache_resource(show_spinner=False)
def manager() -> RunManager:
    """The server's one registry of runs (shared by every tab and session)."""
    folder = os.environ.get(WORKDIR_ENV) or tempfile.mkdtemp(prefix="frontdoor-workbench-")
    Path(folder).mkdir(parents=True, exist_ok=True)
    return RunManager(workdir=Path(folder), scheduler=os.environ.get(SCHEDULER_ENV) or None)


def choose_source() -> inputs.Source | None:
    st.sidebar.header("Start from")
    kind = st.sidebar.radio("Scenario", ["Bundled scenario", "Upload a YAML file"], key="kind")
    if kind == "Bundled scenario":
        names = inputs.bundled_names()
        name = st.sidebar.selectbox(
            "Bundled scenario", names, index=names.index("baseline") if "baseline" in names else 0
        )
        return inputs.bundled_source(name)
    upload = st.sidebar.file_uploader(
        f"Scenario file (YAML, at most {inputs.MAX_UPLOAD_BYTES // 1024} KiB)",
        type=["yaml", "yml"],
    )
    if upload is None:
        st.info("Upload a scenario file in the sidebar, or choose a bundled scenario.")
        return None
    source, error = inputs.uploaded_source(upload.name, upload.getvalue())
    if error:
        st.error(f"The uploaded scenario was not accepted: {error}")
    return source


def experiment_settings() -> tuple[int, int]:
    st.sidebar.header("Replications")
    seed = int(st.sidebar.number_input("Seed (0 or more)", min_value=0, value=1, step=1))
    reps = int(
        st.sidebar.number_input(
            "Paired replications (2 to 50)", min_value=2, max_value=50, value=2, step=1
        )
    )
    return seed, reps


def run_button(source: inputs.Source, seed: int, reps: int) -> None:
    changes, problems = inputs.lever_panel(source)
    baseline, policy, combined = (
        inputs.scenarios_to_run(source, changes) if not problems else (None, None, {})
    )
    problems.update(combined)
    inputs.show_problems(problems)
    changed = ", ".join(f"{p} = {v}" for p, v in changes.items()) or "nothing yet"
    st.markdown(f"**Changed:** {changed}")
    disabled = bool(problems) or policy is None
    if st.button(f"Run {reps} paired replications", type="primary", disabled=disabled):
        assert baseline is not None and policy is not None
        run = manager().start(baseline=baseline, policy=policy, seed=seed, reps=reps)
        st.query_params["run"] = run.key
        history = st.session_state.setdefault("history", [])
        if run.key not in history:
            history.append(run.key)
        st.session_state["changes"] = {**st.session_state.get("changes", {}), run.key: changed}


def show_run(key: str) -> None:
    from frontdoor.workbench import view

    run = manager().get(key)
    if run is None:
        st.warning("That run is not on this server (it may have been restarted).")
        return
    st.header(f"Run {key[:8]}: {run.policy.name} against {run.baseline.name}")
    if run.active:
        st.fragment(view.show_progress, run_every=0.5)(manager(), key)
        return
    if run.status == "cancelled":
        st.warning(f"This run was cancelled after {run.done} of {run.total} replications.")
        return
    if run.status == "failed":
        st.error(f"This run failed: {run.error}")
        return
    view.show_answer(run)
    st.subheader("Keep the work")
    polling = run.extras_pending()
    st.fragment(_extras, run_every=1.0 if polling else None)(run, polling)


def _extras(run: Run, polling: bool) -> None:
    from frontdoor.workbench import view

    view.show_downloads(run)
    st.subheader("Watch the front door")
    if run.animation is not None:
        st.plotly_chart(run.animation, key=f"anim-{run.key}")
        st.caption(
            "Each dot is a referral, coloured by the concern referred: physical red, sexual "
            "purple, neglect amber, emotional blue, none grey. Press Play or drag the day."
        )
    elif run.animation_error:
        st.error(f"The animation could not be built: {run.animation_error}")
    else:
        st.caption("The animation of replication 1 is being built…")
    if polling and not run.extras_pending():
        st.rerun()  # everything is ready: draw the page once more and stop polling


def show_history() -> None:
    keys = st.session_state.get("history", [])
    runs = [r for r in (manager().get(k) for k in keys) if r is not None and r.status == "done"]
    if len(runs) < 1:
        return
    from frontdoor.workbench import view

    st.header("Runs in this browser session")
    frames = {}
    for run in runs:
        table = view.differences_table(run).set_index("KPI")
        label = f"{run.key[:8]} ({st.session_state.get('changes', {}).get(run.key, '')})"
        frames[label] = table["difference (95% interval)"] + " · " + table["verdict"]
    st.dataframe(pd_frame(frames), key="history-table")


def pd_frame(columns: dict[str, object]) -> object:
    import pandas as pd

    return pd.DataFrame(columns)


def main() -> None:
    st.set_page_config(page_title="Front Door workbench", layout="wide")
    st.title("Front Door workbench")
    st.caption(
        "Try a policy on the same model, runner and analysis as the frontdoor command: "
        "change the levers, run paired replications against the baseline, read the answer."
    )
    source = choose_source()
    seed, reps = experiment_settings()
    left, right = st.columns([2, 3], gap="large")
    with left:
        if source is not None:
            run_button(source, seed, reps)
    with right:
        key = st.query_params.get("run")
        if key:
            show_run(key)
        else:
            st.info("Change the levers on the left, then run: the answer appears here.")
    show_history()


main()
