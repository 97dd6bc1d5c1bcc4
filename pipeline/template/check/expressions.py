"""The expressions of a template: each field path, filter and test checked against the context's shape.

``Expressions`` evaluates an expression to the shape of its value, reporting what the shape does not hold;
``fields.FieldChecker`` walks the statements around it. Where a shape cannot be known (a call's result, a
filter of its own) the value is ``ANY`` and nothing below it is reported.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable

from jinja2 import nodes
from jinja2.sandbox import SandboxedEnvironment

from .parts import Part
from .problems import ERROR, WARNING, Problem
from .shape import ANY, Declared, Mapping, Scalar, Sequence, Shape, merge, scalar_has

_SAME = {"list", "sort", "reverse", "unique", "select", "reject", "selectattr", "rejectattr", "default", "d"}
_ITEM = {"first", "last", "random", "min", "max"}
_ATTRIBUTE = {"map", "selectattr", "rejectattr", "sort", "groupby", "sum", "unique", "min", "max", "join"}
GUARDS = {"defined", "undefined"}


def path_of(node: nodes.Node) -> str:
    """An expression as its author wrote it, when it is a plain field path."""
    if isinstance(node, nodes.Name):
        return node.name
    if isinstance(node, nodes.Getattr):
        return f"{path_of(node.node)}.{node.attr}"
    if isinstance(node, nodes.Getitem) and isinstance(node.arg, nodes.Const):
        return f"{path_of(node.node)}[{node.arg.value!r}]"
    return "…"


def _suggest(word: str, choices: Iterable[str]) -> str | None:
    close = difflib.get_close_matches(word, [c for c in choices if not c.startswith("_")], n=1, cutoff=0.6)
    return close[0] if close else None


class Expressions:
    """Shapes of expressions, in the scopes the statement walk keeps; ``problems`` holds what was found."""

    def __init__(self, env: SandboxedEnvironment, root: Mapping, part: Part) -> None:
        self.env = env
        self.part = part
        self.problems: list[Problem] = []
        self.scopes: list[dict[str, Shape]] = [{**dict.fromkeys(env.globals, ANY), **root.keys}]
        self.guarded: list[str] = []  # paths an enclosing {% if … is defined %} tests
        self.quiet = 0  # inside ``x is defined`` or ``x|default(…)``: a missing x is what is being asked

    # -- reporting

    def report(self, node: nodes.Node, message: str, needle: str) -> None:
        element = self.part.element_at(getattr(node, "lineno", None))
        self.problems.append(Problem(ERROR, self.part.where(element, needle), message, element or 0))

    def missing(self, node: nodes.Node, path: str, last: str, choices: Iterable[str], hint: str = "") -> None:
        if self.quiet or last.startswith("_") or any(path.startswith(g) for g in self.guarded):
            return
        message = f"模板引用了不存在的字段 {path}"
        better = _suggest(last, choices)
        if better is not None:
            message += f"；您是否要写 {path[: len(path) - len(last)]}{better}？"
        elif hint:
            message += f"（{hint}）"
        self.report(node, message, path)

    def undeclared(self, node: nodes.Node, path: str, key: str, base: Declared) -> None:
        """custom.X that template.toml does not declare: the clerk's form has no row for it, so only the build would
        find it missing. An error, or a warning while the workbook checked against happens to hold it."""
        if self.quiet or any(path.startswith(g) for g in self.guarded):
            return
        advice = f'请在模板的 template.toml 中登记：[[fields]] name = "{key}"（填表人的空白表才会有这一行）'
        better = _suggest(key, [n for n in (*base.keys, *base.present) if n != key])
        if better is not None:
            advice = f"您是否要写 custom.{better}？否则{advice}"
        element = self.part.element_at(getattr(node, "lineno", None))
        severity = WARNING if key in base.present else ERROR
        held = "（所用工作簿中有这一项，这次可以生成）" if key in base.present else ""
        message = f"模板引用了未在 template.toml 中登记的自定义字段 {path}{held}；{advice}"
        self.problems.append(Problem(severity, self.part.where(element, path), message, element or 0))

    # -- scopes

    def lookup(self, name: str) -> Shape | None:
        return next((scope[name] for scope in reversed(self.scopes) if name in scope), None)

    def names(self) -> list[str]:
        return [name for scope in self.scopes for name in scope]

    # -- expressions

    def expr(self, node: nodes.Node) -> Shape:
        method = getattr(self, f"expr_{type(node).__name__}", None)
        if method is not None:
            shape: Shape = method(node)
            return shape
        for child in node.iter_child_nodes():
            self.expr(child)
        return ANY

    def expr_Name(self, node: nodes.Name) -> Shape:
        shape = self.lookup(node.name)
        if shape is None and node.name == "loop":
            self.missing(node, "loop", "loop", (), "loop 只能在 {% for %} 中使用")
        elif shape is None:
            self.missing(node, node.name, node.name, self.names())
        return shape or ANY

    def expr_Const(self, node: nodes.Const) -> Shape:
        return Scalar(frozenset({type(node.value).__name__}))

    def expr_Getattr(self, node: nodes.Getattr) -> Shape:
        return self.member(node, self.expr(node.node), node.attr, path_of(node.node))

    def expr_Getitem(self, node: nodes.Getitem) -> Shape:
        base = self.expr(node.node)
        if isinstance(node.arg, nodes.Const) and isinstance(node.arg.value, str):
            return self.member(node, base, node.arg.value, path_of(node.node))
        self.expr(node.arg)
        if isinstance(base, Sequence):
            return base if isinstance(node.arg, nodes.Slice) else base.element or ANY
        return ANY

    def member(self, node: nodes.Node, base: Shape, key: str, base_path: str) -> Shape:
        path = f"{base_path}.{key}"
        if isinstance(base, Declared) and key not in base.keys and not hasattr(dict, key):
            self.undeclared(node, path, key, base)
        elif isinstance(base, Mapping):
            if key in base.keys:
                return base.keys[key]
            if not hasattr(dict, key):
                names = list(base.keys)
                hint = f"{base_path} 中的字段有：{'、'.join(names[:8])}{' 等' if len(names) > 8 else ''}"
                self.missing(node, path, key, names, hint if names else f"所用工作簿的 {base_path} 中没有任何字段")
        elif isinstance(base, Sequence) and not hasattr(list, key):
            hint = f"{base_path} 是多项的列表，要在 {{% for … in {base_path} %}} 中逐项引用"
            self.missing(node, path, key, (), hint)
        elif isinstance(base, Scalar) and not scalar_has(base, key):
            self.missing(node, path, key, (), f"{base_path} 是单个值，没有下一级字段")
        return ANY

    def expr_Filter(self, node: nodes.Filter) -> Shape:
        if node.name not in self.env.filters:
            better = _suggest(node.name, self.env.filters)
            message = f"模板使用了不存在的过滤器 {node.name}" + (f"；您是否要写 {better}？" if better else "")
            self.report(node, message, node.name)
        base: Shape = ANY
        if node.node is not None:
            self.quiet += node.name in ("default", "d")
            base = self.expr(node.node)
            self.quiet -= node.name in ("default", "d")
        self._arguments(node)
        item = base.element or ANY if isinstance(base, Sequence) else ANY
        attribute = self._attribute(node)
        if attribute is not None and isinstance(base, Sequence):
            item = self._item_attribute(node, item, attribute, path_of(node.node) if node.node else "…")
        if node.name == "map":
            return Sequence(item if attribute is not None else ANY)
        if node.name in _SAME:
            return base
        return item if node.name in _ITEM and attribute is None else ANY

    def _attribute(self, node: nodes.Filter) -> str | None:
        if node.name not in _ATTRIBUTE:
            return None
        given = [kw.value for kw in node.kwargs if kw.key == "attribute"]
        if not given and node.name in ("selectattr", "rejectattr", "groupby") and node.args:
            given = [node.args[0]]
        if given and isinstance(given[0], nodes.Const) and isinstance(given[0].value, str):
            return str(given[0].value)
        return None

    def _item_attribute(self, node: nodes.Filter, item: Shape, attribute: str, base_path: str) -> Shape:
        for key in attribute.split("."):
            if not isinstance(item, Mapping) or key.isdigit():
                return ANY
            if key not in item.keys:
                self.missing(node, f"{base_path} 各项的 {key}", key, item.keys)
                return ANY
            item = item.keys[key]
        return item

    def _arguments(self, node: nodes.Filter | nodes.Test | nodes.Call) -> None:
        for arg in [*node.args, *(kw.value for kw in node.kwargs), node.dyn_args, node.dyn_kwargs]:
            if arg is not None:
                self.expr(arg)

    def expr_Test(self, node: nodes.Test) -> Shape:
        if node.name not in self.env.tests:
            better = _suggest(node.name, self.env.tests)
            message = f"模板使用了不存在的测试 is {node.name}" + (f"；您是否要写 is {better}？" if better else "")
            self.report(node, message, node.name)
        self.quiet += node.name in GUARDS
        self.expr(node.node)
        self.quiet -= node.name in GUARDS
        self._arguments(node)
        return Scalar(frozenset({"bool"}))

    def expr_Call(self, node: nodes.Call) -> Shape:
        callee = node.node
        if isinstance(callee, nodes.EnvironmentAttribute) and len(node.args) == 1 and not node.kwargs:
            return self.expr(node.args[0])  # the sandbox's guard around a loop's list (render/limits.py)
        self._arguments(node)
        if not isinstance(callee, nodes.Getattr):
            self.expr(callee)
            return ANY
        base = self.expr(callee.node)
        self.member(callee, base, callee.attr, path_of(callee.node))
        if isinstance(base, Mapping) and callee.attr == "values":
            merged: Shape | None = None
            for value in base.keys.values():
                merged = merge(merged, value)
            return Sequence(merged)
        if isinstance(base, Mapping) and callee.attr == "keys":
            return Sequence(Scalar(frozenset({"str"})))
        key = node.args[0] if callee.attr == "get" and node.args else None
        if isinstance(base, Mapping) and isinstance(key, nodes.Const) and isinstance(key.value, str):
            return base.keys.get(key.value, ANY)  # .get is how a template asks for a key that may be absent
        return ANY

    def expr_List(self, node: nodes.List | nodes.Tuple) -> Shape:
        item: Shape | None = None
        for child in node.items:
            item = merge(item, self.expr(child))
        return Sequence(item)

    expr_Tuple = expr_List

    def expr_Dict(self, node: nodes.Dict) -> Shape:
        keys: dict[str, Shape] = {}
        for pair in node.items:
            self.expr(pair.key)
            value = self.expr(pair.value)
            if isinstance(pair.key, nodes.Const):
                keys[str(pair.key.value)] = value
        return Mapping(keys)

    def expr_CondExpr(self, node: nodes.CondExpr) -> Shape:
        self.expr(node.test)
        first = self.expr(node.expr1)
        return merge(first, self.expr(node.expr2)) or ANY if node.expr2 is not None else first

    def expr_Or(self, node: nodes.Or) -> Shape:
        return merge(self.expr(node.left), self.expr(node.right)) or ANY
