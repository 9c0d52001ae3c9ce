"""bench.search_calibrate --misses: what a spent set, left out, got wrong, question by question."""

from __future__ import annotations

from typing import TYPE_CHECKING

from knowledge.calibration import Model, vetoed

if TYPE_CHECKING:
    from bench.search_calibrate import Row


def print_misses(name: str, cases: list[dict], rows: list[Row], model: Model) -> None:
    """A spent set's misses, left out (only a spent set's: the others are never read): false
    answers, right answers turned down, wrong sure answers; with the model's probability."""
    print(f"\n{name}, left out (threshold {model.threshold:.2f}):")
    for case, row in zip(cases, rows, strict=True):
        if row.top is None:
            continue
        p, sure = model.probability_of(row.x), model.sure_of(row.x)
        mark = " (marked unknown)" if vetoed(row.x) else ""
        if row.none and sure:
            print(f"  false     {p:.2f} {case['q']!r} → {row.top}")
        elif not row.none and row.right and not sure:
            print(f"  declined  {p:.2f} {case['q']!r} → {row.top}{mark}")
        elif not row.none and sure and not row.right:
            print(f"  wrong     {p:.2f} {case['q']!r} → {row.top} (expected {row.expected})")
