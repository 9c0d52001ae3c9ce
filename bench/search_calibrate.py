"""Fit the calibration model (`knowledge.calibration`) on the tuning set, measure it by
cross-validation, and with --write save the model fit on the whole tuning set.

    python -m bench.search_calibrate [--write] [--budget B] [--tradeoff] [--batch PATH ...]

Each tuning question's evidence is measured by an index whose example questions leave out the
question's fold (`bench.search_examples_cv`): a question's own example would make it look
sure. The model is a logistic regression (numpy, Newton's method with an L2 penalty: the fit
is deterministic) of «the best article is right» on the generic evidence of the questions the
confidence rule answers before the kinds of fact are checked (`knowledge.unheld`, hand rules
written from this set's wording, are not among its features: the model learns what they
would miss). Minka answers when the rules and the model both say yes. The threshold is the
highest that turns down at most `budget` of the training questions' right answers (the target
is false answers; top-1 is to stay where it is).

--batch PATH measures a batch that nothing was fit on yet (a blind tuning batch's first look),
with the examples of examples.yaml and the model fit on search_eval.yaml alone: leave one batch
out.
"""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import yaml

from bench.search_examples_cv import FOLDS, stratified, without
from bench.search_quality import EVAL_FILE
from knowledge.base import KnowledgeBase
from knowledge.calibration import FEATURES, MODEL_FILE, Model
from knowledge.search import SearchIndex

PENALTY = 1.0  # L2 on the scaled weights
BUDGET = 0.005  # right answers the threshold may turn down, as a share of the answerable


@dataclass(frozen=True, slots=True)
class Row:
    expected: str
    fair: frozenset[str]
    top: str | None  # the best-ranked article
    base: bool  # the confidence rule's verdict before the kinds of fact are checked
    rules: bool  # …and after (what Minka did without the model)
    x: np.ndarray

    @property
    def right(self) -> bool:
        return self.top in self.fair


def measure(index: SearchIndex, case: dict) -> Row:
    fair = frozenset({case["expected"], *case.get("also", ())})
    found = None if index.small_talk(case["q"]) is not None else index.judged(case["q"])
    if found is None or found.evidence is None:
        return Row(case["expected"], fair, None, False, False, np.zeros(len(FEATURES)))
    top = index.articles[found.ranked[0][0]].id
    rules = found.confident and found.kinds[0] is None
    return Row(case["expected"], fair, top, found.confident, rules, np.array(found.evidence.values))


def rows_by_fold(kb: KnowledgeBase, cases: list[dict]) -> list[list[Row]]:
    """Each fold's rows, measured with the other folds' examples."""
    found = []
    for fold in stratified(cases, FOLDS):
        index = kb.index.remember(without(kb.kit.examples, fold))
        found.append([measure(index, case) for case in fold])
    return found


def fit(rows: list[Row], budget: float = BUDGET) -> Model:
    """The model fit on the rows the confidence rule answers, and its threshold."""
    used = [r for r in rows if r.base]
    x = np.array([r.x for r in used])
    y = np.array([float(r.right) for r in used])
    means = x.mean(axis=0)
    scales = x.std(axis=0)
    scales[scales == 0] = 1.0
    z = np.hstack([np.ones((len(x), 1)), (x - means) / scales])
    w = np.zeros(z.shape[1])
    penalty = np.full(z.shape[1], PENALTY)
    penalty[0] = 0.0  # not on the bias
    for _ in range(100):  # Newton's method: a few steps, the same every run
        p = 1 / (1 + np.exp(-np.clip(z @ w, -30, 30)))
        gradient = z.T @ (p - y) + penalty * w
        hessian = (z * (p * (1 - p))[:, None]).T @ z + np.diag(penalty)
        step = np.linalg.solve(hessian, gradient)
        w -= step
        if np.abs(step).max() < 1e-10:
            break
    model = Model(float(w[0]), tuple(map(float, w[1:])), tuple(means), tuple(scales), 0.0)
    right = sorted(model.probability_of(r.x) for r in used if r.right and r.expected != "none")
    allowed = int(budget * sum(r.expected != "none" for r in rows))
    threshold = right[allowed] if allowed < len(right) else 1.0
    return Model(model.bias, model.weights, model.means, model.scales, threshold)


