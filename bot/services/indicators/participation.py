"""Indicator 1: who takes part in coordination meetings.

People are counted once each through their (region, sex) cell (`meetings.invitation_cells`);
the per-meeting table counts each meeting's invitees. What it hides is decided by
`meeting_rule`, in a worker process.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any

from sqlalchemy import case, func, select

from bot.i18n import N_
from bot.services import report_limit
from bot.services.indicators.common import (
    Cells,
    Chart,
    Column,
    Headline,
    Indicator,
    Kind,
    Measure,
    Query,
    Table,
    Value,
    by_region,
    count,
    in_scope,
    ratio,
    scoped,
    sex_code,
    share,
    total_headline,
)
from bot.services.indicators.invitee_bounds import bounded_sexes, registered
from bot.services.indicators.meeting_rule import Invitation, MeetingHides
from bot.services.indicators.meeting_sexes import Chosen, chained_sexes, in_seven
from bot.services.indicators.meetings import (
    MEETINGS,
    attended,
    day_label,
    held,
    invitation_cells,
    local_day,
)
from bot.services.indicators.period_reads import (
    Sight,
    beside_quarters,
    known_cells,
    quarter_first,
    shown_sexes,
)
from bot.services.indicators.sex_rule import by_sex, group_hides, hidden_sexes
from bot.services.meetings import KINDS
from bot.services.profile import SEXES
from bot.services.small_cells import bounded_hidden
from storage.models import Meeting, MeetingInvitation

RULE = "bot.services.indicators.meeting_rule:meeting_hides"
# The answers of a meeting's row that the people's totals also count (`_bounded`):
# confirmed, delegated, attended (indexes of `_counts`' values; 0 is the invitees).
BOUNDED = (1, 2, 4)
PARTICIPATION_TITLE = N_("Participation of regional leaders in coordination meetings")
PARTICIPATION_DEFINITION = N_(
    "People invited to the meetings that start in the period (Lima dates, first and last day "
    "included) and were not cancelled; each person is counted once, however many of those "
    "meetings they were invited to. Confirmed: answered yes, or sent a delegate, for at least "
    "one of them; sent a delegate: did so at least once; attended: their attendance was "
    "recorded at least once by the period's end. The confirmation and attendance rates are "
    "over the people invited, and are not shown (—) when fewer than 3 people were invited. "
    "A sex's figures "
    "are not shown (—) where its people invited or who attended would tell the sex of 1 or 2 "
    "people, and neither are those of enough other sexes and regions that the totals cannot "
    "tell them (the rule of indicator 7). People are grouped by the region and sex they had "
    "when invited (someone whose profile changed between two invitations of the period "
    "counts once with each); the per-meeting table counts each meeting's invitees."
)
CONFIRMED = N_("Confirmed (in person or by delegate)")
SENT_DELEGATE = N_("Sent a delegate")
ANSWERED_NO = N_("Answered no")
INVITED = N_("Invited")
ATTENDED = N_("Attended")
CONFIRMATION_RATE = N_("Confirmation rate")
ATTENDANCE_RATE = N_("Attendance rate")


def _answer_counts(q: Query) -> list[Any]:
    """Invited, confirmed, delegated, declined and attended people of one meeting (one
    invitation per person and meeting, so rows are people; attended: `meetings.attended`)."""

    def who(condition: Any) -> Any:
        return func.count(case((condition, 1)))

    return [
        func.count(),
        who(MeetingInvitation.rsvp.in_(("yes", "delegate"))),
        who(MeetingInvitation.rsvp == "delegate"),
        who(MeetingInvitation.rsvp == "no"),
        who(attended(q)),
    ]


async def _invitations(q: Query) -> list[Invitation]:
    """Every invitation to the period's meetings, in every region (what each region's report
    may show depends on the others: `meeting_rule`)."""
    rows = await q.session.execute(
        select(
            MeetingInvitation.person_id,
            MeetingInvitation.meeting_id,
            MeetingInvitation.region_code,
            MeetingInvitation.sex,
        )
        .join(Meeting, Meeting.id == MeetingInvitation.meeting_id)
        .where(*held(q))
    )
    # a person once per (region, sex) she was invited as, as `invitation_cells` counts her
    return [
        ((person, region, sex), meeting, region, sex_code(sex))
        for person, meeting, region, sex in rows
    ]


async def _counts(q: Query) -> dict[int, list[int]]:
    """Per meeting, its invitees in the report's scope: invited, confirmed, delegated,
    answered no, attended."""
    per_meeting = (
        select(MeetingInvitation.meeting_id, *_answer_counts(q))
        .join(Meeting, Meeting.id == MeetingInvitation.meeting_id)
        .where(*held(q))
        .group_by(MeetingInvitation.meeting_id)
    )
    rows = await q.session.execute(scoped(q, per_meeting, MeetingInvitation.region_code))
    return {meeting_id: [int(n or 0) for n in values] for meeting_id, *values in rows}


def _bounded(counts: Mapping[int, list[int]], hidden: frozenset[Any]) -> frozenset[Any]:
    """`hidden` and the meetings that keep the hidden ones' answers off their bounds: those
    who confirmed, delegated or attended of a meeting lie between 0 and its invitees, and
    their sum over the hidden meetings is the people's total less the meetings shown (when
    each was invited once, as the invitees adding up to the people invited tell), so a sum
    of 0 or of all their invitees tells each (`bounded_hidden`)."""
    for answer in BOUNDED:
        hidden = bounded_hidden({m: (v[answer], v[0]) for m, v in counts.items()}, hidden, 0, 1)
    return hidden


async def _per_meeting(q: Query, hidden: frozenset[Any], counts: Mapping[int, list[int]]) -> Table:
    meetings = await q.session.execute(
        select(Meeting.id, Meeting.starts_at, Meeting.title, Meeting.kind)
        .where(*held(q))
        .order_by(Meeting.starts_at, Meeting.id)
    )
    rows = []
    for meeting_id, starts_at, title, kind in meetings:
        if q.region is not None and meeting_id not in counts:
            continue  # the meeting does not concern the region
        # invited, confirmed, delegated, answered no, attended; then the attendance rate
        invited, *answers = counts.get(meeting_id, [0, 0, 0, 0, 0])
        shown: list[Value] = [*answers, ratio(answers[-1], invited)]
        if meeting_id in hidden:  # answers of fewer than 3 people, or what would reveal them
            shown = [None] * len(shown)
        day = day_label(q, local_day(q, starts_at))
        kind_name = q._(KINDS.get(kind, kind))
        rows.append((day, title, kind_name, invited, *shown))
    columns = (
        Column(q._(N_("Date")), Kind.TEXT),
        Column(q._(N_("Title")), Kind.TEXT),
        Column(q._(N_("Kind")), Kind.TEXT),
        Column(q._(INVITED)),
        Column(q._(CONFIRMED)),
        Column(q._(SENT_DELEGATE)),
        Column(q._(ANSWERED_NO)),
        Column(q._(ATTENDED)),
        Column(q._(ATTENDANCE_RATE), Kind.SHARE),
    )
    return Table(q._(N_("Each meeting")), columns, tuple(rows))


async def participation(q: Query) -> Indicator:
    """People invited to the meetings that start in the period (Lima dates, first and last day
    included) and were not cancelled; each person is counted once, however many of those
    meetings they were invited to. Confirmed: answered yes, or sent a delegate, for at least one
    of them; sent a delegate: did so at least once; attended: their attendance was recorded at
    least once by the period's end. The confirmation and attendance rates are over the people
    invited, and are not shown (—) when fewer than 3 people were invited. A sex's figures are
    not shown (—) where its people invited or who attended would tell the sex of 1 or 2 people,
    and neither are those of enough other sexes and regions that the totals cannot tell them
    (the rule of indicator 7). People are grouped by the region and sex they had when invited
    (someone whose profile changed between two invitations of the period counts once with each);
    the per-meeting table counts each meeting's invitees.
    """
    national = await invitation_cells(replace(q, region=None))
    cells = {key: values for key, values in national.items() if in_scope(q, key[0])}
    hides = await _meeting_hides(q)
    counts = await _counts(q)
    people, meeting_rows = hides.people, _bounded(counts, hides.meetings)
    if q.region is not None:  # its parts of the meetings the national report hides so, too
        everyone = _bounded(await _counts(replace(q, region=None)), hides.meetings)
        people, mine = hides.region(q.region, [*SEXES, None])
        meeting_rows = _bounded(counts, mine | (everyone - hides.meetings))
    measures = _measures(q)
    meetings = await _per_meeting(q, meeting_rows, counts)
    given = {"invited": people}
    title = q._(N_("Invited people by sex"))
    if q.region is None:
        by_sex_table, _unseen = await _national_by_sex(q, national, hides, title)
    else:  # as indicator 7 hides them: invited and attended
        groups = ("invited", "attended")
        by_sex_table = by_sex(
            q, title, cells, measures, groups=groups, hides=given, everyone=national
        )
    regions = by_region(q, q._(N_("Invited people by region")), cells, measures, hides=given)
    headlines = (
        Headline(q._(MEETINGS), len(meetings.rows)),
        *(total_headline(regions, i, m.label, m.kind) for i, m in enumerate(measures, start=1)),
    )
    tables = (
        regions,
        by_sex_table,
        meetings,
    )
    charts = (
        Chart(q._(N_("Invited, confirmed and attended, by region")), 0, (1, 2, 4), True),
        Chart(q._(N_("Confirmation and attendance rates by sex")), 1, (5, 6)),
    )
    return Indicator(
        1, q._(PARTICIPATION_TITLE), q._(PARTICIPATION_DEFINITION), headlines, tables, charts
    )


def _measures(q: Query) -> tuple[Measure, ...]:
    return (
        count(q._(INVITED), "invited"),
        count(q._(CONFIRMED), "confirmed", "invited"),
        count(q._(SENT_DELEGATE), "delegated", "invited"),
        count(q._(ATTENDED), "attended", "invited"),
        share(q._(CONFIRMATION_RATE), "confirmed", "invited"),
        share(q._(ATTENDANCE_RATE), "attended", "invited"),
    )


# The rule's last answers by invitations: indicator 7 asks for the same right after 1.
_RULES: dict[tuple[Invitation, ...], MeetingHides] = {}


async def _meeting_hides(q: Query) -> MeetingHides:
    """`meeting_rule` over the period's invitations, in a worker process: the exact check is
    up to seconds of CPU no reply should wait for."""
    invitations = await _invitations(q)
    key = tuple(invitations)
    if key not in _RULES:
        while len(_RULES) >= 8:  # a year's, its quarters', its years so far (`period_reads`)
            _RULES.pop(next(iter(_RULES)))
        hides, short = await report_limit.run(RULE, invitations)
        if short:  # past the report's limit: hides more than the rule, for this report only
            return hides
        _RULES[key] = hides
    return _RULES[key]


@dataclass(frozen=True, slots=True)
class MeetingSexes:
    """What the national table by sex of indicator 1 hides of the groups indicator 7 counts
    by sex too (keyed as indicator 7 keys them): `columns`, the sexes whose count it hides
    though it shows their row (its bounds), and of the invitees those `invitee_bounds`
    hides, their row hidden or not (indicator 7 hides them too); `rows`, the sexes whose
    row it hides whole (either group would tell 1 or 2 people); `regions`, the regions it
    hides."""

    columns: dict[str, frozenset[str | None]]
    rows: frozenset[str | None]
    regions: frozenset[Any]


async def national_sexes(q: Query) -> MeetingSexes:
    """What indicator 1's national table by sex hides of the people invited and of those who
    attended (`MeetingSexes`): indicator 7 counts the same groups by sex, and beside the
    regions' counts here a count it showed could give back what this hides («Prefiero no
    decir» 0 attended, hidden here by the bounds, beside its 5 invited of 6 and Puno 3
    attended of 4 invited: Piura's one «Prefiero no decir» was invited)."""
    everywhere = replace(q, region=None)
    cells = await invitation_cells(everywhere)
    hides = await _meeting_hides(everywhere)
    table, unseen = await _national_by_sex(everywhere, cells, hides, "")
    sexes = {q.sex_name(sex): sex for sex in [*SEXES, None]}
    rows = [(sexes[row[0]], row) for row in table.rows if row[0] in sexes]
    blank = frozenset(sex for sex, row in rows if all(v is None for v in row[1:]))
    columns = {
        group: frozenset(sex for sex, row in rows if row[column] is None) - blank
        for group, column in (("invitees", 1), ("meeting_attendees", 4))
    }
    columns["invitees"] |= unseen["invited"]  # hidden beside the people registered: in 7 too
    columns["meeting_attendees"] |= unseen["attended"]  # rows the chain hides: in 7 too
    return MeetingSexes(columns, blank, hides.people.rows)


