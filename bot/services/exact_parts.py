"""The exact reader (`exact_cells`) for a system too large to read as one: indicator 3's
cells of region × sex × workshop past `training_exact.MOST_CELLS` (a year of 100,000 people
has 17,725), which the national total, each sex and each workshop link into one system.

A cell is free where some move (a change of the cells' sums, in whole numbers and within
their rooms, that keeps every figure) changes it its way. A move that changes only the
cells of a part, and keeps each figure's cells in that part at the same sum, keeps every
figure: so the reader looks for moves part by part, each part read as a system of its own
(each figure cut to its cells there), and a move found in a part frees its cells in the
whole. What no part's move frees counts as pinned, and the caller hides more (a part has
fewer moves than the whole: the safe side, never less hidden than reading the whole).

The parts, each of at most `size` cells: whole regions packed together, those sharing the
most workshops' cells first (a region's own figures, its sexes and its parts of the
workshops stay whole; a larger region in pieces of whole workshops); then, for what is still
pinned, each region's such cells beside their workshops (a lone rater of another region's
workshop moves against that workshop's other raters), and last each cell beside its region
and workshop, theirs, and so on, smaller first (`NEAR`). Where the integer programs run out
(`exact_cells.PROGRAMS` for each `training_exact.PROGRAMS_CELLS` cells: a count, never a time)
what is left counts as pinned too."""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Collection, Hashable, Iterator, Mapping, Sequence

from bot.services.exact_cells import BUDGET, Checked, Key, Moved, _Reader
from bot.services.integer_moves import OutOfTime

NEAR = 4  # a pinned cell's cells around it read first: a part's size over this (faster)


