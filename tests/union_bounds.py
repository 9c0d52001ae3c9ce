"""The union reader's figures with their values, for the bounds reader (`tests.derivation.pinned`):
each figure is a count of the people of its row (a region, a sex, a group, everyone in scope)
who belong to a group, so its unknowns are every registered person's membership (0 or 1; a
person's cases 0 to 3, the total), whatever they did, and its value what the dataset holds.
The sums of tests/test_union_disclosure.py's rank test name the group's members only (what is
read there is who of them is of which sex); here what is read is who did what.

A workshop's and a meeting's own figures are unknowns of their own (who attended this one),
tied to the indicators' by what the reader knows of them (`Bounded.rules`): a person counted once
however many they attended is in the indicator when in some workshop and only then, and
whoever rated a workshop attended it (likewise confirmed, attended or declined a meeting
they were invited to, accepted or travelled on a visit they were invited to)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from tests.derivation import AtMost, Figure
from tests.union_dataset import GROUPS, MEETINGS, PEOPLE, WORKSHOPS

Unknown = tuple[str, tuple[str, Any]]  # (person, (group, unit: 0 for the indicators'))
MEETING_CODES = {f"UNIONM{day}": names for day, names in enumerate(MEETINGS.values())}
UNITS: dict[str, dict[str, list[str]]] = {
    **dict.fromkeys(("attendees", "raters"), WORKSHOPS),
    **dict.fromkeys(
        ("invitees", "confirmed", "meeting_attendees", "delegated", "declined", "pending"),
        MEETING_CODES,
    ),
}
# Groups whose people are the people of some of their units (counted once each).
ONCE_EACH = ("attendees", "raters", "invitees", "confirmed", "meeting_attendees", "delegated")
# A group's people are among another's (who rated attended).
WITHIN = {
    "raters": "attendees",
    **dict.fromkeys(
        ("confirmed", "meeting_attendees", "delegated", "declined", "pending"), "invitees"
    ),
    **dict.fromkeys(
        ("visit_accepted", "visit_travelled", "visit_declined", "visit_pending"), "visit_invited"
    ),
    "visit_confirmed": "visit_invited",
    "received": "reached",
    "case_officials": "cases",
}
NOBODY = ("pending", "visit_declined", "visit_pending", "visit_confirmed")
MOST_CASES = len(GROUPS["cases"])  # the total shown: no one registered more


def members(group: str, unit: Any = 0) -> list[str]:
    """The group's people (of the unit, if one is given)."""
    people = [] if group in NOBODY else GROUPS[group]
    if unit == 0:
        return people
    return [name for name in people if name in UNITS[group][unit]]


def ranges(unknown: Unknown) -> tuple[int, int]:
    return (0, MOST_CASES) if unknown[1][0] == "cases" else (0, 1)


def cell(name: Any) -> tuple[str, str]:
    return PEOPLE[name]


@dataclass
class Bounded:
    """The figures read, with their values (`figure` adds one), and what ties them."""

    figures: list[Figure] = field(default_factory=list)
    where: dict[frozenset[Unknown], str] = field(default_factory=dict)
    rows: dict[tuple[str, Any, frozenset[str]], Figure] = field(default_factory=dict)

    def figure(self, group: str, who: Callable[[str], bool], where: str, unit: Any = 0) -> None:
        """The count of `group`'s people (of `unit`; "*": its units' counts added up, as a
        count of responses) for whom `who` holds, over everyone registered."""
        units = list(UNITS[group]) if unit == "*" else [unit]
        sums = {(name, (group, u)) for u in units for name in PEOPLE if who(name)}
        value = sum(1 for u in units for name in members(group, u) if who(name))
        if group == "cases":
            value = sum(GROUPS["cases"].count(name) for name in PEOPLE if who(name))
        if sums:
            self.figures.append((sums, value))
            self.where.setdefault(frozenset(sums), where)
            row = frozenset(name for name, _unit in sums)
            self.rows.setdefault((group, unit, row), (sums, value))

    def openly(self) -> list[Figure]:
        """Each count shown beside its whole (the same row's people) and equal to it, with
        that whole: told openly (6 of 6 accepted), though not at the end of its range."""
        found = []
        for (group, unit, row), (sums, value) in self.rows.items():
            whole = self.rows.get((WITHIN.get(group, ""), unit, row))
            if whole is not None and whole[1] == value:
                found += [(sums, value), whole]
        return found

    def rules(self) -> list[AtMost]:
        """What the reader knows of every person (who rated attended…), where it touches an
        unknown of the figures."""
        seen = {u for sums, _value in self.figures for u in sums}
        return [rule for rule in _rules() if any(u in seen for u in rule[0])]

    def beyond_parts(
        self, found: dict[Unknown, int], every: dict[Unknown, int] | None = None
    ) -> dict[Unknown, int]:
        """`found` less a workshop's or meeting's unknowns pinned for a whole region of 3 or
        more alike: a region's part of a unit is shown as a count of its people (/taller by
        region, 0 where none came), so that is the documented limit (0 of 3), as a region
        and sex pinned whole is (`pinned`'s `cells`). `every`: all `pinned` pinned, those
        told openly too (a member told is as alike as one worked out)."""
        known = found if every is None else every

        def alike(unknown: Unknown) -> bool:
            region = [name for name in PEOPLE if PEOPLE[name][0] == PEOPLE[unknown[0]][0]]
            values = {known.get((name, unknown[1])) for name in region}
            return len(region) >= 3 and values == {found[unknown]}

        return {u: v for u, v in found.items() if u[1][1] == 0 or not alike(u)}

    def told(self, found: dict[Unknown, int]) -> str:
        """The unknowns pinned and the figures that touch their people (for failures)."""
        names = {u[0] for u in found}
        touching = {w for sums, w in self.where.items() if any(u[0] in names for u in sums)}
        return f"{sorted(found.items(), key=repr)}: " + "; ".join(sorted(touching))


def _rules() -> list[AtMost]:
    found: list[AtMost] = []
    for name in PEOPLE:

        def at(group: str, unit: Any = 0, person: str = name) -> Unknown:
            return (person, (group, unit))

        for group, units in UNITS.items():
            for unit in units:
                if group in WITHIN and WITHIN[group] in UNITS:  # of that unit too
                    found.append(({at(group, unit): 1.0, at(WITHIN[group], unit): -1.0}, 0.0))
                if group in ONCE_EACH:  # in some unit, and only then
                    found.append(({at(group, unit): 1.0, at(group): -1.0}, 0.0))
            if group in ONCE_EACH:
                found.append(({at(group): 1.0, **{at(group, u): -1.0 for u in units}}, 0.0))
        for group, whole in WITHIN.items():
            found.append(({at(group): 1.0, at(whole): -1.0}, 0.0))
        found.append(({at("cases"): 1.0, at("case_officials"): -MOST_CASES}, 0.0))
    return found
