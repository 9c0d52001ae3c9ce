"""The attacker of `tests/period_attack.py` over random programmes: indicator 1 (and 7's rows
of meeting invitees and attendees) in every report a national coordinator may ask for (the
first two quarters of 2026 and the year, national and each region's), with /reunion's counts
by region and the people registered by region and sex, read as whole numbers (scipy's
HiGHS). Prints, per seed, the hidden figures by sex and the cells of 1 or 2 people checked,
and those pinned (with `--why`, a few figures that pin each); then the totals.

    python -m bench.attack_reports [--seeds 0 30] [--why]

Not covered: indicators 2-6, 8 and 9; the chat's summary and charts (drawn from the same
tables); reports of one region for a regional coordinator alone; a report asked on two days.
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
from tests.period_attack import REGIONS, Model, draw, pinned, read_everything, seed_database, why


async def attack(seed: int, folder: Path, explain: bool) -> tuple[int, int]:
    db = Database(f"sqlite+aiosqlite:///{folder / f'seed{seed}.sqlite3'}")
    await upgrade(db.engine)
    programme = draw(seed)
    try:
        await seed_database(db, programme)
        model = Model(programme)
        await read_everything(db, model, [None, *REGIONS])
    finally:
        await db.dispose()
    started = time.process_time()
    checked, found = pinned(model)
    cpu = time.process_time() - started
    print(f"seed {seed}: {checked} checked, {len(found)} pinned ({cpu:.1f} CPU s)", flush=True)
    for target, how in found:
        print(f"    {target.label} = {target.truth} ({how})", flush=True)
        for figure in why(model, target) if explain else ():
            print(f"        {figure.label} = {figure.value:g}", flush=True)
    return checked, len(found)


async def main(first: int, last: int, explain: bool) -> None:
    checked = found = leaky = 0
    with tempfile.TemporaryDirectory() as folder:
        for seed in range(first, last):
            asked, pins = await attack(seed, Path(folder), explain)
            checked, found, leaky = checked + asked, found + pins, leaky + bool(pins)
    print(
        f"indicator 1 with 7's meeting rows, Q1, Q2 and the year, national and {len(REGIONS)} "
        f"regions: seeds tried {last - first}, hidden cells checked {checked}, pinned {found} "
        f"(in {leaky} seeds)"
    )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seeds", nargs=2, type=int, default=[0, 30], metavar=("FROM", "TO"))
    parser.add_argument("--why", action="store_true", help="print a few figures that pin each")
    arguments = parser.parse_args(sys.argv[1:])
    asyncio.run(main(*arguments.seeds, arguments.why))
