"""Malformed scenario files: one clear, located error each, and never a traceback.

Each file is the bundled baseline.yaml with exactly one defect written into it. The
loader must raise ScenarioError naming the file, the line (and column where a column
means something) and the dotted field; the command line must turn it into exit status 2
and a single line on stderr that starts with the file and line.

Expected positions are computed from the defective text itself (the line holding the
marker), so the tests keep working when baseline.yaml gains or loses comment lines.
"""

from __future__ import annotations

import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from frontdoor.cli import main
from sim.loader import load_scenario, scenarios_dir
from sim.yamlsafe import ScenarioError

# The console script of the environment running the tests (the venv CI builds, or /tmp/venv).
FRONTDOOR = Path(sys.executable).with_name("frontdoor")
MAX_BYTES = 1_000_000  # sim/yamlsafe.py's default cap


@pytest.fixture(scope="module")
def baseline_text() -> str:
    return (scenarios_dir() / "baseline.yaml").read_text(encoding="utf-8")


def replace_once(text: str, pattern: str, new: str) -> str:
    """Replace the one match of a multi-line regular expression."""
    found = len(re.findall(pattern, text, flags=re.M))
    assert found == 1, f"baseline.yaml holds {found} matches of {pattern!r}, not one"
    return re.sub(pattern, new, text, count=1, flags=re.M)


def position_of(text: str, needle: str, offset: int = 0) -> tuple[int, int]:
    """1-based (line, column) of the unique occurrence of `needle`, plus `offset` columns."""
    assert text.count(needle) == 1, needle
    index = text.index(needle)
    line = text.count("\n", 0, index) + 1
    column = index - (text.rfind("\n", 0, index) + 1) + 1
    return line, column + offset


@dataclass(frozen=True)
class Defect:
    """One defect: how to write it, where the error must point and what it must say."""

    name: str
    old: str
    new: str
    marker: str  # text found (once) in the defective file where the error points
    offset: int  # columns from the marker's start to the reported column
    field: str | None
    words: str  # a phrase the message must contain
    column_checked: bool = True  # False where the column is known to be imprecise


