"""The case register's rules without Telegram, on SQLite and PostgreSQL: every value checked on
creation, status changes, steps and their history, who may see and change a case; and the
provinces a case can name."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from bot.services import cases as rules
from bot.services.cases import CaseError, NotAllowed, Viewer, covered_regions
from bot.services.provinces import PROVINCES, match_province, provinces_of
from bot.services.roles import Role
from storage.db import Database
from storage.repositories import cases as repo
from storage.repositories import people

NOW = datetime(2026, 11, 2, 15, 0, tzinfo=UTC)


async def _people(session: AsyncSession) -> list[int]:
    """Ana (Puno) and Luis (Piura), registered officials; their person ids."""
    ids = []
    for telegram_id, name, region in ((8001, "Ana Quispe", "puno"), (8002, "Luis Mamani", "piura")):
        new = {"username": None, "locale": "es", "consent_at": NOW, "role": "official"}
        person = await people.create(session, telegram_id=telegram_id, telegram_name=name, **new)
        done = {"full_name": name, "region_code": region, "registered_at": NOW}
        await people.update(session, telegram_id, **done)
        ids.append(person.id)
    return ids


PUNO = {"region_code": "puno", "province": "Sandia", "kind": "formalization", "step": "reinfo"}
PIURA = {"region_code": "piura", "province": None, "kind": "other", "step": None}


def _fields(person_id: int, **changes: object) -> dict:
    common = {"stratum": "ppm", "supported": True, "description": "  Minero   pide apoyo "}
    return {"person_id": person_id, "now": NOW, **PUNO, **common, **changes}


async def test_create_checks_every_value(db: Database) -> None:
    async with db.session() as session:
        ana, _luis = await _people(session)
        region, province = "A case belongs to a region", "That province is not in the case"
        length, step = "The description must have between 1 and", "A formalization case needs"
        for changes, problem in [
            ({"kind": "mining"}, "Unknown type of case."),
            ({"region_code": "minem"}, region),
            ({"region_code": "atlantis"}, region),
            ({"province": "Piura"}, province),
            ({"region_code": "lima", "province": "Lima"}, province),
            ({"stratum": "big"}, "Unknown stratum."),
            ({"description": "   "}, length),
            ({"description": "x" * 501}, length),
            ({"step": None}, step),
            ({"step": "gold"}, step),
            ({"kind": "promotion"}, "Only formalization cases have a formalization step."),
        ]:
            with pytest.raises(CaseError) as raised:
                await rules.create(session, **_fields(ana, **changes))
            assert raised.value.message.startswith(problem), changes
        case = await rules.create(session, **_fields(ana))
        lima = {"region_code": "lima-metropolitana", "province": "Lima", "step": None}
        other = await rules.create(session, **_fields(ana, kind="other", **lima))
        assert case.description == "Minero pide apoyo"
        assert (case.status, case.person_name) == ("open", "Ana Quispe")
        assert (other.region_name, other.province) == ("Lima Metropolitana", "Lima")


async def test_status_changes_steps_and_history(db: Database) -> None:
    async with db.session() as session:
        ana, _luis = await _people(session)
        case = await rules.create(session, **_fields(ana))
        me = Viewer(ana, Role.OFFICIAL, "puno")
        for status, note, problem in [
            ("resolved", "ok", "That change of status is not possible for this case."),
            ("in_progress", " ", rules.NOTE_PROBLEM),
            ("in_progress", "x" * 501, rules.NOTE_PROBLEM),
        ]:
            with pytest.raises(CaseError) as raised:
                await rules.change_status(session, case.id, me, status=status, note=note, now=NOW)
            assert raised.value.message == problem
        later = NOW + timedelta(days=1)
        moved = await rules.change_status(
            session, case.id, me, status="in_progress", note="Recibido", now=later
        )
        assert (moved.status, moved.closed_at, moved.updated_at) == ("in_progress", None, later)
        change = {"to_status": "archived", "closed": True, "note": "x", "person_id": ana}
        stale = await repo.change_status(session, case.id, from_status="open", now=later, **change)
        assert stale is None  # someone else moved it first: nothing changes
        stepped = await rules.set_step(session, case.id, me, step="concession", now=later)
        assert stepped.formalization_step == "concession"
        end = later + timedelta(hours=1)
        done = await rules.change_status(
            session, case.id, me, status="referred", note="DGFM", now=end
        )
        assert done.closed_at == end
        with pytest.raises(CaseError):
            await rules.set_step(session, case.id, me, step="formalized", now=later)
        with pytest.raises(CaseError):
            await rules.change_status(session, case.id, me, status="archived", note="x", now=later)
        history = await repo.history(session, case.id)
    assert [(e.kind, e.from_value, e.to_value, e.note, e.person_name) for e in history] == [
        ("created", None, "open", None, "Ana Quispe"),
        ("status", "open", "in_progress", "Recibido", "Ana Quispe"),
        ("step", "reinfo", "concession", None, "Ana Quispe"),
        ("status", "in_progress", "referred", "DGFM", "Ana Quispe"),
    ]


async def test_who_may_see_and_change_a_case(db: Database) -> None:
    assert covered_regions(Viewer(1, Role.ADMIN, "puno")) is None
    assert covered_regions(Viewer(1, Role.COORDINATOR, "*")) is None
    assert covered_regions(Viewer(1, Role.COORDINATOR, None)) == frozenset()  # nothing granted
    assert covered_regions(Viewer(1, Role.COORDINATOR, "puno")) == {"puno"}
    assert covered_regions(Viewer(1, Role.COORDINATOR, "cusco,puno")) == {"cusco", "puno"}
    assert covered_regions(Viewer(1, Role.SPECIALIST, "puno")) == frozenset()
    async with db.session() as session:
        ana, luis = await _people(session)
        puno = await rules.create(session, **_fields(ana))
        piura = await rules.create(session, **_fields(luis, **PIURA))
        luis_sees = Viewer(luis, Role.OFFICIAL, "piura")
        puno_coordinator = Viewer(None, Role.COORDINATOR, "puno")
        for viewer, case in ((luis_sees, puno), (puno_coordinator, piura)):
            with pytest.raises(NotAllowed):
                await rules.visible(session, case.id, viewer)
            with pytest.raises(NotAllowed):
                await rules.change_status(
                    session, case.id, viewer, status="in_progress", note="x", now=NOW
                )
        assert (await rules.visible(session, puno.id, puno_coordinator)).id == puno.id
        minem = Viewer(None, Role.COORDINATOR, "*")
        for load, viewer, expected in (
            (rules.mine, luis_sees, [piura.id]),
            (rules.of_my_regions, puno_coordinator, [puno.id]),
            (rules.of_my_regions, minem, [piura.id, puno.id]),  # newest first
            (rules.of_my_regions, luis_sees, []),
        ):
            listed = await load(session, viewer, offset=0, limit=10)
            assert [c.id for c in listed.cases] == expected and listed.total == len(expected)


def test_provinces() -> None:
    assert sum(len(names) for names in PROVINCES.values()) == 196
    assert len(provinces_of("ancash")) == 20 and "Carlos Fermín Fitzcarrald" in PROVINCES["ancash"]
    assert "Lima" not in provinces_of("lima") and provinces_of("lima-metropolitana") == ("Lima",)
    assert provinces_of("minem") == () and provinces_of(None) == ()
    assert all(len(f"nc:province:{n}".encode()) <= 64 for v in PROVINCES.values() for n in v)
    assert match_province("puno", "san roman").province == "San Román"
    assert match_province("puno", "Provincia de Azangaroo").province == "Azángaro"
    assert match_province("ancash", "Huaria").province is None
    assert match_province("ancash", "Huaria").candidates[:2] == ("Huari", "Huaraz")
    assert match_province("puno", "Sullana").province is None
