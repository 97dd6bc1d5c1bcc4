"""template.toml: what a template folder says besides its Word document and its scoring rules.

The report title, which sections and appendices print, the words that differ by kind of unit, the number style,
header aliases for workbook columns and the department's own tables. Every key is declared once in ``SETTINGS``
(the loader, its error messages and docs/template-guide.md all walk it); an unknown key is an error with the
closest known one, because a misspelt setting that is silently ignored is a report printed wrong.
"""

from __future__ import annotations

import difflib
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from string import Formatter
from typing import Any

from .. import budget
from ..errors import TemplateProblem, display_path
from .declared import CustomField, CustomTable, parse_fields, parse_tables
from .toml_errors import explain

SETTINGS_FILE = "template.toml"
MAX_FILE = 2**20  # a template.toml or rules.toml: a few KB; read no further than this
MAX_TEXT = 200  # characters of one text setting (a title, a word)
TITLE_FIELDS = ("year", "unit", "short_name")


@dataclass(frozen=True)
class Setting:
    """A setting of template.toml as the guide explains it: its default and meaning."""

    key: str  # dotted, as written in template.toml
    default: str  # a TOML literal, as the guide prints it
    meaning: str
    kind: type = str


SETTINGS: tuple[Setting, ...] = (
    Setting(
        "template.name",
        '""',
        "模板的显示名称，如“县直部门（我局）”；template list 和网页的模板菜单按它列出（不填时用文件夹名）。",
    ),
    Setting(
        "template.description",
        '""',
        "一句话说明模板适用于哪类单位、与默认模板有何不同；template list 和网页中显示。",
    ),
    Setting(
        "report.title",
        '"{year}年度部门整体支出绩效自评报告"',
        "报告标题；{year} 年度、{unit} 单位名称、{short_name} 单位简称（只能这样写名称，不能加格式或属性），"
        "最长 200 字。也是 Word 文件属性中的标题（context 的 title）。",
    ),
    Setting("words.unit_kind", '"部门"', "单位类别的称呼：部门、乡镇、委员会、单位……（context 的 words.unit_kind）。"),
    Setting("words.office", '"股室"', "内设机构的量词：“等N个股室”中的股室；可改为科室、办公室、站所……"),
    Setting("words.self_name", '"我单位"', "正文中的自称：我单位、本部门、我镇、我委……"),
    Setting("sections.yoy", "true", "正文是否写与上年相比的同比句（上年决算数存在时）。", bool),
    Setting("sections.three_public", "true", "正文是否写“三公”经费一段（未填三公经费表时无论如何不写）。", bool),
    Setting("sections.procurement", "true", "正文是否写政府采购一段（未填政府采购表时写“未发生政府采购”）。", bool),
    Setting("sections.assets", "true", "正文是否写资产一段（未填资产表时不写）。", bool),
    Setting("sections.projects", "true", "正文是否写项目绩效目标完成情况。", bool),
    Setting("appendices.evaluation", "true", "是否附部门整体支出绩效自评表。", bool),
    Setting("appendices.project_evaluations", "true", "是否附项目支出绩效自评表（有项目指标时）。", bool),
    Setting("appendices.basic_data", "true", "是否附部门整体支出绩效评价基础数据表。", bool),
    Setting("numbers.decimals", "2", "金额保留的小数位数（四舍五入）。", int),
    Setting("numbers.thousands", "false", "金额是否加千分位逗号（12,678.39）。", bool),
    Setting("numbers.percent_places", "2", "百分比保留的小数位数；命令行 --percent-places 优先。", int),
    Setting(
        "charts.enabled",
        "false",
        "是否在报告中插入图表（支出结构、功能分类、预算执行、绩效指标；模板中写 {{ charts.budget }} 等）。",
        bool,
    ),
    Setting(
        "cover.enabled",
        "false",
        "是否在正文前加封面（报告标题、单位名称、成文日期）；封面不编页码，正文从“— 1 —”起编。",
        bool,
    ),
    Setting(
        "aliases",
        "{}",
        '工作簿列名或行名的别名：[aliases."项目"] 下写 "项目总造价（预算）" = ["总造价", "预算金额"]，'
        "则该表中名为“总造价”的列按“项目总造价（预算）”读取。",
        dict,
    ),
    Setting(
        "fields",
        "[]",
        "模板要用的自定义字段：每个 [[fields]] 写 name（模板中用 custom.名称）、type（文本/整数/金额/数值/百分比/"
        "日期）、unit（计量单位，如“平方米”；金额写“万元”）、required（true 为必填：没填时 validate 和 build 报错"
        "“在“自定义字段”表补填 名称（单位）”）、help（给填表人的说明）和 sum_of（本字段为哪几个字段之和："
        "填了就核对，空着就自动相加）。init -t 模板名 生成的空白表在“自定义字段”表预先写好这些行；模板引用了"
        "未登记的 custom.名称 时 template check 报错。",
        list,
    ),
    Setting(
        "tables",
        "[]",
        "本部门自己的表：每个 [[tables]] 写 key（模板中用 custom.KEY）、sheet（工作表名）、name（表的说明）、"
        "required（true 为必须有此表且至少一行）、total_row（第一列写此文字的行，如“合计”，是它之前各行之和）"
        "和 [[tables.columns]]（key、label、type：文本/整数/金额/数值/百分比/日期，required，unit，sum_of：本列为"
        "同一行哪几列之和）。工作簿中该表第1行为金额单位（A1“金额单位”，B1 万元或元；没有金额列时可写说明），"
        "第2行为列名，第3行起每行一条。合计与各项之和不符时报 W_SUM_MISMATCH，合计留空时自动相加。",
        list,
    ),
    Setting(
        "staffing.total_row",
        '""',
        "“人员编制”表中的小计行：编制类型写此文字（如“小计”）的行是它之前各行之和；validate 核对编制数和实有人数，"
        "留空时自动相加；小计行不重复计入编制总数。",
    ),
)

