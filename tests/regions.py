"""The regions as migration 0001 seeds them, read without a database: for tests of what matches
typed region names (the CSV import, the registration form)."""

from __future__ import annotations

import importlib.util
from pathlib import Path

from storage.repositories.regions import RegionRecord

ROOT = Path(__file__).resolve().parent.parent


def seeded_regions() -> list[RegionRecord]:
    path = ROOT / "storage/migrations/versions/0001_people_regions_audit.py"
    spec = importlib.util.spec_from_file_location("initial", path)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return [RegionRecord(code, name, kind) for code, name, kind in module.REGIONS]
