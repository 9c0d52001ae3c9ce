"""Parameter coercion and the structural checks Telegram applies to JSON parameters.

Everything reaches the Bot API as strings (query string, form fields, or JSON values that the
server re-serialises), so coercion starts from strings and follows each method's schema.  The
reply-markup and bot-command checks mirror the Bot API server plus the Telegram-side limits
(``BUTTON_DATA_INVALID``, ``BOT_COMMAND_INVALID``...), with Telegram's error wording.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any

from bot.local_api.errors import bad_request
from bot.local_api.schema import Kind, Param, UploadedFile
from bot.telegram_entities import check_link

_INT = re.compile(r"\s*[+-]?\d+\s*")
_TRUE = frozenset({"true", "yes", "1"})
_FALSE = frozenset({"false", "no", "0"})
_COMMAND = re.compile(r"[a-z0-9_]+")
_LANGUAGE = re.compile(r"[a-z]{2}")
# Inline button actions in the order the Bot API looks for them.
_INLINE_ACTIONS = (
    "url",
    "callback_data",
    "callback_game",
    "pay",
    "switch_inline_query",
    "switch_inline_query_current_chat",
    "switch_inline_query_chosen_chat",
    "login_url",
    "web_app",
    "copy_text",
)
_REPLY_FLAGS = {
    "resize_keyboard": "ReplyKeyboardMarkup",
    "one_time_keyboard": "ReplyKeyboardMarkup",
    "is_persistent": "ReplyKeyboardMarkup",
    "remove_keyboard": "ReplyKeyboardRemove",
    "selective": "reply markup",
    "force_reply": "reply markup",
}
# Telegram's limits on an inline keyboard: 8 buttons a row, 100 buttons, and a size in bytes
# (REPLY_MARKUP_TOO_LONG, reported as "reply markup is too long"). The size is not documented;
# it is modelled as each button's label and action in UTF-8 plus 20 bytes, at most 8 KB, which
# refuses the keyboards reported refused (99 buttons of 64-byte callback data; 100 buttons of
# 60-character labels) and accepts 100 short buttons.
MAX_ROW_BUTTONS = 8
MAX_INLINE_BUTTONS = 100
MAX_MARKUP_BYTES = 8 * 1024
_BUTTON_OVERHEAD = 20
_PREVIEW_FLAGS = ("is_disabled", "prefer_small_media", "prefer_large_media", "show_above_text")
_CHAT_SCOPES = frozenset({"chat", "chat_administrators", "chat_member"})
_SCOPES = (
    frozenset({"default", "all_private_chats", "all_group_chats", "all_chat_administrators"})
    | _CHAT_SCOPES
)


def coerce_params(
    schema: dict[str, Param], raw: dict[str, str], files: dict[str, UploadedFile]
) -> dict[str, Any]:
    """Typed parameters for one call; unknown parameters are kept as raw strings."""
    result: dict[str, Any] = {}
    for name, param in schema.items():
        value = raw.get(name, "")
        if param.kind is Kind.FILE:
            # A file_id/URL string, an attach://<part> reference, or a part named like the field.
            attached = value.removeprefix("attach://") if value.startswith("attach://") else None
            upload = files.get(attached) if attached is not None else value or files.get(name)
            if upload:
                result[name] = upload
            elif param.missing:
                raise bad_request(param.missing)
            continue
        if not value:
            if param.missing:
                raise bad_request(param.missing)
            continue
        result[name] = _coerce(name, param, value)
    result.update({name: value for name, value in raw.items() if name not in schema})
    return result


def _coerce(name: str, param: Param, value: str) -> Any:
    if param.kind is Kind.INT:
        if not _INT.fullmatch(value):
            raise bad_request(f'parameter "{name}" must be an Integer')
        return int(value)
    if param.kind is Kind.BOOL:
        lowered = value.strip().lower()
        if lowered not in _TRUE | _FALSE:
            raise bad_request(f'parameter "{name}" must be a Boolean')
        return lowered in _TRUE
    if param.kind is Kind.CHAT_ID:
        return int(value) if _INT.fullmatch(value) else value.strip()
    if param.kind is Kind.JSON:
        try:
            return json.loads(value)
        except ValueError:
            raise bad_request(param.json_error or f"can't parse {name} JSON object") from None
    return value


def parse_reply_markup(value: Any, *, inline_only: bool = False) -> dict[str, Any] | None:
    """Normalised reply markup, or None when the object describes no markup (as Telegram does)."""
    if not isinstance(value, dict):
        raise bad_request("object expected as reply markup")
    for flag, owner in _REPLY_FLAGS.items():
        if flag in value and not isinstance(value[flag], bool):
            raise bad_request(f'field "{flag}" of the {owner} must be of the type Boolean')
    placeholder = value.get("input_field_placeholder", "")
    if not isinstance(placeholder, str) or len(placeholder) > 64:
        raise bad_request("input field placeholder must be a String of at most 64 characters")
    options = {key: value[key] for key in ("selective", "input_field_placeholder") if key in value}
    markup: dict[str, Any] | None = None
    keyboard = _rows(value, "keyboard", "ReplyKeyboardMarkup", _keyboard_button)
    inline = _rows(value, "inline_keyboard", "InlineKeyboardMarkup", _inline_button)
    if keyboard:
        flags = {
            key: value[key]
            for key in ("resize_keyboard", "one_time_keyboard", "is_persistent")
            if key in value
        }
        markup = {"keyboard": keyboard, **flags, **options}
    elif inline:
        _check_inline_size(inline)
        markup = {"inline_keyboard": inline}
    elif value.get("remove_keyboard"):
        markup = {"remove_keyboard": True, **options}
    elif value.get("force_reply"):
        markup = {"force_reply": True, **options}
    if inline_only and markup is not None and "inline_keyboard" not in markup:
        raise bad_request("inline keyboard expected")
    return markup


def _rows(
    value: dict[str, Any],
    field: str,
    owner: str,
    parse_button: Callable[[Any], dict[str, Any]],
) -> list[list[dict[str, Any]]]:
    if field not in value:
        return []
    rows = value[field]
    if not isinstance(rows, list):
        raise bad_request(f'field "{field}" of the {owner} must be an Array')
    if not all(isinstance(row, list) for row in rows):
        raise bad_request(f'field "{field}" of the {owner} must be an Array of Arrays')
    return [[parse_button(button) for button in row] for row in rows if row]


def _check_inline_size(rows: list[list[dict[str, Any]]]) -> None:
    buttons = sum(len(row) for row in rows)
    widest = max(len(row) for row in rows)
    size = sum(_button_bytes(button) for row in rows for button in row)
    if buttons > MAX_INLINE_BUTTONS or widest > MAX_ROW_BUTTONS or size > MAX_MARKUP_BYTES:
        raise bad_request("reply markup is too long")


def _button_bytes(button: dict[str, Any]) -> int:
    """A button's label and action in UTF-8 (objects as compact JSON), plus its overhead."""
    values = (
        value if isinstance(value, str) else json.dumps(value, separators=(",", ":"))
        for value in button.values()
    )
    return sum(len(value.encode()) for value in values) + _BUTTON_OVERHEAD


