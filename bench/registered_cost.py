"""What reading registered people at each month's end, knowing every earlier one, costs
(`bot.services.registered_history`): region splits by sex and national sexes hidden, before
(each date's table alone: the rule /registrados applied to «now», `small_cells.hidden_rows`)
and after, on registrations drawn as `bench.seed_indicators` draws them (its regions, busy
ones three times as many, sexes 45/50/5 %, joined from December 2024 to December 2026, more
of them late). No database: each month's end's counts come from the drawn dates.

    python -m bench.registered_cost [--people 300 1000 3000 10000] [--seeds 5] [--every 3]

`--every 3`: only quarters' ends, the alternative of reading them less often.
"""

from __future__ import annotations

import argparse
import importlib
import random
from datetime import date, timedelta

from bench.seed_indicators import BUSY_REGIONS, SEXES
from bot.services.registered import ORDER, month_ends
from bot.services.registered_history import hidden_over_time
from bot.services.small_cells import hidden_rows

REGIONS = [
    code for code, _name, _kind in importlib.import_module(
        "storage.migrations.versions.0001_people_regions_audit"
    ).REGIONS
]  # fmt: skip
FIRST, DAYS = date(2024, 12, 1), 730
MONTH_ENDS = month_ends(FIRST, date(2026, 12, 1))  # 31 December 2024 to 30 November 2026


def tables(people: int, seed: int, ends: list[date]) -> list[dict[str, list[int]]]:
    """Each month's end's people by region and sex (columns in `ORDER`)."""
    rng = random.Random(seed)
    weights = [3 if code in BUSY_REGIONS else 1 for code in REGIONS]
    drawn = [
        (
            rng.choices(REGIONS, weights=weights)[0],
            ORDER.index(rng.choices(SEXES[0], weights=SEXES[1])[0]),
            FIRST + timedelta(days=int(DAYS * rng.random() ** 1.5)),
        )
        for _ in range(people)
    ]
    found = []
    for end in ends:
        table: dict[str, list[int]] = {}
        for region, sex, joined in drawn:
            if joined <= end:
                table.setdefault(region, [0] * len(ORDER))[sex] += 1
        found.append(table)
    return found


def measure(people: int, seeds: int, ends: list[date]) -> None:
    before = after = sexes_before = sexes_after = shown = 0
    last_before = last_after = 0
    for seed in range(seeds):
        dated = tables(people, seed, ends)
        nationals = [
            {sex: [sum(row[i] for row in t.values())] for i, sex in enumerate(ORDER)} for t in dated
        ]
        over_time = hidden_over_time(dated)
        sexes_over_time = hidden_over_time(nationals, totals_known=False)
        for i, table in enumerate(dated):
            rows = {key: n for key, n in table.items() if any(n)}
            shown += len(rows)
            alone = hidden_rows(rows)
            before += len(alone)
            after += len(over_time[i])
            sexes_before += len(hidden_rows(nationals[i]))
            sexes_after += len(sexes_over_time[i])
        last_before += len(hidden_rows({k: n for k, n in dated[-1].items() if any(n)}))
        last_after += len(over_time[-1])
    dates = seeds * len(ends)
    print(
        f"{people:>6} people, {seeds} seeds x {len(ends)} dates: region splits "
        f"hidden {before}/{shown} ({before / shown:.1%}) -> {after}/{shown} "
        f"({after / shown:.1%}); at the last date {last_before / seeds:.1f} -> "
        f"{last_after / seeds:.1f} regions; national sexes hidden per date "
        f"{sexes_before / dates:.2f} -> {sexes_after / dates:.2f} of {len(ORDER)}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, nargs="+", default=[300, 1000, 3000, 10000])
    parser.add_argument("--seeds", type=int, default=5)
    parser.add_argument("--every", type=int, default=1, help="months between two dates")
    args = parser.parse_args()
    for people in args.people:
        measure(people, args.seeds, [d for d in MONTH_ENDS if d.month % args.every == 0])


if __name__ == "__main__":
    main()
