"""Which figures of indicator 3 are hidden, decided from the period's ratings alone (one row
per rating), so the rule can be tested without a database.

A person rates each workshop at most once but may rate several: the region and sex averages
are over ratings, while the small-cell rule counts people. Every workshop's own average is
public (its /taller report), so the report is read beside those too.
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from typing import Any

from bot.services.indicators.common import hidden_rows_of
from bot.services.recoverable import workshop_ratings_recoverable
from bot.services.small_cells import Hidden, hidden_linked, too_small

Rating = tuple[Hashable, Hashable, Hashable, Hashable, bool]
"""(person, region, sex, workshop, in the report's scope)."""


def hidden_ratings(ratings: Sequence[Rating], one_region: bool) -> tuple[Hidden, frozenset[Any]]:
    """The regions and sexes whose averages are hidden (or the total), and the workshops whose
    rows are hidden, for a report on the people in scope (`one_region`: a region's report,
    whose workshops are also rated by people from elsewhere)."""
    raters: dict[Any, int] = {}
    everyone: dict[Any, int] = {}
    people: dict[tuple[Any, Any], set[Hashable]] = {}
    regions: dict[tuple[Any, Any], int] = {}
    sexes: dict[tuple[Any, Any], int] = {}
    for person, region, sex, workshop, in_scope in ratings:
        everyone[workshop] = everyone.get(workshop, 0) + 1
        if not in_scope:
            continue
        raters[workshop] = raters.get(workshop, 0) + 1
        people.setdefault((region, sex), set()).add(person)
        regions[(region, workshop)] = regions.get((region, workshop), 0) + 1
        sexes[(sex, workshop)] = sexes.get((sex, workshop), 0) + 1
    # For one region, a workshop's /taller average minus the region's part is the rest of
    # its raters: that part is hidden when the rest holds 1 or 2 of them, and the total is
    # hidden when the hidden parts' rest adds up to 1 or 2 ratings.
    outsiders = {w: n - raters.get(w, 0) for w, n in everyone.items()} if one_region else {}
    unrated = hidden_rows_of(raters, also=(w for w, n in outsiders.items() if too_small(n)))
    hidden = hidden_linked(
        {key: len(group) for key, group in people.items()},
        regions,
        sexes,
        unrated if one_region else frozenset(),
    )
    if too_small(sum(outsiders.get(w, 0) for w in unrated)):
        hidden = Hidden(hidden.rows, hidden.columns, total=True)
    # The rules above count ratings where they should count people, and do not see the
    # workshops' /taller averages by region: someone who rated several workshops, or a
    # workshop's row beside its /taller averages by region, can still single a person out.
    # Whatever they miss, hide the total (and with it every region and sex), and if that is
    # not enough, every workshop's row: what is left is the /taller reports, each safe on its
    # own, about ratings of different workshops.
    # (A check that finds nothing is not run again on the same figures.)
    exposed = workshop_ratings_recoverable(ratings, hidden, unrated)
    if exposed and not hidden.total:
        hidden = Hidden(hidden.rows, hidden.columns, total=True)
        exposed = workshop_ratings_recoverable(ratings, hidden, unrated)
    if exposed:
        unrated = unrated | frozenset(raters)
    return hidden, unrated
