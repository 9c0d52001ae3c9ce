"""Full garbage collections do not walk the Tool Kit, and a replaced kit is still freed."""

from __future__ import annotations

import gc
import logging
import weakref
from collections.abc import Iterator

import pytest

from bot import heap
from bot.config import CONTENT_DIR
from knowledge.base import KnowledgeBase


@pytest.fixture
def thawed() -> Iterator[None]:
    yield
    gc.unfreeze()  # the rest of this test process collects as usual


def test_settled_objects_are_out_of_the_collectors_reach(thawed: None) -> None:
    kit = KnowledgeBase.load(CONTENT_DIR)
    parts = [kit, kit.kit, kit.index, *gc.get_referents(kit.index)]
    assert all(gc.is_tracked(o) for o in parts[:3])
    heap.settle()
    tracked = {id(o) for o in gc.get_objects()}  # what a full collection would walk
    assert gc.get_freeze_count() > 4000
    assert not [o for o in parts if id(o) in tracked]


def test_a_replaced_kit_is_freed_by_the_next_settle(thawed: None) -> None:
    kit = KnowledgeBase.load(CONTENT_DIR)
    heap.settle()
    gone = weakref.ref(kit.index)
    del kit  # its objects refer to each other: only a collection frees them
    heap.settle()
    assert gone() is None


def test_a_long_pause_is_logged(caplog: pytest.LogCaptureFixture, monkeypatch) -> None:
    monkeypatch.setattr(heap, "FELT_MS", 0.0)  # every collection counts as felt
    heap.watch()
    heap.watch()
    assert gc.callbacks.count(heap._timed) == 1
    try:
        with caplog.at_level(logging.WARNING, logger="bot.heap"):
            gc.collect()
    finally:
        gc.callbacks.remove(heap._timed)
    assert "garbage collection paused the event loop" in caplog.text


def test_a_held_start_collects_again_once_settled(thawed: None) -> None:
    heap.hold()  # `python -m bot`, before its imports
    assert not gc.isenabled()
    heap.settle()  # `run`, once started
    assert gc.isenabled()


def test_a_cli_order_collects_as_usual(monkeypatch: pytest.MonkeyPatch, capsys) -> None:
    from bot.cli import main

    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", "123456:" + "A" * 35)
    heap.hold()
    try:
        assert main(["kb", "revisar"]) == 0
        assert gc.isenabled()  # `release`d: only `run` holds them until it has started
    finally:
        gc.enable()
