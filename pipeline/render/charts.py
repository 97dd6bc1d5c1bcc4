"""The report's charts, drawn from the template context as PNG bytes for the Word document (and through it HTML/PDF).

- ``structure``: 基本支出 and 项目支出 of 全年执行 (budget.actual), as a ring, with the context's shares.
- ``functions``: 项目支出 by 功能分类 (function_groups), as horizontal bars in the report's order.
- ``budget``: 年初预算 / 全年预算 / 全年执行 of 收入合计, 支出合计, 基本支出, 项目支出, as grouped bars.
- ``indicators``: the declared rates (derive/indicators.py) against the 100% line, as ``indicators.KEY.value``.

A chart whose data is absent is not drawn (None), and a single absent figure is named as absent, never drawn as 0.
The context computes nothing here either: amounts and shares are printed as the context holds them, rounded half-up.
Money stays Decimal up to the call that hands a bar length to matplotlib.

matplotlib is imported inside the drawing functions (``import pipeline.render.charts`` stays light), and only its
object API is used (Figure + FigureCanvasAgg, no pyplot), so charts may be drawn from several threads. Every text
carries the package font by path (chart_font.py); colours, sizes and the PNG encoding are set here rather than read
from rcParams or savefig options, so a user's matplotlibrc cannot change the output, and the same context gives the
same bytes: no timestamp, no ``Software`` text, a fixed palette quantisation.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from ..context import CHART_KEYS
from ..derive.indicators import DEFINITIONS
from ..numbers import format_money, format_percent
from .chart_font import ChartsUnavailable, font_properties, require_charts

if TYPE_CHECKING:
    from docxtpl import DocxTemplate, InlineImage
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

__all__ = [
    "ChartsUnavailable",
    "build_figure",
    "draw_chart",
    "draw_charts",
    "inline_images",
]


WIDTH_MM = 150  # the GB/T 9704 text block is 156 mm wide
DPI = 300
COLOURS = 48  # a palette PNG: flat fills and anti-aliased text need few colours, and the file is a third the size

TITLE_PT = 11
LABEL_PT = 9
VALUE_PT = 8.5
NOTE_PT = 8

INK = "#262626"
MUTED = "#7F7F7F"
RULE = "#BFBFBF"
TARGET = "#C00000"
# Blues of clearly different lightness, so the series stay apart on a black-and-white printer.
LIGHT = "#A9C8E8"
MEDIUM = "#4A86C5"
DARK = "#1F3F6B"

BUDGET_COLUMNS = (("initial", "年初预算数", LIGHT), ("adjusted", "全年预算数", MEDIUM), ("actual", "全年执行数", DARK))
BUDGET_ROWS = (
    ("income_total", "收入合计"),
    ("expense_total", "支出合计"),
    ("basic", "基本支出"),
    ("project", "项目支出"),
)
# The rates whose yardstick is 100% (declared with each indicator); 预算调整率/预算控制率 (how far the budget moved)
# and the shares have none. Their values are read from the context, the one value the body and the 自评表 print.
TARGET_INDICATORS = tuple(d.key for d in DEFINITIONS if d.yardstick)
ABSENT = "未填报"


def draw_charts(context: Mapping[str, Any]) -> dict[str, bytes]:
    """Every chart the context has data for, as PNG bytes by key (CHART_KEYS order); absent charts are left out.

    Raises ChartsUnavailable (a Chinese message naming the package and the command that installs the ``charts``
    extra) where matplotlib, Pillow or the font is missing, before any chart is drawn.
    """
    require_charts()
    charts: dict[str, bytes] = {}
    for key in CHART_KEYS:
        png = draw_chart(key, context)
        if png is not None:
            charts[key] = png
    return charts


def draw_chart(key: str, context: Mapping[str, Any]) -> bytes | None:
    """One chart as PNG bytes, or None when the context lacks its data."""
    figure = build_figure(key, context)
    return None if figure is None else _png(figure)


def build_figure(key: str, context: Mapping[str, Any]) -> Figure | None:
    """The matplotlib Figure of one chart (for tests and for other output sizes), or None without data."""
    try:
        builder = _BUILDERS[key]
    except KeyError:
        raise ValueError(f"unknown chart {key!r}; known: {', '.join(CHART_KEYS)}") from None
    return builder(context)


def inline_images(
    tpl: DocxTemplate, charts: Mapping[str, bytes], width_mm: float = WIDTH_MM
) -> dict[str, InlineImage | None]:
    """docxtpl images of ``charts`` for the context key ``charts``: ``{% if charts.budget %}{{ charts.budget }}``.

    Every key of CHART_KEYS is present, None where the chart was not drawn, so a template under StrictUndefined
    can test for a chart instead of failing on a missing key.
    """
    from docx.shared import Mm
    from docxtpl import InlineImage

    images: dict[str, InlineImage | None] = dict.fromkeys(CHART_KEYS)
    for key, png in charts.items():
        images[key] = InlineImage(tpl, io.BytesIO(png), width=Mm(width_mm))
    return images


# --- reading the context ------------------------------------------------------------------------------------------


def _amount(value: object) -> Decimal | None:
    """A figure of the context, or None for anything that is not one (absent, text, NaN): nothing is guessed."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, Decimal) and value.is_finite():
        return value
    return None


