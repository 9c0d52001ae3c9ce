"""Indicator 8: the programme's publications (the regionalization document...) and how far
they reached: people who received each one, by region and sex, the share of registered people
reached in each region, and the pilot regions reached."""

from __future__ import annotations

from collections import Counter
from dataclasses import replace

from sqlalchemy import Subquery, func, select

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
    add,
    by_region,
    count,
    hidden_groups,
    only,
    rollup,
    scoped,
    share,
    total_headline,
)
from bot.services.indicators.publication_moves import moved_groups
from bot.services.indicators.registered_at import (
    counted_people,
    registered_of,
    registered_rows,
)
from bot.services.indicators.sex_rule import by_sex
from bot.services.publications import PILOT_REGIONS
from bot.services.small_cells import Hidden
from storage.models import Publication, PublicationDelivery

TITLE = N_("Publications and their dissemination")
DEFINITION = N_(
    "Publications of the programme offered in Minka (/publicaciones), with the date each was "
    "published. People who received a publication: registered people who got its file from "
    "Minka (from the list or from a broadcast's button), each counted once however often "
    "they asked; «in the period»: received a publication for the first time within the "
    "period; «up to the end»: since it was published until the end of the period. Registered "
    "people: registration completed by the end of the period's last month, or of the last "
    "whole month while the period runs, as /registrados shows them (including people who "
    "later erased their data). Share reached: registered people who had received at least "
    "one publication by the end of the period, over registered people. Pilot regions: La "
    "Libertad, Pasco, Moquegua, Piura, Puno and Madre de Dios; a pilot region is reached "
    "when at least one of its people received a publication by the end of the period. Every "
    "column counts each person in the region and with the sex /registrados counted her at "
    "that month's end, so the people reached are some of the registered people of each "
    "region and sex, and a later change of profile changes no figure; someone who registered "
    "after it counts from the end of the month she registered in. Shares resting on fewer "
    "than 3 people show «—», and so do those that would let them be worked out. A sex's "
    "figures are not shown (—) where its registered people or people who received a "
    "publication would tell the sex of 1 or 2 people, and neither are those of enough other "
    "sexes and regions that the totals cannot tell them (the rule of indicator 7). "
    "A region or a sex where someone was counted at one month's end and no longer at a "
    "later one, because she changed her profile (moved to another region or changed her "
    "sex), shows «—» in the figures of people who received a publication from then on: "
    "those reached up to the end, which she takes with her, would tell whether she had "
    "received one."
)
REGISTERED, RECEIVED, REACHED = "registered", "received", "reached"
# Reached by the period's end, none received in it: the difference of two columns shown.
BEFORE = "reached_before"


async def _cells(q: Query, people: Subquery) -> Cells:
    """Per (region, sex): registered people, those of them who first received a publication
    in the period, and those reached by the end of the period. Each person in the region and
    with the sex the registered counts give her (`people`, `counted_people`): at one moment
    for every column, so those reached are some of the registered of each cell (the hiding
    rules bound them so: `bounded_hides`, `bounded_columns`), and a /perfil change after the
    month's end moves no one. Her profile when she received it would not do: registered in
    Puno, reached, then moved to Cusco before the month's end, she is one of Cusco's
    registered, and Puno would count one reached more than its registered."""
    # At the month's end /registrados reads, as indicator 7 reads them (`registered_at`).
    cells = add({}, registered_rows(await registered_of(q), q.region), REGISTERED)
    for key, since in ((RECEIVED, q.start), (REACHED, None)):
        # Each delivery row is a person's first receipt of one publication.
        when = [PublicationDelivery.delivered_at < q.end]
        if since is not None:
            when.append(PublicationDelivery.delivered_at >= since)
        reached = select(PublicationDelivery.person_id).where(*when).distinct().subquery()
        statement = (
            select(people.c.region_code, people.c.sex, func.count())
            .select_from(people)
            .join(reached, reached.c.person_id == people.c.person_id)
            .group_by(people.c.region_code, people.c.sex)
        )
        add(cells, await q.session.execute(scoped(q, statement, people.c.region_code)), key)
    return cells


def _with_before(cells: Cells) -> Cells:
    """Each cell's people reached before the period (`BEFORE`), a count by sex of its own: a
    table by sex showing both columns tells it, and Q2's reached less received (Piura 1, Puno
    1; women 1, «Prefiero no decir» 1, Puno having none of those) told that Piura's one woman
    received nothing in Q1, which Q1's table hid (tests/test_report_bounds.py, seed 0)."""
    for values in cells.values():
        values[BEFORE] = max(0, values[REACHED] - values[RECEIVED])
    return cells


