"""Adding example questions to `examples.yaml` as a person would: each at the end of its
article's list, in the file's own style (`  - "…"`), every other line (comments, blank lines,
order) left as it was. An article without a list gets one, before `sin-respuesta`."""

from __future__ import annotations

import json
import re
from collections.abc import Iterable

_KEY = re.compile(r"^([^\s#:-][^:#]*):\s*(?:#.*)?$")  # a top-level key, alone on its line
_ITEM = re.compile(r"^(\s*)- ")
_LAST = "sin-respuesta"


def quoted(question: str) -> str:
    """A YAML double-quoted scalar on one line (JSON's string syntax is YAML's)."""
    return json.dumps(" ".join(question.split()), ensure_ascii=False)


def with_examples(text: str, added: Iterable[tuple[str, str]]) -> str:
    """`text` (examples.yaml) with each (article id, question) added to its article's list."""
    lines = text.splitlines()
    for article, question in added:
        lines = _add(lines, article, question)
    return "\n".join(lines) + "\n"


def _add(lines: list[str], article: str, question: str) -> list[str]:
    keys = [(i, m.group(1).strip()) for i, line in enumerate(lines) if (m := _KEY.match(line))]
    for n, (start, key) in enumerate(keys):
        if key != article:
            continue
        end = keys[n + 1][0] if n + 1 < len(keys) else len(lines)
        items = [i for i in range(start + 1, end) if _ITEM.match(lines[i])]
        at = items[-1] + 1 if items else start + 1
        indent = _ITEM.match(lines[items[-1]]).group(1) if items else "  "  # type: ignore[union-attr]
        return [*lines[:at], f"{indent}- {quoted(question)}", *lines[at:]]
    block = [f"{article}:", f"  - {quoted(question)}"]
    before = next((i for i, key in keys if key == _LAST), len(lines))
    return [*lines[:before], *block, *lines[before:]]
