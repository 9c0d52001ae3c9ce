"""The people and what they did for tests/test_union_disclosure.py (its docstring says why
so): registered long before, all in the second quarter of 2026. Each name's region and sex in
PEOPLE, each group's people in GROUPS; `seed` writes what they hold (tests/test_union_random
puts random people in them)."""

from __future__ import annotations

from datetime import datetime, timedelta
from itertools import count as numbers
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from bot.runtime import Runtime
from storage.db import Database
from storage.models import (
    ArticleView,
    Case,
    Meeting,
    MeetingInvitation,
    Person,
    Publication,
    PublicationDelivery,
    Visit,
    VisitParticipant,
)
from tests.workshop_rows import add_workshop

LIMA = ZoneInfo("America/Lima")
LONG_AGO = datetime(2025, 1, 1, tzinfo=LIMA)
APRIL = datetime(2026, 4, 15, 10, tzinfo=LIMA)  # the second quarter of 2026
QUARTER = "Trimestre 2 de 2026"
TELEGRAM_IDS = numbers(8700)
REGIONS = {"puno": "Puno", "cusco": "Cusco", "tacna": "Tacna", "piura": "Piura"}
SEXES = {"female": "Mujer", "male": "Hombre", "undisclosed": "Prefiero no decir", None: "Sin dato"}
# name: (region, sex)
PEOPLE: dict[str, tuple[str, str]] = {
    **{f"puno{i}": ("puno", "female") for i in range(4)},
    "puno_man": ("puno", "male"),
    **{f"cusco_w{i}": ("cusco", "female") for i in range(3)},
    **{f"cusco_m{i}": ("cusco", "male") for i in range(3)},
    **{f"tacna_w{i}": ("tacna", "female") for i in range(2)},
    **{f"tacna_m{i}": ("tacna", "male") for i in range(3)},
    **{f"piura_m{i}": ("piura", "male") for i in range(3)},
    "piura_u": ("piura", "undisclosed"),
}
PUNO = [name for name in PEOPLE if name.startswith("puno")]
CUSCO = [name for name in PEOPLE if name.startswith("cusco")]
TACNA = [name for name in PEOPLE if name.startswith("tacna")]
PIURA = [name for name in PEOPLE if name.startswith("piura")]
WORKSHOPS = {"UNION1": [*PUNO, *CUSCO[:3]], "UNION2": TACNA[:3]}
MEETINGS = {"Reunión de unión": [*PUNO, *PIURA], "Segunda reunión": CUSCO}
PUBLICATION = "Guía de unión"
LEADERS = PUNO  # regional leaders, in the study visit (Cusco sends officials)
GROUPS: dict[str, list[str]] = {
    "registered": list(PEOPLE),
    "attendees": [*PUNO, *CUSCO[:3], *TACNA[:3]],  # Tacna: two women and a man
    "raters": [*PUNO, *CUSCO[:3], *TACNA[:3]],
    "invitees": [*PUNO, *PIURA, *CUSCO],
    "confirmed": [*PUNO, *PIURA, *CUSCO],
    "meeting_attendees": [*PUNO, *PIURA, *CUSCO],
    "delegated": [],
    "declined": [],
    "readers": TACNA,
    "case_officials": ["cusco_w0", "cusco_w1", "cusco_m0"],
    "cases": ["cusco_w0", "cusco_w1", "cusco_m0"],  # one case each, in Cusco
    "visit_invited": [*PUNO, *CUSCO],
    "visit_accepted": [*PUNO, *CUSCO],
    "visit_travelled": [*PUNO, *CUSCO],
    "received": [*PUNO, *TACNA, *PIURA],  # the publication, in the period
    "reached": [*PUNO, *TACNA, *PIURA],  # up to the period's end
}


