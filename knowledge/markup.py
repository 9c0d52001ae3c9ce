"""The articles' restricted Markdown turned into Telegram HTML, split to fit a message.

Allowed in a body: paragraphs separated by blank lines, "- " bullets, **bold** and _italic_.
Everything else is text: it is escaped, so an article can never break a message.
"""

from __future__ import annotations

import html
import re

MESSAGE_LIMIT = 4096  # Bot API: characters of a message after entity parsing

_BOLD = re.compile(r"\*\*(?=\S)(.+?)(?<=\S)\*\*")
# Underscores inside words and commands (/mis_datos) are not italics.
_ITALIC = re.compile(r"(?<![\w/])_(?=\S)(.+?)(?<=\S)_(?![\w])")


def inline(text: str) -> str:
    escaped = html.escape(text, quote=False)
    escaped = _BOLD.sub(r"<b>\1</b>", escaped)
    return _ITALIC.sub(r"<i>\1</i>", escaped)


def paragraphs(markdown: str) -> list[str]:
    """Telegram HTML paragraphs; bullet lines become '• ' lines of the same paragraph."""
    blocks = [block.strip() for block in re.split(r"\n\s*\n", markdown.strip()) if block.strip()]
    rendered = []
    for block in blocks:
        lines = []
        for line in block.splitlines():
            line = line.strip()
            if line.startswith("- "):
                lines.append("• " + inline(line[2:].strip()))
            else:
                lines.append(inline(line))
        rendered.append("\n".join(lines))
    return rendered


def visible_length(telegram_html: str) -> int:
    """Characters Telegram counts (UTF-16 code units of the text without tags)."""
    text = html.unescape(re.sub(r"<[^>]+>", "", telegram_html))
    return len(text.encode("utf-16-le")) // 2


def split_message(parts: list[str], limit: int = MESSAGE_LIMIT) -> list[str]:
    """Join paragraphs into as few messages as fit, never cutting inside a paragraph."""
    messages: list[str] = []
    current = ""
    for part in parts:
        candidate = f"{current}\n\n{part}" if current else part
        if current and visible_length(candidate) > limit:
            messages.append(current)
            current = part
        else:
            current = candidate
    if current:
        messages.append(current)
    return messages
