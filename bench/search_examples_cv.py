"""Cross-validation of the example questions (`examples.yaml`) on the tuning set: once its
questions are examples, Minka's figures on the set itself are meaningless (each question finds
itself). So the set is cut in k folds, stratified by expected article (each article's
questions, and those without answer, dealt in turn), and each fold is answered by an index
whose examples leave out that fold's questions; the folds' answers are then scored together.
Beside it: the same search without examples, and the FTS5 baseline with its threshold chosen
on the other folds.

A caveat that no fold can remove: the search's own rules were tuned by hand on these
questions, so «without examples» is flattering and the gain measured here understates what
examples add on questions written by someone else.
"""

from __future__ import annotations

import random
from collections import defaultdict
from collections.abc import Callable, Iterable

import numpy as np

from bench.search_quality import Figures, Outcome, calibrate, evaluate, fts5_runner, minka_runner
from knowledge.base import KnowledgeBase
from knowledge.calibration import Model
from knowledge.examples import Blend, ExampleMemory
from knowledge.model import Example
from knowledge.text import words

FOLDS = 5
SEED = 14  # the deal is the same on every run


def stratified(cases: list[dict], k: int = FOLDS, seed: int = SEED) -> list[list[dict]]:
    """`k` folds: each expected article's questions (and the unanswerable ones) shuffled and
    dealt in turn, each key starting where the previous one stopped, so folds stay even."""
    by_key: dict[str, list[dict]] = defaultdict(list)
    for case in cases:
        by_key[case["expected"]].append(case)
    rng = random.Random(seed)
    folds: list[list[dict]] = [[] for _ in range(k)]
    turn = 0
    for key in sorted(by_key):
        found = by_key[key][:]
        rng.shuffle(found)
        for case in found:
            folds[turn % k].append(case)
            turn += 1
    return folds


def folded(text: str) -> str:
    return " ".join(words(text))


def without(examples: Iterable[Example], cases: list[dict]) -> list[Example]:
    """The examples that are none of `cases`' questions (compared folded)."""
    asked = {folded(case["q"]) for case in cases}
    return [example for example in examples if folded(example.question) not in asked]


def answers(
    kb: KnowledgeBase, folds: list[list[dict]], blend: Blend | None = None, examples: bool = True
) -> dict[str, Outcome]:
    """Each question's outcome from an index whose examples leave out its fold (or, with
    `examples` false, that has none), and whose calibration model (when the kit ships one)
    is fit on the other folds (`bench.search_calibrate`): the shipped one was fit on all."""
    found = {}
    models = calibrations(kb, folds) if examples and kb.index.model is not None else {}
    for i, fold in enumerate(folds):
        index = kb.index.remember(without(kb.kit.examples, fold) if examples else ())
        if i in models:
            index.model = models[i]
        if blend is not None:
            index.examples.blend = blend
        run = minka_runner(KnowledgeBase(kb.kit, index))
        found.update((case["q"], run(case["q"])) for case in fold)
    return found


def calibrations(kb: KnowledgeBase, folds: list[list[dict]]) -> dict[int, Model]:
    """Per fold, the calibration model fit on the other folds' questions and the spent
    held-out sets' (`bench.search_calibrate`), none measured with the fold's examples."""
    from bench.search_calibrate import TUNING, fit, groups, measure, rows_of

    sets = groups()
    found = {}
    for i, fold in enumerate(folds):
        parts = [rows_of(kb, sets, name, fold) for name in sets if name != TUNING]
        examples = without(kb.kit.examples, fold)
        for j, other in enumerate(folds):
            if j != i:
                index = kb.index.remember(without(examples, other))
                parts.append([measure(index, case) for case in other])
        found[i] = fit(parts)
    return found


def baseline(kb: KnowledgeBase, folds: list[list[dict]]) -> dict[str, Outcome]:
    """FTS5's outcome for each question, its threshold calibrated on the other folds."""
    found = {}
    for i, fold in enumerate(folds):
        train = [case for j, other in enumerate(folds) if j != i for case in other]
        run = fts5_runner(kb, calibrate(train, kb))
        found.update((case["q"], run(case["q"])) for case in fold)
    return found


def scored(cases: list[dict], outcomes: dict[str, Outcome]) -> Figures:
    lookup: Callable[[str], Outcome] = outcomes.__getitem__
    return evaluate(cases, lookup)


def cross_validate(cases: list[dict], kb: KnowledgeBase, k: int = FOLDS) -> dict[str, Figures]:
    """Minka with the examples of the other folds, Minka without examples, and FTS5."""
    folds = stratified(cases, k)
    return {
        "with": scored(cases, answers(kb, folds)),
        "without": scored(cases, answers(kb, folds, examples=False)),
        "fts5": scored(cases, baseline(kb, folds)),
        "fts5+": scored(cases, baseline_with_examples(kb, folds)),
    }


def print_cross_validation(results: dict[str, Figures], k: int, examples: int) -> None:
    first = results["with"]
    print(
        f"\nCross-validation on the tuning set: {k} folds stratified by article, each answered "
        f"with the examples of the others ({examples} examples in the kit); "
        f"{first.answerable} answerable + {first.unanswerable} without answer. On the set "
        "itself, with every example, Minka's figures would be meaningless: each question is "
        "an example and finds itself"
    )
    print(f"{'':<30}{'top-1':>8}{'top-3':>8}{'MRR@10':>8}{'false':>8}")
    names = {
        "with": "Minka, examples of other folds",
        "without": "Minka without examples",
        "fts5": "FTS5 same prep. (CV threshold)",
        "fts5+": "FTS5 + examples of other folds",
    }
    for key, name in names.items():
        f = results[key]
        print(f"{name:<30}{f.top1:>8.1%}{f.top3:>8.1%}{f.mrr:>8.1%}{f.false_answers:>8.1%}")
    print(
        "(the search's rules were tuned by hand on these questions: «without examples» is "
        "flattering, the gain here understates the gain on new questions)"
    )


def baseline_with_examples(
    kb: KnowledgeBase, folds: list[list[dict]], blend: Blend | None = None
) -> dict[str, Outcome]:
    """FTS5 given, fold by fold, the other folds' example memory and the blend Minka uses."""
    found = {}
    for i, fold in enumerate(folds):
        train = [case for j, other in enumerate(folds) if j != i for case in other]
        memory = kb.index.remember(without(kb.kit.examples, fold)).examples
        run = fts5_with_examples(kb, fts5_runner(kb, calibrate(train, kb)), memory, blend)
        for case in fold:
            found[case["q"]] = run(case["q"])
    return found


def fts5_with_examples(
    kb: KnowledgeBase,
    run: Callable[[str], Outcome],
    memory: ExampleMemory,
    blend: Blend | None = None,
) -> Callable[[str], Outcome]:
    """FTS5's outcome given the same example memory and blend as Minka: its first ten
    reordered by the examples' scores, its threshold's verdict passed through the blend's."""
    mix = blend or memory.blend

    def answer(question: str) -> Outcome:
        plain = run(question)
        if not plain.ranking:
            return plain
        near, unanswered = memory.closeness(kb.index.example_words(question))
        numbers = [kb.index.number(a) for a in plain.ranking]
        scores = mix.scores(np.array(plain.scores), near[numbers])
        order = np.argsort(-scores, kind="stable")
        ranking = [plain.ranking[j] for j in order]
        top = numbers[order[0]]
        sure = mix.confident(plain.answered is not None, float(near[top]), unanswered)
        return Outcome(ranking[0] if sure else None, ranking)

    return answer
