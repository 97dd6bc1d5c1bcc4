"""The template a workbook chooses: its 基本信息 › 模板 row, else the default; one rule for build, validate,
rollover and the web page (``-t`` is applied by the caller, before this is asked)."""

from __future__ import annotations

from collections.abc import Callable

from ..errors import TemplateProblem, WorkbookInvalid
from ..findings import codes
from ..findings.collector import Finding
from ..model import schema
from ..template.profile import TemplateProfile
from .normalize import named_template
from .source import SourceWorkbook


def chosen_profile(
    source: SourceWorkbook, resolve: Callable[[str | None], TemplateProfile]
) -> tuple[TemplateProfile, str | None]:
    """The profile of the template the workbook names (``resolve(None)``: the default) and the name as typed.

    A name that does not resolve is the workbook's error, at its cell: WorkbookInvalid with one E_TEMPLATE."""
    named = named_template(source)
    try:
        return resolve(named[0] if named else None), named[0] if named else None
    except TemplateProblem as e:
        cell = named[1] if named else ""
        shown = f"模板“{named[0]}”不可用：" if named else ""
        finding = Finding.of(codes.E_TEMPLATE, source.display, schema.BASIC.name, cell, f"{shown}{e}")
        raise WorkbookInvalid([finding]) from e
