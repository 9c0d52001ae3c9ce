"""Writes the word lists the bot reads (knowledge/wordlists/): common Spanish words, and the
English and French ones that are not Spanish, folded, from pyspellchecker's frequency lists.

    python -m knowledge.build_wordlists

Run by a developer when pyspellchecker or a threshold here changes, and the files committed
(tests/test_wordlists.py fails while they differ from what this writes). Reading the three
dictionaries whole at every start cost ~27 MB of peak memory for ~110,000 words kept (#17);
pyspellchecker is a test dependency only.
"""

from __future__ import annotations

from knowledge.asides import FOREIGN
from knowledge.text import fold
from knowledge.wordset import WORDLISTS

# A Spanish word at least this frequent in pyspellchecker's list is correct Spanish, never
# "repaired" into another word of the Tool Kit (knowledge.spelling).
SPANISH_COUNT = 50
# Words at least this frequent in pyspellchecker's list of the language (about 17,500 English
# and 9,000 French words not Spanish): rarer entries there are often other languages' or names.
FOREIGN_COUNT = 1000


def _frequencies(language: str) -> dict[str, int]:
    from spellchecker import SpellChecker  # a test dependency: not installed with the bot

    return SpellChecker(language=language, distance=1).word_frequency.dictionary


def build() -> dict[str, list[str]]:
    """Each list's words, sorted, by its language (the file's name): what the files hold."""
    spanish = {fold(w) for w, count in _frequencies("es").items() if count >= SPANISH_COUNT}
    lists = {"es": sorted(spanish)}
    for language in FOREIGN:
        lists[language] = sorted(
            {
                folded
                for word, count in _frequencies(language).items()
                if count >= FOREIGN_COUNT
                and (folded := fold(word)).isalpha()
                and folded not in spanish
            }
        )
    return lists


def main() -> None:
    WORDLISTS.mkdir(exist_ok=True)
    for language, words in build().items():
        path = WORDLISTS / f"{language}.txt"
        path.write_text("".join(f"{word}\n" for word in words), encoding="utf-8")
        print(f"{path}: {len(words)} words")


if __name__ == "__main__":
    main()
