"""Anti-flood: more than 20 updates in 10 seconds from one person get one polite notice and
the rest are dropped, while other people are served as usual."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

import pytest
from telegram import Chat, Message, Update, User

from bot.config import Settings
from bot.local_api import Fault, LocalBotApi
from bot.updates import FloodGuard, PacedQueue, PerUserUpdateProcessor, Verdict
from tests.chat import Person
from tests.test_flood_lasting import REFUSAL

NOTICE = (
    "Está enviando muchos mensajes seguidos. Espere un momento, por favor, y vuelva a intentarlo."
)


@pytest.fixture
def settings(settings: Settings) -> Settings:
    """Production's limit: 20 updates in 10 seconds."""
    return settings.model_copy(update={"flood_limit": 20})


async def test_a_flood_is_cut_with_one_notice_and_others_are_served(
    api: LocalBotApi, ana: Person
) -> None:
    luis = Person(api, 1002, "Luis")
    for _ in range(30):
        await api.send_message(ana.id, "/ayuda")
    await asyncio.sleep(0.2)
    (help_text,) = await luis.say("/ayuda")  # not held up behind Ana's flood
    assert "/temas" in help_text.text
    await asyncio.sleep(2.0)
    texts = [event.text for event in api.drain(ana.id) if event.method == "sendMessage"]
    assert texts.count(NOTICE) == 1
    assert len([text for text in texts if text != NOTICE]) == 20


async def test_the_flood_notice_waits_out_flood_control(api: LocalBotApi, ana: Person) -> None:
    """Telegram's own flood control (429 with retry_after, past the rate limiter's retries)
    on the notice keeps it for the outbox instead of dropping it: the person who is told
    nothing would keep writing into updates that are dropped."""
    # Refusals for 5 s, retry_after 0.2 s: four times the rate limiter's retries (4 calls,
    # 1.2 s), as 15 s were at retry_after 1 (3.3 s), in a third of the wait.
    api.inject_for("sendMessage", Fault.too_many_requests(REFUSAL), seconds=5)
    for _ in range(30):
        await api.send_message(ana.id, "/ayuda")
    texts: list[str | None] = []
    for _ in range(21):
        event = await ana.reply(timeout=60)
        texts.append(event.text)
    assert texts.count(NOTICE) == 1
    assert len([text for text in texts if text != NOTICE]) == 20


async def test_every_press_of_a_flood_is_answered_once(api: LocalBotApi, ana: Person) -> None:
    """Presses dropped by the anti-flood are answered too (silently), or the person's phone
    shows each button spinning until Telegram gives up; none is answered twice."""
    (topics,) = await ana.say("/temas")
    data = topics.find_button(topics.button_texts()[0])["callback_data"]
    assert topics.message_id is not None
    queries = [await api.press_button(ana.id, topics.message_id, data) for _ in range(30)]
    answers = [await api.callback_answer(query) for query in queries]
    assert [answer.get("text") for answer in answers].count(NOTICE) == 1
    assert not [r for r in api.refusals if r.method == "answerCallbackQuery"]


def test_the_window_slides() -> None:
    now = [0.0]
    guard = FloodGuard(limit=3, window=10.0, clock=lambda: now[0])
    assert [guard.check(1) for _ in range(3)] == [Verdict.PASS] * 3
    assert guard.check(1) is Verdict.WARN
    assert guard.check(1) is Verdict.DROP
    assert guard.check(2) is Verdict.PASS  # someone else
    now[0] = 10.5  # every earlier arrival has left the window
    assert guard.check(1) is Verdict.PASS


async def test_the_queue_waits_while_the_backlog_is_full() -> None:
    """Polling stops taking updates while the processor holds a full backlog (they wait at
    Telegram, and come in one getUpdates later); PTB's stop signal is never held back."""
    processor = PerUserUpdateProcessor(max_concurrent_updates=1)
    queue = PacedQueue(processor)
    release = asyncio.Event()

    def update(n: int) -> Update:
        user = User(n, f"Persona {n}", is_bot=False)
        chat = Chat(n, Chat.PRIVATE)
        return Update(n, message=Message(n, datetime.now(UTC), chat, from_user=user, text="hola"))

    async def slow() -> None:
        await release.wait()

    running = [
        asyncio.create_task(processor.process_update(update(n), slow()))
        for n in range(processor.backlog)
    ]
    await asyncio.sleep(0)
    put = asyncio.create_task(queue.put(update(99)))
    await asyncio.sleep(0.05)
    assert not put.done() and queue.empty()
    await asyncio.wait_for(queue.put(object()), 1)  # PTB's stop signal: never held back
    release.set()
    await asyncio.wait_for(put, 5)
    await asyncio.gather(*running)
    assert [queue.get_nowait() for _ in range(2)][1].update_id == 99
