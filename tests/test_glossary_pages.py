"""The glossary's letters stay within Telegram's keyboard limits however the Tool Kit grows:
a letter with more terms than a keyboard holds (100 buttons, and a size in bytes) is shown
in pages, as a topic's articles are."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from bot.config import Settings
from knowledge.loader import CONTENT_DIR
from tests.chat import Person

TERMS = 110  # more than the 100 buttons an inline keyboard may carry


@pytest.fixture
def settings(settings: Settings, tmp_path: Path) -> Settings:
    """The Tool Kit with 110 more terms under «Z», as specialists could add them (KB_DIR)."""
    folder = tmp_path / "toolkit"
    shutil.copytree(CONTENT_DIR, folder)
    entries = "".join(
        f"- term: Zona minera de prueba número {n:03}\n"
        f"  definition: Término de prueba {n} para llenar una letra del glosario.\n"
        for n in range(1, TERMS + 1)
    )
    with (folder / "glossary.yaml").open("a", encoding="utf-8") as glossary:
        glossary.write("\n" + entries)
    return settings.model_copy(update={"kb_dir": folder})


async def test_a_letter_with_many_terms_is_shown_in_pages(ana: Person, bot: Settings) -> None:
    (letters,) = await ana.say("/glosario")
    await ana.press(letters, "Z")
    (first,) = await ana.replies(1)
    assert "Glosario: Z" in first.text and "Página 1 de 6" in first.text
    terms = [label for label in first.button_texts() if label.startswith("Zona")]
    assert terms[0] == "Zona minera de prueba número 001" and len(terms) == 20
    shown = set(terms)
    page = first
    for number in range(2, 7):
        await ana.press(page, "Siguiente")
        (page,) = await ana.replies(1)
        assert f"Página {number} de 6" in page.text
        shown |= {label for label in page.button_texts() if label.startswith("Zona")}
    assert len(shown) == TERMS
    await ana.press(page, "Zona minera de prueba número 110")
    (term,) = await ana.replies(1)
    assert "Término de prueba 110" in term.text
