"""The cells around a cell, for `bot.services.exact_cells`' integer programs: a program over a
few hundred cells near a cell (its smallest figures' cells, then theirs) takes milliseconds
where one over a year's 17,725 cells took 1.4 s, and a move it finds is one of the whole
(the cells left out stay as they are, so every figure cut to the cells kept is kept whole).
Only when none is found there does the whole system's program decide (a move may need cells
far away), so reading the neighbourhood first frees what it frees, and pins nothing."""

from __future__ import annotations

from collections.abc import Hashable, Mapping, Sequence

Key = tuple[Hashable, ...]
# Cells around a cell read before the whole: at most so many, smaller first.
SIZES = (200, 1000)


def around(
    key: Key, of: Mapping[Key, Sequence[int]], figures: Sequence[Sequence[Key]], size: int
) -> list[Key]:
    """At most `size` cells linked to `key`: those of its figures, smallest first (a figure of
    more than `size` cells, the total or a sex, is left out), then those of theirs, and so
    on. `figures` sorted by size (`exact_cells._Reader.figures`), `of` their indices by cell."""
    chosen: dict[Key, None] = {key: None}
    layer, seen = [key], set()
    while layer and len(chosen) < size:
        indices = sorted({i for k in layer for i in of[k] if i not in seen})
        seen.update(indices)
        after = []
        for index in indices:
            if len(figures[index]) > size:
                break  # sorted by size: the others are larger
            for other in figures[index]:
                if other not in chosen:
                    if len(chosen) >= size:
                        return list(chosen)
                    chosen[other] = None
                    after.append(other)
        layer = after
    return list(chosen)
