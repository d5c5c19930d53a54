"""Tests for sim.yamlsafe: strict, safe YAML loading with located error messages."""

from __future__ import annotations

import math
import pickle
from pathlib import Path
from typing import Literal

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic import BaseModel, ConfigDict, Field

from sim.yamlsafe import (
    KeyPath,
    ScenarioError,
    load_model_file,
    load_yaml_document,
    validate_document,
)

# ---------------------------------------------------------------------------
# A small model shaped like a scenario file
# ---------------------------------------------------------------------------


class Worker(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str
    role: Literal["student", "newly_qualified", "senior"]
    fte: float = 1.0


class Staff(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    manager: str
    workers: list[Worker]


class Scenario(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    title: str
    days: int = Field(gt=0)
    staff: Staff


VALID = """\
# A valid scenario.
title: Winter pressures
days: 30
staff:
  manager: Sam
  workers:
    - name: Ada
      role: senior
    - name: Bo
      role: student
      fte: 0.5
"""


def write(tmp_path: Path, text: str | bytes, name: str = "scenario.yaml") -> Path:
    target = tmp_path / name
    if isinstance(text, bytes):
        target.write_bytes(text)
    else:
        target.write_text(text, encoding="utf-8")
    return target


def load_error(path: Path, **kwargs: int) -> ScenarioError:
    with pytest.raises(ScenarioError) as info:
        load_model_file(Scenario, path, **kwargs)
    return info.value


# ---------------------------------------------------------------------------
# Valid documents
# ---------------------------------------------------------------------------


def test_valid_document_round_trips(tmp_path: Path) -> None:
    scenario = load_model_file(Scenario, write(tmp_path, VALID))
    assert isinstance(scenario, Scenario)
    assert scenario.title == "Winter pressures"
    assert scenario.days == 30
    assert scenario.staff.manager == "Sam"
    assert [w.role for w in scenario.staff.workers] == ["senior", "student"]
    assert scenario.staff.workers[1].fte == 0.5
    again = load_model_file(Scenario, write(tmp_path, yaml.safe_dump(scenario.model_dump()), "b"))
    assert again == scenario


def test_positions_point_at_keys_and_values() -> None:
    data, positions = load_yaml_document(VALID, "v.yaml")
    assert isinstance(data, dict)
    assert positions[()] == (2, 1)
    assert positions[("title",)] == (2, 1)
    assert positions.value_positions[("title",)] == (2, 8)
    assert positions[("staff", "workers")] == (6, 3)
    assert positions[("staff", "workers", 1)] == (9, 7)
    assert positions[("staff", "workers", 1, "fte")] == (11, 7)
    assert positions.value_positions[("staff", "workers", 1, "fte")] == (11, 12)


def test_path_object_and_str_path_both_work(tmp_path: Path) -> None:
    target = write(tmp_path, VALID)
    assert load_model_file(Scenario, str(target)) == load_model_file(Scenario, target)


def test_yaml_11_booleans_and_quoted_specials_are_kept() -> None:
    data, _ = load_yaml_document('a: yes\nb: "<<"\nc: "="\nd: =\n"on": off\n', "x.yaml")
    assert data == {"a": True, "b": "<<", "c": "=", "d": "=", "on": False}


# ---------------------------------------------------------------------------
# Malformed documents: each gives one ScenarioError with line, column, field
# ---------------------------------------------------------------------------

# (document, line, column, field, words expected in the message)
MALFORMED: list[tuple[str, int, int, str | None, str]] = [
    # wrong type: points at the value
    (VALID.replace("days: 30", "days: lots"), 3, 7, "days", "valid integer"),
    # Literal field with a bad value, inside a list
    (VALID.replace("role: student", "role: wizard"), 10, 13, "staff.workers.1.role", "'wizard'"),
    # negative number for a gt=0 field
    (VALID.replace("days: 30", "days: -4"), 3, 7, "days", "greater than 0 (got -4)"),
    # unknown field, nested: points at the key
    (VALID + "      grade: 7\n", 12, 7, "staff.workers.1.grade", "unknown field 'grade'"),
    # missing required field: points at the parent
    (VALID.replace("  manager: Sam\n", ""), 4, 1, "staff.manager", "missing required field"),
    # missing required field inside a list item: points at the item
    (
        VALID.replace("    - name: Ada\n      role", "    - role"),
        7,
        7,
        "staff.workers.0.name",
        "missing required field 'name'",
    ),
    # duplicate keys, top level and nested: points at the second one
    (VALID + "days: 31\n", 12, 1, "days", "'days' (first on line 3, again on line 12)"),
    (
        VALID.replace("fte: 0.5", "fte: 0.5\n      name: Cy"),
        12,
        7,
        "staff.workers.1.name",
        "duplicate key 'name'",
    ),
    # anchors, aliases, merge keys
    # (refusals name the field they were found at)
    ("title: &t hello\ndays: 1\n", 1, 8, "title", "anchors are not allowed"),
    ("title: x\nother: *t\n", 2, 8, "other", "aliases are not allowed"),
    ("base: {days: 1}\nmine:\n  <<: {title: x}\n", 3, 3, "mine", "merge keys"),
    ("title: x\n<<: *base\n", 2, 1, None, "merge keys"),
    # tags of every kind
    ("title: !!python/object/apply:os.system ['echo hi']\n", 1, 8, "title", "tags are not allowed"),
    ("title: x\nstaff: !Staff {manager: m}\n", 2, 8, "staff", "'!Staff'"),
    ("title: !!str 5\n", 1, 8, "title", "'!!str'"),
    ("title: ! x\n", 1, 8, "title", "tags are not allowed"),
    # empty and comment-only files
    ("", 1, 1, None, "the file is empty"),
    ("# nothing here\n\n   # or here\n", 1, 1, None, "the file is empty"),
    ("---\n# only a marker\n", 1, 1, None, "the file is empty"),
    # top level not a mapping
    ("\n- title: x\n- days: 1\n", 2, 1, None, "must be a mapping"),
    ("just words\n", 1, 1, None, "must be a mapping"),
    # syntax errors: line of the error
    ("title: x\ndays: [1, 2\nstaff: 3\n", 3, 6, None, "invalid YAML"),
    ("title: x\n  days: 1\n", 2, 7, None, "invalid YAML: mapping values are not allowed here"),
    ("title: 'unterminated\n", 2, 1, None, "invalid YAML"),
    ("title: a\x07b\n", 1, 9, None, "U+0007"),
    # more than one document
    ("title: x\n---\ntitle: y\n", 2, 1, None, "more than one YAML document"),
    # keys that are not text
    ("title: x\n12: twelve\n", 2, 1, None, "setting names must be text"),
    ("staff:\n  on: 1\n", 2, 3, "staff", "true/false value"),
    ("title:\n  ? [a, b]\n  : c\n", 2, 5, "title", "this key is a list"),
    # scalars that resolve to a type but cannot be built
    ("title: 2024-02-31\n", 1, 8, "title", "looks like a date"),
    # nesting bomb
    ("title: " + "[" * 500 + "]" * 500 + "\n", 1, 107, None, "nested more than"),
]


@pytest.mark.parametrize(
    ("text", "line", "column", "field", "words"),
    MALFORMED,
    ids=[f"case{i}" for i in range(len(MALFORMED))],
)
def test_malformed_document_is_located(
    tmp_path: Path, text: str, line: int, column: int, field: str | None, words: str
) -> None:
    target = write(tmp_path, text)
    error = load_error(target)
    assert error.path == str(target)
    assert (error.line, error.column, error.field) == (line, column, field), str(error)
    assert words in error.message
    rendered = str(error)
    assert "\n" not in rendered
    assert rendered.startswith(f"{target}:{line}:{column}: ")
    if field is not None:
        assert f": {field}: " in rendered


def test_error_string_matches_the_documented_shape(tmp_path: Path) -> None:
    target = write(tmp_path, VALID.replace("role: student", "role: wizard"))
    assert str(load_error(target)) == (
        f"{target}:10:13: staff.workers.1.role: input should be "
        "'student', 'newly_qualified' or 'senior' (got 'wizard')"
    )


def test_unknown_field_lists_allowed_names(tmp_path: Path) -> None:
    error = load_error(write(tmp_path, VALID + "      grade: 7\n"))
    assert error.message == "unknown field 'grade' (allowed: name, role, fte)"
    top = load_error(write(tmp_path, VALID + "colour: blue\n", "top.yaml"))
    assert top.message == "unknown field 'colour' (allowed: title, days, staff)"
    assert (top.line, top.column, top.field) == (12, 1, "colour")


def test_further_problems_are_counted(tmp_path: Path) -> None:
    text = VALID.replace("days: 30", "days: 0").replace("role: student", "role: x")
    error = load_error(write(tmp_path, text + "extra: 1\n"))
    assert error.field == "days"
    assert error.message.endswith("(and 2 more problems)")
    one_more = load_error(write(tmp_path, text, "one.yaml"))
    assert one_more.message.endswith("(and 1 more problem)")


def test_file_too_large(tmp_path: Path) -> None:
    target = write(tmp_path, VALID)
    error = load_error(target, max_bytes=50)
    assert (error.line, error.column, error.field) == (None, None, None)
    assert "too large" in error.message
    assert str(error).startswith(f"{target}: the file is too large")
    with pytest.raises(ScenarioError, match="too large"):
        load_yaml_document("a: é\n", "x.yaml", max_bytes=5)  # 6 bytes in UTF-8
    assert load_yaml_document("a: é\n", "x.yaml", max_bytes=6)[0] == {"a": "é"}


def test_non_utf8_bytes(tmp_path: Path) -> None:
    error = load_error(write(tmp_path, b"title: caf\xe9\n"))
    assert error.line is None
    assert "not UTF-8" in error.message
    assert "0xe9" in error.message


def test_missing_file(tmp_path: Path) -> None:
    target = tmp_path / "nope.yaml"
    error = load_error(target)
    assert error.path == str(target)
    assert error.line is None
    assert error.message == "the file does not exist"
    assert str(error) == f"{target}: the file does not exist"


def test_directory_instead_of_file(tmp_path: Path) -> None:
    error = load_error(tmp_path)
    assert error.line is None
    assert "directory" in error.message


def test_error_without_column_or_field_renders_cleanly() -> None:
    assert str(ScenarioError("a.yaml", "boom")) == "a.yaml: boom"
    assert str(ScenarioError("a.yaml", "boom", 3)) == "a.yaml:3: boom"
    assert str(ScenarioError("a.yaml", "boom", 3, 4, "x.y")) == "a.yaml:3:4: x.y: boom"


def test_scenario_error_pickles() -> None:
    error = ScenarioError("a.yaml", "boom", 3, 4, "x.0")
    copy = pickle.loads(pickle.dumps(error))
    assert (copy.path, copy.message, copy.line, copy.column, copy.field) == (
        "a.yaml",
        "boom",
        3,
        4,
        "x.0",
    )


def test_validate_document_accepts_a_plain_position_dict() -> None:
    positions: dict[KeyPath, tuple[int, int]] = {(): (1, 1), ("days",): (5, 2)}
    data = {"title": "t", "days": "x", "staff": {"manager": "m", "workers": []}}
    with pytest.raises(ScenarioError) as info:
        validate_document(Scenario, data, positions, "p.yaml")
    assert (info.value.line, info.value.column, info.value.field) == (5, 2, "days")


# ---------------------------------------------------------------------------
# Properties
# ---------------------------------------------------------------------------

scalars = (
    st.integers(min_value=-(10**18), max_value=10**18)
    | st.text(max_size=20)
    | st.floats(allow_nan=False)
    | st.booleans()
)
values = st.recursive(
    scalars,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=10), inner),
    max_leaves=20,
)
documents = st.dictionaries(st.text(max_size=10), values, max_size=6)


def key_paths(data: object, prefix: KeyPath = ()) -> list[KeyPath]:
    paths: list[KeyPath] = []
    if isinstance(data, dict):
        items: list[tuple[str | int, object]] = list(data.items())
    elif isinstance(data, list):
        items = list(enumerate(data))
    else:
        return paths
    for key, value in items:
        paths.append((*prefix, key))
        paths.extend(key_paths(value, (*prefix, key)))
    return paths


def same(a: object, b: object) -> bool:
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(same(a[k], b[k]) for k in a)
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, float) and isinstance(b, float):
        return a == b or (math.isnan(a) and math.isnan(b))
    return type(a) is type(b) and a == b


