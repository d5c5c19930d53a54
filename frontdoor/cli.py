"""The `frontdoor` command: one entry point with a subcommand for every job.

Each subcommand lives in its own module under `frontdoor.commands` and registers
itself here. Problems a user can fix (a bad scenario file, a wrong option) end in one
plain error line and exit status 2, never a traceback. Ctrl-C ends any command with
status 130 and SIGTERM with 143, after the command has stopped its workers. Status 1
means a bug in Front Door: the message says so and where to report it, and
FRONTDOOR_DEBUG=1 shows the traceback.
"""

from __future__ import annotations

import argparse
import importlib
import os
import signal
import sys
import threading
import traceback
from collections.abc import Iterator, Sequence
from contextlib import contextmanager

from frontdoor.commands.arguments import UsageError
from sim.loader import scenario_path
from sim.yamlsafe import ScenarioError

# Modules under frontdoor.commands, each with `register(subparsers)`.
COMMAND_MODULES: tuple[str, ...] = (
    "run",
    "validate",
    "schema",
    "verify",
    "compare",
    "sweep",
    "replications",
    "explain",
    "sensitivity",
    "report",
    "train",
    "sessions",
    "exercises",
    "next",
    "cohort",
    "replay",
    "workbench",
)


# What `frontdoor --help` says of each command, so listing them imports none of their
# modules (which pull in pandas, scipy, pyarrow or matplotlib). A test checks these
# against each module's own `register`; a module missing here is imported to list it.
COMMAND_HELP: dict[str, str] = {
    "run": "run replications of a scenario and report its KPIs",
    "validate": "check scenario and exercise files and report every problem found",
    "schema": "print the JSON Schema of scenario files or event logs",
    "verify": "check the model against queueing theory",
    "compare": "compare scenarios on paired replications: KPIs, differences and verdicts",
    "sweep": "run a grid of variations of a scenario, resumable, results stored per replication",
    "replications": "replications needed for a chosen interval half-width on one KPI",
    "explain": "which latent conditions were necessary for a case's incident "
    "(counterfactual replay)",
    "sensitivity": "Morris screening and Sobol indices of incidents over latent-condition "
    "parameters",
    "report": "write an HTML report with figures from the results stored in a folder",
    "train": "sit at the duty desk: a training shift (pygame window)",
    "sessions": "list training sessions with their scores",
    "exercises": "list the training exercises: learning aims, difficulty, length",
    "next": "the next exercise for a trainee: mastery per pattern, and why",
    "cohort": "class statistics across trainees' sessions: an HTML report for a seminar",
    "replay": "re-run a recorded training shift (1x-16x, pause, new from here)",
}


BUG_REPORT = (
    "This is a bug in Front Door, not a mistake in what you asked. Please report it on "
    "the project's issue tracker with the command you ran and this message "
    "(run it again with FRONTDOOR_DEBUG=1 to add the traceback)."
)


class Terminated(KeyboardInterrupt):
    """SIGTERM, raised like Ctrl-C so every clean-up that stops workers runs for it too."""


def _raise_terminated(signum: int, frame: object) -> None:
    raise Terminated()


@contextmanager
def _sigterm_as_interrupt() -> Iterator[None]:
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.signal(signal.SIGTERM, _raise_terminated)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


# Commands that read scenario or exercise files, and so take --scenario-path.
SCENARIO_COMMANDS: frozenset[str] = frozenset(
    {"run", "validate", "compare", "sweep", "replications", "explain", "sensitivity", "train"}
)


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # type: ignore[override]
        raise UsageError(f"{self.prog}: {message}")


def build_parser(only: str | None = None) -> argparse.ArgumentParser:
    """The parser; with `only`, just that subcommand's module is imported (the others pull
    in pandas, scipy and matplotlib, which a trainee starting the desk need not wait for);
    without, the commands are listed from COMMAND_HELP and none is imported.
    """
    from importlib.metadata import PackageNotFoundError, version

    try:
        pkg_version = version("frontdoor")
    except PackageNotFoundError:  # running from a checkout without installing
        pkg_version = "unknown"
    parser = _Parser(
        prog="frontdoor",
        description="Front Door: simulate and train referral decision-making in "
        "children's social care.",
    )
    parser.add_argument("--version", action="version", version=f"frontdoor {pkg_version}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    sub.required = True
    for name in COMMAND_MODULES if only is None else (only,):
        if only is None and name in COMMAND_HELP:
            sub.add_parser(name, help=COMMAND_HELP[name])  # listed, not imported
            continue
        module = importlib.import_module(f"frontdoor.commands.{name}")
        module.register(sub)
        if name in SCENARIO_COMMANDS:
            sub.choices[name].add_argument(
                "--scenario-path",
                action="append",
                default=[],
                metavar="DIR",
                help="a folder whose files `extends:` and `team:` may also name (repeatable); "
                "otherwise only bundled scenarios and files beside the naming file",
            )
    return parser


def _chosen_command(argv: Sequence[str]) -> str | None:
    """The subcommand named on the command line, if it is a known one."""
    for arg in argv:
        if not arg.startswith("-"):
            return arg if arg in COMMAND_MODULES else None
    return None


def main(argv: Sequence[str] | None = None) -> int:
    try:
        with _sigterm_as_interrupt():
            return _main(argv)
    except Terminated:  # arrived after the command's own handling, e.g. while restoring
        return 143
    except KeyboardInterrupt:  # a second Ctrl-C while the first was being reported
        return 130


def _main(argv: Sequence[str] | None) -> int:
    from analysis.outputs import OutputError

    try:
        words = list(sys.argv[1:] if argv is None else argv)
        parser = build_parser(only=_chosen_command(words))
        args = parser.parse_args(words)
        with scenario_path(getattr(args, "scenario_path", None) or ()):
            return int(args.handler(args) or 0)
    except (ScenarioError, UsageError, OutputError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt as exc:
        _stop_listening()  # the work is stopped; a further Ctrl-C must not cut the exit short
        print(
            "interrupted: replications that finished are kept in the --out folder, if any; "
            "run the same command again to carry on",
            file=sys.stderr,
        )
        return 143 if isinstance(exc, Terminated) else 130
    except OSError as exc:
        if exc.filename is None:
            return _bug(exc)
        print(f"error: {exc.filename}: {exc.strerror or exc}", file=sys.stderr)
        return 2
    except Exception as exc:  # a bug: one line and where to report it, not a traceback
        return _bug(exc)


def _stop_listening() -> None:
    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGINT, signal.SIG_IGN)


def _bug(exc: BaseException) -> int:
    if os.environ.get("FRONTDOOR_DEBUG"):
        traceback.print_exception(exc)
    print(f"error: {type(exc).__name__}: {exc}", file=sys.stderr)
    print(BUG_REPORT, file=sys.stderr)
    return 1


if __name__ == "__main__":
    sys.exit(main())
