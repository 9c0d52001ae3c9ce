"""Search quality on the tuning set (bench/search_eval.yaml) and, apart, on the held-out sets
(bench/search_heldout_v26.yaml, v25, …, v5 and v3, each written blind), next to an SQLite
FTS5 (bm25) baseline given the same preprocessing, so that the comparison measures the ranking
and the confidence rule.

    python -m bench.search_quality [--misses] [--no-heldout] [--heldout PATH ...] [--cv K]

--heldout names a held-out file in place of HELD_OUT_FILES (repeatable: each set's figures are
printed apart, under its file name). A held-out set once scored is spent (`SPENT_FILES`): its
questions become example questions of the kit (`bench.examples_from_eval`) and training data of
the calibration model (`bench.search_calibrate`), and it is scored from then on leaving it out
(the examples less its questions, the model fit without it): each set was written by another
blind author. A new one is written blind. While tuning, run with --no-heldout: it reads no
held-out file at all.

top-1: the confident answer is the expected article (or one the set lists in `also`, as fair
too). top-3: the expected article is among the first three shown (the answer and "También puede
interesarte", or the closest ones when Minka is not sure). MRR over the first ten. False
answers: questions with no answer in the kit that still got a confident answer.
"""

from __future__ import annotations

import argparse
import sqlite3
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import yaml

from knowledge.base import KnowledgeBase
from knowledge.confidence import RULE, Rule
from knowledge.search import FIELD_WEIGHTS

EVAL_FILE = Path(__file__).with_name("search_eval.yaml")  # tuned on
# Each written blind and scored once before anything was fit on it: v23 (session 24, at 02:14 UTC
# 2026-12-07 on 291b834), v22 (session 23, at 23:22 UTC 2026-12-06 on 3ac77b0), v21 (session 22, at
# 19:38 UTC 2026-12-06 on bd0403e), v20 (session 21, at 16:31 UTC 2026-12-06 on 4ac37a1), v19
# (session 20, at 13:40 UTC 2026-12-06 on 4265e39), v18 (session 19, at 10:53 UTC 2026-12-06 on
# 994ab5a), v17 (session 18, at 07:30 UTC 2026-12-06 on 8a4268b), v16 (session 17, at 04:52 UTC
# 2026-12-06 on 9dca7ca, after the session's search changes), v15 (at 03:46 UTC 2026-12-06 on
# 12942c7), v14 (session 16, at 02:06 UTC 2026-12-06 on 75af4fe), v13 and v12 (session 15; v12 at
# 23:00 UTC 2026-12-05 on 593bb1f, v13 at 01:10 UTC 2026-12-06 on 5a004df), v11, v10, v9, v8, v7 and
# v6; v3's aggregate was looked at three times while tuning. All are spent (v16 in session 18, v17
# in session 19, v18 in session 20, v19 in session 21, v20 in session 22, v21 in session 23, v22 in
# session 24, v23 in session 25, v26 in session 28, v25 in session 29): the next measure is a new
# blind set, first in this list once it is scored. v26 (session 27, helper author, 669874d: six
# voices, one from Lima Metropolitana and five from outside Peru comparing its rules with theirs)
# was scored once by the lead at 11:30 UTC 2026-12-07 on ced4f63 and spent in session 28; v25
# (session 26) was scored by the lead at 08:45 UTC 2026-12-07 on 5549eab, again (nothing tuned in
# between) on 1b96472 before it was spent in session 29; v24 (scored at 05:12 UTC 2026-12-07 on
# 5641d69) is not spent yet.
# search_tuning_blind_v10.yaml and search_tuning_blind_v9.yaml are NOT held out: batches written
# blind to tune on.
HELD_OUT_FILES = (
    Path(__file__).with_name("search_heldout_v26.yaml"),
    Path(__file__).with_name("search_heldout_v25.yaml"),
    Path(__file__).with_name("search_heldout_v24.yaml"),
    Path(__file__).with_name("search_heldout_v23.yaml"),
    Path(__file__).with_name("search_heldout_v22.yaml"),
    Path(__file__).with_name("search_heldout_v21.yaml"),
    Path(__file__).with_name("search_heldout_v20.yaml"),
    Path(__file__).with_name("search_heldout_v19.yaml"),
    Path(__file__).with_name("search_heldout_v18.yaml"),
    Path(__file__).with_name("search_heldout_v17.yaml"),
    Path(__file__).with_name("search_heldout_v16.yaml"),
    Path(__file__).with_name("search_heldout_v15.yaml"),
    Path(__file__).with_name("search_heldout_v14.yaml"),
    Path(__file__).with_name("search_heldout_v13.yaml"),
    Path(__file__).with_name("search_heldout_v12.yaml"),
    Path(__file__).with_name("search_heldout_v11.yaml"),
    Path(__file__).with_name("search_heldout_v10.yaml"),
    Path(__file__).with_name("search_heldout_v9.yaml"),
    Path(__file__).with_name("search_heldout_v8.yaml"),
    Path(__file__).with_name("search_heldout_v7.yaml"),
    Path(__file__).with_name("search_heldout_v6.yaml"),
    Path(__file__).with_name("search_heldout_v5.yaml"),
    Path(__file__).with_name("search_heldout_v3.yaml"),
)
# Held-out sets scored once already (spent): their questions are example questions of the kit
# (`bench.examples_from_eval`), each set answered here with the examples of the others (leave
# one set out: each was written by another blind author). A set joins this list only after its
# one scoring.
SPENT_FILES = tuple(
    Path(__file__).with_name(f"search_heldout_v{v}.yaml")
    for v in (26, 25, *range(23, 4, -1), 3)  # v26, v25, v23, …, v5 and v3 (no v4; v24 unspent)
)


