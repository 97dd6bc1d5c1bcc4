"""Every field, filter and test a template uses, checked against the context's shape over every branch.

The walk follows the compiled template (after docxtpl's and genreport's patching), so a typo inside an
``{% if %}`` that this year's data does not take is found as surely as one that prints. Loop variables take
the shape of their list's items, ``{% set %}`` and ``{% with %}`` the shape of what they are given, ``loop``
its attributes; a path an enclosing ``{% if … is defined %}`` tests is not reported.
"""

from __future__ import annotations

from jinja2 import nodes
from jinja2.sandbox import SandboxedEnvironment

from .expressions import GUARDS, Expressions, path_of
from .parts import Part
from .problems import Problem
from .shape import ANY, Mapping, Scalar, Sequence, Shape

LOOP = Mapping(
    {
        **{k: Scalar(frozenset({"int"})) for k in ("index", "index0", "revindex", "revindex0", "length")},
        **{k: Scalar(frozenset({"int"})) for k in ("depth", "depth0")},
        **{k: Scalar(frozenset({"bool"})) for k in ("first", "last")},
        **{k: ANY for k in ("previtem", "nextitem", "cycle", "changed")},
    }
)
_SCOPE_FREE = {"varargs", "kwargs", "caller"}


class FieldChecker(Expressions):
    """One walk over one part's template: the statements, their scopes and bindings."""

    def bind(self, target: nodes.Node, shape: Shape) -> None:
        if isinstance(target, nodes.Name):
            self.scopes[-1][target.name] = shape
        elif isinstance(target, nodes.Tuple):
            for item in target.items:
                self.bind(item, ANY)
        elif isinstance(target, nodes.NSRef):
            self.expr(nodes.Name(target.name, "load", lineno=target.lineno))

    # -- statements

    def walk(self, node: nodes.Node) -> None:
        method = getattr(self, f"stmt_{type(node).__name__}", None)
        if method is not None:
            method(node)
            return
        for child in node.iter_child_nodes():
            if isinstance(child, nodes.Expr):
                self.expr(child)
            else:
                self.walk(child)

    def body(self, statements: list[nodes.Node], bindings: dict[str, Shape] | None = None) -> None:
        self.scopes.append(dict(bindings or {}))
        for statement in statements:
            self.walk(statement)
        self.scopes.pop()

    def stmt_Template(self, node: nodes.Template) -> None:
        for macro in node.find_all(nodes.Macro):  # callable from anywhere in the document once defined
            self.scopes[0][macro.name] = ANY
        for statement in node.body:
            self.walk(statement)

    def stmt_For(self, node: nodes.For) -> None:
        seq = self.expr(node.iter)
        item = seq.element or ANY if isinstance(seq, Sequence) else Scalar(frozenset({"str"}))
        item = item if isinstance(seq, Sequence | Mapping) else ANY
        self.scopes.append({})
        self.bind(node.target, item)
        if node.test is not None:
            self.expr(node.test)
        self.scopes[-1]["loop"] = LOOP
        for statement in node.body:
            self.walk(statement)
        self.scopes.pop()
        for statement in node.else_:
            self.walk(statement)

    def stmt_If(self, node: nodes.If) -> None:
        self.expr(node.test)
        guards = [path_of(t.node) for t in node.test.find_all(nodes.Test) if t.name in GUARDS]
        if isinstance(node.test, nodes.Test) and node.test.name in GUARDS:
            guards.append(path_of(node.test.node))
        self.guarded += guards
        for statement in node.body:  # an {% if %} is no scope of its own: what it sets stays set
            self.walk(statement)
        for branch in node.elif_:
            self.stmt_If(branch)
        for statement in node.else_:
            self.walk(statement)
        del self.guarded[len(self.guarded) - len(guards) :]

    def stmt_Assign(self, node: nodes.Assign) -> None:
        self.bind(node.target, self.expr(node.node))

    def stmt_AssignBlock(self, node: nodes.AssignBlock) -> None:
        if node.filter is not None:
            self.expr(node.filter)
        self.body(node.body)
        self.bind(node.target, Scalar(frozenset({"str"})))

    def stmt_With(self, node: nodes.With) -> None:
        shapes = [self.expr(value) for value in node.values]
        self.scopes.append({})
        for target, shape in zip(node.targets, shapes, strict=False):
            self.bind(target, shape)
        for statement in node.body:
            self.walk(statement)
        self.scopes.pop()

    def _callable_body(self, node: nodes.Macro | nodes.CallBlock) -> None:
        for default in node.defaults:
            self.expr(default)
        self.body(node.body, {**dict.fromkeys(_SCOPE_FREE, ANY), **{a.name: ANY for a in node.args}})

    def stmt_Macro(self, node: nodes.Macro) -> None:
        self._callable_body(node)

    def stmt_CallBlock(self, node: nodes.CallBlock) -> None:
        self.expr(node.call)
        self._callable_body(node)

    def stmt_FilterBlock(self, node: nodes.FilterBlock) -> None:
        self.expr(node.filter)
        self.body(node.body)

    def _other_file(self, node: nodes.Node) -> None:
        self.report(node, "Word 模板不能引用其他模板文件（include、import、extends）；请把内容直接写在模板中", "")

    stmt_Include = stmt_Import = stmt_FromImport = stmt_Extends = _other_file


def check_fields(template: nodes.Template, env: SandboxedEnvironment, root: Mapping, part: Part) -> list[Problem]:
    checker = FieldChecker(env, root, part)
    checker.walk(template)
    return checker.problems
