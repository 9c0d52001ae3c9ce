"""Delivering the storm's drawn updates (tests/test_random_input.py) as Telegram would: texts
through the local Bot API server's user simulation, everything else as raw updates shaped like
the Bot API's Message and CallbackQuery objects; then waiting until Minka is idle."""

from __future__ import annotations

import asyncio
import itertools
import time
from typing import Any

from telegram.ext import Application

from bot.local_api import LocalBotApi
from bot.runtime import Runtime
from storage.repositories import people
from tests.storm import GROUP, MARKERS, Snapshot, World, differences, snapshot

ERASE = "priv:erase:yes"  # erasing her own data would end Ana's registered half of the storm


def fit(text: str, limit: int = 4096) -> str:
    """As a Telegram client sends it: trimmed, not empty, at most 4,096 UTF-16 units (1,024
    for a caption)."""
    units, kept = 0, []
    for char in text.strip():
        units += 2 if ord(char) > 0xFFFF else 1
        if units > limit:
            break
        kept.append(char)
    return "".join(kept).strip() or "."


def _media(kind: str, n: int, user_id: int) -> dict[str, Any]:
    file = {"file_id": f"AgAD{n}", "file_unique_id": f"U{n}"}
    return {
        "sticker": {"sticker": {**file, "type": "regular", "width": 512, "height": 512,
                                "is_animated": False, "is_video": False, "emoji": "😀"}},
        "photo": {"photo": [{**file, "width": 90, "height": 60, "file_size": 1200}]},
        "voice": {"voice": {**file, "duration": 3, "mime_type": "audio/ogg"}},
        "document": {"document": {**file, "file_name": "<b>INJECT</b>.pdf",
                                  "mime_type": "application/pdf", "file_size": 2048}},
        "location": {"location": {"latitude": -15.84, "longitude": -70.02}},
        "contact": {"contact": {"phone_number": "+51999999999", "first_name": "<b>INJECT",
                                "user_id": user_id}},
    }[kind]  # fmt: skip


