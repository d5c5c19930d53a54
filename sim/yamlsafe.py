"""Safe loading of scenario YAML files, with error messages people can act on.

Scenario files are written by hand, so mistakes in them should be reported the
way a compiler reports mistakes in source code: the file name, the line and
column, the setting that is wrong and what is wrong with it, in one plain line.

This module parses YAML with PyYAML's safe loader only, and is stricter than
YAML itself. It refuses:

* files that are too large, empty, or hold only comments;
* more than one document in a file, or a top level that is not a mapping;
* tags of any kind (``!!python/object``, ``!custom``, even ``!!str``);
* anchors, aliases and merge keys (``&name``, ``*name``, ``<<``);
* the same key twice in one mapping, and keys that are not text;
* nesting deeper than a fixed limit.

Every refusal is a single :class:`ScenarioError`. The parsed data is then
checked against a pydantic model, and the first validation problem is turned
into a :class:`ScenarioError` that points at the right place in the file.

The work is done in three modules: `sim/yaml_errors.py` (the error and positions),
`sim/yaml_reader.py` (the strict parser) and `sim/yaml_validation.py` (pydantic's errors
in plain words); this module reads files and is the one the rest of the code imports.
"""

from __future__ import annotations

import copy
import hashlib
import os

import pydantic

from sim.yaml_errors import KeyPath, PositionMap, ScenarioError
from sim.yaml_reader import DEFAULT_MAX_BYTES, load_yaml_document, size_error
from sim.yaml_validation import validate_document

__all__ = (
    "KeyPath",
    "PositionMap",
    "ScenarioError",
    "load_model_file",
    "load_yaml_document",
    "read_document",
    "validate_document",
)


def load_model_file(
    model: type[pydantic.BaseModel],
    path: str | os.PathLike[str],
    *,
    max_bytes: int = DEFAULT_MAX_BYTES,
) -> pydantic.BaseModel:
    """Read a YAML file, parse it strictly and validate it against ``model``.

    Raises :class:`ScenarioError` if the file is missing, is a directory, is
    too large, is not UTF-8 text, is not acceptable YAML, or does not match
    the model.
    """
    name = os.fsdecode(path)
    data, positions = read_document(path, max_bytes=max_bytes)
    return validate_document(model, data, positions, name)


# Documents already parsed, by the digest of their bytes: the same bytes always give the
# same settings and positions, so a file named by many others (every bundled exercise
# names one team file) is parsed once. Only what parsed cleanly is kept (an error names
# the file it was read from); each caller gets its own copy to change.
_PARSED: dict[bytes, tuple[object, PositionMap]] = {}
_PARSED_MAX = 64


def read_document(
    path: str | os.PathLike[str], *, max_bytes: int = DEFAULT_MAX_BYTES
) -> tuple[object, PositionMap]:
    """Read and parse a YAML file strictly, without validating it against a model."""
    name = os.fsdecode(path)
    if os.path.isdir(name):
        raise ScenarioError(name, "this is a directory, not a file")
    try:
        with open(name, "rb") as handle:
            size = os.fstat(handle.fileno()).st_size
            raw = handle.read(max_bytes + 1)
    except FileNotFoundError:
        raise ScenarioError(name, "the file does not exist") from None
    except IsADirectoryError:
        raise ScenarioError(name, "this is a directory, not a file") from None
    except OSError as exc:
        reason = exc.strerror or type(exc).__name__
        raise ScenarioError(name, f"the file could not be read ({reason.lower()})") from None
    if len(raw) > max_bytes:
        raise size_error(name, max(size, len(raw)), max_bytes)
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ScenarioError(
            name,
            f"the file is not UTF-8 text (byte {raw[exc.start]:#04x} at offset {exc.start} "
            "cannot be decoded); save it as UTF-8",
        ) from None
    key = hashlib.sha256(raw).digest()
    parsed = _PARSED.get(key)
    if parsed is None:
        parsed = load_yaml_document(text, name, max_bytes=max_bytes)
        if len(_PARSED) >= _PARSED_MAX:
            _PARSED.clear()
        _PARSED[key] = parsed
    return copy.deepcopy(parsed)
