"""The Tool Kit's glossary in the chat: /glosario [term], browsing by letter, a term's page.

Its buttons share the Tool Kit's prefix (handlers.toolkit dispatches them): kb:g |
kb:g:<letter>[:<page>] | kb:gt:<term slug>.
"""

from __future__ import annotations

import re
from datetime import date

from handlers.base import Ctx, Keyboard, esc
from handlers.kb_buttons import STALE_MARK, article_button, list_footer
from handlers.keyboards import button, page_bounds, rows
from handlers.questions import pager
from knowledge.dates import glossary_overdue
from knowledge.model import GlossaryEntry
from knowledge.render import glossary_message
from knowledge.text import fold

TERMS_PER_PAGE = 20  # a letter's page


def slug(term: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", fold(term)).strip("-")[:40] or "x"


def _letter(entry: GlossaryEntry) -> str:
    first = fold(entry.term)[:1].upper()
    return first if first.isalpha() else "#"


def _label(entry: GlossaryEntry, today: date) -> str:
    """The term, marked like an article's button once past its `review_by`."""
    return (STALE_MARK if glossary_overdue(entry, today) else "") + entry.term


def letters_view(ctx: Ctx) -> tuple[str, Keyboard]:
    letters = sorted({_letter(e) for e in ctx.runtime.knowledge.kit.glossary})
    keyboard = rows([button(letter, f"kb:g:{letter}") for letter in letters], 6)
    keyboard.append([button(ctx._("« Topics"), "kb:topics")])
    return ctx._(
        "<b>Glossary</b>\nChoose a letter, or write /glosario followed by a term."
    ), keyboard


def letter_view(ctx: Ctx, letter: str, page: int = 0) -> tuple[str, Keyboard]:
    """A letter's terms, in pages: a keyboard holds at most 100 buttons (and ~10 KB)."""
    entries = [e for e in ctx.runtime.knowledge.kit.glossary if _letter(e) == letter]
    page, first, pages = page_bounds(len(entries), page, TERMS_PER_PAGE)
    shown = entries[first : first + TERMS_PER_PAGE]
    keyboard = [[button(_label(e, ctx.today), f"kb:gt:{slug(e.term)}")] for e in shown]
    nav = pager(ctx, page, pages, lambda number: f"kb:g:{letter}:{number}")
    if nav:
        keyboard.append(nav)
    keyboard.append([button(ctx._("« Letters"), "kb:g")])
    text = ctx._("<b>Glossary: {letter}</b>").format(letter=esc(letter))
    text += list_footer(ctx, any(glossary_overdue(e, ctx.today) for e in shown), page, pages)
    return text, keyboard


def term_view(ctx: Ctx, entry: GlossaryEntry) -> tuple[str, Keyboard]:
    kit = ctx.runtime.knowledge.kit
    articles = [kit.articles[a] for a in entry.articles if a in kit.articles]
    keyboard = [[article_button(article, ctx.today, "↪ ")] for article in articles]
    keyboard.append(
        [button(ctx._("« Letter {letter}").format(letter=_letter(entry)), f"kb:g:{_letter(entry)}")]
    )
    return glossary_message(entry, ctx.t, ctx.today), keyboard


def entry_by_slug(ctx: Ctx, term_slug: str) -> GlossaryEntry | None:
    return next((e for e in ctx.runtime.knowledge.kit.glossary if slug(e.term) == term_slug), None)


async def glossary_command(ctx: Ctx) -> None:
    _ = ctx._
    term = " ".join(ctx.args).strip()
    if not term:
        ctx.reply(*letters_view(ctx))
        return
    entry = ctx.runtime.knowledge.index.glossary_entry(term) or entry_by_slug(ctx, slug(term))
    if entry is None:
        ctx.reply(
            _(
                "«{term}» is not in the glossary. Browse it with /glosario or ask your question."
            ).format(term=esc(term[:60]))
        )
        return
    ctx.reply(*term_view(ctx, entry))
