"""Typo repair: the Tool Kit word an official meant, by sound first, then by a few edits."""

from __future__ import annotations

from collections import defaultdict
from functools import lru_cache

from rapidfuzz.distance import OSA

from knowledge.text import sound_key, spanish_words, stem


class Speller:
    """Repairs typed words into words of `vocabulary` (the words the Tool Kit uses)."""

    def __init__(self, vocabulary: set[str]) -> None:
        self.vocabulary = vocabulary
        self._spanish = spanish_words()  # checked after the vocabulary: no copy needed
        self._by_sound: dict[str, str] = {}
        self._by_shape: dict[tuple[str, int], list[str]] = defaultdict(list)
        self._by_stem_sound: dict[str, str] = {}
        for word in sorted(vocabulary):
            self._by_sound.setdefault(sound_key(word), word)
            self._by_stem_sound.setdefault(sound_key(stem(word)), word)
            self._by_shape[(word[0], len(word))].append(word)
        self.correct = lru_cache(maxsize=4096)(self._correct)  # bounded: see knowledge.text

    def _correct(self, word: str) -> str | None:
        """The vocabulary word meant by a typed word, or None when nothing is close.

        Same sound first (s/c/z, b/v, g/j, silent h...), also for another form of the same
        word (fiscalisando → fiscalizar), then up to one edit for short words
        and two for longer ones, a swap of neighbours counting as one (OSA distance).
        A word that is already correct Spanish is left alone: it is not a typo; nor is,
        by edits, a form of a Spanish verb the list lacks («vence» is not «vende»)."""
        if word in self.vocabulary:
            return word
        if word in self._spanish or not word.isalpha():  # 1000 is not 10 misspelt
            return None
        by_sound = self._by_sound.get(sound_key(word)) or self._by_stem_sound.get(
            sound_key(stem(word))
        )
        if by_sound is not None:
            return by_sound
        if len(word) < 4 or self._verb_form(word):
            return None
        allowed = 1 if len(word) <= 8 else 2
        best: tuple[int, str] | None = None
        for size in range(len(word) - allowed, len(word) + allowed + 1):
            for candidate in self._by_shape.get((word[0], size), ()):
                distance = OSA.distance(word, candidate, score_cutoff=allowed)
                if distance <= allowed and (best is None or distance < best[0]):
                    best = (distance, candidate)
        return best[1] if best else None

    def _verb_form(self, word: str) -> bool:
        """Whether `word` is a form of a listed Spanish verb: the list holds the infinitive
        and few of its forms («vencer», not «vence»)."""
        stemmed = stem(word)
        return any(stemmed + ending in self._spanish for ending in ("ar", "er", "ir"))
