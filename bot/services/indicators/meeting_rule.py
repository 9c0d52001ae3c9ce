"""Which figures of indicator 1 are hidden, decided from the period's invitations alone (one
row per invitation), so the rule can be tested without a database.

The report shows the people invited by region, by sex and in total (each person once, however
many meetings), and every meeting's invitees; each region's own report shows its people by
sex and its invitees of every meeting. All of these are margins of one table (meeting ×
region × sex): Puno's 4 people less the 3 of a meeting held only for Puno is Puno's fourth
person, and the national total less the regions' own reports is the region hidden in both.
So the hidden groups are decided here together, for the national report and every region's.

Each pair of margins is a graph, as in `bot.services.small_cells`, whose cuts are what the
reader can derive; here an edge holds people rather than a number of them, because a person
invited to several meetings is on several edges, and a cut through two of them still rests
on one person. A group's people, each counted once, are its invitations less one unknown per
person invited more than once (their «at least once» against their answers): that unknown is
an edge to EXCESS, a meeting that is never shown. The graphs see two margins at a time; up to
EXACT_UP_TO invitations everything is then solved at once (`recoverable`).
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from bot.services.recoverable import recoverable
from bot.services.small_cells import (
    SMALL_CELL,
    Hidden,
    _cycle_labels,
    hidden_margins,
    hidden_within,
)

EXCESS = object()
# Invitations up to which everything shown is also solved exactly (`recoverable`): about a
# second of CPU at most (measured: 0.8 s for 900); past it the time grows with the cube.
EXACT_UP_TO = 1000
Invitation = tuple[Hashable, Hashable, Hashable, Hashable]
"""(person, meeting, region, sex): the sex as breakdowns show it (`sex_code`)."""
Edges = dict[tuple[Any, Any], frozenset[Hashable]]
_HIDDEN = object()
Edge = tuple[tuple[int, Any], tuple[int, Any]]


@dataclass(frozen=True, slots=True)
class MeetingHides:
    """`people`: the regions and sexes (or the total) hidden in the national report;
    `within`: the (region, sex) cells hidden in each region's report (all of a hidden
    region's); `meetings`: the meetings whose answers the national report hides;
    `in_region`: the (meeting, region) cells a region's report hides."""

    people: Hidden
    within: frozenset[tuple[Any, Any]]
    meetings: frozenset[Any]
    in_region: frozenset[tuple[Any, Any]]

    def region(self, code: Any, sexes: Sequence[Any]) -> tuple[Hidden, frozenset[Any]]:
        """What the region's own report hides: its total and sexes, and its meetings."""
        meetings = frozenset(m for m, r in self.in_region if r == code)
        if self.people.total or code in self.people.rows:
            return Hidden(frozenset({code}), frozenset(sexes), total=True), meetings
        columns = frozenset(s for r, s in self.within if r == code)
        return Hidden(frozenset(), columns), meetings


def _edges(invitations: Iterable[Invitation], side: int) -> Edges:
    """The people per (meeting, group) for a group of `side` (2 region, 3 sex), and per
    (EXCESS, group) those invited more than once."""
    edges: dict[tuple[Any, Any], set[Hashable]] = {}
    times: dict[Hashable, list[Invitation]] = {}
    for row in invitations:
        edges.setdefault((row[1], row[side]), set()).add(row[0])
        times.setdefault(row[0], []).append(row)
    for person, rows in times.items():
        if len(rows) > 1:
            edges.setdefault((EXCESS, rows[0][side]), set()).add(person)
    return {key: frozenset(people) for key, people in edges.items()}


