"""`kb revisar` and time written without a date: «dentro de 120 días de la vigencia de la Ley
32537», «hasta fin de año», «la DGFM hoy conduce la formalización», «12,345 inscripciones».

None of them has a full date, so they used to pass every check whatever the day: a plazo long
run out still read as open, with nothing to make CI fail. Each fixture below is one article (or
glossary entry) added to a copy of the shipped kit; only its own problems are looked at."""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

import pytest

from knowledge.check import check_dates
from knowledge.loader import CONTENT_DIR

LAW = "Ley 32537 (publicada el 26 de diciembre de 2025)"


@pytest.fixture(name="content")
def copy_of_the_kit(tmp_path: Path) -> Path:
    folder = tmp_path / "content"
    shutil.copytree(CONTENT_DIR, folder)
    return folder


def _article(content: Path, body: str, *, source: str = LAW, header: str = "") -> Path:
    path = content / "articles" / "prueba-fechas.md"
    path.write_text(
        "---\n"
        "id: prueba-fechas\n"
        "title: ¿Qué deben hacer los inscritos?\n"
        "topic: formalizacion\n"
        "summary: Artículo de prueba.\n"
        "keywords: [articulo de prueba]\n"
        "related: []\n"
        f'sources: ["{source}"]\n'
        "reviewed: 2026-01-10\n"
        f"{header}"
        "---\n"
        f"{body}\n",
        encoding="utf-8",
    )
    return path


def _problems(content: Path, path: Path, today: date) -> list[str]:
    """The date problems `kb revisar` finds in one file, as it prints them."""
    return [str(p) for p in check_dates(content, today) if p.path == path]


def _line(path: Path, needle: str) -> int:
    lines = path.read_text(encoding="utf-8").splitlines()
    return next(n for n, line in enumerate(lines, 1) if needle in line)


PLAZO = "Deben declarar su ubicación dentro de 120 días de la vigencia de la Ley 32537."


def test_a_plazo_counted_from_a_law_is_computed(content: Path) -> None:
    """The norm's publication date is in the article: the plazo's end is computed (from the
    vigencia, the day after publication). Ahead, it must be declared; past, told as past,
    whatever `review_by` says."""
    path = _article(content, PLAZO)
    line = _line(path, "dentro de 120 días")
    plazo = f"{path}:{line}: «dentro de 120 días», contado desde la vigencia de la Ley 32537,"
    assert _problems(content, path, date(2026, 3, 1)) == [
        f"{plazo} termina hacia el 26 de abril de 2026 (2026-04-26): agréguelo a «deadlines» "
        "({date: 2026-04-26, what: ...})"
    ]
    dated = "review_by: 2026-12-31\n"
    path = _article(content, PLAZO, header=dated)
    plazo = plazo.replace(f":{line}:", f":{_line(path, 'dentro de 120 días')}:")
    assert _problems(content, path, date(2026, 5, 1)) == [
        f"{plazo} terminó hacia el 26 de abril de 2026 (2026-04-26) y el texto no lo dice: "
        "escríbalo en pasado"
    ]
    declared = "review_by: 2026-04-26\ndeadlines:\n  - {date: 2026-04-26, what: ubicación}\n"
    path = _article(content, PLAZO, header=declared)
    assert _problems(content, path, date(2026, 3, 1)) == []
    past = PLAZO + " Ese plazo venció alrededor de fines de abril de 2026."
    path = _article(content, past)
    assert _problems(content, path, date(2026, 12, 5)) == []


def test_a_plazo_without_a_date_needs_review_by(content: Path) -> None:
    """Without the norm's date the end cannot be computed: the article must expire by itself."""
    path = _article(content, PLAZO, source="Ley 32537")
    line = _line(path, "dentro de 120 días")
    assert _problems(content, path, date(2026, 1, 10)) == [
        f"{path}:{line}: «dentro de 120 días» es un plazo sin fecha: vence sin que nadie lo "
        "note: agregue «review_by» (y «valid_as_of») para que venza a tiempo, o escríbalo en "
        "pasado con su fecha"
    ]
    for body in (
        "La ley ordenó transferir los expedientes en 60 días calendario.",
        "El censo debe empezar en un plazo máximo de seis meses.",
        "Los gobiernos regionales tienen 30 días hábiles desde la publicación del reglamento.",
    ):
        path = _article(content, body, source="Ley 32537")
        assert len(_problems(content, path, date(2026, 1, 10))) == 1, body
    path = _article(content, PLAZO, source="Ley 32537", header="review_by: 2026-04-01\n")
    assert _problems(content, path, date(2026, 1, 10)) == []


