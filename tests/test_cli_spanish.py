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
        (["kb", "sin-respuesta", "--limite", "x"], "debe ser un número entero: 'x'"),
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
