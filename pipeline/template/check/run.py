"""The template check: every part of the document, its typed tags, then its fields over every branch."""

from __future__ import annotations

import json
from collections import abc
from pathlib import Path
from typing import TYPE_CHECKING, Any

import jinja2
from jinja2.sandbox import SandboxedEnvironment

from ... import cache
from ...errors import TemplateProblem, display_path
from ...model import schema
from ..document import read_template
from ..settings import TemplateSettings
from .problems import ERROR, WARNING, Problem, unique
from .shape import Mapping, compact, declared_custom, shape_of, shipped_source, widened

if TYPE_CHECKING:
    from .parts import Part


def check_parts(parts: list[Part], env: SandboxedEnvironment, shape: Mapping) -> list[Problem]:
    # the linter itself loads only when a template is checked, not for a check the cache answers
    from .fields import check_fields
    from .tags import TOO_DEEP, check_tags

    extension_tags = {tag for extension in env.extensions.values() for tag in extension.tags}
    found: list[Problem] = []
    for part in parts:
        typed = check_tags(part, extension_tags)
        if any(p.severity == ERROR and p.message.startswith(TOO_DEEP) for p in typed):
            found += sorted(typed, key=lambda p: p.at)  # Jinja's parser would recurse past Python's stack
            continue
        try:
            template = env.parse(part.source)
            fields = check_fields(template, env, shape, part)
        except jinja2.TemplateSyntaxError as e:
            if not any(p.severity == ERROR for p in typed):  # else Jinja only repeats what the tags showed
                element = part.element_at(e.lineno)
                message = f"标签写法有误，无法解析（Jinja：{e.message or e}）"
                typed.append(Problem(ERROR, part.where(element), message, element or 0))
            found += sorted(typed, key=lambda p: p.at)
            continue
        except (RecursionError, MemoryError):  # nesting the tag limits (tags.py) did not foresee
            message = f"{TOO_DEEP}，无法解析；请拆分过长、过深的表达式和嵌套的 {{% if %}}、{{% for %}}"
            typed.append(Problem(ERROR, part.where(None), message, 0))
            found += sorted(typed, key=lambda p: p.at)
            continue
        found += sorted(typed + fields, key=lambda p: p.at)
    return unique(found)


def check_document(
    path: Path,
    env: SandboxedEnvironment,
    context: abc.Mapping[str, Any] | None,
    data: bytes | None = None,
    settings: TemplateSettings | None = None,
) -> list[Problem]:
    """Every problem of the Word template at ``path`` (or its bytes ``data``), its fields checked against
    ``context`` widened by the shipped shape (the shipped shape alone when there is no context), and ``custom``
    against what the template's ``settings`` declare."""
    shown = display_path(path)
    try:
        raw = read_template(path) if data is None else data
    except OSError as e:
        raise TemplateProblem(f"{shown}：无法读取模板（{e.strerror or e}）") from e
    own = shape_of(context) if context is not None else None
    # the same template, checked against a context of the same shape, has the same problems: a one-report build
    # need not walk every branch again (cache.py says when an entry is no longer trusted). The shape checked
    # against is made from the context's own shape, the shipped one and the settings alone, so these are the key:
    # a hit neither reads the shipped shape nor widens the context's by it (~3 ms of a one-report build)
    names = " ".join(sorted(env.filters)) + "|" + " ".join(sorted(env.tests))
    entry = cache.key("check", raw, shipped_source(), compact(own), repr(settings), names)
    known = _cached(entry)
    if known is not None:
        return known
    shape = widened(own)
    if settings is not None:
        custom = shape.keys.get("custom")
        shape.keys["custom"] = declared_custom(settings, custom.keys if isinstance(custom, Mapping) else ())
    from ..word import WordTemplate  # docxtpl, loaded only when the template is checked again
    from .parts import template_parts
    from .sections import printed_sections

    try:
        parts = template_parts(WordTemplate(raw, {}, shown))
    except TemplateProblem:
        raise  # the package refused by its size (document.check_package), already in words
    except Exception as e:  # whatever python-docx raises for a file that is no Word document
        raise TemplateProblem(f"{shown}：不是可用的 Word 模板（{type(e).__name__}: {e}）") from e
    problems = check_parts(parts, env, shape)
    if not any(p.severity == ERROR for p in problems):  # a template that parses: does it print every section?
        problems += unprinted(printed_sections(env.parse(part.source) for part in parts))
    cache.write("check", entry, json.dumps([[p.severity, p.where, p.message, p.at] for p in problems]).encode())
    return problems


def _cached(entry: str) -> list[Problem] | None:
    blob = cache.read("check", entry)
    if blob is None:
        return None
    try:
        return [Problem(str(a), str(b), str(c), int(d)) for a, b, c, d in json.loads(blob)]
    except (ValueError, TypeError):  # damaged: checked again, and rewritten
        return None


def unprinted(printed: frozenset[str]) -> list[Problem]:
    """A warning for each section of the 文字 sheet a report template no longer prints (one that prints none is no
    report of the 文字 sheet: a cover letter, a test's fragment)."""
    if not printed:
        return []
    return [
        Problem(
            WARNING,
            f"“{label}”一节",
            f"模板中没有印出这一节的地方（texts.{key}）：工作簿“文字”表中这一节的段落不会出现在报告中；"
            "如是有意删除，validate -t 会在这些行提醒填表人改选章节",
        )
        for key, label in schema.TEXT_SECTIONS.items()
        if key not in printed
    ]
