"""Indicator 9: participation of regional leaders in study visits (the visit to the Canadian
experience): people invited, who accepted and who travelled, regional leaders beside officials,
by region and sex, and the pilot regions whose leaders travelled."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, replace
from typing import Any

from sqlalchemy import select

from bot.i18n import N_
from bot.services.indicators.common import (
    EVERY_SEX,
    Cells,
    Chart,
    Column,
    Headline,
    Indicator,
    Kind,
    Query,
    Table,
    Value,
    by_region,
    count,
    hidden_groups,
    only,
    rollup,
    scoped,
    sex_code,
    share,
    total,
)
from bot.services.indicators.sex_rule import by_sex
from bot.services.indicators.visit_bounds import (
    bounds_hide_the_split,
    leaders_told,
    officials_left_tell,
    officials_told,
)
from bot.services.indicators.visit_pilots import covered_hidden, pilot_table
from bot.services.profile import SEXES
from bot.services.recoverable import cells_recoverable
from bot.services.small_cells import Hidden, hidden_margins, hidden_within, too_small
from bot.services.spreadsheet import MISSING
from storage.models import Visit, VisitParticipant

TITLE = N_("Participation of regional leaders in study visits")
DEFINITION = N_(
    "Study visits whose departure falls within the period. Each person is counted once "
    "however many visits they were invited to. Invited: invited to at least one of these "
    "visits; accepted: answered «Acepto» to at least one; travelled: marked by the "
    "coordination as having travelled with the delegation. Regional leaders: participants "
    "whose position, when they were invited, was one of the leaders' positions set in Minka "
    "then (by default governor, vice governor, manager, regional director of energy and "
    "mines), unless the coordination corrected it; everyone else counts as an official. Pilot "
    "regions: La Libertad, Pasco, Moquegua, Piura, Puno and Madre de Dios; a pilot region is "
    "covered when at least one of its regional leaders travelled. By the region and sex the "
    "person had when invited (someone whose profile changed between two invitations of the "
    "period counts once with each). Figures of groups of fewer than 3 invited people show "
    "«—», and so do those that would let them be worked out. A sex's figures are not shown "
    "(—) where its people invited or who travelled, or the regional leaders or the officials "
    "among them, would tell the sex of 1 or 2 people, and neither are those of enough other "
    "sexes and regions that the totals cannot tell them (the rule of indicator 7). How many "
    "officials were invited is shown however few: a group's size, as a region's, not anyone's "
    "answer."
)
KEYS = ("invited", "accepted", "travelled")
LEADER_KEYS = tuple(f"leader_{key}" for key in KEYS)


async def _cells(q: Query) -> Cells:
    """Per (region, sex) they were invited as: people invited, who accepted and who
    travelled, all and leaders (the coordination's correction, otherwise whether the
    position named a leader at the invitation: a position changed or erased since moves
    no one)."""
    statement = scoped(
        q,
        select(
            VisitParticipant.person_id,
            VisitParticipant.region_code,
            VisitParticipant.sex,
            VisitParticipant.invited_as_leader,
            VisitParticipant.leader,
            VisitParticipant.answer,
            VisitParticipant.travelled_at,
        )
        .join(Visit, Visit.id == VisitParticipant.visit_id)
        .where(Visit.starts_at >= q.start, Visit.starts_at < q.end, Visit.status != "cancelled"),
        VisitParticipant.region_code,
    )
    # each person once per (region, sex) she was invited as (the snapshot on her row)
    people: dict[tuple[int, str | None, str | None], tuple[str | None, str | None, set[str]]] = {}
    for person_id, region, sex, then, leader, answer, travelled in await q.session.execute(
        statement
    ):
        _region, _sex, marks = people.setdefault((person_id, region, sex), (region, sex, set()))
        done = {"invited"} | ({"accepted"} if answer == "accepted" else set())
        done |= {"travelled"} if travelled is not None else set()
        marks |= done
        if leader if leader is not None else then:
            marks |= {f"leader_{key}" for key in done}
    return visit_cells(people.values())


def visit_cells(people: Iterable[tuple[str | None, str | None, set[str]]]) -> Cells:
    """Per (region, sex), the people with each mark (invited, accepted, leader_travelled...);
    officials (everyone who is not a leader) are counted too (official_invited...): a sex's
    people less its leaders, both shown, are its officials, so the table by sex hides them
    by indicator 7's rule as it hides the leaders."""
    cells: Cells = {}
    for region, sex, marks in people:
        officials = set() if "leader_invited" in marks else {f"official_{key}" for key in marks}
        cells.setdefault((region, sex), Counter()).update(marks | officials)
    return cells


