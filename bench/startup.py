"""What one Minka start costs (#17): CPU seconds, wall seconds, resident memory and its peak.

    python -m bench.startup [--runs 5]

Each run starts Minka as the service does (`-OO -m bot run`, bench.bot_process's `start`) on
a SQLite database already at head (migrating is not what is measured), against the local Bot
API server, and reads its /proc figures when it first asks for updates (the Tool Kit indexed,
its word lists read): CPU (user + system), wall time, VmRSS and VmHWM (the peak resident
memory so far: a list read whole at start and dropped shows there, not in VmRSS). The CPU
figure barely moves with the machine's load; the wall time does.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import tempfile
import time
from pathlib import Path

from bench.bot_process import TOKEN, start
from bench.observe import cpu_seconds
from bot.local_api import LocalBotApi
from storage.db import Database
from storage.migrate import upgrade

READY_WAIT = 600  # seconds: a start on a box loaded by eight helpers


def _status_mib(pid: int, field: str) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(f"{field}:"):
            return int(line.split()[1]) / 1024
    raise LookupError(field)


async def one_start(url: str, workdir: Path) -> dict[str, float]:
    """Start Minka, wait for its first getUpdates, read its figures, stop it."""
    async with LocalBotApi(token=TOKEN, bot_username="minka_bench_bot") as api:
        began = time.perf_counter()
        process = await start(["-m", "bot", "run"], api, url, workdir / "minka.log")
        try:
            while not any(method == "getUpdates" for method, _ in api.calls):
                if process.returncode is not None or time.perf_counter() - began > READY_WAIT:
                    raise RuntimeError(f"Minka did not start: see {workdir / 'minka.log'}")
                await asyncio.sleep(0.02)
            return {
                "wall": time.perf_counter() - began,
                "cpu": cpu_seconds(process.pid),
                "rss": _status_mib(process.pid, "VmRSS"),
                "peak": _status_mib(process.pid, "VmHWM"),
            }
        finally:
            process.terminate()
            await process.wait()


async def main(runs: int) -> None:
    with tempfile.TemporaryDirectory(prefix="minka-startup-") as folder:
        workdir = Path(folder)
        url = f"sqlite+aiosqlite:///{workdir / 'minka.sqlite3'}"
        db = Database(url)
        await upgrade(db.engine)
        await db.dispose()
        results = []
        print(f"{'run':>4}{'CPU s':>8}{'wall s':>8}{'RSS MB':>9}{'peak MB':>9}")
        for n in range(1, runs + 1):
            r = await one_start(url, workdir)
            results.append(r)
            print(f"{n:>4}{r['cpu']:>8.2f}{r['wall']:>8.2f}{r['rss']:>9.1f}{r['peak']:>9.1f}")
        middle = {k: statistics.median(r[k] for r in results) for k in results[0]}
        print(
            f"{'median':>4}{middle['cpu']:>6.2f}{middle['wall']:>8.2f}"
            f"{middle['rss']:>9.1f}{middle['peak']:>9.1f}"
        )


def at_least_one(text: str) -> int:
    """argparse type of `--runs`: the medians need one run (0 ended in an IndexError)."""
    text = text.strip()
    if text.isascii() and text.isdigit() and int(text) >= 1:
        return int(text)
    raise argparse.ArgumentTypeError(f"«{text}» debe ser un número entero de 1 o más")


def arguments(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description="Coste de un arranque de Minka")
    parser.add_argument("--runs", type=at_least_one, default=5, help="arranques (1 o más)")
    return parser.parse_args(argv)


if __name__ == "__main__":
    asyncio.run(main(arguments().runs))
