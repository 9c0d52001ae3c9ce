"""Which sexes indicator 5's national table by sex hides besides the rule's
(`sex_rule.group_hides`), read beside indicator 4's. A sex's formalization cases
registered in the period are some of its cases of the period, which indicator 4's table
by sex shows wherever it does not hide the sex; so the hidden sexes' «Registered in the
period» (the total less the sexes shown) could be split among them: Hombre hidden with Sin
dato's 2 formalization cases, the two registered 2 in the period, and indicator 4 showed
Hombre's 0 cases in the period: Sin dato's were those 2 (test_case_support_disclosure's
seed 27). While a hidden sex's count is so pinned, one more sex goes (fewest cases
first). A sex holding every formalization case, the others shown at 0, tells whoever
registered each region's cases; where a region's come from 1 or 2 officials, it goes, and
another with it (test_formal_one_sex: Puno's one official's, «Prefiero no decir»). More
generally, a shown sex's cases split as whole numbers among the regions where it has people
(/registrados) may have to put some in a region of 1 or 2 officials, telling one's sex (seed
6: «Sin dato» 3 = Piura's 1 + Tacna's 2): that sex goes while so (`_filled`); and where it
must put some in a cell of one person, an official (`case_officials.lone_officials`, seed
0's Q2: «Mujer» 3 registered in it, the regions but Piura 2)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from math import inf
from typing import Any

from sqlalchemy import func, select

from bot.services.cases import FORMALIZATION
from bot.services.indicators.case_officials import lone_officials, officials_hidden
from bot.services.indicators.common import EVERY_SEX, Cells, Measure, Query, Table, sex_code
from bot.services.indicators.registered_at import registered_cells
from bot.services.indicators.registered_zeros import sexes_beside_registered
from bot.services.indicators.sex_rule import group_hides, hidden_sexes
from bot.services.indicators.sex_splits import sexes_while_forced
from bot.services.small_cells import too_small
from storage.models import Case


async def sexes_beside_cases(
    q: Query, formal: Cells, cases: Cells, beside: tuple[Table, tuple[Measure, ...]]
) -> frozenset[str | None]:
    """The sexes to hide besides the rule's. `formal`: indicator 5's cells (every region's,
    "cases" and "new"); `cases`: indicator 4's (`cases.case_cells`); `beside`: indicator
    5's national table by region and its measures. None for a region's report (its row by
    sex is hidden whole, or shown whole with its counts). Then those that /registrados
    beside the tables needs (`registered_zeros`)."""
    if q.region is not None:
        return frozenset()
    more = await _beside_cases(q, formal, cases, await _lone_sex(q, formal))
    if not formal:
        return more
    more |= await _filled(q, formal, hidden_sexes(q, formal, "cases") | more)
    parts = ("cases", "new", "formalized")  # any of them: its official registered a case
    more |= await lone_officials(q, formal, hidden_sexes(q, formal, "cases") | more, parts)
    hidden = hidden_sexes(q, formal, "cases") | more
    rows = group_hides(q, formal, "cases")[0].rows
    apart = {region for region, _sex in formal} - rows
    columns = {"cases": 1, "formalized": 2, "new": 4, "formalized_now": 5}  # of `regions`
    return more | await sexes_beside_registered(q, formal, columns, beside, hidden, apart)


async def _lone_sex(q: Query, formal: Cells) -> frozenset[str | None]:
    """The one sex with formalization cases, where some region's come from 1 or 2
    officials (see the module)."""
    holding = {sex for sex, n in _by_sex(formal, "cases").items() if n}
    if len(holding) != 1:
        return frozenset()
    return frozenset(holding) if await _few_officials(q) else frozenset()


async def _few_officials(q: Query) -> set[Any]:
    """The regions whose formalization cases up to the period's end come from 1 or 2
    officials."""
    officials = func.count(func.distinct(Case.person_id))
    statement = (
        select(Case.region_code, officials)
        .where(Case.kind == FORMALIZATION, Case.created_at < q.end)
        .group_by(Case.region_code)
    )
    return {region for region, n in (await q.session.execute(statement)).all() if too_small(n)}


async def _filled(q: Query, formal: Cells, hidden: frozenset[str | None]) -> frozenset[str | None]:
    """The sexes hidden while a shown sex's formalization cases, split among the regions
    where it has people (/registrados) as whole numbers beside the table by region, must
    put some in a region of 1 or 2 officials: their sex (test_formal_one_sex, seed 6)."""
    few = await _few_officials(q)
    cases = Counter(
        {(region, sex_code(sex)): int(v.get("cases", 0)) for (region, sex), v in formal.items()}
    )
    if not few or not any(cases[key] for key in cases if key[0] in few):
        return frozenset()
    people = await registered_cells(q)
    return sexes_while_forced(cases, people, hidden, lambda region, _sex: region in few)


async def _beside_cases(
    q: Query, formal: Cells, cases: Cells, lone: frozenset[str | None]
) -> frozenset[str | None]:
    """The sexes indicator 4's table by sex makes 5's hide, and `lone` with another."""
    shown4 = EVERY_SEX - hidden_sexes(
        q, cases, "officials", more={"officials": await officials_hidden(q, cases)}
    )
    most = _by_sex(cases, "cases")
    new, people = _by_sex(formal, "new"), _by_sex(formal, "cases")
    hidden = set(hidden_sexes(q, formal, "cases")) | lone
    more: set[str | None] = set(lone)

    def told() -> bool:
        if lone and len(hidden | more) < 2:
            return True
        # A total of 0 tells every sex's anyway (the rule's limit).
        bounds = {sex: most[sex] for sex in shown4}
        return bool(sum(new.values())) and _pinned(hidden | more, new, bounds)

    while told():
        left = [sex for sex in EVERY_SEX if sex not in hidden | more]
        if not left:
            break
        more.add(min(left, key=lambda sex: (people[sex], str(sex))))
    return frozenset(more)


def _by_sex(cells: Cells, key: str) -> Counter[str | None]:
    totals: Counter[str | None] = Counter()
    for (_region, sex), values in cells.items():
        totals[sex_code(sex)] += int(values.get(key, 0))
    return totals


def _pinned(
    hidden: Iterable[str | None], new: Counter[str | None], most: dict[str | None, int]
) -> bool:
    """Whether some hidden sex's count, between 0 and `most` (where indicator 4 shows its
    cases), is the same in every split of the hidden sexes' sum."""
    hidden = list(hidden)
    total = sum(new[sex] for sex in hidden)
    for sex in hidden:
        others = sum(most.get(other, inf) for other in hidden if other != sex)
        if max(0, total - others) == min(most.get(sex, inf), total):
            return True
    return False