@dataclass(frozen=True, slots=True)
class Hides:
    """What indicator 9 hides. `invited`: groups whose accepted and travelled are hidden;
    `leaders`: groups whose leaders' figures are (they rest on the leaders alone); `split`:
    whether the table of leaders and officials shows only how many were invited."""

    invited: Hidden
    leaders: Hidden
    split: bool


def _all_hidden(cells: Cells) -> Hidden:
    return Hidden(
        frozenset(region for region, _sex in cells),
        frozenset(sex_code(sex) for _region, sex in cells),
        total=True,
    )


def visit_hides(cells: Cells, scope: str | None = None) -> Hides:
    """The small-cell rule for indicator 9, from every region's cells; `scope`: for that
    region's own report. Accepted and travelled rest on the people invited, the leaders'
    figures on the leaders invited; leaders and officials are shown apart only when each
    holds 0 or at least 3 people (one follows from the other and the total). Whatever the
    rule misses (leaders are a third attribute besides region and sex; the regions' own
    reports) is checked on the whole system (`cells_recoverable`): then the split goes, and
    then every figure of the leaders."""
    invited = hidden_groups(cells, "invited")
    leaders = hidden_groups(cells, "leader_invited")
    everyone = total(cells)
    split = (
        invited.total
        or leaders.total
        or too_small(everyone["leader_invited"])
        or too_small(everyone["invited"] - everyone["leader_invited"])
    )
    hides = Hides(invited, leaders, split)
    if _recoverable(cells, hides):
        hides = Hides(invited, leaders, True)
    if _recoverable(cells, hides):
        hides = Hides(invited, _all_hidden(cells), True)
    return hides if scope is None else _regional(cells, hides, scope)


def _told_leaders_hidden(cells: Cells, national: Hides) -> Hides:
    """A region hidden for everyone's figures hides its leaders' too where theirs are at
    either end (0 or all of them accepted or travelled, told): Lima's 3 leaders shown at 0
    beside Lima hidden left its one official, with Cusco's two hidden, 3 of 3 travelled.
    Then enough other regions' leaders' figures go (`hidden_margins`)."""
    if national.leaders.total:
        return national
    regions = rollup(cells, lambda region, _sex: region)
    told = {
        region
        for region in national.invited.rows - national.leaders.rows
        if region in regions
        and regions[region]["leader_invited"]
        and any(
            regions[region][f"leader_{key}"] in (0, regions[region]["leader_invited"])
            for key in ("accepted", "travelled")
        )
    }
    if not told:
        return national
    people = {(r, sex_code(s)): v["leader_invited"] for (r, s), v in cells.items()}
    leaders = hidden_margins(
        people,
        hidden_rows=national.leaders.rows | told,
        hidden_columns=national.leaders.columns,
    )
    return Hides(national.invited, leaders, national.split)


def _split_shown(cells: Cells, national: Hides) -> frozenset[str | None]:
    """The regions whose own report shows their leaders and officials apart."""
    regions = {region for region, _sex in cells}
    return frozenset(r for r in regions if not _regional(cells, national, r).split)


