"""Workshops from a coordinator's CSV, parsed and checked without a database: Lima times and
region codes, every problem at once with its line, forgiving region names, stable codes."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from bot.services.workshop_import import parse
from tests.regions import seeded_regions

HEADER = "codigo,titulo,tema,inicio,fin,region,lugar,facilitador\n"
GOOD = (
    HEADER + "ab34cd,Formalización minera,REINFO,2026-03-15 09:00,2026-03-15 13:00,Junín,Huancayo,"
    "Ana Pérez\n"
    ",Fiscalización ambiental,,2026-03-20 09:00,2026-03-21 12:00,La Libertad,Trujillo,\n"
    'XYZ9,Seguridad en socavones,SSO,2026-04-01 15:00,2026-04-01 18:00,,Zoom,"Rosa, Luis"\n'
)
BAD = (
    HEADER
    + "BCDE,Taller bueno,,2026-05-01 09:00,2026-05-01 12:00,Puno,,\n"  # 2: fine on its own
    + "CDEF,Fecha mala,,2026-13-01 09:00,2026-05-01 12:00,Puno,,\n"  # 3
    + "DEFG,Al revés,,2026-05-01 12:00,2026-05-01 09:00,Puno,,\n"  # 4
    + "EFGH,Región rara,,2026-05-01 09:00,2026-05-01 12:00,Atlántida,,\n"  # 5
    + "BCDE,Código repetido,,2026-05-02 09:00,2026-05-02 12:00,Puno,,\n"  # 6
    + "FGHJ,,,2026-05-03 09:00,2026-05-03 12:00,Puno,,\n"  # 7
)


REGIONS = seeded_regions()


def test_good_file_parses_to_lima_times_and_region_codes() -> None:
    rows, problems = parse(GOOD.encode(), REGIONS)
    assert problems == []
    assert [row.code for row in rows] == ["AB34CD", None, "XYZ9"]
    first = rows[0]
    assert first.starts_at == datetime(2026, 3, 15, 14, 0, tzinfo=UTC)
    assert first.starts_at.utcoffset() is not None
    assert (first.region_code, first.place, first.facilitator) == ("junin", "Huancayo", "Ana Pérez")
    assert rows[1].topic is None and rows[1].facilitator is None
    assert rows[2].region_code is None and rows[2].facilitator == "Rosa, Luis"


def test_bom_semicolons_crlf_and_quoted_newlines() -> None:
    data = (
        "\ufeffcodigo;titulo;tema;inicio;fin;region;lugar;facilitador\r\n"
        'ABCD;Taller;;2026-03-15 09:00;2026-03-15 13:00;Puno;"Sala 1\r\nPiso 2";\r\n'
        "\r\n"
        "abcde;Otro;;2026-03-15 09:00;2026-03-15 13:00;Cuzco;;;;\r\n"  # trailing empty cells
        "FGHJ;;;2026-03-15 09:00;2026-03-15 13:00;;;\r\n"
    ).encode()
    rows, problems = parse(data, REGIONS)
    assert [row.code for row in rows] == ["ABCD", "ABCDE"]
    assert rows[0].place == "Sala 1\nPiso 2" and rows[1].region_code == "cusco"
    # The quoted cell spans lines 2-3 and a blank line follows: the empty title is on line 6.
    assert [(p.line, p.reason) for p in problems] == [(6, "falta el título")]


def test_control_characters_are_cleaned_where_they_enter() -> None:
    """Issue #18: NUL (PostgreSQL refuses it), C1 controls and bidi overrides are removed."""
    row = "ABCD,Taller\x00 de\u202e REINFO\x85,,2026-03-15 09:00,2026-03-15 13:00,Puno,\x01Sala,\n"
    rows, problems = parse((HEADER + row).encode(), REGIONS)
    assert problems == []
    assert (rows[0].title, rows[0].place) == ("Taller de REINFO", "Sala")


def test_every_problem_is_reported_with_its_line() -> None:
    _rows, problems = parse(BAD.encode(), REGIONS)
    by_line = {problem.line: problem.reason for problem in problems}
    assert sorted(by_line) == [3, 4, 5, 6, 7]
    assert "2026-13-01 09:00" in by_line[3] and "no es una fecha" in by_line[3]
    assert "posterior al inicio" in by_line[4]
    assert "Atlántida" in by_line[5] and "no se reconoce" in by_line[5]
    assert "BCDE" in by_line[6] and "línea 2" in by_line[6]
    assert by_line[7] == "falta el título"


