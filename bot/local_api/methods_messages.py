"""Bot API methods that act on chats: sending, editing, deleting and answering queries."""

from __future__ import annotations

import copy
from collections.abc import Awaitable, Callable
from typing import Any

from bot.local_api.errors import NOT_MODIFIED, QUERY_INVALID, ApiError, bad_request
from bot.local_api.events import BotEvent, EventLog
from bot.local_api.formatting import FormattedText, caption_text, message_text
from bot.local_api.inline import check_results
from bot.local_api.media import document_object, new_file, photo_sizes
from bot.local_api.schema import UploadedFile
from bot.local_api.state import (
    INLINE_ANSWER_WINDOW,
    BotState,
    Chat,
)
from bot.local_api.validation import parse_link_preview, parse_reply_markup
from bot.telegram_entities import utf16_len

Handler = Callable[[dict[str, Any]], Awaitable[Any]]

CHAT_ACTIONS = frozenset(
    {
        "typing",
        "upload_photo",
        "record_video",
        "upload_video",
        "record_voice",
        "upload_voice",
        "upload_document",
        "choose_sticker",
        "find_location",
        "record_video_note",
        "upload_video_note",
    }
)
CALLBACK_ANSWER_LIMIT = 200  # characters of answerCallbackQuery's text (UTF-16 units here)
UPLOAD_LIMIT = 50 * 1024 * 1024  # what a bot may upload through the Bot API
PHOTO_LIMIT = 10 * 1024 * 1024  # sendPhoto: "The photo must be at most 10 MB in size"
# deleteMessage: "A message can only be deleted if it was sent less than 48 hours ago"
DELETE_WINDOW = 48 * 3600


