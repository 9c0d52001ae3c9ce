"""Buttons that open a Tool Kit article, wherever articles are listed (a topic's page, the
related or closest articles, a glossary term's; inline mode's results too): one past its plazo
or its review date (Lima's day, the same judgement as the warning on its text) is marked «⚠️»,
so a reader knows before opening it. The mark takes three of a label's 48 characters;
callback data stays kb:a:<id>."""

from __future__ import annotations

from datetime import date

from telegram import InlineKeyboardButton

from handlers.keyboards import button
from knowledge.dates import stale
from knowledge.model import Article

STALE_MARK = "⚠️ "


def article_label(article: Article, today: date, prefix: str = "") -> str:
    return prefix + (STALE_MARK if stale(article, today) else "") + article.title


def article_button(article: Article, today: date, prefix: str = "") -> InlineKeyboardButton:
    return button(article_label(article, today, prefix), f"kb:a:{article.id}")
