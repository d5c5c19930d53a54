"""The results folder of an experiment: what was asked, and one file per finished replication.

`experiment.json` says what the experiment is (its kind, seed, warm-up rule and the
fingerprint of every scenario in it); `results/<point>/rep-NNNN.json.gz` holds the
digest of one replication. Each file is written to a temporary name and moved into
place with `os.replace`, so a file either is complete or is not there: an interrupted
experiment leaves only finished replications behind, and running it again with the
same arguments runs only what is missing. Asking for more replications reuses the ones
already there, because replication i of a scenario is the same whatever else ran.
"""

from __future__ import annotations

import gzip
import json
import os
from collections.abc import Iterable
from pathlib import Path
from typing import Any

MANIFEST = "experiment.json"
FORMAT_VERSION = 1


class StoreMismatch(ValueError):
    """The folder already holds a different experiment."""


def atomic_write_bytes(path: Path, payload: bytes) -> None:
    """Write `payload` to `path` so that readers see the whole file or none of it."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp-{os.getpid()}")
    with open(tmp, "wb") as handle:
        handle.write(payload)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(tmp, path)


def _identity(manifest: dict[str, Any]) -> dict[str, Any]:
    """What must match for stored replications to be reused (everything but `reps`)."""
    return {k: v for k, v in manifest.items() if k != "reps"}


class ExperimentStore:
    """One experiment's results folder."""

    def __init__(self, folder: str | os.PathLike[str]) -> None:
        self.folder = Path(folder)

    @property
    def manifest_path(self) -> Path:
        return self.folder / MANIFEST

    def read_manifest(self) -> dict[str, Any] | None:
        try:
            return json.loads(self.manifest_path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return None
        except (OSError, json.JSONDecodeError) as exc:
            raise StoreMismatch(f"{self.manifest_path}: unreadable ({exc})") from None

    def open(self, manifest: dict[str, Any]) -> None:
        """Start or resume the experiment `manifest` describes in this folder."""
        manifest = {"format": FORMAT_VERSION, **manifest}
        existing = self.read_manifest()
        if existing is not None:
            if _identity(existing) != _identity(manifest):
                raise StoreMismatch(
                    f"{self.folder} holds results of a different experiment "
                    "(other scenarios, values, seed or warm-up); use another --out folder "
                    "or delete this one"
                )
            manifest = dict(manifest, reps=max(int(existing["reps"]), int(manifest["reps"])))
        text = json.dumps(manifest, indent=2, sort_keys=True) + "\n"
        atomic_write_bytes(self.manifest_path, text.encode("utf-8"))

    def result_path(self, point: str, replication: int) -> Path:
        return self.folder / "results" / point / f"rep-{replication:04d}.json.gz"

    def has(self, point: str, replication: int) -> bool:
        return self.result_path(point, replication).exists()

    def save(self, point: str, replication: int, digest: dict[str, Any]) -> None:
        raw = json.dumps(digest, sort_keys=True, separators=(",", ":"), allow_nan=True)
        # mtime=0 keeps the compressed bytes the same for the same digest.
        payload = gzip.compress(raw.encode("utf-8"), compresslevel=6, mtime=0)
        atomic_write_bytes(self.result_path(point, replication), payload)

    def load(self, point: str, replication: int) -> dict[str, Any] | None:
        """The stored digest, or None when it is missing or unreadable (then run it again)."""
        path = self.result_path(point, replication)
        try:
            return json.loads(gzip.decompress(path.read_bytes()).decode("utf-8"))
        except FileNotFoundError:
            return None
        except (OSError, EOFError, ValueError):
            return None

    def missing(self, points: Iterable[str], reps: int) -> list[tuple[str, int]]:
        return [(p, i) for p in points for i in range(reps) if self.load(p, i) is None]
