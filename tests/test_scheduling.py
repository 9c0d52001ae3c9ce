"""tests/scheduling.py: the long tests at the heads of the shares worksteal cuts, the rest in
their order, nothing lost or repeated."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from xdist.scheduler.worksteal import WorkStealingScheduling

from tests.scheduling import long_first


@dataclass(frozen=True)
class Fake:
    name: str
    weight: float = 0.0

    def get_closest_marker(self, name: str) -> pytest.Mark | None:
        if name != "long" or not self.weight:
            return None
        return pytest.mark.long(self.weight).mark


def _shares(count: int, workers: int) -> list[range]:
    """The shares worksteal's first round hands out (its check_schedule, all nodes idle)."""
    shares, start = [], 0
    for worker in range(workers):
        size = (count - start) // (workers - worker)
        shares.append(range(start, start + size))
        start += size
    return shares


@pytest.mark.parametrize("workers", [1, 2, 4, 8])
def test_each_share_starts_with_its_long_tests(workers: int) -> None:
    items = [Fake(f"t{i}") for i in range(97)]
    for position, weight in ((90, 100), (3, 40), (60, 73), (95, 54), (96, 50)):
        items[position] = Fake(f"long{weight}", weight)
    ordered = long_first(items, workers)
    assert sorted(ordered, key=lambda item: item.name) == sorted(items, key=lambda i: i.name)
    heads = [ordered[share.start] for share in _shares(len(items), workers)]
    assert [head.weight for head in heads] == [100, 73, 54, 50, 40, 0, 0, 0][:workers]
    if workers == 1:
        assert [item.weight for item in ordered[:5]] == [100, 73, 54, 50, 40]
    short = [item for item in ordered if not item.weight]
    assert short == [item for item in items if not item.weight]  # their own order


def test_without_long_tests_nothing_moves() -> None:
    items = [Fake(f"t{i}") for i in range(10)]
    assert long_first(items, 4) == items


def test_the_shares_are_cut_as_worksteal_cuts_them() -> None:
    """The cut assumed above is xdist's: if worksteal changes it, this says so (the order
    would still be complete, only less well spread)."""

    class Node:
        shutting_down = False

        def __init__(self, number: int) -> None:
            self.sent: list[int] = []
            self.gateway = type("Gateway", (), {"id": f"gw{number}"})

        def send_runtest_some(self, indices: list[int]) -> None:
            self.sent += indices

    class Config:
        def getvalue(self, name: str) -> list[str] | None:
            return ["4*popen"] if name == "tx" else None

    nodes = [Node(number) for number in range(4)]
    scheduler = WorkStealingScheduling(Config())  # type: ignore[arg-type]
    for node in nodes:
        scheduler.add_node(node)  # type: ignore[arg-type]
        scheduler.add_node_collection(node, [f"t{i}" for i in range(97)])  # type: ignore[arg-type]
    scheduler.schedule()
    assert [range(n.sent[0], n.sent[-1] + 1) for n in nodes] == _shares(97, 4)