def _button_text(button: dict[str, Any], what: str) -> str:
    if "text" not in button:
        raise bad_request(f"can't parse {what}: Can't find field \"text\"")
    text = button["text"]
    if not isinstance(text, str):
        raise bad_request(f'can\'t parse {what}: Field "text" must be of type String')
    if not text.strip():
        raise bad_request("BUTTON_TEXT_INVALID")
    return text


def _keyboard_button(button: Any) -> dict[str, Any]:
    if isinstance(button, str):
        button = {"text": button}
    if not isinstance(button, dict):
        raise bad_request(
            "can't parse keyboard button: KeyboardButton must be a String or an Object"
        )
    _button_text(button, "keyboard button")
    web_app = button.get("web_app")
    if isinstance(web_app, dict):
        _check_web_app(web_app, "keyboard button")
    return dict(button)


def _inline_button(button: Any) -> dict[str, Any]:
    what = "inline keyboard button"
    if not isinstance(button, dict):
        raise bad_request(f"can't parse {what}: InlineKeyboardButton must be an Object")
    text = _button_text(button, what)
    actions = [
        key
        for key in _INLINE_ACTIONS
        if key in button and (key not in ("url", "callback_data") or button[key] != "")
    ]
    if not actions:
        raise bad_request(f"can't parse {what}: Text buttons are unallowed in the inline keyboard")
    if len(actions) > 1:  # Telegram silently uses the first one; the documentation forbids it
        raise bad_request(f"can't parse {what}: exactly one of the optional fields must be used")
    action = actions[0]
    payload = button[action]
    if action in (
        "url",
        "callback_data",
        "switch_inline_query",
        "switch_inline_query_current_chat",
    ) and not isinstance(payload, str):
        raise bad_request(f'can\'t parse {what}: Field "{action}" must be of type String')
    if action in ("switch_inline_query_chosen_chat", "web_app", "copy_text", "login_url") and (
        not isinstance(payload, dict)
    ):
        raise bad_request(f'can\'t parse {what}: Field "{action}" must be of type Object')
    _check_inline_action(action, payload)
    return {"text": text, action: payload}