def each_given_away(
    cells: Mapping[Key, tuple[int, int]],
    figures: Sequence[Collection[Key]],
    low: int,
    high: int,
    size: int,
    moved: Moved,
) -> Iterator[Key]:
    """As `exact_cells.each_given_away` (cells keyed (region, sex, workshop)), reading parts
    of at most `size` cells: the cells no move found in any part frees, by part, in the
    order of their `repr` within it."""
    sums = {key: sum_n for key, sum_n in cells.items() if sum_n[1] > 0}
    checked = _checked(sums, figures, low, high)
    regions: dict[Hashable, list[Key]] = {}
    for key in sorted(sums, key=repr):
        regions.setdefault(key[0], []).append(key)
    workshops: dict[Hashable, list[Key]] = {}
    for key in sorted(sums, key=repr):
        workshops.setdefault(key[2], []).append(key)
    read = _Parts(sums, figures, low, high, moved)
    for part in _packed(regions, size):
        inside = set(part)
        mine = [(key, ways) for key, ways in checked if key in inside]
        read.free(part, mine)
        left: dict[Hashable, list[tuple[Key, Sequence[int]]]] = {}
        for key, ways in mine:
            if not read.freed(key, ways):
                left.setdefault(key[0], []).append((key, ways))
        for cells_left in left.values():  # each region's beside their workshops
            read.open()
            near = _near([k for k, _ways in cells_left], regions, workshops, size)
            read.free(near, [], cells_left)
        for key, ways in mine:
            for cells_near in (size // NEAR, size):
                if read.open() and read.freed(key, ways):
                    break
                near = _near([key], regions, workshops, cells_near)
                around = set(near)  # with every cell not yet freed around it
                read.free(near, [(key, ways)], [(k, w) for k, w in checked if k in around])
            if not read.freed(key, ways):
                yield key


class _Parts:
    """The figures cut to a part, and the readings of the parts of one call."""

    def __init__(
        self,
        sums: Mapping[Key, tuple[int, int]],
        figures: Sequence[Collection[Key]],
        low: int,
        high: int,
        moved: Moved,
    ) -> None:
        self.sums, self.figures, self.low, self.high, self.moved = sums, figures, low, high, moved
        self.of: dict[Key, list[int]] = {}
        for index, figure in enumerate(figures):
            for key in figure:
                self.of.setdefault(key, []).append(index)

    def open(self) -> bool:
        """True while the safety net's clock runs (`Moved.deadline`); past it `OutOfTime`,
        as the integer programs raise it (the caller hides everything it covers), before a
        part or a neighbourhood is set up for nothing."""
        if time.monotonic() > self.moved.deadline:
            raise OutOfTime
        return True

    def freed(self, key: Key, ways: Sequence[int]) -> bool:
        return any(key in (self.moved.up if way > 0 else self.moved.down) for way in ways)

    def free(self, part: Collection[Key], checked: Checked, pushed: Checked = ()) -> None:
        """Moves within `part` for `checked`, and for `pushed` those found at once
        (`_Reader.free`)."""
        pending = [(key, ways) for key, ways in checked if not self.freed(key, ways)]
        pushed = [(key, ways) for key, ways in pushed if not self.freed(key, ways)]
        if (not pending and not pushed) or not self.open():
            return
        inside = set(part)
        touched = {index for key in inside for index in self.of.get(key, ())}
        cut = [[k for k in self.figures[index] if k in inside] for index in sorted(touched)]
        reader = _Reader(
            {k: self.sums[k] for k in inside if k in self.sums},
            cut,
            self.low,
            self.high,
            BUDGET,
            self.moved,
        )
        reader.free(pending, pushed)


def _checked(
    sums: Mapping[Key, tuple[int, int]], figures: Sequence[Collection[Key]], low: int, high: int
) -> list[tuple[Key, list[int]]]:
    """The cells of 1 or 2 values to read, and their ways (1 up, -1 down) that have room, as
    `exact_cells` reads them: not those of a figure shown at an end (told openly), nor a cell
    of 2 values that can move both ways (neither is at an end)."""
    up = {k: high * n - s for k, (s, n) in sums.items()}
    down = {k: s - low * n for k, (s, n) in sums.items()}
    told: set[Key] = set()
    linked: set[Key] = set()
    for figure in figures:
        keys = [k for k in figure if k in sums]
        linked.update(keys)
        if keys and (not sum(up[k] for k in keys) or not sum(down[k] for k in keys)):
            told.update(keys)
    checked = []
    for key in sorted(linked - told, key=repr):
        ways = [way for way, room in ((1, up[key]), (-1, down[key])) if room]
        n = sums[key][1]
        if n == 1 or (n == 2 and len(ways) < 2):
            checked.append((key, ways))
    return checked


def _packed(regions: Mapping[Hashable, list[Key]], size: int) -> list[list[Key]]:
    """Whole regions in parts of at most `size` cells, each beside the part it shares the
    most workshops' cells with (largest regions first); a larger region in pieces of whole
    workshops."""
    parts: list[list[Key]] = []
    workshops: list[Counter[Hashable]] = []
    for region in sorted(regions, key=lambda r: (-len(regions[r]), repr(r))):
        keys = regions[region]
        if len(keys) > size:
            pieces: list[list[Key]] = [[]]
            for workshop in sorted({k[2] for k in keys}, key=repr):
                inside = [k for k in keys if k[2] == workshop]
                if len(pieces[-1]) + len(inside) > size:
                    pieces.append([])
                pieces[-1].extend(inside)
            parts.extend(piece for piece in pieces if piece)
            workshops.extend(Counter(k[2] for k in piece) for piece in pieces if piece)
            continue
        own = Counter(k[2] for k in keys)
        fits = [
            (-sum(min(n, workshops[i][w]) for w, n in own.items()), i)
            for i, part in enumerate(parts)
            if len(part) + len(keys) <= size
        ]
        if fits and min(fits)[0] < 0:
            index = min(fits)[1]
            parts[index].extend(keys)
            workshops[index].update(own)
        else:
            parts.append(list(keys))
            workshops.append(own)
    return parts


def _near(
    keys: Sequence[Key],
    regions: Mapping[Hashable, list[Key]],
    workshops: Mapping[Hashable, list[Key]],
    size: int,
) -> list[Key]:
    """At most `size` cells around `keys`: their regions' and workshops', then those of the
    regions and workshops of these, and so on (smaller first within a round), then any."""
    chosen: dict[Key, None] = dict.fromkeys(keys)
    layer = sorted({(axis, key[axis]) for key in keys for axis in (0, 2)}, key=repr)
    seen = set(layer)
    while layer and len(chosen) < size:
        after = []
        for group in sorted(layer, key=lambda g: (len(_cells(g, regions, workshops)), repr(g))):
            for other in _cells(group, regions, workshops):
                if len(chosen) >= size:
                    return list(chosen)
                chosen[other] = None
                for step in ((0, other[0]), (2, other[2])):
                    if step not in seen:
                        seen.add(step)
                        after.append(step)
        layer = after
    for other in (k for own in regions.values() for k in own):  # none linked: any others
        if len(chosen) >= size:
            break
        chosen[other] = None
    return list(chosen)


def _cells(
    group: tuple[int, Hashable],
    regions: Mapping[Hashable, list[Key]],
    workshops: Mapping[Hashable, list[Key]],
) -> list[Key]:
    return (regions if group[0] == 0 else workshops)[group[1]]
