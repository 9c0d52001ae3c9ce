"""The order `pytest -n auto` hands tests out in: the long ones first, one at the head of each
worker's share.

xdist's worksteal cuts the collection into one contiguous share per worker and each worker
runs its share from the front; a worker left idle takes the back half of the longest queue.
A test of a minute or two (the storms, the union readers) that happens to sit late in a share
starts when the others are nearly done, and the run waits for it: `load` once left a worker
with 2 tests queued behind a 150 s test at the end. Longest first is the usual cure (LPT):
each long test goes to the head of a share, round robin, so every worker starts with its
long ones and the short tests fill in around them. Without xdist the order is theirs only.

A test is long when marked `@pytest.mark.long(seconds)`: its wall time measured alone, on a
quiet box (a weight, not a limit: nothing is timed)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol, TypeVar


class _Item(Protocol):
    def get_closest_marker(self, name: str) -> object | None: ...


Item = TypeVar("Item", bound=_Item)


def seconds(item: _Item) -> float:
    """A test's `long` weight, 0 when not marked."""
    marker = item.get_closest_marker("long")
    return float(marker.args[0]) if marker is not None else 0.0  # type: ignore[attr-defined]


def long_first(items: Sequence[Item], workers: int) -> list[Item]:
    """`items` reordered for `workers` shares cut as xdist cuts them (equal, contiguous): the
    long ones, longest first, at the heads of the shares in turn; the rest in their order."""
    long = sorted((item for item in items if seconds(item) > 0), key=seconds, reverse=True)
    if not long:
        return list(items)
    rest = [item for item in items if seconds(item) == 0]
    workers = max(1, workers)
    ordered: list[Item] = []
    for worker in range(workers):
        share = (len(items) - len(ordered)) // (workers - worker)  # as worksteal cuts them
        heads = long[worker::workers]
        taken = max(0, share - len(heads))
        ordered += heads + rest[:taken]
        del rest[:taken]
    return ordered + rest
