"""Indicators 3 (training) and 7 (women) on real databases (SQLite and PostgreSQL), on the
hand-worked dataset of tests/people_dataset.py (every number in the comments), for the first
quarter of 2026; what they check besides the arithmetic: test_indicators_people.py."""

from __future__ import annotations

from datetime import date

from bot.services.indicators.training import training
from bot.services.indicators.women import women
from storage.db import Database
from tests.people_dataset import (
    NONE,
    SEX_NAMES,
    TAL001_AVERAGES,
    TAL002_AVERAGES,
    T,
    compute,
    dataset,
    headlines,
    labels,
    values,
)


async def test_training(db: Database) -> None:
    await dataset(db)
    indicator = await compute(db, training)
    assert indicator.number == 3
    # TAL001 and TAL002. Completed responses: 6 + 3 = 9 (fio left hers unfinished); raters:
    # ana and dora rated both, so 7 people. Attendees: ana, beto, carla, dora, eloy, fio, gino,
    # hilda = 8, of whom 6 answered a workshop they attended (not fio, gino; luis rated
    # without a recorded attendance). Overall: 5+4+3+5+1+2 + 4+2+5 = 31 over 9 responses.
    assert headlines(indicator) == [2, 8, 7, 0.75, 31 / 9]
    criteria, distribution, by_region, by_sex, workshops = indicator.tables
    # content 5+4+2+4+2+2 + 3+2+5 = 29; facilitation 4+4+3+5+1+2 + 4+3+5 = 31;
    # usefulness 5+3+3+5+2+2 + 4+2+5 = 31; organisation 4+4+3+5+1+2 + 4+2+5 = 30.
    assert values(criteria) == [(31 / 9, 9), (29 / 9, 9), (31 / 9, 9), (31 / 9, 9), (30 / 9, 9)]
    # 1: eloy; 2: luis, dora (TAL002); 3: carla; 4: beto, ana (TAL002); 5: ana, dora, hilda.
    # Counts of 1 and 2 are one or two people's answers: the whole distribution is hidden.
    assert list(distribution.rows) == [(str(score), None, None) for score in range(1, 6)]
    # Attendees, raters, response rate, responses, overall, content, facilitation,
    # usefulness, organisation.
    assert labels(by_region) == ["Cusco", "Junín", "Piura", "Puno", NONE, "Total"]
    nothing = (None, None, None, None, None)
    assert values(by_region) == [
        (2, 2, None, 3, *nothing),  # dora, eloy: two raters, averages hidden
        (0, 1, None, 1, *nothing),  # luis
        (2, 1, None, 1, *nothing),  # fio (unfinished), hilda
        (3, 3, 1.0, 4, 16 / 4, 14 / 4, 15 / 4, 15 / 4, 15 / 4),  # ana twice, beto, carla
        (1, 0, None, 0, *nothing),  # gino
        (8, 7, 0.75, 9, 31 / 9, 29 / 9, 31 / 9, 31 / 9, 30 / 9),
    ]
    assert values(by_sex) == [
        # ana (twice), carla, dora (twice), hilda: 4 attended and rated, 6 responses. Hidden
        # with «Prefiero no decir»'s raters (0): Piura's 1 rater, of hilda and fio, beside
        # fio's sex's 0 was hilda (`training_parts`: the cell of Piura's women, of 1 person,
        # pinned at all of her; the men's 3 do not hide her: each of them is all of his region's
        # people of his sex).
        (None, None, None, None, *nothing),
        # beto, eloy attended (luis too rated), fio, gino: hidden as indicator 7 hides them
        # (2, 1 and 1 attendees: `sex_rule`), every figure of their rows.
        (None, None, None, None, *nothing),
        (None, None, None, None, *nothing),
        (None, None, None, None, *nothing),
        (8, 7, 0.75, 9, 31 / 9, 29 / 9, 31 / 9, 31 / 9, 30 / 9),
    ]
    # Code, title, date, workshop region, attendees, responses, rate, the five averages.
    # TAL001: ana beto carla dora eloy luis (fio unfinished; luis did not attend, so 5 of
    # the 6 attendees answered). TAL002: ana dora hilda answered, gino did not.
    assert list(workshops.rows) == [
        (
            "TAL001",
            "Taller TAL001",
            T.date(date(2026, 2, 10)),
            "Puno",
            6,
            6,
            5 / 6,
            *TAL001_AVERAGES,
        ),
        (
            "TAL002",
            "Taller TAL002",
            T.date(date(2026, 3, 31)),
            "Cusco",
            4,
            3,
            3 / 4,
            *TAL002_AVERAGES,
        ),
    ]

    puno = await compute(db, training, "puno")
    # ana, beto, carla: attended and rated TAL001; ana also TAL002 (held in Cusco).
    assert headlines(puno) == [2, 3, 3, 1.0, 16 / 4]
    # TAL001's averages (12 / 3 overall) beside the total (16 / 4) would give ana's rating of
    # TAL002 (4): hidden with it; so is its response rate, TAL002 having one attendee.
    assert values(puno.tables[4]) == [
        (
            "Taller TAL001",
            T.date(date(2026, 2, 10)),
            "Puno",
            3,
            3,
            None,
            None,
            None,
            None,
            None,
            None,
        ),
        (
            "Taller TAL002",
            T.date(date(2026, 3, 31)),
            "Cusco",
            1,
            1,
            None,
            None,
            None,
            None,
            None,
            None,
        ),
    ]
    # Junín: luis rated TAL001 (held in Puno) without attending it.
    junin = await compute(db, training, "junin")
    assert headlines(junin) == [1, 0, 1, None, None]
    assert [row[0] for row in junin.tables[4].rows] == ["TAL001"]
    tacna = await compute(db, training, "tacna")
    assert headlines(tacna) == [0, 0, 0, None, None]
    assert tacna.tables[4].rows == ()


