"""Search quality on the evaluation set (bench/search_eval.yaml), next to an SQLite FTS5
(bm25) baseline over the same articles.

    python -m bench.search_quality [--misses]

top-1: the confident answer is the expected article. top-3: the expected article is among
the first three shown (the answer and "También puede interesarte", or the closest ones when
Minka is not sure). MRR over the first ten. False answers: questions with no answer in the kit
that still got a confident answer.
"""

from __future__ import annotations

import argparse
import re
import sqlite3
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import yaml

from knowledge.base import KnowledgeBase
from knowledge.model import ToolKit
from knowledge.text import fold

EVAL_FILE = Path(__file__).with_name("search_eval.yaml")


@dataclass
class Outcome:
    answered: str | None  # the confident answer, if any
    ranking: list[str]  # shown or closest, best first


@dataclass
class Figures:
    top1: float
    top3: float
    mrr: float
    false_answers: float
    answerable: int
    unanswerable: int
    misses: list[tuple[str, str, list[str]]]


def evaluate(cases: list[dict], run: Callable[[str], Outcome]) -> Figures:
    top1 = top3 = reciprocal = false_answers = 0.0
    answerable = unanswerable = 0
    misses = []
    for case in cases:
        outcome = run(case["q"])
        expected = case["expected"]
        if expected == "none":
            unanswerable += 1
            if outcome.answered is not None:
                false_answers += 1
                misses.append((case["q"], "none", [outcome.answered]))
            continue
        answerable += 1
        top1 += outcome.answered == expected
        top3 += expected in outcome.ranking[:3]
        if expected in outcome.ranking[:10]:
            reciprocal += 1 / (outcome.ranking.index(expected) + 1)
        if outcome.answered != expected:
            misses.append((case["q"], expected, outcome.ranking[:3]))
    return Figures(
        top1 / answerable,
        top3 / answerable,
        reciprocal / answerable,
        false_answers / max(unanswerable, 1),
        answerable,
        unanswerable,
        misses,
    )


def minka_runner(kb: KnowledgeBase) -> Callable[[str], Outcome]:
    def run(question: str) -> Outcome:
        answer = kb.index.search(question)
        if answer.best is not None:
            shown = [answer.best.id, *(a.id for a in answer.others)]
        else:
            shown = [a.id for a in answer.others]
        deeper = [a.id for a, _score in kb.index.ranked(question, 10) if a.id not in shown]
        return Outcome(answer.best.id if answer.best else None, shown + deeper)

    return run


def fts5_runner(kit: ToolKit) -> Callable[[str], Outcome]:
    """The plain baseline: FTS5, accent-folding tokenizer, bm25, any match is an answer."""
    db = sqlite3.connect(":memory:")
    db.execute(
        "CREATE VIRTUAL TABLE docs USING fts5(id UNINDEXED, title, keywords, summary, body, "
        "tokenize='unicode61 remove_diacritics 2')"
    )
    db.executemany(
        "INSERT INTO docs VALUES (?, ?, ?, ?, ?)",
        [(a.id, a.title, " ".join(a.keywords), a.summary, a.body) for a in kit.articles.values()],
    )

    def run(question: str) -> Outcome:
        tokens = re.findall(r"\w+", fold(question))
        if not tokens:
            return Outcome(None, [])
        match = " OR ".join(f'"{token}"' for token in tokens)
        rows = db.execute(
            "SELECT id FROM docs WHERE docs MATCH ? ORDER BY bm25(docs, 0, 3, 2.5, 1.5, 1) "
            "LIMIT 10",
            (match,),
        ).fetchall()
        ranking = [row[0] for row in rows]
        return Outcome(ranking[0] if ranking else None, ranking)

    return run


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Calidad de la búsqueda del Tool Kit")
    parser.add_argument("--misses", action="store_true", help="lista las preguntas falladas")
    args = parser.parse_args(argv)
    cases = yaml.safe_load(EVAL_FILE.read_text(encoding="utf-8"))
    started = time.perf_counter()
    kb = KnowledgeBase.load()
    ours = evaluate(cases, minka_runner(kb))
    baseline = evaluate(cases, fts5_runner(kb.kit))
    elapsed = time.perf_counter() - started
    print(
        f"Evaluation set: {ours.answerable} answerable + {ours.unanswerable} without answer "
        f"({len(kb.kit.articles)} articles)"
    )
    print(f"{'metric':<22}{'Minka':>10}{'FTS5 bm25':>12}{'target':>10}")
    rows = [
        ("top-1", ours.top1, baseline.top1, "≥ 85 %"),
        ("top-3", ours.top3, baseline.top3, "≥ 95 %"),
        ("MRR@10", ours.mrr, baseline.mrr, ""),
        ("false answers (none)", ours.false_answers, baseline.false_answers, "≤ 10 %"),
    ]
    for name, mine, base, target in rows:
        print(f"{name:<22}{mine:>10.1%}{base:>12.1%}{target:>10}")
    print(f"(ran in {elapsed:.2f} s)")
    if args.misses:
        print("\nMinka's misses (question → expected; shown):")
        for question, expected, shown in ours.misses:
            print(f"  {question!r} → {expected}; {shown}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