def _at(context: Mapping[str, Any], *keys: str) -> Any:
    node: Any = context
    for key in keys:
        if not isinstance(node, Mapping):
            return None
        node = node.get(key)
    return node


def _year_prefix(context: Mapping[str, Any]) -> str:
    year = context.get("year")
    return f"{year}年度" if isinstance(year, int) and not isinstance(year, bool) else ""


def _wrap(text: str, width: int = 12) -> str:
    """Break a long Chinese label every ``width`` characters (no spaces to break at)."""
    return "\n".join(text[i : i + width] for i in range(0, len(text), width)) or text


def _listing(names: Sequence[str]) -> str:
    return "、".join(names)


# --- drawing ------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Bar:
    label: str
    value: Decimal
    text: str


def _figure(height_mm: float) -> tuple[Figure, Axes]:
    try:
        from matplotlib.figure import Figure
        from matplotlib.layout_engine import ConstrainedLayoutEngine
    except ImportError as e:
        raise ChartsUnavailable.not_installed("matplotlib（3.11 或更高版本）") from e

    layout = ConstrainedLayoutEngine(w_pad=2 / 72, h_pad=3 / 72)
    figure = Figure(figsize=(WIDTH_MM / 25.4, height_mm / 25.4), dpi=DPI, facecolor="white", layout=layout)
    return figure, figure.add_subplot()


def _title(figure: Figure, text: str) -> None:
    figure.suptitle(text, fontproperties=font_properties(TITLE_PT), color=INK)


def _note(figure: Figure, text: str) -> None:
    figure.supxlabel(text, x=0.02, ha="left", fontproperties=font_properties(NOTE_PT), color=MUTED)


def _bare_value_axis(ax: Axes) -> None:
    """Horizontal bars carry their values as labels; the value axis would only repeat them."""
    ax.xaxis.set_visible(False)
    for side in ("top", "right", "bottom"):
        ax.spines[side].set_visible(False)
    ax.spines["left"].set_color(RULE)
    ax.tick_params(axis="y", length=0, pad=6, colors=INK)
    ax.set_facecolor("white")


def _category_labels(ax: Axes, positions: Sequence[float], labels: Sequence[str]) -> None:
    ax.set_yticks(list(positions), labels=list(labels), fontproperties=font_properties(LABEL_PT))
    ax.invert_yaxis()  # first row on top, in the report's order


def _value_labels(ax: Axes, bars: Any, texts: Sequence[str]) -> None:
    ax.bar_label(bars, labels=list(texts), padding=3, fontproperties=font_properties(VALUE_PT), color=INK)


def _headroom(ax: Axes, largest: float, at_least: float = 0.0) -> None:
    """Room right of the longest bar for its label (about a fifth of the axis)."""
    ax.set_xlim(0, max(largest, at_least) * 1.2 or 1.0)


def _horizontal_bars(
    bars: list[_Bar], height_mm: float, title: str, bar_height: float, at_least: float = 0.0
) -> tuple[Figure, Axes]:
    """One bar per line, labelled on the left and with its value at its end."""
    figure, ax = _figure(height_mm)
    _title(figure, title)
    positions = list(range(len(bars)))
    values = [float(bar.value) for bar in bars]
    drawn = ax.barh(positions, values, height=bar_height, color=MEDIUM)
    _value_labels(ax, drawn, [bar.text for bar in bars])
    _category_labels(ax, positions, [_wrap(bar.label) for bar in bars])
    _bare_value_axis(ax)
    _headroom(ax, max(values), at_least)
    return figure, ax


def _structure(context: Mapping[str, Any]) -> Figure | None:
    parts = [
        ("基本支出", _amount(_at(context, "budget", "actual", "basic")), _amount(_at(context, "shares", "basic"))),
        ("项目支出", _amount(_at(context, "budget", "actual", "project")), _amount(_at(context, "shares", "project"))),
    ]
    if any(amount is None for _, amount, _ in parts) or not any(amount for _, amount, _ in parts):
        return None  # a ring of one known part would show an invented whole
    figure, ax = _figure(66)
    _title(figure, f"{_year_prefix(context)}支出结构（全年执行数）")
    amounts = [float(amount) for _, amount, _ in parts if amount is not None]
    labels = []
    for name, amount, share in parts:
        text = f"{name}\n{format_money(amount)}万元"
        labels.append(text if share is None else f"{text}\n占{format_percent(share)}")
    _, texts = ax.pie(
        amounts,
        labels=[label if amount else "" for label, amount in zip(labels, amounts, strict=True)],
        colors=[MEDIUM, DARK],
        startangle=90,
        counterclock=False,
        labeldistance=1.18,
        wedgeprops={"width": 0.42, "edgecolor": "white", "linewidth": 1.5},
        textprops={"fontproperties": font_properties(LABEL_PT), "color": INK},
    )
    for text in texts:
        text.set_horizontalalignment("left" if text.get_position()[0] >= 0 else "right")
        text.set_verticalalignment("center")
    ax.set_aspect("equal")
    return figure


