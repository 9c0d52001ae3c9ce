"""When Minka may answer: only when the best article is both a strong match and covers most
of what the question asked; otherwise it says it is not sure and shows the closest ones."""

from __future__ import annotations

from dataclasses import dataclass

from knowledge.query import Query, aside_weight
from knowledge.scoring import Postings
from knowledge.text import GENERIC_VERBS, stem

UNKNOWN_WEIGHT = 1.0  # a word Minka never saw, as a share of the rarest word's weight
GENERIC_GAP = 0.5  # a common verb weighs this share of its rarity (see GENERIC_VERBS)


@dataclass(frozen=True, slots=True)
class Rule:
    """The thresholds of a sure answer (`bench.search_quality --cv` tries others on part of
    the tuning set and measures them on the rest)."""

    # One-word synonyms count once (the best), not once each: scores are lower.
    min_score: float = 2.5
    min_coverage: float = 0.6
    # Long questions carry context («me llegó una denuncia…») that no article repeats.
    long_question: int = 5  # asked words
    long_coverage: float = 0.4
    clear_lead: float = 1.6  # a best match this far ahead of the next one needs less coverage
    lead_coverage: float = 0.55  # more than half of what was asked (0.5 let «vacunas…» pass)
    # The stretch that asks, told apart from the asker's situation («soy practicante en la
    # dirección regional, ¿…?»), must be covered this much by the answer, when it has at
    # least `stretch_words` words that are not common verbs: the situation told in the kit's
    # words alone made sure answers to questions the kit cannot answer.
    stretch_coverage: float = 0.4
    stretch_words: int = 2

    def sure(self, score: float, runner_up: float, coverage: float, asked: int) -> bool:
        """Whether a best match of `score`, ahead of `runner_up`, covering `coverage` of the
        `asked` words' weight, is a sure answer."""
        lead = score >= self.clear_lead * runner_up and coverage >= self.lead_coverage
        needed = self.min_coverage if asked <= self.long_question else self.long_coverage
        return score >= self.min_score and (coverage >= needed or lead)


RULE = Rule()


class Judge:
    def __init__(self, postings: Postings) -> None:
        self.postings = postings
        # A word the kit never uses weighs like its rarest word: an official's question about
        # something else («¿cómo saco mi DNI?») must not pass for one about the kit.
        self._unknown_idf = UNKNOWN_WEIGHT * max(postings.idf.values(), default=1.0)

    def coverage(self, query: Query, index: int) -> float:
        """The share of the asked words (weighted by rarity) that article `index` has, in
        any of their forms. A common verb counts half, had or not: «¿el IGAC se puede
        presentar todavía?» is answered by the IGAC article, which never says «presentar»
        (rare in the kit, it weighed as much as «IGAC»), and «requisitos para sacar
        pasaporte» is not about the article that says «sacar del REINFO»."""
        total = satisfied = 0.0
        for i, (word, slot) in enumerate(zip(query.words, query.slots, strict=True)):
            weight = max(self.postings.idf.get(t, self._unknown_idf) for t in slot)
            weight *= aside_weight(query, i)
            if stem(word) in GENERIC_VERBS:
                weight *= GENERIC_GAP
            if any(self.postings.has(t, index) for t in slot):
                satisfied += weight
            total += weight
        return satisfied / total if total else 0.0

    def confident(
        self, query: Query, ranked: list[tuple[int, float]], rule: Rule = RULE
    ) -> tuple[bool, float]:
        """Whether the first of `ranked` (article number, score; best first) is a sure
        answer under `rule`, and its coverage."""
        top_index, top_score = ranked[0]
        coverage = self.coverage(query, top_index)
        runner_up = ranked[1][1] if len(ranked) > 1 else 0.0
        return rule.sure(top_score, runner_up, coverage, len(query.slots)), coverage

    def asked_elsewhere(
        self, stretch: Query | None, whole: Query, index: int, rule: Rule, told: bool = True
    ) -> bool:
        """Whether article `index` misses the stretch that asks (`stretch`, read apart) of a
        question (`whole`) that says more around it; `told`: a question word or «?» marked
        the stretch (not only its place last)."""
        if stretch is None or len(stretch.slots) >= len(whole.slots):
            return False
        topical = [
            slot
            for i, (word, slot) in enumerate(zip(stretch.words, stretch.slots, strict=True))
            if stem(word) not in GENERIC_VERBS and i not in stretch.asides
        ]
        # «…, ¿y la inflación?»: one word, but one the kit never uses, is judged too
        unknown = told and any(not any(t in self.postings for t in slot) for slot in topical)
        if len(topical) < rule.stretch_words and not unknown:
            return False
        return self.coverage(stretch, index) < rule.stretch_coverage
