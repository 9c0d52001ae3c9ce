"""An exact reader of integer sums: which small cells' values a reader of some of their sums
works out, reading the figures as whole numbers. The bounds rules (`small_cells`,
`bounded_cells`) read each table alone, or two at a time, where a cell's range is a matter
of paths in a graph; three one-way tables read together (by region, by sex, by workshop)
are not, and as integers they may leave one value: W2 less the women plus Cusco came to 19,
which is twice Cusco's man of W2 plus two ratings of 1 to 5, so he rated 5.

Each cell holds `n` values from `low` to `high` (ratings, 1 to 5), hence a sum from
`low × n` to `high × n`, any whole number between; each figure the reader sees is the sum
of some cells. A cell of 1 value is given away when every integer solution gives it the
same sum, a cell of 2 when every solution has it at an end (both 1s, both 5s). Its true sum
is one solution; another moves it by a step `d` (whole numbers, within each cell's room)
that keeps every figure, so the search looks for a `d` that moves the cell its way: each
figure narrows its cells' ranges (a change is at least minus what the others' can reach
at most; a figure within another gives their difference as one more), and a cell's range
is split, smallest first, until a `d` is found or none is left (so it is exact). The
cells whose figures are shown at an end are fixed (told openly: the documented limit). A
quick look for a swap on a 2 × 2 square of cells first settles many cells.

On hundreds of cells (a quarter's or a year's national report: the total and every workshop
link them all) that search runs out of its budget (`BUDGET` splits for a cell, `WORK` for
all the readings of one caller) on most lone raters of another region's workshop, which
no 2 × 2 square frees. So above `PUSHED` cells, integer programs (`integer_moves`, scipy's
HiGHS) first move as many cells as one program can, again and again, and the search goes to
an integer program too where it is past its budget or its cells (`LINKED`): one over the
cells around the cell first (`exact_near`, a few hundred: milliseconds), the whole system's
only where that finds none. Past `exact_near.SIZES[-1]` cells the whole is pushed once, each
cell by one at most (so the program counts cells freed), and what is left goes cell by cell:
a year of 17,725 cells took 101 s so (52 programs over the whole, 1.4 s each), 12 s now. A
square is tried only where its far corner is a cell, each cell's figures summed to one
number first (`marks`: a square whose numbers do not cancel changes a figure). A move an
integer program finds is taken only once checked here in whole numbers, so a solver's
rounding never frees a cell; a program that fails, or is past `PROGRAMS` for all the
readings of one caller, moves nothing: the cell counts as given away and the caller hides
more (the safe side). Those limits count work, never time, so the same data hide the same
cells on a busy machine as on a quiet one (a time limit did not: two downloads put together
read more than either). Past `SECONDS` of wall clock, a safety net, the reading raises
`integer_moves.OutOfTime` and its caller hides everything it covers, never a partial answer."""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Collection, Hashable, Iterable, Iterator, Mapping, Sequence
from itertools import combinations

from bot.services import exact_near, report_limit
from bot.services.exact_search import OverBudget, Search
from bot.services.integer_moves import OutOfTime, Programs

Key = tuple[Hashable, ...]
Checked = Sequence[tuple[Key, Sequence[int]]]  # cells to read, and the ways each may move
BUDGET = 600  # ranges split per cell before it counts as given away (and recursion depth)
WORK = 100_000  # cells of figures added up by all the searches of readings that share `Moved`
SQUARES = 200  # 2 × 2 squares tried per cell (that keep not every figure) before the search
LINKED = 300  # cells that can move linked to a cell, at most, for the search to run
NESTED = 60  # figures linked to a cell, at most, for their differences to be read too
PUSHED = 40  # cells, beyond which integer programs first move as many cells as they can
PROGRAMS = 100  # integer programs for all the readings that share `Moved`, at most (its
# default: `training_exact` gives as many for each `PROGRAMS_CELLS` cells)
SECONDS = 600.0  # of wall clock for them all: the safety net (`OutOfTime`), not a budget
# The report's own limit (`time.monotonic()` past which every reading raises `OutOfTime`)
# and the criteria whose reading stopped short (`training_exact`), set for the task that
# builds it (`indicators.build_report`, REPORT_SECONDS): shared with the report's other
# checks (`bot.services.report_limit`).
UNTIL, SHORT = report_limit.UNTIL, report_limit.SHORT