def _functions(context: Mapping[str, Any]) -> Figure | None:
    groups = context.get("function_groups")
    if not isinstance(groups, Sequence):
        return None
    bars: list[_Bar] = []
    missing: list[str] = []
    for group in groups:
        if not isinstance(group, Mapping):
            continue
        name = str(group.get("name") or "").strip()
        amount = _amount(group.get("amount"))
        if amount is None:
            if name:
                missing.append(name)
            continue
        bars.append(_Bar(name or "（未命名科目）", amount, format_money(amount)))
    if not bars:
        return None
    title = f"{_year_prefix(context)}项目支出功能分类构成（万元）"
    figure, _ = _horizontal_bars(bars, 24 + 8.5 * len(bars) + (6 if missing else 0), title, 0.6)
    if missing:
        _note(figure, f"注：{_listing(missing)}未填报金额，未列示。")
    return figure


def _budget(context: Mapping[str, Any]) -> Figure | None:
    rows = [
        (label, [_amount(_at(context, "budget", column, key)) for column, _, _ in BUDGET_COLUMNS])
        for key, label in BUDGET_ROWS
    ]
    rows = [(label, amounts) for label, amounts in rows if any(amount is not None for amount in amounts)]
    if not rows:
        return None
    figure, ax = _figure(28 + 17 * len(rows))
    _title(figure, f"{_year_prefix(context)}预算及执行情况（万元）")
    height = 0.25
    largest = max(float(amount) for _, amounts in rows for amount in amounts if amount is not None)
    for index, (_, _, colour) in enumerate(BUDGET_COLUMNS):
        offset = (index - 1) * height
        for row, (_, amounts) in enumerate(rows):
            amount = amounts[index]
            y = row + offset
            if amount is None:
                ax.text(
                    largest * 0.005,
                    y,
                    ABSENT,
                    va="center",
                    ha="left",
                    fontproperties=font_properties(VALUE_PT),
                    color=MUTED,
                )
                continue
            drawn = ax.barh([y], [float(amount)], height=height * 0.92, color=colour)
            _value_labels(ax, drawn, [format_money(amount)])
    # Every series in the legend, even one with no figure at all (its slots then read 未填报).
    from matplotlib.patches import Patch

    handles = [Patch(facecolor=colour, label=label) for _, label, colour in BUDGET_COLUMNS]
    figure.legend(
        handles=handles,
        loc="outside lower center",
        ncols=len(handles),
        frameon=False,
        prop=font_properties(LABEL_PT),
        handlelength=1.6,
        columnspacing=2.0,
    )
    _category_labels(ax, list(range(len(rows))), [label for label, _ in rows])
    _bare_value_axis(ax)
    _headroom(ax, largest)
    return figure


def _indicators(context: Mapping[str, Any]) -> Figure | None:
    bars: list[_Bar] = []
    missing: list[str] = []
    for key in TARGET_INDICATORS:
        indicator = _at(context, "indicators", key)
        if not isinstance(indicator, Mapping):
            continue
        name = str(indicator.get("name") or key)
        value = _amount(indicator.get("value"))
        if value is None:
            missing.append(name)
        else:
            bars.append(_Bar(name, value, format_percent(value)))
    if not bars:
        return None
    figure, ax = _horizontal_bars(
        bars,
        26 + 9 * len(bars) + (6 if missing else 0),
        f"{_year_prefix(context)}主要绩效指标（以100%为参照）",
        0.55,
        1.0,
    )
    ax.axvline(1.0, color=TARGET, linewidth=1.0, linestyle=(0, (4, 2)), zorder=3)
    ax.annotate(
        "100%",
        xy=(1.0, 1.0),
        xycoords=("data", "axes fraction"),
        xytext=(0, 2),
        textcoords="offset points",
        ha="center",
        va="bottom",
        fontproperties=font_properties(VALUE_PT),
        color=TARGET,
    )
    if missing:
        _note(figure, f"注：{_listing(missing)}缺少计算所需数据，未列示。")
    return figure


_BUILDERS: dict[str, Callable[[Mapping[str, Any]], Figure | None]] = {
    "structure": _structure,
    "functions": _functions,
    "budget": _budget,
    "indicators": _indicators,
}


# --- encoding -----------------------------------------------------------------------------------------------------


def _png(figure: Figure) -> bytes:
    """Render with Agg and encode with Pillow directly, so no savefig option or rcParam (bbox, transparency,
    metadata) takes part; the palette and the encoder settings are fixed, hence the same bytes each time."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from PIL import Image

    canvas: Any = FigureCanvasAgg(figure)  # backend_agg ships no type stubs
    canvas.draw()
    width, height = canvas.get_width_height()
    rgb = Image.frombuffer("RGBA", (width, height), canvas.buffer_rgba(), "raw", "RGBA", 0, 1).convert("RGB")
    image = rgb.quantize(colors=COLOURS, method=Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE)
    out = io.BytesIO()
    image.save(out, format="PNG", optimize=True, dpi=(DPI, DPI))
    return out.getvalue()
