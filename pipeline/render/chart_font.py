"""The one typeface of the charts: Noto Sans CJK SC from the PyPI package ``noto-cjk-sans-otc``, loaded by path.

The font is found inside the installed package, never among the machine's fonts, so a chart is drawn with the same
glyphs (and so the same PNG bytes) on every machine. The package ships the upstream OpenType collection
(NotoSansCJK-Regular.ttc: JP, KR, SC, TC, HK and their Mono faces); the SC face is chosen by its family name, since
face 0 (JP) draws some shared ideographs (直, 骨, 写 …) in their Japanese forms. Selecting a face inside a collection
needs matplotlib ≥ 3.11 (``FontPath``); older versions read face 0 only.
"""

from __future__ import annotations

from functools import cache
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from matplotlib.font_manager import FontPath, FontProperties

FONT_PACKAGE = "noto-cjk-sans-otc"
FONT_MODULE = "noto_cjk_sans_otc"
FONT_FILE = "NotoSansCJK-Regular.ttc"
FAMILY = "Noto Sans CJK SC"


class ChartsUnavailable(RuntimeError):
    """Charts cannot be drawn here: matplotlib or the chart font is not installed (the message says which)."""


def font_file() -> Path:
    """The collection file inside the installed font package."""
    try:
        path = Path(str(resources.files(FONT_MODULE).joinpath(FONT_FILE)))
    except ModuleNotFoundError:
        path = None
    if path is None or not path.is_file():
        raise ChartsUnavailable(
            f"未安装图表字体 {FONT_PACKAGE}（思源黑体 Noto Sans CJK），请运行：pip install {FONT_PACKAGE}"
        )
    return path


@cache
def font_path() -> FontPath:
    """The SC face of the collection as matplotlib addresses it: file plus face index."""
    try:
        from matplotlib import ft2font
        from matplotlib.font_manager import FontPath
    except ImportError as e:
        raise ChartsUnavailable("图表需要 matplotlib 3.11 或更高版本，请运行：pip install 'matplotlib>=3.11'") from e
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
