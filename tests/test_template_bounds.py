"""Issue 16 §2 and §3: templates are inputs too, and the 模板 cell is a name, never a path.

Each hostile template, template.toml, rules.toml and 模板 cell the issue lists ends in a Chinese message naming
the file and place, exit 1, no traceback, quickly and in little memory. Budgets are made small with parameters
or monkeypatch, so nothing here allocates much; the few real-size cases run in a child process whose peak
memory is read back (``RUSAGE_CHILDREN`` of a wrapper that runs nothing else).
"""

from __future__ import annotations

import functools
import io
import json
import os
import shutil
import struct
import subprocess
import sys
import time
import tracemalloc
import zipfile
from pathlib import Path
from typing import Any

import docx
import jinja2
import openpyxl
import pytest
from starlette.testclient import TestClient
from typer.testing import CliRunner, Result

from pipeline.cli import app
from pipeline.errors import TemplateProblem
from pipeline.model import schema
from pipeline.render import environment
from pipeline.render.limits import BoundedSandbox, RenderLimitExceeded, RenderLimits
from pipeline.template import document
from pipeline.template.check import tags
from pipeline.template.profile import resolve_profile, template_named
from pipeline.template.settings import format_title

from .conftest import ROOT, SAMPLE

runner = CliRunner()
DEFAULT = ROOT / "templates" / "default"
B10 = schema.form_cell(schema.BASIC, "template", "value")
MB = 2**20


def invoke(*args: str) -> Result:
    result = runner.invoke(app, list(args))
    output = result.stdout + result.stderr
    assert "Traceback" not in output and (result.exception is None or isinstance(result.exception, SystemExit)), (
        output,
        result.exception,
    )
    return result


def errors(result: Result) -> list[str]:
    return [line for line in (result.stdout + result.stderr).splitlines() if line.startswith("错误")]


def word(name: str, *paragraphs: str) -> Path:
    document_ = docx.Document()
    for text in paragraphs:
        document_.add_paragraph(text)
    document_.save(name)
    return Path(name)


def template_folder(name: str, *, toml: str | None = None, rules: str | None = None) -> Path:
    folder = Path("templates") / name
    folder.mkdir(parents=True)
    shutil.copy(DEFAULT / "report.docx", folder / "report.docx")
    if toml is not None:
        (folder / "template.toml").write_text(toml, encoding="utf-8")
    if rules is not None:
        (folder / "rules.toml").write_text(rules, encoding="utf-8")
    return folder


def peak_of_child(*args: str, timeout: float = 60) -> tuple[int, str, float, float]:
    """Run ``genreport ARGS`` in a child of a fresh wrapper process: exit code, output, seconds, peak MB."""
    wrapper = (
        "import json, resource, subprocess, sys, time\n"
        "t = time.monotonic()\n"
        "p = subprocess.run(sys.argv[1:], capture_output=True, text=True)\n"
        "print(json.dumps([p.returncode, p.stdout + p.stderr, time.monotonic() - t,"
        " resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024]))\n"
    )
    command = [sys.executable, "-c", wrapper, sys.executable, "-m", "pipeline", *args]
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    done = subprocess.run(command, capture_output=True, text=True, timeout=timeout, env=env, check=True)
    code, output, seconds, peak = json.loads(done.stdout)
    return code, output, seconds, peak


# ---------------------------------------------------------------- §2 a render's memory, across operations

SMALL_MEMORY = RenderLimits(max_memory=4 * MB, max_iterations=10**7, max_length=10**6)
OUT_OF_MEMORY = "模板渲染中生成和保存的数据超过内存上限（每次渲染共 4 MB），已停止；请检查模板中不断追加数据的循环（如 append、~ 或 + 的累积）"
LOOP = "{% for i in range(1000000) %}BODY{% endfor %}"
BIG_INT = "{% set s = '9' * 4000 %}"  # s|int is a 1.7 KB number that no operator made