class MessageMethods:
    """Handlers for chat-facing methods; each successful action is recorded as a BotEvent."""

    def __init__(self, state: BotState, events: EventLog) -> None:
        self.state = state
        self.events = events

    def handlers(self) -> dict[str, Handler]:
        return {
            "sendMessage": self.send_message,
            "sendDocument": self.send_document,
            "sendPhoto": self.send_photo,
            "sendChatAction": self.send_chat_action,
            "editMessageText": self.edit_message_text,
            "editMessageReplyMarkup": self.edit_message_reply_markup,
            "deleteMessage": self.delete_message,
            "answerCallbackQuery": self.answer_callback_query,
            "answerInlineQuery": self.answer_inline_query,
        }

    def _record(
        self,
        method: str,
        chat: Chat,
        message: dict[str, Any] | None,
        params: dict[str, Any],
        *,
        html: str | None = None,
        markup: dict[str, Any] | None = None,
    ) -> None:
        text = None if message is None else message.get("text", message.get("caption"))
        self.events.record(
            BotEvent(
                method=method,
                chat_id=chat.id,
                message_id=None if message is None else message["message_id"],
                text=text,
                html=html,
                reply_markup=markup,
                params=params,
            )
        )

    def _note_lost(self, method: str, formatted: FormattedText) -> None:
        if formatted.dropped:
            self.state.lost_formatting.append((method, formatted.dropped))

    async def send_message(self, p: dict[str, Any]) -> dict[str, Any]:
        formatted = message_text(
            p.get("text"), p.get("parse_mode"), p.get("entities"), self.state.resolve_user
        )
        markup = _markup(p)
        preview = parse_link_preview(p.get("link_preview_options"))
        chat = self.state.writable_chat(p["chat_id"])
        self._note_lost("sendMessage", formatted)
        content: dict[str, Any] = _text_content(formatted)
        if preview:
            content["link_preview_options"] = preview
        message = self._send(chat, p, content, markup)
        self._record("sendMessage", chat, message, p, html=p["text"], markup=markup)
        return copy.deepcopy(message)

    async def send_document(self, p: dict[str, Any]) -> dict[str, Any]:
        return await self._send_file("sendDocument", "document", p)

    async def send_photo(self, p: dict[str, Any]) -> dict[str, Any]:
        return await self._send_file("sendPhoto", "photo", p)

    async def _send_file(self, method: str, kind: str, p: dict[str, Any]) -> dict[str, Any]:
        caption = caption_text(
            p.get("caption"),
            p.get("parse_mode"),
            p.get("caption_entities"),
            self.state.resolve_user,
        )
        markup = _markup(p)
        chat = self.state.writable_chat(p["chat_id"])
        self._note_lost(method, caption)
        source = p[kind]
        if isinstance(source, UploadedFile):
            _check_upload(source)
            if kind == "photo" and len(source.data) > PHOTO_LIMIT:
                raise bad_request("PHOTO_SAVE_FILE_INVALID")
            stored = new_file(
                kind, source.data, source.filename, source.content_type, len(self.state.files) + 1
            )
        else:
            stored = self.state.stored_file(source, kind)
        content: dict[str, Any] = {}
        if kind == "photo":
            sizes = photo_sizes(stored)
            self.state.files.update({file_id: stored for file_id, _ in sizes})
            content["photo"] = [size for _, size in sizes]
            if p.get("has_spoiler"):
                content["has_media_spoiler"] = True
        else:
            self.state.files[stored.file_id] = stored
            content["document"] = document_object(stored)
        if caption.text:
            content["caption"] = caption.text
            if caption.entities:
                content["caption_entities"] = caption.entities
            if p.get("show_caption_above_media"):
                content["show_caption_above_media"] = True
        message = self._send(chat, p, content, markup)
        # The event also names the stored upload, so tests can read it back from `files`.
        event_params = {**p, "file_id": stored.file_id}
        self._record(method, chat, message, event_params, html=p.get("caption"), markup=markup)
        return copy.deepcopy(message)

    def _send(
        self, chat: Chat, p: dict[str, Any], content: dict[str, Any], markup: dict[str, Any] | None
    ) -> dict[str, Any]:
        _check_thread(p)
        reply_to = _reply_target(chat, p.get("reply_parameters"))
        if reply_to is not None:
            content["reply_to_message"] = {
                k: v for k, v in reply_to.items() if k != "reply_to_message"
            }
        if p.get("protect_content"):
            content["has_protected_content"] = True
        if markup and "inline_keyboard" in markup:  # only inline keyboards belong to a message
            content["reply_markup"] = markup
        return self.state.bot_message(chat, content)

    async def send_chat_action(self, p: dict[str, Any]) -> bool:
        if p["action"].lower() not in CHAT_ACTIONS:
            raise bad_request("wrong parameter action in request")
        chat = self.state.writable_chat(p["chat_id"])
        _check_thread(p)
        self._record("sendChatAction", chat, None, p)
        return True

    async def edit_message_text(self, p: dict[str, Any]) -> dict[str, Any]:
        formatted = message_text(
            p.get("text"),
            p.get("parse_mode"),
            p.get("entities"),
            self.state.resolve_user,
            edit=True,
        )
        markup = _markup(p, inline_only=True)
        parse_link_preview(p.get("link_preview_options"))
        chat, message = self._edit_target(p)
        if "text" not in message:
            raise bad_request("there is no text in the message to edit")
        self._note_lost("editMessageText", formatted)
        unchanged = (
            message["text"] == formatted.text
            and message.get("entities", []) == formatted.entities
            and message.get("reply_markup") == markup
        )
        if unchanged:
            raise bad_request(NOT_MODIFIED)
        for key in ("text", "entities", "reply_markup"):
            message.pop(key, None)
        message.update(_text_content(formatted))
        _apply_edit(message, markup, self.state.now())
        self._record("editMessageText", chat, message, p, html=p["text"], markup=markup)
        return copy.deepcopy(message)

    async def edit_message_reply_markup(self, p: dict[str, Any]) -> dict[str, Any]:
        markup = _markup(p, inline_only=True)
        chat, message = self._edit_target(p)
        if message.get("reply_markup") == markup:
            raise bad_request(NOT_MODIFIED)
        message.pop("reply_markup", None)
        _apply_edit(message, markup, self.state.now())
        self._record("editMessageReplyMarkup", chat, message, p, markup=markup)
        return copy.deepcopy(message)

    def _edit_target(self, p: dict[str, Any]) -> tuple[Chat, dict[str, Any]]:
        if "chat_id" not in p and "message_id" not in p:
            if "inline_message_id" not in p:
                raise bad_request("message identifier is not specified")
            raise bad_request("MESSAGE_ID_INVALID")  # no inline messages exist locally
        if "chat_id" not in p:
            raise bad_request("chat_id is empty")
        chat = self.state.writable_chat(p["chat_id"])
        message = chat.messages.get(p.get("message_id", 0))
        if message is None:
            raise bad_request("message to edit not found")
        if message["from"]["id"] != self.state.bot_user["id"]:
            raise bad_request("message can't be edited")
        return chat, message

    async def delete_message(self, p: dict[str, Any]) -> bool:
        chat = self.state.find_chat(p["chat_id"])
        message = chat.messages.get(p["message_id"])
        if message is None:
            raise bad_request("message to delete not found")
        from_bot = message["from"]["id"] == self.state.bot_user["id"]
        if chat.info["type"] != "private" and not from_bot:
            raise bad_request("message can't be deleted")  # the bot is not a group admin
        if self.state.now() - message["date"] >= DELETE_WINDOW:
            raise bad_request("message can't be deleted")  # Telegram's words (Telegram.Bot#471)
        del chat.messages[p["message_id"]]
        self.events.record(BotEvent("deleteMessage", chat.id, p["message_id"], None, None, None, p))
        return True

    async def answer_callback_query(self, p: dict[str, Any]) -> bool:
        query = self.state.callback_queries.get(p["callback_query_id"])
        if query is None or query.answer is not None:
            raise bad_request(QUERY_INVALID)
        if query.too_late(self.state.callback_window):
            self.state.answers.notify()  # a test waiting for this answer learns it came late
            raise bad_request(QUERY_INVALID)
        if utf16_len(p.get("text", "")) > CALLBACK_ANSWER_LIMIT:
            raise bad_request("MESSAGE_TOO_LONG")
        username = self.state.bot_user["username"]
        url = p.get("url", "")
        if url and not url.lower().startswith(
            (f"https://t.me/{username}?start=".lower(), f"t.me/{username}?start=".lower())
        ):
            raise bad_request("URL_INVALID")  # only game URLs or the bot's own start links
        query.answer = p
        self.state.answers.notify()
        return True

    async def answer_inline_query(self, p: dict[str, Any]) -> bool:
        query = self.state.inline_queries.get(p["inline_query_id"])
        if query is None or query.answer is not None:
            raise bad_request(QUERY_INVALID)
        if query.too_late(INLINE_ANSWER_WINDOW):
            self.state.answers.notify()
            raise bad_request(QUERY_INVALID)
        dropped = check_results(p["results"], self.state.resolve_user)
        if len(p.get("next_offset", "").encode()) > 64:
            raise bad_request("NEXT_OFFSET_INVALID")
        self.state.lost_formatting.extend(("answerInlineQuery", count) for count in dropped)
        query.answer = p
        self.state.answers.notify()
        return True


