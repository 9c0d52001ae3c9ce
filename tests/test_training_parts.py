"""The national table of workshop attendees and raters by sex read beside each region's part of
each workshop (`bot.services.indicators.training_parts`), on a dataset worked by hand: the
shape of tests/test_union_random.py's seed 4, which the national report gave away before.

Piura: three women, one «Sin dato»; its one attendee of W1 (a woman) gave no response, its
«Sin dato» attended W2 and rated it. Cusco: three «Sin dato», who attended W1 and rated it,
and three women, who attended W2 and rated it. Tacna: three men, who attended W2 and rated it.
By sex: women 4 attended, 3 rated; «Sin dato» 4 and 4; men 3 and 3: no sex of 1 or 2 people,
nothing hidden by the small-cell rule. But each «Sin dato» who attended rated, and Piura's
attendee of W1 did not: Piura's one «Sin dato» did not attend W1."""

from __future__ import annotations

from collections import Counter
from typing import Any

from bot.services.indicators.training_parts import extra_sexes, parts_pinned

# name: (region, sex, workshop attended, rated it)
PEOPLE: dict[str, tuple[str, str | None, str | None, bool]] = {
    "piura_w0": ("piura", "female", "W1", False),
    "piura_w1": ("piura", "female", None, False),
    "piura_w2": ("piura", "female", None, False),
    "piura_n": ("piura", None, "W2", True),
    **{f"cusco_n{i}": ("cusco", None, "W1", True) for i in range(3)},
    **{f"cusco_w{i}": ("cusco", "female", "W2", True) for i in range(3)},
    **{f"tacna_m{i}": ("tacna", "male", "W2", True) for i in range(3)},
}
NOTHING = {"attendees": frozenset(), "raters": frozenset()}


def _data(
    everyone: dict[str, tuple[str, str | None, str | None, bool]] = PEOPLE,
) -> tuple[dict[Any, tuple[int, int, int]], Counter[Any], dict[Any, Counter[str]]]:
    """The parts (region, workshop, sex), the people per (region, sex), and the cells
    (region, sex) counting attendees and raters, as `training_parts.workshop_parts` and
    `training_reads.workshop_people` read them."""
    parts: dict[Any, tuple[int, int, int]] = {}
    people: Counter[Any] = Counter()
    cells: dict[Any, Counter[str]] = {}
    for region, sex, workshop, rated in everyone.values():
        people[(region, sex)] += 1
        cell = cells.setdefault((region, sex), Counter())
        if workshop is None:
            continue
        a, r, n = parts.get((region, workshop, sex), (0, 0, 0))
        parts[(region, workshop, sex)] = (a + 1, r + rated, n + (not rated))
        cell.update(attendees=1, raters=int(rated))
    return parts, people, cells


def test_the_sin_dato_of_piura_is_worked_out_of_the_parts_and_the_sexes() -> None:
    parts, people, cells = _data()
    # Every region's row by sex is hidden in its report (Piura's 1 attendee, and Cusco's,
    # the others left to subtract it); every sex is shown nationally.
    pinned = parts_pinned(parts, people, cells, NOTHING, NOTHING)
    assert pinned == (("piura", "W1"), None)


def test_the_raters_of_sin_dato_are_hidden_with_the_women() -> None:
    """The men's raters hidden with «Sin dato»'s leave 0 who attended without rating among
    them: still pinned. With the women's, Piura's attendee of W1 may be its «Sin dato»."""
    parts, people, cells = _data()
    extra = extra_sexes(parts, people, cells, NOTHING, NOTHING)
    assert extra == {"attendees": frozenset(), "raters": frozenset({None, "female"})}
    assert parts_pinned(parts, people, cells, extra, NOTHING) is None
    men = {"attendees": frozenset(), "raters": frozenset({None, "male"})}
    assert parts_pinned(parts, people, cells, men, NOTHING) == (("piura", "W1"), None)


def test_a_person_in_two_workshops_counts_once_by_sex_and_still_tells() -> None:
    """One of Cusco's «Sin dato» also attended W2 and rated it: 5 «Sin dato» in the parts,
    4 by sex. The reader knows only that the parts count them at least once each, yet still
    that each «Sin dato» who attended rated one: Piura's «Sin dato» did not attend W1."""
    parts, people, cells = _data()
    parts[("cusco", "W2", None)] = (1, 1, 0)
    assert parts_pinned(parts, people, cells, NOTHING, NOTHING) == (("piura", "W1"), None)


def test_a_sex_counted_0_beside_a_region_tells_the_other() -> None:
    """Piura: a woman who attended W1 and rated it, and a «Prefiero no decir» who attended
    it without rating; Cusco: three women who did both, three «Prefiero no decir» who did
    neither. Piura's 1 rater beside the 0 raters who prefer not to say is its woman
    (tests/people_dataset.py's hilda): her raters are hidden with theirs, the women's."""
    parts, people, cells = _data(
        {
            "piura_w": ("piura", "female", "W1", True),
            "piura_u": ("piura", "undisclosed", "W1", False),
            **{f"cusco_w{i}": ("cusco", "female", "W1", True) for i in range(3)},
            **{f"cusco_u{i}": ("cusco", "undisclosed", None, False) for i in range(3)},
        }
    )
    # Its «Prefiero no decir» attended W1 without rating it, the first cell found.
    pinned = parts_pinned(parts, people, cells, NOTHING, NOTHING)
    assert pinned == (("piura", "W1"), "undisclosed")
    extra = extra_sexes(parts, people, cells, NOTHING, NOTHING)
    assert extra == {"attendees": frozenset(), "raters": frozenset({"female", "undisclosed"})}
