"""docs/template-guide.md, generated: the template fields, the filters and the template.toml settings, with how
to edit a template in Word or WPS (tests fail when the committed copy is stale).

The fields come from the live context of the sample workbook, labelled from the workbook schema where a field is
a workbook figure and from its declaration (``pipeline/context/vocabulary.py``) otherwise. A field that neither
explains makes the generator fail (``UndocumentedFields``), so a new context key cannot reach templates
undocumented; an amount or an absent value must also say its type, because the guide prints the unit (万元) and
the filter to use.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

from ..context.vocabulary import (
    ANY,
    BOOL,
    DATE,
    DICT,
    INT,
    LIST,
    MIXED,
    MONEY,
    NUMBER,
    POINTS,
    RATIO,
    TEXT,
    TEXTS,
    Meaning,
    declared_meanings,
)
from ..model import schema
from ..model.schema import FormSheet, Kind, ListSheet
from ..numbers import quantize, unsigned
from ..render.filters import FILTERS, TemplateFilter
from ..template.settings import SETTINGS
from .rules_guide import rules_markdown

SAMPLE = Path("inputs/2022.xlsx")  # relative: the guide names it as a user types it

_KIND_OF_SCHEMA = {
    Kind.TEXT: TEXT,
    Kind.INT: INT,
    Kind.MONEY: MONEY,
    Kind.DECIMAL: NUMBER,
    Kind.PERCENT: RATIO,
    Kind.YEAR: INT,
    Kind.DATE: DATE,
    Kind.CODE: TEXT,
    Kind.NUMBER_OR_TEXT: MIXED,
}

_KIND_OF_SETTING = {bool: BOOL, int: INT, str: TEXT, dict: DICT, list: LIST}

KINDS: dict[str, str] = {
    MONEY: "单位万元；用 `|money` 打印（或 `|yuan`、`|daxie`、`|delta`）",
    RATIO: "小数形式的比率，0.214 即 21.4%；用 `|pct` 打印",
    POINTS: "分值或得分；用 `|score` 打印",
    NUMBER: "用 `|plain` 打印（去掉末尾的零）",
    INT: "直接 `{{ }}` 打印；中文写法用 `|cn_number`，序号用 `|cn_index`",
    TEXT: "原样打印",
    BOOL: "true 或 false，用在 `{% if %}` 中",
    TEXTS: "每段一项，用 `{%p for t in … %}` 逐段打印",
    LIST: "每项的字段在其下列出（`[]`），用 `{% for %}`、`{%p for %}` 或 `{%tr for %}`",
    DICT: "一组字段，在其下列出",
    DATE: "用 `|cn_date` 打印",
    MIXED: "数字或文字（数字用 `|plain`）",
    ANY: "金额、数值、百分比、日期或文字，按填报时选的类型",
}


# Every context field that the workbook schema does not label, from its declaration (pipeline/context/vocabulary.py)
MEANINGS: dict[str, Meaning] = declared_meanings()

# Context paths that are a row of the 基本信息 sheet.
_BASIC_ROWS = {
    "year": "year",
    "basis": "basis",
    "threshold": "threshold",
    "report_date": "report_date",
    "unit.name": "name",
    "unit.short_name": "short_name",
    "unit.supervisor": "supervisor",
}
_FORMS: dict[str, FormSheet] = {"budget": schema.BUDGET, "procurement": schema.PROCUREMENT}
_LIST_ALIASES = {"major_projects": "projects"}


class UndocumentedFields(Exception):
    """Context fields that neither the schema nor their declaration explains: declare them in context/vocabulary.py."""

    def __init__(self, paths: list[str]) -> None:
        super().__init__(
            "context fields without a meaning or a type (declare them in pipeline/context/vocabulary.py): "
            + ", ".join(paths)
        )
        self.paths = paths


@dataclass(frozen=True)
class FieldRow:
    path: str
    meaning: str
    kind: str
    unit: str
    sample: str


def _pattern(pattern: str) -> re.Pattern[str]:
    escaped = re.escape(pattern).replace(r"\*\*", "\0").replace(r"\*", r"[^.\[\]]+").replace("\0", ".+")
    return re.compile(escaped)


_PATTERNS = [(_pattern(p), p, m) for p, m in MEANINGS.items()]


def meaning_of(path: str) -> Meaning | None:
    """The most specific MEANINGS entry for a path: the one with the most literal characters."""
    found = [(len(p.replace("*", "")), m) for rx, p, m in _PATTERNS if rx.fullmatch(path)]
    return max(found, key=lambda f: f[0])[1] if found else None


def _schema_label(path: str) -> tuple[str, str] | None:
    """The workbook's own label and kind of a context path that is a workbook figure."""
    if path in _BASIC_ROWS:
        basic = schema.BASIC.row(_BASIC_ROWS[path])
        return f"{schema.BASIC.name} › {basic.label}", _KIND_OF_SCHEMA[basic.kind]
    keys = path.split(".")
    return _form_label(keys) or _setting_label(path, keys) or _list_label(keys)


