"""The project's layers as its imports show them: who may import whom (docs/architecture.md §1), and
no import cycle, between modules or between a package's rooms.  Read from the source with the ast
module, every import counted, those inside functions too.  tests/test_layers.py checks the tree.

    python -m tools.layers            the violations and cycles of this checkout, if any
"""

import ast
import sys
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

PRODUCT = ("contract", "kiosk", "devices", "screens", "bureau", "assets", "config")
TOP = (*PRODUCT, "main", "tools", "tests", "bench")


@dataclass(frozen=True)
class Rule:
    """Modules named `importer` (a dotted prefix) may not import any named in `forbidden`."""

    importer: str
    forbidden: tuple[str, ...]
    why: str


RULES = (
    Rule(
        "contract",
        ("kiosk", "devices", "screens", "bureau", "kivy"),
        "the contract stands alone: kiosk and bureau both import it",
    ),
    Rule("kiosk", ("kivy", "screens", "devices", "bureau"), "the core: plain Python, no UI, no devices"),
    Rule("devices", ("kivy", "screens", "bureau"), "devices hand credentials to the core, no UI"),
    Rule("bureau", ("kiosk", "devices", "screens", "kivy"), "the bureau shares only the contract"),
    Rule("screens", ("kiosk.store", "peewee"), "screens render what the core returns and never touch the database"),
    Rule("screens", ("bureau",), "the kiosk meets the bureau over HTTP only"),
    Rule("screens.present", ("kivy",), "presenters are plain Python, tested without a display"),
    Rule("screens.present_service", ("kivy",), "presenters are plain Python, tested without a display"),
    Rule("screens.present_staff", ("kivy",), "presenters are plain Python, tested without a display"),
    Rule("screens.theme", ("kivy",), "the theme is plain Python, tested without a display"),
    Rule("screens.support", ("kivy",), "UI support is plain Python, tested without a display"),
    *(
        Rule(p, ("tools", "tests", "bench"), "the product never needs the checkout's tooling")
        for p in ("contract", "kiosk", "devices", "screens", "bureau")
    ),
    *(Rule(p, ("main",), "main.py is the entry script: nothing imports it") for p in TOP if p != "main"),
)


@dataclass(frozen=True)
class Violation:
    module: str
    imported: str
    line: int
    rule: Rule

    def __str__(self) -> str:
        return f"{self.module}:{self.line} imports {self.imported}: {self.rule.why}"


def modules(root: Path, tops: Iterable[str] = TOP) -> dict[str, Path]:
    """Every module of the tree under `root`, by dotted name."""
    found = {}
    for top in tops:
        if (root / f"{top}.py").is_file():
            found[top] = root / f"{top}.py"
        for path in sorted((root / top).rglob("*.py")) if (root / top).is_dir() else ():
            parts = path.relative_to(root).with_suffix("").parts
            found[".".join(parts[:-1] if parts[-1] == "__init__" else parts)] = path
    return found


def imports(name: str, path: Path) -> list[tuple[str, int]]:
    """What the module imports, as dotted names with their line: `from a.b import c` gives a.b.c
    (a module or a name in a.b), relative imports resolved."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.Import):
            found += [(a.name, node.lineno) for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, base] if base else anchor)
            found += [(f"{base}.{a.name}", node.lineno) for a in node.names]
    return found


def _under(name: str, prefix: str) -> bool:
    return name == prefix or name.startswith(prefix + ".")


def violations(root: Path) -> list[Violation]:
    """Every import the rules forbid."""
    found = []
    for name, path in modules(root).items():
        for imported, line in imports(name, path):
            for rule in RULES:
                if _under(name, rule.importer) and any(_under(imported, f) for f in rule.forbidden):
                    found.append(Violation(name, imported, line, rule))
    return found


def graph(root: Path, depth: int | None = None) -> dict[str, set[str]]:
    """Who imports whom among the product's modules; with `depth`, between the rooms that deep
    (depth 2: kiosk.sync, kiosk.config, bureau.rules, …), a module standing for its room."""
    known = modules(root, PRODUCT)
    edges: dict[str, set[str]] = {}
    for name, path in known.items():
        source = _room(name, depth)
        for imported, _ in imports(name, path):
            target = _resolve(imported, known)
            if target is None:
                continue
            target = _room(target, depth)
            if target != source and not _under(source, target) and not _under(target, source):
                edges.setdefault(source, set()).add(target)
    return edges


def _resolve(imported: str, known: dict[str, Path]) -> str | None:
    """The module an import names: the longest known prefix (a.b.c may be a name in module a.b)."""
    while imported and imported not in known:
        imported = imported.rpartition(".")[0]
    return imported or None


def _room(name: str, depth: int | None) -> str:
    return name if depth is None else ".".join(name.split(".")[:depth])


def cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    """The import cycles of a graph: each strongly connected component of more than one node."""
    index, low, stack, on_stack, found, counter = {}, {}, [], set(), [], [0]

    def visit(node: str) -> None:  # Tarjan's algorithm
        index[node] = low[node] = counter[0]
        counter[0] += 1
        stack.append(node)
        on_stack.add(node)
        for other in sorted(edges.get(node, ())):
            if other not in index:
                visit(other)
                low[node] = min(low[node], low[other])
            elif other in on_stack:
                low[node] = min(low[node], index[other])
        if low[node] == index[node]:
            component = []
            while True:
                other = stack.pop()
                on_stack.discard(other)
                component.append(other)
                if other == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    sys.setrecursionlimit(max(sys.getrecursionlimit(), 10_000))
    for node in sorted(edges):
        if node not in index:
            visit(node)
    return found


def main() -> int:
    root = Path(__file__).resolve().parent.parent
    problems = [str(v) for v in violations(root)]
    problems += [f"module cycle: {' ↔ '.join(c)}" for c in cycles(graph(root))]
    problems += [f"package cycle: {' ↔ '.join(c)}" for c in cycles(graph(root, depth=2))]
    print("\n".join(problems) or "the layers hold")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
