"""Teaching Minka a question a specialist answered: the question becomes an example question
(`examples.yaml`) under the article that answers it, so that the next official who asks the
same thing in other words gets that article.

The chat only marks the question (`storage.repositories.examples`); `kb ejemplos --aceptar`
writes it into KB_DIR and asks the running Minka to reload, as every content edit is
published. Both apply the same checks as `kb revisar` (the article exists, the question is
not an example already, no personal data: `knowledge.personal`) to the text as it will be
written, the official's record numbers masked.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from knowledge.base import KnowledgeBase
from knowledge.model import ToolKit
from knowledge.personal import masked, personal_data
from knowledge.text import fold, words
from storage.repositories import examples
from storage.repositories.examples import Taught

SUGGESTED = 3  # articles offered as buttons; any other is picked by topic

# Why a question cannot be taught (`Verdict.refused`).
GONE = "gone"  # not an answered question any more (erased, a forged button)
ACCEPTED = "accepted"  # written into examples.yaml already
NO_ARTICLE = "no_article"  # not in the Tool Kit (renamed, removed)
NO_WORDS = "no_words"
REPEATED = "repeated"  # the same words as an example already in the file, or waiting
PERSONAL = "personal"  # names someone (a number is masked instead)


@dataclass(frozen=True, slots=True)
class Verdict:
    text: str  # the example as it will be written
    refused: str | None = None  # one of the reasons above; None when it can be taught
    other_article: str | None = None  # REPEATED: the article the same question is under


def same(text: str) -> str:
    """Two questions are the same example when their words are (`kb revisar`'s rule)."""
    return " ".join(words(text))


def judge(kit: ToolKit, item: Taught, article_id: str, taken: dict[str, str]) -> Verdict:
    """Whether `item` can become an example under `article_id`. `taken`: the examples already
    in the file or waiting, `same` text → article."""
    text = masked(item.text)
    if article_id not in kit.articles:
        return Verdict(text, NO_ARTICLE)
    key = same(text)
    if not key:
        return Verdict(text, NO_WORDS)
    if personal_data(text, item.names) is not None:
        return Verdict(text, PERSONAL)
    if key in taken:
        return Verdict(text, REPEATED, taken[key])
    return Verdict(text)


def in_file(kit: ToolKit) -> dict[str, str]:
    """The Tool Kit's example questions, `same` text → article (the first, if repeated)."""
    taken: dict[str, str] = {}
    for example in kit.examples:
        taken.setdefault(same(example.question), example.article)
    return taken


async def teach(
    session: AsyncSession, kb: KnowledgeBase, escalation_id: int, article_id: str
) -> Verdict:
    """Mark an answered question to be taught under `article_id`, if it passes the checks."""
    item = await examples.find(session, escalation_id)
    if item is None:
        return Verdict("", GONE)
    if item.status == examples.ACCEPTED:
        return Verdict(masked(item.text), ACCEPTED, item.article_id)
    taken = in_file(kb.kit)
    for other in await examples.waiting(session):
        if other.id != item.id and other.article_id is not None:
            taken.setdefault(same(masked(other.text)), other.article_id)
    verdict = judge(kb.kit, item, article_id, taken)
    if verdict.refused is None and not await examples.teach(session, item.id, article_id):
        return Verdict(verdict.text, GONE)
    return verdict


def suggestions(kb: KnowledgeBase, question: str, answer: str) -> list[str]:
    """The articles the specialist's answer points at (named by id or title, or found by
    searching it), then those the search finds for the question: at most SUGGESTED."""
    folded = fold(answer)
    found = [
        article.id
        for article in kb.kit.articles.values()
        if article.id in answer or fold(article.title).strip("¿?¡! ") in folded
    ]
    for text in (answer, question):
        result = kb.index.search(text)
        found += [a.id for a in ((result.best,) if result.best else ()) + result.others]
    return list(dict.fromkeys(found))[:SUGGESTED]