def _regional(cells: Cells, national: Hides, scope: str | None) -> Hides:
    """What a region's own report hides, beside the national one (`hidden_groups`); its
    leaders and officials apart where the national split and the regions would give them
    away (`hidden_within` on the table of region by leader or official)."""
    invited = hidden_groups(cells, "invited", scope=scope)
    if national.leaders.total or scope in national.leaders.rows:
        leaders = Hidden(frozenset({scope}), frozenset({*SEXES, None}), total=True)
    else:
        leaders = hidden_groups(cells, "leader_invited", scope=scope)
    roles: dict[tuple[str | None, bool], float] = {}
    for (region, _sex), values in cells.items():
        for role, n in (
            (True, values["leader_invited"]),
            (False, values["invited"] - values["leader_invited"]),
        ):
            roles[(region, role)] = roles.get((region, role), 0) + n
    regions = {region for region, _sex in cells}
    margins = Hidden(
        regions if national.invited.total else national.invited.rows,
        frozenset({True, False}) if national.split else frozenset(),
    )
    secret = hidden_within(roles, margins)
    split = invited.total or leaders.total or any((scope, role) in secret for role in (True, False))
    return Hides(invited, leaders, split)


def _recoverable(cells: Cells, hides: Hides) -> bool:
    """Whether the figures that `hides` lets show, in the national report and in every
    region's, single out 1 or 2 people, a person's cell being (region, sex, regional leader
    or not) and their variables accepted and travelled."""
    people: dict[tuple[Any, Any, bool], float] = {}
    for (region, sex), values in cells.items():
        sex = sex_code(sex)
        people[(region, sex, True)] = people.get((region, sex, True), 0) + values["leader_invited"]
        officials = values["invited"] - values["leader_invited"]
        people[(region, sex, False)] = people.get((region, sex, False), 0) + officials
    keys = [key for key, n in people.items() if n]
    known: list[set[tuple[str, Any]]] = []
    both = ("accepted", "travelled")
    reports = [(None, hides)]
    reports += [(region, _regional(cells, hides, region)) for region in {key[0] for key in keys}]
    for scope, shown in reports:
        inside = [key for key in keys if scope is None or key[0] == scope]
        for groups, leader in ((shown.invited, None), (shown.leaders, True)):
            # pilots: the leaders' accepted and travelled; by region: travelled
            mine = [key for key in inside if leader is None or key[2] == leader]
            chosen = [] if groups.total else [mine]
            chosen += [
                [key for key in mine if key[0] == region]
                for region in {key[0] for key in mine} - groups.rows
            ]
            chosen += [
                [key for key in mine if key[1] == sex]
                for sex in {key[1] for key in mine} - groups.columns
            ]
            known += [{(v, key) for key in group} for group in chosen for v in both]
        if not shown.split:
            for leader in (True, False):
                known += [{(v, key) for key in inside if key[2] == leader} for v in both]
    return cells_recoverable(people, known)


def _given(cells: Cells, hides: Hides, scope: str | None = None) -> dict[str, Hidden]:
    """What the tables by region and by sex hide for each population their measures rest on.
    The share of travellers who are leaders, beside the counts, adds nothing, so it goes
    with either of them."""
    travelled = hidden_groups(cells, "travelled", scope=scope)
    with_share = Hidden(
        hides.invited.rows | hides.leaders.rows | travelled.rows,
        hides.invited.columns | hides.leaders.columns | travelled.columns,
        hides.invited.total or hides.leaders.total or travelled.total,
    )
    return {"invited": hides.invited, "leader_invited": hides.leaders, "travelled": with_share}