class Storm:
    """Sends drawn updates: ("text", who, chat, text) | ("edit", who, text) |
    ("media", who, chat, kind, caption) | ("press", who, how, data, pick) | ("wait",)."""

    def __init__(self, api: LocalBotApi, app: Application, world: World) -> None:
        self.api, self.app, self.world = api, app, world
        self.runtime: Runtime = app.bot_data["runtime"]
        self.people = {"ana": world.ana.user, "stranger": world.stranger.user}
        self.query_ids = (str(n) for n in itertools.count(7_000_000_000))
        self.message_ids = itertools.count(900_000)
        self.last_text: dict[int, dict[str, Any]] = {}
        self.queries: list[str] = []  # every press must be answered
        self.sent = 0
        self.seen_events = len(api.events)  # what Minka did before is checked already
        self.before: Snapshot = {}  # everyone else's rows before the storm

    def resolve(self, text: str) -> str:
        """Put the seeded world's ids and codes where the strategy wrote "@case_luis"..."""
        for name in sorted(self.world.ids, key=len, reverse=True):
            text = text.replace(f"@{name}", self.world.ids[name])
        return text

    async def send(self, drawn: tuple[Any, ...]) -> None:
        if drawn[0] == "wait":  # let Minka answer, so that the next presses go deeper
            await self.settle()
            return
        kind, user = drawn[0], self.people[drawn[1]]
        if kind == "text":
            chat = GROUP if drawn[2] == "group" else None
            message = await self.api.send_message(
                user["id"], fit(self.resolve(drawn[3])), chat_id=chat
            )
            if chat is None:
                self.last_text[user["id"]] = message
        elif kind == "edit":
            await self._edit(user, fit(self.resolve(drawn[2])))
        elif kind == "media":
            chat_id = GROUP if drawn[2] == "group" else user["id"]
            content = {"from": user, **_media(drawn[3], self.sent, user["id"])}
            if drawn[4] is not None and drawn[3] in ("photo", "voice", "document"):
                content["caption"] = fit(self.resolve(drawn[4]), 1024)
            await self.api.send_update({"message": self._message(user, chat_id, content)})
        else:
            await self._press(user, drawn[2], self.resolve(drawn[3]), drawn[4])
        self.sent += 1

    def _message(self, user: dict[str, Any], chat_id: int, content: dict[str, Any]) -> dict:
        if chat_id < 0:
            chat = {"id": chat_id, "title": f"Group {-chat_id}", "type": "group"}
        else:
            chat = {"id": user["id"], "first_name": user["first_name"], "type": "private"}
        return {"message_id": next(self.message_ids), "chat": chat, "date": int(time.time()),
                **content}  # fmt: skip

    async def _edit(self, user: dict[str, Any], text: str) -> None:
        original = self.last_text.get(user["id"])
        if original is None:
            await self.api.send_message(user["id"], text)
            return
        edited = {**original, "text": text, "edit_date": int(time.time())}
        edited.pop("entities", None)
        await self.api.send_update({"edited_message": edited})

    async def _press(self, user: dict[str, Any], how: str, data: str, pick: int) -> None:
        """monkey: a real button of a recent message | forged: an extra button on a message
        Minka sent (also in a group) | raw, inaccessible, inline, game: a query on a message
        that is gone, too old to read, sent inline, or without data."""
        data = "priv:erase:no" if data == ERASE else data
        chat_id = GROUP if how == "group" else user["id"]
        keyboards = self._keyboards(chat_id)
        if how == "monkey":
            buttons = [
                (message_id, button["callback_data"])
                for message_id, rows in list(keyboards.items())[:3]
                for row in rows
                for button in row
                if button.get("callback_data") not in (None, ERASE)
            ]
            if buttons:
                message_id, data = buttons[pick % len(buttons)]
                self.queries.append(await self.api.press_button(user["id"], message_id, data))
                return
            how = "forged"
        if how in ("forged", "group") and keyboards and data:
            message_id = list(keyboards)[pick % len(keyboards)]
            self.api.tamper_button(chat_id, message_id, data)
            self.queries.append(
                await self.api.press_button(user["id"], message_id, data, chat_id=chat_id)
            )
            return
        query: dict[str, Any] = {"id": next(self.query_ids), "from": user, "chat_instance": "1"}
        if how == "inline":
            query["inline_message_id"] = f"BAAAA{pick}"
        elif how == "inaccessible":
            query["message"] = {**self._message(user, chat_id, {}), "date": 0}
        else:
            content = {"from": self.api.bot_user, "text": "…", "date": int(time.time()) - 86_400}
            query["message"] = self._message(user, chat_id, content)
        if how == "game" or not data:
            query["game_short_name"] = "minka"
        else:
            query["data"] = data
        self.queries.append(query["id"])
        await self.api.send_update({"callback_query": query})

    def _keyboards(self, chat_id: int) -> dict[int, list[list[dict[str, Any]]]]:
        """The inline keyboards of Minka's messages in the chat as they are now, newest first
        (from what Minka did: the last action on a message says what it shows; Minka never
        deletes messages)."""
        latest: dict[int, list[list[dict[str, Any]]]] = {}
        for event in reversed(self.api.events):
            if event.chat_id == chat_id and event.message_id and event.message_id not in latest:
                latest[event.message_id] = event.buttons
        return latest

    async def settle(self, quiet: float = 0.05, timeout: float = 60.0) -> None:
        """Wait until Minka fetched every update, handles none, and did nothing in any chat
        for `quiet` seconds."""
        processor = self.app.update_processor
        deadline = time.monotonic() + timeout
        count, changed = -1, time.monotonic()
        while time.monotonic() < deadline:
            now = time.monotonic()
            if len(self.api.events) != count:
                count, changed = len(self.api.events), now
            busy = (
                self.api.pending_updates
                or not self.app.update_queue.empty()
                or processor.current_concurrent_updates
            )
            if not busy and now - changed >= quiet:
                return
            await asyncio.sleep(0.01)
        raise AssertionError(f"Minka was still busy {timeout} s after the batch")


async def check_outcome(storm: Storm) -> None:
    """What must hold once Minka is idle, whatever was sent: nothing typed reached a message
    unescaped, nothing was sent to anyone else, every press was answered, no row of anyone
    else changed, and the people who fuzz are still officials (or strangers)."""
    for event in storm.api.events[storm.seen_events :]:
        leaked = [marker for marker in MARKERS if marker in (event.html or "")]
        assert not leaked, f"unescaped {leaked} in {event.method}: {event.html!r}"
        assert event.chat_id not in storm.world.others_telegram, f"sent to others: {event}"
    storm.seen_events = len(storm.api.events)
    for query_id in storm.queries:
        await storm.api.callback_answer(query_id, timeout=1)  # every press was answered
    storm.queries.clear()
    async with storm.runtime.db.session() as session:
        assert differences(storm.before, await snapshot(session, storm.world)) == []
        for user in storm.people.values():
            person = await people.get(session, user["id"])
            assert person is None or person.role == "official"
