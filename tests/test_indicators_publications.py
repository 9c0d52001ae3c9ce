"""Indicator 8 (publications and their dissemination) on a small dataset whose every number
was worked out by hand (comments), on SQLite and PostgreSQL.

Period: the fourth quarter of 2026 in Lima (1 October 00:00 to 1 January 2027 00:00, -05:00).
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from io import BytesIO

import pytest
from openpyxl import load_workbook
from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.services.indicators import build_report
from bot.services.indicators.common import Indicator, Table
from bot.services.indicators.publications import DEFINITION, publications
from bot.services.indicators.render import summary_messages
from bot.services.indicators.xlsx import report_xlsx
from storage.db import Database
from storage.models import Person, Publication, PublicationDelivery
from tests.indicator_common import END, LIMA, LONG_AGO, Q4, START, T, computed, rows

MINUTE = timedelta(minutes=1)

# name: (sex, region, registered_at). P10 registered at the period's end (too late); P11
# during it; P12 later erased her data (region and sex are kept).
PEOPLE: dict[str, tuple[str, str, datetime]] = {
    "p1": ("female", "puno", LONG_AGO),
    "p2": ("male", "puno", LONG_AGO),
    "p3": ("female", "puno", LONG_AGO),
    "p4": ("female", "puno", LONG_AGO),
    "p5": ("male", "piura", LONG_AGO),
    "p6": ("female", "piura", LONG_AGO),
    "p7": ("female", "piura", LONG_AGO),
    "p8": ("female", "cusco", LONG_AGO),
    "p9": ("male", "pasco", LONG_AGO),
    "p10": ("male", "puno", END),
    "p11": ("male", "puno", datetime(2026, 11, 1, tzinfo=LIMA)),
    "p12": ("female", "moquegua", LONG_AGO),
}
# A: published before the period; B: during it, withdrawn on 1 December; C: after it.
PUBLICATIONS: dict[str, tuple[str, date, datetime | None]] = {
    "A": ("La regionalización del sector minero", date(2026, 9, 15), None),
    "B": ("Guía del REINFO", date(2026, 11, 10), datetime(2026, 12, 1, tzinfo=LIMA)),
    "C": ("Borrador 2027", date(2027, 1, 5), None),
}
# (publication, person, first delivery). In the period: P2 (its first minute), P3 twice (A and
# B: one person), P1 (B; she had A before the period), P5 (its last minute), P9, P11, P12.
# Out: P8 (a minute before: reached, not received in the period), P6 (at the end), P2's C
# (after it).
DELIVERIES: list[tuple[str, str, datetime]] = [
    ("A", "p1", datetime(2026, 9, 20, tzinfo=LIMA)),
    ("A", "p2", START),
    ("A", "p3", datetime(2026, 10, 5, tzinfo=LIMA)),
    ("B", "p3", datetime(2026, 11, 20, tzinfo=LIMA)),
    ("B", "p1", datetime(2026, 11, 15, tzinfo=LIMA)),
    ("A", "p5", END - MINUTE),
    ("A", "p6", END),
    ("A", "p8", START - MINUTE),
    ("B", "p9", datetime(2026, 11, 12, tzinfo=LIMA)),
    ("A", "p11", datetime(2026, 11, 2, tzinfo=LIMA)),
    ("A", "p12", datetime(2026, 10, 20, tzinfo=LIMA)),
    ("C", "p2", datetime(2027, 1, 6, tzinfo=LIMA)),
]


async def _seed(session: AsyncSession) -> None:
    people = {}
    for number, (name, (sex, region, registered)) in enumerate(PEOPLE.items(), start=1):
        person = Person(
            telegram_id=3000 + number,
            full_name=name,
            sex=sex,
            region_code=region,
            consent_at=LONG_AGO,
            registered_at=registered,
            erased_at=datetime(2026, 12, 2, tzinfo=LIMA) if name == "p12" else None,
        )
        session.add(person)
        await session.flush()
        people[name] = person.id
    documents = {}
    for code, (title, published, withdrawn) in PUBLICATIONS.items():
        publication = Publication(
            title=title,
            summary="Resumen",
            published_on=published,
            filename=f"{code}.pdf",
            content=b"%PDF-1.4",
            size=8,
            withdrawn_at=withdrawn,
        )
        session.add(publication)
        await session.flush()
        documents[code] = publication.id
    session.add_all(
        PublicationDelivery(
            publication_id=documents[code], person_id=people[who], source="chat", delivered_at=at
        )
        for code, who, at in DELIVERIES
    )


@pytest.fixture
async def dataset(db: Database) -> Database:
    async with db.session() as session:
        await _seed(session)
    return db


async def _compute(db: Database, region: str | None = None) -> Indicator:
    return await computed(db, publications, Q4, region)


async def test_publications_and_dissemination(dataset: Database) -> None:
    indicator = await _compute(dataset)
    assert indicator.number == 8 and indicator.definition == T.gettext(DEFINITION)
    # Received in the period: P1 P2 P3 P5 P9 P11 P12 = 7. Reached by its end (and registered
    # by then): those and P8 = 8, of 11 registered (P10 registered at the end: not counted).
    # Pilot regions reached: 4 of 6, but Pasco and Moquegua are hidden (see the last test).
    # The share reached (8 / 11) is hidden with the total reached (see the table by region).
    assert [h.value for h in indicator.headlines] == [7, None, None]
    each, by_region, by_sex, pilots = indicator.tables
    # A in the period: P2 P3 P5 P11 P12; by its end also P1 and P8 (P6 at the end: out).
    # B: P9 P1 P3, all in the period, withdrawn on 1 December. C is published after it.
    # Up to its end (7 and 3) is hidden as the total reached is: with one publication, it is.
    assert each.rows == (
        ("La regionalización del sector minero", "15 de setiembre de 2026", "Disponible", 5, None),
        ("Guía del REINFO", "10 de noviembre de 2026", "Retirada", 3, None),
    )
    # registered, received in the period, reached by its end, share reached. Cusco, Pasco and
    # Moquegua have one registered person each: their figures are hidden, counts too (1 reached
    # of 1 registered is the share; issue #13); together they rest on 3 people, so nothing
    # more need be hidden by sums. Puno: P1 P2 P3 P4 P11, reached P1 P2 P3 P11. But the total
    # reached (8), less Piura's 1 and Puno's 4, leaves 3 for the three hidden, each at most
    # her 1 registered: each was reached. So the total reached is hidden, and its share; in
    # the period, 7 − 1 − 4 = 2 of 3 tells no one's.
    assert rows(by_region) == {
        "Cusco": (1, None, None, None),
        "Moquegua": (1, None, None, None),
        "Pasco": (1, None, None, None),
        "Piura": (3, 1, 1, 1 / 3),
        "Puno": (5, 4, 4, 0.8),
        "Total": (11, 7, None, None),
    }
    # Women: P1 P3 P4 P6 P7 P8 P12, received P1 P3 P12, reached also P8. Men: P2 P5 P9 P11.
    # Reached by sex (4 + 4) would add up to the total hidden above: hidden too. Received in
    # the period: every man (4 of 4, P5 of Piura among them), so Piura's 1 of 3 left its two
    # women (P6, P7) none: hidden by sex, the men's too (the women's 3 is the total's 7 less
    # them; `bounded_columns`). Registered men: 3 at the end of October, 4 at November's
    # (P11): the reports of Q3 and Q4 subtracted would tell P11's sex, so the men are hidden
    # at every month's end since, «Prefiero no decir» with them (the total less the sexes
    # shown would give them: `registered_history`). Women reached before the period (reached
    # by its end, none received in it: P8) are 1, a count of one person that the two columns
    # side by side would tell (`publications._with_before`): the women's row is hidden, and
    # «Sin dato» with it (the total less the sexes shown would give the women's 7 back).
    assert rows(by_sex) == {
        "Mujer": (None, None, None, None),
        "Hombre": (None, None, None, None),
        "Prefiero no decir": (None, None, None, None),
        "Sin dato": (None, None, None, None),
        "Total": (11, 7, None, None),
    }
    # The pilot regions, in the programme's order; reached, its share and whether it was
    # reached hidden as in the region table (one registered person: «Sí» would tell hers).
    assert rows(pilots) == {
        "La Libertad": (0, 0, None, "No"),
        "Pasco": (1, None, None, None),
        "Moquegua": (1, None, None, None),
        "Piura": (3, 1, 1 / 3, "Sí"),
        "Puno": (5, 4, 0.8, "Sí"),
        "Madre de Dios": (0, 0, None, "No"),
    }


async def test_region_scope(dataset: Database) -> None:
    indicator = await _compute(dataset, "puno")
    assert [h.value for h in indicator.headlines] == [4, 0.8, "1 de 1"]
    each, by_region, by_sex, pilots = indicator.tables
    # Puno's people only: A in the period P2 P3 P11, by its end also P1; B: P1 P3.
    assert [row[3:] for row in each.rows] == [(3, 4), (2, 2)]
    assert rows(by_region) == {"Puno": (5, 4, 4, 0.8), "Total": (5, 4, 4, 0.8)}
    # Two men (both reached): hidden, and the women's with them (5 − 3 = 2), their
    # registered counts too, as indicator 7 and /registrados hide them (`sex_rule`).
    assert rows(by_sex) == {
        "Mujer": (None, None, None, None),
        "Hombre": (None, None, None, None),
        "Prefiero no decir": (None, None, None, None),
        "Sin dato": (None, None, None, None),  # hidden too: left out, it would tell its 0
        "Total": (5, 4, 4, 0.8),
    }
    assert rows(pilots) == {"Puno": (5, 4, 0.8, "Sí")}
    outside = await _compute(dataset, "cusco")  # not a pilot region: no pilot figure
    assert outside.headlines[2].value is None and outside.tables[3].rows == ()
    # One registered person: what she received is hidden in her region's report too.
    assert outside.headlines[0].value is None
    assert outside.tables[1].rows[0] == ("Cusco", 1, None, None, None)


async def test_workbook_sheet_cover_and_summary_line(dataset: Database) -> None:
    """Indicator 8 in the whole report: its own sheet, its definition on the cover, and one
    block in the chat summary with its headline figures; the new figures of 2 (agreements)
    and 4 (Regional Team reports) carry their definitions on the cover too."""
    from bot.services.indicators.team_reports import DEFINITION as TEAM_REPORTS

    async with dataset.session() as session:
        report = await build_report(session, Q4, None, T, END)
    (block,) = [text for text in summary_messages(report, T) if "8. " in text]
    assert "<b>8. Publicación y difusión de documentos</b>\n" in block
    assert "• Recibieron una publicación en el periodo: 7\n" in block
    assert "• Proporción de personas registradas alcanzadas: —\n" in block  # see the first test
    assert "• Regiones piloto alcanzadas: —" in block  # Pasco and Moquegua hidden
    book = load_workbook(BytesIO(report_xlsx(report, T)))
    (sheet,) = [name for name in book.sheetnames if name.startswith("8 ")]
    assert book[sheet]["A1"].value.startswith("8. ")
    assert book[sheet]["A2"].value == T.gettext(DEFINITION)
    definitions = {row[0]: row[2] for row in book["Portada"].iter_rows(values_only=True) if row[0]}
    assert definitions[8] == T.gettext(DEFINITION)
    assert "The share fulfilled on time is over the agreements due" not in definitions[2]
    assert "proporción cumplida a tiempo es sobre los acuerdos que vencían" in definitions[2]
    assert T.gettext(TEAM_REPORTS) in definitions[4]


async def test_a_hidden_pilot_regions_reach_is_not_told(dataset: Database) -> None:
    """Pasco's one registered person (P9) and Moquegua's (P12) received a publication. The
    table by region hides it, and the pilot table hid the count, but beside «1 registered»
    it said «Sí» (reached), and the headline «4 de 6», less Piura and Puno shown reached,
    told the same. A pilot region's reach is hidden with its figures, and the count of pilot
    regions reached with it."""
    for region in (None, "pasco"):
        indicator = await _compute(dataset, region)
        pilots = indicator.tables[3]
        hidden = [row for row in pilots.rows if row[1] and row[2] is None]
        assert hidden, pilots.rows
        assert [row[4] for row in hidden] == [None] * len(hidden), hidden
        assert indicator.headlines[2].value is None, indicator.headlines[2]


# Columns of the tables by region and by sex: registered, received in the period, reached by
# its end, share reached. A count lies between 0 and, for those reached, the registered
# people shown beside it.
REGISTERED_COLUMN, RECEIVED_COLUMN, REACHED_COLUMN, SHARE_COLUMN = 1, 2, 3, 4
BOUNDS = ((RECEIVED_COLUMN, None), (REACHED_COLUMN, REGISTERED_COLUMN))
SCOPES = (None, "puno", "piura", "cusco", "pasco", "moquegua")


def _known_total(tables: list[Table], column: int) -> int | None:
    """A count's total as the reader finds it: shown in a total row, as the sum of a table's
    rows when none is hidden, or as a share beside the registered people it is of."""
    for table in tables:
        *groups, last = table.rows
        if last[column] is not None:
            return int(last[column])
        if all(row[column] is not None for row in groups):
            return sum(int(row[column]) for row in groups)
        if column == REACHED_COLUMN and last[SHARE_COLUMN] is not None:
            return round(last[SHARE_COLUMN] * last[REGISTERED_COLUMN])
    return None


def _worked_out(tables: list[Table], total: int, column: int, bound: int | None) -> list[str]:
    """The hidden cells of `column` the reader works out: the hidden ones of a table add up to
    the total less those shown, and each lies between 0 and its bound shown beside it; at
    either end of that range (or alone) each one is known."""
    found = []
    for table in tables:
        hidden = [
            (index, row)
            for index, row in enumerate(table.rows[:-1])
            if row[column] is None and (index, column) not in table.harmless
        ]
        if not hidden:
            continue
        rest = total - sum(int(row[column]) for row in table.rows[:-1] if row[column] is not None)
        limits = [row[bound] if bound is not None else None for _index, row in hidden]
        top = None if None in limits else sum(limits)
        if len(hidden) == 1 or rest == 0 or rest == top:
            found += [f"{table.title}: {row[0]} ({rest} of {top})" for _index, row in hidden]
    return found


async def _derived(db: Database) -> list[str]:
    """Every hidden count of received or reached people that the national report or a region's
    own one gives away, read from the tables a coordinator receives."""
    national = await _compute(db)
    found = []
    for scope in SCOPES:
        indicator = national if scope is None else await _compute(db, scope)
        tables = [indicator.tables[1], indicator.tables[2]]
        for column, bound in BOUNDS:
            total = _known_total(tables, column)
            if total is None and scope is not None:  # the region's row of the national report
                row = rows(national.tables[1]).get(indicator.tables[1].rows[0][0])
                total = None if row is None else row[column - 1]
            if total is not None:
                found += [f"{scope}: {cell}" for cell in _worked_out(tables, total, column, bound)]
    return found


async def test_hidden_reach_is_not_worked_out_from_its_bounds(dataset: Database) -> None:
    """Cusco, Pasco and Moquegua show one registered person each and hide how many were reached;
    but 8 reached in all, Piura and Puno shown with 1 and 4: the three hidden reached 3, each
    at most her one registered, so each was reached. The total (and the share beside it, and
    the margins by sex that add up to it) is hidden where the bounds give the cells away."""
    assert await _derived(dataset) == []


async def test_hidden_zero_is_not_worked_out(dataset: Database) -> None:
    """Without the deliveries of Cusco's, Pasco's and Moquegua's one person each, the total less
    the regions shown leaves 0 for the three hidden: none of them received anything, and a
    count cannot be below 0."""
    async with dataset.session() as session:
        hidden = select(Person.id).where(Person.region_code.in_(("cusco", "pasco", "moquegua")))
        await session.execute(
            delete(PublicationDelivery).where(PublicationDelivery.person_id.in_(hidden))
        )
    national = await _compute(dataset)
    assert rows(national.tables[1])["Cusco"][0] == 1  # still there, registered, hidden
    assert await _derived(dataset) == []
