"""knowledge/text.py folds text character by character (a table of each character without
its accents): the same as folding the whole text with NFKD and dropping the combining marks,
«ñ» kept, for any text a person may type; and the table stays bounded."""

from __future__ import annotations

import unicodedata

from hypothesis import given, settings
from hypothesis import strategies as st

from knowledge import text
from knowledge.text import fold


def _whole(value: str) -> str:
    """The definition: NFKD of the whole text without combining marks; «ñ» stays «ñ»."""
    return "ñ".join(
        "".join(c for c in unicodedata.normalize("NFKD", part) if not unicodedata.combining(c))
        for part in value.casefold().split("ñ")
    )


def test_spanish_is_folded_as_before() -> None:
    assert fold("¿Qué es la CONCESIÓN del Señor Ñandú? Pingüino, ÉXITO") == (
        "¿que es la concesion del señor ñandu? pinguino, exito"
    )
    assert fold("n\u0303o decomposed, ﬁn, ½, ²") == "no decomposed, fin, 1⁄2, 2"
    assert fold("EIA-d y IGAFOM-c") == "eiad y igafomc"


@settings(max_examples=400, deadline=None)
@given(st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=60))
def test_by_character_is_the_same_as_whole(value: str) -> None:
    assert text._fold(value) == text._HYPHENATED.sub("", _whole(value))


def test_the_table_keeps_only_the_first_code_points() -> None:
    text._fold("".join(chr(code) for code in range(0x4E00, 0x4E00 + 500)))  # CJK
    assert max(text._UNACCENTED) < 0x800
