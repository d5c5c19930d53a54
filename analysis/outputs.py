"""Output folders that say what made them and whether their files are intact.

Every `--out` folder holds `manifest.json`: the command that made it, what identifies its
results (scenario fingerprints, seed, version...), and for every file in the folder its
size and SHA-256. Files are written to a temporary name and renamed into place, so a file
is either complete or absent; the manifest is written last, the same way.

A folder is claimed before anything is written: a folder made by another command,
scenario or seed is refused (`OutputError`, a usage error) unless the caller asks to
overwrite it, which empties it first. Readers call `verify` and get, for each file that
no longer matches its manifest entry, a plain sentence naming it; they skip such files
and keep the rest.

The manifest covers whatever files are in the folder (found by walking it), not a fixed
list, so writers may add files and layouts without touching this module.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

MANIFEST_NAME = "manifest.json"
MANIFEST_FORMAT = 1
_TMP_MARK = ".tmp-"
NOT_LISTED = f"not listed in {MANIFEST_NAME}"


class OutputError(ValueError):
    """An output folder that cannot be used as asked; the message says which and why."""


def package_version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("frontdoor")
    except PackageNotFoundError:
        return "unknown"


def _temporary_name(path: Path) -> Path:
    return path.with_name(f".{path.name}{_TMP_MARK}{os.getpid()}")


@contextmanager
def atomic_path(path: str | os.PathLike[str]) -> Iterator[Path]:
    """A temporary path to write `path` through; renamed into place only on success."""
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = _temporary_name(target)
    try:
        yield tmp
        with open(tmp, "rb+") as handle:
            os.fsync(handle.fileno())
        os.replace(tmp, target)
    finally:
        if tmp.exists():
            tmp.unlink()


def atomic_write_bytes(path: str | os.PathLike[str], payload: bytes) -> None:
    """Write `payload` to `path` so that readers see the whole file or none of it."""
    with atomic_path(path) as tmp:
        tmp.write_bytes(payload)


def atomic_write_text(path: str | os.PathLike[str], text: str) -> None:
    atomic_write_bytes(path, text.encode("utf-8"))


def file_digest(path: Path) -> tuple[int, str]:
    """Size in bytes and SHA-256 (hex) of a file."""
    sha = hashlib.sha256()
    size = 0
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            sha.update(block)
            size += len(block)
    return size, sha.hexdigest()


def _is_ours(relative: str) -> bool:
    """Files a manifest covers: everything but itself and unfinished temporary files."""
    name = relative.rsplit("/", 1)[-1]
    return relative != MANIFEST_NAME and not (name.startswith(".") and _TMP_MARK in name)


def folder_files(folder: Path) -> list[str]:
    """Every file under `folder` a manifest covers, as sorted POSIX relative paths."""
    found = []
    for root, _dirs, names in os.walk(folder):
        for name in names:
            relative = (Path(root) / name).relative_to(folder).as_posix()
            if _is_ours(relative):
                found.append(relative)
    return sorted(found)


def read_manifest(folder: str | os.PathLike[str]) -> dict[str, Any] | None:
    """The folder's manifest, None when it has none; an unreadable one is an OutputError."""
    path = Path(folder) / MANIFEST_NAME
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise OutputError(f"{path}: unreadable manifest ({exc})") from None
    if not isinstance(data, dict) or not isinstance(data.get("files"), dict):
        raise OutputError(f"{path}: not a Front Door manifest (no 'files' table)")
    return data


def verify(folder: str | os.PathLike[str], manifest: Mapping[str, Any]) -> dict[str, str]:
    """Files that do not match `manifest`, each with the reason in plain words.

    A listed file that is missing, or whose size or checksum differs, and a file in the
    folder the manifest does not list, are all reported; the rest can be trusted.
    """
    root = Path(folder)
    listed: Mapping[str, Any] = manifest.get("files", {})
    problems: dict[str, str] = {}
    for relative, entry in listed.items():
        path = root / relative
        try:
            size, sha = file_digest(path)
        except FileNotFoundError:
            problems[relative] = f"{path}: listed in {MANIFEST_NAME} but missing"
            continue
        except OSError as exc:
            problems[relative] = f"{path}: unreadable ({exc.strerror or exc})"
            continue
        if size != entry.get("size"):
            problems[relative] = (
                f"{path}: {size} bytes, but {MANIFEST_NAME} says {entry.get('size')} "
                "(cut short or changed since it was written)"
            )
        elif sha != entry.get("sha256"):
            problems[relative] = (
                f"{path}: contents changed since it was written (SHA-256 differs from "
                f"{MANIFEST_NAME})"
            )
    for relative in folder_files(root):
        if relative not in listed:
            problems[relative] = f"{root / relative}: {NOT_LISTED}"
    return problems


def unlisted(reason: str) -> bool:
    """A `verify` problem that is only a file the manifest does not list (a report made
    in the folder afterwards, or results written after the last manifest update)."""
    return reason.endswith(NOT_LISTED)


def _describe(identity: Mapping[str, Any]) -> str:
    parts = [f"`frontdoor {identity.get('command', '?')}`"]
    for key, value in identity.items():
        if key == "command":
            continue
        text = json.dumps(value) if not isinstance(value, str) else value
        parts.append(f"{key} {text[:60]}")
    return ", ".join(parts)