@pytest.mark.parametrize(
    ("cells", "fragment"),
    [
        ("-abcd,T,,2026-03-15 09:00,2026-03-15 13:00,,,", "sin guion al principio"),
        ("AB_CD,T,,2026-03-15 09:00,2026-03-15 13:00,,,", "no es válido"),
        ("ABC,T,,2026-03-15 09:00,2026-03-15 13:00,,,", "no es válido"),
        ("ABCDEFGHJKMNP,T,,2026-03-15 09:00,2026-03-15 13:00,,,", "no es válido"),
        ("PUÑO,T,,2026-03-15 09:00,2026-03-15 13:00,,,", "sin tildes ni ñ"),
        (",T,,15/03/2026 09:00,2026-03-15 13:00,,,", "AAAA-MM-DD HH:MM"),
        (",T,,2026-03-15 9:00,2026-03-15 13:00,,,", "AAAA-MM-DD HH:MM"),
        (",T,,2026-02-30 09:00,2026-03-15 13:00,,,", "no es una fecha"),
        (",T,,2026-03-15 09:00,9999-12-30 13:00,,,", "fin «9999-12-30 13:00» no está entre"),
        (",T,,2026-03-15 09:00,,,,", "falta el fin"),
        (",T,,2026-03-15 09:00,2026-03-15 09:00,,,", "posterior al inicio"),
        (",T,,2026-03-15 09:00,2026-03-15 13:00,Lima M,,", "Lima Metropolitana"),
        (",T,,2026-03-15 09:00,2026-03-15 13:00,Puno Tacna,,", "¿quiso decir Tacna?"),
        (f",{'x' * 201},,2026-03-15 09:00,2026-03-15 13:00,,,", "el máximo es 200"),
        (f",T,{'x' * 201},2026-03-15 09:00,2026-03-15 13:00,,,", "el tema tiene 201"),
        (f",T,,2026-03-15 09:00,2026-03-15 13:00,,{'x' * 301},", "el máximo es 300"),
        (f",T,,2026-03-15 09:00,2026-03-15 13:00,,,{'x' * 201}", "el facilitador"),
        (",T,,2026-03-15 09:00,2026-03-15 13:00,,", "tiene 7 columnas"),
    ],
)
def test_row_problems(cells: str, fragment: str) -> None:
    rows, problems = parse((HEADER + cells + "\n").encode(), REGIONS)
    assert rows == []
    assert [problem.line for problem in problems] == [2]
    assert fragment in problems[0].reason


def test_ambiguous_region_names_the_candidates() -> None:
    cells = ",T,,2026-03-15 09:00,2026-03-15 13:00,Lima M,,\n"
    _rows, [problem] = parse((HEADER + cells).encode(), REGIONS)
    assert "ambigua" in problem.reason
    assert "Lima (Gobierno Regional)" in problem.reason and "Lima Metropolitana" in problem.reason


def test_limits_are_inclusive_and_regions_are_forgiving() -> None:
    lines = [
        f",{'t' * 200},{'x' * 200},2026-03-15 09:00,2026-03-15 13:00,Junin,{'l' * 300},{'f' * 200}",
        ",B,,2026-03-15 09:00,2026-03-15 13:00,la libertd,,",
        ",C,,2026-03-15 09:00,2026-03-15 13:00,nacional,,",
        ",D,,2026-03-15 09:00,2026-03-16 13:00,SAN MARTIN,,",
    ]
    rows, problems = parse((HEADER + "\n".join(lines)).encode(), REGIONS)
    assert problems == []
    assert [row.region_code for row in rows] == ["junin", "la-libertad", None, "san-martin"]


@pytest.mark.parametrize(
    ("data", "line", "fragment"),
    [
        (b"", 1, "vacío"),
        (b"codigo,titulo,inicio,fin\n", 1, "faltan: tema, region, lugar, facilitador"),
        (b"titulo,codigo,tema,inicio,fin,region,lugar,facilitador\n", 1, "otro orden"),
        (b"codigo,titulo,tema,inicio,fin,region,lugar,facilitador,cupo\n", 1, "sobran: cupo"),
        (HEADER.encode(), 2, "no hay talleres"),
        ((HEADER + ',T,"' + "x" * 200_000 + '"').encode(), 2, "como CSV"),
        ((HEADER + ",Título,,").encode("latin-1"), 2, "UTF-8"),
    ],
)
def test_file_problems(data: bytes, line: int, fragment: str) -> None:
    rows, problems = parse(data, REGIONS)
    assert rows == []
    assert [problem.line for problem in problems] == [line]
    assert fragment in problems[0].reason


def test_same_workshop_twice_without_code_is_an_error() -> None:
    row = ",Taller,,2026-03-15 09:00,2026-03-15 13:00,Puno,,\n"
    _rows, problems = parse((HEADER + row + row.replace("Taller", "TALLER")).encode(), REGIONS)
    assert [(problem.line, "línea 2" in problem.reason) for problem in problems] == [(3, True)]


def test_duplicate_code_ignores_case() -> None:
    rows = (
        "abcd,A,,2026-03-15 09:00,2026-03-15 13:00,,,\n"
        "ABCD,B,,2026-03-16 09:00,2026-03-16 13:00,,,\n"
    )
    _rows, problems = parse((HEADER + rows).encode(), REGIONS)
    assert [problem.line for problem in problems] == [3]
