"""Counts of registered people read at several dates: the rule that decides what each date's
table shows also looks at every earlier date a reader could have read.

People registered by region and sex, read on two dates, differ by the people who registered
in between: Cusco's women 3 -> 4 and men 3 -> 3 tell the sex of the one person who
registered in Cusco meanwhile, whom a coordinator can name (the names of their regions'
people are on their screens). A difference of 1 or 2 between two readings is a small cell
like any other. So these figures are read only at fixed dates, each month's end in Lima
(`bot.services.registered`), never «now» (a reading a day apart would be a difference of a
day), and each date's hidden rows are chosen knowing those of every earlier date, any pair,
not only the one before (a region growing by one woman in each of two months grows by two
in the two).

Between two dates, j before k, the reader gets the difference of each row shown at both,
which must be 0 or at least 3 in each column (a row that changed by 1 or 2 is hidden at k,
j's choice being fixed: it was read). The rows hidden at either date are told only
together: the public total's change less the changes shown. That sum is 1 whenever one
person registered, whatever is hidden, so it is not held to 3 as one date's sums are
(`small_cells.hidden_rows`); what must not happen is that it tells a hidden row's change:

- rows of sexes (the national people by sex, indicator 7; a single column): a change among
  the hidden sexes is told when one sex alone is hidden, so a second one is hidden with it
  (men 3 -> hidden beside women, «Prefiero no decir» and the total shown: the total less
  them is 4, the one who joined a man);
- rows of regions, whose totals are printed at both dates (/registrados shows a hidden
  row's total), by sex: the hidden regions whose total changed must be two or more, or
  their sum is that one region's change; and two columns or more must hold some of their
  newcomers but not all (Cusco's and Piura's one newcomer each, both women, the other
  columns 0: each is a woman; one a woman and one a man: either may be the woman).

Rows whose change is 0 tell nothing hidden or shown, so they are never added for that.
Where no row can be added the date's national sexes are hidden instead (the national rule
sees the same change). A person who changes their region or sex in /perfil moves a count
of 1 from one cell to another: a change of -1 and +1, each small, so their rows are hidden
too (rows are tested by the sizes of their changes). Dates are frozen once counted
(`bot.services.registered`), so a later change of profile changes only later dates.

Limits: bounds across dates are not followed (a count shown at k bounds the same count
hidden at an earlier j from above, people only join: narrowed, not told); two hidden
regions' newcomers of two sexes, one each, leave each one's sex at even odds, not hidden
from a reader who can tell the two apart otherwise.
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping, Sequence

from bot.services.small_cells import hidden_rows, too_small

Rows = Mapping[Hashable, Sequence[int]]  # a row (a region, a sex) -> its counts by column


def hidden_over_time(tables: Sequence[Rows], totals_known: bool = True) -> list[frozenset]:
    """The rows each date's table hides, dates in order, each one's chosen knowing every
    earlier one's. A region of nobody at a date is never hidden there (it is not printed).
    `totals_known`: each row's total is printed (regions by sex); False for a one-column
    table of sexes."""
    decided: list[frozenset] = []
    for k, table in enumerate(tables):
        # A region of nobody is not printed; a sex is (at 0), and may be hidden.
        rows = {key: list(n) for key, n in table.items() if any(n) or not totals_known}
        forced: set = set()
        while True:
            hidden = hidden_rows(rows, forced)
            grown = set(hidden)
            for j in range(k):
                diff = _difference(rows, tables[j])
                found = _hidden_in_difference(diff, rows, hidden | decided[j], totals_known)
                grown |= found - decided[j]
            grown &= rows.keys()
            if grown <= hidden:
                break
            forced = grown
        decided.append(frozenset(hidden))
    return decided


def _difference(later: Rows, earlier: Rows) -> dict[Hashable, list[int]]:
    """Each row's change between two dates (its columns' later less earlier counts)."""
    every = [*later.values(), *earlier.values()]
    if not every:
        return {}
    zero = [0] * len(every[0])
    keys = list(later) + [key for key in earlier if key not in later]
    return {
        key: [a - b for a, b in zip(later.get(key, zero), earlier.get(key, zero), strict=True)]
        for key in keys
    }


def _hidden_in_difference(
    diff: Mapping[Hashable, list[int]], now: Rows, hidden: set, totals_known: bool
) -> set:
    """The rows to hide, `hidden` (at either date) and more: each row whose change has a
    column of 1 or 2, then others, the smallest change first (the fewest people now among
    equals, «Sin dato» last), until the hidden ones' sum tells none of them."""
    found = {key for key in hidden if key in diff}
    found |= {key for key, d in diff.items() if any(too_small(abs(n)) for n in d)}

    def order(key: Hashable) -> tuple:
        return (sum(map(abs, diff[key])), key is None, sum(now.get(key, ())), str(key))

    while not _told_apart(diff, found, totals_known):
        left = [key for key in diff if key not in found and (any(diff[key]) or not totals_known)]
        if not left:
            break
        found.add(min(left, key=order))
    return found


def _told_apart(diff: Mapping[Hashable, list[int]], hidden: set, totals_known: bool) -> bool:
    """Whether the hidden rows' sum of changes tells none of them (see the module)."""
    moved = [key for key in hidden if any(diff[key])]
    if not moved:
        return True
    if not totals_known:
        return len(hidden) >= 2
    if len(moved) == 1:  # its change is their sum: shown, in effect
        return not any(too_small(abs(n)) for n in diff[moved[0]])
    return _free_columns(diff, moved) >= 2 or _free_columns(diff, list(diff)) < 2


def _free_columns(diff: Mapping[Hashable, list[int]], keys: Sequence[Hashable]) -> int:
    """How many columns of the rows `keys` hold some of their newcomers but not all: with
    two or more such and two rows or more, no row's count in any column follows from the
    sums and the rows' totals (each lies strictly between its bounds); with one, every
    newcomer of theirs is of that column (the others add up to 0). Where the whole table
    has fewer than two, every newcomer's column is told by the public totals whatever is
    hidden (the documented limit of `small_cells`: all of one sex)."""
    sizes = [sum(abs(diff[key][i]) for key in keys) for i in range(len(diff[keys[0]]))]
    return sum(1 for n in sizes if 0 < n < sum(sizes))