@pytest.mark.parametrize(
    "source",
    [
        pytest.param("{% set l = [] %}" + LOOP.replace("BODY", "{% do l.append('x' * 99999) %}"), id="append"),
        pytest.param(BIG_INT + "{% set l = [] %}" + LOOP.replace("BODY", "{% do l.append(s|int) %}"), id="int"),
        pytest.param(
            BIG_INT + "{% set ns = namespace(l=[]) %}" + LOOP.replace("BODY", "{% set ns.l = ns.l + [s|int] %}"),
            id="plus",
        ),
        pytest.param(
            BIG_INT + "{% set l = [] %}" + LOOP.replace("BODY", "{% do l.append([s|int, s|int, s|int]) %}"),
            id="literal",
        ),
        pytest.param(
            BIG_INT
            + "{% set l = [] %}"
            + LOOP.replace("BODY", "{% set n = namespace() %}{% do l.append(n) %}{% set n.a = s|int %}"),
            id="namespace",
        ),
        pytest.param(
            "{% set big = 'x' * 99999 %}{% set l = [] %}" + LOOP.replace("BODY", "{% do l.append(big[1:]) %}"),
            id="slice",
        ),
        pytest.param(
            "{% set big = 'x ' * 50000 %}{% set l = [] %}" + LOOP.replace("BODY", "{% do l.append(big.split()) %}"),
            id="split",
        ),
        pytest.param(
            "{% set d = {} %}{% for i in range(1000) %}{% do d.update({i: i}) %}{% endfor %}{% set l = [] %}"
            + LOOP.replace("BODY", "{% do l.append(d|dictsort) %}"),
            id="dictsort",
        ),
        pytest.param(
            BIG_INT + "{% set l = [] %}" + LOOP.replace("BODY", "{% do l.append(dict(a=s|int, b=s|int)) %}"),
            id="dict",
        ),
        pytest.param(
            "{% set l = [] %}" + LOOP.replace("BODY", "{% set t %}{{ 'y' * 99999 }}{% endset %}{% do l.append(t) %}"),
            id="captured",
        ),
        pytest.param("{% set l = [] %}" + LOOP.replace("BODY", "{% do l.append([1, 2]|map('string')) %}"), id="gen"),
        pytest.param(
            "{% set ns = namespace(s='') %}" + LOOP.replace("BODY", "{% set ns.s = ns.s ~ 'abcdefghij' %}"),
            id="tilde",
        ),
    ],
)
def test_what_a_render_accumulates_is_charged_to_one_budget(source: str) -> None:
    env = BoundedSandbox(
        autoescape=True, undefined=jinja2.StrictUndefined, limits=SMALL_MEMORY, extensions=["jinja2.ext.do"]
    )
    tracemalloc.start()
    started = time.monotonic()
    try:
        with pytest.raises(RenderLimitExceeded) as caught:
            env.from_string(source).render()
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert caught.value.kind == "memory" and caught.value.message == OUT_OF_MEMORY
    assert peak < 12 * MB  # the budget, plus the one value being made when it ran out
    assert time.monotonic() - started < 10


