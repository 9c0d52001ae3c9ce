"""A meeting created from the command line is cleaned as one created in the chat: Unicode's
other line and paragraph separators (U+2028, U+2029), which the chat's forms collapse with
every space (handlers/guided.py), went through `reuniones crear` as typed, into the stored
title and agenda and, raw, into the invitees' .ics file (bot/services/ics.py escapes «\\n»
only). Now a one-line field gets one space for them and the agenda a line break, which the
.ics writes as «\\n». Real databases, the CLI as the operator runs it."""

from __future__ import annotations

from pathlib import Path

from bot.services.ics import meeting_ics
from storage.db import Database
from storage.repositories import meetings as repo
from tests.cli import cli
from tests.helpers import CHECKED_AT
from tests.test_meetings_cli import JUNIN, _crear, _day, _people

SEPARATORS = "\u2028\u2029"


async def test_line_separators_typed_in_the_cli_never_reach_the_ics_file(
    db: Database, database_url: str, tmp_path: Path
) -> None:
    await _people(db)
    typed = {
        "--lugar": "Sala 3\u2029DREM Junín",
        "--agenda": "1. Avances\u20282. Acuerdos\u2029\n3. Varios",
    }
    order = _crear(_day(10), "--invitar", f"id:{JUNIN}", title="Mesa\u2028técnica REINFO")
    order += tuple(part for option in typed.items() for part in option)
    result = await cli(*order, database_url=database_url, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    async with db.session() as session:
        meeting = await repo.get_by_code(session, result.stdout.splitlines()[0])
    assert meeting is not None
    assert (meeting.title, meeting.place) == ("Mesa técnica REINFO", "Sala 3 DREM Junín")
    assert meeting.agenda == "1. Avances\n2. Acuerdos\n\n3. Varios"
    ics = meeting_ics(meeting, now=CHECKED_AT).decode()
    assert not set(SEPARATORS) & set(ics)
    assert "DESCRIPTION:1. Avances\\n2. Acuerdos\\n\\n3. Varios" in ics
