"""From a method's ``text``/``parse_mode``/``entities`` parameters to stored text + entities."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from bot.local_api.errors import bad_request
from bot.telegram_entities import (
    FormatError,
    ResolveUser,
    entities_from_json,
    finalize_text,
    utf16_len,
)
from bot.telegram_html import parse_html_counted

MESSAGE_TEXT_LIMIT = 4096
CAPTION_LIMIT = 1024
# Telegram keeps a text's first 100 entities and silently drops the rest (the words stay).
MAX_ENTITIES = 100

# Minka sends HTML only; Telegram's Markdown modes are refused with a clear 400 rather than
# half-imitated (a double that accepted them could hide a bug a real server would show).
_PARSERS = {"html": parse_html_counted}
_NOT_HERE = ("markdown", "markdownv2")


@dataclass(frozen=True)
class FormattedText:
    """Text as Telegram stores it, with entities in UTF-16 units."""

    text: str
    entities: list[dict[str, Any]] = field(default_factory=list)
    # Entities whose formatting Telegram does not show: past MAX_ENTITIES, nested as the Bot
    # API forbids (a bold inside a code...: bot/entity_rules.py), links to a refused address.
    dropped: int = 0


def format_text(
    raw: str,
    parse_mode: str | None,
    explicit_entities: Any,
    resolve_user: ResolveUser,
    *,
    allow_empty: bool,
) -> FormattedText:
    """Parse and normalise a message text or caption, raising Telegram's 400 errors.

    Like the Bot API, ``parse_mode`` wins over explicit entities, and "none"/empty means plain.
    """
    mode = (parse_mode or "").lower()
    try:
        if mode and mode != "none":
            parser = _PARSERS.get(mode)
            if mode in _NOT_HERE:
                raise bad_request(
                    f"parse_mode {parse_mode} is not supported by the local Bot API server "
                    "(it supports HTML only)"
                )
            if parser is None:
                raise bad_request("unsupported parse_mode")
            try:
                text, entities, dropped_links = parser(raw, resolve_user)
            except FormatError as exc:
                raise bad_request(f"can't parse entities: {exc}") from None
        else:
            text, dropped_links = raw, 0
            entities = (
                []
                if explicit_entities is None
                else entities_from_json(explicit_entities, resolve_user)
            )
        final = finalize_text(text, entities, allow_empty=allow_empty)
    except FormatError as exc:
        raise bad_request(str(exc)) from None
    past_limit = max(len(final.entities) - MAX_ENTITIES, 0)
    dropped = dropped_links + final.lost + past_limit
    return FormattedText(final.text, final.entities[:MAX_ENTITIES], dropped=dropped)


def message_text(
    raw: str | None,
    parse_mode: str | None,
    entities: Any,
    resolve_user: ResolveUser,
    *,
    edit: bool = False,
) -> FormattedText:
    """A message text: required, non-blank after parsing, at most 4096 UTF-16 units. Too
    long, sendMessage says «message is too long» (the Bot API server's own check) and
    editMessageText «MESSAGE_TOO_LONG» (Telegram's, passed on: teloxide/teloxide#430)."""
    if not raw:
        raise bad_request("message text is empty")
    formatted = format_text(raw, parse_mode, entities, resolve_user, allow_empty=False)
    if utf16_len(formatted.text) > MESSAGE_TEXT_LIMIT:
        raise bad_request("MESSAGE_TOO_LONG" if edit else "message is too long")
    return formatted


def caption_text(
    raw: str | None, parse_mode: str | None, entities: Any, resolve_user: ResolveUser
) -> FormattedText:
    """A media caption: optional, at most 1024 UTF-16 units after parsing."""
    if not raw:
        return FormattedText("")
    formatted = format_text(raw, parse_mode, entities, resolve_user, allow_empty=True)
    if utf16_len(formatted.text) > CAPTION_LIMIT:
        raise bad_request("message caption is too long")
    return formatted
