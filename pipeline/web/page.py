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

import jinja2
import markupsafe
from jinja2.sandbox import SandboxedEnvironment
from starlette.responses import HTMLResponse

from ..render.formats import FORMATS
from .public import public

_CSS = """
body { font-family: "Noto Sans CJK SC", "Microsoft YaHei", "PingFang SC", sans-serif; margin: 0; color: #222;
  background: #f6f7f9; font-size: 15px; line-height: 1.6; }
header { background: #1f4e79; color: #fff; padding: 12px 24px; }
header h1 { margin: 0; font-size: 20px; font-weight: normal; }
main { max-width: 1100px; margin: 0 auto; padding: 8px 24px 24px; }
section { background: #fff; border: 1px solid #dde; border-radius: 6px; padding: 8px 18px 14px; margin: 14px 0; }
h2 { font-size: 17px; margin: 6px 0; color: #1f4e79; }
form { margin: 8px 0; }
label { margin-right: 12px; }
button { margin: 4px 6px 4px 0; padding: 4px 12px; font-size: 14px; cursor: pointer; }
button.main { background: #1f4e79; color: #fff; border: 1px solid #1f4e79; border-radius: 3px; }
.hint { color: #666; font-size: 13px; }
iframe.result { width: 100%; height: 75vh; border: 1px solid #ccd; background: #fff; }
table.findings { border-collapse: collapse; width: 100%; margin: 8px 0; }
table.findings th, table.findings td { border: 1px solid #ccd; padding: 3px 6px; text-align: left;
  vertical-align: top; }
table.findings th { background: #eef2f7; }
table.findings td.at { white-space: nowrap; }
tr.error td.level { color: #b00020; font-weight: bold; }
tr.warning td.level { color: #8a5a00; }
iframe.preview { width: 100%; height: 70vh; border: 1px solid #ccd; }
p.error { color: #b00020; }
pre { white-space: pre-wrap; background: #f4f4f4; padding: 10px; border-radius: 4px; }
"""

_LAYOUT = """<!DOCTYPE html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
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
  <label>上年的工作簿 <input type="file" name="workbook" accept=".xlsx,.xlsm" required></label>
  <button type="submit">由上年工作簿生成本年填报表</button>
  <div class="hint">沿用上年的基本信息、职责、机构、编制和指标；上年全年执行数转为上年决算数，
  本年数字和文字清空待填。</div>
</form>
</section>
<section>
<h2>② 上传填好的工作簿，检查并生成报告</h2>
<form method="post" action="check" enctype="multipart/form-data" target="result">
  <label>工作簿 <input type="file" name="workbook" accept=".xlsx,.xlsm" required></label>
  <label>模板 {{ template_select("template", templates, with_auto=True) }}</label>
  <div>
    <button type="submit" class="main" formaction="check" id="check">检查并预览</button>
    {% for value, text in formats %}
    <button type="submit" formaction="report" name="format" value="{{ value }}">下载{{ text }}</button>
    {% endfor %}
  </div>
  <div class="hint">文件只在处理本次请求时暂存，处理完即删除；单个文件不超过 {{ max_mb }} MB。</div>
</form>
<iframe class="result" name="result" title="检查结果与报告预览" srcdoc="{{ placeholder }}"></iframe>
</section>
</main>
{% endblock %}
"""

_TEMPLATE_SELECT = """{% macro template_select(name, templates, with_auto) -%}
<select name="{{ name }}">
{% if with_auto %}<option value="">按工作簿“基本信息”中的模板（未写则 default）</option>{% endif %}
{% for t in templates %}<option value="{{ t }}">{{ t }}</option>{% endfor %}
</select>
{%- endmacro %}"""

_RESULT = """{% extends "layout" %}
{% block body %}
<main>
<h2>“{{ name }}”：{{ errors }} 个错误，{{ warnings }} 个警告</h2>
{% if rows %}
<table class="findings">
<thead><tr><th>工作表</th><th>单元格</th><th>级别</th><th>问题</th><th>代码</th></tr></thead>
<tbody>
{% for row in rows %}
<tr class="{{ row.severity }}"><td class="at">{{ row.sheet }}</td><td class="at">{{ row.cell }}</td>
<td class="level at">{{ row.level }}</td>
<td>{{ row.message }}</td>
<td class="at"><a href="explain/{{ row.code }}" target="_blank" rel="noopener">{{ row.code }}</a></td></tr>
{% endfor %}
</tbody>
</table>
{% else %}
<p>没有发现问题。</p>
{% endif %}
{% if preview %}
<h2>报告预览{% if template %}（{{ template }} 模板）{% endif %}</h2>
<iframe class="preview" title="报告预览" sandbox srcdoc="{{ preview }}"></iframe>
{% elif problem %}
<p class="error">{{ problem }}</p>
{% endif %}
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

_PLACEHOLDER = (
    '<p style="font-family: sans-serif; color: #666; padding: 8px">'
    "选择工作簿后点“检查并预览”：问题清单和报告预览显示在这里。</p>"
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
            {"layout": _LAYOUT, "home": _TEMPLATE_SELECT + _HOME, "result": _RESULT, "explain": _EXPLAIN}
            | {"message": _MESSAGE}
        ),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
    )
    env.globals["css"] = markupsafe.Markup(_CSS)  # our own constant stylesheet, not user text
    return env


_ENV = _environment()


def render(template_name: str, **values: Any) -> str:
    return _ENV.get_template(template_name).render(**values)


def home_page(templates: Sequence[str], year: int, max_mb: int) -> HTMLResponse:
    html = render(
        "home",
        title="部门整体支出绩效自评报告 · 生成",
        templates=templates,
        year=year,
        max_mb=max_mb,
        formats=[(f.name, f.menu) for f in FORMATS.values()],
        placeholder=_PLACEHOLDER,
    )
    return HTMLResponse(html)


def result_page(
    name: str,
    rows: Sequence[Row],
    preview: str | None,
    problem: str | None,
    template: str | None,
    status: int = 200,
) -> HTMLResponse:
    html = render(
        "result",
        title=f"检查结果：{name}",
        name=name,
        rows=[replace(r, message=public(r.message)) for r in rows],
        errors=sum(r.severity == "error" for r in rows),
        warnings=sum(r.severity == "warning" for r in rows),
        preview=preview,
        problem=public(problem) if problem is not None else None,
        template=template,
    )
    return HTMLResponse(html, status_code=status)


def explain_page(code: str, heading: str, text: str) -> HTMLResponse:
    return HTMLResponse(render("explain", title=f"问题代码 {code}", code=code, heading=heading, text=text))


def message_page(heading: str, text: str, status: int, details: Sequence[str] = (), home: str = "/") -> HTMLResponse:
    shown = [public(line) for line in details]
    html = render("message", title=heading, heading=heading, text=public(text), details=shown, home=home)
    return HTMLResponse(html, status_code=status)
