"""Text as Telegram reads it: HTML parsed into text and UTF-16 entities, TDLib's entity rules,
lengths counted after parsing, refused markup.

Tests of the local Telegram Bot API server, over real HTTP, with python-telegram-bot's `Bot` and
raw aiohttp requests (`wire.raw`)."""

from __future__ import annotations

import pytest
import telegram
from telegram.error import BadRequest

from bot.local_api import LocalBotApi
from tests.local_api.wire import raw

# -- text formatting ------------------------------------------------------------------------


async def test_html_is_parsed_into_text_and_utf16_entities(
    api: LocalBotApi, bot: telegram.Bot, chat: int
) -> None:
    html = (
        '😀 <b>Hola</b> <a href="https://example.com/?a=1&amp;b=2">web</a> &lt;3\n'
        '<pre><code class="language-python">x = 1</code></pre>'
        "<tg-spoiler>s</tg-spoiler><blockquote expandable>q</blockquote>"
    )
    sent = await bot.send_message(chat, html, parse_mode="HTML")
    assert sent.text == "😀 Hola web <3\nx = 1sq"
    stored = api.last_bot_message(chat)
    assert stored is not None
    assert stored["entities"] == [
        {"type": "bold", "offset": 3, "length": 4},
        {"type": "text_link", "offset": 8, "length": 3, "url": "https://example.com/?a=1&b=2"},
        {"type": "pre", "offset": 15, "length": 5, "language": "python"},
        {"type": "spoiler", "offset": 20, "length": 1},
        {"type": "expandable_blockquote", "offset": 21, "length": 1},
    ]
    event = await api.next_event(chat)
    assert (event.text, event.html) == (sent.text, html)


async def test_entities_follow_tdlib_rules(api: LocalBotApi, chat: int) -> None:
    html = (
        '<b>Ho</b><b>la</b> <pre><code>x</code></pre> <a href="tg://user?id=42">Ana</a> '
        '<a href="javascript:alert(1)">js</a>'
    )
    status, body = await raw(
        api, "sendMessage", json={"chat_id": chat, "text": html, "parse_mode": "HTML"}
    )
    assert status == 200 and body["result"]["text"] == "Hola x Ana js"
    assert body["result"]["entities"] == [
        {"type": "bold", "offset": 0, "length": 4},  # touching same-type entities merge
        {"type": "pre", "offset": 5, "length": 1},  # the nested <code> cannot overlap it
        {
            "type": "text_mention",
            "offset": 7,
            "length": 3,
            "user": {
                "id": 42,
                "is_bot": False,
                "first_name": "Ana",
                "username": "ana_q",
                "language_code": "es",
            },
        },
    ]  # invalid link targets are dropped silently, as Telegram does


@pytest.mark.parametrize(
    ("html", "entities", "lost"),
    [
        (  # a bold around a code: Telegram cuts it there and shows the code plain
            "<b>Código <code>AB12</code> ya</b>",
            [("bold", 0, 7), ("code", 7, 4), ("bold", 12, 2)],
            1,
        ),
        ("<code><b>AB12</b></code>", [("code", 0, 4)], 1),  # a code holds nothing
        ('<a href="https://minem.gob.pe">ver <code>x</code></a>', [("text_link", 0, 5)], 1),
        (
            "<blockquote>a <blockquote>b</blockquote></blockquote>",
            [("blockquote", 0, 3)],
            1,
        ),  # blockquotes do not nest
        ('ver <a href="javascript:alert(1)">js</a>', [], 1),  # a refused address: plain
        # Nothing a person sees is lost: the <code> of a <pre><code> (the <pre> shows it), a
        # bold around a link (cut in three around it, as Telegram stores it).
        ("<pre><code>x = 1</code></pre>", [("pre", 0, 5)], 0),
        (
            '<b>Ver <a href="https://minem.gob.pe">web</a> hoy</b>',
            [("bold", 0, 4), ("text_link", 4, 3), ("bold", 4, 3), ("bold", 8, 3)],
            0,
        ),
    ],
)
async def test_nesting_follows_the_bot_api_and_losses_are_noted(
    api: LocalBotApi, chat: int, html: str, entities: list[tuple[str, int, int]], lost: int
) -> None:
    """The Bot API: bold, italic... may hold or be part of any entity but code and pre; code
    and pre hold nothing; links do not overlap; blockquotes do not nest. Telegram takes such
    a text and drops that formatting silently (TDLib's fix_entities), as it drops a link to
    an address it refuses: the local server does the same, and notes the loss for the suite
    (tests/conftest.py) to see."""
    status, body = await raw(
        api, "sendMessage", json={"chat_id": chat, "text": html, "parse_mode": "HTML"}
    )
    assert status == 200
    shown = [(e["type"], e["offset"], e["length"]) for e in body["result"].get("entities", [])]
    assert shown == entities
    assert api.lost_formatting == ([("sendMessage", lost)] if lost else [])


