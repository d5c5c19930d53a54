"""`frontdoor workbench`: the managers' browser workbench, served on this machine.

Starts Streamlit on `frontdoor/workbench/app.py`, on the loopback address unless told
otherwise, and prints the address to open. Replications run in local processes, or on
the one Dask scheduler given here; a page can choose neither another machine nor
another scheduler. Streamlit is imported by the server process, not here, so
`frontdoor --help` stays instant.
"""

from __future__ import annotations

import argparse
import importlib.util
import ipaddress
import os
import sys
from pathlib import Path

from frontdoor.commands.common import UsageError

APP = Path(__file__).resolve().parent.parent / "workbench" / "app.py"
MAX_UPLOAD_MB = 1  # Streamlit's own cap; the app refuses anything over 256 KiB


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "workbench", help="open the managers' workbench in a browser (policies, runs, answers)"
    )
    p.add_argument("--port", type=int, default=8501, help="port to serve on (default 8501)")
    p.add_argument(
        "--host", default="127.0.0.1", help="address to serve on (default 127.0.0.1, loopback)"
    )
    p.add_argument(
        "--scheduler", metavar="tcp://HOST:PORT", help="run replications on this Dask scheduler"
    )
    p.set_defaults(handler=handle)


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def server_command(host: str, port: int) -> list[str]:
    return [
        sys.executable, "-m", "streamlit", "run", str(APP),
        "--server.address", host,
        "--server.port", str(port),
        "--server.headless", "true",
        "--server.fileWatcherType", "none",
        "--server.maxUploadSize", str(MAX_UPLOAD_MB),
        "--browser.gatherUsageStats", "false",
        "--global.developmentMode", "false",
        "--theme.base", "light",
        "--client.toolbarMode", "minimal",
    ]  # fmt: skip


def handle(args: argparse.Namespace) -> int:
    if importlib.util.find_spec("streamlit") is None:
        raise UsageError("the workbench needs Streamlit: pip install 'frontdoor[workbench]'")
    if not 0 < args.port < 65536:
        raise UsageError(f"--port must be between 1 and 65535, got {args.port}")
    if args.scheduler:
        from analysis.execution import Backend

        try:
            Backend.choose(scheduler=args.scheduler)
        except ValueError as exc:
            raise UsageError(str(exc)) from None
    env = dict(os.environ)
    env["FRONTDOOR_WORKBENCH_SCHEDULER"] = args.scheduler or ""
    if not is_loopback(args.host):
        print(f"warning: serving on {args.host}, which other machines may reach", file=sys.stderr)
    where = args.scheduler or "local processes"
    print(f"Front Door workbench at http://{args.host}:{args.port} (replications on {where})")
    sys.stdout.flush()
    # The server replaces this process, so stopping it (Ctrl-C, SIGTERM to the pid a
    # caller holds) stops the server itself and leaves no orphan behind.
    command = server_command(args.host, args.port)
    os.execve(command[0], command, env)
    return 0  # not reached
