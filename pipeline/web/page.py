"""The page's HTML: Jinja templates with autoescape (a sheet name or a message may hold ``<&"``), no script.

The page works with forms alone: the buttons that check or build post the chosen file into the result frame, so the
file stays chosen on the page for the next button; a download answers with an attachment, which leaves the page as
it was. The report preview is the self-contained HTML of ``--format html``, shown in a sandboxed frame of its own so
that its stylesheet cannot touch the page.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any
from urllib.parse import quote

import jinja2
import markupsafe
from jinja2.sandbox import SandboxedEnvironment
from starlette.responses import HTMLResponse, Response

from .public import public
from .uploads import WORKBOOK_SUFFIXES

_CSS = """
body { font-family: "Noto Sans CJK SC", "Microsoft YaHei", "PingFang SC", sans-serif; margin: 0; color: #222;
  background: #f6f7f9; font-size: 15px; line-height: 1.6; overflow-wrap: anywhere; }
header { background: #1f4e79; color: #fff; padding: 12px 24px; }
header h1 { margin: 0; font-size: 20px; font-weight: normal; }
main { max-width: 1100px; margin: 0 auto; padding: 8px 24px 24px; }
section { background: #fff; border: 1px solid #dde; border-radius: 6px; padding: 8px 18px 14px; margin: 14px 0; }
h2 { font-size: 17px; margin: 6px 0; color: #1f4e79; }
form { margin: 8px 0; }
label { margin-right: 12px; display: inline-block; max-width: 100%; }
select, input { max-width: 100%; box-sizing: border-box; font-size: 14px; }
button { margin: 4px 6px 4px 0; padding: 4px 12px; font-size: 14px; cursor: pointer; }
button.main, a.button { background: #1f4e79; color: #fff; border: 1px solid #1f4e79; border-radius: 3px; }
a.button, a.format { display: inline-block; margin: 2px 6px 2px 0; padding: 2px 10px; text-decoration: none; }
a.format { border: 1px solid #1f4e79; border-radius: 3px; color: #1f4e79; background: #fff; }
.hint { color: #666; font-size: 13px; }
iframe.result { width: 100%; height: 75vh; border: 1px solid #ccd; background: #fff; box-sizing: border-box; }
.scroll { max-width: 100%; overflow-x: auto; }
table.findings { border-collapse: collapse; width: 100%; margin: 8px 0; }
table.findings th, table.findings td { border: 1px solid #ccd; padding: 3px 6px; text-align: left;
  vertical-align: top; }
table.findings th { background: #eef2f7; white-space: nowrap; }
table.findings td.at { white-space: nowrap; }
tr.error td.level { color: #b00020; font-weight: bold; }
tr.warning td.level { color: #8a5a00; }
td.failed { color: #b00020; }
iframe.preview { width: 100%; height: 70vh; border: 1px solid #ccd; box-sizing: border-box; }
iframe.fetch { position: sticky; bottom: 0; width: 100%; height: 4em; border: 1px solid #e6d9a8;
  background: #fffbe6; box-sizing: border-box; }
p.error { color: #b00020; }
pre { white-space: pre-wrap; background: #f4f4f4; padding: 10px; border-radius: 4px; }
.waiting { font-size: 16px; color: #1f4e79; margin: 6px 0; }
.spinner { display: inline-block; width: 0.9em; height: 0.9em; margin-right: 8px; vertical-align: -0.1em;
  border: 3px solid #ccd; border-top-color: #1f4e79; border-radius: 50%; animation: spin 0.9s linear infinite; }
@keyframes spin { to { transform: rotate(360deg); } }
details { margin: 6px 0; }
summary { cursor: pointer; color: #1f4e79; }
@media (max-width: 600px) {
  header { padding: 10px 12px; }
  header h1 { font-size: 17px; }
  main { padding: 4px 8px 16px; }
  section { padding: 6px 10px 10px; }
  select { width: 100%; }
  table.findings td.at { white-space: normal; }
}
"""

_LAYOUT = """<!DOCTYPE html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
{% if refresh %}<meta http-equiv="refresh" content="{{ refresh }}">{% endif %}
<title>{{ title }}</title>
<style>{{ css }}</style>
</head>
<body>
{% block body %}{% endblock %}
</body>
</html>
"""

_HOME = """{% extends "layout" %}
{% block body %}
<header><h1>部门整体支出绩效自评报告 · 生成</h1></header>
<main>
<section>
<h2>① 准备工作簿</h2>
<form method="get" action="blank">
  <label>模板 {{ template_select("template", templates, with_auto=False) }}</label>
  <label>报告年度 <input type="number" name="year" min="1990" max="2100" value="{{ year }}" required></label>
  <button type="submit" class="main">下载空白填报表</button>
</form>
<form method="post" action="rollover" enctype="multipart/form-data">
  <label>上年的工作簿 <input type="file" name="workbook" accept="{{ accept }}" required></label>
  <button type="submit">由上年工作簿生成本年填报表</button>
  <div class="hint">沿用上年的基本信息、职责、机构、编制和指标；上年全年执行数转为上年决算数，{#-
  #}本年数字和文字清空待填。</div>
</form>
</section>
<section>
<h2>② 上传填好的工作簿，检查并生成报告</h2>
<form method="post" action="check" enctype="multipart/form-data" target="result">
  <input type="hidden" name="wait" value="1">
  <label>工作簿 <input type="file" name="workbook" accept="{{ accept }}" multiple required></label>
  <label>模板 {{ template_select("template", templates, with_auto=True) }}</label>
  <div><button type="submit" class="main" id="check">检查并生成报告</button></div>
  {% if templates|selectattr("description")|list %}<details class="hint"><summary>各模板的用途</summary>
  {% for t in templates if t.description %}<div><b>{{ t.label }}</b>：{{ t.description }}</div>{% endfor %}
  </details>{% endif %}
  <div class="hint">可一次选择多个工作簿（至多 {{ max_files }} 个，合计不超过 {{ max_mb }} MB），{#-
  #}得到每个单位的问题清单、汇总表和全部报告的压缩包。{#-
  #}检查结果和生成的报告在服务器上保留 {{ keep_minutes }} 分钟，到时自动删除。</div>
</form>
<iframe class="result" name="result" title="检查结果与报告预览" srcdoc="{{ placeholder }}"></iframe>
</section>
</main>
{% endblock %}
"""

_TEMPLATE_SELECT = """{% macro template_select(name, templates, with_auto) -%}
<select name="{{ name }}">
{% if with_auto %}<option value="">按工作簿“基本信息”中的模板（未写则默认模板）</option>{% endif %}
{% for t in templates %}<option value="{{ t.name }}"
{%- if t.description %} title="{{ t.description }}"{% endif %}>{{ t.label }}</option>{% endfor %}
</select>
{%- endmacro %}"""

_FINDINGS = """{% macro findings(rows, root) -%}
<div class="scroll">
<table class="findings">
<thead><tr><th>工作表</th><th>单元格</th><th>级别</th><th>问题</th><th>代码</th></tr></thead>
<tbody>
{% for row in rows %}
<tr class="{{ row.severity }}"><td class="at">{{ row.sheet }}</td><td class="at">{{ row.cell }}</td>
<td class="level at">{{ row.level }}</td>
<td>{{ row.message }}</td>
<td class="at"><a href="{{ root }}explain/{{ row.code }}" target="_blank" rel="noopener">{{ row.code }}</a></td></tr>
{% endfor %}
</tbody>
</table>
</div>
{%- endmacro %}
{% macro downloads(files) -%}
{% for f in files %}<a class="format" href="{{ f.href }}"
{%- if f.target %} target="{{ f.target }}"{% else %} download{% endif %}>下载{{ f.label }}</a>{% endfor %}
{%- endmacro %}"""

_RESULT = """{% extends "layout" %}
{% block body %}
<main>
{% if items|length > 1 %}
<h2>共 {{ items|length }} 个工作簿：{{ built }} 个已生成报告，{{ items|length - built }} 个未生成</h2>
<p>{% for f in batch %}<a class="button" href="{{ f.href }}" download>下载{{ f.label }}</a>{% endfor %}</p>
<div class="scroll">
<table class="findings">
<thead><tr><th>工作簿</th><th>状态</th><th>错误</th><th>警告</th></tr></thead>
<tbody>
{% for item in items %}
<tr><td><a href="#wb{{ loop.index }}">{{ item.name }}</a></td>
<td class="at{% if not item.files %} failed{% endif %}">{{ "已生成报告" if item.files else "未生成报告" }}</td>
<td>{{ item.errors }}</td><td>{{ item.warnings }}</td></tr>
{% endfor %}
</tbody>
</table>
</div>
{% endif %}
{% for item in items %}
<div class="workbook" id="wb{{ loop.index }}">
<h2>“{{ item.name }}”：{{ item.errors }} 个错误，{{ item.warnings }} 个警告</h2>
{% if item.files %}<p class="downloads">{{ downloads(item.files) }}</p>{% endif %}
{% if item.rows %}
{% if items|length > 1 %}<details{% if item.errors %} open{% endif %}>
<summary>问题清单（{{ item.rows|length }} 条）</summary>{% endif %}
{{ findings(item.rows, root) }}
{% if items|length > 1 %}</details>{% endif %}
{% elif not item.problem %}
<p>没有发现问题。</p>
{% endif %}
{% if item.preview and items|length == 1 %}
<h2>报告预览{% if template %}（模板：{{ template }}）{% endif %}</h2>
<iframe class="preview" title="报告预览" sandbox srcdoc="{{ item.preview }}"></iframe>
{% elif item.problem %}
<p class="error">{{ item.problem }}</p>
{% endif %}
</div>
{% endfor %}
{% if kept %}
<p class="hint">检查结果和生成的报告在服务器上保留到 {{ until }}（{{ keep_minutes }} 分钟），到时自动删除；{#-
#}之后请重新上传。</p>
<iframe class="fetch" name="fetch" title="下载状态" srcdoc="{{ fetch_placeholder }}"></iframe>
{% endif %}
</main>
{% endblock %}
"""

_WAITING = """{% extends "layout" %}
{% block body %}
<main>
<p class="waiting">{% if busy %}<span class="spinner"></span>{% endif %}{{ text }}</p>
{% if detail %}<p class="hint">{{ detail }}</p>{% endif %}
{% if link %}<p><a href="{{ link }}">{{ link_text }}</a></p>{% endif %}
</main>
{% endblock %}
"""

_EXPLAIN = """{% extends "layout" %}
{% block body %}
<header><h1>问题代码 {{ code }}</h1></header>
<main>
<section>
<h2>{{ heading }}</h2>
<pre>{{ text }}</pre>
<p><a href="../" target="_top">返回首页</a></p>
</section>
</main>
{% endblock %}
"""

_MESSAGE = """{% extends "layout" %}
{% block body %}
<main>
<h2>{{ heading }}</h2>
<p class="error">{{ text }}</p>
{% for line in details %}<p>{{ line }}</p>{% endfor %}
<p><a href="{{ home }}" target="_top">返回首页</a></p>
</main>
{% endblock %}
"""

_FETCH_PLACEHOLDER = (
    '<p style="font-family: sans-serif; font-size: 13px; color: #666; margin: 4px 8px">'
    "PDF 在第一次点击时生成（约需 5–10 秒），进度显示在这里。</p>"
)
_PLACEHOLDER = (
    '<p style="font-family: sans-serif; color: #666; padding: 8px">'
    "选择工作簿后点“检查并生成报告”：问题清单、报告预览和下载显示在这里。</p>"
)


@dataclass(frozen=True)
class Row:
    severity: str
    level: str
    sheet: str
    cell: str
    message: str
    code: str


def _environment() -> jinja2.Environment:
    env = SandboxedEnvironment(
        loader=jinja2.DictLoader(
            {"layout": _LAYOUT, "home": _TEMPLATE_SELECT + _HOME, "result": _FINDINGS + _RESULT, "explain": _EXPLAIN}
            | {"message": _MESSAGE, "waiting": _WAITING}
        ),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
    )
    env.globals["css"] = markupsafe.Markup(_CSS)  # our own constant stylesheet, not user text
    return env


_ENV = _environment()


@dataclass(frozen=True)
class Link:
    """A download on the result page; ``target`` names the frame it opens in (the PDF's progress), if any."""

    label: str
    href: str
    target: str = ""


@dataclass(frozen=True)
class Item:
    """One uploaded workbook on the result page."""

    name: str
    rows: Sequence[Row]
    preview: str | None = None
    problem: str | None = None
    files: Sequence[Link] = ()


@dataclass(frozen=True)
class Kept:
    """How long the upload's results stay on the server, and the downloads of the whole upload (汇总, zip)."""

    until: str
    minutes: int
    batch: Sequence[Link] = ()


def render(template_name: str, **values: Any) -> str:
    values.setdefault("refresh", None)
    return _ENV.get_template(template_name).render(**values)


def home_page(templates: Sequence[Any], year: int, max_mb: int, max_files: int, keep_minutes: int) -> HTMLResponse:
    """``templates``: each with ``name`` (what the form posts), ``label`` and ``description``."""
    html = render(
        "home",
        title="部门整体支出绩效自评报告 · 生成",
        templates=templates,
        year=year,
        max_mb=max_mb,
        max_files=max_files,
        keep_minutes=keep_minutes,
        accept=",".join(WORKBOOK_SUFFIXES),
        placeholder=_PLACEHOLDER,
    )
    return HTMLResponse(html)


def result_page(
    items: Sequence[Item], template: str | None, *, root: str = "", kept: Kept | None = None, status: int = 200
) -> HTMLResponse:
    """The findings of each workbook of an upload, its preview or why there is none, and its downloads; ``root``
    leads from the page's address back to the server's root (relative, as every link of the page)."""
    shown = [
        replace(
            item,
            rows=[replace(r, message=public(r.message)) for r in item.rows],
            problem=public(item.problem) if item.problem is not None else None,
        )
        for item in items
    ]
    html = render(
        "result",
        title=f"检查结果：{items[0].name}" if len(items) == 1 else f"检查结果：{len(items)} 个工作簿",
        items=[_counted(item) for item in shown],
        built=sum(bool(item.files) for item in items),
        template=template,
        root=root,
        kept=kept is not None,
        until=kept.until if kept else "",
        keep_minutes=kept.minutes if kept else 0,
        batch=kept.batch if kept else (),
        fetch_placeholder=_FETCH_PLACEHOLDER,
    )
    return HTMLResponse(html, status_code=status)


def _counted(item: Item) -> dict[str, Any]:
    errors = sum(r.severity == "error" for r in item.rows)
    return vars(item) | {"errors": errors, "warnings": len(item.rows) - errors}


def waiting_page(
    text: str, detail: str = "", refresh: str = "1", link: Link | None = None, busy: bool = True
) -> HTMLResponse:
    """A page that shows work under way (``busy``) and asks the browser to load it again after ``refresh``
    ("seconds" or "seconds;url=…", "" for never): the progress shows without any script."""
    html = render(
        "waiting",
        title=text,
        text=text,
        busy=busy,
        detail=detail,
        refresh=refresh,
        link=link.href if link else "",
        link_text=link.label if link else "",
    )
    return HTMLResponse(html)


def attachment(data: bytes, filename: str, media_type: str) -> Response:
    """A download: the file's name in ASCII for old browsers, in UTF-8 for the others."""
    fallback = "".join(c if c.isascii() and (c.isalnum() or c in "._-") else "_" for c in filename)
    disposition = f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(filename)}"
    return Response(data, media_type=media_type, headers={"Content-Disposition": disposition})


def refused(status: int, message: str) -> HTMLResponse:
    heading = "无法处理" if status < 500 else "暂不可用"
    return message_page(heading, message, status)


def explain_page(code: str, heading: str, text: str) -> HTMLResponse:
    return HTMLResponse(render("explain", title=f"问题代码 {code}", code=code, heading=heading, text=text))


def message_page(heading: str, text: str, status: int, details: Sequence[str] = (), home: str = "/") -> HTMLResponse:
    shown = [public(line) for line in details]
    html = render("message", title=heading, heading=heading, text=public(text), details=shown, home=home)
    return HTMLResponse(html, status_code=status)
