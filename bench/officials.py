"""The officials bench.throughput plays: the people and the meeting seeded for them, the
questions they ask, and one action each (a question, a menu button, an answer to the
invitation), timed to its completion in Minka's log."""

from __future__ import annotations

import asyncio
import random
from datetime import datetime, timedelta
from pathlib import Path

import yaml
from sqlalchemy import insert

from bench.load import Actor
from bench.observe import Completions
from bench.soak import typed
from bot.local_api import LocalBotApi
from bot.services import meetings
from storage.db import Database
from storage.migrate import upgrade
from storage.models import Person
from storage.types import utcnow

FIRST_ID = 20_000_000
STARTUP_WAIT = 600  # seconds: PostgreSQL's migrations took over a minute at a load of 17


def _questions(limit: int | None = 40) -> list[str]:
    entries = yaml.safe_load(Path(__file__).with_name("search_eval.yaml").read_text())
    return [e["q"] for e in entries if e["expected"] != "none"][:limit]


QUESTIONS = _questions()
SOAK_QUESTIONS = _questions(None)


def official(
    telegram_id: int, number: int, now: datetime, region: str = "puno", sex: str = "female"
) -> dict[str, object]:
    """A registered official's `people` row, «Persona `number`», as the benches seed them."""
    return {
        "telegram_id": telegram_id,
        "telegram_name": f"Persona {number}",
        "full_name": f"Persona {number}",
        "region_code": region,
        "sex": sex,
        "role": "official",
        "locale": "es",
        "consent_at": now,
        "registered_at": now,
        "active": True,
        "created_at": now,
    }


async def seed(url: str, api: LocalBotApi, users: int) -> int:
    db = Database(url)
    await upgrade(db.engine)
    now = utcnow()
    rows = [
        official(FIRST_ID + n, n, now, *(("puno", "female") if n % 2 else ("piura", "male")))
        for n in range(users + 1)
    ]
    async with db.session() as session:
        await session.execute(insert(Person), rows)
    async with db.session() as session:
        meeting, _invited = await meetings.create(
            session,
            title="Coordinación MINEM–GR",
            kind="coordinacion",
            starts_at=now + timedelta(days=30),
            ends_at=now + timedelta(days=30, hours=2),
            audience=meetings.Audience(everyone=True),
            offsets=[],
            now=now,
        )
    await db.dispose()
    for n in range(users + 1):
        api.add_user(FIRST_ID + n, f"Persona {n}")
        api.open_chat(FIRST_ID + n)  # they wrote to Minka before: invitations can reach them
    return meeting.id


async def act(
    api: LocalBotApi,
    actor: Actor,
    kind: str,
    done: Completions,
    rng: random.Random,
    soak: bool = False,
) -> float:
    """One action; how late its completion was read (`Completions`), taken off its wait."""
    finished = done.expect(actor.user_id)
    if kind == "question" and soak:
        await api.send_message(actor.user_id, typed(rng.choice(SOAK_QUESTIONS), rng))
    elif kind == "question":
        await api.send_message(actor.user_id, rng.choice(QUESTIONS))
    elif kind == "menu":
        data = "menu:help" if actor.menu_state == "main" else "menu:main"
        actor.menu_state = "help" if data == "menu:help" else "main"
        await api.press_button(actor.user_id, actor.menu_id, data)
    else:
        actor.rsvp = "yes" if actor.rsvp == "no" else "no"
        await api.press_button(
            actor.user_id, actor.invitation_id, f"mt:{actor.meeting_id}:{actor.rsvp}"
        )
    return await asyncio.wait_for(finished, 60)


async def prepare(api: LocalBotApi, actor: Actor, meeting_id: int, done: Completions) -> None:
    actor.meeting_id = meeting_id
    while not actor.invitation_id:
        # The bot's start-up comes first (migrations from scratch): minutes on a loaded box.
        event = await api.next_event(actor.user_id, timeout=STARTUP_WAIT)
        if any(
            f"mt:{meeting_id}:" in str(b.get("callback_data")) for r in event.buttons for b in r
        ):
            actor.invitation_id = event.message_id or 0
    await api.next_event(actor.user_id, timeout=60)  # the .ics that follows
    finished = done.expect(actor.user_id)
    await api.send_message(actor.user_id, "/menu")
    actor.menu_id = (await api.next_event(actor.user_id, timeout=60)).message_id or 0
    await asyncio.wait_for(finished, 60)
