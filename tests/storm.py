"""The small world the random-input storm (tests/test_random_input.py) runs in: two officials
in different regions, a coordinator, workshops, meetings with invitations, a case of each
person, questions escalated to the specialists and a broadcast; plus a snapshot of every row
that belongs to someone other than the people who fuzz, to prove the storm changed none."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from hypothesis import HealthCheck, Phase
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from telegram.ext import Application

from bot.local_api import LocalBotApi
from bot.outbox import tick
from bot.runtime import Runtime
from bot.services import cases, meetings, toolkit
from bot.services.workshops import SURVEY_OPEN_FOR
from storage.models import Base
from storage.repositories import broadcasts, people, workshops
from storage.repositories import meetings as meeting_repo
from storage.repositories import toolkit as usage
from tests.chat import Person
from tests.helpers import register

# Rows that belong to a person, by the column naming them (case events: the case's owner).
OWNER_COLUMN = {
    "people": "id",
    "cases": "person_id",
    "meeting_invitations": "person_id",
    "workshop_attendance": "person_id",
    "workshop_ratings": "person_id",
    "escalations": "person_id",
    "questions": "person_id",
    "article_feedback": "person_id",
    "outbox": "person_id",
}
# Rows nobody who fuzzes (an official, a stranger) may change at all.
SHARED_TABLES = ("meetings", "workshops", "broadcasts", "role_grants", "regions")
# What the storm types that must never reach a message unescaped.
MARKERS = ("<b>INJECT", "<i>INJECT", "<script", '<a href="javascript')
Snapshot = dict[str, list[tuple[Any, ...]]]
GROUP = -1_001_234_567_890

# Hypothesis settings every storm shares (with its own max_examples).
STORM_SETTINGS: dict[str, Any] = {
    "deadline": None,
    "database": None,
    "phases": [Phase.explicit, Phase.generate],  # every batch changes the world: no shrinking
    "suppress_health_check": [
        HealthCheck.function_scoped_fixture,  # one world for the whole storm, on purpose
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
        HealthCheck.large_base_example,
    ],
}


@dataclass
class World:
    ana: Person  # the official who fuzzes (Puno)
    stranger: Person  # someone who never accepted the notice, fuzzing too
    others: frozenset[int]  # person ids of everyone else
    others_telegram: frozenset[int]
    ids: dict[str, str]  # named ids and codes of the seeded rows (see `seed`)


async def seed(api: LocalBotApi, app: Application, runtime: Runtime) -> World:
    ana = Person(api, 1001, "Ana", last_name="Quispe\x00\x85", username="anaq")  # #18
    luis = Person(api, 1002, "Luis", last_name="Mamani & Hijos", username="luism")
    carla = Person(api, 1003, "Carla", last_name="Ríos & Asociados")
    stranger = Person(api, 1004, "Zoë\u202e\x00", last_name="<i>x</i>\x1b", language_code="en")
    api.open_chat(stranger.id)  # wrote to Minka long ago, never accepted the notice
    await api.send_message(ana.id, "hola", chat_id=GROUP)  # Minka is in a group with Ana
    await register(ana, region="Puno")
    await register(luis, region="Piura", sex="Hombre")
    await register(carla, region="Puno")
    now = runtime.clock.now()
    ids: dict[str, Any] = {}
    async with runtime.db.session() as session:
        await people.set_role(session, carla.id, "coordinator", "puno")
        who = {p: await people.get(session, p.id) for p in (ana, luis, carla)}
        for person, record in who.items():
            assert record is not None
            name = person.user["first_name"].lower()
            ids[f"person_{name}"], ids[f"tg_{name}"] = record.id, person.id
            case = await cases.create(
                session,
                person_id=record.id,
                region_code=record.region_code or "puno",
                province=None,
                kind="formalization",
                stratum="ppm",
                supported=True,
                description=f"Caso de {name} <b>INJECT</b> & *_[",
                step="reinfo",
                now=now,
            )
            ids[f"case_{name}"] = case.id
            asked = await toolkit.ask(session, runtime.knowledge, record, f"zzqx {name} ¿y?", now)
            ids[f"question_{name}"] = asked.question_id
            escalation = await toolkit.escalate(session, record, asked.question_id, now)
            ids[f"escalation_{name}"] = escalation
        luis_id = ids["person_luis"]
        await cases.change_status(
            session,
            ids["case_luis"],
            cases.Viewer(luis_id, who[luis].role, "piura"),  # type: ignore[union-attr, arg-type]
            status="in_progress",
            note="Visita a la mina",
            now=now,
        )
        await usage.record_feedback(
            session, article_id="reinfo", person_id=luis_id, question_id=None, useful=True,
            since=now - timedelta(days=1), now=now,
        )  # fmt: skip
        ended = {"starts_at": now - timedelta(hours=3), "ends_at": now - timedelta(hours=1)}
        coming = {"starts_at": now + timedelta(days=5), "ends_at": now + timedelta(days=5, hours=2)}
        for name, code, region, times in (
            ("piura", "PRA234", "piura", ended),
            ("puno", "PNQ234", "puno", ended),
            ("future", "FTR234", None, coming),
        ):
            workshop = await workshops.create(
                session,
                code=code,
                title=f"Taller {name} <script>&",
                survey_closes_at=times["ends_at"] + SURVEY_OPEN_FOR,
                region_code=region,
                **times,
            )
            ids[f"workshop_{name}"], ids[f"workshop_code_{name}"] = workshop.id, code
        for workshop, person in (("piura", "luis"), ("puno", "luis"), ("puno", "ana")):
            await workshops.check_in(
                session, ids[f"workshop_{workshop}"], ids[f"person_{person}"], now
            )
        for workshop in ("piura", "puno"):
            scores = dict.fromkeys(workshops.CRITERIA, 4)
            await workshops.set_rating(
                session,
                ids[f"workshop_{workshop}"],
                luis_id,
                **scores,
                comment="Bien",
                completed_at=now,
            )
        for region in ("Piura", "Puno"):
            meeting, _invited = await meetings.create(
                session,
                title=f"Coordinación {region} <b>",
                kind="coordinacion",
                starts_at=now + timedelta(days=10),
                ends_at=now + timedelta(days=10, hours=2),
                audience=await meetings.parse_audience(session, [f"region:{region}"]),
                offsets=meetings.parse_offsets(meetings.DEFAULT_OFFSETS),
                now=now,
            )
            key = region.lower()
            ids[f"meeting_{key}"], ids[f"meeting_code_{key}"] = meeting.id, meeting.code
        await meeting_repo.answer(session, ids["meeting_piura"], luis_id, "yes", now)
        await meeting_repo.answer(
            session, ids["meeting_puno"], ids["person_carla"], "delegate", now, delegate_name="Eva"
        )
        broadcast = await broadcasts.create(
            session,
            text="Aviso <b>importante</b>",
            audience={"everyone": True},
            scheduled_at=now + timedelta(days=3),
            person_ids=[ids["person_ana"], luis_id],
            created_by=ids["person_carla"],
        )
        ids["broadcast"] = broadcast.id
    await tick(app)  # invitations and surveys go out; nothing else is due during the storm
    for person in (ana, luis, carla):
        person.no_more()
    others = frozenset({ids["person_luis"], ids["person_carla"]})
    return World(
        ana=ana,
        stranger=stranger,
        others=others,
        others_telegram=frozenset({luis.id, carla.id}),
        ids={name: str(value) for name, value in ids.items()},
    )


async def snapshot(session: AsyncSession, world: World) -> Snapshot:
    """Every row that belongs to someone else, and every shared row, as sorted tuples."""
    tables = Base.metadata.tables
    rows: dict[str, list[dict[str, Any]]] = {}
    for name in (*OWNER_COLUMN, "case_events", "conversation_states", *SHARED_TABLES):
        result = await session.execute(select(tables[name]))
        rows[name] = [dict(row) for row in result.mappings()]
    case_owner = {row["id"]: row["person_id"] for row in rows["cases"]}
    kept: Snapshot = {}
    for name, table_rows in rows.items():
        if name in OWNER_COLUMN:
            theirs = [r for r in table_rows if r[OWNER_COLUMN[name]] in world.others]
        elif name == "case_events":
            theirs = [r for r in table_rows if case_owner.get(r["case_id"]) in world.others]
        elif name == "conversation_states":
            theirs = [r for r in table_rows if r["telegram_id"] in world.others_telegram]
        else:
            theirs = table_rows
        kept[name] = sorted(tuple((k, repr(v)) for k, v in sorted(r.items())) for r in theirs)
    return kept


def differences(before: Snapshot, after: Snapshot) -> list[str]:
    """Readable description of the rows that appeared, vanished or changed."""
    problems = []
    for table, rows in before.items():
        old, new = set(rows), set(after[table])
        problems += [f"{table}: changed or removed {dict(row)}" for row in sorted(old - new)]
        problems += [f"{table}: new or changed {dict(row)}" for row in sorted(new - old)]
    return problems