@dataclass
class OutputFolder:
    """One `--out` folder being written: claim it, write through it, then `finish`."""

    folder: Path
    identity: dict[str, Any]
    details: dict[str, Any] = field(default_factory=dict)
    untrusted: dict[str, str] = field(default_factory=dict)  # after `claim`: files that fail
    _known: dict[str, tuple[int, int, int, str]] = field(default_factory=dict)

    def claim(self, *, overwrite: bool = False) -> dict[str, Any] | None:
        """Make sure the folder is ours to write; returns the manifest of a run to resume.

        Refused (OutputError) when the path is a file, or the folder holds results of
        another command, scenario or seed, or files with no manifest, unless `overwrite`,
        which empties the folder first.
        """
        folder = self.folder
        if folder.exists() and not folder.is_dir():
            raise OutputError(f"--out {folder}: is a file, not a folder; give a folder path")
        if folder.is_dir() and any(folder.iterdir()):
            existing = None if overwrite else self._existing()
            if existing is not None and existing.get("identity") == self.identity:
                self._trust(existing)
                return existing
            if not overwrite:
                raise OutputError(self._refusal(existing))
            _empty(folder)
        try:
            folder.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise OutputError(f"--out {folder}: cannot create ({exc.strerror or exc})") from None
        self.finish(complete=False)
        return None

    def _existing(self) -> dict[str, Any] | None:
        try:
            return read_manifest(self.folder)
        except OutputError:
            return None

    def _refusal(self, existing: Mapping[str, Any] | None) -> str:
        where = self.folder / MANIFEST_NAME
        if existing is None:
            return (
                f"--out {self.folder}: the folder already holds files and no readable "
                f"{MANIFEST_NAME}, so they were not made by this run; use another folder "
                "or add --overwrite to empty it first"
            )
        return (
            f"{where}: this folder holds results of {_describe(existing.get('identity', {}))}; "
            f"this run is {_describe(self.identity)}. Use another --out folder or add "
            "--overwrite to empty it first"
        )

    def _trust(self, manifest: Mapping[str, Any]) -> None:
        """Remember checksums of listed files that still match, so they are not re-read,
        and which files fail their checks (`untrusted`)."""
        bad = self.untrusted = verify(self.folder, manifest)
        for relative, entry in manifest.get("files", {}).items():
            if relative in bad:
                continue
            stat = (self.folder / relative).stat()
            self._known[relative] = (stat.st_size, stat.st_mtime_ns, stat.st_ino, entry["sha256"])

    def path(self, relative: str) -> Path:
        return self.folder / relative

    def write_bytes(self, relative: str, payload: bytes) -> None:
        atomic_write_bytes(self.folder / relative, payload)

    def write_text(self, relative: str, text: str) -> None:
        self.write_bytes(relative, text.encode("utf-8"))

    @contextmanager
    def writing(self, relative: str) -> Iterator[Path]:
        """A temporary path to write `relative` through (for writers that want a path)."""
        with atomic_path(self.folder / relative) as tmp:
            yield tmp

    def files(self) -> dict[str, dict[str, Any]]:
        """Size and SHA-256 of every file in the folder (re-read only when it changed)."""
        table: dict[str, dict[str, Any]] = {}
        for relative in folder_files(self.folder):
            path = self.folder / relative
            try:
                stat = path.stat()
                known = self._known.get(relative)
                key = (stat.st_size, stat.st_mtime_ns, stat.st_ino)
                if known is not None and known[:3] == key:
                    sha = known[3]
                else:
                    size, sha = file_digest(path)
                    if size != stat.st_size:
                        continue  # being replaced as we read; the next manifest has it
                    self._known[relative] = (*key, sha)
            except FileNotFoundError:
                continue
            table[relative] = {"size": stat.st_size, "sha256": sha}
        return table

    def finish(self, *, complete: bool, **details: Any) -> dict[str, Any]:
        """Write the manifest covering every file now in the folder (atomically, last)."""
        self.details.update(details)
        manifest = {
            "format": MANIFEST_FORMAT,
            "tool": "frontdoor",
            "version": package_version(),
            "identity": self.identity,
            "complete": complete,
            **self.details,
            "files": self.files(),
        }
        text = json.dumps(manifest, indent=2, sort_keys=True, allow_nan=False) + "\n"
        atomic_write_text(self.folder / MANIFEST_NAME, text)
        return manifest


def _empty(folder: Path) -> None:
    """Remove everything inside `folder` (for --overwrite), keeping the folder itself.
    The filesystem root, the home folder and the current folder (or one holding it) are
    never emptied: --overwrite is for a results folder, not a slip of the keyboard."""
    resolved = folder.resolve()
    cwd = Path.cwd().resolve()
    if resolved in (Path(resolved.anchor), Path.home().resolve(), cwd, *cwd.parents):
        raise OutputError(
            f"--overwrite {folder}: will not empty {resolved} (the root, your home folder, "
            "or the current folder or one above it); give a folder for these results only"
        )
    for child in folder.iterdir():
        if child.is_dir() and not child.is_symlink():
            shutil.rmtree(child)
        else:
            child.unlink()


def check_output_file(path: str | os.PathLike[str]) -> Path:
    """An output file path that can be written: not a folder, its folder exists."""
    target = Path(path)
    if target.is_dir():
        raise OutputError(f"{target}: is a folder; give a file name to write")
    if not target.parent.is_dir():
        raise OutputError(f"{target}: the folder {target.parent} does not exist")
    return target
