"""Issue #15 audit: the service and a `minka run` started by hand poll with the same token.
Telegram answers each getUpdates of one with 409 Conflict; python-telegram-bot logged that as
a traceback every few seconds, in English. Now each process says it in one Spanish line at most
once a minute, and people are still answered (Telegram hands the updates to either)."""

from __future__ import annotations

from pathlib import Path

from bot.local_api import LocalBotApi
from tests.chat import Person
from tests.test_database_errors import _env, _start_run, _until

CONFLICT = "Otro proceso hace long polling con este mismo token (Telegram: 409 Conflict)"


async def test_a_second_poller_is_one_line_a_minute(api: LocalBotApi, tmp_path: Path) -> None:
    env = _env(
        f"sqlite+aiosqlite:///{tmp_path / 'minka.sqlite3'}", TELEGRAM_API_BASE_URL=api.base_url
    )
    logs = [tmp_path / f"minka-{n}.log" for n in range(2)]
    processes = [await _start_run(log, env) for log in logs]
    try:
        await _until(lambda: all(CONFLICT in log.read_text() for log in logs), 90, logs[1])
        greeting, _notice = await Person(api, 77002, "Rosa").say("/start", 2)
        assert "Rosa" in (greeting.text or "")
    finally:
        for process in processes:
            process.terminate()
        codes = [await process.wait() for process in processes]
    assert codes == [0, 0]
    for log in logs:
        text = log.read_text()
        assert "Traceback" not in text and "Exception happened while polling" not in text
        assert text.count(CONFLICT) == 1, text  # the next one a minute later, with a count
