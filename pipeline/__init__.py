"""genreport: standard workbooks in, 部门整体支出绩效自评报告 out.

Stages: schema → read_excel → normalize → model → derive → checks → context → render; ``session`` strings them
together for one template profile and ``cli`` maps options and errors onto it. The library calls below are
imported on first use, so that ``genreport --help`` loads neither openpyxl nor docxtpl.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .profile import TemplateProfile, resolve_profile
    from .render import RenderOptions
    from .session import BuildResult, BuildSession, build, load_report, validate

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
    "TemplateProfile": "profile",
    "resolve_profile": "profile",
}


def __getattr__(name: str) -> Any:
    if name not in _HOMES:
        raise AttributeError(f"module 'pipeline' has no attribute {name!r}")
    import importlib

    return getattr(importlib.import_module(f".{_HOMES[name]}", __name__), name)
