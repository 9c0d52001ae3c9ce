"""The blind held-out sets that bench.search_quality reads by default stay well formed: every
label names an article that exists, so that a renamed or removed article cannot silently turn a
case into a miss. Failures name only files and ids, never a question: the sets are blind. The
tuning batches written blind (search_tuning_blind_v10.yaml and _v9, not held out) are checked the
same way."""

from pathlib import Path

import pytest
import yaml

from bench.search_quality import HELD_OUT_FILES, SPENT_FILES
from knowledge.text import words

ROOT = Path(__file__).resolve().parents[1]
ARTICLES = ROOT / "knowledge" / "content" / "articles"
BLIND_TUNING_BATCHES = (
    ROOT / "bench" / "search_tuning_blind_v10.yaml",
    ROOT / "bench" / "search_tuning_blind_v9.yaml",
)


def unscored() -> list[Path]:
    """The held-out sets not yet scored, newest first: those listed and not spent, and any
    bench/search_heldout_v*.yaml in the checkout that is not spent (a new blind set committed
    before it joins HELD_OUT_FILES). Read only for counts: they are blind."""

    def version(path: Path) -> int:
        return int(path.stem.rsplit("_v", 1)[1])

    spent = set(SPENT_FILES)
    found = {p for p in HELD_OUT_FILES if p not in spent and p.exists()}
    found |= {p for p in (ROOT / "bench").glob("search_heldout_v*.yaml") if p not in spent}
    return sorted(found, key=version, reverse=True)


def article_ids() -> set[str]:
    """Ids from the articles' front matter (the block between the first two `---` lines)."""
    ids = set()
    for path in ARTICLES.glob("*.md"):
        front = path.read_text(encoding="utf-8").split("---", 2)[1]
        ids.add(yaml.safe_load(front)["id"])
    return ids


@pytest.mark.parametrize(
    "path", (*HELD_OUT_FILES, *BLIND_TUNING_BATCHES), ids=lambda path: path.name
)
def test_held_out_labels_name_existing_articles(path: Path) -> None:
    if not path.exists():
        pytest.skip(f"{path.name} is not in this checkout")
    cases = yaml.safe_load(path.read_text(encoding="utf-8"))
    known = article_ids()
    assert cases, path.name
    unknown, malformed = set(), 0
    for case in cases:
        malformed += not isinstance(case.get("q"), str) or not case["q"].strip()
        also = case.get("also", [])
        malformed += not isinstance(also, list) or case["expected"] in also
        malformed += case["expected"] == "none" and bool(also)
        unknown |= {i for i in [case["expected"], *also] if i != "none" and i not in known}
    assert not unknown, f"{path.name} names ids that no article has: {sorted(unknown)}"
    assert not malformed, f"{path.name}: {malformed} malformed case(s)"
    questions = [" ".join(case["q"].lower().split()) for case in cases]
    assert len(set(questions)) == len(questions), f"{path.name} repeats a question"


def test_newest_held_out_set_is_in_the_checkout() -> None:
    """The newest set comes first and is committed: the label check above skips a missing file,
    so without this a lost or misnamed newest set would pass unnoticed."""
    newest = HELD_OUT_FILES[0]
    assert newest.exists(), f"{newest.name} is missing"


def test_newest_blind_tuning_batch_shares_no_question_with_held_out_sets() -> None:
    """A question tuned on must never be scored as held out. Checked for the newest batch only:
    the v9 batch, written before this check and already merged into search_eval.yaml, repeats
    two held-out questions word for word."""

    def questions(path: Path) -> set[str]:
        cases = yaml.safe_load(path.read_text(encoding="utf-8")) if path.exists() else []
        return {" ".join(case["q"].lower().split()) for case in cases}

    held_out = set().union(*(questions(path) for path in HELD_OUT_FILES))
    batch = BLIND_TUNING_BATCHES[0]
    shared = len(questions(batch) & held_out)
    assert not shared, f"{batch.name} repeats {shared} held-out question(s)"


def test_spent_sets_are_held_out_sets() -> None:
    """A set is spent only after it was scored as held out: every spent file is listed."""
    assert set(SPENT_FILES) <= set(HELD_OUT_FILES)
    assert len(set(SPENT_FILES)) == len(SPENT_FILES)


def test_unscored_held_out_sets_share_no_question_with_the_tuning_set() -> None:
    """Short fragments written apart can coincide word for word; in the tuning set such a question
    is tuned on and would flatter the held-out figures. Checked for the sets not yet scored (once
    a set is spent its questions are examples anyway); none in the checkout: nothing to check
    until the next blind set arrives."""
    found = unscored()
    if not found:
        pytest.skip("every held-out set in this checkout is spent")
    tuning = yaml.safe_load((ROOT / "bench" / "search_eval.yaml").read_text(encoding="utf-8"))
    tuned = {" ".join(case["q"].lower().split()) for case in tuning}
    for path in found:
        cases = yaml.safe_load(path.read_text(encoding="utf-8"))
        shared = sum(" ".join(case["q"].lower().split()) in tuned for case in cases)
        assert not shared, f"{path.name} repeats {shared} question(s) of search_eval.yaml"


def test_only_spent_sets_are_example_questions() -> None:
    """A spent set's questions are the kit's examples (each scored leaving its own out); a set
    not yet scored (`unscored`: not in SPENT_FILES, listed or only in the checkout) has none
    among them: it would answer itself. Counts only: the sets are blind."""
    from knowledge.loader import CONTENT_DIR, parse_examples

    examples = {
        " ".join(words(e.question)) for e in parse_examples(CONTENT_DIR / "examples.yaml", [])
    }

    def folded(path: Path) -> list[str]:
        cases = yaml.safe_load(path.read_text(encoding="utf-8")) if path.exists() else []
        return [" ".join(words(case["q"])) for case in cases]

    for path in unscored():
        shared = sum(q in examples for q in folded(path))
        assert not shared, f"{path.name}: {shared} question(s) are example questions"
    for path in SPENT_FILES:
        asked = folded(path)
        assert asked and sum(q in examples for q in asked) >= 0.9 * len(asked), path.name


def test_a_spent_set_is_answered_without_its_own_examples() -> None:
    from bench.search_quality import apart
    from knowledge.base import KnowledgeBase

    kb = KnowledgeBase.load()
    example = kb.kit.examples[0]
    cases = [{"q": example.question.upper(), "expected": example.article}]
    left = apart(kb, cases)
    same = sum(words(e.question) == words(example.question) for e in kb.kit.examples)
    assert left.index.examples.count == kb.index.examples.count - same
    assert left.index.model == kb.index.model  # not a spent set's name: the shipped model