def decided(model: Model | None, rows: list[Row]) -> list[bool]:
    return [r.rules and (model is None or model.sure_of(r.x)) for r in rows]


def cross_validated(folds: list[list[Row]], budget: float) -> list[bool]:
    """Each fold decided by the model fit on the other folds."""
    sure = []
    for i, fold in enumerate(folds):
        sure += decided(
            fit([r for j, part in enumerate(folds) if j != i for r in part], budget), fold
        )
    return sure


def line(name: str, rows: list[Row], sure: list[bool]) -> None:
    answerable = [(r, s) for r, s in zip(rows, sure, strict=True) if r.expected != "none"]
    none = [s for r, s in zip(rows, sure, strict=True) if r.expected == "none"]
    top1 = sum(s and r.right for r, s in answerable) / max(len(answerable), 1)
    false = sum(none) / max(len(none), 1)
    print(f"  {name:<40} top-1 {top1:6.1%}  false {false:6.1%}  ({len(answerable)} + {len(none)})")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Calibración de la confianza de la búsqueda")
    parser.add_argument("--write", action="store_true", help="guarda el modelo ajustado")
    parser.add_argument("--budget", type=float, default=BUDGET)
    parser.add_argument("--tradeoff", action="store_true", help="otros presupuestos por CV")
    parser.add_argument("--batch", type=Path, action="append", default=[], metavar="PATH")
    args = parser.parse_args(argv)
    tuning = yaml.safe_load(EVAL_FILE.read_text(encoding="utf-8"))
    kb = KnowledgeBase.load()
    folds = rows_by_fold(kb, tuning)
    rows = [r for fold in folds for r in fold]
    print(f"{EVAL_FILE.name} by {FOLDS}-fold CV (each fold with the other folds' examples):")
    line("rules alone", rows, decided(None, rows))
    line(f"rules + model (budget {args.budget})", rows, cross_validated(folds, args.budget))
    if args.tradeoff:
        for budget in (0.0, 0.0025, 0.01, 0.02):
            line(f"rules + model (budget {budget})", rows, cross_validated(folds, budget))
    model = fit(rows, args.budget)
    for path in args.batch:
        batch = yaml.safe_load(path.read_text(encoding="utf-8"))
        measured = [measure(kb.index, case) for case in batch]
        print(f"{path.name} (model fit on {EVAL_FILE.name} alone):")
        line("rules alone", measured, decided(None, measured))
        line("rules + model", measured, decided(model, measured))
    print("weights (on scaled features):")
    for name, w in zip(FEATURES, model.weights, strict=True):
        print(f"  {name:<20}{w:+.3f}")
    print(f"  bias {model.bias:+.3f}; threshold {model.threshold:.3f}")
    if args.write:
        record = {
            "fit": (
                f"python -m bench.search_calibrate --write --budget {args.budget}: logistic "
                f"regression (L2 {PENALTY}, Newton) on the {sum(r.base for r in rows)} of "
                f"{len(rows)} questions of {EVAL_FILE.name} that the confidence rule answers, "
                f"their evidence measured with the examples of the other {FOLDS - 1} folds; "
                f"threshold: turns down at most {args.budget:.2%} of the right answers"
            ),
            "features": list(FEATURES),
            "bias": model.bias,
            "weights": list(model.weights),
            "means": list(model.means),
            "scales": list(model.scales),
            "threshold": model.threshold,
        }
        MODEL_FILE.write_text(json.dumps(record, indent=1) + "\n", encoding="utf-8")
        print(f"written: {MODEL_FILE}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
