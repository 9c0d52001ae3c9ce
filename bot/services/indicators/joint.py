"""A report of several calendar quarters (a year) beside the reports of those quarters
(issue #13): the year shows a figure only where every quarter's report shows the same figure,
or has nobody behind it. Each figure the year shows is then the sum of figures the quarters
show (an average, of the sums and counts they show), so no subtraction of reports of whole
quarters and years gives a hidden figure away.

Generic, on the built indicators: the quarter reports are made by the same code for the same
scope (a region's own report already depends on every region's cells), so indicators match by
position, tables too, rows by their label (every row of that label, if several) and
columns by position, headlines by label. A "—" that means nobody is not a hidden figure and
takes nothing with it, nor does one whose parts are shown: the cells `Table.harmless` and
`Headline.harmless` name, and those of a row whose counts are all shown as 0 (an average of
no responses: what a table counts is what its other figures rest on). Any other "—" of a
quarter hides the year's figure. Figures that are not sums (medians, longest gaps, people
counted once over the year, stocks at the period's end) are treated the same way, which is
all that can be done here, on the tables alone. People counted once are also bounded by the
quarters' (the year's at least each quarter's, at most their sum, per region and sex): for
indicator 1's groups (and 7's), the year's national tables hide the counts by sex
`period_bounds` finds, decided with the cells behind them.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import replace

from bot.services.indicators.common import Headline, Indicator, Kind, Table, Value
from bot.services.spreadsheet import MISSING

# The figures inside a headline written as words («1 / — / 2; 1 de 6»).
_FIGURE = re.compile(rf"{MISSING}|\d[\d.,%]*")


def jointly(whole: Indicator, parts: Sequence[Indicator]) -> Indicator:
    """`whole` (a year's indicator) showing only what each of `parts` (its quarters') shows."""
    headlines = tuple(
        _headline(headline, [_by_label(part.headlines, headline.label) for part in parts])
        for headline in whole.headlines
    )
    tables = tuple(
        _table(table, [part.tables[index] for part in parts])
        for index, table in enumerate(whole.tables)
    )
    return replace(whole, headlines=headlines, tables=tables)


def _by_label(headlines: Sequence[Headline], label: str) -> Headline | None:
    return next((headline for headline in headlines if headline.label == label), None)


def _hidden(value: Value, harmless: bool) -> bool:
    return value is None and not harmless


def _table(whole: Table, parts: list[Table]) -> Table:
    """Rows matched by label; a column hidden in any quarter's row is hidden in the year's."""
    hidden_by_label: dict[Value, set[int]] = {}
    for part in parts:
        counts = [c for c, column in enumerate(part.columns) if column.kind is Kind.COUNT]
        for index, row in enumerate(part.rows):
            nobody = bool(counts) and all(row[c] == 0 for c in counts)
            hidden_by_label.setdefault(row[0], set()).update(
                column
                for column in range(1, len(row))
                if _hidden(row[column], nobody or (index, column) in part.harmless)
            )
    rows = tuple(
        tuple(
            None if column and column in hidden_by_label.get(row[0], ()) else value
            for column, value in enumerate(row)
        )
        for row in whole.rows
    )
    return replace(whole, rows=rows)


def _headline(whole: Headline, parts: list[Headline | None]) -> Headline:
    value = whole.value
    for part in parts:
        if value is None:
            break
        if part is None or _hidden(part.value, part.harmless):
            value = None  # (a headline a quarter lacks cannot be vouched for)
        elif isinstance(part.value, str) and MISSING in part.value:
            value = _masked(str(value), part.value)
    return replace(whole, value=value)


def _masked(shown: str, other: str) -> str | None:
    """`shown` with "—" wherever `other`, written the same way, has one; None when the two
    do not line up figure for figure."""
    mine, theirs = _FIGURE.findall(shown), _FIGURE.findall(other)
    if len(mine) != len(theirs):
        return None
    pieces = _FIGURE.split(shown)
    masked = pieces[0]
    for figure, hidden, piece in zip(mine, theirs, pieces[1:], strict=True):
        masked += (MISSING if hidden == MISSING else figure) + piece
    return masked