# The last answers of `chained_sexes`: indicator 7 asks for the same right after 1.
_CHAINED: dict[Any, Chosen] = {}  # a year's and its quarters' (`period_reads`) too


async def _national_by_sex(
    q: Query, national: Cells, hides: MeetingHides, title: str, alone: bool = False
) -> tuple[Table, Chosen]:
    """The national table by sex, and per group (invited, attended) the sexes indicator 7
    hides besides: of the invitees, those beside the people registered
    (`_beside_registered`); of both, what the chain of its groups read with every report
    hides (`meeting_sexes`: a row, or the attended of a row hidden whole by its rules); a
    whole year's, what its quarters' reports beside it would tell, a quarter's, what the
    quarters before it and its year so far would (`period_reads`: a group's count by sex,
    an invitees' whole row); neither with `alone`."""
    everywhere = replace(q, region=None)
    extra = await _beside_registered(everywhere, national)
    measures = _measures(q)
    people = await registered(everywhere)

    def build(chosen: Chosen) -> Table:
        return by_sex(
            everywhere,
            title,
            national,
            measures,
            groups=("invited", "attended"),  # as indicator 7 hides them
            hides={"invited": hides.people},
            everyone=national,
            more={"invited": extra | chosen.get("invited", frozenset())},
            columns=chosen,
        )

    key = (repr(sorted(((k, sorted(v.items())) for k, v in national.items()), key=repr)),)
    key = (*key, hides, extra, repr(sorted(people.items(), key=repr)))
    if key not in _CHAINED:
        while len(_CHAINED) >= 6:
            _CHAINED.pop(next(iter(_CHAINED)))
        regions = by_region(everywhere, "", national, measures, hides={"invited": hides.people})
        _CHAINED[key] = chained_sexes(
            everywhere, national, people, hides, measures, build, regions, extra
        )
    chosen = _CHAINED[key]
    table = build(chosen)
    if not alone:
        sight = (
            shown_sexes(everywhere, national, table, in_seven(chosen, extra)),
            known_cells(everywhere, national, hides, measures),
        )
        beside = beside_quarters if len(q.period.quarters()) > 1 else quarter_first
        if period := await beside(everywhere, national, sight, _sight):
            chosen = {g: sexes | period.get(g, frozenset()) for g, sexes in chosen.items()}
            table = build(chosen)
    return table, in_seven(chosen, extra)


async def _sight(q: Query, alone: bool) -> Sight:
    """What a period's national report (its table by sex as printed, indicator 7's groups
    by sex) and its regions' own show of its people, for `period_reads`; `alone`: by its
    own rules only (`_national_by_sex`)."""
    everywhere = replace(q, region=None)
    cells = await invitation_cells(everywhere)
    hides = await _meeting_hides(everywhere)
    table, unseen = await _national_by_sex(everywhere, cells, hides, "", alone)
    return (
        shown_sexes(everywhere, cells, table, unseen),
        known_cells(everywhere, cells, hides, _measures(q)),
    )


async def _beside_registered(q: Query, national: Cells) -> frozenset[Any]:
    """The sexes the national table by sex hides besides, so that its invitees and the
    regions' beside the people registered pin no one (`invitee_bounds`): hidden here and in
    indicator 7, which shows the invitees of a sex whose row this hides for its attendees."""
    everywhere = replace(q, region=None)
    blank = hidden_sexes(everywhere, national, "invited", "attended")
    both = blank & group_hides(everywhere, national, "invited")[1]
    return bounded_sexes(national, await registered(everywhere), both, blank)