async def test_women(db: Database) -> None:
    await dataset(db)
    indicator = await compute(db, women)
    assert indicator.number == 7
    groups, by_region = indicator.tables
    assert [c.label for c in groups.columns[1:5]] == SEX_NAMES
    # Women, men, prefer not to say, not recorded, everyone, share of women. A sex of 1 or 2
    # people is hidden, and the smallest other with it (the total less those shown would
    # tell them); the women's count, and the share, where it is not among them.
    assert values(groups) == [
        # Registered before the end: all but iris (never) and juan (at the end); hilda erased.
        (5, None, None, None, 10, 0.5),  # ana carla dora hilda kelly; beto eloy luis; fio; gino
        (4, None, None, None, 8, 0.5),  # attendees: ana carla dora hilda; beto eloy; fio; gino
        # raters: ana carla dora hilda; beto eloy luis; the women's and fio's hidden together
        # (Piura's 1 rater beside fio's 0 was hilda: `training_parts`), and the share.
        (None, 3, None, 0, 7, None),
        (4, None, None, None, 8, 0.5),  # meeting invitees: as attendees, by chance
        # meeting attendees: ana carla hilda; beto eloy; gino. «Prefiero no decir» 0 is
        # hidden as indicator 1's table by sex hides its row (fio invited alone).
        (3, None, None, None, 6, 0.5),
    ]
    assert headlines(indicator) == [0.5, 0.5, None, 0.5, 0.5]
    assert labels(by_region) == ["Cusco", "Junín", "Piura", "Puno", "Tacna", NONE, "Total"]
    hidden = (None, None, None, None, None)
    # Every region has a sex of 1 or 2 people in some group (Puno: beto), so no region's
    # share can be shown: the national one less the others' would tell the last one's.
    assert values(by_region) == [*[hidden] * 6, (0.5, 0.5, None, 0.5, 0.5)]

    puno = await compute(db, women, "puno")  # ana, carla and beto: his sex would be told
    assert values(puno.tables[0]) == [(None, None, None, None, 3, None)] * 5
    assert headlines(puno) == [None] * 5
    tacna = await compute(db, women, "tacna")
    # kelly alone: her sex is hidden; the groups with nobody show their zeros.
    assert values(tacna.tables[0]) == [
        (None, None, None, None, 1, None),
        *[(0, 0, 0, 0, 0, None)] * 4,
    ]