class Moved:
    """The cells some solution moved up, and down: still so with fewer figures (a solution
    of more figures is one of fewer), so a caller that hides figure after figure keeps
    them from one reading to the next; and the work left to all its searches (`WORK`), and
    to its integer programs (`PROGRAMS`)."""

    def __init__(
        self, work: int = WORK, programs: int = PROGRAMS, seconds: float = SECONDS
    ) -> None:
        self.up: set[Key] = set()
        self.down: set[Key] = set()
        self.work = work  # cells of figures the searches may still add up, all together
        self.programs = programs  # integer programs they may still solve, all together
        self.deadline = time.monotonic() + seconds  # past it, `OutOfTime`: the safety net
        if (until := UNTIL.get()) is not None:  # or the report's limit, if sooner
            self.deadline = min(self.deadline, until)
        # Cells whose program did not settle (past `PROGRAMS`, or `integer_moves.NODES`, or
        # an error): counted as pinned, a decision another HiGHS might not make.
        self.unsettled = 0


def each_given_away(
    cells: Mapping[Key, tuple[int, int]],
    figures: Iterable[Collection[Key]],
    low: int,
    high: int,
    budget: int = BUDGET,
    moved: Moved | None = None,
) -> Iterator[Key]:
    """The cells of 1 or 2 values (`cells`: key -> (sum, number of values)) whose sum the
    `figures` (each the sum of some cells, its value the true one) pin as above, but not
    those of a figure shown at either end of its range (told openly); one by one, in the
    order of their `repr`: proving a cell pinned is the slow part, and a caller that hides
    one more figure and reads again needs only the first it can do something about.
    `moved`: what solutions of these figures, or of more, moved (`Moved`); added to."""
    return _Reader(cells, figures, low, high, budget, moved or Moved()).given_away()


