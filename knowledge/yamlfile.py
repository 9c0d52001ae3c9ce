"""YAML for the Tool Kit's files, read with libyaml when PyYAML has it.

PyYAML's pure-Python parser took about two thirds of a Tool Kit load (1.5-3 s of each start,
`kb recargar` and test on the 2-core machine); its C parser gives the same documents and nodes
(with their line marks) about ten times faster. Without libyaml the Python one is used."""

from __future__ import annotations

from typing import Any

import yaml

_Loader: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def safe_load(text: str) -> Any:
    """`yaml.safe_load`, with the C parser."""
    return yaml.load(text, Loader=_Loader)  # CSafeLoader or SafeLoader: safe


def compose(text: str) -> yaml.Node | None:
    """`yaml.compose` (nodes with their line marks), with the C parser."""
    return yaml.compose(text, Loader=_Loader)
