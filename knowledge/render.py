"""An article as Telegram messages: title, text, sources and the date it was last reviewed."""

from __future__ import annotations

import html
import re
from datetime import date
from functools import lru_cache
from urllib.parse import urlsplit

from bot.i18n import Translator
from knowledge.dates import Stale, glossary_overdue, stale
from knowledge.markup import paragraphs, split_message
from knowledge.model import Article, GlossaryEntry


def article_messages(article: Article, t: Translator, today: date | None = None) -> list[str]:
    """The article in as few messages as fit Telegram's limit, split between paragraphs.

    Judged on Lima's `today` (None: not judged, as `kb revisar` renders it), an article whose
    plazo has passed or whose review is overdue opens with a warning instead of ending with
    its «Vigente al …» line: the warning carries that line, and is read before the text.
    """
    return list(_article_messages(article, t, stale(article, today) if today else None))


@lru_cache(maxsize=1024)  # articles, translators and staleness are immutable; most answers repeat
def _article_messages(article: Article, t: Translator, old: Stale | None) -> tuple[str, ...]:
    _ = t.gettext
    title = f"<b>{html.escape(article.title, quote=False)}</b>"
    parts = [title, *paragraphs(article.body)]
    if article.sources:
        sources = "\n".join(f"• {_source(s, t)}" for s in article.sources)
        heading = _("Sources")
        parts.append(f"<b>{heading}</b>\n{sources}")
    when = t.date(article.valid_as_of or article.reviewed)
    norm = html.escape(article.norm, quote=False)
    line = (
        _("Valid as of {date} · {norm}").format(date=when, norm=norm)
        if norm
        else _("Valid as of {date}").format(date=when)
    )
    if old is None:
        parts.append(f"<i>{line}</i>")
    else:
        parts[0] = f"{title}\n{warning(old, line, t)}"
    return tuple(split_message(parts))


def warning(old: Stale, dated: str, t: Translator) -> str:
    """One line: ⚠️, the «Vigente al … · norm» it was written under, and what is out of date."""
    if old.expired is not None:  # the plazo named, and where a new norm would be published
        what = t.gettext(
            "<b>The deadline «{what}» expired on {date}</b> and the article has not been updated "
            "yet: check in El Peruano, or with MINEM's DGFM or your DREM, whether a new norm "
            "extended or changed it."
        ).format(what=html.escape(old.what, quote=False), date=t.date(old.expired))
    else:
        what = t.gettext(
            "<b>It was due for review by {date}</b> and has not been updated yet: check with "
            "MINEM or your DREM."
        ).format(date=t.date(old.review_by or date.min))
    return f"⚠️ <i>{dated}.</i> {what}"


OFFICIAL_SITES = ("gob.pe", "elperuano.pe")  # the State's own pages and the official gazette


def official(site: str) -> bool:
    """Whether an address is the State's own text; anything else is a secondary source."""
    return any(site == domain or site.endswith(f".{domain}") for domain in OFFICIAL_SITES)


def _source(source: str, t: Translator) -> str:
    """A source as one short line: a trailing « — https://…» becomes a link named by its site.

    A link outside the State's sites (press, blogs, law firms) says it is a secondary source, so
    an official knows the claim still has to be read in the norm itself.
    """
    text, _sep, url = source.rpartition(" — ")
    if not text or not url.startswith(("https://", "http://")):
        return html.escape(source, quote=False)
    site = urlsplit(url).netloc.removeprefix("www.")
    link = f'<a href="{html.escape(url)}">{site}</a>'
    if not official(site):
        link = t.gettext("secondary source: {site}").format(site=link)
    return f"{html.escape(text, quote=False)} ({link})"


def glossary_message(
    entry: GlossaryEntry, t: Translator | None = None, today: date | None = None
) -> str:
    """The term and its definition; a fact that changes adds «Vigente al … · source», with a
    warning once its `review_by` has passed (Lima's `today`)."""
    title = html.escape(entry.term, quote=False)
    if entry.expansion:
        title += f" — {html.escape(entry.expansion, quote=False)}"
    text = f"<b>{title}</b>\n{html.escape(entry.definition, quote=False)}"
    if t is not None and entry.reviewed is not None and entry.source:
        norm = html.escape(re.split(r" \(|, | — ", entry.source, maxsplit=1)[0], quote=False)
        line = t.gettext("Valid as of {date} · {norm}").format(
            date=t.date(entry.reviewed), norm=norm
        )
        if today is not None and glossary_overdue(entry, today):
            text += "\n" + warning(Stale(review_by=entry.review_by), line, t)
        else:
            text += f"\n<i>{line}</i>"
    return text
