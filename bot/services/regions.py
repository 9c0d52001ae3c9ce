"""Regions as people type them: accent- and case-insensitive, tolerant of typos."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from typing import TYPE_CHECKING

from rapidfuzz import fuzz

if TYPE_CHECKING:  # `kb revisar` reads PROVINCES (bot.services.provinces) without the storage
    from storage.repositories.regions import RegionRecord

# Other names officials use for a region, besides its own name.
_ALIASES: dict[str, tuple[str, ...]] = {
    "lima": ("lima", "lima region", "lima provincias", "gobierno regional de lima", "huacho"),
    "lima-metropolitana": ("lima metropolitana", "lima metro", "municipalidad de lima"),
    "minem": ("minem", "mem", "nivel central", "ministerio de energia y minas"),
    "ancash": ("ancash", "ancash huaraz"),
    "callao": ("callao", "el callao"),
    "cusco": ("cusco", "cuzco"),
}
_FILLER = re.compile(r"\b(gobierno regional( de(l)?)?|region|departamento( de)?|gore|dre?m|grem)\b")

CONFIDENT = 85
POSSIBLE = 65


def normalize(text: str) -> str:
    """Lower case, no accents, no punctuation, single spaces."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    plain = "".join(char for char in decomposed if not unicodedata.combining(char))
    return " ".join(re.sub(r"[^a-z0-9ñ ]+", " ", plain).split())


@dataclass(frozen=True, slots=True)
class RegionMatch:
    """`region` when the text names one region for sure; otherwise up to three candidates."""

    region: RegionRecord | None
    candidates: tuple[RegionRecord, ...] = ()


def _names(region: RegionRecord) -> tuple[str, ...]:
    return (normalize(region.name), *_ALIASES.get(region.code, ()))


def _named_by(query: str, regions: list[RegionRecord]) -> tuple[RegionRecord, ...]:
    """Regions one of whose names is `query` or begins with it as whole words («lima»:
    Lima (Gobierno Regional) and Lima Metropolitana)."""
    return tuple(
        r for r in regions if any(n == query or n.startswith(query + " ") for n in _names(r))
    )


def match_region(
    text: str, regions: list[RegionRecord], *, unambiguous: bool = False
) -> RegionMatch:
    """The region `text` names. With `unambiguous` (the shell and files, where nobody sees
    what was understood), a name shared by several regions gives those as candidates."""
    query = normalize(text)
    if unambiguous and len(shared := _named_by(query, regions)) > 1:
        return RegionMatch(None, shared)
    exact = [region for region in regions if query in _names(region)]
    if len(exact) == 1:
        return RegionMatch(exact[0])
    stripped = " ".join(_FILLER.sub(" ", query).split()) or query
    scored = sorted(
        ((max(fuzz.ratio(stripped, name) for name in _names(r)), r) for r in regions),
        key=lambda pair: pair[0],
        reverse=True,
    )
    if not scored:
        return RegionMatch(None)
    best_score, best = scored[0]
    runner_up = scored[1][0] if len(scored) > 1 else 0  # a coordinator may cover one region
    if best_score >= CONFIDENT and best_score - runner_up >= 10:
        return RegionMatch(best)
    return RegionMatch(None, tuple(r for score, r in scored[:3] if score >= POSSIBLE))