@pytest.mark.parametrize(
    ("html", "reason"),
    [
        ("<div>x</div>", 'Unsupported start tag "div" at byte offset 0'),
        ("<b>sin cerrar", 'Can\'t find end tag corresponding to start tag "b"'),
        ("<b><i>x</b></i>", 'Unmatched end tag at byte offset 7, expected "</i>", found "</b>"'),
        ("1 < 2", 'Unsupported start tag "" at byte offset 2'),
        ("ñ <br>", 'Unsupported start tag "br" at byte offset 3'),
        ("Tom & Jerry", 'Unescaped "&" at byte offset 4; use "&amp;"'),
        ("<span>x</span>", 'Tag "span" must have class "tg-spoiler" at byte offset 0'),
        ("x</b>", "Unexpected end tag at byte offset 1"),
    ],
)
async def test_invalid_html_is_rejected_like_telegram(
    api: LocalBotApi, chat: int, html: str, reason: str
) -> None:
    status, body = await raw(
        api, "sendMessage", json={"chat_id": chat, "text": html, "parse_mode": "HTML"}
    )
    assert status == 400
    assert body["description"] == f"Bad Request: can't parse entities: {reason}"
    assert api.events == []


@pytest.mark.parametrize("mode", ["Markdown", "MarkdownV2"])
async def test_markdown_modes_get_a_clear_400(api: LocalBotApi, chat: int, mode: str) -> None:
    """Minka sends HTML only: the local server does not imitate Telegram's Markdown modes."""
    status, body = await raw(
        api, "sendMessage", json={"chat_id": chat, "text": "*negrita*", "parse_mode": mode}
    )
    assert (status, body["description"]) == (
        400,
        f"Bad Request: parse_mode {mode} is not supported by the local Bot API server "
        "(it supports HTML only)",
    )
    status, body = await raw(
        api, "sendMessage", json={"chat_id": chat, "text": "x", "parse_mode": "Texto"}
    )
    assert (status, body["description"]) == (400, "Bad Request: unsupported parse_mode")
    assert api.events == []


async def test_length_is_counted_in_utf16_units_after_parsing(bot: telegram.Bot, chat: int) -> None:
    assert len((await bot.send_message(chat, "😀" * 2048)).text) == 2048  # 4096 units
    with pytest.raises(BadRequest, match="Message is too long"):
        await bot.send_message(chat, "😀" * 2048 + "x")
    markup_only = "<b>" + "a" * 4096 + "</b>"  # tags do not count
    assert len((await bot.send_message(chat, markup_only, parse_mode="HTML")).text) == 4096


async def test_text_is_normalised_and_entities_checked(
    api: LocalBotApi, bot: telegram.Bot, chat: int
) -> None:
    sent = await bot.send_message(chat, "  \n hola\r\n  ")
    assert sent.text == "hola"
    with pytest.raises(BadRequest, match="ends after the end of the text"):
        await bot.send_message(chat, "hola", entities=[telegram.MessageEntity("bold", 0, 9)])
    status, body = await raw(
        api,
        "sendMessage",
        json={
            "chat_id": chat,
            "text": "hi",
            "entities": [{"type": "shout", "offset": 0, "length": 2}],
        },
    )
    assert (status, body["description"]) == (
        400,
        "Bad Request: can't parse MessageEntity: Unsupported type specified",
    )


@pytest.mark.parametrize(
    ("offset", "length", "reason"),
    [
        (1, 2, "entity begins in a middle of a UTF-16 symbol at byte offset 4"),
        (
            0,
            1,
            "entity beginning at UTF-16 offset 0 ends in a middle of a UTF-16 symbol at byte "
            "offset 4",
        ),
    ],
)
async def test_an_entity_may_not_cut_an_emoji_in_half(
    api: LocalBotApi, chat: int, offset: int, length: int, reason: str
) -> None:
    """😀 is two UTF-16 units: an explicit entity that begins or ends between them is refused
    (TDLib's clean_input_string_with_entities), where the local server took it, rounded."""
    entities = [{"type": "bold", "offset": offset, "length": length}]
    status, body = await raw(
        api, "sendMessage", json={"chat_id": chat, "text": "😀ab", "entities": entities}
    )
    assert (status, body["description"]) == (400, f"Bad Request: {reason}")
    status, body = await raw(
        api,
        "sendMessage",
        json={
            "chat_id": chat,
            "text": "😀ab",
            "entities": [{**entities[0], "offset": 0, "length": 2}],
        },
    )
    assert status == 200 and body["result"]["entities"][0]["length"] == 2


async def test_a_text_of_invisible_characters_is_empty_as_telegram_sees_it(
    bot: telegram.Bot, chat: int
) -> None:
    """TDLib's is_empty_string: zero-width characters, direction marks, Unicode spaces and
    the Braille blank are nothing (an edit too); the Hangul filler, or one letter, is text."""
    for text in ("\u200b", "\u2800\u200e \u00a0", "\u3000\n\ufeff"):
        with pytest.raises(BadRequest, match="Text must be non-empty"):
            await bot.send_message(chat, text)
    sent = await bot.send_message(chat, "\u3164")
    assert sent.text == "\u3164"
    assert (await bot.send_message(chat, "\u200bx\u200b")).text == "\u200bx\u200b"
    with pytest.raises(BadRequest, match="Text must be non-empty"):
        await bot.edit_message_text("<i>\u200b\u200b</i>", chat, sent.message_id, parse_mode="HTML")
