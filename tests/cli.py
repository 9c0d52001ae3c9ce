"""Minka's command line run as the operator runs it (`python -m bot ...`), in a subprocess
against a test database, without the bot's Telegram settings of the environment."""

from __future__ import annotations

import asyncio
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from bot.config import Settings
from knowledge.loader import CONTENT_DIR


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


@pytest.fixture(name="settings")
def kb_copy(settings: Settings, tmp_path: Path) -> Settings:
    """Minka reading its own copy of the Tool Kit, as a deployer sets it up (KB_DIR), and
    looking for `kb recargar` requests five times a second. A test module that imports it
    runs every test so."""
    folder = tmp_path / "toolkit"
    shutil.copytree(CONTENT_DIR, folder)
    return settings.model_copy(update={"kb_dir": folder, "kb_reload_seconds": 0.2})


async def minka(settings: Settings, *args: str) -> subprocess.CompletedProcess[str]:
    """`python -m bot ...` on the settings' database and KB_DIR (the packaged Tool Kit when
    it is not set), without the bot's or the Tool Kit's settings of the environment."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "BOT_", "KB_"))}
    env["DATABASE_URL"] = settings.database_url
    if settings.kb_dir is not None:
        env["KB_DIR"] = str(settings.kb_dir)
    return await asyncio.to_thread(
        subprocess.run,
        [sys.executable, "-m", "bot", *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
