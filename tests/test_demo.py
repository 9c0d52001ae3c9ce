"""The demo a newcomer runs first: piped input, real local server, real bot, one SQLite file.
And `python -m bot` without a token: the demo in a terminal, a clear refusal anywhere else."""

from __future__ import annotations

import os
import pty
import select
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.helpers import clock_offset_env

REGISTER = ["/start", "1", "1", "puno", "1", "Especialista", "1", "1"]


def _env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "BOT_"))}
    env.pop("DATABASE_URL", None)
    env["CLOCK_OFFSET_SECONDS"] = clock_offset_env()  # the workshop typed below still ahead
    return env


def test_demo_chat_registers_by_numbers(tmp_path: Path) -> None:
    script = "\n".join([*REGISTER, "/ayuda", ""])
    result = subprocess.run(
        [sys.executable, "-m", "bot", "demo"],
        input=script,
        env=_env(),
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=180,
    )
    out = result.stdout
    assert result.returncode == 0, result.stderr
    assert "demostración local" in out
    assert "¡Hola, Ana!" in out
    assert "[1] Acepto" in out and "[2] No acepto" in out
    assert "Región: Puno" in out
    assert "Registro completo" in out
    assert "/coordinador" in out  # the demo person is an admin
    assert "Traceback" not in out + result.stderr


@pytest.mark.long(25)  # CI run 30a (4 workers, quiet box): a demo of two forms, its own process
def test_a_typed_number_is_an_answer_where_the_step_expects_one(tmp_path: Path) -> None:
    """Issue #15: «2» for the capacity pressed «Cancelar» (button 2) and lost a long form.
    A number presses a button only where no typed answer is expected; «#2» always presses."""
    form = ["/nuevo_taller", "Taller de prueba", "Formalización", "2026-12-20 09:00", "13:00"]
    form += ["1", "Sala 3", "Ana", "2"]  # region: button 1; capacity: typed 2
    form += ["1"]  # material: a typed number can only be a button there (1: «Omitir»)
    cancelled = ["/nuevo_taller", "Otro taller", "#2"]  # topic step: «#2» is «Cancelar»
    result = subprocess.run(
        [sys.executable, "-m", "bot", "demo"],
        input="\n".join([*REGISTER, *form, *cancelled, ""]),
        env=_env(),
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=180,
    )
    out = result.stdout
    assert result.returncode == 0, result.stderr
    first, second = out.rsplit("Paso 1 de 9", 1)  # the second form starts
    summary = first[first.index("Revise, por favor:") :]
    assert "Región: Amazonas" in summary and "Aforo: 2" in summary
    assert "[1] ✅ Crear taller" in summary and "Cancelado" not in first
    assert "Cancelado. No se creó ningún taller." in second and "Paso 3 de 9" not in second


def test_no_token_and_no_terminal_refuses(tmp_path: Path) -> None:
    """A service or a pipe: nobody can chat. Issue #15: it used to run the demo and exit 0."""
    result = subprocess.run(
        [sys.executable, "-m", "bot"],
        stdin=subprocess.DEVNULL,
        env=_env(),
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 2
    [line] = result.stderr.strip().splitlines()
    assert line.startswith("Falta TELEGRAM_BOT_TOKEN")
    assert "`python -m bot demo`" in line
    assert "demostración local" not in result.stdout
    assert not (tmp_path / "minka.sqlite3").exists()


def _read_until(fd: int, marker: bytes, seen: bytearray, timeout: float, since: int = 0) -> None:
    deadline = time.monotonic() + timeout
    while marker not in seen[since:]:
        left = deadline - time.monotonic()
        assert left > 0, f"no {marker!r} in:\n{seen.decode(errors='replace')}"
        ready, _, _ = select.select([fd], [], [], left)
        if ready:
            try:
                chunk = os.read(fd, 4096)
            except OSError:  # the child closed the terminal
                chunk = b""
            assert chunk, f"terminal closed before {marker!r}:\n{seen.decode(errors='replace')}"
            seen += chunk


def _ignore_ctrl_c() -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)


@pytest.mark.parametrize("inherited", ["default", "ignored"])
def test_readme_first_command_opens_the_demo_in_a_terminal(tmp_path: Path, inherited: str) -> None:
    """The README's first line ends in `python -m bot`: in a terminal that is the demo. Ctrl+C
    ends it also when Minka was started with Ctrl+C ignored, as a shell without job control
    starts a command run in the background (`cmd &`, `nohup`), and everything that command
    starts (pytest-xdist's workers included): Python then leaves SIGINT ignored."""
    controller, terminal = pty.openpty()
    process = subprocess.Popen(
        [sys.executable, "-m", "bot"],
        stdin=terminal,
        stdout=terminal,
        stderr=terminal,
        env=_env(),
        cwd=tmp_path,
        preexec_fn=_ignore_ctrl_c if inherited == "ignored" else None,
    )
    os.close(terminal)
    seen = bytearray()
    try:
        _read_until(controller, "demostración local".encode(), seen, 120)
        _read_until(controller, b"> ", seen, 30)
        # The prompt comes after Minka's reply, not before it.
        os.write(controller, b"/start\n")
        start = len(seen)
        _read_until(controller, b"Acepto", seen, 30, start)
        _read_until(controller, b"\n> ", seen, 30, start)
        after = bytes(seen[start:]).replace(b"\r", b"")
        assert after.index(b"Minka:") < after.index(b"\n> "), after
        # Ctrl+C ends the demo at once (it used to wait for one more line).
        time.sleep(0.5)
        stopped = time.monotonic()
        process.send_signal(signal.SIGINT)
        assert process.wait(timeout=20) == 130
        assert time.monotonic() - stopped < 10
    finally:
        if process.poll() is None:
            process.kill()
        os.close(controller)