def test_an_ordinary_report_uses_a_sliver_of_the_budget(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(environment, "RenderLimits", functools.partial(RenderLimits, max_memory=MB))
    shutil.copy(SAMPLE, "2022.xlsx")
    result = invoke("build", "2022.xlsx", "-o", "out")
    assert result.exit_code == 0 and Path("out/2022.docx").is_file()


def test_an_accumulating_template_stops_the_build_naming_it(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(environment, "RenderLimits", functools.partial(RenderLimits, max_memory=4 * MB))
    shutil.copy(SAMPLE, "2022.xlsx")
    word("append.docx", "{% set l = [] %}{% for i in range(100000) %}{% set _ = l.append('x' * 9999999) %}{% endfor %}")
    result = invoke("build", "2022.xlsx", "-t", "append.docx", "-o", "out")
    assert result.exit_code == 1
    assert errors(result) == [f"错误：append.docx：{OUT_OF_MEMORY}"]
    assert not Path("out/2022.docx").exists()


def test_the_reproduction_at_full_size_ends_in_seconds_and_well_under_512_mb() -> None:
    """The issue's l.append('x'*9999999) reached 4 GiB in 31 s; with the default budget it is refused."""
    shutil.copy(SAMPLE, "2022.xlsx")
    word("append.docx", "{% set l = [] %}{% for i in range(100000) %}{% set _ = l.append('x' * 9999999) %}{% endfor %}")
    code, output, seconds, peak = peak_of_child("build", "2022.xlsx", "-t", "append.docx", "-o", "out")
    assert code == 1 and "Traceback" not in output
    assert "错误：append.docx：模板渲染中生成和保存的数据超过内存上限（每次渲染共 256 MB）" in output
    assert seconds < 10 and peak < 512


# ---------------------------------------------------------------- §2 the package's size


def with_member(source: Path, name: str, member: str, data: bytes, method: int = zipfile.ZIP_DEFLATED) -> Path:
    """A copy of the Word file ``source`` with one more member."""
    target = Path(name)
    shutil.copy(source, target)
    with zipfile.ZipFile(target, "a", method) as package:
        package.writestr(member, data)
    return target


def test_a_hidden_image_is_refused_while_inflating(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(document, "MAX_UNPACKED", 4 * MB)
    hidden = with_member(DEFAULT / "report.docx", "hidden.docx", "word/media/image99.png", b"\0" * (8 * MB))
    assert hidden.stat().st_size < 200_000
    result = invoke("template", "check", str(hidden))
    assert result.exit_code == 1
    assert errors(result) == [
        "错误：hidden.docx：模板解压后超过 4 MB，远超 Word 模板的正常大小，已拒绝读取（可能是损坏或恶意文件）"
    ]
    shutil.copy(SAMPLE, "2022.xlsx")
    built = invoke("build", "2022.xlsx", "-t", str(hidden), "-o", "out")
    assert built.exit_code == 1 and errors(built) == errors(result)


def test_a_zip_header_that_understates_a_member_is_not_believed() -> None:
    """The central directory says 1,000 bytes; the member inflates to 8 MB: refused after 1,000, never held."""
    packed = io.BytesIO(
        with_member(DEFAULT / "report.docx", "lying.docx", "word/media/a.png", b"\0" * (8 * MB)).read_bytes()
    )
    data = bytearray(packed.getvalue())
    entry = data.rfind(b"PK\x01\x02")  # the last central directory entry: the member just added
    assert data[entry + 46 : entry + 46 + 16] == b"word/media/a.png"
    data[entry + 24 : entry + 28] = struct.pack("<I", 1000)  # its uncompressed size
    Path("lying.docx").write_bytes(bytes(data))
    result = invoke("template", "check", "lying.docx")
    assert result.exit_code == 1
    [line] = errors(result)
    assert line.startswith("错误：lying.docx：不是可用的 Word 模板（BadZipFile")
    tracemalloc.start()
    try:
        with pytest.raises(TemplateProblem):
            document.check_package(bytes(data), "lying.docx")
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < len(data) + 4 * MB  # the package and a chunk or two, never the 8 MB


def test_one_xml_part_over_its_cap_is_named(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(document, "MAX_XML_PART", MB)
    padded = with_member(DEFAULT / "report.docx", "padded.docx", "word/extra.xml", b"<a>" + b" " * (2 * MB) + b"</a>")
    result = invoke("template", "check", str(padded))
    assert result.exit_code == 1
    assert errors(result) == [
        "错误：padded.docx：模板中的 word/extra.xml 解压后超过 1 MB，远超 Word 模板的正常大小，已拒绝读取（可能是损坏或恶意文件）"
    ]


def test_a_file_too_big_to_be_a_template_is_not_read(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(document, "MAX_FILE", MB)
    big = with_member(
        DEFAULT / "report.docx", "big.docx", "word/media/noise.bin", os.urandom(MB + 1), zipfile.ZIP_STORED
    )
    message = "错误：big.docx：模板文件超过 1 MB，远超 Word 模板的正常大小，已拒绝读取（可能是损坏或恶意文件）"
    result = invoke("template", "check", str(big))
    assert result.exit_code == 1 and errors(result) == [message]
    shutil.copy(SAMPLE, "2022.xlsx")
    built = invoke("build", "2022.xlsx", "-t", str(big), "-o", "out")  # the renderer reads through the same cap
    assert built.exit_code == 1 and errors(built) == [message]


def test_a_140_mb_image_in_a_small_file_costs_little_at_full_size() -> None:
    """The issue's 3 MB template hiding a 3 GB image took 3.1 GB in template check; 140 MB of zeros is enough to
    pass the default 128 MB cap."""
    hidden = Path("hidden.docx")
    shutil.copy(DEFAULT / "report.docx", hidden)
    with zipfile.ZipFile(hidden, "a", zipfile.ZIP_DEFLATED) as package, package.open("word/media/x.png", "w") as out:
        for _ in range(140):
            out.write(b"\0" * MB)
    code, output, seconds, peak = peak_of_child("template", "check", "hidden.docx")
    assert code == 1 and "Traceback" not in output
    assert "错误：hidden.docx：模板解压后超过 128 MB" in output
    assert seconds < 10 and peak < 256


# ---------------------------------------------------------------- §2 template.toml: the title and nesting


@pytest.mark.parametrize(
    ("title", "placeholder"),
    [
        ("{year:>999999999}年度报告", "{year:>999999999} 不可用"),
        ("{unit.__class__.__mro__}", "{unit.__class__.__mro__} 不可用"),
        ("{year.nonexistent}年", "{year.nonexistent} 不可用"),
        ("{unit[0]}", "{unit[0]} 不可用"),
        ("{year!r}", "{year!r} 不可用"),
        ("{0}年", "{0} 不可用"),
        ("{年度}报告", "{年度} 不可用"),
        ("{year年度报告", "花括号不配对"),
        ("year}年度报告", "花括号不配对"),
    ],
)
def test_a_title_placeholder_is_a_bare_name(title: str, placeholder: str) -> None:
    template_folder("t", toml=f"[report]\ntitle = {json.dumps(title, ensure_ascii=False)}\n")
    started = time.monotonic()
    result = invoke("template", "check", "t")
    assert time.monotonic() - started < 10
    assert result.exit_code == 1
    [line] = errors(result)
    assert line.startswith(
        "错误：templates/t/template.toml：report.title 中的占位符只能是 {year}、{unit}、{short_name}（"
    )
    assert placeholder in line


def test_the_title_is_filled_with_bare_names_only() -> None:
    assert format_title("{year}年度{short_name}（{unit}）{{注}}", year=2022, unit="某局", short_name="某") == (
        "2022年度某（某局）{注}"
    )
    with pytest.raises(TemplateProblem, match="不可用"):  # a title set without load_settings is held too
        format_title("{unit.__class__}", year=2022, unit="某局", short_name="某")


def test_a_long_title_is_refused() -> None:
    template_folder("t", toml=f'[report]\ntitle = "{"年" * 201}"\n')
    with pytest.raises(TemplateProblem, match=r"report\.title 超过 200 个字符"):
        resolve_profile("t")


@pytest.mark.parametrize(
    ("toml", "message"),
    [
        ("a = " + "[" * 5000 + "]" * 5000 + "\n", "模板设置中的数组或表嵌套过深，无法读取"),
        ("a = " + "{b = " * 3000 + "1" + "}" * 3000 + "\n", "模板设置中的数组或表嵌套过深，无法读取"),
        ("[" + ".".join(["a"] * 3000) + "]\nb = 1\n", "模板设置中的表嵌套过深，无法读取"),
        ("# " + "注" * 400_000 + "\n", "模板设置文件超过 1 MB，远超正常大小，已拒绝读取"),
        ("a = 1" + "0" * 5000 + "\n", "模板设置中有位数过多的数字，无法读取"),
    ],
    ids=["arrays", "inline-tables", "headers", "size", "digits"],
)
def test_template_toml_that_python_cannot_parse_is_a_message(toml: str, message: str) -> None:
    template_folder("t", toml=toml)
    result = invoke("template", "check", "t")
    assert result.exit_code == 1
    assert errors(result) == [f"错误：templates/t/template.toml：{message}"]


# ---------------------------------------------------------------- §2 rules.toml numbers

RULES = (DEFAULT / "rules.toml").read_text(encoding="utf-8")


@pytest.mark.parametrize(
    ("tolerance", "shown"),
    [
        ('"NaN"', "'NaN'"),
        ("nan", "nan"),
        ("inf", "inf"),
        ("1e999999999", "inf"),
        ('"1e999999999"', "'1e999999999'"),
        ('"-Infinity"', "'-Infinity'"),
        ('"-0.01"', "'-0.01'"),
        ('"0.0000001"', "'0.0000001'"),
        ("true", "True"),
        ('"一分"', "'一分'"),
    ],
)
def test_rules_numbers_are_finite_and_sane(tolerance: str, shown: str) -> None:
    template_folder("t", rules=RULES.replace('tolerance = "0.01"', f"tolerance = {tolerance}"))
    result = invoke("template", "check", "t")
    assert result.exit_code == 1
    assert errors(result) == [
        f"错误：templates/t/rules.toml：评分规则 checks.tolerance 应为 0 到 1000000 之间、最多 6 位小数的数，实际为 {shown}"
    ]


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (lambda r: r.replace('min = "60"', 'min = "1e999999999"'), "评分规则 grades.min 应为 0 到 1000000"),
        (
            lambda r: r.replace('"满意度指标" = "10"', '"满意度指标" = "NaN"'),
            "评分规则 scoring.level_points.满意度指标 应为",
        ),
        (lambda r: r + "x = " + "[" * 5000 + "]" * 5000 + "\n", "评分规则中的数组或表嵌套过深，无法读取"),
        (lambda r: r.replace("[checks]", "checks = 1\n[other]"), "评分规则的结构不对"),
        (lambda r: r.replace('name = "优"', 'name = ""'), "评分规则 grades 中的名称应为不超过 40 个字的文字"),
    ],
    ids=["grade", "level", "nesting", "structure", "name"],
)
def test_every_rules_mistake_is_located(edit: Any, message: str) -> None:
    template_folder("t", rules=edit(RULES))
    result = invoke("template", "check", "t")
    assert result.exit_code == 1
    [line] = errors(result)
    assert line.startswith("错误：templates/t/rules.toml：") and message in line


# ---------------------------------------------------------------- §2 nesting Jinja's parser cannot take

TOO_DEEP = "标签嵌套过深或表达式过长"


@pytest.mark.parametrize(
    ("paragraphs", "message"),
    [
        (
            ["{{ " + "(" * 80 + "year" + ")" * 80 + " }}"],
            "第1段「…(((((((((((((year)))))))))))))…」：标签嵌套过深或表达式过长：{{ (((((((((((((((((((((((((((((((((((((… "
            "中的括号嵌套了 80 层（最多 16 层）",
        ),
        (
            ["{% if year %}"] * 3000 + ["有"] + ["{% endif %}"] * 3000,
            "第17段「{% if year %}」：标签嵌套过深或表达式过长：{% if year %} 处 {% if %}、{% for %} 等已嵌套 17 层"
            "（最多 16 层）；请用 {% elif %} 或 {% set %} 减少嵌套",
        ),
        (
            ["{{ year" + "|upper|lower" * 20000 + " }}"],
            "第1段「…lower|upper|lower|upper|lower|…」：标签嵌套过深或表达式过长：{{ year|upper|lower|upper|lower|upper|lo… "
            "中有 40000 个过滤器或运算符（最多 100 个）；请用几个 {% set %} 分步计算",
        ),
        (
            ["{{ year" + " + year" * 1000 + " }}"],
            "第1段「…ear + year + year + year + yea…」：标签嵌套过深或表达式过长：{{ year + year + year + year + year + ye… "
            "中有 1000 个过滤器或运算符（最多 100 个）；请用几个 {% set %} 分步计算",
        ),
    ],
    ids=["parentheses", "nested-if", "filters", "operators"],
)
def test_deep_nesting_is_a_located_message_in_check_and_build(paragraphs: list[str], message: str) -> None:
    path = word("deep.docx", *paragraphs)
    started = time.monotonic()
    result = invoke("template", "check", str(path))
    assert result.exit_code == 1 and errors(result) == [f"错误：deep.docx：{message}"]
    shutil.copy(SAMPLE, "2022.xlsx")
    built = invoke("build", "2022.xlsx", "-t", str(path), "-o", "out")
    assert built.exit_code == 1 and errors(built) == errors(result)
    assert time.monotonic() - started < 20


def test_a_recursion_the_tag_limits_miss_is_still_a_message(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(tags, "MAX_BRACKETS", 10**6)
    path = word("deep.docx", "一、概况", "{{ " + "(" * 400 + "year" + ")" * 400 + " }}")
    result = invoke("template", "check", str(path))
    assert result.exit_code == 1
    assert errors(result) == [
        f"错误：deep.docx：正文：{TOO_DEEP}，无法解析；请拆分过长、过深的表达式和嵌套的 {{% if %}}、{{% for %}}"
    ]


def test_nesting_up_to_the_limits_checks_and_renders() -> None:
    depth, operators = tags.MAX_BLOCKS, tags.MAX_OPERATORS
    expression = "(" * tags.MAX_BRACKETS + "year" + ")" * tags.MAX_BRACKETS + " + year" * (operators - 1)
    paragraphs = ["{% for a in [1] %}"] * depth + ["{{ " + expression + " }}"] + ["{% endfor %}"] * depth
    path = word("edge.docx", *paragraphs)
    result = invoke("template", "check", str(path))
    assert result.exit_code == 0, errors(result)
    shutil.copy(SAMPLE, "2022.xlsx")
    assert invoke("build", "2022.xlsx", "-t", str(path), "-o", "out").exit_code == 0


# ---------------------------------------------------------------- §3 the 模板 cell is a name, never a path


def naming(value: str, name: str = "named.xlsx") -> Path:
    wb = openpyxl.load_workbook(SAMPLE)
    wb[schema.BASIC.name][B10] = value
    wb.save(name)
    return Path(name)


def hostile_folder(tmp_path: Path) -> Path:
    """A template elsewhere on the disk: would it render, the report would say so."""
    folder = tmp_path / "elsewhere" / "hostile"
    folder.mkdir(parents=True)
    document_ = docx.Document()
    document_.add_paragraph("HOSTILE {{ year }}")
    document_.save(str(folder / "report.docx"))
    return folder


OFFERED = "可用的模板：default、township"


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("/etc", f"“/etc”是文件路径，不是模板名称：这一栏只填模板的名称；{OFFERED}"),
        ("/no/such/folder", f"“/no/such/folder”是文件路径，不是模板名称：这一栏只填模板的名称；{OFFERED}"),
        ("../templates/default", f"“../templates/default”是文件路径，不是模板名称：这一栏只填模板的名称；{OFFERED}"),
        ("templates\\default", f"“templates\\default”是文件路径，不是模板名称：这一栏只填模板的名称；{OFFERED}"),
        ("C:模板", f"“C:模板”是文件路径，不是模板名称：这一栏只填模板的名称；{OFFERED}"),
        ("..", f"“..”是文件路径，不是模板名称：这一栏只填模板的名称；{OFFERED}"),
        ("x" * 300, f"模板名称过长（300 个字符）：这一栏只填模板的名称；{OFFERED}"),
        ("我局", f"没有名为“我局”的模板；{OFFERED}"),
        ("templates", f"没有名为“templates”的模板；{OFFERED}"),
    ],
    ids=["etc", "missing", "dots", "backslash", "drive", "parent", "long", "unknown", "folder-here"],
)
def test_the_template_cell_is_a_name_among_the_offered_ones(value: str, message: str) -> None:
    Path("templates").mkdir()  # a folder of that name in the working folder is no template either
    workbook = naming(value)
    result = invoke("validate", str(workbook))
    assert result.exit_code == 1
    assert f"{B10} 错误 [E_TEMPLATE] {message}" in result.stdout
    shown = value if len(value) <= 30 else value[:30] + "…"
    assert "OSError" not in result.stdout and (shown in result.stdout or "过长" in message)


def test_a_folder_elsewhere_named_in_the_cell_is_never_rendered(tmp_path: Path) -> None:
    folder = hostile_folder(tmp_path)
    workbook = naming(str(folder))
    result = invoke("build", str(workbook), "-o", "out")
    assert result.exit_code == 1
    assert errors(result) == [
        f"错误：named.xlsx › 基本信息!{B10}：“{str(folder)[:30]}…”是文件路径，不是模板名称：这一栏只填模板的名称；{OFFERED}"
    ]
    assert not Path("out").exists() or not list(Path("out").iterdir())


def test_the_web_page_does_not_follow_a_path_in_the_cell(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from pipeline.web.app import Settings, create_app

    private = tmp_path / "tmp"
    private.mkdir()
    monkeypatch.setattr("tempfile.tempdir", str(private))
    folder = hostile_folder(tmp_path)
    client = TestClient(create_app(Settings(max_upload_bytes=4 * MB)), raise_server_exceptions=False)
    xlsx = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    for value in (str(folder), "/etc", "x" * 300):
        files = {"workbook": ("2022.xlsx", naming(value).read_bytes(), xlsx)}
        response = client.post("/report", files=files, data={"format": "docx"})
        assert response.status_code == 422, response.text[:500]
        assert "E_TEMPLATE" in response.text and "HOSTILE" not in response.text and "OSError" not in response.text
        assert "不是模板名称" in response.text or "过长" in response.text


def test_a_name_in_the_cell_still_chooses_an_offered_template() -> None:
    assert template_named("township").name == "township"
    workbook = naming("township")
    result = invoke("validate", str(workbook))
    assert result.exit_code == 0


def test_t_keeps_accepting_a_folder_or_a_docx_path(tmp_path: Path) -> None:
    elsewhere = tmp_path / "elsewhere" / "mine"
    shutil.copytree(DEFAULT, elsewhere)
    shutil.copy(SAMPLE, "2022.xlsx")
    assert invoke("build", "2022.xlsx", "-t", str(elsewhere), "-o", "a").exit_code == 0
    assert invoke("build", "2022.xlsx", "-t", str(elsewhere / "report.docx"), "-o", "b").exit_code == 0
    assert Path("a/2022.docx").is_file() and Path("b/2022.docx").is_file()