def _check_inline_action(action: str, payload: Any) -> None:
    if action == "url":
        try:
            check_link(payload)
        except ValueError as exc:
            raise bad_request(f"inline keyboard button URL '{payload}' is invalid: {exc}") from None
    elif action == "callback_data" and len(payload.encode("utf-8")) > 64:
        raise bad_request("BUTTON_DATA_INVALID")
    elif action in ("callback_game", "pay"):
        raise bad_request("BUTTON_TYPE_INVALID")  # only valid on game and invoice messages
    elif action == "login_url":
        raise bad_request("BOT_DOMAIN_INVALID")  # the local bot has no linked website domain
    elif action == "web_app":
        _check_web_app(payload, "inline keyboard button")
    elif action == "copy_text":
        copied = payload.get("text")
        if not isinstance(copied, str) or not 1 <= len(copied) <= 256:
            raise bad_request("BUTTON_COPY_TEXT_INVALID")


def _check_web_app(web_app: dict[str, Any], what: str) -> None:
    url = web_app.get("url")
    if not isinstance(url, str) or not url.lower().startswith("https://"):
        raise bad_request(f"{what} Web App URL '{url}' is invalid: Only HTTPS links are allowed")


def parse_link_preview(options: Any) -> dict[str, Any] | None:
    """LinkPreviewOptions (of sendMessage, editMessageText, an inline result's text)."""
    if options is None:
        return None
    if not isinstance(options, dict):
        raise bad_request("object expected as link preview options")
    for flag in _PREVIEW_FLAGS:
        if flag in options and not isinstance(options[flag], bool):
            raise bad_request(
                f'can\'t parse link preview options: Field "{flag}" must be of type Boolean'
            )
    if "url" in options:
        try:
            check_link(str(options["url"]))
        except ValueError:
            raise bad_request("WEBPAGE_URL_INVALID") from None
    return options


def inline_buttons(markup: dict[str, Any] | None) -> list[dict[str, Any]]:
    """All inline buttons of a stored markup, row by row."""
    rows = (markup or {}).get("inline_keyboard", [])
    return [button for row in rows for button in row]


