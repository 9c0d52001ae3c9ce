"""How the systemd service starts Minka (deploy/minka.service), so that the tests that run it
as a process, and bench.throughput, run it as production does: the same interpreter flags."""

from __future__ import annotations

import shlex
from functools import cache
from pathlib import Path

SERVICE = Path(__file__).resolve().parents[1] / "deploy" / "minka.service"


@cache
def run_command() -> tuple[str, ...]:
    """The arguments the service gives Python to run Minka, after the interpreter's path
    (`-OO -m bot run`)."""
    for line in SERVICE.read_text(encoding="utf-8").splitlines():
        if line.startswith("ExecStart="):
            return tuple(shlex.split(line.removeprefix("ExecStart="))[1:])
    raise LookupError(f"{SERVICE}: no ExecStart line")
