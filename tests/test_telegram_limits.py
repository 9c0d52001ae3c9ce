"""Splitting and cutting Minka's HTML to Telegram's limits, checked with Telegram's own HTML
rules (bot/telegram_html.py): every piece valid, within the limit, nothing lost."""

from __future__ import annotations

import random

import pytest

from bot import refused
from bot.i18n import LANGUAGES
from bot.local_api.validation import parse_commands
from bot.services.access import Access
from bot.services.roles import Role
from bot.telegram_entities import finalize_text, is_blank, utf16_len
from bot.telegram_html import parse_html
from bot.telegram_limits import MAX_ENTITIES, cut_html, cut_plain, split_html, visible_units
from handlers.base import esc
from handlers.command_menu import commands_for
from handlers.keyboards import button

WORDS = ["hola", "a & b", "<x>", "😀", "👩🏽‍🌾", "ñandú", "x" * 300, "\n", "\n\n", " "]
# Typed text Telegram finds nothing in (zero-width characters, the Braille blank): a piece of
# only these would be a message Telegram refuses as empty.
INVISIBLE = ["\u200b" * 300, "\u2800\u200e" * 200, "\ufeff"]


def _plain(html: str) -> str:
    text, entities = parse_html(html, lambda _user: None)
    finalize_text(text, entities, allow_empty=False)  # Telegram refuses a blank message
    return text


def _visible(text: str) -> str:
    """The text without what Telegram finds nothing in (blanks, zero-width characters)."""
    return "".join(char for char in text if not is_blank(char))


def _entities(html: str) -> int:
    """The entities Telegram makes of the HTML, merged and trimmed as it does."""
    text, entities = parse_html(html, lambda _user: None)
    return len(finalize_text(text, entities, allow_empty=True)[1])


def _random_html(rng: random.Random, size: int) -> str:
    out = []
    for _ in range(size):
        word, roll = esc(rng.choice(WORDS + INVISIBLE)), rng.random()
        if roll < 0.1:
            out.append(f"<b>{word} <i>{esc(rng.choice(WORDS))}</i></b>")
        elif roll < 0.15:
            out.append(f'<a href="https://minem.gob.pe/?a=1&amp;b=2">{word}</a>')
        elif roll < 0.2:
            out.append(f"<blockquote>{word}\n{word}</blockquote>")
        elif roll < 0.25:
            out.append(f'<pre><code class="language-py">{word}</code></pre>')
        else:
            out.append(word)
        out.append(rng.choice([" ", "\n", "", "\n\n"]))
    return "".join(out)


@pytest.mark.parametrize("seed", range(25))
def test_pieces_are_valid_within_the_limit_and_lose_nothing(seed: int) -> None:
    rng = random.Random(seed)
    html = _random_html(rng, rng.randint(1, 900))
    limit = rng.choice([50, 200, 1024, 4096])
    pieces = split_html(html, limit)
    shown = [_plain(piece) for piece in pieces]
    assert all(utf16_len(text) <= limit for text in shown)
    assert all(_entities(piece) <= MAX_ENTITIES for piece in pieces)
    assert _visible("".join(shown)) == _visible(parse_html(html, lambda _u: None)[0])
    cut = _plain(cut_html(html, limit))
    assert utf16_len(cut) <= limit and _entities(cut_html(html, limit)) <= MAX_ENTITIES
    assert cut.endswith("…") == (visible_units(html) > limit)


def test_splits_prefer_paragraphs_then_lines_and_reopen_tags() -> None:
    paragraph = "palabra " * 300  # 2400 characters
    pieces = split_html(f"<b>{paragraph}\n\n{paragraph}</b>")
    assert len(pieces) == 2 and pieces[1].startswith("<b>") and pieces[0].endswith("</b>")
    assert split_html("corto") == ["corto"]
    assert split_html("a" * 5000, 4096)[0] == "a" * 4096  # one long word: cut inside it
    assert split_html(" " * 5000) == [" " * 5000] and cut_html(" " * 5000) == "…"  # no crash


def test_a_bold_around_a_link_counts_the_three_pieces_telegram_makes() -> None:
    """Telegram cuts a bold in three around a link inside it (TDLib's split_entities): 35
    such lines are 70 tags but 140 entities, past the 100 whose formatting it shows. Split,
    each message keeps within 100 as Telegram counts them; cut, as well."""
    line = '<b>Informe <a href="https://minem.gob.pe/x">en línea</a> de Puno</b>'
    html = "\n".join([line] * 35)
    pieces = split_html(html)
    assert len(pieces) == 2 and all(_entities(piece) <= MAX_ENTITIES for piece in pieces)
    assert "".join(pieces) == html  # cut between lines, each line whole
    assert _entities(cut_html(html)) <= MAX_ENTITIES


