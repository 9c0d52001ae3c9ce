"""The word lists shipped in knowledge/wordlists/ are what `python -m knowledge.build_wordlists`
writes from the installed pyspellchecker (they cannot drift from it), a non-editable install
carries them, and the bot's hashed lists answer as the words do."""

from __future__ import annotations

import tomllib
from pathlib import Path

from knowledge.build_wordlists import build
from knowledge.wordset import WORDLISTS, read_wordlist

ROOT = Path(__file__).resolve().parents[1]


def test_the_shipped_lists_are_what_the_generator_writes() -> None:
    built = build()
    assert sorted(built) == sorted(path.stem for path in WORDLISTS.glob("*.txt"))
    for language, words in built.items():
        shipped = (WORDLISTS / f"{language}.txt").read_text(encoding="utf-8").splitlines()
        assert shipped == words, f"{language}.txt: run python -m knowledge.build_wordlists"
    assert len(built["es"]) > 80_000 and len(built["en"]) > 15_000 and len(built["fr"]) > 8_000
    assert "mineria" in built["es"] and "question" in built["en"] and "bonjour" in built["fr"]
    assert "general" in built["es"] and "general" not in built["en"]  # Spanish: never an aside


def test_the_package_data_carries_the_lists() -> None:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    patterns = config["tool"]["setuptools"]["package-data"]["knowledge"]
    shipped = {path for pattern in patterns for path in (ROOT / "knowledge").glob(pattern)}
    assert set(WORDLISTS.glob("*.txt")) <= shipped


def test_a_list_read_as_hashes_answers_as_its_words() -> None:
    words = (WORDLISTS / "es.txt").read_text(encoding="utf-8").splitlines()
    listed = read_wordlist("es")
    assert len(listed) == len(words)
    assert all(word in listed for word in words[::97])
    assert not any(f"{word}qx" in listed for word in words[::97])