def parse_commands(value: Any) -> list[dict[str, str]]:
    """BotCommand list with TDLib's normalisation (trim, leading '/') and Telegram's limits."""
    if not isinstance(value, list):
        raise bad_request("expected an Array of BotCommand")
    commands = []
    for item in value:
        if not isinstance(item, dict):
            raise bad_request("can't parse BotCommand: expected an Object")
        for field in ("command", "description"):
            if field not in item:
                raise bad_request(f"can't parse BotCommand: Can't find field \"{field}\"")
            if not isinstance(item[field], str):
                raise bad_request(
                    f'can\'t parse BotCommand: Field "{field}" must be of type String'
                )
        command = item["command"].strip().removeprefix("/")
        description = item["description"].strip()
        if not command:
            raise bad_request("command must be non-empty")
        if len(command) > 32:
            raise bad_request("command length must not exceed 32")
        if not description:
            raise bad_request("command description must be non-empty")
        if len(description) > 256:
            raise bad_request("command description length must not exceed 256")
        commands.append({"command": command, "description": description})
    if len(commands) > 100:
        raise bad_request("BOT_COMMANDS_TOO_MUCH")
    if not all(_COMMAND.fullmatch(command["command"]) for command in commands):
        raise bad_request("BOT_COMMAND_INVALID")
    return commands


def parse_scope(value: Any) -> dict[str, Any]:
    """Normalised BotCommandScope; absent means the default scope."""
    if value is None:
        return {"type": "default"}
    what = "can't parse BotCommandScope"
    if not isinstance(value, dict):
        raise bad_request(f"{what}: expected an Object")
    kind = value.get("type")
    if not isinstance(kind, str):
        raise bad_request(f'{what}: Can\'t find field "type"')
    if kind not in _SCOPES:
        raise bad_request(f"{what}: Unsupported type specified")
    scope: dict[str, Any] = {"type": kind}
    needed = ("chat_id", "user_id") if kind == "chat_member" else ("chat_id",)
    for field in needed if kind in _CHAT_SCOPES else ():
        if field not in value:
            raise bad_request(f'{what}: Can\'t find field "{field}"')
        raw = value[field]
        if isinstance(raw, str) and not raw.startswith("@") and _INT.fullmatch(raw):
            raw = int(raw)
        if isinstance(raw, bool) or not isinstance(raw, int | str):
            raise bad_request(f'{what}: Field "{field}" must be of type Number')
        scope[field] = raw
    return scope


def parse_menu_button(value: Any) -> dict[str, Any]:
    """A MenuButton as the Bot API server reads it (absent: MenuButtonDefault), normalised to
    what getChatMenuButton shows: {"type": "default" | "commands"} or a Web App's."""
    if value is None:
        return {"type": "default"}
    what = "can't parse menu button"
    if not isinstance(value, dict):
        raise bad_request(f"{what}: MenuButton must be an Object")
    kind = value.get("type")
    if "type" not in value:
        raise bad_request(f'{what}: Can\'t find field "type"')
    if not isinstance(kind, str):
        raise bad_request(f'{what}: Field "type" must be of type String')
    if kind in ("default", "commands"):
        return {"type": kind}
    if kind != "web_app":
        raise bad_request(f"{what}: MenuButton has unsupported type")
    text, web_app = value.get("text"), value.get("web_app")
    for field, given, expected in (("text", text, str), ("web_app", web_app, dict)):
        if given is None:
            raise bad_request(f'{what}: Can\'t find field "{field}"')
        if not isinstance(given, expected):
            name = "String" if expected is str else "Object"
            raise bad_request(f'{what}: Field "{field}" must be of type {name}')
    assert isinstance(text, str) and isinstance(web_app, dict)
    if not isinstance(web_app.get("url"), str):
        raise bad_request(f'{what}: Can\'t find field "url"')
    _check_web_app(web_app, "menu button")
    return {"type": "web_app", "text": text, "web_app": {"url": web_app["url"]}}


def private_chat_id(value: str) -> int:
    """setChatMenuButton's and getChatMenuButton's chat_id: a user's id, a positive Integer."""
    if not _INT.fullmatch(value) or int(value) <= 0:
        raise bad_request("invalid chat_id specified")
    return int(value)


def scope_key(scope: dict[str, Any]) -> str:
    """Stable storage key for a normalised scope (commands are stored per scope and language)."""
    return json.dumps(scope, sort_keys=True)


def check_language_code(code: str) -> str:
    """Two-letter ISO 639-1 code or empty, as Telegram accepts for per-language settings."""
    if code and not _LANGUAGE.fullmatch(code):
        raise bad_request("invalid language code specified")
    return code
