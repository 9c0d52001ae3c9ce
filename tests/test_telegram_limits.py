"""Splitting and cutting Minka's HTML to Telegram's limits, checked with Telegram's own HTML
rules (bot/telegram_html.py): every piece valid, within the limit, nothing lost."""

from __future__ import annotations

import random

import pytest

from bot.i18n import LANGUAGES
from bot.local_api.validation import parse_commands
from bot.services.roles import Role
from bot.telegram_entities import finalize_text, utf16_len
from bot.telegram_html import parse_html
from bot.telegram_limits import cut_html, cut_plain, split_html, visible_units
from handlers.base import esc
from handlers.command_menu import commands_for

WORDS = ["hola", "a & b", "<x>", "😀", "👩🏽‍🌾", "ñandú", "x" * 300, "\n", "\n\n", " "]


def _plain(html: str) -> str:
    text, entities = parse_html(html, lambda _user: None)
    finalize_text(text, entities, allow_empty=False)  # Telegram refuses a blank message
    return text


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
    assert "".join("".join(shown).split()) == "".join(parse_html(html, lambda _u: None)[0].split())
    cut = _plain(cut_html(html, limit))
    assert utf16_len(cut) <= limit
    assert cut.endswith("…") == (visible_units(html) > limit)


def test_splits_prefer_paragraphs_then_lines_and_reopen_tags() -> None:
    paragraph = "palabra " * 300  # 2400 characters
    pieces = split_html(f"<b>{paragraph}\n\n{paragraph}</b>")
    assert len(pieces) == 2 and pieces[1].startswith("<b>") and pieces[0].endswith("</b>")
    assert split_html("corto") == ["corto"]
    assert split_html("a" * 5000, 4096)[0] == "a" * 4096  # one long word: cut inside it
    assert split_html(" " * 5000) == [" " * 5000] and cut_html(" " * 5000) == "…"  # no crash


def test_button_notices_are_cut_in_utf16_units() -> None:
    assert cut_plain("ok", 200) == "ok"
    cut = cut_plain("😀" * 150, 200)
    assert utf16_len(cut) <= 200 and cut.endswith("…")


def test_every_command_menu_is_one_telegram_accepts() -> None:
    """setMyCommands' rules (at most 100 commands, names of 1-32 lowercase letters, digits
    and underscores, descriptions of 1-256 characters) for every role and language: a menu
    Telegram refused would leave staff with a stale menu and only a log line."""
    for role in [None, *Role]:
        for language in LANGUAGES:
            commands = [command.to_dict() for command in commands_for(role, language)]
            assert parse_commands(commands) == commands, (role, language)