def _form_label(keys: list[str]) -> tuple[str, str] | None:
    """Figures of the fixed-row sheets: budget.COLUMN.ROW, procurement.COLUMN.ROW, three_public.COLUMN.total,
    assets.ROW, yoy.SHEET.ROW.*; and the 文字 sections."""
    forms = {**_FORMS, "three_public": schema.THREE_PUBLIC}
    sheet = forms.get(keys[0])
    if sheet is not None and len(keys) in (2, 3):
        column = next((c for c in sheet.columns if c.key == keys[1]), None)
        if column is not None and len(keys) == 2:
            return f"{sheet.name} › {column.label}", DICT
        row = next((r for r in sheet.rows if r.key == keys[-1]), None)
        if column is not None and row is not None and (keys[0] in _FORMS or keys[2] == "total"):
            return f"{sheet.name} › {column.label} › {row.label}", _KIND_OF_SCHEMA[row.kind]
    if len(keys) == 2 and keys[0] == "assets" and keys[1] in {r.key for r in schema.ASSETS.rows}:
        asset = schema.ASSETS.row(keys[1])
        return f"{schema.ASSETS.name} › {asset.label}", _KIND_OF_SCHEMA[asset.kind]
    if len(keys) == 4 and keys[0] == "yoy" and keys[1] in ("budget", "three_public"):
        table = schema.BUDGET if keys[1] == "budget" else schema.THREE_PUBLIC
        if keys[2] in {r.key for r in table.rows}:
            return f"{table.name} › {table.row(keys[2]).label}", ""
    if len(keys) == 2 and keys[0] == "texts" and keys[1] in schema.TEXT_SECTIONS:
        return f"{schema.TEXTS.name} › {schema.TEXT_SECTIONS[keys[1]]}", TEXTS
    return None


def _setting_label(path: str, keys: list[str]) -> tuple[str, str] | None:
    """words.*, sections.*, appendices.*: the template.toml setting they come from."""
    if keys[0] not in ("words", "sections", "appendices"):
        return None
    setting = next((s for s in SETTINGS if s.key == path), None)
    if setting is None:
        return None
    return f"template.toml {setting.key}：{setting.meaning}", _KIND_OF_SETTING.get(setting.kind, TEXT)


def _list_label(keys: list[str]) -> tuple[str, str] | None:
    """Fields of a list sheet's rows (staffing[].quota), and lists of one-column sheets (duties, offices)."""
    sheets = {s.key: s for s in schema.SHEETS if isinstance(s, ListSheet)}
    single = sheets.get(keys[0]) if len(keys) == 1 else None
    if single is not None and len(single.columns) == 1:
        return f"{single.name} › {single.columns[0].label}，每行一项", TEXTS
    if len(keys) >= 2 and keys[-2].endswith("[]"):
        name = keys[-2].removesuffix("[]")
        sheet = sheets.get(_LIST_ALIASES.get(name, name))
        column = next((c for c in sheet.columns if c.key == keys[-1]), None) if sheet else None
        if sheet is not None and column is not None:
            return f"{sheet.name} › {column.label}", _KIND_OF_SCHEMA[column.kind]
    return None


def _walk(path: str, value: Any, seen: dict[str, list[Any]]) -> None:
    """Every path of the context (list items merged under ``[]``) with the values found there, in order."""
    seen.setdefault(path, []).append(value)
    if isinstance(value, Mapping):
        for key, item in value.items():
            _walk(f"{path}.{key}" if path else str(key), item, seen)
    elif isinstance(value, list) and value and all(isinstance(item, Mapping) for item in value):
        for item in value:
            _walk(f"{path}[]", item, seen)


