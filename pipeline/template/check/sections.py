"""Which sections of the 文字 sheet a template prints: a section it no longer names (deleted with its heading) would
drop the clerk's paragraphs from the report without a word, so the template check and ``validate -t`` say so."""

from __future__ import annotations

from collections.abc import Iterable

from jinja2 import nodes

from ...model import schema

# sections printed through an appendix's context rather than ``texts.KEY`` (context/evaluation.py)
CARRIED: dict[str, tuple[str, str]] = {
    "goal": ("evaluation", "goal"),
    "goal_outcome": ("evaluation", "goal_outcome"),
    "austerity": ("basic_data", "austerity"),
}


def printed_sections(templates: Iterable[nodes.Template]) -> frozenset[str]:
    """The keys of schema.TEXT_SECTIONS the parsed template parts print; every key where ``texts`` is used whole
    (a loop over it, ``texts[name]`` with a name not written out), since then any section may print."""
    every = frozenset(schema.TEXT_SECTIONS)
    found: set[str] = set()
    for template in templates:
        names = [n for n in template.find_all(nodes.Name) if n.name == "texts"]
        bases: set[int] = set()
        for node in template.find_all(nodes.Getattr):
            if isinstance(node.node, nodes.Name) and node.node.name == "texts":
                found.add(node.attr)
                bases.add(id(node.node))
            elif isinstance(node.node, nodes.Name):
                found.update(k for k, carrier in CARRIED.items() if carrier == (node.node.name, node.attr))
        for item in template.find_all(nodes.Getitem):
            named = isinstance(item.arg, nodes.Const) and isinstance(item.arg.value, str)
            if isinstance(item.node, nodes.Name) and item.node.name == "texts" and named:
                found.add(item.arg.value)  # type: ignore[attr-defined]
                bases.add(id(item.node))
        if any(id(n) not in bases for n in names):
            return every
    return frozenset(found) & every
