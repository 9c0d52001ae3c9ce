"""Indicator 9: participation of regional leaders in study visits (the visit to the Canadian
experience): people invited, who accepted and who travelled, regional leaders beside officials,
by region and sex, and the pilot regions whose leaders travelled."""

from __future__ import annotations

from collections import Counter

from sqlalchemy import select

from bot.i18n import N_
from bot.services.indicators.common import (
    Cells,
    Chart,
    Column,
    Headline,
    Indicator,
    Kind,
    Query,
    Table,
    by_region,
    by_sex,
    count,
    rollup,
    scoped,
    share,
    total,
)
from bot.services.publications import PILOT_REGIONS
from bot.services.visits import DEFAULT_LEADER_WORDS, is_leader_position, leader_words
from storage.models import Person, Visit, VisitParticipant

TITLE = N_("Participation of regional leaders in study visits")
DEFINITION = N_(
    "Study visits whose departure falls within the period. Each person is counted once however "
    "many visits they were invited to. Invited: invited to at least one of these visits; "
    "accepted: answered «Acepto» to at least one; travelled: marked by the coordination as "
    "having travelled with the delegation. Regional leaders: participants whose position is "
    "one of LEADER_POSITION_WORDS (governor, vice governor, manager, regional director of "
    "energy and mines), unless the coordination corrected it; everyone else counts as an "
    "official. Pilot regions: La Libertad, Pasco, Moquegua, Piura, Puno and Madre de Dios; a "
    "pilot region is covered when at least one of its regional leaders travelled. By the "
    "region and sex of the person. Figures of groups of fewer than 3 invited people show «—», "
    "and so do those that would let them be worked out."
)
KEYS = ("invited", "accepted", "travelled")
LEADER_KEYS = tuple(f"leader_{key}" for key in KEYS)


async def _cells(q: Query) -> Cells:
    """Per (region, sex): people invited, who accepted and who travelled, all and leaders."""
    statement = scoped(
        q,
        select(
            VisitParticipant.person_id,
            Person.region_code,
            Person.sex,
            Person.position,
            VisitParticipant.leader,
            VisitParticipant.answer,
            VisitParticipant.travelled_at,
        )
        .join(Visit, Visit.id == VisitParticipant.visit_id)
        .join(Person, Person.id == VisitParticipant.person_id)
        .where(Visit.starts_at >= q.start, Visit.starts_at < q.end, Visit.status != "cancelled"),
        Person.region_code,
    )
    words = q.leader_words or leader_words(DEFAULT_LEADER_WORDS)
    people: dict[int, tuple[str | None, str | None, set[str]]] = {}
    for person_id, region, sex, position, leader, answer, travelled in await q.session.execute(
        statement
    ):
        _region, _sex, marks = people.setdefault(person_id, (region, sex, set()))
        done = {"invited"} | ({"accepted"} if answer == "accepted" else set())
        done |= {"travelled"} if travelled is not None else set()
        marks |= done
        if leader if leader is not None else is_leader_position(position, words):
            marks |= {f"leader_{key}" for key in done}
    cells: Cells = {}
    for region, sex, marks in people.values():
        cells.setdefault((region, sex), Counter()).update(marks)
    return cells


def _pilots(q: Query, cells: Cells) -> tuple[Table, int, int]:
    _ = q._
    pilots = [code for code in PILOT_REGIONS if q.region is None or code == q.region]
    grouped = rollup(cells, lambda region, _sex: region)
    rows, covered = [], 0
    for code in pilots:
        values = grouped.get(code, Counter())
        covered += values["leader_travelled"] > 0
        rows.append(
            (
                q.region_name(code),
                *(int(values[key]) for key in LEADER_KEYS),
                _(N_("Yes")) if values["leader_travelled"] else _(N_("No")),
            )
        )
    columns = (
        Column(_(N_("Pilot region")), Kind.TEXT),
        Column(_(N_("Leaders invited"))),
        Column(_(N_("Leaders who accepted"))),
        Column(_(N_("Leaders who travelled"))),
        Column(_(N_("Covered")), Kind.TEXT),
    )
    return Table(_(N_("Pilot regions")), columns, tuple(rows)), covered, len(pilots)


def _leaders_and_officials(q: Query, everyone: Counter[str]) -> Table:
    _ = q._
    leaders = [int(everyone[key]) for key in LEADER_KEYS]
    officials = [int(everyone[key]) - n for key, n in zip(KEYS, leaders, strict=True)]
    columns = (
        Column(_(N_("Group")), Kind.TEXT),
        Column(_(N_("Invited"))),
        Column(_(N_("Accepted"))),
        Column(_(N_("Travelled"))),
    )
    rows = ((_(N_("Regional leaders")), *leaders), (_(N_("Officials")), *officials))
    return Table(_(N_("Regional leaders and officials")), columns, rows)


async def study_visits(q: Query) -> Indicator:
    """Indicator 9. People invited to study visits departing in the period, who accepted and
    who travelled (each person once); regional leaders (position in LEADER_POSITION_WORDS
    unless corrected by the coordination) beside officials; by the region and sex of the
    person; pilot regions (PILOT_REGIONS) covered, that is with at least one regional leader
    who travelled. Figures of groups of fewer than 3 invited people show «—», and so do those
    that would let them be worked out."""
    _ = q._
    cells = await _cells(q)
    measures = (
        count(_(N_("Invited")), "invited"),
        count(_(N_("Accepted")), "accepted", "invited"),
        count(_(N_("Travelled")), "travelled", "invited"),
        count(_(N_("Leaders invited")), "leader_invited", "invited"),
        count(_(N_("Leaders who travelled")), "leader_travelled", "invited"),
        share(
            _(N_("Share of travellers who are regional leaders")), "leader_travelled", "travelled"
        ),
    )
    everyone = total(cells)
    pilots, covered, in_scope = _pilots(q, cells)
    headlines = (
        Headline(
            _(N_("Regional leaders invited / accepted / travelled; pilot regions covered")),
            _(N_("{invited} / {accepted} / {travelled}; {covered} of {regions}")).format(
                invited=int(everyone["leader_invited"]),
                accepted=int(everyone["leader_accepted"]),
                travelled=int(everyone["leader_travelled"]),
                covered=covered,
                regions=in_scope,
            )
            if everyone["invited"]
            else None,
            Kind.TEXT,
        ),
    )
    tables = (
        _leaders_and_officials(q, everyone),
        by_region(q, _(N_("Study visits by region")), cells, measures),
        by_sex(q, _(N_("Study visits by sex")), cells, measures),
        pilots,
    )
    charts = (Chart(_(N_("People who travelled, by region")), 1, (3, 5)),)
    return Indicator(9, _(TITLE), _(DEFINITION), headlines, tables, charts)
