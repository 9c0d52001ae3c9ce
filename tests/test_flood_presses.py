"""A press under a lasting flood control (issue #18): its answer only stops the button's
spinner and Telegram takes it only for a short while, so it is not waited for long; the
reply to the press (here the buttons that show the choice) is what must arrive, once."""

from __future__ import annotations

import asyncio
import time

from bot.local_api import Fault, LocalBotApi
from bot.ratelimit import PRESS_WAIT
from tests.chat import Person
from tests.helpers import register


def _answers(api: LocalBotApi) -> int:
    return sum(1 for name, _params in api.calls if name == "answerCallbackQuery")


async def _pressed_article(api: LocalBotApi, person: Person) -> tuple[int, str]:
    """An article's message and its «👍» button's data."""
    await register(person)
    *_definition, article = await person.say("que es el reinfo", 2)
    assert article.message_id is not None
    return article.message_id, article.find_button("👍")["callback_data"]


async def test_a_long_refusal_of_the_answer_does_not_hold_the_reply_back(
    api: LocalBotApi, bot: object
) -> None:
    """Telegram asks to wait 20 s before answering the press: the rate limiter used to wait
    that three times (a minute) before the reply; now the answer is given up at once."""
    ana = Person(api, 8810, "Ana", last_name="Quispe")
    message_id, data = await _pressed_article(api, ana)
    api.inject("answerCallbackQuery", Fault.too_many_requests(int(PRESS_WAIT) + 15), times=4)
    before = _answers(api)
    await api.press_button(ana.id, message_id, data)
    (edit,) = await ana.replies(1, timeout=15)
    assert edit.method == "editMessageReplyMarkup" and edit.message_id == message_id
    assert "✓ 👍 Sí" in edit.button_texts()
    assert _answers(api) - before == 1  # tried once, not waited for
    await asyncio.sleep(1)
    assert api.drain(ana.id) == []


async def test_a_press_under_a_lasting_flood_control_gets_its_reply_once(
    api: LocalBotApi, bot: object
) -> None:
    """Both the answer and the change of buttons refused for 12 s (retry_after 1, past the
    rate limiter's retries): the answer is given up, the change is held and made once
    Telegram allows, exactly once."""
    ana = Person(api, 8811, "Ana", last_name="Quispe")
    message_id, data = await _pressed_article(api, ana)
    for method in ("answerCallbackQuery", "editMessageReplyMarkup"):
        api.inject_for(method, Fault.too_many_requests(1), seconds=12)
    ends = time.monotonic() + 12
    await api.press_button(ana.id, message_id, data)
    (edit,) = await ana.replies(1, timeout=40)
    assert time.monotonic() >= ends
    assert edit.method == "editMessageReplyMarkup" and "✓ 👍 Sí" in edit.button_texts()
    await asyncio.sleep(1)
    assert api.drain(ana.id) == []
