"""The `--out` folder of `frontdoor run`: each replication stored the moment it finishes.

`replications/repNNN.json.gz` holds one replication's KPIs, cases and digest, beside its
event log (a folder of tables, `events-repNNN/`); `kpis.csv`, `cases.csv` and
`summary.json` are written once all replications are in. Every file goes through
analysis.outputs: written under a temporary name and renamed, and covered by the
folder's `manifest.json`, which is brought up to date as results arrive and when the run
is interrupted.

So an interrupted run keeps every replication that finished, `frontdoor report` can
read them, and a rerun with the same arguments runs only what is missing. A file that
fails the manifest's checks puts its replication (found by the `repNNN` in its name)
under suspicion: a rerun runs it again, a report leaves it out, both with a warning.
"""

from __future__ import annotations

import gzip
import json
import re
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from analysis.execution import shielded
from analysis.outputs import OutputError, OutputFolder, read_manifest, unlisted, verify

REPLICATIONS = "replications"
FLUSH_SECONDS = 1.0
_REP_IN_NAME = re.compile(r"rep-?(\d+)")


def warn(message: str) -> None:
    print(f"warning: {message}", file=sys.stderr)


def replication_file(replication: int) -> str:
    return f"{REPLICATIONS}/rep{replication:03d}.json.gz"


def suspect_replications(untrusted: dict[str, str]) -> set[int]:
    """Replications named by files that failed their checks."""
    found = set()
    for relative in untrusted:
        numbers = _REP_IN_NAME.findall(relative)  # the file's, or its folder's (events-repNNN/)
        if numbers:
            found.add(int(numbers[-1]))
    return found


def report_untrusted(untrusted: dict[str, str], consequence: str) -> set[int]:
    """Warn about files that fail their checks and return the replications they name.
    Unlisted files that name no replication (a report written here later) are ignored."""
    suspects = suspect_replications(untrusted)
    for relative, reason in untrusted.items():
        if unlisted(reason) and not suspect_replications({relative: reason}):
            continue
        warn(f"{reason}; {consequence}")
    return suspects


def _read_replication(path: Path) -> dict[str, Any] | None:
    try:
        data = json.loads(gzip.decompress(path.read_bytes()).decode("utf-8"))
    except FileNotFoundError:
        return None
    except (OSError, EOFError, ValueError) as exc:
        warn(f"{path}: unreadable ({exc}); not used")
        return None
    if not isinstance(data, dict) or not isinstance(data.get("kpis"), dict):
        warn(f"{path}: not a replication's results (no KPIs); not used")
        return None
    return data


@dataclass
class RunStore:
    """A run's folder being written; `open` it, `save` each result, `finish` it."""

    output: OutputFolder
    suspects: set[int] = field(default_factory=set)
    _flushed: float = 0.0

    @classmethod
    def open(
        cls, folder: Path, *, identity: dict[str, Any], reps: int, overwrite: bool
    ) -> RunStore:
        """Claim `folder` for this run (OutputError if it holds other results)."""
        output = OutputFolder(folder, identity=identity, details={"reps": reps})
        resumed = output.claim(overwrite=overwrite)
        store = cls(output)
        if resumed is not None:
            store.suspects = report_untrusted(output.untrusted, "run again")
        return store

    def load(self, replication: int) -> dict[str, Any] | None:
        """A stored replication that passed its checks, or None (then run it)."""
        if replication in self.suspects:
            return None
        return _read_replication(self.output.path(replication_file(replication)))

    def save(self, replication: int, record: dict[str, Any]) -> None:
        raw = json.dumps(record, sort_keys=True, separators=(",", ":"), allow_nan=True)
        payload = gzip.compress(raw.encode("utf-8"), compresslevel=6, mtime=0)
        self.output.write_bytes(replication_file(replication), payload)
        self.suspects.discard(replication)
        now = time.monotonic()
        if now - self._flushed >= FLUSH_SECONDS:
            self.output.finish(complete=False)
            self._flushed = now

    def finish(self, *, complete: bool) -> None:
        with shielded():
            self.output.finish(complete=complete)


@dataclass(frozen=True)
class StoredRun:
    """What a report can trust in a run folder."""

    summary: dict[str, Any]
    records: list[dict[str, Any]]


def read_run_folder(folder: Path) -> StoredRun | None:
    """The trusted replications of a `run --out` folder (None when it has none).

    Files that fail the manifest's checks are named in a warning and left out; a folder
    with no manifest (made by an older version) is read with a warning that it cannot be
    checked. Raises OutputError for a manifest that cannot be read at all.
    """
    manifest = read_manifest(folder)
    untrusted: dict[str, str] = {}
    if manifest is None:
        warn(f"{folder}: no manifest.json, so its files cannot be checked")
    else:
        untrusted = verify(folder, manifest)
    suspects = report_untrusted(untrusted, "skipped")
    summary: dict[str, Any] = {}
    summary_path = folder / "summary.json"
    if summary_path.exists() and "summary.json" not in untrusted:
        try:
            summary = json.loads(summary_path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise OutputError(f"{summary_path}: unreadable ({exc})") from None
    details = manifest or {}
    reps = summary.get("reps", details.get("reps"))
    records = []
    for path in sorted((folder / REPLICATIONS).glob("rep*.json.gz")):
        match = _REP_IN_NAME.search(path.name)
        if match is None:
            continue
        i = int(match.group(1))
        if i in suspects or (reps is not None and i >= int(reps)):
            continue
        record = _read_replication(path)
        if record is not None and isinstance(record.get("digest"), dict):
            records.append(record)
    if not records:
        return None
    if not summary:
        identity = details.get("identity", {})
        summary = {"scenario": details.get("scenario", folder.name), **identity}
    return StoredRun(summary=summary, records=records)
