"""Minka's command line run as the operator runs it (`python -m bot ...`), in a subprocess
against a test database, without the bot's Telegram settings of the environment."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from pathlib import Path


def run_cli(*args: str, database_url: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "BOT_"))}
    return subprocess.run(
        [sys.executable, "-m", "bot", *args],
        env={**clean, "DATABASE_URL": database_url},
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=120,
    )


async def cli(*args: str, database_url: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return await asyncio.to_thread(run_cli, *args, database_url=database_url, cwd=cwd)
