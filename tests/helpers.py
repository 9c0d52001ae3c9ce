"""Test shortcuts that play whole conversations."""

from __future__ import annotations

from tests.chat import Person


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
