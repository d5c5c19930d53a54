"""The results folder of an experiment: what was asked, and one file per finished replication.

`experiment.json` says what the experiment is (its kind, seed, warm-up rule and the
fingerprint of every scenario in it); `results/<point>/rep-NNNN.json.gz` holds the
digest of one replication. Each file is written to a temporary name and moved into
place with `os.replace`, so a file either is complete or is not there: an interrupted
experiment leaves only finished replications behind, and running it again with the
same arguments runs only what is missing. Asking for more replications reuses the ones
already there, because replication i of a scenario is the same whatever else ran.

The folder also has the `manifest.json` every output folder has (analysis.outputs),
brought up to date at most once a second while results arrive and at the end (also
when interrupted). A stored file that no longer matches it, or that it does not list
(written after the last update by a run that was killed), is not trusted: a rerun runs
that replication again and a report leaves it out, both with a warning naming the file.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import os
import sys
import time
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from analysis.execution import shielded
from analysis.outputs import (
    MANIFEST_NAME,
    OutputError,
    OutputFolder,
    atomic_write_bytes,
    package_version,
    read_manifest,
    unlisted,
    verify,
)

MANIFEST = "experiment.json"
FORMAT_VERSION = 1
FLUSH_SECONDS = 1.0  # how often the folder's manifest is brought up to date during a run

__all__ = ["MANIFEST", "ExperimentStore", "StoreMismatch", "atomic_write_bytes"]


class StoreMismatch(ValueError):
    """The folder already holds a different experiment."""


def _identity(manifest: dict[str, Any]) -> dict[str, Any]:
    """What must match for stored replications to be reused (everything but `reps`)."""
    return {k: v for k, v in manifest.items() if k != "reps"}


def folder_identity(manifest: dict[str, Any]) -> dict[str, Any]:
    """What `manifest.json` records as the folder's identity: the command, the seed, the
    version, and a fingerprint of everything else that must match (scenarios, values...)."""
    ident = _identity({"format": FORMAT_VERSION, **manifest})
    canonical = json.dumps(ident, sort_keys=True, separators=(",", ":"))
    return {
        "command": str(manifest.get("kind", "compare")),
        "seed": manifest.get("seed"),
        "scenarios": len(manifest.get("points", [])),
        "experiment_sha256": hashlib.sha256(canonical.encode("utf-8")).hexdigest(),
        "version": package_version(),
    }


def valid_digest(data: Any) -> bool:
    """A digest has the parts every reader uses; `{}` or a stray JSON value has not."""
    return (
        isinstance(data, dict)
        and isinstance(data.get("kpis"), dict)
        and isinstance(data.get("series"), dict)
    )


def warn(message: str) -> None:
    print(f"warning: {message}", file=sys.stderr)


class ExperimentStore:
    """One experiment's results folder.

    `open` claims the folder (see analysis.outputs) and checks every stored file against
    the folder's manifest: a replication whose file was changed, cut short or swapped is
    reported and run again, never used.
    """

    def __init__(self, folder: str | os.PathLike[str], *, overwrite: bool = False) -> None:
        self.folder = Path(folder)
        self.overwrite = overwrite
        self.output: OutputFolder | None = None
        self.untrusted: dict[str, str] = {}
        self._flushed = 0.0

    @property
    def manifest_path(self) -> Path:
        return self.folder / MANIFEST

    def read_manifest(self) -> dict[str, Any] | None:
        try:
            return json.loads(self.manifest_path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return None
        except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise StoreMismatch(f"{self.manifest_path}: unreadable ({exc})") from None

    def open(self, manifest: dict[str, Any]) -> None:
        """Start or resume the experiment `manifest` describes in this folder."""
        output = OutputFolder(self.folder, identity=folder_identity(manifest))
        try:
            resumed = output.claim(overwrite=self.overwrite)
        except OutputError as exc:
            raise StoreMismatch(str(exc)) from None
        self.output = output
        manifest = {"format": FORMAT_VERSION, **manifest}
        existing = self.read_manifest() if resumed is not None else None
        if existing is not None:
            if _identity(existing) != _identity(manifest):
                raise StoreMismatch(
                    f"{self.folder} holds results of a different experiment "
                    "(other scenarios, values, seed or warm-up); use another --out folder "
                    "or add --overwrite"
                )
            manifest = dict(manifest, reps=max(int(existing["reps"]), int(manifest["reps"])))
        if resumed is not None:
            self.untrusted = dict(output.untrusted)
            self._warn_untrusted("run again")
        text = json.dumps(manifest, indent=2, sort_keys=True) + "\n"
        output.write_text(MANIFEST, text)
        output.finish(complete=False)

    def open_existing(self) -> dict[str, Any] | None:
        """Read a finished or interrupted folder without writing to it (for reports):
        the experiment, with files that fail the manifest's checks marked untrusted."""
        experiment = self.read_manifest()
        if experiment is None:
            return None
        try:
            folder_manifest = read_manifest(self.folder)
        except OutputError as exc:
            warn(f"{exc}; no stored replication can be checked, so none is used")
            self.untrusted = {"*": str(exc)}
            return experiment
        if folder_manifest is None:
            warn(f"{self.folder}: no {MANIFEST_NAME}, so its files cannot be checked")
            return experiment
        self.untrusted = verify(self.folder, folder_manifest)
        self._warn_untrusted("skipped")
        if MANIFEST in self.untrusted:
            return None
        return experiment

    def _warn_untrusted(self, consequence: str) -> None:
        for relative, reason in self.untrusted.items():
            if relative.startswith("results/") or relative == MANIFEST or not unlisted(reason):
                warn(f"{reason}; {consequence}")

    def close(self, *, complete: bool) -> None:
        """Bring the folder's manifest up to date (at the end, and when interrupted)."""
        if self.output is not None:
            with shielded():
                self.output.finish(complete=complete)

    def write_table(self, name: str, frame: Any) -> None:
        """A table (pandas DataFrame) as CSV beside the results, written atomically."""
        if self.output is None:
            raise RuntimeError("open the store before writing to it")
        self.output.write_text(name, frame.to_csv(index=False))

    def result_path(self, point: str, replication: int) -> Path:
        return self.folder / "results" / point / f"rep-{replication:04d}.json.gz"

    def _relative(self, point: str, replication: int) -> str:
        return f"results/{point}/rep-{replication:04d}.json.gz"

    def has(self, point: str, replication: int) -> bool:
        return self.result_path(point, replication).exists()

    def save(self, point: str, replication: int, digest: dict[str, Any]) -> None:
        raw = json.dumps(digest, sort_keys=True, separators=(",", ":"), allow_nan=True)
        # mtime=0 keeps the compressed bytes the same for the same digest.
        payload = gzip.compress(raw.encode("utf-8"), compresslevel=6, mtime=0)
        atomic_write_bytes(self.result_path(point, replication), payload)
        self.untrusted.pop(self._relative(point, replication), None)
        now = time.monotonic()
        if self.output is not None and now - self._flushed >= FLUSH_SECONDS:
            self.output.finish(complete=False)
            self._flushed = now

    def load(self, point: str, replication: int) -> dict[str, Any] | None:
        """The stored digest, or None when it is missing, unreadable, not a digest, or
        fails the manifest's checks (then it is run again)."""
        if "*" in self.untrusted or self._relative(point, replication) in self.untrusted:
            return None
        path = self.result_path(point, replication)
        try:
            data = json.loads(gzip.decompress(path.read_bytes()).decode("utf-8"))
        except FileNotFoundError:
            return None
        except (OSError, EOFError, ValueError) as exc:
            warn(f"{path}: unreadable ({exc}); not used")
            return None
        if not valid_digest(data):
            warn(f"{path}: not a replication's results (no KPIs or series); not used")
            return None
        return data

    def missing(self, points: Iterable[str], reps: int) -> list[tuple[str, int]]:
        return [(p, i) for p in points for i in range(reps) if self.load(p, i) is None]
