"""The FTS5 baseline given the example questions, at Minka's operating point: its threshold
chosen, leaving one set out as `bench.search_calibrate` does, so that false answers averaged
over the other sets stay at most the same `POINT`. `bench.search_quality` calibrates FTS5's
threshold for the most right answers less wrong ones, which puts it at another operating
point (more answers, most false ones): top-1 then compares unlike things.

    python -m bench.search_baseline_point [--point P]

FTS5 is given Minka's preprocessing, its example memory (each set's questions left out, a
tuning question's fold) and blend (`bench.search_examples_cv.fts5_with_examples`).
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import dataclass

import numpy as np

from bench.search_calibrate import POINT, TUNING, groups, lowest
from bench.search_examples_cv import FOLDS, stratified, without
from bench.search_quality import fts5_runner
from knowledge.base import KnowledgeBase


@dataclass(frozen=True, slots=True)
class Scored:
    none: bool
    right: bool  # the first after the examples' reordering is a fair article
    score: float  # FTS5's best score (what its threshold reads)
    vetoed: bool  # a past question without answer is closer (the blend says not sure)
    vouched: bool  # a past question of the top article is close (the blend says sure)

    def sure(self, threshold: float) -> bool:
        return (self.score >= threshold or self.vouched) and not self.vetoed


def scored(kb: KnowledgeBase, sets: dict[str, list[dict]], name: str) -> list[Scored]:
    plain = fts5_runner(kb, float("-inf"))
    parts = stratified(sets[name], FOLDS) if name == TUNING else [sets[name]]
    found = []
    for part in parts:
        memory = kb.index.remember(without(kb.kit.examples, part)).examples
        for case in part:
            fair = {case["expected"], *case.get("also", ())}
            outcome = plain(case["q"])
            if not outcome.ranking:
                found.append(Scored(case["expected"] == "none", False, float("-inf"), True, False))
                continue
            near, unanswered = memory.closeness(kb.index.example_words(case["q"]))
            numbers = [kb.index.number(a) for a in outcome.ranking]
            scores = memory.blend.scores(np.array(outcome.scores), near[numbers])
            top = int(np.argmax(scores))
            close = float(near[numbers[top]])
            blend = memory.blend
            vetoed = unanswered >= blend.unsure and unanswered >= close + blend.margin
            vouched = close >= blend.sure and close >= unanswered + blend.margin
            right = outcome.ranking[top] in fair and case["expected"] != "none"
            found.append(Scored(case["expected"] == "none", right, outcome.score, vetoed, vouched))
    return found


def threshold(parts: list[list[Scored]], point: float) -> float:
    """The lowest score threshold at which false answers average at most `point`."""
    candidates = sorted({s.score for p in parts for s in p if s.none} | {float("inf")})

    def false(t: float) -> float:
        return float(
            np.mean([sum(s.sure(t) for s in p if s.none) / sum(s.none for s in p) for p in parts])
        )

    return lowest(candidates, false, point)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="FTS5 + ejemplos en el punto de operación")
    parser.add_argument("--point", type=float, default=POINT)
    args = parser.parse_args(argv)
    kb = KnowledgeBase.load()
    sets = groups()
    rows = {name: scored(kb, sets, name) for name in sets}
    print(f"FTS5 + examples, leave one set out (false answers ≤ {args.point:.0%} on the others):")
    means = []
    for name, own in rows.items():
        t = threshold([p for other, p in rows.items() if other != name], args.point)
        answerable = [s for s in own if not s.none]
        top1 = sum(s.right and s.sure(t) for s in answerable) / len(answerable)
        false = sum(s.sure(t) for s in own if s.none) / sum(s.none for s in own)
        if name != TUNING:
            means.append((top1, false))
        print(f"  {name:<28}{top1:>8.1%} / {false:5.1%}  (threshold {t:.2f})")
    mean = np.mean(means, axis=0)
    print(f"  {'mean of the held-out sets':<28}{mean[0]:>8.1%} / {mean[1]:5.1%}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
