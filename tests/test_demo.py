"""The demo a newcomer runs first: piped input, real local server, real bot, one SQLite file."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path


def test_demo_chat_registers_by_numbers(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "BOT_"))}
    env.pop("DATABASE_URL", None)
    script = "\n".join(["/start", "1", "1", "puno", "1", "Especialista", "1", "1", "/ayuda", ""])
    result = subprocess.run(
        [sys.executable, "-m", "bot"],  # no token: the demo
        input=script,
        env=env,
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
