"""Parameter schemas of the supported Bot API methods.

Each method lists its parameters in the order Telegram validates them, so when several are wrong
the error reported is the one production would report first.  ``missing`` is the Bot API reason
returned when a required parameter is absent or empty (Telegram treats both the same).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

from bot.local_api.errors import QUERY_INVALID


class Kind(Enum):
    """How a raw (string) parameter value is coerced."""

    INT = "int"
    BOOL = "bool"
    STR = "str"
    CHAT_ID = "chat_id"  # integer id or "@username"
    JSON = "json"
    FILE = "file"  # multipart upload, file_id, URL or attach://<part>


@dataclass(frozen=True)
class UploadedFile:
    """A multipart file part, kept whole so tests can inspect exactly what the bot uploaded."""

    filename: str
    content_type: str
    data: bytes


@dataclass(frozen=True)
class Param:
    kind: Kind
    missing: str | None = None  # required when set: the reason reported if absent
    json_error: str | None = None  # reason reported for unparsable JSON


def _p(kind: Kind, missing: str | None = None, json_error: str | None = None) -> Param:
    return Param(kind, missing, json_error)


_CHAT = _p(Kind.CHAT_ID, "chat_id is empty")
_OPT_CHAT = _p(Kind.CHAT_ID)
_INT = _p(Kind.INT)
_BOOL = _p(Kind.BOOL)
_STR = _p(Kind.STR)
_JSON = _p(Kind.JSON)
_MARKUP = _p(Kind.JSON, json_error="can't parse reply keyboard markup JSON object")
_ENTITIES = _p(Kind.JSON, json_error="can't parse entities JSON object")
_SEND_OPTIONS = {
    "message_thread_id": _INT,
    "disable_notification": _BOOL,
    "protect_content": _BOOL,
    "allow_paid_broadcast": _BOOL,
    "message_effect_id": _STR,
    "reply_parameters": _p(Kind.JSON, json_error="can't parse reply parameters JSON object"),
    "reply_markup": _MARKUP,
}
_CAPTION = {
    "caption": _STR,
    "parse_mode": _STR,
    "caption_entities": _ENTITIES,
    "show_caption_above_media": _BOOL,
}
_SCOPE = {
    "scope": _p(Kind.JSON, json_error="can't parse BotCommandScope JSON object"),
    "language_code": _STR,
}
_EDIT_TARGET = {"chat_id": _OPT_CHAT, "message_id": _INT, "inline_message_id": _STR}

METHODS: dict[str, dict[str, Param]] = {
    "getMe": {},
    "logOut": {},
    "close": {},
    "getUpdates": {"offset": _INT, "limit": _INT, "timeout": _INT, "allowed_updates": _JSON},
    "setWebhook": {
        "url": _STR,
        "certificate": _p(Kind.FILE),
        "ip_address": _STR,
        "max_connections": _INT,
        "allowed_updates": _JSON,
        "drop_pending_updates": _BOOL,
        "secret_token": _STR,
    },
    "deleteWebhook": {"drop_pending_updates": _BOOL},
    "getWebhookInfo": {},
    "sendMessage": {
        "text": _p(Kind.STR, "message text is empty"),
        "parse_mode": _STR,
        "entities": _ENTITIES,
        "link_preview_options": _p(Kind.JSON, json_error="can't parse link preview options"),
        "chat_id": _CHAT,
        **_SEND_OPTIONS,
    },
    "sendDocument": {
        "document": _p(Kind.FILE, "there is no document in the request"),
        "thumbnail": _p(Kind.FILE),
        **_CAPTION,
        "disable_content_type_detection": _BOOL,
        "chat_id": _CHAT,
        **_SEND_OPTIONS,
    },
    "sendPhoto": {
        "photo": _p(Kind.FILE, "there is no photo in the request"),
        **_CAPTION,
        "has_spoiler": _BOOL,
        "chat_id": _CHAT,
        **_SEND_OPTIONS,
    },
    "sendChatAction": {
        "action": _p(Kind.STR, "wrong parameter action in request"),
        "chat_id": _CHAT,
        "message_thread_id": _INT,
    },
    "editMessageText": {
        "text": _p(Kind.STR, "message text is empty"),
        "parse_mode": _STR,
        "entities": _ENTITIES,
        "link_preview_options": _p(Kind.JSON, json_error="can't parse link preview options"),
        **_EDIT_TARGET,
        "reply_markup": _MARKUP,
    },
    "editMessageReplyMarkup": {**_EDIT_TARGET, "reply_markup": _MARKUP},
    "deleteMessage": {
        "chat_id": _CHAT,
        "message_id": _p(Kind.INT, "message identifier is not specified"),
    },
    "answerCallbackQuery": {
        "callback_query_id": _p(Kind.STR, QUERY_INVALID),
        "text": _STR,
        "show_alert": _BOOL,
        "url": _STR,
        "cache_time": _INT,
    },
    "answerInlineQuery": {
        "inline_query_id": _p(Kind.STR, QUERY_INVALID),
        "results": _p(
            Kind.JSON,
            "can't parse inline query results JSON object",
            "can't parse inline query results JSON object",
        ),
        "cache_time": _INT,
        "is_personal": _BOOL,
        "next_offset": _STR,
        "button": _p(Kind.JSON, json_error="can't parse inline query results button JSON object"),
    },
    "setMyCommands": {
        "commands": _p(
            Kind.JSON, 'parameter "commands" is required', "can't parse commands JSON object"
        ),
        **_SCOPE,
    },
    "getMyCommands": _SCOPE,
    "deleteMyCommands": _SCOPE,
    "setMyDescription": {"description": _STR, "language_code": _STR},
    "getMyDescription": {"language_code": _STR},
    "setMyShortDescription": {"short_description": _STR, "language_code": _STR},
    "getMyShortDescription": {"language_code": _STR},
    "getFile": {"file_id": _p(Kind.STR, "file_id not specified")},
    # The button is read before chat_id (a user's id, checked by the method).
    "setChatMenuButton": {
        "menu_button": _p(Kind.JSON, json_error="can't parse menu button JSON object"),
        "chat_id": _STR,
    },
    "getChatMenuButton": {"chat_id": _STR},
}

CANONICAL_NAMES = {name.lower(): name for name in METHODS}

# Parameters the Bot API replaced: Telegram still honours them, but a client built on today's
# reference (an independent check of Minka's requests) reports them, and Telegram may drop them.
_REPLY_TO = {
    "reply_to_message_id": "reply_parameters",
    "allow_sending_without_reply": "reply_parameters",
}
DEPRECATED: dict[str, dict[str, str]] = {
    "sendMessage": {"disable_web_page_preview": "link_preview_options", **_REPLY_TO},
    "editMessageText": {"disable_web_page_preview": "link_preview_options"},
    "sendDocument": {"thumb": "thumbnail", **_REPLY_TO},
    "sendPhoto": _REPLY_TO,
    "answerInlineQuery": {"switch_pm_text": "button", "switch_pm_parameter": "button"},
}


def ignored_parameters(method: str, names: set[str], attached: set[str]) -> list[str]:
    """What Telegram would not read as today's Bot API defines `method`: a deprecated
    parameter («name (use replacement)»), or one the method does not have (misspelt, or of
    another method), which Telegram silently ignores. `attached`: multipart parts that an
    `attach://` value names, files rather than parameters."""
    replaced = DEPRECATED.get(method, {})
    return [
        f"{name} (use {replaced[name]})" if name in replaced else name
        for name in sorted(names - set(METHODS[method]) - attached)
    ]
