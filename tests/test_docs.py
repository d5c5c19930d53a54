"""The README documents what the code does: every scenario field, every KPI, every command."""

from __future__ import annotations

from pathlib import Path

from analysis.kpis import KPI_NAMES
from frontdoor.cli import COMMAND_MODULES
from frontdoor.commands.schema import field_rows, markdown_table

README = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")


def test_readme_carries_the_current_field_table() -> None:
    # Regenerate with `frontdoor schema --markdown` when a field changes.
    assert markdown_table() in README


def test_every_field_has_a_meaning() -> None:
    missing = [path for path, _, _, text in field_rows() if not text.strip()]
    assert missing == []


def test_every_kpi_and_command_is_in_the_readme() -> None:
    for name in KPI_NAMES:
        assert f"`{name}`" in README, name
    for command in COMMAND_MODULES:
        assert f"frontdoor {command}" in README, command


def test_first_screen_gives_both_commands() -> None:
    first_screen = "\n".join(README.splitlines()[:30])
    assert "frontdoor run baseline" in first_screen
    assert "pytest" in first_screen
