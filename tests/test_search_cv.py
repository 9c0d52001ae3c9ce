"""The tuning set's cross-validation folds (`bench.search_cv`): an article's questions are
never split between folds, so a fold's articles are unseen when a threshold is chosen."""

from __future__ import annotations

from bench.search_cv import RULES, folds
from knowledge.confidence import RULE


def test_folds_keep_an_articles_questions_together_and_deal_the_rest_evenly() -> None:
    cases = [{"q": f"a{i}", "expected": "a"} for i in range(5)]
    cases += [{"q": f"b{i}", "expected": "b"} for i in range(3)]
    cases += [{"q": f"c{i}", "expected": "c"} for i in range(2)]
    cases += [{"q": f"n{i}", "expected": "none"} for i in range(4)]
    split = folds(cases, 2)
    assert sorted(len(fold) for fold in split) == [7, 7]
    for article in "abc":
        holding = [fold for fold in split if any(c["expected"] == article for c in fold)]
        assert len(holding) == 1
    assert [sum(c["expected"] == "none" for c in fold) for fold in split] == [2, 2]
    assert sorted(c["q"] for fold in split for c in fold) == sorted(c["q"] for c in cases)


def test_the_shipped_rule_is_tried_first_and_once() -> None:
    assert RULES[0] == RULE
    assert RULES.count(RULE) == 1
    assert len(set(RULES)) == len(RULES)
