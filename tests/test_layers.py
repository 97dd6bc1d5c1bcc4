"""The package's stages import only the stages before them, and no module imports itself round a circle.

Every import counts: at the top, inside a function (the lazy imports that keep ``--help`` fast) and under
``TYPE_CHECKING``. The layers are the pipeline as the README's code-layout table draws it.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "pipeline"

# lowest first; a module may import its own layer and the ones before it
LAYERS: list[tuple[str, ...]] = [
    ("pipeline.numbers", "pipeline.model"),
    ("pipeline.findings", "pipeline.errors", "pipeline.outfile", "pipeline.budget", "pipeline.cache"),
    ("pipeline.template",),
    ("pipeline.workbook",),
    ("pipeline.derive",),
    ("pipeline.checks",),
    ("pipeline.context",),
    ("pipeline.render",),
    ("pipeline.session",),
    ("pipeline.batch",),
    ("pipeline.summary",),  # the bureau's overview of a batch: 汇总.xlsx and the summary note
    ("pipeline.cli", "pipeline.web", "pipeline.__main__", "pipeline"),
    ("pipeline.make",),  # dev-time generators of docs and shipped files
]


def modules() -> dict[str, Path]:
    found = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = list(path.with_suffix("").relative_to(PACKAGE.parent).parts)
        if parts[-1] == "__init__":
            parts.pop()
        found[".".join(parts)] = path
    return found


MODULES = modules()


def imports(name: str) -> set[str]:
    """The pipeline modules ``name`` imports, by any import statement anywhere in it."""
    path = MODULES[name]
    package = name.split(".") if path.name == "__init__.py" else name.split(".")[:-1]
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom):
            base = package[: len(package) - node.level + 1] if node.level else []
            target = ".".join([*base, *([node.module] if node.module else [])])
            for alias in node.names:
                if f"{target}.{alias.name}" in MODULES:
                    found.add(f"{target}.{alias.name}")
                elif target in MODULES:
                    found.add(target)
        elif isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names if alias.name in MODULES}
    found.discard(name)
    return found


GRAPH = {name: imports(name) for name in MODULES}


def layer(name: str) -> int:
    best = None
    for i, prefixes in enumerate(LAYERS):
        for prefix in prefixes:
            if (name == prefix or name.startswith(prefix + ".")) and (best is None or len(prefix) > best[1]):
                best = (i, len(prefix))
    assert best is not None, f"{name} belongs to no layer: add its package to LAYERS (and the README's table)"
    return best[0]


def test_every_module_has_a_layer() -> None:
    for name in MODULES:
        layer(name)


def test_no_stage_imports_a_later_stage() -> None:
    upward = [
        f"{name} → {target}"
        for name, targets in GRAPH.items()
        for target in sorted(targets)
        if layer(target) > layer(name)
    ]
    assert not upward, "imports that run back up the pipeline:\n" + "\n".join(upward)


def circles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in graph[v]:
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for v in graph:
        if v not in index:
            visit(v)
    return found


def test_no_import_circles() -> None:
    assert circles(GRAPH) == []


@pytest.mark.parametrize(
    ("graph", "expected"),
    [
        ({"a": {"b"}, "b": {"a"}, "c": set()}, [["a", "b"]]),
        ({"a": {"b"}, "b": {"c"}, "c": set()}, []),
    ],
)
def test_the_circle_finder_finds_circles(graph: dict[str, set[str]], expected: list[list[str]]) -> None:
    assert circles(graph) == expected


def test_the_import_reader_sees_lazy_and_relative_imports() -> None:
    assert "pipeline.template.check" in GRAPH["pipeline.session"]  # imported inside a method
    assert "pipeline.render.docx" in GRAPH["pipeline.session"]  # under TYPE_CHECKING and inside a method
    assert "pipeline.model.schema" in GRAPH["pipeline.workbook.reader"]  # from ..model.schema import …