def _is_container(values: list[Any]) -> bool:
    return any(isinstance(v, Mapping) and v for v in values) or any(
        isinstance(v, list) and v and all(isinstance(i, Mapping) for i in v) for v in values
    )


def _inferred(values: list[Any]) -> str | None:
    """The kind of a field from its values, where that is unambiguous (a Decimal may be money, a ratio or points)."""
    given = [v for v in values if v is not None]
    if not given:
        return None
    if all(isinstance(v, bool) for v in given):
        return BOOL
    if all(isinstance(v, int) and not isinstance(v, bool) for v in given):
        return INT
    if all(isinstance(v, str) for v in given):
        return TEXT
    if all(isinstance(v, list) and all(isinstance(i, str) for i in v) for v in given):
        return TEXTS if any(given) else None
    if all(isinstance(v, Mapping) for v in given):
        return DICT
    if all(isinstance(v, list) for v in given):
        return LIST
    return None


def _short(text: str, width: int = 24) -> str:
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 1] + "…"


def sample_text(values: list[Any]) -> str:
    """The first given sample value, short, as ``genreport context`` prints it (amounts as exact decimals)."""
    given = [v for v in values if v is not None and v != "" and v != [] and v != {}]
    if not given:
        if any(v == [] for v in values):
            return "空列表"
        if any(v == {} for v in values):
            return "空"
        return "空文字" if any(v == "" for v in values) else "空"
    value = given[0]
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, Decimal):
        text = f"{unsigned(value):f}"
        # a computed ratio has 28 digits; four decimals say what it is
        return f"{quantize(value, 4):f}…" if len(text.partition(".")[2]) > 4 else text
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, list):
        first = value[0]
        return f"{len(value)} 项" + (f"：{_short(first, 16)}" if isinstance(first, str) else "")
    if isinstance(value, Mapping):
        return ""
    return _short(str(value))


def field_rows(context: Mapping[str, Any]) -> list[FieldRow]:
    """One row per context field; raise UndocumentedFields for every field without a meaning or a type."""
    seen: dict[str, list[Any]] = {}
    for key, value in context.items():
        _walk(key, value, seen)
    rows: list[FieldRow] = []
    missing: list[str] = []
    for path, values in seen.items():
        meaning, labelled = meaning_of(path), _schema_label(path)
        container = _is_container(values)
        if "." not in path and "[" not in path and meaning is None and labelled is None:
            missing.append(path)  # every top-level key heads a section that says what it is
            continue
        if container and not ("." in path or "[" in path):
            continue  # the section heading says it
        if meaning is None and labelled is None:
            if not container:
                missing.append(path)
            continue
        kind = (meaning.kind if meaning else None) or (labelled[1] if labelled else None) or _inferred(values)
        if not kind and not container:
            missing.append(path)  # an amount, ratio or absent value must say which it is
            continue
        text = "；".join(part for part in (labelled[0] if labelled else "", meaning.text if meaning else "") if part)
        rows.append(
            FieldRow(
                path,
                text,
                kind or (LIST if any(isinstance(v, list) for v in values) else DICT),
                "万元" if kind == MONEY else "",
                "" if container else sample_text(values),
            )
        )
    if missing:
        raise UndocumentedFields(missing)
    return rows


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def _code(text: str) -> str:
    return f"`{text}`" if text else ""


def _value_text(value: Any) -> str:
    if value is None:
        return "空"
    if isinstance(value, Decimal):
        return f"{value:f}"
    if isinstance(value, dt.date):
        return f"日期 {value.isoformat()}"
    if isinstance(value, str):
        return f"“{value}”"
    if isinstance(value, Mapping):
        return "{" + ", ".join(f"{k}: {_value_text(v)}" for k, v in value.items()) + "}"
    if isinstance(value, list):
        return "[" + ", ".join(_value_text(v) for v in value) + "]"
    return str(value)


