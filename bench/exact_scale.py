"""Indicator 3's exact whole-number check (`training_exact.exactly_hidden`) by size: synthetic
national reports of about 40, 100, 400 and 1,000 cells of region × sex × workshop, timed
alone (the database and the other rules left out but the small-cell rule of the table by
region and sex, `hidden_margins`: the check reads every other region and sex, and every
workshop and part /taller shows (`regions_hidden`), more than it is given in a report).

    python -m bench.exact_scale [--cells 40 100 400 1000] [--seeds 3] [--criteria overall]

Each report: 25 regions at most, the four sexes (women, men, «Prefiero no decir», «Sin
dato»), workshops each of a home region that gives 4 in 5 of its raters (the rest from any
region), ratings mostly high. Printed per size: the cells, the seconds per report (its five
criteria), and the regions and sexes it hides that the other rules did not (before this
check ran above 40 cells, it hid nothing there).
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from collections import Counter
from typing import Any

from bot.services.indicators import training_exact
from bot.services.small_cells import SMALL_CELL, hidden_margins
from bot.services.workshop_report import regions_hidden
from storage.repositories.workshops import CRITERIA

REGIONS = [f"r{i:02}" for i in range(25)]
SEXES = ["female"] * 9 + ["male"] * 8 + ["undisclosed", None]
SCORES = [5, 5, 5, 4, 4, 3, 2, 1]


def report(cells: int, seed: int) -> tuple[Any, ...]:
    """`exactly_hidden`'s arguments but the criterion: about `cells` cells."""
    rng = random.Random(seed)
    regions = REGIONS[: max(8, min(len(REGIONS), cells // 16))]
    workshops = max(3, cells // (len(regions) // 2 + 6))
    homes = {w: rng.choice(regions) for w in range(1, workshops + 1)}
    fine: dict[int, dict[tuple[Any, Any, Any], Counter[str]]] = {w: {} for w in homes}
    people: dict[tuple[Any, Any], Counter[str]] = {}
    while sum(len(groups) for groups in fine.values()) < cells:
        workshop = rng.choice(list(homes))
        region = homes[workshop] if rng.random() < 0.8 else rng.choice(regions)
        sex = rng.choice(SEXES)
        values = fine[workshop].setdefault((region, region, sex), Counter())
        for name in CRITERIA:
            values[f"n_{name}"] += 1
            values[f"sum_{name}"] += rng.choice(SCORES)
        counts = people.setdefault((region, sex), Counter())
        for name in CRITERIA:
            counts[f"people_{name}"] += 1
    raters = {w: sum(v["n_overall"] for v in groups.values()) for w, groups in fine.items()}
    unrated = frozenset(w for w, n in raters.items() if n < SMALL_CELL)
    unseen: dict[str, dict[int, frozenset[Any]]] = {name: {} for name in CRITERIA}
    for workshop, groups in fine.items():
        for name in CRITERIA:  # as `training_bounds.region_parts`: what /taller by region hides
            counts: Counter[tuple[Any, Any]] = Counter()
            sums: dict[Any, tuple[float, float]] = {}
            for (region, _label, sex), values in groups.items():
                counts[(region, sex)] += values[f"n_{name}"]
                total, n = sums.get(region, (0, 0))
                sums[region] = (total + values[f"sum_{name}"], n + values[f"n_{name}"])
            gone = regions_hidden(counts, sums) if len(sums) > 1 else frozenset()
            unseen[name][workshop] = frozenset(gone)
    hidden = hidden_margins({key: n["people_overall"] for key, n in people.items()})
    return fine, people, hidden, unrated, unseen


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="El lector exacto del indicador 3, por tamaño")
    parser.add_argument("--cells", type=int, nargs="+", default=[40, 100, 400, 1000])
    parser.add_argument("--seeds", type=int, default=3)
    parser.add_argument(
        "--most",
        type=int,
        default=training_exact.MOST_CELLS,
        help="MOST_CELLS: past it, the check reads the report in parts of half as many cells",
    )
    parser.add_argument(
        "--criteria",
        nargs="+",
        default=list(CRITERIA),
        choices=list(CRITERIA),
        help="the criteria read (all five by default; one for a quick look at a large size)",
    )
    args = parser.parse_args(argv)
    training_exact.MOST_CELLS = args.most
    started = time.perf_counter()
    import scipy.optimize  # noqa: F401  (once per worker process, not per report)

    print(f"scipy.optimize imported in {time.perf_counter() - started:.2f} s")
    for size in args.cells:
        for seed in range(args.seeds):
            fine, people, hidden, unrated, unseen = report(size, seed)
            n = sum(len(groups) for groups in fine.values())
            started = time.perf_counter()
            hid: set[str] = set()
            for name in args.criteria:
                result = training_exact.exactly_hidden(
                    fine, people, name, hidden, unrated, unseen[name]
                )
                more = (*(result.rows - hidden.rows), *(result.columns - hidden.columns))
                hid |= {f"{name}:{g}" for g in more}
                hid |= {f"{name}:total"} if result.total and not hidden.total else set()
            seconds = time.perf_counter() - started
            regions = len({key[0] for key in people})
            print(
                f"{n} cells ({regions} regions, {len(fine)} workshops, seed {seed}): "
                f"{seconds:.2f} s per report ({len(args.criteria)} criteria); "
                f"hid {len(hid)} groups beyond the other rules: "
                f"{sorted(hid)[:8]}{' …' if len(hid) > 8 else ''}",
                flush=True,
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
