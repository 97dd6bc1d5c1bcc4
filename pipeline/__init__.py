"""genreport: standard workbooks in, 部门整体支出绩效自评报告 out.

Stages, one module each: schema → read_excel → normalize → model → figures/context → render;
``build`` strings them together and ``cli`` maps options and errors onto it.
"""

from .build import BuildResult, build, load_report
from .render import RenderOptions

__all__ = ["BuildResult", "RenderOptions", "build", "load_report"]
__version__ = "0.1.0"
