"""bench.broadcast's figures: each question's latency in the phases it was sent in, printed
per run beside issue #17's goal (p99 <= 50 ms during (a), (a'), (b) and (c))."""

from __future__ import annotations

import argparse
import math

from bench.broadcast_instant import INSTANT
from bot.local_api.server import RATE_LIMITED

LIMIT = 30.0  # messages a second the Bot API server allows overall (429 beyond)
LIMITED = RATE_LIMITED  # the calls that limit counts: copies and replies share it
GOAL_P99_MS = 50.0  # issue #17: replies during a broadcast and a workbook build
PHASES = ("before", "creation", "instant", "sending", "workbook", "restart")
LABELS = {
    "before": "before the broadcast",
    "creation": "(a) copies written",
    "instant": "(a') 1 s after «Enviar»",
    "sending": "(b) copies sent",
    "workbook": "(c) workbook built",
    "restart": "kill -9 and restart",
}


def latencies(
    samples: list[tuple[float, float]],
    windows: dict[str, list[tuple[float, float]]],
    *,
    restart_apart: bool,
) -> dict[str, dict[str, float]]:
    """Milliseconds per phase: every question sent while the phase was going on. Questions
    sent during a restart count only there (they wait for the new process by design)."""
    restart = windows.get("restart", []) if restart_apart else []
    found: dict[str, list[float]] = {phase: [] for phase in PHASES}
    for sent, seconds in samples:
        during = [p for p, spans in windows.items() if any(a <= sent < b for a, b in spans)]
        if any(a <= sent < b for a, b in restart):
            during = ["restart"]
        for phase in during:
            found[phase].append(1000 * seconds)
    result = {}
    for phase, values in found.items():
        if values:
            values.sort()
            result[phase] = {
                "n": len(values),
                "p50": values[len(values) // 2],
                "p99": values[math.ceil(len(values) * 0.99) - 1],  # nearest rank: of 2, the max
                "max": values[-1],
            }
    return result


def report(rows: list[tuple[str, dict]], args: argparse.Namespace) -> None:
    print(
        f"Broadcast to {args.people} people through /difundir; server limit {LIMIT:.0f} msg/s "
        f"overall (429 beyond it); {args.users} people asking {args.rate:g} questions/s "
        f"({args.instant_rate:g}/s in the {INSTANT:g} s after «Enviar»); "
        f"{args.workbooks} indicator workbooks in a row for a coordinator, "
        f"{args.workbook_delay:g} s after «Enviar»"
    )
    print(
        f"{'':<32}{'rate':>8}{'others':>9}{'of limit':>10}{'429s':>7}{'lost':>6}{'dup':>5}"
        f"{'written in':>12}{'sent in':>9}"
    )
    for name, r in rows:
        used = (r["rate"] + r["others"]) / LIMIT  # copies and the other counted calls
        print(
            f"{name:<32}{r['rate']:>6.1f}/s{r['others']:>7.1f}/s{used:>10.0%}"
            f"{r['throttled']:>7.0f}"
            f"{r['lost']:>6.0f}{r['duplicated']:>5.0f}{r['written_in']:>11.1f}s"
            f"{r['sent_in']:>8.0f}s"
        )
    print(
        "Reply latency to the people asking (sent → every reply sent); goal (#17): "
        f"p99 <= {GOAL_P99_MS:g} ms during (a), (b) and (c)"
    )
    print(f"{'':<32}{'phase':<24}{'n':>6}{'p50 ms':>8}{'p99 ms':>8}{'max ms':>8}  goal")
    for name, r in rows:
        for phase, s in r["phases"].items():
            goal = "" if phase in ("before", "restart") else "met"
            if goal and s["p99"] > GOAL_P99_MS:
                goal = "NOT met"
            print(
                f"{name:<32}{LABELS[phase]:<24}{s['n']:>6}{s['p50']:>8.1f}{s['p99']:>8.1f}"
                f"{s['max']:>8.1f}  {goal}"
            )
    for name, r in rows:
        steps = ", ".join(
            f"{handler} max {max(values):.0f}" for handler, values in sorted(r["steps"].items())
        )
        pauses = r["gc"]
        print(
            f"{name}: load {r['load'][0]:.1f} → {r['load'][1]:.1f}; inside Minka (ms): {steps}; "
            f"garbage collections over 50 ms: {len(pauses)}"
            + (f", longest {pauses[-1]:.0f} ms" if pauses else "")
            + f"; {r['stalls']}"
        )
        for line in r["slow"]:  # what the slowest replies waited for (handlers/dispatch.py)
            print(f"  {line}")
