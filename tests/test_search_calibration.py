"""The calibration model (`knowledge.calibration`): the shipped weights fit the features the
search measures, the fit is deterministic and keeps to its budget of right answers, and the
generic checks it reads (words as written, a passage holding the kind of fact asked) see
what the article holds."""

from __future__ import annotations

import json

import pytest
import yaml

from bench.search_calibrate import fit, measure
from bench.search_quality import EVAL_FILE
from knowledge.base import KnowledgeBase
from knowledge.calibration import FEATURES, MODEL_FILE, load_model
from knowledge.search import SearchIndex
from knowledge.text import words

# A question whose hand check (kept as evidence, and deciding alone without past questions)
# the calibration model overrules (#14, session 15): fit leaving one blind set out, the model
# beat the hand checks on every set (`python -m bench.search_calibrate`), not on each question.
# Strict: a change that makes the model agree again is seen.
MODEL_DISAGREES = pytest.mark.xfail(
    strict=True, reason="the calibration model overrules this hand check (#14, session 15)"
)


@pytest.fixture(scope="module")
def kb() -> KnowledgeBase:
    return KnowledgeBase.load()


def without_question(kb: KnowledgeBase, question: str) -> SearchIndex:
    """The index with every example but `question` (a tuning question is one)."""
    folded = words(question)
    return kb.index.remember(e for e in kb.kit.examples if words(e.question) != folded)


def test_the_shipped_model_fits_the_measured_features(kb: KnowledgeBase) -> None:
    record = json.loads(MODEL_FILE.read_text(encoding="utf-8"))
    assert record["features"] == list(FEATURES)
    assert "bench.search_calibrate" in record["fit"]  # how it was fit
    model = load_model()
    assert model is not None and kb.index.model == model
    assert len(model.weights) == len(model.means) == len(model.scales) == len(FEATURES)
    assert 0 < model.threshold < 1


def test_the_fit_is_deterministic_and_keeps_its_operating_point(kb: KnowledgeBase) -> None:
    """Fit on two groups (as on two authors' sets), the threshold lets through at most the
    operating point's share of false answers, averaged over the groups, and no lower
    threshold would: it turns down no more right answers than it must."""
    cases = yaml.safe_load(EVAL_FILE.read_text(encoding="utf-8"))[::6]
    index = kb.index.remember(())
    parts = [[measure(index, case) for case in cases[i::2]] for i in range(2)]
    point = 0.1
    first, second = fit(parts, point), fit(parts, point)
    assert first == second

    def false(threshold: float) -> float:
        shares = []
        for part in parts:
            none = [r for r in part if r.none]
            sure = [r.top is not None and first.probability_of(r.x) >= threshold for r in none]
            shares.append(sum(sure) / len(none))
        return sum(shares) / len(shares)

    assert false(first.threshold) <= point
    lower = max(
        (
            p
            for part in parts
            for r in part
            if r.none and r.top is not None
            if (p := first.probability_of(r.x)) < first.threshold
        ),
        default=None,
    )
    assert lower is not None and false(lower) > point
    right = [r for part in parts for r in part if r.right and not r.none]
    assert any(first.sure_of(r.x) for r in right)


def test_words_are_read_as_written(kb: KnowledgeBase) -> None:
    """«minado» is repaired to «mina» for the ranking (both stem to min-), but the cierre
    article never says it: the evidence sees the word missing; «cierre» it has."""
    twin = kb.index.judged("quien aprueba el plan de minado de un productor artesanal")
    asked = kb.index.judged("quien aprueba el plan de cierre de un productor artesanal")
    assert twin is not None and asked is not None
    cierre = kb.index.number("ambiente-cierre-de-minas")
    assert twin.ranked[0][0] == asked.ranked[0][0] == cierre
    assert twin.evidence is not None and asked.evidence is not None
    assert twin.evidence.named()["surface"] < 1.0 == asked.evidence.named()["surface"]


def test_a_date_no_passage_holds_is_not_answered(kb: KnowledgeBase) -> None:
    """The water article names the Ley 29338 but not the day it was published: the kind of
    fact asked («en q fecha», chat spelling) is in none of its passages, and Minka, which
    the rules alone let answer, is not sure."""
    question = "en q fecha se publico la ley de recursos hidricos 29338"
    index = without_question(kb, question)
    found = index.judged(question)
    assert found is not None and found.confident and found.kinds[0] is None  # the rules: yes
    evidence = found.evidence.named()
    assert evidence["typed"] == 1.0 and evidence["typed_cover"] == 0.0
    assert index.search(question).best is None


def test_without_past_questions_the_rules_decide_alone(kb: KnowledgeBase) -> None:
    """The model was fit on similarities to past questions: a bare index has none."""
    bare = kb.index.remember(())
    question = "en q fecha se publico la ley de recursos hidricos 29338"
    found = bare.judged(question)
    assert found is not None and found.confident and found.kinds[0] is None
    answer = bare.search(question)
    assert answer.best is not None and answer.best.id == "ambiente-agua-ana"


def test_an_unanswerable_question_weighs_more_in_the_fit(
    kb: KnowledgeBase, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The fit weighs each question without answer `NONE_WEIGHT` times (the threshold reads
    only how near misses and right answers fall apart): weighed so, the unanswerable questions
    it is fit on get a lower probability on average than weighed as one."""
    import bench.search_calibrate as calibrate

    assert calibrate.NONE_WEIGHT > 1
    cases = yaml.safe_load(EVAL_FILE.read_text(encoding="utf-8"))[::4]
    index = kb.index.remember(())
    parts = [[measure(index, case) for case in cases]]
    nones = [r for r in parts[0] if r.none and r.top is not None]
    assert nones

    def mean_none(model) -> float:
        return sum(model.probability_of(r.x) for r in nones) / len(nones)

    weighed = fit(parts, 0.1)
    monkeypatch.setattr(calibrate, "NONE_WEIGHT", 1.0)
    plain = fit(parts, 0.1)
    assert weighed != plain
    assert mean_none(weighed) < mean_none(plain)