async def add_people(
    session: AsyncSession, everyone: dict[str, tuple[str, str | None]]
) -> dict[str, int]:
    """Each name (region, sex) registered long before; their ids by name."""
    ids: dict[str, int] = {}
    for name, (region, sex) in everyone.items():
        person = Person(
            telegram_id=next(TELEGRAM_IDS), full_name=name, sex=sex, region_code=region,
            position="Analista", consent_at=LONG_AGO, registered_at=LONG_AGO,
        )  # fmt: skip
        session.add(person)
        await session.flush()
        ids[name] = person.id
    return ids


async def seed(runtime: Runtime) -> None:
    """The people, a Puno workshop they rated, a meeting, Cusco's cases and Tacna's reading,
    all in the second quarter of 2026 (everyone registered long before)."""
    await seed_database(runtime.db)


async def seed_database(db: Database) -> None:
    """`seed` into `db`: what PEOPLE and GROUPS hold."""
    async with db.session() as session:
        ids = await add_people(session, PEOPLE)
        await _workshops(session, ids)
        for day, (title, invited) in enumerate(MEETINGS.items()):
            meeting = Meeting(
                code=f"UNIONM{day}", title=title, kind="coordinacion",
                starts_at=APRIL + timedelta(days=day),
                ends_at=APRIL + timedelta(days=day, hours=2), status="scheduled",
            )  # fmt: skip
            session.add(meeting)
            await session.flush()
            for name in invited:
                session.add(
                    MeetingInvitation(
                        meeting_id=meeting.id, person_id=ids[name], rsvp=_answer(name),
                        attended_at=APRIL if name in GROUPS["meeting_attendees"] else None,
                    )
                )  # fmt: skip
        for name in GROUPS["cases"]:
            session.add(
                Case(
                    person_id=ids[name], region_code=PEOPLE[name][0], kind="promotion",
                    stratum="pma",
                    supported=False, description="Charla", created_at=APRIL, updated_at=APRIL,
                )
            )  # fmt: skip
        for name in GROUPS["readers"]:
            session.add(
                ArticleView(article_id="reinfo", person_id=ids[name], source="chat", at=APRIL)
            )
        await _visit_and_publication(session, ids)


def _answer(name: str) -> str:
    """A meeting invitee's answer, from the groups (one meeting each)."""
    if name in GROUPS["confirmed"]:
        return "yes"
    return "no" if name in GROUPS["declined"] else "pending"


async def _workshops(session: AsyncSession, ids: dict[str, int]) -> None:
    """Puno's workshop for Puno and Cusco's women, Tacna's for Tacna's three; every attendee
    rates it."""
    for code, attendees in WORKSHOPS.items():
        region = "puno" if code == "UNION1" else "tacna"
        scores = {
            ids[name]: 1 + score % 5 if name in GROUPS["raters"] else None
            for score, name in enumerate(attendees)
        }
        await add_workshop(session, code, region, APRIL, scores)


async def _visit_and_publication(session: AsyncSession, ids: dict[str, int]) -> None:
    """The study visit (everyone invited travels; LEADERS marked as regional leaders) and
    the publication, received once by each of its people."""
    visit = Visit(
        code="UNIONV", title="Visita de unión", destination="Canadá", starts_at=APRIL,
        ends_at=APRIL + timedelta(days=7), audience={}, reminder_offsets={"seconds": []},
        status="scheduled",
    )  # fmt: skip
    guide = Publication(
        title=PUBLICATION, summary="Resumen", published_on=APRIL.date(), filename="g.pdf",
        content=b"%PDF-1.4", size=8,
    )  # fmt: skip
    session.add_all([visit, guide])
    await session.flush()
    for name in GROUPS["visit_invited"]:
        session.add(
            VisitParticipant(
                visit_id=visit.id, person_id=ids[name],
                answer="accepted" if name in GROUPS["visit_accepted"] else "declined",
                answered_at=APRIL,
                travelled_at=APRIL if name in GROUPS["visit_travelled"] else None,
                leader=name in LEADERS,
            )
        )  # fmt: skip
    for name in GROUPS["received"]:
        session.add(
            PublicationDelivery(
                publication_id=guide.id, person_id=ids[name], source="chat", delivered_at=APRIL
            )
        )
