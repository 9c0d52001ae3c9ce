"""The union reader by bounds (tests/test_union_disclosure.py, `tests.union_bounds`) over
random datasets: every indicator's workbook, national and each region's, read together as a
national coordinator reads them. The people of each region and sex, and what they did (a
workshop attended and rated, a meeting's answer and attendance, reading, cases, the
publication, the study visit with its regional leaders), are drawn from a seed; each region
has 3 people or more. Built on the real code and a real SQLite database (the e2e union tests
play the chat, on both databases); the rank test is not run here, as it reads the groups of
1 or 2 people of a region (public by design: /taller, /reunion) as given away.

A seed whose reports the reader still works someone out of is a known leak, kept as a
strict xfail with what gives it away."""

from __future__ import annotations

import random
from collections.abc import Iterator
from contextlib import contextmanager
from io import BytesIO

import pytest
from openpyxl import load_workbook

from bot.services.indicators import build_report
from bot.services.indicators.periods import Period
from bot.services.indicators.xlsx import report_xlsx
from storage.db import Database
from tests import union_bounds, union_dataset
from tests.helpers import CHECKED_AT
from tests.test_period_disclosure import T
from tests.test_union_disclosure import Read, _pinned, _workbook_sums
from tests.union_dataset import GROUPS, MEETINGS, PEOPLE, REGIONS, WORKSHOPS, seed_database

SEXES = ("female", "male", "undisclosed", None)


class Dataset:
    """A seed's people (name: region, sex), groups (as `union_dataset.GROUPS`), workshops
    and meetings (their people) and leaders."""

    def __init__(self, seed: int) -> None:
        rng = random.Random(seed)
        self.people: dict[str, tuple[str, str | None]] = {}
        for region in REGIONS:
            while sum(1 for p in self.people.values() if p[0] == region) < 3:
                for sex in SEXES:
                    for i in range(rng.choice([0, 0, 1, 2, 3, 3, 4, 5])):
                        self.people[f"{region}_{sex}_{i}"] = (region, sex)
        self.groups: dict[str, list[str]] = {key: [] for key in GROUPS}
        self.workshops: dict[str, list[str]] = {code: [] for code in WORKSHOPS}
        self.meetings: dict[str, list[str]] = {title: [] for title in MEETINGS}
        self.leaders: list[str] = []
        for name in self.people:
            self._draw(rng, name)

    def _draw(self, rng: random.Random, name: str) -> None:
        g = self.groups
        g["registered"].append(name)
        if rng.random() < 0.6:
            self.workshops[rng.choice(list(self.workshops))].append(name)
            g["attendees"].append(name)
            if rng.random() < 0.7:
                g["raters"].append(name)
        if rng.random() < 0.6:
            self.meetings[rng.choice(list(self.meetings))].append(name)
            g["invitees"].append(name)
            answer = rng.choice(["yes", "yes", "no", "pending"])
            came = answer == "yes" and rng.random() < 0.7
            if answer in ("yes", "no"):
                g["confirmed" if answer == "yes" else "declined"].append(name)
            if came:
                g["meeting_attendees"].append(name)
        if rng.random() < 0.4:
            g["readers"].append(name)
        if rng.random() < 0.25:
            g["case_officials"].append(name)
            g["cases"] += [name] * rng.choice([1, 2])
        if rng.random() < 0.5:
            g["received"].append(name)
            g["reached"].append(name)
        if rng.random() < 0.6:
            g["visit_invited"].append(name)
            if rng.random() < 0.35:
                self.leaders.append(name)
            if rng.random() < 0.6:
                g["visit_accepted"].append(name)
                if rng.random() < 0.7:
                    g["visit_travelled"].append(name)


@contextmanager
def installed(data: Dataset) -> Iterator[None]:
    """The union reader's model of the dataset (`union_dataset`'s people, groups, units and
    leaders, which its modules share) is `data`'s while inside."""
    lists = [*WORKSHOPS.values(), *MEETINGS.values(), union_dataset.LEADERS]
    saved = (dict(PEOPLE), dict(GROUPS), [list(names) for names in lists])
    most = union_bounds.MOST_CASES
    news = [*data.workshops.values(), *data.meetings.values(), data.leaders]
    try:
        _swap(data.people, data.groups, news, lists)
        union_bounds.MOST_CASES = max(1, len(data.groups["cases"]))
        yield
    finally:
        _swap(saved[0], saved[1], saved[2], lists)
        union_bounds.MOST_CASES = most


def _swap(people: dict, groups: dict, news: list[list[str]], lists: list[list[str]]) -> None:
    PEOPLE.clear()
    PEOPLE.update(people)
    GROUPS.update(groups)
    for old, new in zip(lists, news, strict=True):
        old[:] = new