def test_words_relative_to_today_need_review_by(content: Path) -> None:
    for body, written in (
        ("El MINEM publicará el padrón hasta fin de año.", "hasta fin de año"),
        ("La Ley MAPE se aprobará en los próximos meses.", "en los próximos meses"),
        ("La DGFM hoy conduce la formalización.", "hoy"),
    ):
        path = _article(content, body)
        (problem,) = _problems(content, path, date(2026, 1, 10))
        assert problem.startswith(f"{path}:{_line(path, written)}: «{written}» "), problem
        assert problem.endswith(
            "agregue «review_by» (y «valid_as_of») para que venza a tiempo, "
            "o escríbalo en pasado con su fecha"
        )
        path = _article(content, body, header="review_by: 2026-06-30\n")
        assert _problems(content, path, date(2026, 1, 10)) == []
    # The title is read too: it is what lists and buttons show.
    path = _article(content, "Texto de prueba.")
    path.write_text(
        path.read_text(encoding="utf-8").replace(
            "title: ¿Qué deben hacer los inscritos?",
            "title: ¿Cuántos se han formalizado hasta ahora?",
        ),
        encoding="utf-8",
    )
    (problem,) = _problems(content, path, date(2026, 1, 10))
    assert problem.startswith(f"{path}:3: «hasta ahora» describe en presente"), problem
    # A rename in passing is not the present of the process.
    path = _article(content, "El MEM (hoy MINEM) transfirió la formalización en 2007.")
    assert _problems(content, path, date(2026, 1, 10)) == []


def test_a_count_says_when_it_was_counted(content: Path) -> None:
    path = _article(content, "Hay 12,345 inscripciones vigentes en la región.")
    assert _problems(content, path, date(2026, 1, 10)) == [
        f"{path}:{_line(path, '12,345')}: la cifra «12,345 inscripciones» no dice de cuándo es: "
        "escriba el año en la frase o agregue «valid_as_of»"
    ]
    path = _article(content, "En mayo de 2025 había 12,345 inscripciones vigentes.")
    assert _problems(content, path, date(2026, 1, 10)) == []
    path = _article(content, "Las concesiones llegan a 2,000 hectáreas.")  # not a count of people
    assert _problems(content, path, date(2026, 1, 10)) == []


def test_durations_and_history_are_not_plazos(content: Path) -> None:
    """A standing duration, and a plazo told with the dates it had, pass without review_by."""
    for body in (
        "La constancia vale dos años y es renovable.",
        "No pagar el derecho de vigencia durante dos años consecutivos causa la caducidad.",
        "- Ley 32213 (27 de diciembre de 2024): hasta el 30 de junio de 2025, con una posible "
        "ampliación de seis meses.",
        "La Ley 32537 dio 120 días calendario para declarar la ubicación; ese plazo venció "
        "alrededor de fines de abril de 2026.",
    ):
        path = _article(content, body, source="Ley 32213")
        assert _problems(content, path, date(2026, 12, 5)) == [], body


def test_a_glossary_entry_with_a_relative_plazo_needs_review_by(content: Path) -> None:
    glossary = content / "glossary.yaml"
    text = glossary.read_text(encoding="utf-8")
    entry = (
        "- term: Acervo\n"
        "  definition: Los expedientes que los gobiernos regionales entregan al MINEM en 60 "
        "días calendario desde la vigencia de la Ley 32537.\n"
        "  articles: []\n"
        '  source: "Ley 32537"\n'
        "  reviewed: 2026-01-10\n"
    )
    glossary.write_text(entry + text, encoding="utf-8")
    problems = [p for p in _problems(content, glossary, date(2026, 1, 10)) if "«Acervo»" in p]
    assert problems == [
        f"{glossary}:1: «Acervo»: «en 60 días calendario» es un plazo sin fecha: "
        "vence sin que nadie lo note: agregue «review_by» (y «valid_as_of») para que venza a "
        "tiempo, o escríbalo en pasado con su fecha"
    ]
    glossary.write_text(entry + "  review_by: 2026-02-25\n" + text, encoding="utf-8")
    assert not [p for p in _problems(content, glossary, date(2026, 1, 10)) if "«Acervo»" in p]
