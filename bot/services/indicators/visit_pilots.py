"""Indicator 9's pilot regions: how many of their leaders were invited, accepted and
travelled, and whether each is covered («Cubierta»: at least one of its leaders travelled),
the indicator's target; and where «Cubierta» goes, beside the travellers by region."""

from __future__ import annotations

from collections import Counter
from collections.abc import Collection, Iterable, Mapping
from typing import Any

from bot.i18n import N_
from bot.services.bounded_cells import pinned_cells
from bot.services.indicators.common import (
    Cells,
    Column,
    Kind,
    Measure,
    Query,
    Table,
    measure_hides,
    rollup,
    sex_code,
)
from bot.services.publications import PILOT_REGIONS
from bot.services.small_cells import Hidden

LEADER_KEYS = ("leader_invited", "leader_accepted", "leader_travelled")


def pilot_table(
    q: Query,
    cells: Cells,
    unseen: Collection[Any],
    unanswered: Collection[Any],
    gone: frozenset[str],
) -> tuple[Table, int | None, int]:
    """The pilot regions' table, how many are covered (None where a «Cubierta» is hidden:
    the count would give it back, `covered_hidden`) and how many there are. `unseen`: the
    regions whose leaders invited are hidden; `unanswered`: whose leaders' answers are."""
    _ = q._
    pilots = [code for code in PILOT_REGIONS if q.region is None or code == q.region]
    grouped = rollup(cells, lambda region, _sex: region)
    rows, covered = [], 0
    for code in pilots:
        values = grouped.get(code, Counter())
        covered += values["leader_travelled"] > 0
        invited = None if code in unseen else int(values["leader_invited"])
        answers = [int(values[key]) for key in LEADER_KEYS[1:]]
        if code in unanswered:
            answers = [None] * len(answers)
        rows.append(
            (
                q.region_name(code),
                invited,
                *answers,
                None
                if code in gone
                else _(N_("Yes"))
                if values["leader_travelled"]
                else _(N_("No")),
            )
        )
    columns = (
        Column(_(N_("Pilot region")), Kind.TEXT),
        Column(_(N_("Leaders invited"))),
        Column(_(N_("Leaders who accepted"))),
        Column(_(N_("Leaders who travelled"))),
        Column(_(N_("Covered")), Kind.TEXT),
    )
    covered_or_not = None if gone & set(pilots) else covered
    return Table(_(N_("Pilot regions")), columns, tuple(rows)), covered_or_not, len(pilots)


def covered_hidden(
    q: Query,
    measures: tuple[Measure, ...],
    cells: Cells,
    given: Mapping[str, Hidden],
    split: bool,
    leaders_total: bool,
) -> frozenset[str]:
    """The pilot regions whose «Cubierta» goes (and with it the headline's count of them):
    the indicator's public target, but «Sí» says that at least one of the region's leaders
    travelled, «No» that none did, and beside the region's travellers that may pin its
    officials' or its leaders' (Puno 1 travelled of 14, «Sí»: its 11 officials none, its one
    man among them; Puno 2 of 3, «No»: its two officials both). Read on the table of region
    by role (as `visit_bounds` reads it), each «Cubierta» shown as bounds of the region's
    leaders who travelled (at least 1, or 0), where it pins a cell the table alone does not,
    of a region's leaders or officials with 1 or 2 people of a sex; one region's goes at a
    time, the pinned cell's where it is a pilot's shown, else the pilot's of fewest leaders.
    `split`, `leaders_total`: the officials' total, the leaders', hidden."""
    hidden = measure_hides(q, measures, cells, True, given)
    groups = hidden.get(("invited", "travelled", "invited")) or hidden["invited"]
    columns = frozenset(role for role, gone in ((False, split), (True, leaders_total)) if gone)
    margins = Hidden(groups.rows, columns, total=groups.total)
    roles: dict[tuple[str | None, bool], list[float]] = {}
    sizes: Counter[tuple[str | None, bool, str | None]] = Counter()
    for (region, sex), values in cells.items():
        leaders = values["leader_invited"]
        for leader, done, of in (
            (True, values["leader_travelled"], leaders),
            (False, values["travelled"] - values["leader_travelled"], values["invited"] - leaders),
        ):
            entry = roles.setdefault((region, leader), [0, 0])
            entry[0] += done
            entry[1] += of
            sizes[(region, leader, sex_code(sex))] += of

    def smallest(region: str | None, leader: bool) -> float:
        found = [n for (r, role, _s), n in sizes.items() if (r, role) == (region, leader) and n]
        return min(found, default=0)

    def read(bounded: Iterable[str]) -> set[Any]:
        """What the margins pin, with what each region of `bounded` says of its leaders by
        its «Cubierta» (at least one travelled, or none) as bounds of their cell."""
        counts = {key: (done, of, smallest(*key)) for key, (done, of) in roles.items()}
        limits = {
            (region, True): (1, of) if done else (0, 0)
            for (region, leader), (done, of) in roles.items()
            if leader and region in bounded
        }
        return pinned_cells(counts, margins, limits=limits)

    alone = read(())
    shown = [code for code in PILOT_REGIONS if roles.get((code, True), (0, 0))[1]]
    gone: set[str] = set()
    while True:
        new = read([code for code in shown if code not in gone]) - alone
        if not new:
            return frozenset(gone)
        left = [code for code in shown if code not in gone]
        mine = sorted({row for (_side, row), _column in new if row in left}, key=str)
        # (in a fixed order: a region's report decides this again, maybe in another process)
        gone.add(mine[0] if mine else min(left, key=lambda code: (roles[(code, True)][1], code)))