def filters_markdown(filters: tuple[TemplateFilter, ...] = FILTERS) -> list[str]:
    lines = [
        "## 过滤器",
        "",
        "过滤器写在字段后面，用竖线连接：`{{ budget.actual.expense_total|money }}`；括号里是参数："
        "`{{ shares.basic|pct(1) }}`。字段为空（工作簿未填或无法计算）时，每个过滤器都打印“—”，不会印成 0。",
        "下面每个例子都由测试在真实的模板环境中运行过，结果就是报告中打印的文字。",
        "",
    ]
    for f in filters:
        lines += [f"### {f.name}", "", f.description, ""]
        if f.arguments:
            lines += [f"参数：{f.arguments}", ""]
        lines += ["| 写法 | 取值 | 打印 |", "|---|---|---|"]
        for e in f.examples:
            values = "；".join(f"{name} = {_value_text(v)}" for name, v in e.values.items()) or "—"
            lines.append(f"| {_cell(_code(e.template))} | {_cell(values)} | {_cell(e.output)} |")
        lines.append("")
    return lines


def settings_markdown() -> list[str]:
    lines = [
        "## template.toml 设置",
        "",
        "模板文件夹（`templates/名称/`）中的 `template.toml` 写这个模板与默认不同的设置；没有写的设置取默认值，"
        "没有这个文件则全部取默认值。写错的设置名会报错并提示最接近的名称。用记事本等纯文本编辑器编辑，"
        "保存为 UTF-8 编码；文字加英文双引号，true/false 和数字不加。",
        "",
        "| 设置 | 默认值 | 含义 |",
        "|---|---|---|",
    ]
    for s in SETTINGS:
        lines.append(f"| `{s.key}` | {_cell(_code(s.default))} | {_cell(s.meaning)} |")
    lines += ["", "全部默认值写成 template.toml 是这样（只需写要改的几行）：", "", "```toml"]
    group = None
    for s in SETTINGS:
        if "." not in s.key:
            continue
        head, name = s.key.split(".", 1)
        if head != group:
            lines += ([""] if group else []) + [f"[{head}]"]
            group = head
        lines.append(f"{name} = {s.default}")
    lines += ["```", ""]
    return lines


def fields_markdown(context: Mapping[str, Any]) -> list[str]:
    rows = field_rows(context)
    lines = [
        "## 字段",
        "",
        f"模板能用的全部字段，样例值取自样例工作簿 `{SAMPLE.as_posix()}`（`genreport context 工作簿.xlsx` 打印"
        "任一工作簿的全部取值）。`[]` 表示列表中的每一项，例如 `projects[].name` 在 "
        "`{%p for p in projects %}` 中写作 `{{ p.name }}`。“含义”中的 › 指出数据来自工作簿的哪张表、哪一列（行）。"
        "“空”表示样例中没有填写或无法计算：用过滤器打印时为“—”，直接 `{{ }}` 打印则是 None，"
        "所以金额、比率请总是加过滤器，可能为空的文字用 `{% if … %}` 判断。",
        "",
        "类型：",
        "",
    ]
    lines += [f"- {kind}：{text}" for kind, text in KINDS.items()]
    lines.append("")
    header = ["| 字段 | 含义 | 类型 | 单位 | 样例值 |", "|---|---|---|---|---|"]

    def table(selected: list[FieldRow]) -> list[str]:
        out = list(header)
        for row in selected:
            cells = [_code(row.path), row.meaning, row.kind, row.unit, row.sample]
            out.append("| " + " | ".join(_cell(c) for c in cells) + " |")
        return [*out, ""]

    top_level = [row for row in rows if row.path in context]
    lines += ["### 单个字段和文字列表", "", *table(top_level)]
    for top in context:
        below = [row for row in rows if row.path.startswith((f"{top}.", f"{top}["))]
        if not below:
            continue
        meaning = meaning_of(top) or Meaning("")
        lines += [f"### {top}", "", meaning.text, "", *table(below)]
    return lines


def guide_markdown(context: Mapping[str, Any]) -> str:
    lines = [
        "# 报告模板编写指南",
        "",
        "<!-- Generated by `python scripts/make_docs.py` from pipeline/make/template_guide.py, the filter registry "
        "(pipeline/render/filters.py), pipeline/template/settings.py and the context of inputs/2022.xlsx; "
        "do not edit by hand. -->",
        "",
        "本指南写给在 Word 或 WPS 中修改报告模板、不写程序的同事：怎样新建和检查模板，标签怎么写，"
        "有哪些字段和过滤器，template.toml 能设置什么，rules.toml 怎样计分。",
        "",
        *WORKFLOW,
        *EDITING,
        *filters_markdown(),
        *settings_markdown(),
        *rules_markdown(),
        *fields_markdown(context),
    ]
    return "\n".join(lines).rstrip("\n") + "\n"