@dataclass
class Outcome:
    answered: str | None  # the confident answer, if any
    ranking: list[str]  # shown or closest, best first
    score: float = 0.0  # the baseline's best score (to calibrate its threshold)
    scores: tuple[float, ...] = ()  # the baseline's score of each in `ranking`


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
        fair = {expected, *case.get("also", ())}  # other articles the set's author also accepts
        top1 += outcome.answered in fair
        top3 += not fair.isdisjoint(outcome.ranking[:3])
        ranks = [outcome.ranking.index(a) for a in fair if a in outcome.ranking[:10]]
        if ranks:
            reciprocal += 1 / (min(ranks) + 1)
        if outcome.answered not in fair:
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


def minka_runner(kb: KnowledgeBase, rule: Rule = RULE) -> Callable[[str], Outcome]:
    def run(question: str) -> Outcome:
        if kb.index.small_talk(question) is not None:  # greeted, not searched
            return Outcome(None, [])
        answer = kb.index.search(question, rule=rule)
        if answer.best is not None:
            shown = [answer.best.id, *(a.id for a in answer.others)]
        else:
            shown = [a.id for a in answer.others]
        deeper = [a.id for a, _score in kb.index.ranked(question, 10) if a.id not in shown]
        return Outcome(answer.best.id if answer.best else None, shown + deeper)

    return run


def fts5_runner(kb: KnowledgeBase, threshold: float = 0.0) -> Callable[[str], Outcome]:
    """The baseline, given Minka's own preprocessing so that only the ranking differs: the
    same fields as stems (folding, acronyms), the same query terms (typo repair, word
    families, acronym and synonym expansions; a bigram as a phrase), the same small-talk
    filter, FTS5's bm25 with the same field weights, and an answer only when the best score
    reaches `threshold` (calibrated on the tuning set, like Minka's own)."""
    db = sqlite3.connect(":memory:")
    names = list(FIELD_WEIGHTS)
    db.execute(
        f"CREATE VIRTUAL TABLE docs USING fts5(id UNINDEXED, {', '.join(names)}, "
        "tokenize='unicode61 remove_diacritics 0')"
    )
    rows = []
    for article in kb.kit.articles.values():
        fields = kb.index.field_texts(article)
        rows.append((article.id, *(fields[name] for name in names)))
    db.executemany(f"INSERT INTO docs VALUES (?{', ?' * len(names)})", rows)
    weights = ", ".join(str(FIELD_WEIGHTS[name]) for name in names)

    def run(question: str) -> Outcome:
        if kb.index.small_talk(question) is not None:
            return Outcome(None, [])
        terms = kb.index.terms(question)
        if not terms:
            return Outcome(None, [])
        match = " OR ".join('"' + term.replace("_", " ") + '"' for term in terms)
        found = db.execute(
            f"SELECT id, -bm25(docs, 0, {weights}) AS score FROM docs WHERE docs MATCH ? "
            "ORDER BY score DESC LIMIT 10",
            (match,),
        ).fetchall()
        ranking = [row[0] for row in found]
        best = found[0][1] if found else 0.0
        sure = bool(found) and best >= threshold
        return Outcome(ranking[0] if sure else None, ranking, best, tuple(r[1] for r in found))

    return run


def apart(kb: KnowledgeBase, cases: list[dict], name: str = "") -> KnowledgeBase:
    """The kit with no example question that is one of `cases` (a spent held-out set's are
    examples: each set is answered with the others', as a new author's would be); a spent set
    (`name` one of `SPENT_FILES`) is judged by the calibration model fit without it."""
    from bench.search_examples_cv import without

    index = kb.index.remember(without(kb.kit.examples, cases))
    if kb.index.model is not None and name in {path.name for path in SPENT_FILES}:
        from bench.search_calibrate import groups, leave_one_set_out

        index.model, _rows = leave_one_set_out(kb, groups(), name)
    return KnowledgeBase(kb.kit, index)