@pytest.mark.parametrize("seed", range(10))
def test_nested_tags_are_counted_as_telegram_counts_them(seed: int) -> None:
    """Lines mixing bolds around links and codes, italics in bolds: every piece split, and
    every cut, within the 100 entities Telegram shows, as it counts them after cutting a bold
    around what it holds."""
    rng = random.Random(seed)
    shapes = [
        '<b>{w} <a href="https://minem.gob.pe/{w}">{w}</a> {w}</b>',
        "<b>{w} <code>{w}</code> <code>{w}</code></b>",
        "<i>{w} <b>{w}</b> {w}</i>",
        '<b><i>{w} <a href="https://gob.pe">{w}</a></i></b>',
        "{w}",
    ]
    html = "\n".join(
        rng.choice(shapes).format(w=rng.choice(["hola", "ñandú", "😀", "a &amp; b"]))
        for _ in range(rng.randint(20, 200))
    )
    pieces = split_html(html, rng.choice([200, 1024, 4096]))
    assert all(_entities(piece) <= MAX_ENTITIES for piece in pieces)
    assert "".join(pieces) == html
    assert _entities(cut_html(html)) <= MAX_ENTITIES


def test_no_piece_is_a_message_telegram_finds_empty() -> None:
    """A long run of zero-width characters (typed: «hola» then 4,000 of them) never becomes
    a message of its own, nor an ellipsis alone a cut: Telegram refuses a text of nothing
    but blanks and invisible characters («text must be non-empty»)."""
    typed = "hola " + "\u200b" * 4090
    for html in (f"❓ {typed}\n— Luz, Cusco", f"<b>Pregunta</b>\n«{typed}»", typed):
        pieces = split_html(html)
        assert pieces and not any(is_blank(_shown(piece)) for piece in pieces), html[:20]
        assert "hola" in pieces[0]
    assert not is_blank(_plain(cut_html("\u200b" * 5000)))
    assert refused.plain("<b>\u200b\u2800</b>") == "…"
    label = button("\u200b\u200e", "x:y").text
    assert not is_blank(label)


def _shown(html: str) -> str:
    text, entities = parse_html(html, lambda _user: None)
    return finalize_text(text, entities, allow_empty=True)[0]


def test_a_list_past_a_hundred_entities_is_split_between_lines() -> None:
    """Telegram shows only a message's first 100 entities formatted: a list with more is
    sent as messages of at most 100, split at a line's end, every line whole and formatted;
    as one message (an owed one), the first 100 tags are kept and the rest is plain text."""
    lines = [f"• <b>Región {n}</b>: <i>{n}</i> casos" for n in range(130)]
    html = "<b>Casos por región</b>\n\n" + "\n".join(lines)
    pieces = split_html(html)
    counts = [_entities(piece) for piece in pieces]
    assert len(pieces) == 3 and all(count <= MAX_ENTITIES for count in counts)
    assert sum(counts) == _entities(html) == 261  # none lost, none added
    assert all(piece.rstrip().endswith("casos") for piece in pieces)  # at a line's end
    cut = cut_html(html)
    assert _entities(cut) == MAX_ENTITIES and _plain(cut) == _plain(html)


def test_button_notices_are_cut_in_utf16_units() -> None:
    assert cut_plain("ok", 200) == "ok"
    cut = cut_plain("😀" * 150, 200)
    assert utf16_len(cut) <= 200 and cut.endswith("…")


def test_every_command_menu_is_one_telegram_accepts() -> None:
    """setMyCommands' rules (at most 100 commands, names of 1-32 lowercase letters, digits
    and underscores, descriptions of 1-256 characters) for every role and language: a menu
    Telegram refused would leave staff with a stale menu and only a log line. Every access
    menus_digest knows, an administrator of BOT_ADMIN_IDS who never registered included."""
    everyone = [
        None,
        *(
            Access(role, registered, team)
            for role in Role
            for registered in (False, True)
            for team in (False, True)
        ),
    ]
    for access in everyone:
        for language in LANGUAGES:
            commands = [command.to_dict() for command in commands_for(access, language)]
            assert parse_commands(commands) == commands, (access, language)
