"""Membership in a large word list at 8 bytes a word (the Spanish word list: 86,000 words,
0.7 MB instead of 9 MB as a set of strings), and the lists shipped in knowledge/wordlists/."""

from __future__ import annotations

from array import array
from bisect import bisect_left
from collections.abc import Iterable
from hashlib import blake2b
from pathlib import Path

# Folded words, one a line, written by `python -m knowledge.build_wordlists`.
WORDLISTS = Path(__file__).with_name("wordlists")
_LISTED: dict[str, WordSet] = {}  # the shipped lists read (or unpickled) in this process


def _key(word: str) -> int:
    """A word's 64-bit digest: the same in every process, unlike `hash` (salted per process),
    so that a list built once serves the next start (the Tool Kit's cache, `knowledge.cache`).
    Each list is looked up about once per new word (its callers' bounded caches): 0.5 µs."""
    return int.from_bytes(blake2b(word.encode("utf-8"), digest_size=8).digest(), "big", signed=True)


class WordSet:
    """The words' 64-bit digests, sorted. A word not in the list passes for one only when its
    digest equals a listed word's: about once in 10^14 lookups. `name`: the shipped list it
    is, which unpickles as the process's own copy of it (one a process, `listed`)."""

    __slots__ = ("_hashes", "_name")

    def __init__(self, words: Iterable[str], name: str | None = None) -> None:
        self._hashes = array("q", sorted({_key(word) for word in words}))
        self._name = name

    def __contains__(self, word: object) -> bool:
        if not isinstance(word, str):
            return False
        key = _key(word)
        at = bisect_left(self._hashes, key)
        return at < len(self._hashes) and self._hashes[at] == key

    def __len__(self) -> int:
        return len(self._hashes)

    def __reduce__(self) -> tuple[object, tuple[str | None, array]]:
        return _unpickled, (self._name, self._hashes)


def _unpickled(name: str | None, hashes: array) -> WordSet:
    """A pickled list: the process's copy of a shipped list when it has one already, else
    this one, kept as that copy (no file read)."""
    if name in _LISTED:
        return _LISTED[name]
    found = WordSet((), name)
    found._hashes = hashes
    if name is not None:
        _LISTED[name] = found
    return found


def read_wordlist(name: str) -> WordSet:
    """The words of knowledge/wordlists/`name`.txt, read a line at a time: the list's strings
    are never all held at once, only their digests."""
    with (WORDLISTS / f"{name}.txt").open(encoding="utf-8") as lines:
        return WordSet((line.rstrip("\n") for line in lines), name)


def listed(name: str) -> WordSet:
    """The shipped list `name`, read once a process and shared by whatever reads it."""
    if name not in _LISTED:
        _LISTED[name] = read_wordlist(name)
    return _LISTED[name]
