"""The attacker of `tests/period_attack.py` over random programmes: indicator 1 (and 7's rows
of meeting invitees and attendees) in every report a national coordinator may ask for (the
first two quarters of 2026 and the year, national and each region's), with /reunion's counts
by region and the people registered by region and sex, read as whole numbers (scipy's
HiGHS). Prints, per seed, the hidden figures by sex and the cells of 1 or 2 people checked,
and those pinned (with `--why`, a few figures that pin each); then the totals.

    python -m bench.attack_reports [--seeds 0 30] [--why] [--wider | --cases | --listing |
                                   --running] [--national]

`--wider`: `tests/report_attack.py`'s programme and reader, indicators 3, 6, 7, 8 and 9
besides 1 (workshops, study visits, publications and reading added to the same meetings).
`--cases`: `tests/case_attack.py`'s, indicators 2, 4 and 5 (agreements, cases, Regional Team
reports, formalization) added to those; their unknowns share none with the others', so only
their cells are asked. `--listing`: `--cases` with /casos read besides (each region's
officials' cases as the listing names them), its pins by sex only (`tests/case_listing.py`).
`--national`: the national reports alone, a quicker screen; a seed they pin is read again
with every region's reports, which their one reader (a national coordinator: the only one
offered «Todas las regiones») may ask for too: a cell a region's own report prints is no
target (seed 11: Q1's Tacna «Prefiero no decir» invited 0, printed in Tacna's indicator 7).
`--running`: `tests/running_attack.py`'s, indicator 1 with meetings in Q3 too and the year
also read on 5 July, in progress (the database then holding the meetings up to June).
Not covered: views, averages and scores; the chat's summary and charts (drawn from the same
tables); reports of one region for a regional coordinator alone (they are among those read);
a report asked on two days.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
import time
from pathlib import Path

from storage.db import Database
from storage.migrate import upgrade
from tests.case_attack import CaseModel, alone, case_pinned, draw_cases, read_cases_too, seed_cases
from tests.case_listing import listing_pinned
from tests.period_attack import (
    REGIONS,
    Figure,
    Model,
    Target,
    draw,
    pinned,
    read_everything,
    seed_database,
    why,
)
from tests.report_attack import WiderModel, draw_wider, read_all, seed_wider, why_quickly
from tests.running_attack import RunningModel, draw_running, read_as_held


async def attack(
    seed: int, folder: Path, explain: bool, wider: bool, scopes: list[str | None],
    cases: bool = False, listing: bool = False, running: bool = False, again: bool = False,
) -> tuple[int, int]:  # fmt: skip
    name = f"seed{seed}{'again' if again else ''}.sqlite3"
    db = Database(f"sqlite+aiosqlite:///{folder / name}")
    await upgrade(db.engine)
    try:
        if cases:
            drawn = draw_cases(seed)
            await seed_cases(db, drawn)
            model = CaseModel(drawn)
            await read_cases_too(db, model, scopes)
        elif running:
            programme = draw_running(seed)
            model = RunningModel(programme)
            await read_as_held(db, programme, model, scopes)
        elif wider:
            programme = draw_wider(seed)
            await seed_wider(db, programme)
            model: Model = WiderModel(programme)
            await read_all(db, model, scopes)
        else:
            programme = draw(seed)
            await seed_database(db, programme)
            model = Model(programme)
            await read_everything(db, model, scopes)
    finally:
        await db.dispose()
    started = time.process_time()
    if isinstance(model, CaseModel):
        checked, found = (listing_pinned if listing else case_pinned)(model)
    else:
        checked, found = pinned(model)
    cpu = time.process_time() - started
    print(f"seed {seed}: {checked} checked, {len(found)} pinned ({cpu:.1f} CPU s)", flush=True)
    for target, how in found:  # every pin first: the figures that pin each are slow
        print(f"    {target.label} = {target.truth} ({how})", flush=True)
    for target, _how in found if explain else ():
        print(f"    why {target.label}:", flush=True)
        for figure in _why(model, target):
            print(f"        {figure.label} = {figure.value:g}", flush=True)
    return checked, len(found)


def _why(model: Model, target: Target) -> list[Figure]:
    """A few figures that pin `target`: of indicators 2, 4 and 5 alone where it is theirs (as
    `case_pinned` reads them; the whole model's thousands of other figures made it slow)."""
    if isinstance(model, CaseModel):
        return why(alone(model), target)
    return (why_quickly if isinstance(model, WiderModel) else why)(model, target)


async def main(
    first: int, last: int, explain: bool, wider: bool, national: bool, cases: bool = False,
    listing: bool = False, running: bool = False,
) -> None:  # fmt: skip
    scopes: list[str | None] = [None] if national else [None, *REGIONS]
    checked = found = leaky = 0
    with tempfile.TemporaryDirectory() as folder:
        for seed in range(first, last):
            asked, pins = await attack(
                seed, Path(folder), explain, wider, scopes, cases, listing, running
            )
            if pins and national:  # its one reader may ask for every region's reports too
                print(f"seed {seed} again, every region's reports read too:", flush=True)
                every = [None, *REGIONS]
                asked, pins = await attack(
                    seed, Path(folder), explain, wider, every, cases, listing, running, again=True
                )
            checked, found, leaky = checked + asked, found + pins, leaky + bool(pins)
    what = "indicators 1, 3, 6, 7, 8 and 9" if wider else "indicator 1 with 7's meeting rows"
    what = "indicators 1 to 9" if cases else what
    what = f"{what} with /casos (pins by sex)" if listing else what
    what = f"{what}, Q3 and the year on 5 July" if running else what
    where = "national" if national else f"national and {len(REGIONS)} regions"
    print(
        f"{what}, Q1, Q2 and the year, {where}: seeds tried {last - first}, hidden cells "
        f"checked {checked}, pinned {found} (in {leaky} seeds)"
    )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seeds", nargs=2, type=int, default=[0, 30], metavar=("FROM", "TO"))
    parser.add_argument("--why", action="store_true", help="print a few figures that pin each")
    parser.add_argument("--wider", action="store_true", help="indicators 3, 6, 7, 8 and 9 too")
    parser.add_argument("--national", action="store_true", help="the national reports only")
    parser.add_argument("--cases", action="store_true", help="--wider and indicators 2, 4, 5")
    parser.add_argument("--listing", action="store_true", help="--cases and /casos")
    parser.add_argument("--running", action="store_true", help="the year in progress too")
    a = parser.parse_args(sys.argv[1:])
    cases = a.cases or a.listing
    asyncio.run(main(*a.seeds, a.why, a.wider, a.national, cases, a.listing, a.running))
