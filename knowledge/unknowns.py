"""What an article marks as unknown («el monto exacto… es un dato por confirmar», «si hubo una
prórroga… no pudo verificar») against the fact a question asks: three features of the
calibration model (`knowledge.calibration`).

Why: most false answers of the spent held-out sets were near misses that ask exactly the fact
the best article says it lacks (#14, session 17: the penalty's amount, the PMA's vigencia, a
prórroga of the 120 days, the placer limits), while the article's other sentences share the
question's topic. `marked_unknown` (a veto) counts only a word said nowhere but where the fact
is marked unknown, as a word's stems and synonyms find it («PMA» is «productor minero»,
which every sentence says). These read words as written and the kind of fact asked, and the
model weighs them with the rest: a question about the article's topic whose marked sentence
also names what the kind asks for («monto», «plazo», «hubo») is a near miss more often than
not, one about a fact the article states beside it is not.
"""

from __future__ import annotations

from collections.abc import Sequence

from knowledge.facts import DATE, Asked, instance
from knowledge.sentence import MARK_KEYS, NAMED, Sentence

Words = Sequence[tuple[float, frozenset[str]]]  # each asked word's weight and first letters


def marked_evidence(
    kind: str | None, asked: Words, total: float, held: Sequence[Sentence]
) -> dict[str, float]:
    """The three features, on the asked words (`asked`: weight and first letters as
    written; `total` their weight) and the article's sentences (`held`):
    `marked_only`: the share of the asked weight said only in sentences that mark a fact as
    unknown; `marked_kind`: the share the best such sentence says, when it names the kind of
    fact asked; `marked_lead`: how much more of it such a sentence's passage says than the
    best passage that holds an instance of the kind (a passage: the sentence, the one before
    unless it is marked, and the title)."""
    found = {"marked_only": 0.0, "marked_kind": 0.0, "marked_lead": 0.0}
    if not any(s.marked for s in held):
        return found
    total = total or 1.0
    own = [
        frozenset(j for j, (_w, letters) in enumerate(asked) if not letters.isdisjoint(s.surface))
        for s in held
    ]
    marked = set().union(*(o for o, s in zip(own, held, strict=True) if s.marked))
    plain = set().union(*(o for o, s in zip(own, held, strict=True) if not s.marked))
    found["marked_only"] = (
        sum(asked[j][0] for j in marked - plain if asked[j][1].isdisjoint(MARK_KEYS)) / total
    )
    if kind not in NAMED:
        return found

    def weight(words: frozenset[int]) -> float:
        return sum(asked[j][0] for j in words) / total

    title = own[0]

    def passage(k: int) -> frozenset[int]:
        before = own[k - 1] if k and not held[k - 1].marked else frozenset()
        return own[k] | title | before

    naming = [k for k, s in enumerate(held) if s.marked and kind in s.names]
    if not naming:
        return found
    found["marked_kind"] = max(weight(own[k]) for k in naming)
    asked_fact = Asked(DATE if kind == "happened" else kind)
    plain_best = max(
        (
            weight(passage(k))
            for k, s in enumerate(held)
            if not s.marked and instance(asked_fact, s)
        ),
        default=0.0,
    )
    found["marked_lead"] = max(0.0, max(weight(passage(k)) for k in naming) - plain_best)
    return found
