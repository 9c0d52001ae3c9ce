"""Splitting and cutting Minka's HTML to Telegram's limits, checked with Telegram's own HTML
rules (bot/telegram_html.py): every piece valid, within the limit, nothing lost."""

from __future__ import annotations

import random

import pytest

from bot.i18n import LANGUAGES
from bot.local_api.validation import parse_commands
from bot.services.access import Access
from bot.services.roles import Role
from bot.telegram_entities import finalize_text, utf16_len
from bot.telegram_html import parse_html
from bot.telegram_limits import MAX_ENTITIES, cut_html, cut_plain, split_html, visible_units
from handlers.base import esc
from handlers.command_menu import commands_for

WORDS = ["hola", "a & b", "<x>", "😀", "👩🏽‍🌾", "ñandú", "x" * 300, "\n", "\n\n", " "]


def _plain(html: str) -> str:
    text, entities = parse_html(html, lambda _user: None)
    finalize_text(text, entities, allow_empty=False)  # Telegram refuses a blank message
    return text


def _entities(html: str) -> int:
    """The entities Telegram makes of the HTML, merged and trimmed as it does."""
    text, entities = parse_html(html, lambda _user: None)
    return len(finalize_text(text, entities, allow_empty=True)[1])


def _random_html(rng: random.Random, size: int) -> str:
    out = []
    for _ in range(size):
        word, roll = esc(rng.choice(WORDS)), rng.random()
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
    assert "".join("".join(shown).split()) == "".join(parse_html(html, lambda _u: None)[0].split())
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
    Telegram refused would leave staff with a stale menu and only a log line."""
    everyone = [None, *(Access(role, True, team) for role in Role for team in (False, True))]
    for access in everyone:
        for language in LANGUAGES:
            commands = [command.to_dict() for command in commands_for(access, language)]
            assert parse_commands(commands) == commands, (access, language)
