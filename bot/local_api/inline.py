"""answerInlineQuery's results, checked as the Bot API parses them.

Each result must be an object with a known ``type`` and a String ``id`` of 1-64 bytes, unique in
the answer; an article needs a String ``title`` and an ``input_message_content`` whose
``message_text`` passes the same rules as sendMessage (1-4096 characters after entities are
parsed, valid HTML, its link preview options typed); a result's ``reply_markup`` must be an
inline keyboard. Problems inside a result are reported with the Bot API's prefix "can't parse
inline query result: ".
"""

from __future__ import annotations

from typing import Any

from bot.local_api.errors import ApiError, bad_request
from bot.local_api.formatting import MESSAGE_TEXT_LIMIT, format_text
from bot.local_api.validation import parse_link_preview, parse_reply_markup
from bot.telegram_entities import ResolveUser, utf16_len

MAX_RESULTS = 50
_PREFIX = "can't parse inline query result: "
_TYPES = frozenset(
    {
        "article",
        "audio",
        "contact",
        "document",
        "game",
        "gif",
        "location",
        "mpeg4_gif",
        "photo",
        "sticker",
        "venue",
        "video",
        "voice",
    }
)
_TEXT_FIELDS = ("title", "description", "url", "thumbnail_url")


def check_results(results: Any, resolve_user: ResolveUser) -> list[int]:
    """Raise Telegram's 400 for the first problem of an answer's results; else, for each
    result whose text has more than 100 entities, how many Telegram would drop."""
    if not isinstance(results, list):
        raise bad_request("expected an Array of InlineQueryResult")
    if len(results) > MAX_RESULTS:
        raise bad_request("RESULTS_TOO_MUCH")
    checked = [_check_result(result, resolve_user) for result in results]
    ids = [result_id for result_id, _dropped in checked]
    if len(set(ids)) != len(ids):
        raise bad_request("RESULT_ID_DUPLICATE")
    return [dropped for _id, dropped in checked if dropped]


def _check_result(result: Any, resolve_user: ResolveUser) -> tuple[str, int]:
    if not isinstance(result, dict):
        raise _invalid("Inline query result must be an object")
    kind = _string(result, "type", required=True).lower()
    result_id = _string(result, "id", required=True)
    if kind not in _TYPES:
        raise _invalid(f'type "{kind}" is unsupported for the inline query result')
    for field in _TEXT_FIELDS:
        _string(result, field, required=kind == "article" and field == "title")
    content = result.get("input_message_content")
    if content is not None and not isinstance(content, dict):
        raise _invalid('Field "input_message_content" must be of type Object')
    if kind == "article" and content is None:
        raise _invalid('Can\'t find field "input_message_content"')
    dropped = 0
    if content is not None and "message_text" in content:
        dropped = _check_text(content, resolve_user)
        try:
            parse_link_preview(content.get("link_preview_options"))
        except ApiError as error:
            raise _invalid(error.description.removeprefix("Bad Request: ")) from None
    if "reply_markup" in result:
        try:
            parse_reply_markup(result["reply_markup"], inline_only=True)
        except ApiError as error:
            raise _invalid(error.description.removeprefix("Bad Request: ")) from None
    if not 1 <= len(result_id.encode()) <= 64:
        raise bad_request("RESULT_ID_INVALID")
    return result_id, dropped


def _check_text(content: dict[str, Any], resolve_user: ResolveUser) -> int:
    """The entities past 100 that Telegram would drop from the text (see formatting.py)."""
    text = _string(content, "message_text", required=True)
    parse_mode = _string(content, "parse_mode", required=False)
    if not text:
        raise _invalid("Message text is empty")
    try:
        formatted = format_text(
            text, parse_mode, content.get("entities"), resolve_user, allow_empty=False
        )
    except ApiError as error:
        reason = error.description.removeprefix("Bad Request: ")
        raise _invalid(reason[:1].upper() + reason[1:]) from None
    if utf16_len(formatted.text) > MESSAGE_TEXT_LIMIT:
        raise bad_request("MESSAGE_TOO_LONG")
    return formatted.dropped


def _string(source: dict[str, Any], field: str, *, required: bool) -> str:
    if field not in source or source[field] is None:
        if required:
            raise _invalid(f'Can\'t find field "{field}"')
        return ""
    value = source[field]
    if not isinstance(value, str):
        raise _invalid(f'Field "{field}" must be of type String')
    return value


def _invalid(reason: str) -> ApiError:
    return bad_request(_PREFIX + reason)
