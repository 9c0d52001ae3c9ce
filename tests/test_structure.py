"""How the code depends on itself (issue #15): the product never depends on its test double,
and no module outside `handlers` is in an import cycle (the outbox once imported the handlers'
renderers while the handlers imported the outbox: 24 modules in one cycle). Imports inside
functions count too: they hide a cycle, they do not remove it."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("bot", "handlers", "knowledge", "storage")


def _modules() -> dict[str, Path]:
    modules = {}
    for package in PACKAGES:
        for path in (ROOT / package).rglob("*.py"):
            parts = path.relative_to(ROOT).with_suffix("").parts
            name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
            modules[name] = path
    return modules


def import_graph() -> dict[str, set[str]]:
    """module → the project's modules it imports (anywhere in its code)."""
    modules = _modules()

    def known(name: str) -> str | None:
        while name and name not in modules:
            name = name.rpartition(".")[0]
        return name or None

    graph: dict[str, set[str]] = {}
    for name, path in modules.items():
        package = name if path.name == "__init__.py" else name.rpartition(".")[0]
        found: set[str | None] = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                found |= {known(alias.name) for alias in node.names}
            elif isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:
                    parent = package.split(".")[: len(package.split(".")) - node.level + 1]
                    base = ".".join([*parent, base] if base else parent)
                for alias in node.names:  # `from pkg import module` imports the module
                    found.add(known(f"{base}.{alias.name}") if base else None)
        graph[name] = {module for module in found if module and module != name}
    return graph


def cycles(graph: dict[str, set[str]]) -> list[set[str]]:
    """Strongly connected components of more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found: list[set[str]] = []

    def visit(module: str) -> None:
        index[module] = low[module] = len(index)
        stack.append(module)
        for other in graph[module]:
            if other not in index:
                visit(other)
                low[module] = min(low[module], low[other])
            elif other in stack:
                low[module] = min(low[module], index[other])
        if low[module] == index[module]:
            component = set()
            while True:
                other = stack.pop()
                component.add(other)
                if other == module:
                    break
            if len(component) > 1:
                found.append(component)

    for module in graph:
        if module not in index:
            visit(module)
    return found


def test_no_module_outside_the_handlers_is_in_an_import_cycle() -> None:
    outside = [
        sorted(component)
        for component in cycles(import_graph())
        if any(not module.startswith("handlers") for module in component)
    ]
    assert outside == []


def test_only_the_application_builder_and_the_demo_import_the_handlers() -> None:
    """Handlers are wired in one place. Beside it, only entry points: the demo, and the CLI's
    `admin restablecer-menu`, which gives a chat the menu the handlers declare, as start-up
    does (handlers/command_menu.py)."""
    importers = {
        module
        for module, imports in import_graph().items()
        if not module.startswith("handlers") and any(m.startswith("handlers") for m in imports)
    }
    assert importers == {"bot.app", "bot.demo", "bot.cli.menus"}


def test_the_product_does_not_depend_on_its_test_double() -> None:
    """bot/local_api (the local Bot API server) serves the demo and the tests only."""
    importers = {
        module
        for module, imports in import_graph().items()
        if not module.startswith("bot.local_api")
        and any(m.startswith("bot.local_api") for m in imports)
    }
    assert importers == {"bot.demo"}