# Each defect is a regular expression (multi-line mode) matched once in baseline.yaml and
# anchored on setting names, not values, so retuning the baseline does not break it.
NUMBER = r"-?[0-9.]+"
DEFECTS = (
    Defect(
        "wrong type (text for a number)",
        rf"^(  annual_referrals: ){NUMBER}",
        r"\g<1>lots",
        "annual_referrals: lots",
        len("annual_referrals: "),
        "arrivals.annual_referrals",
        "valid number",
    ),
    Defect(
        "wrong type (whole number with a fraction)",
        r"(\{role: experienced, count: )[0-9]+",
        r"\g<1>10.5",
        "count: 10.5",
        len("count: "),
        "staff.experienced.count",
        "valid integer",
    ),
    Defect(
        "wrong type (a number for a section)",
        r"^run:\n(?:[ \t]+.*\n)+",  # the whole run section, with its indented settings
        "run: 365\n",
        "run: 365",
        len("run: "),
        "run",
        "dictionary",
    ),
    Defect(
        "unknown field at the top level",
        r"^(name: .*\n)",
        r"\g<1>colour: blue\n",
        "colour: blue",
        0,
        "colour",
        "unknown field 'colour'",
    ),
    Defect(
        "unknown field nested",
        r"^  horizon_days:",
        "  horizon_dayz:",
        "horizon_dayz",
        0,
        "run.horizon_dayz",
        "unknown field 'horizon_dayz'",
    ),
    Defect(
        "unknown referral source",
        r"^    police:",
        "    polise:",
        "polise:",
        0,
        "arrivals.sources.polise",
        "'police'",
    ),
    Defect(
        "negative rate",
        rf"^(concerns:\n(?:  #.*\n)*  rate_per_year: ){NUMBER}",
        r"\g<1>-0.75",
        "-0.75",
        0,
        "concerns.rate_per_year",
        "greater than or equal to 0",
    ),
    Defect(
        "negative share",
        rf"(police: +\{{share: ){NUMBER}",
        r"\g<1>-0.29",
        "-0.29",
        0,
        "arrivals.sources.police.share",
        "greater than or equal to 0",
    ),
    Defect(
        "share of families out of range",
        rf"^(  known_share: ){NUMBER}",
        r"\g<1>1.4",
        "known_share: 1.4",
        len("known_share: "),
        "families.known_share",
        "less than or equal to 1",
    ),
    Defect(
        "referral bar out of range",
        rf"(police: +\{{share: {NUMBER}, referral_bar: ){NUMBER}",
        r"\g<1>1.5",
        "1.5}",
        0,
        "arrivals.sources.police.referral_bar",
        "less than or equal to 1",
    ),
    Defect(
        "duplicate key",
        r"^(  close_hour: .*\n)",
        r"\g<1>  close_hour: 18\n",
        "close_hour: 18",
        0,
        "calendar.close_hour",
        "duplicate key 'close_hour'",
    ),
    Defect(
        "anchor",
        r"(police: +)\{",
        r"\g<1>&bar {",
        "&bar",
        0,
        "arrivals.sources.police",
        "anchors are not allowed",
    ),
    Defect(
        "alias",
        r"^(    school: +)\{.*\}",
        r"\g<1>*bar",
        "*bar",
        0,
        "arrivals.sources.school",
        "aliases are not allowed",
    ),
    Defect(
        "python tag",
        r"^name: .*",
        "name: !!python/object/apply:os.system ['echo owned']",
        "!!python",
        0,
        "name",
        "tags are not allowed",
    ),
    Defect(
        "unknown role",
        r"\{role: experienced,",
        "{role: wizard,",
        "wizard",
        0,
        "staff.groups.4.role",
        "(got 'wizard')",
    ),
    Defect(
        "unknown policy",
        r"^policy: [a-z-]+",
        "policy: coin-toss",
        "coin-toss",
        0,
        "policy",
        "'need-weighted'",
    ),
    Defect(
        "hour_weights one value short",
        rf"^(  hour_weights: \[[^\]]*), {NUMBER}\]",
        r"\g<1>]",
        "hour_weights: [",
        len("hour_weights: "),
        "arrivals.hour_weights",
        "at least 24 items",
    ),
    Defect(
        "broken YAML syntax",
        r"^(  weekday_weights: )\[",
        r"\g<1>[[",
        "hour_weights:",
        0,
        None,
        "invalid YAML",
        column_checked=False,  # PyYAML points at the next token, wherever that is
    ),
    Defect(
        "tab indentation",
        r"^  open_hour:",
        "\topen_hour:",
        "\topen_hour",
        0,
        None,
        "'\\t'",
    ),
)