def sample_context(root: Path) -> Mapping[str, Any]:
    """The context of the sample workbook under ``root``, as the default template sees it."""
    from ..context import build_context
    from ..session import load_derived

    derived, _ = load_derived(root / SAMPLE)
    return build_context(derived)


def _lines(text: str) -> list[str]:
    return [*text.strip("\n").split("\n"), ""]


WORKFLOW = _lines(
    """
## 工作流程

```sh
genreport template new 我的模板                  # 把默认模板复制到 templates/我的模板/（report.docx、rules.toml）
# 在 Word 或 WPS 中编辑 templates/我的模板/report.docx，保存为 .docx
genreport template check 我的模板                # 写错的字段和过滤器、不成对的标签、全角符号，逐条指出位置
genreport build 工作簿.xlsx -t 我的模板           # 用这个模板生成报告
genreport context 工作簿.xlsx                    # 打印模板能用的全部字段及其取值（JSON）
genreport template list                         # 列出能用的模板
```

- `genreport template new 乡镇 --from 另一个模板` 以另一个模板为起点。
- 工作簿“基本信息”表的“模板”一行可以写模板名，`genreport build 工作簿.xlsx` 就用它；命令行的 `-t` 优先。
- 模板文件夹中可以放 `rules.toml`（评分规则：分值、等级线、容差、各省的扣分和限分，见下文“rules.toml 评分规则”）
  和 `template.toml`（标题、用词、各段开关、数字格式等，见下文“template.toml 设置”）。
- 改了模板先 `template check`，再用样例或本单位的工作簿 `build` 一次，打开生成的报告看一遍。
"""
)

