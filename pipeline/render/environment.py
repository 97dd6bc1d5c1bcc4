"""The Jinja environment every renderer shares: sandboxed and bounded (templates are user-edited files),
autoescaping (cell text may hold & and <), strict about unknown fields, with genreport's filters (filters.py)."""

from __future__ import annotations

import types
from typing import Any

import jinja2
import markupsafe

from .. import cache
from ..model.figure import Figure
from ..template.number_style import RenderOptions
from .filters import install
from .limits import BoundedSandbox, RenderLimits
from .notes import mark


class CachingSandbox(BoundedSandbox):
    """Bounded in time, loops, sizes and output (``limits``), and compiling each template source once: a
    template's XML is the same for every report of a batch."""

    def __init__(self, **options: Any) -> None:
        super().__init__(**options)
        self._compiled: dict[str, jinja2.Template] = {}

    def from_string(self, source: Any, globals: Any = None, template_class: Any = None) -> jinja2.Template:
        if globals is not None or template_class is not None or not isinstance(source, str):
            return super().from_string(source, globals, template_class)
        template = self._compiled.get(source)
        if template is None:
            template = self._compiled[source] = self._from_code(source)
        return template

    def _from_code(self, source: str) -> jinja2.Template:
        """The template compiled, from the disk cache where an earlier process compiled the same source (a
        one-report build compiles a whole report's parts: about 0.1 s)."""
        name = cache.key(type(self).__qualname__, repr(self.autoescape), repr(self.finalize is None), source)
        code = cache.read_marshal("jinja", name)
        if not isinstance(code, types.CodeType):  # none, or damaged: compiled again and rewritten
            code = self.compile(source)
            cache.write_marshal("jinja", name, code)
        return self.template_class.from_code(self, code, self.make_globals(None), None)


def make_environment(options: RenderOptions, limits: RenderLimits | None = None) -> CachingSandbox:
    env = CachingSandbox(
        autoescape=True, undefined=jinja2.StrictUndefined, finalize=protect_braces, limits=limits or RenderLimits()
    )
    install(env, options)  # the filters of pipeline/render/filters.py, the ones the template guide lists
    return env


def protect_braces(value: Any) -> Any:
    """Escape a printed value now, hiding "{_" and "_}" from docxtpl.

    After rendering, docxtpl turns {_{ }_} {_% %_} anywhere in the document into {{ }} {% %} (a template
    author's way to print braces); a cell holding "{_{" must print as typed, so the "_" becomes &#95;.
    """
    if value is None or isinstance(value, jinja2.Undefined):
        return value
    text = markupsafe.escape(value)
    if "{_" in text or "_}" in text:
        text = markupsafe.Markup(str(text).replace("{_", "{&#95;").replace("_}", "&#95;}"))
    if isinstance(value, Figure):  # printed bare: {{ budget.actual.expense_total }}
        text = markupsafe.Markup(mark(value, str(text)))
    return text
