"""Search speed: index build time and query latency (p50/p99), for the real Tool Kit and for a
synthetic kit of 10,000 articles made from the real articles' vocabulary.

    python -m bench.search_speed [--articles 10000] [--rounds 5]

Single process, single thread (target: p99 ≤ 10 ms at 10,000 articles on one core). CPU/q: the
thread's CPU per question over the first round, each question once (what a bot pays for a new text;
a busy box moves it less than the wall clock).
"""

from __future__ import annotations

import argparse
import random
import resource
import statistics
import sys
import time
from dataclasses import replace

import yaml

from bench.search_quality import EVAL_FILE
from knowledge.base import KnowledgeBase
from knowledge.loader import CONTENT_DIR
from knowledge.model import Article, ToolKit
from knowledge.search import SearchIndex


def synthetic_kit(kit: ToolKit, count: int, seed: int = 7) -> ToolKit:
    """`count` articles whose words, titles and keywords are drawn from the real ones."""
    rng = random.Random(seed)
    real = list(kit.articles.values())
    words = [w for a in real for w in a.body.split()]
    articles: dict[str, Article] = {}
    for number in range(count):
        template = rng.choice(real)
        body_words = rng.sample(words, k=min(len(words), rng.randint(150, 350)))
        title_words = rng.sample(template.title.split() + rng.sample(words, 4), k=5)
        article = replace(
            template,
            id=f"sintetico-{number:05d}",
            title=" ".join(title_words),
            keywords=tuple(rng.sample(words, 6)),
            body=" ".join(body_words),
            related=(),
        )
        articles[article.id] = article
    return ToolKit(kit.topics, articles, kit.glossary)


def measure(name: str, kit: ToolKit, synonyms: list, questions: list[str], rounds: int) -> None:
    started = time.perf_counter()
    index = SearchIndex(kit, synonyms)
    built = time.perf_counter() - started
    index.search(questions[0])  # warm the caches of the first query only
    latencies = []
    cpu = time.thread_time()
    for round_ in range(rounds):
        for question in questions:
            begin = time.perf_counter_ns()
            index.search(question)
            latencies.append((time.perf_counter_ns() - begin) / 1e6)
        if round_ == 0:  # each question once, as new texts come: the CPU a bot pays per question
            cpu = 1000 * (time.thread_time() - cpu) / len(questions)
    latencies.sort()
    p50 = statistics.median(latencies)
    p99 = latencies[int(len(latencies) * 0.99) - 1]
    print(
        f"{name:<28}{len(kit.articles):>8}{built:>10.2f} s{p50:>10.2f} ms{p99:>10.2f} ms"
        f"{max(latencies):>10.2f} ms{cpu:>10.3f} ms"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Velocidad de la búsqueda del Tool Kit")
    parser.add_argument("--articles", type=int, default=10_000)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args(argv)
    cases = yaml.safe_load(EVAL_FILE.read_text(encoding="utf-8"))
    questions = [case["q"] for case in cases]
    kb = KnowledgeBase.load()
    synonyms = yaml.safe_load((CONTENT_DIR / "synonyms.yaml").read_text(encoding="utf-8"))
    print(f"{len(questions)} questions × {args.rounds} rounds, one thread")
    print(f"{'kit':<28}{'articles':>8}{'build':>12}{'p50':>13}{'p99':>13}{'max':>13}{'CPU/q':>13}")
    measure("real Tool Kit", kb.kit, synonyms, questions, args.rounds)
    synthetic = synthetic_kit(kb.kit, args.articles)
    measure("synthetic", synthetic, synonyms, questions, args.rounds)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak resident memory of this process: {peak:.0f} MB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
