"""Charts: drawn from the sample's context as small, reproducible PNGs in the package's CJK font, absent data never
drawn as 0, and placeable in a docx through docxtpl."""

from __future__ import annotations

import copy
import hashlib
import io
import logging
import subprocess
import sys
import unicodedata
import warnings
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal
from pathlib import Path
from typing import Any

import docx
import pytest
from docx.shared import Mm
from PIL import Image

from pipeline.render import charts
from pipeline.render.chart_font import FAMILY, font_path
from pipeline.session import load_context

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "inputs" / "2022.xlsx"


@pytest.fixture(scope="module")
def context() -> dict[str, Any]:
    return load_context(SAMPLE)[0]


@pytest.fixture(scope="module")
def sample_charts(context: dict[str, Any]) -> dict[str, bytes]:
    return charts.draw_charts(context)


class _Records(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        if record.levelno >= logging.WARNING or "findfont" in record.getMessage():
            self.messages.append(record.getMessage())


@pytest.fixture
def font_complaints() -> Iterator[Callable[[], list[str]]]:
    """Every warning and every matplotlib log line about fonts while the test draws, so far: a glyph missing from
    the font ("Glyph … missing from font(s)"), a family not found, a fallback to another font.

    Not matplotlib's own probe of its default font (a ScalarFormatter asks once per process whether that font has
    a minus sign, for every Axes, cached after): made here beforehand, so the test does not depend on whether
    another test of the same process drew first."""
    from matplotlib.ticker import ScalarFormatter

    ScalarFormatter()
    handler = _Records()
    logger = logging.getLogger("matplotlib")
    level = logger.level
    logger.addHandler(handler)
    logger.setLevel(logging.DEBUG)
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            yield lambda: [str(w.message) for w in caught] + handler.messages
    finally:
        logger.removeHandler(handler)
        logger.setLevel(level)


def _png(data: bytes) -> Any:
    image = Image.open(io.BytesIO(data))
    image.verify()  # CRCs and structure
    return Image.open(io.BytesIO(data))


# --- the sample -----------------------------------------------------------------------------------------------------


def test_sample_draws_every_chart(sample_charts: dict[str, bytes]) -> None:
    assert list(sample_charts) == list(charts.CHART_KEYS)


@pytest.mark.parametrize("key", charts.CHART_KEYS)
def test_chart_is_a_small_png_fit_for_a4(key: str, sample_charts: dict[str, bytes]) -> None:
    data = sample_charts[key]
    assert data.startswith(b"\x89PNG\r\n\x1a\n")
    image = _png(data)
    width, height = image.size
    assert abs(width - charts.WIDTH_MM / 25.4 * charts.DPI) <= 1  # 150 mm at 300 dpi
    assert 0.3 * width < height < 0.9 * width  # landscape, fits the 156 × 225 mm text block
    assert image.info["dpi"] == pytest.approx((charts.DPI, charts.DPI), abs=0.01)
    assert len(data) < 120_000


@pytest.mark.parametrize("key", charts.CHART_KEYS)
def test_png_carries_no_software_or_time(key: str, sample_charts: dict[str, bytes]) -> None:
    image = _png(sample_charts[key])
    assert not getattr(image, "text", {})
    for chunk in (b"tEXt", b"iTXt", b"zTXt", b"tIME"):
        assert chunk not in sample_charts[key]


def test_same_context_same_bytes(context: dict[str, Any], sample_charts: dict[str, bytes]) -> None:
    assert charts.draw_charts(context) == sample_charts


def test_same_bytes_in_a_fresh_process(sample_charts: dict[str, bytes]) -> None:
    """No state of this process (font caches, earlier figures) takes part in the output."""
    code = (
        "import hashlib, pathlib\n"
        "from pipeline.render.charts import draw_charts\n"
        "from pipeline.session import load_context\n"
        f"charts = draw_charts(load_context(pathlib.Path({str(SAMPLE)!r}))[0])\n"
        "print(' '.join(k + '=' + hashlib.sha256(v).hexdigest() for k, v in charts.items()))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT)
    expected = " ".join(f"{k}={hashlib.sha256(v).hexdigest()}" for k, v in sample_charts.items())
    assert out.stdout.strip() == expected


def test_threads_draw_the_same_bytes(context: dict[str, Any], sample_charts: dict[str, bytes]) -> None:
    with ThreadPoolExecutor(max_workers=4) as pool:
        results = list(pool.map(lambda _: charts.draw_charts(context), range(4)))
    assert all(result == sample_charts for result in results)


# --- the font -------------------------------------------------------------------------------------------------------


def test_font_is_the_packaged_sc_face() -> None:
    from matplotlib import ft2font

    path = font_path()
    assert "noto_cjk_sans_otc" in Path(path.path).parts  # the PyPI package, not a system font
    assert ft2font.FT2Font(path.path, face_index=path.face_index).family_name == FAMILY == "Noto Sans CJK SC"


@pytest.mark.parametrize("key", charts.CHART_KEYS)
def test_every_text_uses_the_packaged_font(key: str, context: dict[str, Any]) -> None:
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.text import Text

    figure = charts.build_figure(key, context)
    assert figure is not None
    FigureCanvasAgg(figure).draw()  # ticks and layout exist only once drawn
    texts = [t for t in figure.findobj(Text) if t.get_visible() and t.get_text()]
    assert texts
    assert {t.get_fontproperties().get_file() for t in texts} == {font_path()}


def test_sample_draws_without_missing_glyph_or_fallback(
    font_complaints: Callable[[], list[str]], context: dict[str, Any]
) -> None:
    for key in charts.CHART_KEYS:
        assert charts.draw_chart(key, context) is not None
    assert font_complaints() == []


def _sample_characters(node: Any, into: set[str]) -> set[str]:
    if isinstance(node, str):
        into.update(c for c in node if unicodedata.category(c)[0] not in "CZ")  # controls and spaces draw nothing
    elif isinstance(node, dict):
        for value in node.values():
            _sample_characters(value, into)
    elif isinstance(node, list | tuple):
        for value in node:
            _sample_characters(value, into)
    return into


def test_every_character_of_the_sample_has_a_glyph(
    font_complaints: Callable[[], list[str]], context: dict[str, Any]
) -> None:
    """Labels made of every character the sample's context holds (names, narrative, formulas: 〔〕㎡≤≥÷“”…)."""
    characters = "".join(sorted(_sample_characters(context, set())))
    assert len(characters) > 500
    edited = copy.deepcopy(context)
    edited["function_groups"] = [
        {"code": None, "name": characters[i : i + 40], "amount": Decimal(i + 1), "children": []}
        for i in range(0, len(characters), 40)
    ]
    edited["indicators"]["budget_execution_rate"]["name"] = characters[:30]
    assert charts.draw_chart("functions", edited) is not None
    assert charts.draw_chart("indicators", edited) is not None
    assert font_complaints() == []


def test_a_missing_glyph_is_caught(font_complaints: Callable[[], list[str]], context: dict[str, Any]) -> None:
    """The check above would see a gap: a character the font lacks (Devanagari) is reported."""
    edited = copy.deepcopy(context)
    edited["function_groups"][0]["name"] = "住房क"
    charts.draw_chart("functions", edited)
    assert any("missing from font" in message for message in font_complaints())


# --- absent data ----------------------------------------------------------------------------------------------------


def _edited(context: dict[str, Any], *path: str, value: Any) -> dict[str, Any]:
    edited = copy.deepcopy(context)
    node = edited
    for key in path[:-1]:
        node = node[key]
    node[path[-1]] = value
    return edited


@pytest.mark.parametrize(
    ("key", "path", "value"),
    [
        ("structure", ("budget", "actual", "basic"), None),
        ("structure", ("budget", "actual", "project"), None),
        ("functions", ("function_groups",), []),
        ("functions", ("function_groups",), None),
    ],
)
def test_absent_data_draws_nothing(key: str, path: tuple[str, ...], value: Any, context: dict[str, Any]) -> None:
    assert charts.draw_chart(key, _edited(context, *path, value=value)) is None


def test_no_budget_figures_no_budget_chart(context: dict[str, Any]) -> None:
    edited = copy.deepcopy(context)
    for column in ("initial", "adjusted", "actual"):
        edited["budget"][column] = dict.fromkeys(edited["budget"][column])
    assert charts.draw_chart("budget", edited) is None
    assert "budget" not in charts.draw_charts(edited)


def test_no_indicator_values_no_indicator_chart(context: dict[str, Any]) -> None:
    edited = copy.deepcopy(context)
    for indicator in edited["indicators"].values():
        indicator["value"] = None
    assert charts.draw_chart("indicators", edited) is None


def test_empty_context_draws_nothing() -> None:
    assert charts.draw_charts({}) == {}


def _bar_count(figure: Any) -> int:
    from matplotlib.patches import Rectangle

    [ax] = figure.axes
    return sum(1 for p in ax.patches if isinstance(p, Rectangle))


def _texts(figure: Any) -> list[str]:
    from matplotlib.text import Text

    return [t.get_text() for t in figure.findobj(Text)]


def test_an_absent_budget_figure_is_named_not_drawn(context: dict[str, Any]) -> None:
    """The sample has no 全年预算 for 基本/项目: those two slots read 未填报 and hold no bar."""
    figure = charts.build_figure("budget", context)
    present = sum(
        context["budget"][column][row] is not None
        for column in ("initial", "adjusted", "actual")
        for row in ("income_total", "expense_total", "basic", "project")
    )
    assert present == 10
    assert _bar_count(figure) == present
    assert _texts(figure).count(charts.ABSENT) == 2
    assert "12678.39" in _texts(figure) and "2713.30" in _texts(figure)


def test_an_absent_function_amount_is_named_not_drawn(context: dict[str, Any]) -> None:
    edited = _edited(context, "function_groups", value=copy.deepcopy(context["function_groups"]))
    edited["function_groups"][2]["amount"] = None
    figure = charts.build_figure("functions", edited)
    assert _bar_count(figure) == len(context["function_groups"]) - 1
    assert "注：节能环保支出未填报金额，未列示。" in _texts(figure)


def test_indicators_against_100_percent(context: dict[str, Any]) -> None:
    figure = charts.build_figure("indicators", context)
    texts = _texts(figure)
    assert {"100.00%", "61.00%", "100%"} <= set(texts)
    assert _bar_count(figure) == 3  # the three indicators the sample can compute; the others are listed as absent
    assert any(t.startswith("注：政府采购执行率、公用经费控制率、在职人员控制率") for t in texts)


def test_structure_labels_amounts_and_shares(context: dict[str, Any]) -> None:
    texts = _texts(charts.build_figure("structure", context))
    assert "基本支出\n2713.30万元\n占21.40%" in texts
    assert "项目支出\n9960.59万元\n占78.56%" in texts


def test_unknown_chart_key() -> None:
    with pytest.raises(ValueError, match="unknown chart"):
        charts.build_figure("pie", {})


# --- import cost and the docx ---------------------------------------------------------------------------------------


def test_import_does_not_load_matplotlib() -> None:
    code = (
        "import sys, pipeline.render.charts\n"
        "print(sorted(m for m in ('matplotlib', 'PIL', 'numpy') if m in sys.modules))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT)
    assert out.stdout.strip() == "[]"


def test_inline_images_land_as_pictures_in_the_docx(tmp_path: Path, sample_charts: dict[str, bytes]) -> None:
    """Through the project's own sandboxed, autoescaping, StrictUndefined environment, as the renderer uses it."""
    from docxtpl import DocxTemplate

    from pipeline.render.environment import RenderOptions, make_environment

    source = docx.Document()
    for key in charts.CHART_KEYS:
        source.add_paragraph(f"{{% if charts.{key} %}}{{{{ charts.{key} }}}}{{% else %}}无{key}{{% endif %}}")
    template = tmp_path / "tiny.docx"
    source.save(str(template))

    drawn = {key: png for key, png in sample_charts.items() if key != "budget"}
    tpl = DocxTemplate(str(template))
    images = charts.inline_images(tpl, drawn)
    assert set(images) == set(charts.CHART_KEYS) and images["budget"] is None
    tpl.render({"charts": images}, jinja_env=make_environment(RenderOptions()))
    out = tmp_path / "out.docx"
    tpl.save(str(out))

    report = docx.Document(str(out))
    shapes = report.inline_shapes
    assert len(shapes) == 3
    assert all(abs(shape.width - Mm(charts.WIDTH_MM)) < Mm(0.1) for shape in shapes)
    assert "无budget" in [p.text for p in report.paragraphs]
    blobs = {part.blob for part in report.part.package.parts if part.partname.endswith(".png")}
    assert blobs == set(drawn.values())


# --- charts are the optional extra "charts" -------------------------------------------------------------------------

CHART_MODULES = ("matplotlib", "PIL", "noto_cjk_sans_otc")  # pip install "genreport[charts]"
TOWNSHIP = ROOT / "inputs" / "township-2023.xlsx"  # its template, township, draws charts


def genreport_without(modules: tuple[str, ...], *args: str) -> subprocess.CompletedProcess[str]:
    """``genreport ARGS`` in a process where importing ``modules`` fails, as where the extra is not installed."""
    code = (
        "import sys\n"
        f"sys.modules.update(dict.fromkeys({list(modules)!r}))  # None: import raises ImportError\n"
        "from pipeline.cli import app\n"
        f"app({list(args)!r}, prog_name='genreport')\n"
    )
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=False)


def test_charts_are_an_optional_extra() -> None:
    """pyproject: matplotlib, Pillow and the font only in the extra "charts", which dev includes."""
    import tomllib

    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    names = {"matplotlib", "pillow", "noto-cjk-sans-otc"}

    def named(requirements: list[str]) -> set[str]:
        return {r.split(";")[0].split("[")[0].split(">")[0].split("<")[0].split("=")[0].strip() for r in requirements}

    assert not named(project["dependencies"]) & names
    assert named(project["optional-dependencies"]["charts"]) == names
    assert "genreport[charts]" in project["optional-dependencies"]["dev"]


@pytest.mark.parametrize("module", CHART_MODULES)
def test_a_missing_chart_package_says_how_to_install_the_extra(module: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, module, None)
    with pytest.raises(charts.ChartsUnavailable, match=r'charts\.enabled.*pip install "genreport\[charts\]"'):
        charts.draw_charts({})


def test_a_template_with_charts_is_refused_without_the_extra(tmp_path: Path) -> None:
    out = genreport_without(CHART_MODULES, "build", str(TOWNSHIP), "-o", str(tmp_path))
    assert out.returncode == 1, out.stderr
    assert "Traceback" not in out.stdout + out.stderr
    [line] = [line for line in out.stderr.splitlines() if line.startswith("错误：")]
    assert "图表" in line and "charts.enabled" in line and 'pip install "genreport[charts]"' in line
    assert list(tmp_path.iterdir()) == []  # no report without its charts


def test_the_refusal_names_the_template(tmp_path: Path) -> None:
    out = genreport_without(CHART_MODULES, "build", str(TOWNSHIP), "-o", str(tmp_path))
    assert "township" in out.stderr


def test_a_template_without_charts_needs_no_extra(tmp_path: Path) -> None:
    out = genreport_without(CHART_MODULES, "build", str(SAMPLE), "-o", str(tmp_path))
    assert out.returncode == 0, out.stderr
    assert (tmp_path / "2022.docx").is_file()


def test_template_check_says_the_extra_is_missing() -> None:
    out = genreport_without(CHART_MODULES, "template", "check", "township")
    assert out.returncode == 1
    assert "Traceback" not in out.stdout + out.stderr
    assert 'pip install "genreport[charts]"' in out.stdout + out.stderr