def _light_cut(edges: Edges, rows: set[Any], columns: set[Any]) -> set[tuple[int, Any]] | None:
    """`small_cells._small_cut` on edges of people: the nodes beside a cut that crosses 1 or
    2 people, or two edges of 1 or 2 people each (their difference, bounded, can pin both
    at either end), hidden rows and columns merged into one node each; None when there is none."""
    graph: dict[tuple[tuple[int, Any], tuple[int, Any]], set[Hashable]] = {}
    # In a fixed order, as `_small_cut` reads its cells: the cut found first decides what is
    # hidden next, and the edges come in the order of the invitations (and of sets).
    for (row, column), people in sorted(edges.items(), key=_edge_order):
        edge = ((0, _HIDDEN if row in rows else row), (1, _HIDDEN if column in columns else column))
        graph.setdefault(edge, set()).update(people)
    keys = list(graph)
    same: dict[int, list[tuple[Any, Any]]] = {}
    for edge, label in zip(keys, _cycle_labels(keys), strict=True):
        if label == 0 and len(graph[edge]) < SMALL_CELL:  # a bridge
            return set(edge)
        if label != 0 and len(graph[edge]) < SMALL_CELL:
            for other in same.get(label, []):  # together they cut the graph
                # Their difference, each between 0 and its people, can pin both at their
                # ends even when they hold 3 people or more together (Tacna's 2 of one
                # meeting all attended beside Cusco's 1 of the other at 0: that meeting's 1
                # attended less Tacna's 3 is -2); their sum is a group's figure like any
                # other, light when it rests on 1 or 2 people, unless either touches the
                # hidden rows or columns merged, whose groups other reports show apart
                # (union seed 87: Puno's and Tacna's 2 each gave Puno's people away).
                if _light_pair(keys, edge, other, len(graph[edge] | graph[other])):
                    return {*edge, *other}
            same.setdefault(label, []).append(edge)
    return None


def _light_pair(edges: list[Edge], one: Edge, other: Edge, people: int) -> bool:
    """Whether two edges that cut the graph together are a light cut (see `_light_cut`)."""
    merged = (0, _HIDDEN) in (*one, *other) or (1, _HIDDEN) in (*one, *other)
    return merged or people < SMALL_CELL or not _summed(edges, one, other)


def _summed(edges: list[Edge], one: Edge, other: Edge) -> bool:
    """Whether the reader works out the sum of two edges that cut the graph together, not
    their difference: the node sums on one side of the cut less those of its columns are
    what crosses it from that side's rows, less what crosses it into its columns."""
    near: dict[Any, list[Any]] = {}
    for a, b in edges:
        if (a, b) not in (one, other):
            near.setdefault(a, []).append(b)
            near.setdefault(b, []).append(a)
    side, stack = {one[0]}, [one[0]]
    while stack:
        for node in near.get(stack.pop(), []):
            if node not in side:
                side.add(node)
                stack.append(node)
    return other[0] in side


def _edge_order(item: tuple[tuple[Any, Any], frozenset[Hashable]]) -> tuple[bool, str, str]:
    """A total order of edges that is the same in every process: EXCESS (an object, whose
    repr is its address) by its place, every other meeting and group by its repr."""
    (row, column), _people = item
    return row is EXCESS, "" if row is EXCESS else repr(row), repr(column)


def _hide_until_safe(
    candidates: Mapping[Any, int],
    check: Callable[[set[Any]], set[tuple[int, Any]] | None],
    near: Callable[[Any, set[tuple[int, Any]]], bool],
    hidden: set[Any],
) -> set[Any]:
    """Hide candidates (smallest first, preferring one beside the cut that settles it) until
    `check` finds no light cut, or all of them are hidden."""
    hidden = set(hidden)
    while (cut := check(hidden)) is not None:
        shown = sorted((n, str(key), key) for key, n in candidates.items() if key not in hidden)
        if not shown:
            break
        beside = [entry for entry in shown if near(entry[2], cut)]
        for _n, _label, key in [*beside, *shown]:
            if check(hidden | {key}) is None:
                break
        else:
            key = (beside or shown)[0][2]
        hidden.add(key)
    return hidden