def _leaders_and_officials(q: Query, everyone: Counter[str], hides: Hides) -> Table:
    _ = q._
    leaders: list[Value] = [int(everyone[key]) for key in LEADER_KEYS]
    officials: list[Value] = [
        int(everyone[key]) - int(n or 0) for key, n in zip(KEYS, leaders, strict=True)
    ]
    if hides.split:
        leaders[1:] = officials[1:] = [None, None]
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
    who travelled (each person once per region and sex); regional leaders (position in
    LEADER_POSITION_WORDS when invited, unless corrected by the coordination) beside
    officials; by the region and sex the person had when invited; pilot regions
    (PILOT_REGIONS) covered, that is with at least one regional leader who travelled.
    Figures of groups of fewer than 3 invited people show «—», and so do those that would
    let them be worked out; a sex's figures are hidden by indicator 7's rule."""
    headlines, tables = visit_tables(q, await _cells(replace(q, region=None)))
    charts = (Chart(q._(N_("People who travelled, by region")), 1, (3, 5)),)
    return Indicator(9, q._(TITLE), q._(DEFINITION), headlines, tables, charts)


def visit_tables(q: Query, cells: Cells) -> tuple[tuple[Headline, ...], tuple[Table, ...]]:
    """Indicator 9's headline and tables from every region's cells (no database: the tests
    read them)."""
    _ = q._
    measures = (
        count(_(N_("Invited")), "invited"),
        count(_(N_("Accepted")), "accepted", "invited"),
        count(_(N_("Travelled")), "travelled", "invited"),
        count(_(N_("Leaders invited")), "leader_invited", "invited"),
        count(_(N_("Leaders who travelled")), "leader_travelled", "leader_invited"),
        share(
            _(N_("Share of travellers who are regional leaders")),
            "leader_travelled",
            "travelled",
        ),
    )
    national, everywhere = visit_hides(cells), replace(q, region=None)
    national = _told_leaders_hidden(cells, national)
    before, read_shown = None, False
    while national != before:  # the split hidden by the bounds: the leaders' total again
        before = national
        args = (everywhere, measures, cells, _given(cells, national), national.split)
        if leaders_told(*args):
            # (with the total, the sexes that add up to it); hidden only for the leaders'
            # figures shown (seed 29), «Cubierta» is still read beside it, as before
            read_shown = read_shown or not leaders_told(*args, exact=False)
            leaders = Hidden(national.leaders.rows, EVERY_SEX, total=True)
            national = Hides(national.invited, leaders, split=True)
        told = officials_told(cells, national.invited, national.leaders, national.split)
        if told:  # its leaders' figures go, with their total
            leaders = Hidden(national.leaders.rows | told, EVERY_SEX, total=True)
            national = Hides(national.invited, leaders, split=True)
        if bounds_hide_the_split(everywhere, measures, cells, _given(cells, national)):
            national = replace(national, split=True)
        if not national.split and officials_left_tell(
            cells, national.invited, national.leaders, _split_shown(cells, national)
        ):
            national = replace(national, split=True)
    gone = frozenset().union(  # «Cubierta» beside the travellers, decided nationally
        *(
            covered_hidden(everywhere, measures, cells, _given(cells, national), national.split, t)
            for t in {national.leaders.total, national.leaders.total and not read_shown}
        )
    )
    hides = national if q.region is None else _regional(cells, national, q.region)
    given = _given(cells, hides, q.region)
    everyone = total(only(q, cells))
    pilots, covered, in_scope = pilot_table(
        q, only(q, cells), hides.invited.rows, hides.leaders.rows, gone
    )
    split = _leaders_and_officials(q, everyone, hides)
    leaders = split.rows[0][1:]
    headlines = (
        Headline(
            _(N_("Regional leaders invited / accepted / travelled; pilot regions covered")),
            _(N_("{invited} / {accepted} / {travelled}; {covered} of {regions}")).format(
                invited=leaders[0],
                accepted=MISSING if leaders[1] is None else leaders[1],
                travelled=MISSING if leaders[2] is None else leaders[2],
                covered=MISSING if covered is None else covered,
                regions=in_scope,
            )
            if everyone["invited"]
            else None,
            Kind.TEXT,
            harmless=not everyone["invited"],
        ),
    )
    tables = (
        split,
        by_region(q, _(N_("Study visits by region")), cells, measures, hides=given),
        by_sex(
            q,
            _(N_("Study visits by sex")),
            cells,
            measures,
            # As indicator 1 hides invited and attended; and the leaders among them, whose
            # columns beside the sex told the one man of three leaders; and the officials,
            # the sex's people less its leaders (one official beside «Mujer: 4 invitados, 3
            # líderes invitados» is a woman).
            groups=(
                "invited",
                "travelled",
                "leader_invited",
                "leader_travelled",
                "official_invited",
                "official_travelled",
            ),
            hides=given,
        ),
        pilots,
    )
    return headlines, tables