class _Reader:
    def __init__(
        self,
        cells: Mapping[Key, tuple[int, int]],
        figures: Iterable[Collection[Key]],
        low: int,
        high: int,
        budget: int,
        moved: Moved,
    ) -> None:
        self.sums = {key: sum_n for key, sum_n in cells.items() if sum_n[1] > 0}
        distinct = {frozenset(k for k in figure if k in self.sums) for figure in figures}
        # Sorted, so that the same data give the same answer (and hide the same groups)
        # in every process, whatever the order of a set of them.
        self.figures = sorted(
            (sorted(f, key=repr) for f in distinct if f), key=lambda f: (len(f), repr(f))
        )
        self.of: dict[Key, list[int]] = {}
        for index, figure in enumerate(self.figures):
            for key in figure:
                self.of.setdefault(key, []).append(index)
        self.up = {k: high * n - s for k, (s, n) in self.sums.items()}
        self.down = {k: s - low * n for k, (s, n) in self.sums.items()}
        self.told: set[Key] = set()
        for figure in self.figures:
            if sum(self.up[k] for k in figure) == 0 or sum(self.down[k] for k in figure) == 0:
                self.told.update(figure)
        for key in self.told:
            self.up[key] = self.down[key] = 0
        # The cells that differ from a cell in one attribute only, by that attribute's value.
        self.lines: dict[tuple[int, Key], dict[Hashable, Key]] = {}
        for key in self.of:
            for axis in range(len(key)):
                self.lines.setdefault((axis, _without(key, axis)), {})[key[axis]] = key
        # Each cell's figures as one number: a square whose numbers do not add up to 0
        # changes some figure (checked in full only when they do: `_square`).
        self.marks = {k: sum(map(_mark, of)) % _MOD for k, of in self.of.items()}
        self.budget = budget
        self.moved = moved
        self.pending: dict[Key, int] = {}  # cells not yet moved, and the way to push them
        self.programs: Programs | None = None

    def given_away(self) -> Iterator[Key]:
        checked: list[tuple[Key, list[int]]] = []
        for key in sorted(self.of, key=repr):
            _sum, n = self.sums[key]
            if key in self.told or n > 2:
                continue
            ways = [w for w, room in ((1, self.up[key]), (-1, self.down[key])) if room]
            if n == 2 and len(ways) == 2:
                continue  # both values can move: neither is at an end
            checked.append((key, ways))
        if len(self.of) > PUSHED:
            self._push(checked)
        for key, ways in checked:  # moved either way: any other value will do
            self._in_time()
            if not self._freed(key, ways) and not any(self._moves(key, way) for way in ways):
                yield key

    def free(self, checked: Checked, pushed: Checked = ()) -> None:
        """Moves for `checked` (cells, the ways each may move) found in this system, and for
        `pushed` as many as moves found at once free, added to `moved` (`exact_parts`: a part
        of a larger one; a cell told here cannot move in it)."""
        checked, pushed = (
            [(key, ways) for key, ways in cells if key in self.of and key not in self.told]
            for cells in (checked, pushed)
        )
        if len(self.of) > PUSHED:
            self._push([*checked, *pushed])
        for key, ways in checked:
            if not self._freed(key, ways):
                any(self._moves(key, way) for way in ways if self._room(key, way))

    def _freed(self, key: Key, ways: list[int]) -> bool:
        return any(key in (self.moved.up if way > 0 else self.moved.down) for way in ways)

    def _push(self, checked: list[tuple[Key, list[int]]]) -> None:
        """Many cells moved at once: squares first, then integer programs that push every
        cell not yet moved its way (the one of more room), each move found freeing all
        it moves, until one frees none. What is left goes to `_moves`, cell by cell. Past
        `exact_near.SIZES[-1]` cells, one such program only: on a year of 17,725 cells the
        first freed 1,207 of the 1,244 cells squares left, each next one a few at 2-5 s,
        where a program around one cell (`_far`) takes 0.02-0.1 s."""
        for key, ways in checked:
            self._in_time()
            if not self._freed(key, ways):
                step = next(filter(None, (self._square(key, way) for way in ways)), None)
                if step is not None:
                    self._take(step)
        self.pending = {
            key: max(ways, key=lambda way: (self._room(key, way), way))
            for key, ways in checked
            if not self._freed(key, ways)
        }
        once = len(self.of) > exact_near.SIZES[-1]  # see the docstring
        while self.pending:
            step = self._program(None)
            if step is None:
                return
            self._take(step)
            if once:
                return

    def _in_time(self) -> None:
        """Past the deadline (the safety net, or the report's limit), `OutOfTime`: checked
        cell by cell where no integer program is solved (squares, the search), which took
        tens of seconds on a year of 20,000 people's national report."""
        if time.monotonic() >= self.moved.deadline:
            raise OutOfTime

    def _take(self, step: Mapping[Key, int]) -> None:
        """What a move found moves: each cell its way, none of them pending any more."""
        for other, change in step.items():
            (self.moved.up if change > 0 else self.moved.down).add(other)
            self.pending.pop(other, None)

    def _far(self, key: Key, way: int) -> dict[Key, int] | None:
        """A move of `key` `way` by an integer program: over the cells around it first
        (`exact_near`: a move there is one of the whole), then over the whole system."""
        for size in exact_near.SIZES:
            if size < len(self.of):
                near = exact_near.around(key, self.of, self.figures, size)
                step = self._program((key, way), near)
                if step is not None:
                    return step
        return self._program((key, way))

    def _program(
        self, need: tuple[Key, int] | None, near: Collection[Key] | None = None
    ) -> dict[Key, int] | None:
        """`Programs.move` while `PROGRAMS` last (past them, None: counts as pinned), over
        the whole system or only the cells `near` (the others kept as they are). A program
        for `need` over the whole that does not settle is counted (`Moved.unsettled`); one
        that pushes cells (`need` None) or reads around a cell only saves work: what it
        leaves is read cell by cell, or by the whole system's program."""
        if self.moved.programs <= 0:
            self.moved.unsettled += need is not None and near is None
            return None
        self.moved.programs -= 1
        if near is not None:
            touched = sorted({index for k in near for index in self.of[k]})
            room = {k: (self.down[k], self.up[k]) for k in near}
            part = Programs(room, [self.figures[i] for i in touched], self.moved.deadline)
            return part.move(need, {k: w for k, w in self.pending.items() if k in room})
        if self.programs is None:
            room = {k: (self.down[k], self.up[k]) for k in self.of}
            self.programs = Programs(room, self.figures, self.moved.deadline)
        step = self.programs.move(need, self.pending)
        self.moved.unsettled += need is not None and not self.programs.settled
        return step

    def _moves(self, key: Key, way: int) -> bool:
        """Whether some solution moves `key`'s sum `way` (1 up, -1 down); each step found
        frees the cells it moves too."""
        if key in (self.moved.up if way > 0 else self.moved.down):
            return True
        step = self._square(key, way) or self._search(key, way)
        if step is None:
            return False
        self._take(step)
        return True

    def _room(self, key: Key, way: int) -> int:
        return self.up[key] if way > 0 else self.down[key]

    def _balanced(self, step: Mapping[Key, int]) -> bool:
        off: Counter[int] = Counter()
        for key, change in step.items():
            for figure in self.of[key]:
                off[figure] += change
        return not any(off.values())

    def _square(self, key: Key, way: int) -> dict[Key, int] | None:
        """A swap on a 2 × 2 square of cells that differ from `key` in two attributes, up
        on two opposite corners and down on the others, that keeps every figure: a corner
        along one attribute, then the far corner from it along the other."""
        tried, marks, no = 0, self.marks, {}
        for first, second in combinations(range(len(key)), 2):
            mine = self.lines.get((second, _without(key, second)), no)
            for along in self.lines.get((first, _without(key, first)), no).values():
                if along == key or not self._room(along, -way):
                    continue
                theirs = self.lines.get((second, _without(along, second)), no)
                common = mine.keys() & theirs.keys()  # the far corners there are
                common.discard(key[second])
                for value in sorted(common, key=repr):
                    corner, across = theirs[value], mine[value]
                    if not self._room(corner, way) or not self._room(across, -way):
                        continue
                    off = marks[key] + marks[corner] - marks[along] - marks[across]
                    step = {key: way, along: -way, across: -way, corner: way}
                    if not off % _MOD and self._balanced(step):
                        return step
                    tried += 1
                    if tried > SQUARES:
                        return None
        return None

    def _search(self, key: Key, way: int) -> dict[Key, int] | None:
        """A step that moves `key` `way` and keeps every figure, or None (none exists, or
        none was found within the budget)."""
        cells, figures = {key}, set()
        queue = [key]
        while queue:  # the cells that can move, linked to `key` through figures
            for figure in self.of[queue.pop()]:
                if figure not in figures:
                    figures.add(figure)
                    for other in self.figures[figure]:
                        if other not in cells and (self.up[other] or self.down[other]):
                            cells.add(other)
                            queue.append(other)
            if len(cells) > LINKED:  # too many to search: integer programs
                return self._far(key, way)
        sums = {frozenset(k for k in self.figures[f] if k in cells) for f in figures}
        if len(sums) <= NESTED:  # a figure within another: their difference is one too
            sums |= {b - a for a in sums for b in sums if a < b}
        members = dict(
            enumerate(sorted((sorted(f, key=repr) for f in sums), key=lambda f: (len(f), repr(f))))
        )
        of: dict[Key, list[int]] = {k: [] for k in cells}
        for index, figure in members.items():
            for k in figure:
                of[k].append(index)
        low = {k: -self.down[k] for k in sorted(cells, key=repr)}
        high = {k: self.up[k] for k in cells}
        if way > 0:
            low[key] = 1
        else:
            high[key] = -1
        search = Search(members, of, low, high, self.budget, self.moved)
        try:
            return search.solve()
        except OverBudget:  # integer programs (None: counted as given away)
            return self._far(key, way)


_MOD = 1 << 64


def _mark(figure: int) -> int:
    """A figure's index mixed into 64 bits (splitmix64): the same in every process."""
    z = (figure + 1) * 0x9E3779B97F4A7C15 % _MOD
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9 % _MOD
    z = (z ^ (z >> 27)) * 0x94D049BB133111EB % _MOD
    return z ^ (z >> 31)


def _without(key: Key, axis: int) -> Key:
    return key[:axis] + key[axis + 1 :]
