"""A workshop with its attendees and their ratings, written straight into the database: the
datasets of the disclosure tests (tests/union_dataset.py, tests/report_attack.py,
tests/test_rating_union.py) build their workshops the same way, so they share it here."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import Workshop, WorkshopAttendance, WorkshopRating
from storage.repositories.workshops import CRITERIA
from tests.two_readings import LONG_AGO, add_people

Scores = int | Mapping[str, int | None] | None


async def add_workshop(
    session: AsyncSession, code: str, region: str, day: datetime, attendees: Mapping[int, Scores]
) -> Workshop:
    """Workshop `code` in `region`, three hours from `day` and its survey open three days;
    each person id attended it and, unless their scores are None, rated it an hour after
    it ended (an int: that score for every criterion; a mapping: a score by criterion)."""
    workshop = Workshop(
        code=code, title=f"Taller {code}", region_code=region, starts_at=day,
        ends_at=day + timedelta(hours=3), survey_closes_at=day + timedelta(days=3),
    )  # fmt: skip
    session.add(workshop)
    await session.flush()
    for person_id, scores in attendees.items():
        session.add(
            WorkshopAttendance(workshop_id=workshop.id, person_id=person_id, checked_in_at=day)
        )
        if scores is None:
            continue
        by_criterion = dict.fromkeys(CRITERIA, scores) if isinstance(scores, int) else scores
        session.add(
            WorkshopRating(
                workshop_id=workshop.id, person_id=person_id,
                completed_at=day + timedelta(hours=4), **by_criterion,
            )
        )  # fmt: skip
    return workshop


# Puno's one woman and eight men, Cusco's, Tacna's and Piura's eight and eight: the workshops'
# attacks across dates (tests/test_survey_after_end, tests/test_workshop_moved_after_end)
WORKSHOP_PEOPLE = {"puno": (1, 8), "cusco": (8, 8), "tacna": (8, 8), "piura": (8, 8)}


async def february_workshops(session: AsyncSession, day: datetime) -> list[int]:
    """WORKSHOP_PEOPLE (registered long before) and their workshops on `day`: Puno's with
    seven of its men (six rate), one in each other region with five women and five men who
    rate, a woman and a man who do not. Puno's people ids, its woman first."""
    people = await add_people(session, WORKSHOP_PEOPLE, LONG_AGO)
    ids = {region: [p.id for p in group] for region, group in people.items()}
    puno = ids.pop("puno")
    await add_workshop(session, "W1", "puno", day, {**dict.fromkeys(puno[1:7], 4), puno[7]: None})
    for region, i in ids.items():
        rated = dict.fromkeys([*i[:5], *i[8:13]], 4)
        await add_workshop(session, region, region, day, {**rated, i[5]: None, i[13]: None})
    return puno
