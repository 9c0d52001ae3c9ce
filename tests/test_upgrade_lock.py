"""Replicas that start at the same moment on a fresh database (issue #15): each migrates at
start, and without a lock both would create the same tables and one would die. Two real
`python -m bot run --webhook` processes start together on an empty database (a PostgreSQL one,
and a SQLite file); both must come up, answer /healthz and take part in a conversation."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import time
from pathlib import Path

import aiohttp
from alembic.script import ScriptDirectory

from bot.local_api import LocalBotApi
from storage.db import Database
from storage.migrate import alembic_config, current_revision, lock_path
from tests.chat import Person
from tests.conftest import TOKEN
from tests.postgres import _free_port
from tests.test_webhook import SECRET


def _env(api: LocalBotApi, database_url: str, port: int) -> dict[str, str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("TELEGRAM_", "BOT_", "DATABASE_", "DB_", "LOG_", "WEBHOOK_"))
    }
    return {
        **env,
        "TELEGRAM_BOT_TOKEN": TOKEN,
        "TELEGRAM_API_BASE_URL": api.base_url,
        "DATABASE_URL": database_url,
        "WEBHOOK_URL": "https://minka.example.org/telegram",
        "WEBHOOK_SECRET": SECRET,
        "HOST": "127.0.0.1",
        "PORT": str(port),
        "OUTBOX_INTERVAL_SECONDS": "3600",
    }


def _tail(log: Path) -> str:
    return "\n" + log.read_text(errors="replace")[-3000:]


async def _healthy(url: str, process: asyncio.subprocess.Process, log: Path) -> None:
    deadline = time.monotonic() + 90
    async with aiohttp.ClientSession() as http:
        while True:
            assert process.returncode is None, f"a replica died:{_tail(log)}"
            try:
                async with http.get(f"{url}/healthz") as response:
                    if response.status == 200:
                        return
            except aiohttp.ClientConnectionError:
                pass
            assert time.monotonic() < deadline, f"not up after 90 s:{_tail(log)}"
            await asyncio.sleep(0.1)


async def test_two_replicas_started_together_on_a_fresh_database_both_come_up(
    api: LocalBotApi, database_url: str, tmp_path: Path
) -> None:
    ports = [_free_port(), _free_port()]
    logs = [tmp_path / f"replica-{n}.log" for n in range(2)]
    processes = []
    for port, log in zip(ports, logs, strict=True):
        with log.open("wb") as out:
            processes.append(
                await asyncio.create_subprocess_exec(
                    sys.executable,
                    "-m",
                    "bot",
                    "run",
                    "--webhook",
                    env=_env(api, database_url, port),
                    cwd=tmp_path,
                    stdout=out,
                    stderr=subprocess.STDOUT,
                )
            )
    urls = [f"http://127.0.0.1:{port}" for port in ports]
    try:
        await asyncio.gather(
            *(
                _healthy(url, process, log)
                for url, process, log in zip(urls, processes, logs, strict=True)
            )
        )
        api.deliver_webhooks([f"{url}/telegram" for url in urls])  # in turn: each gets some
        for number in range(4):
            person = Person(api, 88_001 + number, f"Persona {number}")
            greeting, _notice = await person.say("/start", 2)
            assert "Minka" in greeting.text
    finally:
        for process in processes:
            if process.returncode is None:
                process.terminate()
        codes = [await asyncio.wait_for(process.wait(), 30) for process in processes]
    texts = [log.read_text() for log in logs]
    assert codes == [0, 0], texts
    assert all("Traceback" not in text for text in texts), texts
    assert sum("Base de datos NUEVA" in text for text in texts) >= 1
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    db = Database(database_url)
    try:
        async with db.engine.connect() as connection:
            assert await connection.run_sync(current_revision) == head
        if db.engine.dialect.name == "sqlite":
            lock = lock_path(db.engine)
            assert lock is not None and lock.exists()
            assert lock.stat().st_mode & 0o777 == 0o600
    finally:
        await db.dispose()
