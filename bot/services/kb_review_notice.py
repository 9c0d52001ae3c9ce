"""The specialists' review notice as text, in as many messages as Telegram's limits need.

A long notice used to be one message, cut with «…» by the outbox: the items past the cut were
never told. Now the items are grouped when the notice is owed (one outbox row per group, so
each row is still one message, sent once and in order): the lines, in the person's language,
are split at line ends by `split_html`, within 4096 units and 100 entities once the heading
and the advice are added. A line is measured in its widest form until it is sent (its count
of days only shrinks, and the forms of its due day and of an overdue one are measured too), so
a group still fits on a later day or if the outbox sends it late.
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from bot.i18n import Translator
from bot.telegram_limits import (
    MAX_ENTITIES,
    MESSAGE_LIMIT,
    cut_plain,
    entities,
    split_html,
    visible_units,
)

GLOSSARY = "glosario:"  # a glossary entry's key: an article's id never holds «:»
TITLE_MAX = 200  # a title's units in a line: a line never fills a message, so splits fall
# between lines


@dataclass(frozen=True, slots=True)
class Due:
    key: str  # the article's id, or GLOSSARY and the entry's term
    title: str  # the article's title, or the entry's term
    due: date

    @property
    def glossary(self) -> bool:
        return self.key.startswith(GLOSSARY)


def _status(due: date, today: date, t: Translator) -> str:
    when = t.date(due)
    days = (due - today).days
    if days < 0:
        status = t.gettext("review overdue since {date}").format(date=when)
    elif days == 0:
        status = t.gettext("review by today, {date}").format(date=when)
    else:
        status = t.ngettext(
            "review by {date} (in {count} day)", "review by {date} (in {count} days)", days
        ).format(date=when, count=t.number(days))
    return status


def _line(item: Due, status: str, t: Translator) -> str:
    title = cut_plain(" ".join(item.title.split()), TITLE_MAX)
    if item.glossary:  # an entry of glossary.yaml, named by its term
        title = t.gettext("Glossary: {term}").format(term=title)
    return f"• <b>{html.escape(title, quote=False)}</b>: {status}"


def line(item: Due, today: date, t: Translator) -> str:
    return _line(item, _status(item.due, today, t), t)


def _heading(items: Sequence[Due], t: Translator) -> str:
    """What the message lists: articles, glossary entries or both, in the singular for one."""
    entries = sum(item.glossary for item in items)
    articles = len(items) - entries
    if articles and entries:
        return t.gettext("📅 <b>Tool Kit: articles and glossary entries to review</b>")
    if entries:
        return t.ngettext(
            "📅 <b>Tool Kit: glossary entry to review</b>",
            "📅 <b>Tool Kit: glossary entries to review</b>",
            entries,
        )
    return t.ngettext(
        "📅 <b>Tool Kit: article to review</b>", "📅 <b>Tool Kit: articles to review</b>", articles
    )


def _headings(t: Translator) -> list[str]:
    """Every form the heading takes, to measure the widest."""
    article, entry = Due("a", "a", date.min), Due(GLOSSARY + "e", "e", date.min)
    kinds = ([article], [article, article], [entry], [entry, entry], [article, entry])
    return [_heading(items, t) for items in kinds]


def text(
    items: Sequence[Due],
    today: date,
    t: Translator,
    part: int = 1,
    parts: int = 1,
    heading: str | None = None,
) -> str:
    """One message of the notice: the heading (numbered when there are several), its items'
    lines and, in the last, what to do."""
    heading = heading or _heading(items, t)
    if parts > 1:
        heading += " " + t.gettext("({part} of {parts})").format(
            part=t.number(part), parts=t.number(parts)
        )
    lines = [heading, *(line(item, today, t) for item in items)]
    if part == parts:
        advice = t.gettext(
            "Check each one against its sources, correct its file in the Tool Kit folder and "
            "publish it with <code>python -m bot kb recargar</code>. Past its date, Minka warns "
            "whoever reads it that it may be out of date."
        )
        lines += ["", advice]
    return "\n".join(lines)


def _widest_status(due: date, today: date, t: Translator) -> str:
    """The status of a line due on `due` on the day it is widest, from `today` to the day after
    its date (from then on it reads the same every day)."""
    days = max((due - today).days, 0) + 1
    forms = (_status(due, today + timedelta(days=n), t) for n in range(days + 1))
    return max(forms, key=visible_units)


def groups(items: Sequence[Due], today: date, t: Translator) -> list[list[Due]]:
    """The items, in order, grouped into messages that each fit Telegram's limits."""
    if not items:
        return []
    frame = max(  # the widest heading, numbered, and the advice
        (text([], today, t, len(items), len(items), heading) for heading in _headings(t)),
        key=visible_units,
    )
    room = MESSAGE_LIMIT - visible_units(frame) - 1  # and the line end after the heading
    widest = {due: _widest_status(due, today, t) for due in {item.due for item in items}}
    pieces = split_html(
        "\n".join(_line(item, widest[item.due], t) for item in items),
        room,
        max_entities=MAX_ENTITIES - entities(frame),
    )
    found, start = [], 0
    for piece in pieces:  # whole lines, each ended by its line end but the last
        count = piece.count("\n") + (not piece.endswith("\n"))
        found.append(list(items[start : start + count]))
        start += count
    return found
