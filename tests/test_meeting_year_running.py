"""Indicator 1 (and 7's meeting rows) in a year in progress: the year's report read on 5 July
(Q1 and Q2's meetings held, Q3's not yet) counts people once over the year so far, a period
of its own beside the quarters and the year read after its end (`tests/running_attack.py`;
`python -m bench.attack_reports --running` runs it over many seeds).

Indicator 3 shows such people «—» until its year ends (`training_year`: its quarters decide
their hiding from the year so far, and the year so far read at two quarters' ends pinned
someone in tests/test_training_year's tables). Indicator 1's year decides its own hiding
beside its quarters (`period_bounds.year_hides`), the year so far as well as the whole year:
read on 5 July it shows no more than its quarters Q1 and Q2 show (`joint`). On seeds 1-4, 6
and 7 of the bench (national reports, load 18-27) the year so far pinned no one that the same
reports without it did not: seed 3's pin (the year's «Prefiero no decir» 14 and «Sin dato» 13
invited of 39 leave 12, every woman and man registered) comes from the year's report alone,
seed 4's (Cusco's one man sent no delegate) from Q1, Q2, Q3 and the year without the 5 July
reading (fixed: a quarter hides more beside its year so far, `period_reads.quarter_first`).
This seed, 2, pins no one. Not read here: the year read on several dates within one quarter
(a period in progress read twice: tests/test_period_in_progress.py)."""

from __future__ import annotations

import pytest

from tests.period_attack import pinned
from tests.running_attack import RunningModel, draw_running, read_as_held


@pytest.mark.long(33)  # CI run 30a (4 workers, quiet box)
@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
async def test_the_year_so_far_gives_no_one_away(db) -> None:
    programme = draw_running(2)
    model = RunningModel(programme)
    await read_as_held(db, programme, model, [None])
    so_far = [f for f in model.figures if f.label.startswith("S2 ")]
    assert any(  # the 5 July reading was read, and tells other figures than the year's
        f.value != g.value for f in so_far for g in model.figures if g.label == "Y" + f.label[2:]
    )
    checked, found = pinned(model)
    assert checked > 20
    assert not found, [(target.label, target.truth, how) for target, how in found]
