"""Where a group's counts by sex are hidden, one rule for every report that counts the group
by sex: indicator 7 (its groups and its shares of women), indicator 3 («Valoración por sexo»:
workshop attendees and raters) and indicator 1 («Invitados por sexo»: invited and attended).
Each showed them by its own rule, so one printed the two men another hid (issue #13).
"""

from __future__ import annotations

from bot.services.indicators.common import Cells, Query, sex_code
from bot.services.profile import SEXES
from bot.services.small_cells import Hidden, hidden_rows

FEMALE = "female"


def group_hides(q: Query, cells: Cells, key: str) -> tuple[Hidden, frozenset[str | None]]:
    """Where a group's share of women and its counts by sex are hidden. A share beside its
    group's size (a public count: /registrados, indicator 1) tells the women and the others
    of that region, so each region is a row of counts by sex under the rule of /registrados
    (`hidden_rows`, decided from every region's, whatever the report's scope): hidden unless
    each count is 0 or at least 3, with enough other regions that the totals by sex less the
    regions shown give none away. Also the sexes whose counts the report hides: a region's
    all of them where its row is hidden; the national report its sexes of 1 or 2 people,
    with enough others that its total less those shown gives none away. `cells`: every
    region's, people of the group under `key`."""
    sexes: list[str | None] = [*SEXES, None]
    rows: dict[str | None, list[int]] = {}
    for (region, sex), values in cells.items():
        counts = rows.setdefault(region, [0] * len(sexes))
        counts[sexes.index(sex_code(sex))] += int(values.get(key, 0))
    rows = {region: counts for region, counts in rows.items() if any(counts)}  # 0 tells nothing
    hidden = hidden_rows(rows)
    if q.region is not None:
        mine = q.region in hidden
        shown = Hidden(frozenset({q.region}) if mine else frozenset(), total=mine)
        return shown, frozenset(sexes) if mine else frozenset()
    national = [sum(column) for column in zip(*rows.values(), strict=True)] or [0] * len(sexes)
    by_sex = hidden_rows({sex: [n] for sex, n in zip(sexes, national, strict=True)})
    return Hidden(frozenset(hidden), total=FEMALE in by_sex), frozenset(by_sex)


def hidden_sexes(q: Query, cells: Cells, *keys: str) -> frozenset[str | None]:
    """The sexes whose rows a table by sex hides when it counts the groups under `keys`."""
    return frozenset().union(*(group_hides(q, cells, key)[1] for key in keys))
