"""A person chatting with Minka through the local Bot API server, as a test would play them."""

from __future__ import annotations

import asyncio

from bot import follow_ups
from bot.local_api import BotEvent, LocalBotApi
from bot.local_api.observing import WAIT

# How long a test waits for a workbook: it is built in a worker process whose first start
# imports openpyxl (seconds on a loaded two-core CI box, where 5 s was seen to fall short).
WORKBOOK_WAIT = 60.0
# How long a test waits for a reply: the local Bot API's own default (30 s; a reply ends the
# wait as it comes). A press is answered once its handler's work is done, a workbook included.
REPLY_WAIT = WAIT


async def work_ended(timeout: float = REPLY_WAIT) -> None:
    """Minka's work apart from its update (a workbook, the indicator report: bot/follow_ups.py)
    has ended. Its file reaches the chat a moment before the work withdraws its cut-short
    notice (bot/cut_short.py, in a transaction after the send): a test that moves the clock
    past the notice's lease right after the file came must wait for this first, or the notice
    is due and sent, as a killed process's would be."""
    works = list(follow_ups._prepared)
    if works:
        _done, late = await asyncio.wait(works, timeout=timeout)
        assert not late, f"{len(late)} works apart still running after {timeout} s"


class Person:
    def __init__(
        self,
        api: LocalBotApi,
        user_id: int,
        first_name: str,
        *,
        last_name: str | None = None,
        username: str | None = None,
        language_code: str = "es",
    ) -> None:
        self.api = api
        self.id = user_id
        self.user = api.add_user(
            user_id,
            first_name,
            last_name=last_name,
            username=username,
            language_code=language_code,
        )

    @property
    def full_name(self) -> str:
        return " ".join(filter(None, [self.user["first_name"], self.user.get("last_name")]))

    async def send(self, text: str) -> None:
        await self.api.send_message(self.id, text)

    async def send_file(self, data: bytes, file_name: str) -> None:
        """Send a file (📎) as a document."""
        await self.api.send_document(self.id, data, file_name)

    async def reply(self, timeout: float = REPLY_WAIT) -> BotEvent:
        """The next thing Minka did in this chat (a message, an edit, a document...)."""
        return await self.api.next_event(self.id, timeout)

    async def replies(self, count: int, timeout: float = REPLY_WAIT) -> list[BotEvent]:
        return [await self.reply(timeout) for _ in range(count)]

    async def say(
        self, text: str, count: int = 1, *, timeout: float = REPLY_WAIT
    ) -> list[BotEvent]:
        """Send `text` and collect Minka's next `count` actions in this chat."""
        await self.send(text)
        return await self.replies(count, timeout)

    async def press(self, event: BotEvent, label: str, timeout: float = WORKBOOK_WAIT) -> dict:
        """Press the button whose label contains `label` on that message; returns the answer
        Minka gave to the press (answerCallbackQuery parameters), made after the handler's work:
        a workbook's build included."""
        button = event.find_button(label)
        message_id = event.message_id
        assert message_id is not None
        query_id = await self.api.press_button(self.id, message_id, button["callback_data"])
        return await self.api.callback_answer(query_id, timeout)

    async def choose(self, event: BotEvent, label: str) -> dict:
        """Answer a form's question with its button: Minka first shows the answer under the
        question, its buttons gone («✔️ …»); that edit is read here. Returns the press's answer."""
        answer = await self.press(event, label)
        echo = await self.reply()
        assert echo.method == "editMessageText" and echo.message_id == event.message_id, echo
        assert "\n✔️ " in (echo.text or "") and echo.buttons == [], echo
        return answer

    async def press_forged(self, event: BotEvent, data: str, timeout: float = REPLY_WAIT) -> dict:
        """Press a button that was never sent, as a tampered client could: the stored message
        gets an extra button carrying `data`. Returns Minka's answer to the press."""
        assert event.message_id is not None
        self.api.tamper_button(self.id, event.message_id, data)
        query_id = await self.api.press_button(self.id, event.message_id, data)
        return await self.api.callback_answer(query_id, timeout)

    def no_more(self) -> list[BotEvent]:
        return self.api.drain(self.id)
