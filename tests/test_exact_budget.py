"""Indicator 3's exact check (`training_exact.exactly_hidden`) hides the same groups on a busy
machine as on a quiet one. Its integer programs once stopped on the clock (20 s for all the
programs of a criterion, 5 s each) and what they had not proved by then counted as pinned:
a loaded worker hid other regions and sexes than a quiet one, so a coordinator who
downloaded the same report twice (a busy and a quiet moment, or two replicas) could put the
two together and read more than either shows. Now their limits are counts (programs,
branch-and-bound nodes), the same on any machine; a wall clock is left only as a safety net
whose expiry hides everything the check covers (every region, sex and the total: a superset
of any answer, so nothing is read by combining), and says so in the log.

The machine is made slow by a clock that jumps `step` seconds each time it is read; the
reports are bench.exact_scale's synthetic national ones (their integer programs run)."""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator
from typing import Any

import pytest

from bench.exact_scale import report
from bot.services.indicators import training_exact
from bot.services.indicators.common import Hidden, sex_code

# (cells, seed, criterion): on the clock, each of these hid more regions and sexes when the
# programs ran out of time after a few of them, but not everything.
CASES = [(400, 0, "overall"), (100, 4, "overall")]
# Seconds the clock jumps at each reading: the time-limited check let about 0 to 6 programs
# run, or none (1000).
STEPS = [20 / (k + 1.5) for k in range(7)] + [1000.0]


def _read(case: tuple[int, int, str]) -> set[Any]:
    size, seed, name = case
    fine, people, hidden, unrated, unseen = report(size, seed)
    return _groups(training_exact.exactly_hidden(fine, people, name, hidden, unrated, unseen[name]))


def _groups(hidden: Hidden) -> set[Any]:
    return {*hidden.rows, *(("sex", c) for c in hidden.columns), *(["total"] * hidden.total)}


def _everything(case: tuple[int, int, str]) -> set[Any]:
    """What the check covers: every region and sex of the report, and the total."""
    _fine, people, _hidden, _unrated, _unseen = report(*case[:2])
    regions = frozenset(region for region, _sex in people)
    return _groups(Hidden(regions, frozenset(sex_code(s) for _r, s in people), total=True))


@pytest.fixture
def slow_clock(monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    """`slow_clock(step)`: from then on each reading of `time.monotonic` is `step` s later."""
    real = time.monotonic

    def set_step(step: float) -> None:
        readings = [0]

        def clock() -> float:
            readings[0] += 1
            return real() + readings[0] * step

        monkeypatch.setattr(time, "monotonic", clock)

    yield set_step
    monkeypatch.setattr(time, "monotonic", real)


@pytest.mark.parametrize("case", CASES)
def test_a_busy_machine_hides_what_a_quiet_one_does(
    case: tuple[int, int, str], slow_clock: Any
) -> None:
    quiet = _read(case)
    everything = _everything(case)
    assert quiet < everything  # the check does not hide everything here
    for step in STEPS:
        slow_clock(step)
        busy = _read(case)
        # Either the same, or the safety net's all (nothing more read by combining them).
        assert busy in (quiet, everything), (step, sorted(map(str, busy ^ quiet)))


def test_the_safety_net_hides_everything_it_covers_and_says_so(
    slow_clock: Any, caplog: pytest.LogCaptureFixture
) -> None:
    case = CASES[0]
    slow_clock(1000.0)
    with caplog.at_level(logging.WARNING, logger="bot.services.indicators.training_exact"):
        assert _read(case) == _everything(case)
    assert any("safety net" in r.getMessage() for r in caplog.records)
