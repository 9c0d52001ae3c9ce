"""Test shortcuts that play whole conversations."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from storage.repositories import people
from storage.types import utcnow
from tests.chat import Person


async def registered_official(session: AsyncSession, telegram_id: int, name: str) -> int:
    """A person stored as registered (no conversation played); returns their row id."""
    person = await people.create(
        session,
        telegram_id=telegram_id,
        username=None,
        telegram_name=name,
        locale="es",
        consent_at=utcnow(),
        role="official",
    )
    await people.update(session, telegram_id, registered_at=utcnow())
    return person.id


async def register(person: Person, *, region: str = "Puno", sex: str = "Mujer") -> None:
    """Accept the notice and answer every question; leaves the chat with nothing pending."""
    _greeting, notice = await person.say("/start", 2)
    await person.press(notice, "Acepto")
    await person.replies(2)
    await person.press(await person.reply(), "Usar «")
    await person.reply()
    await person.reply()
    await person.send(region)
    await person.reply()  # "✅ Región: ..."
    await person.press(await person.reply(), "Gobierno Regional")
    await person.reply()
    await person.reply()
    await person.send("Analista")
    await person.press(await person.reply(), sex)
    await person.reply()
    await person.press(await person.reply(), "Confirmar")
    await person.replies(2)