def meeting_hides(invitations: Sequence[Invitation]) -> MeetingHides:
    """The small-cell rule for indicator 1, for every report at once (see the module)."""
    counts: dict[tuple[Any, Any], set[Hashable]] = {}
    for person, _meeting, region, sex in invitations:
        counts.setdefault((region, sex), set()).add(person)
    people = {key: len(who) for key, who in counts.items()}
    hidden = hidden_margins(people)
    within = hidden_within(people, hidden)
    invitees = {m: len(who) for (m, _), who in _edges(invitations, 1).items() if m is not EXCESS}
    meetings = set(hidden_margins({(m, None): n for m, n in invitees.items()}).rows)
    # The meetings beside the regions and the sexes of the national report.
    for side, gone in ((2, hidden.rows), (3, hidden.columns)):
        edges = _edges(invitations, side)
        meetings = _hide_until_safe(
            invitees,
            lambda chosen, e=edges, g=gone: _light_cut(e, chosen | {EXCESS}, set(g)),
            lambda m, cut: (0, m) in cut or (0, _HIDDEN) in cut,
            meetings,
        )
    # Each region's meetings: beside the national rows and regions (each region's own row
    # of the meeting × region table), and beside its sexes (its own meeting × sex table).
    by_region = _edges(invitations, 2)
    cells = {key: len(who) for key, who in by_region.items() if key[0] is not EXCESS}

    def national(chosen: set[Any]) -> set[tuple[int, Any]] | None:
        secret = {
            key: who
            for key, who in by_region.items()
            if key[0] is EXCESS or key in chosen or key[0] in meetings or key[1] in hidden.rows
        }
        return _light_cut(secret, meetings | {EXCESS}, set(hidden.rows))

    small = {key for key, n in cells.items() if n < SMALL_CELL}
    in_region = _hide_until_safe(
        cells, national, lambda key, cut: (0, key[0]) in cut or (1, key[1]) in cut, small
    )
    for region in {row[2] for row in invitations}:
        mine = _edges([row for row in invitations if row[2] == region], 3)
        sexes = {s for r, s in within if r == region}
        theirs = {(m, r): n for (m, r), n in cells.items() if r == region}

        def own(chosen: set[Any], mine: Edges = mine, sexes: set[Any] = sexes) -> Any:
            return _light_cut(mine, {m for m, _r in chosen} | {EXCESS}, sexes)

        already = {key for key in theirs if key in in_region}
        hide = _hide_until_safe(theirs, own, lambda key, cut: (0, key[0]) in cut, already)
        in_region |= {key for key in theirs if key in hide or key[1] in hidden.rows}
        if own({key for key in theirs if key in in_region}) is not None:
            in_region |= set(theirs)
    hides = MeetingHides(hidden, within, frozenset(meetings), frozenset(in_region))
    # What the graphs cannot see (a cut through several edges of the same people invited to
    # several meetings; the three tables of meeting, region and sex at once) is checked on
    # the whole system when it is small enough to solve quickly: then every region's
    # meetings are hidden, and then every meeting. Past that size only the graphs decide.
    if len(invitations) <= EXACT_UP_TO and _recoverable(invitations, hides):
        hides = MeetingHides(hidden, within, hides.meetings, frozenset(cells))
        if _recoverable(invitations, hides):
            hides = MeetingHides(hidden, within, frozenset(invitees), frozenset(cells))
    return hides


def _recoverable(invitations: Sequence[Invitation], hides: MeetingHides) -> bool:
    """Every figure `hides` lets show, in every report, read together (`recoverable`). A
    person invited once has one unknown (their answer to it, which is also their «at least
    once»); someone invited several times has one per invitation and one for «at least once»."""
    meetings_of: dict[Hashable, list[Invitation]] = {}
    for row in invitations:
        meetings_of.setdefault(row[0], []).append(row)
    ratings: list[tuple[Hashable, tuple[Any, ...]]] = []
    for person, rows in meetings_of.items():
        _p, _m, region, sex = rows[0]
        if len(rows) == 1:
            ratings.append((person, ("one", rows[0][1], region, sex)))
            continue
        ratings.append((person, ("all", None, region, sex)))
        ratings += [(person, ("each", row[1], region, sex)) for row in rows]
    classes = {group for _person, group in ratings}
    hidden = hides.people
    known: list[set[tuple[Any, ...]]] = []

    def person_level(group: tuple[Any, ...]) -> bool:
        return group[0] in ("one", "all")

    if not hidden.total:
        known.append({g for g in classes if person_level(g)})
        for side, gone in ((2, hidden.rows), (3, hidden.columns)):
            for key in {g[side] for g in classes} - gone:
                known.append({g for g in classes if person_level(g) and g[side] == key})
        for region, sex in {(g[2], g[3]) for g in classes}:
            if region not in hidden.rows and (region, sex) not in hides.within:
                known.append({g for g in classes if person_level(g) and g[2:] == (region, sex)})
    for meeting in {g[1] for g in classes if g[0] != "all"}:
        mine = {g for g in classes if g[0] != "all" and g[1] == meeting}
        if meeting not in hides.meetings:
            known.append(mine)
        for region in {g[2] for g in mine}:
            if (meeting, region) not in hides.in_region:
                known.append({g for g in mine if g[2] == region})
    return recoverable(ratings, [sums for sums in known if sums])
