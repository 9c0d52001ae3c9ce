"""`python -m bot reuniones crear` refuses a bad meeting with one Spanish line and exit code 2,
writing nothing: everything but the audience checked before connecting, the audience against the
database's regions."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.cli import meetings as meeting_cli
from bot.config import Settings
from storage.db import Database
from tests.cli import cli
from tests.test_meetings_cli import _counts, _crear, _day, _people

_FIELDS = {
    "title": "Reunión",
    "kind": "comite",
    "place": None,
    "link": None,
    "agenda": None,
    "invite": ["todos"],
    "reminders": None,
}
_DAY = _day(5)
_REFUSED_BEFORE_CONNECTING: list[tuple[dict[str, object], str]] = [
    ({"start": f"{_DAY.year}-13-01 10:00"}, "no es una fecha válida"),
    ({"start": f"{_DAY.year}-02-30 10:00"}, "no es una fecha válida"),
    ({"start": _DAY.strftime("%d/%m/%Y") + " 10:00"}, "no tiene la forma AAAA-MM-DD HH:MM"),
    ({"start": f"{_DAY} 9:00"}, "no tiene la forma AAAA-MM-DD HH:MM"),
    # past 9999-12-31 in UTC: the order failed with OverflowError
    ({"start": "9999-12-31 23:00", "end": "9999-12-31 23:30"}, "no está entre los años 2000 y"),
    ({"end": "2200-01-01 12:00"}, "el fin «2200-01-01 12:00» no está entre los años 2000 y 2199"),
    ({"end": f"{_DAY} 09:00"}, "el fin debe ser posterior al inicio"),
    ({"end": f"{_DAY} 10:00"}, "el fin debe ser posterior al inicio"),
    ({"kind": "reunion"}, "tipo «reunion» no válido: use coordinacion, comite, tecnica u otra"),
    ({"reminders": "3x"}, "recordatorio «3x» no válido"),
    ({"reminders": "0d"}, "recordatorio «0d» no válido"),
    ({"reminders": ","}, "indique al menos un recordatorio, por ejemplo 7d,1d,2h"),
    ({"link": "ftp://example.org/x"}, "debe empezar con http:// o https://"),
    ({"link": "meet.example.org/x"}, "debe empezar con http:// o https://"),
    ({"link": "https://"}, "debe empezar con http:// o https://"),
    (
        {"start": "2020-01-01 10:00", "end": "2020-01-01 12:00"},
        "el inicio (2020-01-01 10:00, hora de America/Lima) ya pasó",
    ),
    ({"title": "   "}, "falta el título"),
    ({"title": "x" * 201}, "el título tiene 201 caracteres; el máximo es 200"),
    ({"title": "a\x1bb"}, "el título tiene caracteres de control"),
    ({"place": "x" * 301}, "el máximo es 300"),
    # the invitation carries the agenda and must fit one Telegram message
    ({"agenda": "x" * 1001}, "la agenda tiene 1001 caracteres; el máximo es 1000"),
    ({"invite": [" "]}, "indique a quién invitar con --invitar"),
]


@pytest.mark.parametrize(("change", "fragment"), _REFUSED_BEFORE_CONNECTING)
def test_invalid_meetings_are_refused_before_connecting(
    change: dict[str, object], fragment: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """Everything but the audience is checked without a database: this URL cannot even be
    opened, so reaching it would fail differently."""
    settings = Settings(
        database_url="sqlite+aiosqlite:////nonexistent/dir/minka.sqlite3",
        bot_timezone="America/Lima",
        _env_file=None,
    )
    fields = {**_FIELDS, "start": f"{_DAY} 10:00", "end": f"{_DAY} 12:00", **change}
    assert meeting_cli.create_meeting(settings, **fields) == 2
    out, err = capsys.readouterr()
    assert out == ""
    [line] = err.splitlines()
    assert line.startswith("No se creó la reunión: ") and line.endswith(".")
    assert fragment in line, line


async def test_bad_inputs_exit_2_with_one_line_and_write_nothing(
    db: Database, database_url: str, tmp_path: Path
) -> None:
    await _people(db)
    day = _day(5)
    good = {
        "--titulo": "Reunión",
        "--tipo": "comite",
        "--inicio": f"{day} 10:00",
        "--fin": f"{day} 12:00",
        "--invitar": "todos",
    }
    # The other refusals come before connecting (see above); two of them end to end here.
    cases: list[tuple[dict[str, str], str]] = [
        ({"--inicio": f"{day.year}-13-01 10:00"}, "no es una fecha válida"),
        ({"--inicio": "2020-01-01 10:00", "--fin": "2020-01-01 12:00"}, "ya pasó"),
        # The audience is read against the database's regions: refused after connecting.
        ({"--invitar": "region:Atlántida"}, "región «Atlántida» no reconocida"),
        ({"--invitar": "grupo:mineros"}, "«grupo:mineros» no es un público válido"),
        ({"--invitar": "rol:jefe"}, "«rol:jefe» no es un público válido"),
    ]
    for change, fragment in cases:
        args = [part for option, value in {**good, **change}.items() for part in (option, value)]
        result = await cli("reuniones", "crear", *args, database_url=database_url, cwd=tmp_path)
        assert result.returncode == 2, (args, result.stdout, result.stderr)
        assert result.stdout == ""
        [line] = result.stderr.splitlines()
        assert line.startswith("No se creó la reunión: ") and fragment in line, (args, line)
    # One good audience item does not let a bad one through.
    mixed = await cli(
        *_crear(day, "--invitar", "region:Puno", "--invitar", "id:abc"),
        database_url=database_url,
        cwd=tmp_path,
    )
    assert mixed.returncode == 2 and "«id:abc» no es un público válido" in mixed.stderr
    # argparse refuses a missing audience before anything runs.
    missing = await cli(*_crear(day), database_url=database_url, cwd=tmp_path)
    assert missing.returncode == 2 and "faltan argumentos: --invitar" in missing.stderr
    assert await _counts(db) == (0, 0, 0)
