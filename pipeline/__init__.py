"""genreport: standard workbooks in, 部门整体支出绩效自评报告 out.

Stages, one package each, each importing only the ones before it (tests/test_layers.py): ``model`` → ``findings`` →
``template`` → ``workbook`` → ``derive`` → ``checks`` → ``context`` → ``render``; ``session`` strings them together
for one template profile, ``batch`` runs many, and ``cli`` and ``web`` map options and errors onto them.
The library calls below are imported on first use, so that ``genreport --help`` loads neither openpyxl nor docxtpl.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .render import RenderOptions
    from .session import BuildResult, BuildSession, build, load_report, validate
    from .template.profile import TemplateProfile, resolve_profile

__all__ = [
    "BuildResult",
    "BuildSession",
    "RenderOptions",
    "TemplateProfile",
    "build",
    "load_report",
    "resolve_profile",
    "validate",
]
__version__ = "0.1.0"

_HOMES = {
    "BuildResult": "session",
    "BuildSession": "session",
    "build": "session",
    "load_report": "session",
    "validate": "session",
    "RenderOptions": "render",
    "TemplateProfile": "template.profile",
    "resolve_profile": "template.profile",
}


def __getattr__(name: str) -> Any:
    if name not in _HOMES:
        raise AttributeError(f"module 'pipeline' has no attribute {name!r}")
    import importlib

    return getattr(importlib.import_module(f".{_HOMES[name]}", __name__), name)
