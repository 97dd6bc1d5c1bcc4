"""The one typeface of the charts: Noto Sans CJK SC from the PyPI package ``noto-cjk-sans-otc``, loaded by path.

The font is found inside the installed package, never among the machine's fonts, so a chart is drawn with the same
glyphs (and so the same PNG bytes) on every machine. The package ships the upstream OpenType collection
(NotoSansCJK-Regular.ttc: JP, KR, SC, TC, HK and their Mono faces); the SC face is chosen by its family name, since
face 0 (JP) draws some shared ideographs (直, 骨, 写 …) in their Japanese forms. Selecting a face inside a collection
needs matplotlib ≥ 3.11 (``FontPath``); older versions read face 0 only.

matplotlib, Pillow and the font (about 190 MB with numpy) are genreport's optional extra ``charts``: a template
whose template.toml sets ``charts.enabled`` asks for it, and without it the report is refused with a message
saying how to install it (``ChartsUnavailable``), never drawn without its charts.
"""

from __future__ import annotations

import importlib.util
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from matplotlib.font_manager import FontPath, FontProperties

FONT_PACKAGE = "noto-cjk-sans-otc"
FONT_MODULE = "noto_cjk_sans_otc"
FONT_FILE = "NotoSansCJK-Regular.ttc"
FAMILY = "Noto Sans CJK SC"


INSTALL = 'pip install "genreport[charts]"'  # the extra of pyproject.toml: matplotlib, Pillow and the font


class ChartsUnavailable(RuntimeError):
    """Charts cannot be drawn here: a package of the ``charts`` extra is missing (the message says which, and how
    to install the extra) or the font package is damaged."""

    @classmethod
    def not_installed(cls, what: str) -> ChartsUnavailable:
        return cls(
            f"模板要在报告中画图表（template.toml 中 charts.enabled = true），但本机未安装{what}。"
            f"请运行 {INSTALL} 安装 genreport 的图表组件，或在 template.toml 中关闭图表。"
        )


def require_charts() -> None:
    """Raise ChartsUnavailable unless every package the charts draw with is installed; imports none of them."""
    for module, what in (
        ("matplotlib", "matplotlib（3.11 或更高版本）"),
        ("PIL", "Pillow"),
        (FONT_MODULE, f"图表字体 {FONT_PACKAGE}（思源黑体 Noto Sans CJK）"),
    ):
        try:
            found = importlib.util.find_spec(module) is not None
        except (ImportError, ValueError):  # a parent that cannot be imported, or a module set to None
            found = False
        if not found:
            raise ChartsUnavailable.not_installed(what)


def font_file() -> Path:
    """The collection file inside the installed font package."""
    from importlib import resources  # only a template with charts asks: ~1 ms of every build's start otherwise

    try:
        path = Path(str(resources.files(FONT_MODULE).joinpath(FONT_FILE)))
    except (ModuleNotFoundError, ImportError):
        path = None
    if path is None or not path.is_file():
        raise ChartsUnavailable.not_installed(f"图表字体 {FONT_PACKAGE}（思源黑体 Noto Sans CJK）")
    return path


@cache
def font_path() -> FontPath:
    """The SC face of the collection as matplotlib addresses it: file plus face index."""
    try:
        from matplotlib import ft2font
        from matplotlib.font_manager import FontPath
    except ImportError as e:
        raise ChartsUnavailable.not_installed("matplotlib（3.11 或更高版本）") from e
    path = str(font_file())
    faces = ft2font.FT2Font(path).num_faces
    for index in range(faces):
        if ft2font.FT2Font(path, face_index=index).family_name == FAMILY:
            return FontPath(path, index)
    raise ChartsUnavailable(
        f"图表字体文件 {path} 中没有 {FAMILY}，请重新安装：pip install --force-reinstall {FONT_PACKAGE}"
    )


def font_properties(size: float) -> FontProperties:
    """A FontProperties bound to the SC face by file, so matplotlib's font lookup (and its fallback) is never used."""
    from matplotlib.font_manager import FontProperties

    return FontProperties(fname=font_path(), size=size)