async def _per_publication(q: Query, people: Subquery, hidden: tuple[bool, bool]) -> Table:
    """A row per publication published by the end of the period: its date, whether it is still
    offered, and the people who received it in the period and up to its end, those `_cells`
    counts (`hidden`: how many is not shown, for each, as the total by region hides it: with
    one publication it is that total)."""
    _ = q._
    received = {}
    for key, since in ((RECEIVED, q.start), (REACHED, None)):
        statement = (
            select(PublicationDelivery.publication_id, func.count())
            .join(people, people.c.person_id == PublicationDelivery.person_id)
            .where(PublicationDelivery.delivered_at < q.end)
            .group_by(PublicationDelivery.publication_id)
        )
        if since is not None:
            statement = statement.where(PublicationDelivery.delivered_at >= since)
        received[key] = dict(
            (await q.session.execute(scoped(q, statement, people.c.region_code))).all()
        )
    publications = await q.session.execute(
        select(
            Publication.id, Publication.title, Publication.published_on, Publication.withdrawn_at
        )
        .where(Publication.published_on <= q.period.last)
        .order_by(Publication.published_on, Publication.id)
    )
    rows = [
        (
            title,
            q.t.date(published_on),
            _(N_("Withdrawn"))
            if withdrawn_at is not None and withdrawn_at < q.end
            else _(N_("Offered")),
            None if hidden[0] else received[RECEIVED].get(publication, 0),
            None if hidden[1] else received[REACHED].get(publication, 0),
        )
        for publication, title, published_on, withdrawn_at in publications.all()
    ]
    columns = (
        Column(_(N_("Publication")), Kind.TEXT),
        Column(_(N_("Date published")), Kind.TEXT),
        Column(_(N_("Status")), Kind.TEXT),
        Column(_(N_("Received it in the period"))),
        Column(_(N_("Received it up to the end of the period"))),
    )
    return Table(_(N_("Each publication")), columns, tuple(rows))


def _pilots(q: Query, cells: Cells, hidden: Hidden) -> tuple[Table, int | None, int]:
    """The pilot regions in scope: registered, reached, share reached, reached or not; the
    regions hidden as in the table by region (`hidden`), whether they were reached too
    («Sí» beside one registered person tells what she received). How many were reached:
    None when one of them is hidden (the count less those shown reached would tell it)."""
    _ = q._
    pilots = [code for code in PILOT_REGIONS if q.region is None or code == q.region]
    grouped = rollup(cells, lambda region, _sex: region)
    reached_share = share("", REACHED, REGISTERED)
    rows, reached, untold = [], 0, False
    for code in pilots:
        values = grouped.get(code, Counter())
        reached += values[REACHED] > 0
        secret = code in hidden.rows and values[REGISTERED] > 0
        untold |= secret
        rows.append(
            (
                q.region_name(code),
                int(values[REGISTERED]),
                None if code in hidden.rows else int(values[REACHED]),
                None if code in hidden.rows else reached_share.of(values),
                None if secret else _(N_("Yes")) if values[REACHED] else _(N_("No")),
            )
        )
    columns = (
        Column(_(N_("Pilot region")), Kind.TEXT),
        Column(_(N_("Registered people"))),
        Column(_(N_("Reached up to the end of the period"))),
        Column(_(N_("Share of registered people reached")), Kind.SHARE),
        Column(_(N_("Reached")), Kind.TEXT),
    )
    return (
        Table(_(N_("Pilot regions")), columns, tuple(rows)),
        None if untold else reached,
        len(pilots),
    )


async def publications(q: Query) -> Indicator:
    """Indicator 8. Publications offered in Minka with their date; people who received one (each
    once, however often they asked): received one for the first time within the period, and
    reached up to its end; registered people (registration completed before the end of the
    period); the share of registered people reached; pilot regions (PILOT_REGIONS) reached,
    that is with at least one person who received a publication by the end of the period. Each
    person in the region and with the sex /registrados counted her (`_cells`); shares resting
    on fewer than 3 people show «—», and so do those that would let them be worked out; a
    sex's figures are hidden by indicator 7's rule."""
    _ = q._
    # Every region's: what a region's report hides depends on the others (`hidden_groups`).
    people = await counted_people(q)
    cells = _with_before(await _cells(replace(q, region=None), people))
    regions, sexes = await moved_groups(q, (await registered_of(q)).day)
    hidden = hidden_groups(cells, REGISTERED, scope=q.region, also=Hidden(regions, sexes))
    measures = (
        count(_(N_("Registered people")), REGISTERED),
        count(_(N_("Received a publication in the period")), RECEIVED, REGISTERED),
        count(_(N_("Reached up to the end of the period")), REACHED, REGISTERED),
        share(_(N_("Share of registered people reached")), REACHED, REGISTERED),
    )
    pilots, reached, in_scope = _pilots(q, only(q, cells), hidden)
    given = {REGISTERED: hidden}  # and the groups a move touched (`publication_moves`)
    regions = by_region(q, _(N_("Dissemination by region")), cells, measures, hides=given)
    headlines = (
        total_headline(regions, 2, measures[1].label),
        total_headline(regions, 4, measures[3].label, Kind.SHARE),
        Headline(
            _(N_("Pilot regions reached")),
            _(N_("{reached} of {regions}")).format(reached=reached, regions=in_scope)
            if in_scope and reached is not None
            else None,
            Kind.TEXT,
            harmless=not in_scope,
        ),
    )
    tables = (
        await _per_publication(
            q, people, (regions.rows[-1][2] is None, regions.rows[-1][3] is None)
        ),
        regions,
        by_sex(
            q,
            _(N_("Dissemination by sex")),
            cells,
            measures,
            # registered: as indicator 7 hides them; BEFORE: reached less received
            groups=(REGISTERED, RECEIVED, REACHED, BEFORE),
            hides=given,
        ),
        pilots,
    )
    charts = (Chart(_(N_("People who received a publication, by region")), 1, (2, 3)),)
    return Indicator(8, _(TITLE), _(DEFINITION), headlines, tables, charts)
