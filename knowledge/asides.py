"""Words of a question that say where it comes from or how it is said, not what it asks,
when the Tool Kit never writes them: a place of Peru or a name after «de» («pobladores de
Aija…», «un campamento de Mazuko»), English or French around Spanish («quick question: …»,
«c'est quoi…»), a greeting («kamisaraki!»). Each weighed like the kit's rarest word
(`knowledge.confidence`), the right article looked as if it lacked what was asked, and right
answers of new voices were turned down (#14, session 26: most of those on v19, v22 and v23). A
place the fact is asked about («¿cuántos mineros hay en Tacna?») is what the kit cannot answer:
it stays asked.

A word the kit writes is never an aside («canon»), nor one typed in capitals (an acronym the
kit lacks, «RUC», is asked about), nor a Spanish word alone («la Contraloría», «laberinto»;
but «de Laberinto», a district's name after «de», is a place), nor English borrowed into a
Spanish question («¿cómo lo paso a Excel?» asks about Excel): English (or French) is an aside
in a message with `FOREIGN_RUN` words of that language or more. An order about the reply's
form («máximo 5 líneas», «sin rodeos», «sí/no») is an aside even in the kit's words. Asides weigh
less as evidence (`knowledge.query.ASIDE_WEIGHT`); greetings are not asked words at all.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Callable
from functools import lru_cache
from pathlib import Path

from knowledge.text import SMALL_TALK, STOPWORDS, fold, singulars, spanish_words, stem, words
from knowledge.wordset import WordSet, listed

PLACES_FILE = Path(__file__).with_name("places.txt")
# The languages mixed into Spanish questions: English (a customs or programme specialist), French
# (the Canadian programme's staff from Québec, #14 session 28: v26's Montréal voice).
FOREIGN = ("en", "fr")
FOREIGN_RUN = 3
# «Hola» and its Quechua and Aymara forms, «hello»: greetings around a question («gracias»
# and most thanks are stopwords already; «mil», «atención» are not thanks alone).
GREETINGS = SMALL_TALK["greeting"] | {"grasias", "grax"}
# A name after these is where someone or something comes from: «de Mazuko».
_FROM = frozenset({"de", "del"})
# A capital after these starts a sentence, not a name.
_SENTENCE_START = frozenset(".!?¿¡:;\n\"'«([-*•")
_TITLED = re.compile(r"[A-ZÁÉÍÓÚÑ][a-záéíóúñü]+")
# An order about the reply's form, not what it asks («Máximo 5 líneas.», «Sin rodeos.», «¿paga
# regalía? sí/no», «en deux lignes»): a regional director's curt fragments (#14, session 29: four
# of v25's right first choices turned down asked so). «Paso a paso» is not one: it asks for a
# procedure, which the kit seldom holds.
_COUNT = r"(?:\d+|dos|tres|cuatro|cinco|seis|siete|ocho|diez|pocas|pocos|deux|trois|two|five)"
_UNIT = r"(?:lineas?|puntos|palabras|frases|oraciones|renglones|parrafos|bullets|lignes|lines)"
_FORM = re.compile(
    rf"\b{_COUNT}\s+{_UNIT}\b|\bsin rodeos\b|\brespuesta (?:corta|breve|rapida)\b"
    r"|\ben (?:pocas palabras|corto|resumen|breve)\b|\bresumid[oa]\b|\bbrevemente\b"
    r"|\bbullet points?\b|\bsi\s*/\s*no\b|\bsi o no\b"
    rf"|\bmaximo\b(?=\s+{_COUNT}\s+{_UNIT}\b)"  # «máximo dos concesiones» asks about them
)


def foreign_words(language: str) -> WordSet:
    """Common words of `language` (folded) that are not Spanish ones («general», «plan» are),
    from pyspellchecker's frequency list (knowledge.build_wordlists)."""
    return listed(language)


@lru_cache(maxsize=1)
def places() -> dict[str, tuple[tuple[str, ...], ...]]:
    """Peru's departments, provinces and districts as folded words, by their first word."""
    found: dict[str, list[tuple[str, ...]]] = defaultdict(list)
    for line in PLACES_FILE.read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            name = tuple(words(line))
            found[name[0]].append(name)
    return {first: tuple(names) for first, names in found.items()}


@lru_cache(maxsize=4096)  # bounded, as the index's own caches (see knowledge.text)
def spanish(word: str) -> bool:
    """Whether `word` is Spanish: in the list, or a plural or verb form of a word in it (the
    list holds «poblador», «bloquear», not «pobladores», «bloquean»)."""
    listed = spanish_words()
    return (
        word in listed
        or any(one in listed for one in singulars(word))
        or any(stem(word) + ending in listed for ending in ("ar", "er", "ir"))
    )


def titled(text: str) -> set[str]:
    """The folded words of `text` typed with a capital and then lower case, not where a
    sentence starts: names."""
    found = set()
    for match in _TITLED.finditer(text):
        before = text[: match.start()].rstrip()
        if before and before[-1] not in _SENTENCE_START:
            found.add(fold(match.group()))
    return found


def answer_form(text: str) -> set[str]:
    """The folded words of `text` that order the reply's form (`_FORM`), the kit's own too
    («máximo», «puntos»): they say how to answer, not what."""
    return {w for match in _FORM.finditer(fold(text)) for w in words(match.group())}


def unordered(text: str) -> list[str]:
    """The folded words of `text` without its orders about the reply's form: the «no» of
    «sí/no» negates nothing."""
    return words(_FORM.sub(" ", fold(text)))


class Asides:
    """The asides of a question, against the words the kit writes (`known`: its articles',
    glossary's and synonyms'); `correct`: the kit's word a typo stands for, if any («la
    Consecion» is no name)."""

    def __init__(self, known: set[str], correct: Callable[[str], str | None]) -> None:
        self.known = known
        self.correct = correct
        self._foreign = [foreign_words(language) for language in FOREIGN]
        self._places = places()

    def greeting(self, word: str) -> bool:
        """Whether `word` is a greeting or thanks the kit never writes («allillanchu»,
        «hello»): no more a question's word than «hola», a stopword."""
        return word in GREETINGS and word not in self.known

    def of(self, text: str, typed: list[str]) -> set[str]:
        """The words of `typed` (the folded words of `text`) that are asides: an order about
        the reply's form (`answer_form`, the kit's words too), English or French in a message
        with `FOREIGN_RUN` words of that language, a place or a name after «de» (someone or
        something from there: «los mineros de Secocha»; «¿cuántos hay en Tacna?» asks about
        Tacna, which the kit cannot answer)."""
        found = answer_form(text)
        unknown = [w for w in typed if w not in self.known and w not in STOPWORDS]
        if not unknown:
            return found
        for common in self._foreign:
            run = {w for w in unknown if w in common and not spanish(w)}
            found |= run if len(run) >= FOREIGN_RUN else set()
        names = titled(text)
        for i, word in enumerate(typed):
            if i == 0 or typed[i - 1] not in _FROM or word in self.known or word in STOPWORDS:
                continue
            named = word in names
            if named and not spanish(word) and self.correct(word) is None:
                found.add(word)
            for place in self._places.get(word, ()):
                if tuple(typed[i : i + len(place)]) == place and (
                    len(place) > 1 or not spanish(word) or named
                ):
                    found.update(w for w in place if w not in self.known and w not in STOPWORDS)
        return found
