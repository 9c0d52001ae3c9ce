"""Buttons that open a Tool Kit article, wherever articles are listed (a topic's page, the
related or closest articles, a glossary term's; inline mode's results too): one past its plazo
or its review date (Lima's day, the same judgement as the warning on its text) is marked «⚠️»,
so a reader knows before opening it. The mark takes three of a label's 48 characters;
callback data stays kb:a:<id>."""

from __future__ import annotations

from datetime import date

from telegram import InlineKeyboardButton

from handlers.base import Ctx
from handlers.keyboards import button
from knowledge.dates import stale
from knowledge.model import Article

STALE_MARK = "⚠️ "


def article_label(article: Article, today: date, prefix: str = "") -> str:
    return prefix + (STALE_MARK if stale(article, today) else "") + article.title


def article_button(article: Article, today: date, prefix: str = "") -> InlineKeyboardButton:
    return button(article_label(article, today, prefix), f"kb:a:{article.id}")


def list_footer(ctx: Ctx, any_stale: bool, page: int, pages: int) -> str:
    """The lines under a page of marked buttons (a topic's, a glossary letter's): what «⚠️»
    means when one is shown, and which page this is when there are several."""
    text = ""
    if any_stale:
        text += "\n" + ctx._("{mark}: past its date, it may be out of date.").format(
            mark=STALE_MARK.strip()
        )
    if pages > 1:
        text += "\n" + ctx._("Page {page} of {pages}").format(page=page + 1, pages=pages)
    return text