_BY_KEY = {s.key: s for s in SETTINGS}
OPTIONAL_TEXT = ("template.name", "template.description", "staffing.total_row")  # may stay empty


@dataclass(frozen=True)
class TemplateSettings:
    """A template's template.toml read: every setting, aliases and the department's own fields."""

    values: dict[str, Any] = field(default_factory=dict)  # dotted key → value, every scalar setting present
    aliases: dict[str, dict[str, tuple[str, ...]]] = field(default_factory=dict)  # sheet → label → aliases
    tables: tuple[CustomTable, ...] = ()
    fields: tuple[CustomField, ...] = ()  # the 自定义字段 the template relies on

    def get(self, key: str) -> Any:
        return self.values[key]

    def group(self, prefix: str) -> dict[str, Any]:
        """``sections`` → {"yoy": True, …}: a group of settings as the template context holds it."""
        return {k.split(".", 1)[1]: v for k, v in self.values.items() if k.startswith(prefix + ".")}


def default_settings() -> TemplateSettings:
    return TemplateSettings(
        values={s.key: tomllib.loads(f"v = {s.default}")["v"] for s in SETTINGS if s.kind not in (dict, list)}
    )


def read_toml(path: Path, what: str) -> dict[str, Any]:
    """A template's TOML file (``what``: 模板设置, 评分规则), every way it can fail in Chinese naming the file:
    too big, not UTF-8, not TOML, nested deeper than the parser's recursion, numbers Python will not read."""
    shown = display_path(path)
    try:
        with path.open("rb") as fh:
            raw = fh.read(MAX_FILE + 1)
        if len(raw) > MAX_FILE:
            raise TemplateProblem(f"{shown}：{what}文件超过 {MAX_FILE // 2**20} MB，远超正常大小，已拒绝读取")
        return tomllib.loads(raw.decode("utf-8-sig"))  # Notepad saves UTF-8 with a byte-order mark
    except OSError as e:
        raise TemplateProblem(f"{shown}：无法读取{what}（{e.strerror or e}）") from e
    except UnicodeDecodeError as e:
        raise TemplateProblem(f"{shown}：{what}应保存为 UTF-8 编码") from e
    except tomllib.TOMLDecodeError as e:
        raise TemplateProblem(f"{shown}：{what}{explain(e)}") from e
    except (RecursionError, MemoryError) as e:
        if isinstance(e, MemoryError) and budget.active():
            raise  # the job's memory budget (budget.within names it), not a file nested too deep
        raise TemplateProblem(f"{shown}：{what}中的数组或表嵌套过深，无法读取") from e
    except ValueError as e:  # an integer of thousands of digits (sys.get_int_max_str_digits)
        raise TemplateProblem(f"{shown}：{what}中有位数过多的数字，无法读取") from e


def load_settings(path: Path) -> TemplateSettings:
    """Read template.toml; a folder without one has every default."""
    if not path.is_file():
        return default_settings()
    shown = display_path(path)
    data = read_toml(path, "模板设置")
    try:
        return _parse(data, shown)
    except RecursionError as e:  # [a.a.a.…] headers: flattened by recursion
        raise TemplateProblem(f"{shown}：模板设置中的表嵌套过深，无法读取") from e


def _parse(data: dict[str, Any], shown: str) -> TemplateSettings:
    values = dict(default_settings().values)
    aliases: dict[str, dict[str, tuple[str, ...]]] = {}
    tables: tuple[CustomTable, ...] = ()
    declared: tuple[CustomField, ...] = ()
    for key, value in _flatten(data):
        setting = _BY_KEY.get(key) or _BY_KEY.get(key.split(".", 1)[0])
        if setting is None:
            raise TemplateProblem(f"{shown}：未知设置 {key}{_suggest(key)}")
        if setting.key == "aliases":
            aliases = _aliases(value, shown)
        elif setting.key == "tables":
            tables = parse_tables(value, shown)
        elif setting.key == "fields":
            declared = parse_fields(value, shown)
        else:
            values[key] = _typed(value, setting, shown)
    if values["numbers.decimals"] not in range(7) or values["numbers.percent_places"] not in range(7):
        raise TemplateProblem(f"{shown}：numbers.decimals 和 numbers.percent_places 应为 0 到 6 的整数")
    return TemplateSettings(values, aliases, tables, declared)


