"""The command line answers in Spanish, argparse's own errors included."""

from __future__ import annotations

import pytest

from bot.cli.parser import build_parser


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        (["reuniones", "crear", "--titulo"], "argumento --titulo: falta su valor"),
        (["informe", "--desde", "2026-01-01", "--hasta"], "argumento --hasta: falta su valor"),
        (["db", "respaldo", "--c", "x"], "opción ambigua: --c puede ser --carpeta, --conservar"),
        (["informe", "--formato", "pdf"], "opción desconocida: 'pdf' (elija entre"),
        (["kb", "sin-respuesta", "--limite", "x"], "«x» debe ser un número entero de 1 a"),
        # Past what an id column holds: the order failed with a traceback (OverflowError on
        # SQLite, out of range on PostgreSQL); a negative id was granted a role ahead.
        (["kb", "sin-respuesta", "--limite", "9" * 20], "de 1 a 2,147,483,647"),
        (["kb", "ejemplos", "--descartar", "1", "9" * 20], "argumento --descartar: «99999"),
        (["kb", "ejemplos", "--aceptar", "0"], "«0» debe ser un número entero de 1 a"),
        (["publicaciones", "retirar", "2147483648"], "«2147483648» debe ser un número entero"),
        (["admin", "agregar-especialista", "9" * 20], "no es un id numérico de Telegram"),
        (["admin", "quitar-rol", "-5"], "«-5» no es el id de una persona"),
        (["admin", "agregar-equipo", "١٢٣", "--region", "Puno"], "«١٢٣» no es un id numérico"),
        # Refused once the copy was written (0, -3), or a traceback then (400 digits).
        (["db", "respaldo", "--conservar", "0"], "«0» debe ser un número de días de 1 a 36,500"),
        (["db", "respaldo", "--conservar=-3"], "«-3» debe ser un número de días de 1 a"),
        (["db", "respaldo", "--conservar", "9" * 400], "debe ser un número de días de 1 a 36,500"),
        (["db", "respaldo", "--conservar", "٣"], "«٣» debe ser un número de días"),
    ],
)
def test_argparse_errors_are_spanish(
    argv: list[str], expected: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as stop:
        build_parser().parse_args(argv)
    error = capsys.readouterr().err.splitlines()[-1]
    assert stop.value.code == 2
    assert expected in error
    for english in ("expected", "argument ", "invalid", "could match", "ambiguous"):
        assert english not in error