@settings(max_examples=200, suppress_health_check=[HealthCheck.too_slow])
@given(documents, st.booleans())
def test_safe_dump_round_trips_with_positions(data: dict[str, object], flow: bool) -> None:
    text = yaml.safe_dump(data, default_flow_style=flow)
    loaded, positions = load_yaml_document(text, "gen.yaml")
    assert same(loaded, data)
    assert () in positions
    for key_path in key_paths(data):
        line, column = positions[key_path]
        assert line >= 1 and column >= 1
        assert key_path in positions.value_positions


yamlish = st.lists(
    st.sampled_from(
        [
            "a",
            ":",
            ": ",
            "- ",
            "\n",
            "  ",
            "\t",
            "[",
            "]",
            "{",
            "}",
            ",",
            "#",
            "'",
            '"',
            "&x ",
            "*x",
            "!!str ",
            "!t ",
            "<<",
            "---\n",
            "...\n",
            "? ",
            "|",
            ">",
            "%YAML 1.1\n",
            "1",
            "-1",
            "0x1F",
            "2024-13-40",
            "1:2:3",
            "~",
            "yes",
            "=",
            "\\",
            "\x00",
            "é",
        ]
    ),
    max_size=40,
).map("".join)


@settings(max_examples=400, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(max_size=200) | yamlish)
def test_arbitrary_text_only_raises_scenario_error(text: str) -> None:
    try:
        data, positions = load_yaml_document(text, "fuzz.yaml")
    except ScenarioError as error:
        assert "\n" not in str(error)
        assert error.path == "fuzz.yaml"
    else:
        assert isinstance(data, dict)
        assert () in positions
