"""A bot started as its own process for the benches (Minka as the service starts it, or an
echo bot), against the local Bot API server the bench runs."""

from __future__ import annotations

import asyncio
import os
import sys
from pathlib import Path

from bot.local_api import LocalBotApi
from tests.service import run_command

TOKEN = "555000222:BENCHthroughputBENCHthroughput12"
SERVICE_FLAGS = run_command()[: run_command().index("-m")]  # deploy/minka.service's, e.g. -OO


def start(
    module: list[str], api: LocalBotApi, url: str, log: Path | None, **settings: str
) -> asyncio.Future:
    """Start a bot process; with no `log` its output (JSON lines) is piped to us. `settings`
    override the environment given here (e.g. RATE_LIMIT_PER_SECOND, BOT_ADMIN_IDS)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "BOT_"))}
    env.update(
        TELEGRAM_BOT_TOKEN=api.token,
        TELEGRAM_API_BASE_URL=api.base_url,
        DATABASE_URL=url,
        OUTBOX_INTERVAL_SECONDS="5",  # production default: due reminders checked every 5 s
        FLOOD_LIMIT="1000000",
        RATE_LIMIT_PER_SECOND="100000",
        LOG_FORMAT="json",
    )
    env.update(settings)
    profile = os.environ.get("BENCH_PROFILE")  # a file: the loop thread's CPU under cProfile
    if profile and module == ["-m", "bot", "run"]:
        module = ["-m", "bench.cpu_profile", profile, "run"]
    if module[-1] == "run":  # Minka, with the interpreter flags the service gives it (-OO)
        module = [*SERVICE_FLAGS, *module]
    return asyncio.create_subprocess_exec(  # type: ignore[return-value]
        sys.executable,
        *module,
        env=env,
        stdout=log.open("ab") if log else asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
    )
