"""`tests/period_attack.py`'s reader given what /reunion's list tells by name: each invitee
with her region, answer and attendance at each meeting, never her sex. The checks' reader
reads /reunion as counts by region per meeting; by name, the reader also knows who is who
across meetings and quarters: per region, how many people answered and attended in each
way, meeting by meeting (each person's pattern). Each person takes one of her region's
patterns, as many people each as the lists name (the people never invited: none), as
constraints over `Model`'s unknowns; her sex stays unknown (the person's cell is the
model's, each pattern any of its region's people's)."""

from __future__ import annotations

from tests.period_attack import (
    GROUPS,
    REGIONS,
    Figure,
    Model,
    Target,
    moved,
    targets,
    whole_groups,
)


def knowing_names(model: Model) -> None:
    """Add to `model` each region's patterns over every meeting's groups, as the lists by
    name tell them (binary `pattern` unknowns: one per person, as many per pattern as
    named)."""
    meetings = [f"m{m}" for m in range(len(model.programme.meetings))]
    keys = [(group, unit) for unit in meetings for group in GROUPS]
    for region in REGIONS:
        who = model.who(region)
        patterns: dict[tuple[int, ...], int] = {}
        for i in who:
            pattern = tuple(model.truth[model.index[(i, g, u)]] for g, u in keys)
            patterns[pattern] = patterns.get(pattern, 0) + 1
        chosen = {}
        for i in who:
            mine = tuple(model.truth[model.index[(i, g, u)]] for g, u in keys)
            for n, pattern in enumerate(patterns):
                chosen[i, pattern] = model._unknown(
                    (i, f"pattern {n}", "names"), int(mine == pattern)
                )
            ones = {chosen[i, p]: 1.0 for p in patterns}
            model.rules += [(ones, 1), ({k: -1.0 for k in ones}, -1)]  # one pattern each
            for at, (group, unit) in enumerate(keys):  # her marks are her pattern's
                row = {model.index[(i, group, unit)]: 1.0}
                row.update({chosen[i, p]: -1.0 for p in patterns if p[at]})
                model.rules += [(row, 0), ({k: -c for k, c in row.items()}, 0)]
        for pattern, n in patterns.items():  # as many people as named
            row = {chosen[i, pattern]: 1.0 for i in who}
            model.rules += [(row, n), ({k: -1.0 for k in row}, -n)]


def pinned_by_names(model: Model) -> list[Target]:
    """The targets (`period_attack.targets`) that the lists by name pin and the figures alone
    do not, beyond what is told openly (`period_attack.pinned`'s: a count by region, a
    figure at an end of its range; the lists by name too): seed 0's «Sin dato» attended 0
    in Q1 beside the names tells that Q1's attendees are not «Sin dato», an end's figure."""
    chosen = targets(model)
    plain = [stuck for stuck, _unsettled in moved(model, chosen)]
    knowing_names(model)
    named = [stuck for stuck, _unsettled in moved(model, chosen)]
    found = [t for t, was, now in zip(chosen, plain, named, strict=True) if now and not was]
    if not found:
        return []
    model.figures += whole_groups(model)

    def openly(f: Figure) -> bool:
        return f.public or f.value in (0, sum(f.row.values())) or f.label.startswith("all ")

    told = moved(model, found, openly)
    return [t for t, (stuck, _unsettled) in zip(found, told, strict=True) if not stuck]
