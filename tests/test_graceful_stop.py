"""`systemctl stop minka` (SIGTERM) in the middle of a broadcast: Minka stops within seconds,
not when the last copy has gone (systemd kills it 90 s after the signal). The copies it had
not sent stay owed, free for the next start (not left 'claimed' for STALE_AFTER), and after a
restart every person has exactly one copy.

Minka runs as a real process (`python -m bot run`) against the local Bot API server, paced
(RATE copies a second) so that the broadcast would take far longer than the stop may."""

from __future__ import annotations

import asyncio
import signal
import time
from collections import Counter
from pathlib import Path

from sqlalchemy import func, select

from bot.local_api import LocalBotApi
from storage.db import Database
from storage.models import OutboxMessage
from tests.test_crash import (
    FIRST_ID,
    START,
    _broadcast_to,
    _copies,
    _polls,
    _start,
    _tail,
    _wait,
)

PEOPLE = 400
RATE = 20.0  # copies a second: the whole broadcast takes ~20 s
AFTER_RATE = 200.0  # the restart's: only the outcome matters there
STOP_AT = 40  # copies delivered before the SIGTERM
STOP_WITHIN = 10.0  # seconds; systemd's TimeoutStopSec is 90, the broadcast took minutes


async def _states(db: Database) -> Counter[str]:
    async with db.session() as session:
        rows = await session.execute(
            select(OutboxMessage.state, func.count())
            .where(OutboxMessage.kind == "broadcast")
            .group_by(OutboxMessage.state)
        )
        return Counter({state: count for state, count in rows})


async def _terminate(process: asyncio.subprocess.Process, log: Path) -> float:
    """SIGTERM; seconds until the process exited (code 0), or fail past STOP_WITHIN."""
    began = time.monotonic()
    process.send_signal(signal.SIGTERM)
    try:
        code = await asyncio.wait_for(process.wait(), timeout=STOP_WITHIN)
    except TimeoutError:
        process.kill()
        await process.wait()
        raise AssertionError(
            f"Minka still running {STOP_WITHIN:.0f} s after SIGTERM" + _tail(log)
        ) from None
    assert code == 0, f"Minka exited with {code} on SIGTERM" + _tail(log)
    return time.monotonic() - began


async def test_sigterm_mid_broadcast_stops_soon_and_the_rest_goes_at_the_next_start(
    api: LocalBotApi, db: Database, tmp_path: Path
) -> None:
    await _broadcast_to(db, api, PEOPLE)
    log = tmp_path / "minka.log"

    first = await _start(db.url, api, log, RATE)
    try:
        # Start-up first (the Tool Kit's load: half a minute at load 12), then the copies.
        await _wait(lambda: _polls(api) > 0, START, "start-up", log)
        await _wait(lambda: sum(_copies(api).values()) >= STOP_AT, 30, f"{STOP_AT} copies", log)
    except BaseException:
        first.kill()
        raise
    await _terminate(first, log)
    delivered = sum(_copies(api).values())
    at_stop = await _states(db)
    assert delivered < PEOPLE, "the broadcast ended before the stop: nothing was tested"
    assert set(at_stop) <= {"sent", "pending"}, (
        f"a graceful stop leaves every copy sent or owed, none claimed or of unknown fate: "
        f"{dict(at_stop)}"
    )
    assert at_stop["sent"] == delivered and at_stop["pending"] == PEOPLE - delivered, (
        f"rows {dict(at_stop)} against {delivered} copies delivered"
    )

    polled = _polls(api)
    second = await _start(db.url, api, log, AFTER_RATE)  # no wait for stale claims: there are none
    try:
        await _wait(lambda: _polls(api) > polled, START, "the restart", log)
        await _wait(lambda: sum(_copies(api).values()) >= PEOPLE, 60, "every copy", log)
        deadline = time.monotonic() + 10
        while (states := await _states(db)) != Counter({"sent": PEOPLE}):
            assert time.monotonic() < deadline, f"rows after the restart: {dict(states)}"
            await asyncio.sleep(0.2)
    finally:
        await _terminate(second, log)
    copies = _copies(api)
    wrong = {
        FIRST_ID + n: copies[FIRST_ID + n, "broadcast"]
        for n in range(PEOPLE)
        if copies[FIRST_ID + n, "broadcast"] != 1
    }
    assert not wrong, f"{len(wrong)} people without exactly one copy (chat: copies): {wrong}"
