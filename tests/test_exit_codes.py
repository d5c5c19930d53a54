"""Exit statuses: 2 for what the user can fix (with the path named), 1 only for a bug, and
then a message that says it is a bug and where to report it, with no traceback unless
FRONTDOOR_DEBUG asks for one."""

from __future__ import annotations

from pathlib import Path

import pytest

import frontdoor.commands.validate as validate
from frontdoor.cli import main


def test_an_out_folder_that_cannot_be_made_is_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture
) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("x")
    code = main(["run", "baseline", "--reps", "1", "--out", str(blocker / "inside")])
    assert code == 2
    err = capsys.readouterr().err
    assert str(blocker / "inside") in err and "Traceback" not in err


def test_a_bug_says_so_and_where_to_report_it(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture
) -> None:
    def broken(args: object) -> int:
        return 1 // 0  # stands in for a mistake in Front Door's own code

    monkeypatch.setattr(validate, "handle", broken)
    monkeypatch.delenv("FRONTDOOR_DEBUG", raising=False)
    assert main(["validate", "baseline"]) == 1
    err = capsys.readouterr().err
    assert "ZeroDivisionError" in err and "issue tracker" in err
    assert "Traceback" not in err

    monkeypatch.setenv("FRONTDOOR_DEBUG", "1")
    assert main(["validate", "baseline"]) == 1
    assert "Traceback" in capsys.readouterr().err
