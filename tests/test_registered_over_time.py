"""/registrados read at two moments: the people registered in between are the difference, and
a coordinator sees who they are (the names of their regions' people: «Casos de mis regiones»,
/reunion's invitees). Cusco's women 3 -> 4 and its men 3 -> 3 tell that the one person who
registered in Cusco meanwhile, Nueva, is a woman. The administrator reads /registrados, Nueva
registers over the chat, the administrator reads it again the same day, and again after the
month's end; every pair of readings is subtracted, region by region. On main b8651c5 the
first two readings gave Nueva's sex away (SQLite and PostgreSQL)."""

from __future__ import annotations

import re
from datetime import datetime, time, timedelta
from itertools import combinations

from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.local_api import LocalBotApi
from bot.runtime import Runtime
from storage.models import Person
from storage.types import utcnow
from tests.chat import Person as Chatter
from tests.helpers import register, registered_last_month, registered_official

LINE = re.compile(r"^(?P<name>[^:\n]+): (?P<total>\d+) \((?P<split>.*)\)$", re.MULTILINE)
# Registered at least a month before the test's first reading: in every snapshot it reads.
BASE = {
    ("cusco", "female"): 3,
    ("cusco", "male"): 3,
    ("puno", "female"): 4,
    ("puno", "male"): 5,
    ("piura", "female"): 3,
    ("piura", "male"): 4,
    ("piura", "undisclosed"): 3,
    ("tacna", "female"): 5,
    ("tacna", "male"): 3,
}


def rows(text: str) -> dict[str, dict[str, int]]:
    """Each region's line: its total and, where shown, its people by sex («Sin dato» the
    total less the sexes printed)."""
    found = {}
    for line in LINE.finditer(text):
        name = line["name"]
        row = {"total": int(line["total"])}
        if line["split"] != "—":
            for label, n in re.findall(r"([^:·]+): (\d+)", line["split"]):
                row[label.strip()] = int(n)
            row["Sin dato"] = row["total"] - sum(n for k, n in row.items() if k != "total")
        found[name] = row
    return found


def given_away(before: dict[str, dict[str, int]], after: dict[str, dict[str, int]]) -> list:
    """(region, sex, people) where the people registered between two readings, 1 or 2 of
    them, were all of one sex: both readings show the region's split, its total grew by n and
    one sex by n."""
    told = []
    for region, row in after.items():
        old = before.get(region, {"total": 0})
        grown = row["total"] - old["total"]
        if not 0 < grown < 3 or len(row) == 1 or (len(old) == 1 and old["total"]):
            continue
        for sex, n in row.items():
            if sex != "total" and n - old.get(sex, 0) == grown:
                told.append((region, sex, grown))
    return told


async def test_a_newcomer_between_two_readings_keeps_their_sex(
    api: LocalBotApi, runtime: Runtime, admin: Chatter
) -> None:
    async with runtime.db.session() as session:
        await _seed_base(session, 7000)
        await session.execute(update(Person).values(registered_at=utcnow() - timedelta(days=40)))
    readings = [(await admin.say("/registrados"))[0].text]
    nueva = Chatter(api, 7500, "Nueva", username="nueva_cusco")
    await register(nueva, region="Cusco", sex="Mujer")
    readings.append((await admin.say("/registrados"))[0].text)
    readings.append(await _read_next_month(runtime, admin))
    read = [rows(text) for text in readings]
    assert "Mujer" in read[0]["Cusco"], readings[0]  # the split shown: something to subtract
    assert read[-1]["Cusco"]["total"] == 7, readings[-1]  # Nueva counted at the month's end
    told = {
        (i, j): given_away(read[i], read[j])
        for i, j in combinations(range(len(read)), 2)
        if given_away(read[i], read[j])
    }
    assert told == {}, readings


async def test_a_change_of_sex_in_perfil_between_two_readings_is_not_told(
    api: LocalBotApi, runtime: Runtime, admin: Chatter
) -> None:
    """Pablo, of Cusco, registered as a man last month, says in /perfil that he is a woman:
    Cusco's women 3 -> 4 and men 4 -> 3 between November's end and December's would tell
    who changed (the coordinator sees Pablo's name among Cusco's people). The month's counts
    are frozen when first read, so the change shows at the next month's end, hidden there."""
    async with runtime.db.session() as session:
        await _seed_base(session, 7600)
    pablo = Chatter(api, 7700, "Pablo", username="pablo_cusco")
    await register(pablo, region="Cusco", sex="Hombre")
    await registered_last_month(runtime)
    readings = [(await admin.say("/registrados"))[0].text]
    (profile,) = await pablo.say("/perfil")
    await pablo.press(profile, "Sexo")
    await pablo.press(await pablo.reply(), "Mujer")
    assert "Sexo: Mujer" in (await pablo.reply()).text
    readings.append((await admin.say("/registrados"))[0].text)
    readings.append(await _read_next_month(runtime, admin))
    read = [rows(text) for text in readings]
    assert read[0]["Cusco"].get("Hombre") == 4, readings[0]  # shown before: a test
    assert readings[1] == readings[0]  # November's end, frozen at the first reading
    moved = [
        (i, j, region)
        for i, j in combinations(range(len(read)), 2)
        for region, row in read[j].items()
        if len(row) > 1
        and len(read[i].get(region, {})) > 1
        and any(
            0 < abs(n - read[i][region].get(sex, 0)) < 3 for sex, n in row.items() if sex != "total"
        )
    ]
    assert moved == [], readings


async def _read_next_month(runtime: Runtime, admin: Chatter) -> str:
    """/registrados read at 09:00 on the first day of the next month (Lima), once this month
    has ended and its counts can be shown."""
    now = runtime.clock.now().astimezone(runtime.settings.timezone)
    following = (now.replace(day=1) + timedelta(days=32)).date().replace(day=1)
    runtime.clock.advance(
        datetime.combine(following, time(9), tzinfo=now.tzinfo) - runtime.clock.now()
    )
    return (await admin.say("/registrados"))[0].text


async def _seed_base(session: AsyncSession, after: int) -> None:
    """BASE's officials, registered with the ids after `after`."""
    number = after
    for (region, sex), count in BASE.items():
        for _ in range(count):
            number += 1
            await registered_official(session, number, f"P{number}", region_code=region, sex=sex)