def write(tmp_path: Path, text: str, name: str = "broken.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def defective(baseline_text: str, defect: Defect) -> str:
    assert len(re.findall(defect.old, baseline_text, flags=re.M)) == 1, defect.old
    return re.sub(defect.old, defect.new, baseline_text, count=1, flags=re.M)


# -- functional: located errors from the loader -----------------------------------------


@pytest.mark.parametrize("defect", DEFECTS, ids=[d.name for d in DEFECTS])
def test_defect_gives_one_located_error(baseline_text: str, defect: Defect, tmp_path: Path) -> None:
    text = defective(baseline_text, defect)
    path = write(tmp_path, text)
    with pytest.raises(ScenarioError) as caught:
        load_scenario(path)
    error = caught.value
    line, column = position_of(text, defect.marker, defect.offset)
    assert error.path == str(path)
    assert error.line == line, str(error)
    if defect.column_checked:
        assert error.column == column, str(error)
    assert error.field == defect.field, str(error)
    assert defect.words in error.message, str(error)
    rendered = str(error)
    assert rendered.startswith(f"{path}:{line}:")
    assert "\n" not in rendered


def test_close_hour_before_open_hour(baseline_text: str, tmp_path: Path) -> None:
    text = replace_once(baseline_text, r"^(  close_hour: ).*", r"\g<1>8")
    with pytest.raises(ScenarioError) as caught:
        load_scenario(write(tmp_path, text))
    error = caught.value
    assert error.field == "calendar.close_hour"
    assert (error.line, error.column) == position_of(text, "close_hour: 8", len("close_hour: "))
    assert "close_hour must be later than open_hour" in error.message


@pytest.mark.parametrize(
    ("old", "new", "field"),
    [
        (r"^name: ", "name: !!str ", "name"),
        (r"(police: +)\{", r"\g<1>&bar {", "arrivals.sources.police"),
        (r"^(    school: +)\{.*\}", r"\g<1>*bar", "arrivals.sources.school"),
    ],
    ids=["tag", "anchor", "alias"],
)
def test_refused_yaml_features_name_their_field(
    baseline_text: str, tmp_path: Path, old: str, new: str, field: str
) -> None:
    text = replace_once(baseline_text, old, new)
    with pytest.raises(ScenarioError) as caught:
        load_scenario(write(tmp_path, text))
    assert caught.value.field == field


def test_unknown_key_points_at_the_key(baseline_text: str, tmp_path: Path) -> None:
    text = replace_once(baseline_text, r"^    police:", "    polise:")
    with pytest.raises(ScenarioError) as caught:
        load_scenario(write(tmp_path, text))
    assert (caught.value.line, caught.value.column) == position_of(text, "polise")


def test_missing_required_section(baseline_text: str, tmp_path: Path) -> None:
    start = baseline_text.index("\nstaff:\n") + 1
    end = baseline_text.index("\nscreening:", start) + 1
    text = baseline_text[:start] + baseline_text[end:]
    path = write(tmp_path, text)
    with pytest.raises(ScenarioError) as caught:
        load_scenario(path)
    error = caught.value
    assert error.field == "staff"
    assert "missing required field 'staff'" in error.message
    # It points at the top-level mapping (its first setting) that should hold the section.
    first = next(
        i for i, line in enumerate(text.splitlines(), 1) if line and not line.startswith("#")
    )
    assert (error.line, error.column) == (first, 1)


def test_seven_weekday_weights_required(baseline_text: str, tmp_path: Path) -> None:
    text = replace_once(baseline_text, rf"^(  weekday_weights: \[[^\]]*), {NUMBER}\]", r"\g<1>]")
    with pytest.raises(ScenarioError) as caught:
        load_scenario(write(tmp_path, text))
    error = caught.value
    assert error.line == position_of(text, "weekday_weights")[0]
    assert error.field is not None and error.field.startswith("arrivals.weekday_weights")


# -- extreme values: empty, huge, not text, not one document -----------------------------


@pytest.mark.parametrize("text", ["", "\n\n", "# only a comment\n# and another\n", "---\n"])
def test_empty_file(tmp_path: Path, text: str) -> None:
    with pytest.raises(ScenarioError) as caught:
        load_scenario(write(tmp_path, text))
    assert "empty" in caught.value.message
    assert caught.value.line == 1


def test_huge_file_is_refused_before_parsing(baseline_text: str, tmp_path: Path) -> None:
    padding = ("# " + "x" * 97 + "\n") * (MAX_BYTES // 100 + 10)
    path = write(tmp_path, baseline_text + padding)
    assert path.stat().st_size > MAX_BYTES
    with pytest.raises(ScenarioError) as caught:
        load_scenario(path)
    assert "too large" in caught.value.message
    assert f"{MAX_BYTES:,}" in caught.value.message
    # A size has no line to point at.
    assert caught.value.line is None


def test_just_under_the_cap_loads(baseline_text: str, tmp_path: Path) -> None:
    room = MAX_BYTES - len(baseline_text.encode("utf-8")) - 1
    padding = ("#" + "x" * 98 + "\n") * (room // 100)
    path = write(tmp_path, baseline_text + padding)
    assert path.stat().st_size <= MAX_BYTES
    assert load_scenario(path).name == "baseline"


def test_not_utf8(baseline_text: str, tmp_path: Path) -> None:
    path = tmp_path / "latin1.yaml"
    path.write_bytes(replace_once(baseline_text, r"^name: .*", "name: base\xe9").encode("latin-1"))
    with pytest.raises(ScenarioError) as caught:
        load_scenario(path)
    assert "UTF-8" in caught.value.message


def test_two_documents(baseline_text: str, tmp_path: Path) -> None:
    text = baseline_text + "---\nname: another\n"
    with pytest.raises(ScenarioError) as caught:
        load_scenario(write(tmp_path, text))
    assert caught.value.line == text.count("\n", 0, text.index("---\nname: another")) + 1
    assert "more than one YAML document" in caught.value.message


def test_missing_file_and_directory(tmp_path: Path) -> None:
    with pytest.raises(ScenarioError, match="does not exist"):
        load_scenario(tmp_path / "nowhere.yaml")
    with pytest.raises(ScenarioError, match="directory"):
        load_scenario(tmp_path)


# -- the command line: exit status 2, one line naming file:line, no traceback -----------


def _one_error_line(stderr: str, path: Path, line: int | None) -> None:
    lines = stderr.strip().splitlines()
    assert len(lines) == 1, stderr
    assert "Traceback" not in stderr
    assert lines[0].startswith("error: ")
    where = f"{path}:{line}:" if line is not None else f"{path}:"
    assert where in lines[0], (where, lines[0])


@pytest.mark.parametrize("command", ["validate", "run"])
@pytest.mark.parametrize("defect", DEFECTS, ids=[d.name for d in DEFECTS])
def test_cli_in_process(
    baseline_text: str,
    defect: Defect,
    command: str,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    text = defective(baseline_text, defect)
    path = write(tmp_path, text)
    status = main([command, str(path)])
    captured = capsys.readouterr()
    assert status == 2
    assert captured.out == ""
    _one_error_line(captured.err, path, position_of(text, defect.marker)[0])


@pytest.mark.parametrize("command", ["validate", "run"])
@pytest.mark.parametrize(
    "defect",
    [d for d in DEFECTS if d.name in ("python tag", "negative rate", "duplicate key")],
    ids=lambda d: d.name,
)
def test_cli_subprocess(baseline_text: str, defect: Defect, command: str, tmp_path: Path):
    text = defective(baseline_text, defect)
    path = write(tmp_path, text)
    out = subprocess.run(
        [str(FRONTDOOR), command, str(path)], capture_output=True, text=True, check=False
    )
    assert out.returncode == 2
    assert out.stdout == ""
    _one_error_line(out.stderr, path, position_of(text, defect.marker)[0])


def test_cli_huge_and_empty_files(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    empty = write(tmp_path, "", "empty.yaml")
    huge = write(tmp_path, "#" * (MAX_BYTES + 1) + "\n", "huge.yaml")
    for path, line in ((empty, 1), (huge, None)):
        assert main(["run", str(path)]) == 2
        _one_error_line(capsys.readouterr().err, path, line)


def test_validate_reports_each_bad_file_and_passes_good_ones(
    baseline_text: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    good = write(tmp_path, baseline_text, "good.yaml")
    bad_text = replace_once(baseline_text, r"^policy: .*", "policy: x")
    bad = write(tmp_path, bad_text)
    status = main(["validate", str(good), str(bad)])
    captured = capsys.readouterr()
    assert status == 2
    assert f"ok: {good}" in captured.out
    _one_error_line(captured.err, bad, position_of(bad_text, "policy: x")[0])
