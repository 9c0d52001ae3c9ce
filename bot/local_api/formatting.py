"""From a method's ``text``/``parse_mode``/``entities`` parameters to stored text + entities."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from bot.local_api.entities import (
    FormatError,
    ResolveUser,
    entities_from_json,
    finalize_text,
    utf16_len,
)
from bot.local_api.errors import bad_request
from bot.local_api.html_parser import parse_html
from bot.local_api.markdown_parser import parse_markdown, parse_markdown_v2

MESSAGE_TEXT_LIMIT = 4096
CAPTION_LIMIT = 1024

_PARSERS = {"html": parse_html, "markdownv2": parse_markdown_v2, "markdown": parse_markdown}


@dataclass(frozen=True)
class FormattedText:
    """Text as Telegram stores it, with entities in UTF-16 units."""

    text: str
    entities: list[dict[str, Any]] = field(default_factory=list)


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
            if parser is None:
                raise bad_request("unsupported parse_mode")
            try:
                text, entities = parser(raw, resolve_user)
            except FormatError as exc:
                raise bad_request(f"can't parse entities: {exc}") from None
        else:
            text = raw
            entities = (
                []
                if explicit_entities is None
                else entities_from_json(explicit_entities, resolve_user)
            )
        text, entities = finalize_text(text, entities, allow_empty=allow_empty)
    except FormatError as exc:
        raise bad_request(str(exc)) from None
    return FormattedText(text, entities)


def message_text(
    raw: str | None, parse_mode: str | None, entities: Any, resolve_user: ResolveUser
) -> FormattedText:
    """A message text: required, non-blank after parsing, at most 4096 UTF-16 units."""
    if not raw:
        raise bad_request("message text is empty")
    formatted = format_text(raw, parse_mode, entities, resolve_user, allow_empty=False)
    if utf16_len(formatted.text) > MESSAGE_TEXT_LIMIT:
        raise bad_request("message is too long")
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
