"""Indicators 1 (participation) and 2 (regularity) on real databases (SQLite and PostgreSQL), on
the hand-worked dataset of tests/people_dataset.py (every number in the comments), for the first
quarter of 2026; and the definitions of 1, 2, 3 and 7 are their functions' docstrings.
Indicators 3 and 7: test_indicators_training_women.py.

What the two files check besides the arithmetic: people are counted once however many meetings or
workshops they appear in; groups of fewer than 3 people show no average or share (None);
events one minute before the period or at its end are left out, the first minute counts;
cancelled meetings are left out; a region's report sees only its people; the month table
keeps months without meetings.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from bot.i18n import N_
from bot.services.indicators import INDICATORS
from bot.services.indicators.participation import PARTICIPATION_DEFINITION, participation
from bot.services.indicators.regularity import REGULARITY_DEFINITION, meeting_regularity
from bot.services.indicators.training import DEFINITION as TRAINING_DEFINITION
from bot.services.indicators.training import training
from bot.services.indicators.women import DEFINITION as WOMEN_DEFINITION
from bot.services.indicators.women import women
from bot.services.meetings import KINDS
from storage.db import Database
from storage.models import Region
from tests.people_dataset import NONE, SEX_NAMES, T, compute, dataset, headlines, labels, values


def test_docstrings_are_the_definitions() -> None:
    for function, definition in (
        (participation, PARTICIPATION_DEFINITION),
        (meeting_regularity, REGULARITY_DEFINITION),
        (training, TRAINING_DEFINITION),
        (women, WOMEN_DEFINITION),
    ):
        assert " ".join((function.__doc__ or "").split()) == " ".join(definition.split())


def test_definitions_say_what_the_tables_by_sex_hide() -> None:
    """Indicators 1 and 3 hide a sex's figures by indicator 7's rule (`sex_rule`): their
    definitions, on the workbook's cover and in every report, say so in Spanish as 7's does
    (they said only that rates and averages of fewer than 3 people are hidden)."""
    for definition, people in (
        (PARTICIPATION_DEFINITION, "sus personas invitadas o que asistieron"),
        (TRAINING_DEFINITION, "sus asistentes o las personas que calificaron"),
    ):
        spanish = T.gettext(definition)
        assert f"Las cifras de un sexo no se muestran (—) cuando {people} revelarían" in spanish
        assert "el sexo de 1 o 2 personas" in spanish and "la regla del indicador 7" in spanish
    assert "1 o 2 personas de un sexo" in T.gettext(WOMEN_DEFINITION)


async def test_every_definition_says_what_its_table_by_sex_hides(db: Database) -> None:
    """Every indicator with a table by sex (`sex_rule.by_sex`, indicator 7's rule, whose own
    definition says it of its groups) says so in its definition, as 1 and 3 do; 4, 5, 6, 8
    and 9 did not (failed on main, listing them)."""
    await dataset(db)
    sex = T.gettext(N_("Sex"))
    split, silent = [], []
    for function in INDICATORS:
        indicator = await compute(db, function)
        if not any(table.columns[0].label == sex for table in indicator.tables):
            continue
        split.append(indicator.number)
        said = indicator.definition
        if "Las cifras de un sexo no se muestran (—) cuando" not in said or (
            "la regla del indicador 7" not in said
        ):
            silent.append(indicator.number)
    assert split == [1, 3, 4, 5, 6, 8, 9]
    assert silent == []


async def test_participation(db: Database) -> None:
    await dataset(db)
    indicator = await compute(db, participation)
    assert indicator.number == 1
    # Meetings M6, M1, M2. Invited once each: ana (3 meetings), beto, carla, dora, eloy, fio,
    # gino, hilda = 8. Confirmed (yes or delegate at least once): all but dora = 7. Delegates:
    # beto, fio = 2. Attended: ana, beto, eloy, gino, carla, hilda = 6. Rates 7/8 and 6/8.
    assert headlines(indicator) == [3, 8, 7, 2, 6, 0.875, 0.75]
    by_region, by_sex, meetings = indicator.tables
    # Columns: invited, confirmed, delegated, attended, confirmation rate, attendance rate.
    assert labels(by_region) == ["Cusco", "Piura", "Puno", NONE, "Total"]
    # A group of fewer than 3 shows how many were invited, and nothing of what they did: its
    # counts would give the rates hidden (1 of 2 confirmed is 50 %).
    hidden = (None,) * 5
    assert values(by_region) == [
        (2, *hidden),  # dora (no answer, no), eloy (confirmed 1, attended 1)
        (2, *hidden),  # fio (delegate, absent), hilda (erased, still counted)
        (3, 3, 1, 3, 1.0, 1.0),  # ana, beto, carla
        (1, *hidden),  # gino
        (8, 7, 2, 6, 0.875, 0.75),
    ]
    assert labels(by_sex) == [*SEX_NAMES, "Total"]
    # Women: ana, carla, dora, hilda; 3 of them confirmed. But the 7 confirmed less the
    # women's 3 leave 4 for the 8 invited less the women's 4: every man and other confirmed
    # (a count lies between 0 and its whole), so confirmed by sex is hidden, women's too.
    # And sent a delegate: the women's 0 tells ana's and carla's, so Puno's 1 of 3 was beto's;
    # hidden by sex (`bounded_columns`).
    assert values(by_sex) == [
        (4, None, None, 3, None, 0.75),
        # beto, eloy; fio; gino: their counts too, as indicator 7 hides them (1 or 2 people
        # of one sex: `sex_rule`), and the total less the women's rests on all four.
        (None, *hidden),
        (None, *hidden),
        (None, *hidden),
        (8, 7, 2, 6, 0.875, 0.75),
    ]
    coordination, committee = T.gettext(KINDS["coordinacion"]), T.gettext(KINDS["comite"])
    # Date (Lima), title, kind, invited, confirmed, delegated, answered no, attended, rate.
    # M6's and M2's answers are hidden (since 4e74c76): Piura's M2 (hilda) and Puno's (ana,
    # carla) cut the meetings × regions graph together, their sum M2's own row of 3, but
    # Piura is among the hidden regions merged, whose groups their own reports show apart
    # (`meeting_rule._light_pair`); M6 is then hidden by the bounds (`_bounded`).
    assert list(meetings.rows) == [
        (T.date(date(2026, 1, 1)), "Reunión M6", coordination, 4, *(None,) * 5),
        (T.date(date(2026, 1, 10)), "Reunión M1", coordination, 6, 4, 1, 1, 3, 0.5),
        (T.date(date(2026, 3, 31)), "Reunión M2", committee, 3, *(None,) * 5),
    ]

    indicator = await compute(db, participation, "puno")
    puno = (3, 3, 1, 3, 1.0, 1.0)  # ana, beto, carla: every one confirmed and attended
    assert headlines(indicator) == [3, *puno]
    assert list(indicator.tables[0].rows) == [("Puno", *puno), ("Total", *puno)]
    # Only Puno's invitees: M6 ana, beto, carla; M1 ana, beto; M2 ana, carla.
    # M1 and M2 had two invitees each from Puno: only how many is shown. M6's answers are
    # hidden too: the national report's M6 (4 invitees) less Puno's 3 is dora (issue #13).
    assert [row[:2] + row[3:] for row in indicator.tables[2].rows] == [
        (T.date(date(2026, 1, 1)), "Reunión M6", 3, *hidden),
        (T.date(date(2026, 1, 10)), "Reunión M1", 2, *hidden),
        (T.date(date(2026, 3, 31)), "Reunión M2", 2, *hidden),
    ]
    # Cusco: dora was invited to M6 and M1, eloy to M1 (and to M4, before the period).
    cusco = await compute(db, participation, "cusco")
    assert [row[1] for row in cusco.tables[2].rows] == ["Reunión M6", "Reunión M1"]
    assert headlines(cusco) == [2, 2, *hidden]  # two people: what they did is not shown


async def test_meeting_regularity(db: Database) -> None:
    await dataset(db)
    indicator = await compute(db, meeting_regularity)
    assert indicator.number == 2
    # M6 (1 Jan), M1 (10 Jan), M2 (31 Mar, Lima): gaps 9 and 80 days (21 + 28 + 31).
    # Regional governments with a meeting from 1 Apr 2025 to 31 Mar 2026: Cusco, Piura, Puno,
    # Áncash (M4) and Junín (M8, the window's first minute); 25 - 5 = 20 without.
    # No agreements recorded for follow-up: no share fulfilled on time (its own test:
    # tests/test_indicators_agreements.py).
    assert headlines(indicator) == [3, 2, 44.5, 80, 20, None]
    kinds, months, regions, without, agreements = indicator.tables
    assert list(agreements.rows) == [("Total", 0, 0, 0, 0, None)]
    assert labels(kinds) == [*(T.gettext(label) for label in KINDS.values()), "Total"]
    assert values(kinds) == [(2,), (1,), (0,), (0,), (3,)]
    # Columns: coordination, committee, technical, other, total. February had only M5
    # (cancelled): it stays, with zeros.
    assert [c.label for c in months.columns[1:5]] == [T.gettext(label) for label in KINDS.values()]
    assert [label.lower() for label in labels(months)] == [
        "enero 2026", "febrero 2026", "marzo 2026", "total",
    ]  # fmt: skip
    assert values(months) == [(2, 0, 0, 0, 2), (0, 0, 0, 0, 0), (0, 1, 0, 0, 1), (2, 1, 0, 0, 3)]
    # Meetings concerning each region (an invitee from it): count, last date, average gap.
    assert list(regions.rows) == [
        ("Cusco", 2, T.date(date(2026, 1, 10)), 9.0),  # M6 (dora), M1 (dora, eloy)
        ("Piura", 2, T.date(date(2026, 3, 31)), 80.0),  # M1 (fio), M2 (hilda)
        ("Puno", 3, T.date(date(2026, 3, 31)), 44.5),  # M6, M1, M2
        ("Total", 3, T.date(date(2026, 3, 31)), 44.5),
    ]
    async with db.session() as session:
        governments = await session.execute(
            select(Region.code, Region.name).where(Region.kind == "regional_government")
        )
    expected = [
        (
            name,
            T.date(date(2025, 3, 31)) if code == "tacna" else None,
        )  # M7, a minute before the window
        for code, name in governments
        if code not in {"ancash", "cusco", "junin", "piura", "puno"}
    ]
    assert len(expected) == 20
    assert list(without.rows) == expected

    cusco = await compute(db, meeting_regularity, "cusco")
    assert headlines(cusco) == [2, 2, 9.0, 9, 0, None]
    assert values(cusco.tables[1]) == [(2, 0, 0, 0, 2), (0,) * 5, (0,) * 5, (2, 0, 0, 0, 2)]
    assert values(cusco.tables[2]) == [(2, T.date(date(2026, 1, 10)), 9.0)] * 2  # Cusco, total
    assert cusco.tables[3].rows == ()
    tacna = await compute(db, meeting_regularity, "tacna")
    assert headlines(tacna) == [0, 0, None, None, 1, None]
    assert list(tacna.tables[2].rows) == [("Total", 0, None, None)]
    assert list(tacna.tables[3].rows) == [("Tacna", T.date(date(2025, 3, 31)))]
