"""Writes the Tool Kit's example questions (`examples.yaml`) from the tuning set
(bench/search_eval.yaml) and the spent held-out sets (`SPENT_FILES`: each scored once, then
written by other blind authors' hands, the way new officials ask): each question under the
article it expects, the unanswerable ones under `sin-respuesta`. Specialists keep the file from
then on: run again (say after a held-out set is spent), it keeps every question already in the
file, where it is, and adds the new ones (comments other than the header are not kept). Never
from a held-out set not yet scored: its questions would then be answered by themselves.
`bench.search_quality` answers each spent set with the examples of the others (leave one set
out).

    python -m bench.examples_from_eval [--to knowledge/content/examples.yaml]
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import yaml

from bench.search_quality import EVAL_FILE, SPENT_FILES
from knowledge.loader import CONTENT_DIR, Problem, load, parse_examples
from knowledge.model import NO_ANSWER
from knowledge.personal import personal_data
from knowledge.text import words

HEADER = """\
# Preguntas de ejemplo: preguntas reales de funcionarios, cada una bajo el id del artículo que
# la responde; bajo «sin-respuesta», las que el Tool Kit no responde. Una pregunta nueva parecida
# a las de un artículo lo acerca al primer lugar; una parecida a las de «sin-respuesta» hace que
# Minka diga que no está seguro. Cuando `kb sin-respuesta` muestre una pregunta que un artículo sí
# responde, agréguela aquí bajo ese artículo, tal como se escribió (con sus faltas: así preguntan).
# Revise con `python -m bot kb revisar` y publique con `python -m bot kb recargar`.
"""


def render(cases: list[dict], order: list[str], kept: int = 0, tuned: int | None = None) -> str:
    """examples.yaml's text: articles in `order`, then the unanswerable; repeats dropped. The
    first `kept` cases are the file's own: where the tuning set disagrees, they win. A tuning
    question holding personal data (a record number, someone's name) is left out, as a taught
    one is: shipped examples carry none. Cases from `tuned` on (the spent held-out sets') give
    way where an earlier one files the same question elsewhere."""
    by_key: dict[str, list[str]] = {}
    seen: dict[str, tuple[str, bool]] = {}  # folded question → its key, whether the file's
    for number, case in enumerate(cases):
        if number >= kept and personal_data(case["q"]):
            print(f"fuera, datos personales: {case['q']!r}", file=sys.stderr)
            continue
        key = NO_ANSWER if case["expected"] == "none" else case["expected"]
        same = " ".join(words(case["q"]))
        if not same:  # «👍»: no word to compare (`kb revisar` refuses it)
            print(f"fuera, sin palabras: {case['q']!r}", file=sys.stderr)
            continue
        if same in seen:
            earlier, own = seen[same]
            if earlier != key:
                message = f"{case['q']!r}: bajo {earlier} y bajo {key}"
                if tuned is not None and number >= tuned:
                    print(f"queda como estaba: {message}", file=sys.stderr)
                    continue
                if not own or number < kept:
                    raise SystemExit(message)
                print(f"queda como está en el archivo: {message}", file=sys.stderr)
            continue
        seen[same] = (key, number < kept)
        by_key.setdefault(key, []).append(case["q"].strip())
    lines = [HEADER]
    for key in [*(k for k in order if k in by_key), NO_ANSWER]:
        lines.append(f"{key}:")
        lines += [f"  - {json.dumps(q, ensure_ascii=False)}" for q in by_key.get(key, [])]
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description="examples.yaml desde el conjunto de ajuste y los reservados ya usados"
    )
    parser.add_argument("--to", type=Path, default=CONTENT_DIR / "examples.yaml")
    args = parser.parse_args(argv)
    cases = yaml.safe_load(EVAL_FILE.read_text(encoding="utf-8"))
    tuned = len(cases)
    for path in SPENT_FILES:
        cases += yaml.safe_load(path.read_text(encoding="utf-8"))
    kit = load()
    order = [a.id for topic in kit.topics for a in kit.in_topic(topic.id)]
    unknown = {c["expected"] for c in cases} - set(order) - {"none"}
    if unknown:
        raise SystemExit(f"artículos inexistentes en {EVAL_FILE.name}: {sorted(unknown)}")
    problems: list[Problem] = []
    own = [
        {"q": e.question, "expected": "none" if e.article == NO_ANSWER else e.article}
        for e in parse_examples(args.to, problems)
    ]
    if problems:
        raise SystemExit("\n".join(map(str, problems)))
    text = render(own + cases, order, kept=len(own), tuned=len(own) + tuned)
    args.to.write_text(text, encoding="utf-8")
    total = text.count("\n  - ")
    new = total - len(own)
    print(f"{args.to}: {total} preguntas ({new} nuevas del ajuste y de los reservados ya usados)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