def calibrate(cases: list[dict], kb: KnowledgeBase) -> float:
    """The baseline's threshold that does best on the tuning set: the most right answers
    minus wrong ones (a false or wrong confident answer costs as much as a right one gains)."""
    plain = fts5_runner(kb, threshold=float("-inf"))
    scored = []
    for case in cases:
        outcome = plain(case["q"])
        if outcome.answered is not None:
            scored.append((outcome.score, outcome.answered == case["expected"]))

    def gain(threshold: float) -> int:
        return sum((1 if right else -1) for score, right in scored if score >= threshold)

    return max(sorted({score for score, _right in scored}), key=gain, default=0.0)


def print_figures(
    title: str,
    ours: Figures,
    baseline: Figures,
    targets: tuple[str, ...],
    helped: Figures | None = None,
) -> None:
    """One set's table; `helped` is FTS5 given Minka's example questions too (when Minka had
    them), so that the baseline has all that Minka has, not only its preprocessing."""
    print(f"\n{title}: {ours.answerable} answerable + {ours.unanswerable} without answer")
    extra = f"{'FTS5 + examples':>17}" if helped else ""
    print(f"{'metric':<22}{'Minka':>10}{'FTS5 same prep.':>17}{extra}{'target':>10}")
    columns = [ours, baseline, *([helped] if helped else [])]
    rows = [("top-1", "top1", 0), ("top-3", "top3", 1), ("MRR@10", "mrr", None)]
    rows.append(("false answers (none)", "false_answers", 2))
    for name, field, target in rows:
        first, *others = (getattr(figures, field) for figures in columns)
        cells = "".join(f"{value:>17.1%}" for value in others)
        print(f"{name:<22}{first:>10.1%}{cells}{targets[target] if target is not None else '':>10}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Calidad de la búsqueda del Tool Kit")
    parser.add_argument(
        "--misses", action="store_true", help="lista las preguntas falladas (solo de ajuste)"
    )
    parser.add_argument(
        "--no-heldout",
        action="store_true",
        help="solo el conjunto de ajuste (para iterar sin mirar el reservado)",
    )
    parser.add_argument(
        "--heldout",
        action="append",
        type=Path,
        metavar="PATH",
        help="conjunto reservado a evaluar (repetible; por defecto HELD_OUT_FILES)",
    )
    parser.add_argument(
        "--cv",
        type=int,
        metavar="K",
        help="validación cruzada en K partes del conjunto de ajuste (por artículo)",
    )
    args = parser.parse_args(argv)
    tuning = yaml.safe_load(EVAL_FILE.read_text(encoding="utf-8"))
    default = [path for path in HELD_OUT_FILES if path.exists()]
    files = [] if args.no_heldout else (args.heldout or default)
    held_out = [(path.name, yaml.safe_load(path.read_text(encoding="utf-8"))) for path in files]
    started = time.perf_counter()
    kb = KnowledgeBase.load()
    threshold = calibrate(tuning, kb)
    baseline = fts5_runner(kb, threshold)
    results, helpers = {}, {}
    sets = [("tuning", tuning), *held_out]
    # The tuning set's questions are the kit's example questions: each would find itself, so
    # the set is answered without examples here, and with them by cross-validation below.
    bare = KnowledgeBase(kb.kit, kb.index.remember(()))
    for name, cases in sets:
        alone = bare if name == "tuning" else apart(kb, cases, name)
        results[name] = (evaluate(cases, minka_runner(alone)), evaluate(cases, baseline))
        if name != "tuning":
            helpers[name] = alone.index.examples
    elapsed = time.perf_counter() - started
    print(f"{len(kb.kit.articles)} articles; FTS5's threshold (tuning set): {threshold:.2f}")
    print_figures(
        "Tuning set (search_eval.yaml), Minka without its example questions",
        *results["tuning"],
        ("≥ 85 %", "≥ 95 %", "≤ 10 %"),
    )
    if kb.kit.examples:
        from bench.search_examples_cv import FOLDS, cross_validate, print_cross_validation

        print_cross_validation(cross_validate(tuning, kb), FOLDS, len(kb.kit.examples))
    if not files and not args.no_heldout:
        print("\n(no held-out set: " + ", ".join(p.name for p in HELD_OUT_FILES) + " are missing)")
    for name, cases in held_out:
        helped = None
        if kb.kit.examples:
            from bench.search_examples_cv import fts5_with_examples

            helped = evaluate(cases, fts5_with_examples(kb, baseline, helpers[name]))
        targets = ("≥ 90 %", "≥ 98 %", "≤ 3 %")
        print_figures(f"Held-out set ({name}, never tuned on)", *results[name], targets, helped)
    print(f"(ran in {elapsed:.2f} s)")
    if args.cv:
        from bench.search_cv import cross_validate

        cross_validate(tuning, bare, args.cv)  # the rules alone: examples would find the folds
    if args.misses:  # the tuning set's only: looking at the held-out misses is tuning on them
        print("\nMinka's misses on the tuning set (question → expected; shown):")
        for question, expected, shown in results["tuning"][0].misses:
            print(f"  {question!r} → {expected}; {shown}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
