"""A study visit's record for coordinators: the delegation by region and as regional leaders
or officials, and who travelled. It counts people (each invitee once). The list of
participants names everyone with their region, position and answer, because the record exists
to show who took part; it does not show their sex, nor counts by sex: a visit's counts by sex
are the inner cells of a table (visit × region × sex) whose margins indicator 9 shows by sex,
national and regional, so hiding one visit's small ones left them to subtraction, as in the
meeting report. Indicator 9 counts visits' people by sex under one rule
(`bot.services.indicators.sex_rule`). The questionnaire's answers are shown once it has closed
(`while_open`): read twice as they came, one answer apart, the averages and lists differed by
one person's answers (tests/test_visita_two_looks.py). Nothing here knows about Telegram: the
same report feeds the chat and the workbook."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from bot.services import visits as rules
from bot.services.small_cells import SMALL_CELL, safe_counts
from storage.repositories import visits as repo
from storage.repositories.visits import ParticipantRecord, VisitRecord

LEADER, OFFICIAL = "leader", "official"


@dataclass(frozen=True, slots=True)
class Counts:
    invited: int = 0
    accepted: int = 0
    declined: int = 0
    pending: int = 0
    confirmed: int = 0
    travelled: int = 0


@dataclass(frozen=True, slots=True)
class GroupCounts:
    """A region name or leader/official; None: not given."""

    key: str | None
    counts: Counts


@dataclass(frozen=True, slots=True)
class SurveySummary:
    """The questionnaire's answers without names: an average and counts only when at least
    `SMALL_CELL` people answered, the texts (sorted, not by person) likewise."""

    answered: int
    usefulness: float | None
    equality_seen: tuple[int, int] | None  # (Sí, No)
    learned: tuple[str, ...]
    practices: tuple[str, ...]
    comments: tuple[str, ...]
    withheld: bool = False  # still taking answers: only how many


def survey_summary(people: Iterable[ParticipantRecord]) -> SurveySummary:
    answers = [p.survey for p in people if p.survey is not None]
    if len(answers) < SMALL_CELL:
        return SurveySummary(len(answers), None, None, (), (), ())
    seen = sum(a.equality_seen for a in answers)
    return SurveySummary(
        answered=len(answers),
        usefulness=sum(a.usefulness for a in answers) / len(answers),
        equality_seen=(seen, len(answers) - seen)
        if safe_counts([seen, len(answers) - seen])
        else None,
        learned=tuple(sorted(text for a in answers for text in a.learned)),
        practices=tuple(sorted(a.practice for a in answers if a.practice)),  # erased: ""
        comments=tuple(sorted(a.equality_comment for a in answers if a.equality_comment)),
    )


@dataclass(frozen=True, slots=True)
class VisitReport:
    visit: VisitRecord
    totals: Counts
    by_region: list[GroupCounts]
    by_kind: list[GroupCounts]
    people: list[ParticipantRecord]
    leaders: frozenset[int]  # person ids counted as regional leaders
    survey: SurveySummary


def count(people: Iterable[ParticipantRecord]) -> Counts:
    people = list(people)
    answers = [p.answer for p in people]
    return Counts(
        invited=len(people),
        accepted=answers.count("accepted"),
        declined=answers.count("declined"),
        pending=answers.count("pending"),
        confirmed=sum(p.confirmed for p in people),
        travelled=sum(p.travelled for p in people),
    )


def _groups(
    people: list[ParticipantRecord], key: Callable[[ParticipantRecord], str | None]
) -> dict[str | None, Counts]:
    keys: dict[str | None, list[ParticipantRecord]] = {}
    for person in people:
        keys.setdefault(key(person), []).append(person)
    return {k: count(v) for k, v in keys.items()}


async def build_report(
    session: AsyncSession, visit: VisitRecord, words: tuple[str, ...]
) -> VisitReport:
    people = await repo.participants(session, visit.id)
    leaders = frozenset(p.person_id for p in people if rules.is_leader(p, words))
    regions = _groups(people, lambda p: p.region_name)
    kinds = _groups(people, lambda p: LEADER if p.person_id in leaders else OFFICIAL)
    return VisitReport(
        visit=visit,
        totals=count(people),
        by_region=[
            GroupCounts(name, regions[name])
            for name in sorted(regions, key=lambda name: (name is None, name or ""))
        ],
        by_kind=[GroupCounts(k, kinds[k]) for k in (LEADER, OFFICIAL) if k in kinds],
        people=people,
        leaders=leaders,
        survey=survey_summary(people),
    )


def while_open(report: VisitReport, now: datetime) -> VisitReport:
    """What a coordinator may read at `now`: the questionnaire's answers once it has closed;
    before, only how many answered (see the module's docstring)."""
    if now >= rules.survey_closes(report.visit):
        return report
    survey = SurveySummary(report.survey.answered, None, None, (), (), (), withheld=True)
    return replace(report, survey=survey)
