"""/casos beside the reports: what a coordinator's listing adds to `tests/case_attack.py`'s reader.

A coordinator's /casos lists every case of the regions they cover (a national coordinator:
every region) with its region, type, support, status, step and history, and who registered
it (by name, never by sex): so they know each official's cases, month by month, and only
the officials' sexes are hidden from them. In the model that is an assignment: within a
region, each person (whose sex the unknowns are indexed by) has the counts of exactly one
of the region's people named in the listing (0 or 1 per pair, one per row and column), the
truth being each their own. What is then worth pinning is a figure by sex: a hidden cell of
the tables by sex, or a cell of region and sex of 1 or 2 people; a region's figures are the
listing's, told to whoever covers it (national coverage: the worst case, as it reads every
report a regional coordinator may ask for besides)."""

from __future__ import annotations

from tests.case_attack import CASE, MONTHS, CaseModel, case_pinned
from tests.period_attack import REGIONS, Target


def read_listing(model: CaseModel) -> None:
    """The listing's counts of each region's people as an assignment (see the module)."""
    for region in REGIONS:
        people = model.who(region)
        pair = {
            (p, q): model._unknown((p, "as", f"q{q}"), int(p == q)) for p in people for q in people
        }
        for p in people:
            _one(model, [pair[(p, q)] for q in people])
            _one(model, [pair[(q, p)] for q in people])
        for group in CASE:
            for month in MONTHS:
                unit = f"M{month}"
                for p in people:
                    row = {model.index[(p, group, unit)]: 1.0}
                    for q in people:
                        if count := model.truth[model.index[(q, group, unit)]]:
                            row[pair[(p, q)]] = -float(count)
                    model._equal(row)


def _one(model: CaseModel, marks: list[int]) -> None:
    """Exactly one of `marks` is 1."""
    model.rules += [({k: 1.0 for k in marks}, 1), ({k: -1.0 for k in marks}, -1)]


def by_sex(found: list[tuple[Target, str]]) -> list[tuple[Target, str]]:
    """The pins that are figures by sex (see the module): a cell of region and sex, or a
    hidden figure of a table by sex."""
    return [(t, how) for t, how in found if t.label.startswith("cell ") or " Sexo " in t.label]


def listing_pinned(model: CaseModel) -> tuple[int, list[tuple[Target, str]]]:
    """`case_pinned` with the listing read, its pins by sex."""
    read_listing(model)
    checked, found = case_pinned(model)
    return checked, by_sex(found)
