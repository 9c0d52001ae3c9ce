"""Membership in a large word list at 8 bytes a word (the Spanish word list: 86,000 words,
0.7 MB instead of 9 MB as a set of strings), and the lists shipped in knowledge/wordlists/."""

from __future__ import annotations

from array import array
from bisect import bisect_left
from collections.abc import Iterable
from pathlib import Path

# Folded words, one a line, written by `python -m knowledge.build_wordlists`.
WORDLISTS = Path(__file__).with_name("wordlists")


class WordSet:
    """The words' hashes, sorted. A word not in the list passes for one only when its 64-bit
    hash equals a listed word's: about once in 10^14 lookups. The hashes are this process's
    (Python salts them per process), so a `WordSet` is built where it is used."""

    __slots__ = ("_hashes",)

    def __init__(self, words: Iterable[str]) -> None:
        self._hashes = array("q", sorted({hash(word) for word in words}))

    def __contains__(self, word: object) -> bool:
        key = hash(word)
        at = bisect_left(self._hashes, key)
        return at < len(self._hashes) and self._hashes[at] == key

    def __len__(self) -> int:
        return len(self._hashes)


def read_wordlist(name: str) -> WordSet:
    """The words of knowledge/wordlists/`name`.txt, read a line at a time: the list's strings
    are never all held at once, only their hashes."""
    with (WORDLISTS / f"{name}.txt").open(encoding="utf-8") as lines:
        return WordSet(line.rstrip("\n") for line in lines)