def _flatten(data: dict[str, Any], prefix: str = "") -> list[tuple[str, Any]]:
    """Dotted keys down to the settings' depth; aliases and tables stay whole (their values are structures)."""
    out: list[tuple[str, Any]] = []
    for k, v in data.items():
        key = f"{prefix}{k}"
        if isinstance(v, dict) and key not in ("aliases",) and key not in _BY_KEY:
            out += _flatten(v, key + ".")
        else:
            out.append((key, v))
    return out


def _suggest(key: str) -> str:
    close = difflib.get_close_matches(key, list(_BY_KEY), n=1, cutoff=0.6)
    return f"；您是否要写 {close[0]}？" if close else "；可用的设置见 docs/template-guide.md"


def _typed(value: Any, setting: Setting, shown: str) -> Any:
    if setting.kind is int and isinstance(value, int) and not isinstance(value, bool):
        return value
    if setting.kind is bool and isinstance(value, bool):
        return value
    if setting.kind is str and isinstance(value, str) and (value.strip() or setting.key in OPTIONAL_TEXT):
        if len(value) > MAX_TEXT:
            raise TemplateProblem(f"{shown}：{setting.key} 超过 {MAX_TEXT} 个字符")
        if setting.key == "report.title":
            _check_title(value, shown)
        return value
    expected = {int: "整数", bool: "true 或 false", str: "非空文字（加英文双引号）"}[setting.kind]
    raise TemplateProblem(f"{shown}：{setting.key} 应为{expected}，实际为 {value!r}")


def _check_title(title: str, shown: str) -> None:
    try:
        placeholders(title, TITLE_FIELDS)
    except ValueError as e:
        raise _title_problem(shown, e) from e


def _title_problem(shown: str, error: ValueError) -> TemplateProblem:
    return TemplateProblem(f"{shown}：report.title 中的占位符只能是 {{year}}、{{unit}}、{{short_name}}（{error}）")


def placeholders(text: str, allowed: tuple[str, ...]) -> list[tuple[str, str | None]]:
    """``text`` as (literal, field) pairs, a field one of ``allowed`` written bare: ``{year}``. No attribute or
    index (``{unit.__class__}`` would reach Python's internals), no conversion, no format spec (``{year:>999999999}``
    would allocate a gigabyte). ValueError, in Chinese, for anything else."""
    try:
        parsed = list(Formatter().parse(text))
    except ValueError as e:
        raise ValueError("花括号不配对；文字中的花括号要写成 {{ 和 }}") from e
    out: list[tuple[str, str | None]] = []
    for literal, name, spec, conversion in parsed:
        if name is not None and (name not in allowed or spec or conversion):
            typed = "{" + name + (f"!{conversion}" if conversion else "") + (f":{spec}" if spec else "") + "}"
            typed = typed if len(typed) <= 40 else typed[:40] + "…"
            raise ValueError(f"{typed} 不可用：占位符只写名字，不加 . [ ] ! : 等")
        out.append((literal, name))
    return out


def format_title(title: str, *, year: object, unit: object, short_name: object) -> str:
    """report.title with its placeholders filled, as ``str.format`` fills bare names and nothing more (see
    ``placeholders``): as long as the title plus the values, whatever it says. A title that got past
    ``load_settings`` cannot fail; one set otherwise raises TemplateProblem."""
    try:
        pieces = placeholders(title, TITLE_FIELDS)
    except ValueError as e:
        raise _title_problem(SETTINGS_FILE, e) from e
    values = {"year": year, "unit": unit, "short_name": short_name}
    return "".join(literal + ("" if name is None else str(values[name])) for literal, name in pieces)


def _aliases(value: Any, shown: str) -> dict[str, dict[str, tuple[str, ...]]]:
    out: dict[str, dict[str, tuple[str, ...]]] = {}
    if not isinstance(value, dict):
        raise TemplateProblem(f'{shown}：aliases 应写成 [aliases."工作表名"] 下的 "标准列名" = ["别名", …]')
    for sheet, labels in value.items():
        if not isinstance(labels, dict):
            raise TemplateProblem(f'{shown}：aliases."{sheet}" 应写成 "标准列名" = ["别名", …]')
        out[sheet] = {}
        for label, names in labels.items():
            names = [names] if isinstance(names, str) else names
            if not isinstance(names, list) or not all(isinstance(n, str) and n.strip() for n in names):
                raise TemplateProblem(f'{shown}：aliases."{sheet}"."{label}" 应为别名列表，如 ["总造价"]')
            out[sheet][label] = tuple(names)
    return out
