"""End to end at Telegram's limits, beyond the Tool Kit: owed messages, lists, broadcasts,
buttons and the largest ids. The `app` fixture fails any test whose Minka sent a request the
local Bot API server refused as Telegram would; these tests also check what people read."""

from __future__ import annotations

from datetime import timedelta

from telegram.ext import Application

from bot.local_api import LocalBotApi
from bot.outbox import tick
from bot.runtime import Runtime
from bot.services import meetings as rules
from bot.telegram_limits import MESSAGE_LIMIT, units
from storage.repositories import meetings as repo
from tests.chat import Person
from tests.helpers import register


async def test_an_invitation_with_an_agenda_too_long_still_arrives(
    api: LocalBotApi, app: Application, runtime: Runtime
) -> None:
    """A meeting created before the agenda had a limit (`reuniones crear --agenda` took any
    length): its invitation is cut to one message instead of being refused by Telegram."""
    ana = Person(api, 7101, "Ana")
    await register(ana, region="Puno")
    now = runtime.clock.now()
    async with runtime.db.session() as session:
        audience = await rules.parse_audience(session, ["region:Puno"])
        meeting, _invited = await rules.create(
            session,
            title="Mesa técnica «REINFO» & <formalización>",
            kind="tecnica",
            starts_at=now + timedelta(days=10),
            ends_at=now + timedelta(days=10, hours=2),
            audience=audience,
            offsets=rules.parse_offsets(rules.DEFAULT_OFFSETS),
            now=now,
            agenda="Revisión",
        )
        agenda = "\n".join(f"{n}. Punto «{n}» & <revisión> 😀" for n in range(1, 400))
        await repo.change(session, meeting.id, agenda=agenda)
    assert await tick(app) == 1
    invitation, calendar = await ana.replies(2)
    assert invitation.text.startswith("📨 Usted está invitado") or "invitad" in invitation.text
    assert units(invitation.text) <= MESSAGE_LIMIT and invitation.text.endswith("…")
    assert "1. Punto «1» & <revisión> 😀" in invitation.text
    assert any("Asistiré" in label for label in invitation.button_texts())
    assert calendar.method == "sendDocument"
