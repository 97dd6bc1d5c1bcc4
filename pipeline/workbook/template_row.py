"""The template a workbook chooses: its 基本信息 › 模板 row, else the default; one rule for build, validate,
rollover and the web page (``-t`` is applied by the caller, before this is asked)."""

from __future__ import annotations

from collections.abc import Callable

from ..errors import TemplateProblem, WorkbookInvalid
from ..findings import codes
from ..findings.collector import Finding
from ..model import schema
from ..template.profile import TemplateProfile, template_named
from .normalize import named_template
from .source import SourceWorkbook


def chosen_profile(
    source: SourceWorkbook, resolve: Callable[[str | None], TemplateProfile]
) -> tuple[TemplateProfile, str | None]:
    """The profile of the template the workbook names (``resolve(None)``: the default) and the name as typed.

    The cell holds a name, never a path: it is looked up among the templates the installation offers and
    ``resolve`` is given that template's folder. A name that is not one of them, or a template that does not
    load, is the workbook's error, at its cell: WorkbookInvalid with one E_TEMPLATE."""
    named = named_template(source)
    if named is None:
        try:
            return resolve(None), None
        except TemplateProblem as e:
            raise _invalid(source, "", str(e)) from e
    name, cell = named
    try:
        folder = template_named(name).folder
    except TemplateProblem as e:
        raise _invalid(source, cell, str(e)) from e
    try:
        return resolve(str(folder)), name
    except TemplateProblem as e:
        raise _invalid(source, cell, f"模板“{name}”不可用：{e}") from e


def _invalid(source: SourceWorkbook, cell: str, message: str) -> WorkbookInvalid:
    return WorkbookInvalid([Finding.of(codes.E_TEMPLATE, source.display, schema.BASIC.name, cell, message)])
