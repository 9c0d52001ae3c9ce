"""Cross-validation on the tuning set: what a threshold chosen on part of the questions does
on the rest, for Minka's confidence rule and for the FTS5 baseline's threshold alike.

The answerable questions are split by article (an article's questions all fall in one fold,
so a fold's articles were never looked at while choosing), the questions without answer in
turn. For each fold, the rule among `RULES` with the best gain on the other folds (right
answers minus wrong and false ones, as the baseline is calibrated) is measured on it; the
shipped rule is measured on it too. A change that helps only on the whole set, not fold by
fold, fits the questions rather than the kit.
"""

from __future__ import annotations

import itertools
from collections import defaultdict
from collections.abc import Callable
from dataclasses import replace

from bench.search_quality import (
    Figures,
    Outcome,
    calibrate,
    evaluate,
    fts5_runner,
    minka_runner,
)
from knowledge.base import KnowledgeBase
from knowledge.confidence import RULE, Rule

# The shipped rule first (it wins ties), then its neighbours.
RULES = [RULE] + [
    rule
    for score, cover, long, lead in itertools.product(
        (2.0, 2.5, 3.0), (0.55, 0.6, 0.65, 0.7), (0.4, 0.5), (0.5, 0.55, 0.6, 0.65)
    )
    if (
        rule := replace(
            RULE, min_score=score, min_coverage=cover, long_coverage=long, lead_coverage=lead
        )
    )
    != RULE
]


def folds(cases: list[dict], k: int) -> list[list[dict]]:
    """`k` folds: each article's questions together, articles dealt largest first to the
    smallest fold; questions without answer dealt in turn."""
    by_article: dict[str, list[dict]] = defaultdict(list)
    unanswerable = []
    for case in cases:
        if case["expected"] == "none":
            unanswerable.append(case)
        else:
            by_article[case["expected"]].append(case)
    split: list[list[dict]] = [[] for _ in range(k)]
    for _article, found in sorted(by_article.items(), key=lambda item: (-len(item[1]), item[0])):
        min(split, key=len).extend(found)
    for i, case in enumerate(unanswerable):
        split[i % k].append(case)
    return split


def gain(cases: list[dict], run: Callable[[str], Outcome]) -> int:
    """Right sure answers minus wrong and false ones."""
    total = 0
    for case in cases:
        answered = run(case["q"]).answered
        if answered is not None:
            total += 1 if answered == case["expected"] else -1
    return total


def pooled(results: list[Figures]) -> tuple[float, float, float]:
    """Top-1, top-3 and false answers over all folds' questions together."""
    answerable = sum(f.answerable for f in results)
    unanswerable = sum(f.unanswerable for f in results)
    top1 = sum(f.top1 * f.answerable for f in results) / answerable
    top3 = sum(f.top3 * f.answerable for f in results) / answerable
    false = sum(f.false_answers * f.unanswerable for f in results) / max(unanswerable, 1)
    return top1, top3, false


def cross_validate(cases: list[dict], kb: KnowledgeBase, k: int) -> None:
    """Print each fold's figures and the pooled ones: the shipped rule, the rule chosen on
    the other folds, and the baseline with its threshold chosen on the other folds."""
    outcomes: list[dict[str, Outcome]] = []
    for rule in RULES:
        run = minka_runner(kb, rule)
        outcomes.append({case["q"]: run(case["q"]) for case in cases})
    split = folds(cases, k)
    shipped, chosen, baseline = [], [], []
    print(f"\nCross-validation, {k} folds by article (top-1 / false answers on each fold):")
    for i, fold in enumerate(split):
        train = [case for j, part in enumerate(split) if j != i for case in part]
        best = max(range(len(RULES)), key=lambda r: gain(train, outcomes[r].__getitem__))
        shipped.append(evaluate(fold, outcomes[0].__getitem__))
        chosen.append(evaluate(fold, outcomes[best].__getitem__))
        baseline.append(evaluate(fold, fts5_runner(kb, calibrate(train, kb))))
        rule = RULES[best]
        print(
            f"  fold {i + 1}: {shipped[-1].answerable:>3} + {shipped[-1].unanswerable:>2} "
            f"shipped {shipped[-1].top1:.1%} / {shipped[-1].false_answers:.1%}; chosen "
            f"{chosen[-1].top1:.1%} / {chosen[-1].false_answers:.1%} ({describe(rule)}); "
            f"FTS5 {baseline[-1].top1:.1%} / {baseline[-1].false_answers:.1%}"
        )
    print(f"{'pooled':<22}{'top-1':>8}{'top-3':>8}{'false':>8}")
    for name, results in (("Minka, shipped rule", shipped), ("Minka, rule by CV", chosen)):
        print(f"{name:<22}" + "".join(f"{v:>8.1%}" for v in pooled(results)))
    print(f"{'FTS5, threshold by CV':<22}" + "".join(f"{v:>8.1%}" for v in pooled(baseline)))


def describe(rule: Rule) -> str:
    return (
        f"score {rule.min_score}, coverage {rule.min_coverage}/{rule.long_coverage}, "
        f"lead {rule.lead_coverage}"
    )
