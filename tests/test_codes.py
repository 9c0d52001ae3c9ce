"""Issue #15: codes people write («PUNO-2026», «PUN-02», «PUNO22») are accepted as given, and
found however they are typed: any case, O for 0, I or L for 1. Generated codes still avoid the
confusable characters."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from bot.runtime import Runtime
from bot.services.workshop_import import HEADER, import_workshops, parse
from bot.services.workshops import CODE_ALPHABET, SURVEY_OPEN_FOR, valid_code
from storage.codes import code_key
from storage.db import Database
from storage.repositories import meetings as meetings_repo
from storage.repositories import workshops as repo
from tests.chat import Person as Chatter
from tests.helpers import CHECKED_AT, register

CSV_HEADER = ",".join(HEADER) + "\n"
PEOPLES_CODES = ["PUNO-2026", "PUN-02", "PUNO22"]


@pytest.mark.parametrize("code", [*PEOPLES_CODES, "O0IL", "A-B-C-1"])
def test_letters_digits_and_hyphens_are_valid(code: str) -> None:
    assert valid_code(code)


@pytest.mark.parametrize("code", ["-PUNO", "PUNO-", "PUÑO", "PU_NO", "ABC", "A" * 13, "PU NO"])
def test_other_codes_are_not(code: str) -> None:
    assert not valid_code(code)


def test_generated_codes_avoid_confusable_characters() -> None:
    assert not set("OIL01") & set(CODE_ALPHABET)
    assert code_key("pun0-2o26") == code_key("PUNO-2026") == "PUN0-2026"
    assert code_key("L1I") == code_key("111")


def test_the_same_code_twice_in_a_file_is_found_despite_o_and_zero() -> None:
    rows = (
        "PUNO-2026,A,,2026-03-15 09:00,2026-03-15 13:00,,,\n"
        "pun0-2026,B,,2026-03-16 09:00,2026-03-16 13:00,,,\n"
    )
    _rows, problems = parse((CSV_HEADER + rows).encode(), [])
    assert [(p.line, "ya está en la línea 2" in p.reason) for p in problems] == [(3, True)]


async def test_imported_codes_are_kept_as_written_and_found_as_typed(db: Database) -> None:
    rows = "".join(
        f"{code.lower()},Taller {n},,2026-03-1{n} 09:00,2026-03-1{n} 13:00,,,\n"
        for n, code in enumerate(PEOPLES_CODES, start=1)
    )
    async with db.session() as session:
        result = await import_workshops(session, (CSV_HEADER + rows).encode(), CHECKED_AT)
    assert result.problems == ()
    assert [item.code for item in result.imported] == PEOPLES_CODES
    async with db.session() as session:
        for typed, title in [
            ("puno-2026", "Taller 1"),
            ("PUN0-2026", "Taller 1"),
            ("pun-o2", "Taller 2"),
            ("PUN022", "Taller 3"),
        ]:
            found = await repo.get_by_code(session, typed)
            assert found is not None and found.title == title, typed
        assert await repo.get_by_code(session, "PUNO-2025") is None
        assert await repo.code_exists(session, "pun0-2026")
    again = CSV_HEADER + rows.replace("puno-2026", "PUN0-2026").replace("Taller 1", "Otro")
    async with db.session() as session:
        updated = await import_workshops(session, again.encode(), CHECKED_AT)
    assert [item.outcome for item in updated.imported] == ["updated", "unchanged", "unchanged"]
    async with db.session() as session:
        kept = await repo.get_by_code(session, "PUNO-2026")
    assert kept is not None and kept.code == "PUNO-2026" and kept.title == "Otro"


async def test_meeting_codes_match_o_and_zero(db: Database) -> None:
    start = datetime(2026, 12, 10, 15, tzinfo=UTC)
    async with db.session() as session:
        await meetings_repo.create(
            session,
            offsets=[],
            code="KO1L",
            title="R",
            kind="coordinacion",
            starts_at=start,
            ends_at=start + timedelta(hours=1),
        )
    async with db.session() as session:
        found = await meetings_repo.get_by_code(session, "k011")
    assert found is not None and found.code == "KO1L"


async def test_check_in_with_the_code_as_people_type_it(runtime: Runtime, ana: Chatter) -> None:
    now = runtime.clock.now()
    async with runtime.db.session() as session:
        await repo.create(
            session,
            code="PUNO-2026",
            title="Formalización en Puno",
            starts_at=now - timedelta(minutes=10),
            ends_at=now + timedelta(hours=2),
            survey_closes_at=now + timedelta(hours=2) + SURVEY_OPEN_FOR,
        )
    await register(ana)
    (done,) = await ana.say("/asistencia pun0-2026")
    assert done.text.startswith("✅ Asistencia registrada: «Formalización en Puno")
    (again,) = await ana.say("/start taller-PUNO-2026")
    assert "ya estaba registrada" in again.text
