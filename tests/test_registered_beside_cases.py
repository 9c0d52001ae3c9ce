"""Indicators 4 and 5 read with /registrados (tests/case_figures' reader of whole numbers,
as tests/test_case_support_disclosure reads them): each region's split by sex that
/registrados shows tells which of its cells of region and sex have nobody, so none of their
cases. A national coordinator asks /registrados over the chat; the reports are those of
`cases_attended` and `formalization`, national and each region's, as the workbooks print
them. Seed 25: Cusco's one formalization case (public: the table by region), the national
table by sex showing «Prefiero no decir» at 0 and no «Sin dato» row, and /registrados
showing Cusco's 0 men: its case was a woman's, whose row both tables hide. Seed 14: Tacna's
one formalized case, Hombre and «Prefiero no decir» formalized 0 nationally, and Tacna's
people all of a sex (none «Sin dato»): it was a Tacna woman's. Seed 39, indicator 4: Piura's
one case, the national table by sex showing Mujer at 0 and no «Sin dato», Piura's 0 men:
its «Prefiero no decir»'s. All three failed on main 6f985e5 (`registered_zeros` fixes them).
A region whose people are all of one sex tells each of its counts by sex (the documented
limit of `bot.services.small_cells`): none of these seeds has one."""

from __future__ import annotations

import re

import pytest

from bot.local_api import LocalBotApi
from bot.runtime import Runtime
from tests.case_figures import SEXES, Reading
from tests.test_case_support_disclosure import _draw_cases, _draw_formalization, _read, _truth
from tests.test_union_random import Dataset, installed
from tests.union_dataset import REGIONS, seed_database
from tests.union_units import national_coordinator

LINE = re.compile(r"^(?P<name>[^:\n]+): (?P<total>\d+) \((?P<split>.*)\)$", re.MULTILINE)


def registered_zeros(text: str, reading: Reading) -> int:
    """Each cell of region and sex that /registrados shows at 0 (a sex printed at 0, «Sin
    dato» the region's total less its sexes), as a figure of 0 cases; how many."""
    codes = {name: code for code, name in REGIONS.items()}
    found = 0
    for line in LINE.finditer(text):
        code = codes.get(line["name"])
        if code is None or line["split"] == "—":
            continue
        shown = {label: int(n) for label, n in re.findall(r"([^:·]+): (\d+)", line["split"])}
        shown = {label.strip(): n for label, n in shown.items()}
        shown["Sin dato"] = int(line["total"]) - sum(shown.values())
        for label, n in shown.items():
            if n == 0:
                cells = reading.cells(code, SEXES[label], before=True)
                reading.figure("cases", cells, 0, f"/registrados {line['name']} {label}")
                found += 1
    return found


@pytest.mark.parametrize("seed", [14, 25, 39])
async def test_registered_beside_the_cases_gives_no_one_away(
    api: LocalBotApi, runtime: Runtime, seed: int
) -> None:
    nacho = await national_coordinator(api, runtime)
    db = runtime.db
    with installed(Dataset(seed)):
        await seed_database(db)
        await _draw_cases(db, seed)
        await _draw_formalization(db, seed)
        reading = await _read(db, formalized=True)
        truth = await _truth(db)
    (registered,) = await nacho.say("/registrados")
    assert registered_zeros(registered.text, reading) >= 2, registered.text
    assert reading.hidden, "nothing hidden: the seed tests nothing"
    assert reading.given_away(truth) == {}
