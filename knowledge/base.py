"""The loaded Tool Kit and its search index, built once at start-up and shared read-only."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from knowledge import cache, yamlfile
from knowledge.loader import CONTENT_DIR, load
from knowledge.model import ToolKit
from knowledge.search import SearchIndex


@dataclass(frozen=True, slots=True)
class KnowledgeBase:
    kit: ToolKit
    index: SearchIndex

    @classmethod
    def load(cls, content_dir: Path = CONTENT_DIR, *, keep: bool = True) -> KnowledgeBase:
        """The kit in `content_dir` with its index: from the cache of an earlier build of the
        same files and code (`knowledge.cache`), else built (and cached unless not `keep`)."""
        return cache.cached(content_dir, lambda: cls.build(content_dir), cls, keep=keep)

    @classmethod
    def build(cls, content_dir: Path = CONTENT_DIR) -> KnowledgeBase:
        """The kit read and indexed; `ContentError` when a file cannot be read."""
        kit = load(content_dir)
        synonyms_file = content_dir / "synonyms.yaml"
        synonyms = yamlfile.safe_load(synonyms_file.read_text(encoding="utf-8")) or []
        return cls(kit, SearchIndex(kit, synonyms))
