"""When an ended period reads a record «as at the end»: the end of the calendar quarter the
record falls in, not the period's.

A quarter reads a case's status, or whether a question was answered, as it stood at the
quarter's end, so that nothing done after the end moves it. A year read the same records as
they stood at the year's end: a case registered in Q1 and resolved in Q2 was resolved in the
year but in no quarter, the year was no longer its quarters' sum (`joint`'s premise), and the
two, subtracted, told what a quarter's report hid (tests/test_case_year_beside_quarters,
tests/test_escalation_year_beside_quarters). Indicator 2 reads its agreements quarter by
quarter for the same reason (`agreements._outcomes`).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import case, literal

from bot.services.indicators.common import Query
from storage.types import UTCDateTime


def closing(q: Query, at: Any) -> Any:
    """SQL: the end of the period's calendar quarter the moment `at` (a column) falls in; the
    period's end when it is one quarter or no union of quarters (a CLI period of any dates)."""
    ends = [quarter.end(q.t) for quarter in q.period.quarters()[:-1]]
    last = literal(q.end, UTCDateTime())
    if not ends:
        return last
    return case(*((at < end, literal(end, UTCDateTime())) for end in ends), else_=last)