EDITING = _lines(
    """
## 在 Word 或 WPS 中编辑模板

### 标签

模板是普通的 Word 文档，其中的标签（[docxtpl](https://docxtpl.readthedocs.io/) 的写法）在生成时换成数据：

| 写法 | 作用 |
|---|---|
| `{{ unit.name }}` | 打印一个字段 |
| `{{ budget.actual.expense_total\\|money }}万元` | 打印并用过滤器排版（见“过滤器”） |
| `{% if assets.usage_rate is not none %}……{% endif %}` | 段落内：条件成立才打印中间的文字 |
| `{% for p in ta.parts %}{{ p.label }}{% if not loop.last %}，{% endif %}{% endfor %}` | 段落内：逐项打印 |
| `{%p for t in texts.problems %}` …… `{%p endfor %}` | 各占一段：重复两者之间的段落，每段一项 |
| `{%p if not major_projects %}` …… `{%p endif %}` | 各占一段：保留或删去两者之间的段落 |
| `{%tr for k in evaluation.kpis %}` …… `{%tr endfor %}` | 各占表格的一行：重复两者之间的行 |
| `{% vmerge k.first1 %}{{ k.level1 }}` | 写在单元格开头：与下面的单元格纵向合并，直到条件再次成立（genreport 的扩展） |
| `{% set a = budget.actual %}` | 给长字段起短名，之后写 `{{ a.project\\|money }}` |

- 带 `p`、`tr` 的标签所在的整段（整行）在报告中删去，其中别的文字也会一起消失：这样的段落只写标签。
- 自评表的指标行写了两遍：`{%tr if loop.last or not (…) %}` 之下的一行，其各单元格的段落设了“与下段同页”，
  `{%tr else %}` 之下的一行没有设。这样一组指标行不会被分页拆开（不超过 8 行的一级指标整组在一页，更长的按二级指标
  分组，每组重新合并并印出一级指标名），每页都印出本页指标的一级、二级指标名，总分行总与上面的指标同页。
  改动自评表的列时，两行一起改。
- 标签里的文字用英文引号：`{{ offices|join('、') }}`、`{{ n|cn_index('（一）') }}`；引号里可以是中文。
- 字段写错（如 `unti.name`）时，生成报告停止并指出字段名；`genreport template check` 在生成之前把所有分支都查一遍，
  包括这次数据没有走到的 `{% if %}` 分支。
- 要在报告中印出 `{{` 本身，写 `{_{`（`}_}`、`{_%`、`%_}` 同理）。

### 用中文输入法输入标签

标签中的 `{ } % ' " | ( ) ,` 必须是半角（英文）符号。中文输入法在中文标点状态下会把它们打成全角的
`｛ ｝ ％ ‘ ’ “ ” ｜ （ ） ，`，这样的标签不会被识别，会原样印在报告里。

- 输入标签时切换到英文（或半角标点）状态，或者先在记事本里写好再粘贴。
- Word 和 WPS 的“键入时自动套用格式”会把直引号 `'` 换成弯引号 `’`：在 Word 中“文件 › 选项 › 校对 ›
  自动更正选项 › 键入时自动套用格式”取消“直引号替换为弯引号”，WPS 的自动更正设置中有同样的选项；LibreOffice 在
  “工具 › 自动更正选项 › 本地化选项”中取消单引号和双引号的“替换”。
- `genreport template check 模板名` 会指出标签中的全角括号、全角百分号和弯引号。

### 一个标签保持同一种格式

Word 把格式不同的文字存成不同的“段”（run）：一个标签中间改了字体、字号、加粗或颜色，标签就被拆开。
genreport 生成时会把拆开的标签重新拼起来，但只保留标签第一个字符的格式，其余部分的格式丢弃。所以：

- 整个标签用同一种格式，并且就是数据打印出来应有的格式（例如金额要加粗，就把整个 `{{ …|money }}` 加粗）。
- 修订（跟踪更改）状态下修改的标签，保存前先“接受所有修订”。
- 模板保存为 Word 文档（.docx）；.doc、.wps、.odt 格式不能用。

### LibreOffice 保存后的标签（实测）

用 LibreOffice 打开默认模板再保存为 .docx，标签会被拆开吗、还能用吗？实测（LibreOffice 7.4.7.2）：

```sh
mkdir -p /tmp/lo && cp templates/default/report.docx /tmp/lo/report.docx
soffice --headless --convert-to docx --outdir /tmp/lo/saved /tmp/lo/report.docx  # 同 Writer 中另存为 .docx
genreport build inputs/2022.xlsx -t /tmp/lo/report.docx -o /tmp/lo/before
genreport build inputs/2022.xlsx -t /tmp/lo/saved/report.docx -o /tmp/lo/after
python -c "import docx, sys; t = lambda p: [x.text for x in docx.Document(p).paragraphs] + \\
  [c.text for tb in docx.Document(p).tables for r in tb.rows for c in r.cells]; \\
  print(t(sys.argv[1]) == t(sys.argv[2]))" /tmp/lo/before/2022.docx /tmp/lo/after/2022.docx
```

结果：

- **文字被拆成更多的段（run）。** 145 个含标签的段落中有 36 个被拆开（document.xml 中的 run 由 244 个增至 471 个，
  文件由 52 KB 增至 120 KB）：LibreOffice 在拉丁字母与汉字交界处断开。257 个标签中有 6 个被拆到几段里，
  都是标签中含汉字或全角字符的：`{{ offices|join('、') }}` 变成 `{{ offices|join('`、`、`、`') }}` 三段，
  `{% if income_change.word == '持平' %}` 和含全角空格 `'　　'` 的标签也是这样。
- **没有加入书签、域、拼写标记或智能标记；** 页脚的页码域、样式（Normal、Heading 1–3、Closing、Table Text 等）、
  字体、页边距、表格都保留。缩略图（docProps/thumbnail.jpeg）、word/stylesWithEffects.xml、word/webSettings.xml
  被删去，增加了 docProps/custom.xml；段落样式和表格边框被显式写出；标签中的 `'` 存为 `&apos;`（不影响）。
- **仍然可以生成报告，而且结果相同：** 两份报告的全部段落和表格单元格的文字完全一致（上面的命令打印 True），
  样式、页面设置和表格也相同，因为 genreport 生成前会把拆开的标签拼回去。

结论：在 LibreOffice Writer 中编辑并保存为 .docx 的模板可以使用。被拆开的标签只保留第一段的格式，
所以标签中含汉字时，整个标签保持同一种格式即可。
"""
)