# Fixed (`bot.services.indicators.training_parts`): each region's report shows its part of
# each workshop (attendees and responses, counts however few: public in /taller), and the
# national table by sex showed attendees and raters; whoever attended without rating was
# worked out of them, by sex and by region, and then the sex of a region's one attendee of a
# workshop (seeds 1, 4 and 6: «Sin dato» 4 attended, 4 rated; Piura's one attendee of UNION1
# gave no response, so was not «Sin dato»: Piura's one «Sin dato» did not attend it).
# Fixed (`sex_rule.by_sex`: a table by sex keeps its «Sin dato» row where it hides it): seed 6
# gave Piura's two women away as invited to a meeting, seed 13 Cusco's one woman (invited,
# confirmed, and invited to the study visit): the national report's Piura 6 invited of its 8,
# and Piura's own table by sex, every sex hidden but «Sin dato» left out (none of its invitees
# lacks a sex), a row of 0: its 6 were its two women and four men.
# Fixed (`meeting_rule._light_cut`: two small edges of one cycle are a light cut however
# many people they hold together): seed 10 gave Tacna's one woman away as not invited to the
# meeting of 16 April. The national row of 15 April (1 attended of 3: Cusco's 1, Tacna's 2)
# less Tacna's row (3 attended of its 4, 2 at each meeting) is -2, Tacna's 2 of the 16th
# both attended, which with the tables by sex left her out of them.
KNOWN_LEAKS: dict[int, str] = {}
# Seeds of a local run of range(30), each a kind of its own (27 is of 1, 4 and 6's); 24 gave
# someone away in the national workbook alone: read there (quicker, `ONE_SHEET`). 13 did too
# (indicator 3's attendees and raters by region and by sex, beside the people registered:
# fixed by `training_parts`), then gave Cusco's one woman away when every workbook is read
# (the row of «Sin dato» left out, as 6). Of a local run of range(30, 45), 33 and 43 gave
# someone away as invited or not beside the people registered (`invitee_bounds`: 43, Piura
# 1 invited of its four women and one man, women 4 invited of 7, 3 of them elsewhere; 33,
# women 7 of 8 beside Cusco's one woman shown not invited in Cusco's report), fixed. 41 is
# not, and not here: indicator 9 hides its officials' accepted or not by the process's hash
# order (PYTHONHASHSEED 1 hides them; 0, 2 and 3 do not, and Piura's one regional leader is
# worked out as not accepting: the national officials 11 accepted of 13, Cusco's 3 of 5).
# Of a local run of range(90), 29 and 65 gave regional leaders away as travelled or not
# (indicator 9): the national leaders' travellers, told by the share of travellers who are
# leaders beside the travellers (29: 1 of 6; 65: 5 of 15), less those of the regions whose
# leaders' figures show (by region, or in the pilot regions' table: 29, Piura's 1; 65,
# Cusco's 2 and Tacna's 0), left the rest at 0 (29: Cusco's two leaders and Puno's one) or
# all of them (65: Piura's one and Puno's two).
FOUND = (10, 13, 25, 26, 29, 33, 41, 43, 65)


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
@pytest.mark.parametrize(
    "seed",
    [
        pytest.param(seed, marks=pytest.mark.xfail(strict=True, reason=KNOWN_LEAKS[seed]))
        if seed in KNOWN_LEAKS
        else pytest.param(seed, marks=[pytest.mark.long(27)] if seed == 65 else [])
        for seed in [*range(7), *FOUND]  # 65: 27 s in CI run 30a (4 workers, quiet box)
    ],
)
async def test_random_unions_give_no_one_away_by_bounds(db: Database, seed: int) -> None:
    data = Dataset(seed)
    with installed(data):
        await seed_database(db)
        read = Read()
        for scope in [None, *REGIONS]:
            async with db.session() as session:
                report = await build_report(session, Period.quarter(2026, 2), scope, T, CHECKED_AT)
            _workbook_sums(load_workbook(BytesIO(report_xlsx(report, T))), scope, read)
        assert len(read.bounded.figures) > 100
        assert _pinned(read) is None


# Seeds whose national workbook gave someone away on one indicator's sheet alone, each with
# whom and that indicator (read there: quicker). 24 (fixed, `indicators.case_officials`):
# cases beside their officials, Piura 4 cases and 3 officials, «Sin dato» 5 and 3; had
# Piura's one «Prefiero no decir» registered none, Piura's 3 officials would be all of «Sin
# dato»'s, so «Sin dato»'s 5 cases all Piura's (whoever has a case is an official), not 4.
# Each table alone leaves it open; read together as whole numbers, they told it.
ONE_SHEET: dict[int, tuple[str, int]] = {24: ("piura_undisclosed_0", 4)}
NATIONAL_LEAKS: dict[int, str] = {}  # seeds of ONE_SHEET not fixed: a strict xfail, and why


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
@pytest.mark.parametrize(
    "seed",
    [
        pytest.param(seed, marks=pytest.mark.xfail(strict=True, reason=NATIONAL_LEAKS[seed]))
        if seed in NATIONAL_LEAKS
        else seed
        for seed in ONE_SHEET
    ],
)
async def test_one_sheet_of_the_national_workbook(db: Database, seed: int) -> None:
    """One indicator's sheet of the national workbook alone gave them away (its tables by
    region and by sex; quick to read): now no one."""
    name, number = ONE_SHEET[seed]
    with installed(Dataset(seed)):
        await seed_database(db)
        read = Read()
        async with db.session() as session:
            report = await build_report(session, Period.quarter(2026, 2), None, T, CHECKED_AT)
        book = load_workbook(BytesIO(report_xlsx(report, T)))
        for sheet in book.worksheets[1:]:
            if int(str(sheet["A1"].value).split(".")[0]) != number:
                book.remove(sheet)
        _workbook_sums(book, None, read)
        found = _pinned(read)
        assert found is None, f"{name}? {found}"
