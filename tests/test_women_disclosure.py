"""The sex of one or two people told by indicator 7 (the share of women) or by /registrados,
read beside the other figures. Registered: one woman and five men from Tacna, five women and
seven men from Cusco, ten women and ten men from Puno. /registrados hides Tacna's split by
sex (one woman), and Cusco's with it (the national totals by sex minus Puno's would give her).
Before the fix Tacna's own indicator 7 showed «1 woman, 5 men», the national one showed
Tacna's share of women (16.7 % of 6: one woman), and a Cusco coordinator's /registrados
showed Cusco's split: the national 16 women less Puno's 10 and Cusco's 5 was her."""

from __future__ import annotations

from datetime import datetime
from itertools import count
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from bot.i18n import translator
from bot.local_api import LocalBotApi
from bot.runtime import Runtime
from bot.services.indicators import query_for
from bot.services.indicators.common import Indicator
from bot.services.indicators.periods import Period
from bot.services.indicators.women import women
from bot.services.small_cells import too_small
from storage.db import Database
from storage.models import Person
from tests.chat import Person as Chatter
from tests.helpers import register

LIMA = ZoneInfo("America/Lima")
T = translator("es", LIMA)
YEAR = Period.year(2026)
LONG_AGO = datetime(2025, 1, 1, tzinfo=LIMA)
TELEGRAM_IDS = count(8600)
REGISTERED = {  # region: (women, men)
    "tacna": (1, 5),
    "cusco": (5, 7),
    "puno": (10, 10),
}


async def _registered(session: AsyncSession, people: dict[str, tuple[int, int]]) -> None:
    for region, (women_, men) in people.items():
        for sex in ["female"] * women_ + ["male"] * men:
            session.add(
                Person(
                    telegram_id=next(TELEGRAM_IDS), full_name="Persona", sex=sex,
                    region_code=region, consent_at=LONG_AGO, registered_at=LONG_AGO,
                )
            )  # fmt: skip
    await session.flush()


async def _women(db: Database, region: str | None) -> Indicator:
    async with db.session() as session:
        return await women(await query_for(session, YEAR, region, T, YEAR.end(T)))


async def test_share_of_women_never_tells_one_persons_sex(db: Database) -> None:
    """What a reader gets from indicator 7, national and each region's, beside the region
    totals (/registrados shows them): no region's women or men, and no sum of the regions
    whose share is hidden, may be 1 or 2."""
    async with db.session() as session:
        await _registered(session, REGISTERED)
    national = await _women(db, None)
    by_region = {row[0]: row[1] for row in national.tables[1].rows}
    women_in_all = national.tables[0].rows[0][1]  # «Personas registradas», women
    hidden_women = women_in_all
    hidden_others = sum(w + m for w, m in REGISTERED.values()) - women_in_all
    for code, (women_, men) in REGISTERED.items():
        name = code.capitalize()
        share = by_region[name]
        if share is None:
            continue
        told = round(share * (women_ + men))  # the share beside the region's total
        assert not too_small(told) and not too_small(women_ + men - told), (name, share)
        hidden_women -= told
        hidden_others -= women_ + men - told
    assert not too_small(hidden_women) and not too_small(hidden_others), by_region

    for code in REGISTERED:
        own = await _women(db, code)
        registered = own.tables[0].rows[0]  # (group, women, men, prefer not to say, …)
        shown = [n for n in registered[1:4] if n is not None]
        assert not any(too_small(n) for n in shown), (code, registered)
        share = own.tables[1].rows[0][1]
        if share is not None:
            total = sum(REGISTERED[code])
            assert not too_small(round(share * total)), (code, share)
            assert not too_small(total - round(share * total)), (code, share)


async def test_a_regional_coordinators_registered_counts_beside_the_national_ones(
    api: LocalBotApi, runtime: Runtime, admin: Chatter
) -> None:
    """The national /registrados hides Tacna's split and Cusco's; a Cusco coordinator's
    /registrados must hide Cusco's too, or the national women less Puno's and Cusco's give
    Tacna's one woman."""
    carla = Chatter(api, 5001, "Carla", last_name="Apaza", username="carla_cusco")
    await register(carla, region="Puno", sex="Mujer")  # one of Puno's ten women
    (done,) = await admin.say("/coordinador @carla_cusco Cusco")
    assert done.text.startswith("Listo"), done.text
    await carla.reply()  # the notice of the new role
    async with runtime.db.session() as session:
        await _registered(session, {**REGISTERED, "puno": (9, 9)})
    await register(admin, region="Puno", sex="Hombre")  # and the admin one of Puno's men
    (national,) = await admin.say("/registrados")
    assert "Tacna: 6 (—)" in national.text, national.text
    assert "Cusco: 12 (—)" in national.text, national.text
    (own,) = await carla.say("/registrados")
    assert "Cusco: 12" in own.text, own.text
    assert "Mujer: 5" not in own.text, own.text


async def test_regions_without_a_woman_are_not_worked_out(db: Database) -> None:
    """Three women and three men from Puno; one man each from Cusco, Piura and Junín, whose
    shares of women are hidden. Beside the regions' totals (/registrados) the national 3
    women less Puno's 50 % of 6 leave 0 for the three hidden regions: none of them has a
    woman, so each one's person is not one (a count lies between 0 and its people).
    Hidden regions' women may not add up to 0, nor to all of their people."""
    registered = {"puno": (3, 3), "cusco": (0, 1), "piura": (0, 1), "junin": (0, 1)}
    async with db.session() as session:
        await _registered(session, registered)
    national = await _women(db, None)
    shares = {row[0]: row[1] for row in national.tables[1].rows}
    hidden_women = national.tables[0].rows[0][1]  # «Personas registradas», women
    assert hidden_women == 3
    hidden_people = 0
    for code, (women_, men) in registered.items():
        share = shares["Junín" if code == "junin" else code.capitalize()]
        if share is None:
            hidden_people += women_ + men
        else:
            hidden_women -= round(share * (women_ + men))
    assert hidden_people, shares
    assert 0 < hidden_women < hidden_people, shares