def _check_thread(p: dict[str, Any]) -> None:
    """Topics exist only in forum supergroups (and bots' private chats with topic mode on);
    no local chat has them."""
    if "message_thread_id" in p:
        raise bad_request("message thread not found")


def _check_upload(upload: UploadedFile) -> None:
    if not upload.data:
        raise bad_request("file must be non-empty")
    if len(upload.data) > UPLOAD_LIMIT:
        raise ApiError(413, "Request Entity Too Large")


def _markup(p: dict[str, Any], *, inline_only: bool = False) -> dict[str, Any] | None:
    if "reply_markup" not in p:
        return None
    return parse_reply_markup(p["reply_markup"], inline_only=inline_only)


def _text_content(formatted: FormattedText) -> dict[str, Any]:
    content: dict[str, Any] = {"text": formatted.text}
    if formatted.entities:
        content["entities"] = formatted.entities
    return content


def _apply_edit(message: dict[str, Any], markup: dict[str, Any] | None, now: int) -> None:
    """Editing without reply_markup removes the inline keyboard, as in Telegram."""
    if markup is not None:
        message["reply_markup"] = markup
    message["edit_date"] = now


def _reply_target(chat: Chat, parameters: Any) -> dict[str, Any] | None:
    if parameters is None:
        return None
    if not isinstance(parameters, dict):
        raise bad_request("object expected as reply parameters")
    if not isinstance(parameters.get("message_id"), int):
        raise bad_request("can't parse reply parameters: Can't find field \"message_id\"")
    target = chat.messages.get(parameters["message_id"])
    if target is None and not parameters.get("allow_sending_without_reply"):
        raise bad_request("message to be replied not found")
    return target
