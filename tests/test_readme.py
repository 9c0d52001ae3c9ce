"""The README's first lines are the two fresh-machine commands, and CI runs the second."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_readme_commands_are_what_ci_runs() -> None:
    lines = (ROOT / "README.md").read_text(encoding="utf-8").splitlines()
    block = lines[lines.index("```sh") + 1 : lines.index("```sh") + 3]
    run_command, test_command = block
    assert run_command.endswith("python -m bot")
    assert "pytest" in test_command
    assert test_command in (ROOT / ".ci" / "run").read_text(encoding="utf-8")


def _headings(readme: str) -> set[str]:
    return {line.lstrip("#").strip() for line in readme.splitlines() if line.startswith("#")}


def _slug(heading: str) -> str:
    """GitHub's anchor for a heading."""
    kept = "".join(c for c in heading.lower() if c.isalnum() or c in " -_")
    return kept.replace(" ", "-")


SEE = re.compile(r"\b(?:[Vv]ea|[Vv]éase|[Ss]ee)\s+((?:«[^»]+»(?:,\s*|\s+(?:y|and|o|or)\s+)?)+)")
IN_README = re.compile(r"«([^»]+)» en el README")


def test_references_match_headings() -> None:
    """«see X» in the README, «X» en el README in the code and deploy/, and #anchors all name
    a heading that exists (a message pointed to «Copias de seguridad» under «Backups»)."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    headings = _headings(readme)
    named = [
        " ".join(name.split())
        for match in SEE.finditer(readme)
        for name in re.findall(r"«([^»]+)»", match.group(1))
    ]
    sources = [*ROOT.glob("bot/**/*.py"), *ROOT.glob("handlers/*.py"), *ROOT.glob("deploy/*")]
    sources += [*ROOT.glob("storage/*.py"), *ROOT.glob("knowledge/*.py")]
    for path in sources:
        named += IN_README.findall(path.read_text(encoding="utf-8"))
    assert len(named) >= 10 and "Copias de seguridad" in named
    assert not [name for name in named if name not in headings]
    anchors = re.findall(r"\]\(#([^)]+)\)", readme)
    assert anchors and not set(anchors) - {_slug(h) for h in headings}


def test_every_setting_is_in_the_readme() -> None:
    from bot.config import Settings

    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    missing = [n.upper() for n in Settings.model_fields if f"`{n.upper()}`" not in readme]
    assert not missing, f"add to README «Settings»: {missing}"


def test_every_button_prefix_and_module_is_in_the_readme() -> None:
    """A new reader finds any feature in one step: every callback prefix is in «Map of the
    code»'s list, and every module of the product (bot/, handlers/, storage/, knowledge/) is
    named in the README (by path, or by name in its folder's row)."""
    from handlers import FEATURES

    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    prefixes = {route.prefix for feature in FEATURES for route in feature.buttons}
    assert not [p for p in sorted(prefixes) if f"`{p}:`" not in readme]
    modules = [
        path
        for folder in ("bot", "handlers", "storage", "knowledge")
        for path in (ROOT / folder).rglob("*.py")
        if path.name not in ("__init__.py", "__main__.py")
        and not {"local_api", "migrations"} & set(path.parts)
    ]
    unnamed = [
        str(path.relative_to(ROOT))
        for path in modules
        if str(path.relative_to(ROOT)) not in readme
        and f"`{path.name}`" not in readme
        and f"`{path.stem}`" not in readme
        and f"`{path.stem}" not in readme
    ]
    assert not unnamed, f"add to README «Map of the code»: {unnamed}"
