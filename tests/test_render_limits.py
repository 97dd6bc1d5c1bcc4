"""Rendering limits: hostile templates stop quickly with a clear message; ordinary ones render as before."""

from __future__ import annotations

import pickle
import random
import threading
import time
import tracemalloc
from decimal import Decimal
from pathlib import Path
from typing import Any

import docx
import jinja2
import pytest
from docxtpl import DocxTemplate
from jinja2.sandbox import SandboxedEnvironment

from pipeline.render import limits as render_limits
from pipeline.render.environment import RenderOptions, make_environment
from pipeline.render.limits import BoundedSandbox, RenderLimitExceeded, RenderLimits

# Small limits keep every refusal cheap: nothing here may allocate much or run long before it is stopped. The
# deadline is only a backstop, never the refusal a case expects: 100,000 sandboxed appends took over 5 s on a
# machine loaded by other test runs, so it stays well clear of them (and below HANG).
SMALL = RenderLimits(
    max_seconds=15, max_iterations=100_000, max_output_chars=1_000_000, max_length=100_000, max_digits=1000
)
# For the deadline itself: budgets too large to be reached first.
TIMED = RenderLimits(max_seconds=1, max_iterations=10**12, max_output_chars=10**12, max_length=10**7)
HANG = 20  # seconds; only so that a regression fails instead of hanging the test run

ITERATIONS = "模板中的循环次数超过上限（每次渲染共 10 万次），已停止；请检查模板中的循环"
TIMEOUT = "模板渲染超过时间上限（1 秒），已停止；请检查模板中的循环"
OUTPUT = "模板输出超过 100 万字符，已停止"


def too_big(what: str) -> str:
    return f"模板中的运算结果过大（{what}），已拒绝；单个值最多 10 万个字符或元素"


def too_many_digits(what: str) -> str:
    return f"模板中的运算结果过大（{what}），已拒绝；数字最多 1000 位"


def bounded(limits: RenderLimits = SMALL, **kwargs: Any) -> BoundedSandbox:
    return BoundedSandbox(autoescape=True, undefined=jinja2.StrictUndefined, limits=limits, **kwargs)


def refusal(env: jinja2.Environment, source: str, **context: Any) -> RenderLimitExceeded:
    started = time.monotonic()
    with pytest.raises(RenderLimitExceeded) as caught:
        env.from_string(source).render(**context)
    assert time.monotonic() - started < HANG
    return caught.value


DOUBLING = "{% set ns = namespace(s='x') %}{% for i in range(40) %}{% set ns.s = ns.s OP ns.s %}{% endfor %}"

HOSTILE = [
    pytest.param(
        "{% for i in range(100000) %}{% for j in range(100000) %}{% endfor %}{% endfor %}",
        ITERATIONS,
        id="nested-range",
    ),
    pytest.param("{{ lipsum(1000000) }}", too_big("lipsum(1000000)"), id="lipsum"),
    pytest.param("{{ 9**99999999 }}", too_many_digits("9**99999999"), id="power"),
    pytest.param("{{ 'x'*10**9 }}", too_big("'x'*1000000000"), id="string-times"),
    pytest.param("{{ [0]*10**9 }}", too_big("1 项的 list*1000000000"), id="list-times"),
    pytest.param(DOUBLING.replace("OP", "~"), too_big("65536 个字符的文本~65536 个字符的文本"), id="tilde-doubling"),
    pytest.param(DOUBLING.replace("OP", "+"), too_big("65536 个字符的文本+65536 个字符的文本"), id="plus-doubling"),
    pytest.param(
        "{% set ns = namespace(s='x') %}{% for i in range(40) %}"
        "{% set t %}{{ ns.s }}{{ ns.s }}{% endset %}{% set ns.s = t %}{% endfor %}",
        OUTPUT,
        id="captured-block-doubling",
    ),
    pytest.param(
        "{% set ns = namespace(n=9) %}{% for i in range(40) %}{% set ns.n = ns.n * ns.n %}{% endfor %}",
        too_many_digits("978 位的数*978 位的数"),
        id="int-squaring",
    ),
    pytest.param("{{ '%1000000000d' % 1 }}", too_big("'%1000000000d'%1"), id="printf-width"),
    pytest.param("{{ '%1000000000d'|format(1) }}", too_big("'%1000000000d'|format(1)"), id="format-filter"),
    pytest.param("{{ '{:>1000000000}'.format(1) }}", too_big("'{:>1000000000}'.format(1)"), id="str-format"),
    pytest.param("{{ 'x'.ljust(1000000000) }}", too_big("'x'.ljust(1000000000)"), id="ljust"),
    pytest.param("{{ (1).to_bytes(1000000000, 'big') }}", too_big("1.to_bytes(1000000000, 'big')"), id="to-bytes"),
    pytest.param("{{ 'x'|center(1000000000) }}", too_big("'x'|center(1000000000)"), id="center"),
    pytest.param("{{ ('\n' * 1000)|indent(100000) }}", too_big("1000 个字符的文本|indent(100000)"), id="indent"),
    pytest.param("{{ 'xy'|replace('', 'z' * 90000) }}", too_big("'xy'|replace('', 90000 个字符的文本)"), id="replace"),
    pytest.param("{{ range(100)|join('x' * 5000) }}", too_big("range|join(5000 个字符的文本)"), id="join"),
    pytest.param("{{ [1]|batch(10**9, 0)|list }}", too_big("1 项的 list|batch(1000000000, 0)"), id="batch-fill"),
    pytest.param(
        "{% set s = 'x' * 50000 %}{{ [s] * 100 }}",
        too_big("输出 100 项的 list"),
        id="print-list-of-long-text",
    ),
    pytest.param(
        "{% set l = [1] %}{% for x in l %}{{ l.append(x) or '' }}{% endfor %}",
        too_big("100001 项的 list.append(1)"),
        id="list-grows-while-looped",
    ),
    pytest.param(
        "{% for i in [1, 2] %}{{ ('x' * 90000)|batch(1)|list|length }}{% endfor %}", ITERATIONS, id="generator-read"
    ),
    pytest.param(
        "{{ ([[1] * 10] * 20000)|sum(start=[])|length }}",
        too_big("20000 个列表|sum"),
        id="sum-of-lists",
    ),
    pytest.param("{% for i in range(10**20) %}{% endfor %}", ITERATIONS, id="huge-range"),
    pytest.param("{% for i in range(20) %}{{ 'x' * 90000 }}{% endfor %}", OUTPUT, id="output"),
]


@pytest.mark.parametrize(("source", "message"), HOSTILE)
def test_hostile_template_is_refused_with_its_message(source: str, message: str) -> None:
    assert refusal(bounded(), source).message == message


@pytest.mark.parametrize(
    ("source", "message"),
    [
        ("{{ 9**99999999 }}", "模板中的运算结果过大（9**99999999），已拒绝；数字最多 4300 位"),
        ("{{ 'x'*10**9 }}", "模板中的运算结果过大（'x'*1000000000），已拒绝；单个值最多 1000 万个字符或元素"),
        (
            "{% for i in range(100000) %}{% for j in range(100000) %}{% endfor %}{% endfor %}",
            "模板中的循环次数超过上限（每次渲染共 100 万次），已停止；请检查模板中的循环",
        ),
    ],
)
def test_default_limits_read_as_documented(source: str, message: str) -> None:
    env = BoundedSandbox(autoescape=True, undefined=jinja2.StrictUndefined)
    assert refusal(env, source).message == message


def test_default_output_limit_message() -> None:
    env = BoundedSandbox(limits=RenderLimits(max_output_chars=50_000_000, max_length=20_000_000))
    source = "{% for i in range(3) %}{{ 'x' * 20000000 }}{% endfor %}"
    assert refusal(env, source).message == "模板输出超过 5000 万字符，已停止"


@pytest.mark.parametrize(
    "source",
    [
        pytest.param("{{ 'x'*10**9 }}", id="string-times"),
        pytest.param("{{ 9**99999999 }}", id="power"),
        pytest.param("{{ lipsum(1000000) }}", id="lipsum"),
        pytest.param("{{ '{:>1000000000}'.format(1) }}", id="str-format"),
        pytest.param(DOUBLING.replace("OP", "~"), id="tilde-doubling"),
        pytest.param("{% set s = 'x' * 50000 %}{{ [s] * 100000 }}", id="print-list-of-long-text"),
        pytest.param("{% for i in range(1000) %}{{ 'x' * 90000 }}{% endfor %}", id="output"),
    ],
)
def test_refusal_happens_before_memory_grows(source: str) -> None:
    tracemalloc.start()
    try:
        refusal(bounded(), source)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 20_000_000  # the limits are 100 000 characters and 1 000 000 of output


@pytest.mark.parametrize(
    "source",
    [
        # loops that do nothing: each pass still checks the clock
        pytest.param(
            "{% for a in xs %}{% for b in xs %}{% for c in xs %}{% endfor %}{% endfor %}{% endfor %}",
            id="silent-nested-loops",
        ),
        pytest.param(
            "{% for i in range(100000) %}{% for j in range(100000) %}{% endfor %}{% endfor %}",
            id="nested-range-within-budget",
        ),
        # exponential recursion: every call checks the clock
        pytest.param(
            "{% macro f(n) %}{% if n %}{{ f(n - 1) }}{{ f(n - 1) }}{% endif %}{% endmacro %}{{ f(60) }}",
            id="exponential-macro",
        ),
    ],
)
def test_deadline_stops_a_render_that_runs_too_long(source: str) -> None:
    error = refusal(bounded(TIMED), source, xs=[0] * 10_000)
    assert error.message == TIMEOUT
    assert error.kind == "time"


def busy(seconds: float) -> str:
    """Pure Python work with no hook of ours in it: only the watchdog can stop it, and a stray interrupt
    from the watchdog would surface in it."""
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        pass
    return ""


def test_deadline_holds_without_the_watchdog(monkeypatch: pytest.MonkeyPatch) -> None:
    """Where PyThreadState_SetAsyncExc is missing, the clock checks alone stop template code."""
    monkeypatch.setattr(render_limits, "_set_async_exc", lambda thread_id, exc: False)
    source = "{% for a in xs %}{% for b in xs %}{% endfor %}{% endfor %}"
    assert refusal(bounded(TIMED), source, xs=[0] * 100_000).message == TIMEOUT


def test_watchdog_interrupts_a_long_python_call() -> None:
    env = bounded(TIMED)
    env.globals["spin"] = busy
    started = time.monotonic()
    assert refusal(env, "{{ spin(60) }}").message == TIMEOUT
    assert time.monotonic() - started < TIMED.max_seconds + render_limits._WATCHDOG_GRACE + 5


def test_time_error_leaves_the_thread_usable() -> None:
    env = bounded(TIMED)
    env.globals["spin"] = busy
    refusal(env, "{{ spin(60) }}")
    busy(1.5)  # longer than the deadline and its grace: nothing may fire again
    assert env.from_string("{{ 1 + 1 }}").render() == "2"


def test_no_interrupt_escapes_a_render_that_ends_as_it_fires(monkeypatch: pytest.MonkeyPatch) -> None:
    """Renders that end just before, at or after the watchdog fires, in one thread and in three at once:
    each ends with its output or RenderLimitExceeded, and no interrupt reaches the code that follows."""
    monkeypatch.setattr(render_limits, "_WATCHDOG_GRACE", 0.0)  # fire at the deadline itself

    def renders(seed: int, count: int, outcomes: list[str]) -> None:
        rng = random.Random(seed)
        for _ in range(count):
            env = bounded(RenderLimits(max_seconds=rng.uniform(0.0005, 0.004)))
            env.globals["spin"] = busy
            try:
                try:
                    env.from_string("{{ spin(s) }}").render(s=rng.uniform(0.0005, 0.004))
                    outcomes.append("done")
                except RenderLimitExceeded:
                    outcomes.append("stopped")
                busy(0.001)
            except BaseException as e:  # noqa: BLE001 - exactly what must not happen, reported below
                outcomes.append(repr(e))

    alone: list[str] = []
    renders(0, 300, alone)
    together: list[list[str]] = [[], [], []]
    threads = [threading.Thread(target=renders, args=(seed, 100, out)) for seed, out in enumerate(together, 1)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(HANG)
    for outcomes in [alone, *together]:
        assert set(outcomes) <= {"done", "stopped"}
    assert len(alone) == 300 and [len(o) for o in together] == [100, 100, 100]  # no thread hung


def test_budget_is_per_render_not_per_environment() -> None:
    env = bounded()
    template = env.from_string("{% for i in range(60000) %}{% endfor %}ok")
    assert [template.render() for _ in range(5)] == ["ok"] * 5


def test_run_bounded_shares_one_budget_across_renders() -> None:
    env = bounded()
    template = env.from_string("{% for i in range(60000) %}{% endfor %}ok")
    with pytest.raises(RenderLimitExceeded) as caught:
        env.run_bounded(lambda: [template.render() for _ in range(2)])
    assert caught.value.message == ITERATIONS


def test_concurrent_renders_each_get_their_own_budget() -> None:
    """Both renders are inside the template at once (the barrier); together they would exceed the budget."""
    barrier = threading.Barrier(2, timeout=HANG)

    def meet() -> str:
        barrier.wait()
        return ""

    env = bounded()
    env.globals["meet"] = meet
    template = env.from_string(
        "{% for i in range(60000) %}{% endfor %}{{ meet() }}{% for i in range(30000) %}{% endfor %}ok"
    )
    results: list[str] = []

    def render() -> None:
        results.append(template.render())

    threads = [threading.Thread(target=render) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(HANG)
    assert results == ["ok", "ok"]


def test_a_render_stopped_in_one_thread_does_not_disturb_another() -> None:
    env = bounded(TIMED)
    hanging = env.from_string("{% for a in xs %}{% for b in xs %}{% endfor %}{% endfor %}")
    ordinary = env.from_string("{% for r in rows %}{{ r|upper }};{% endfor %}")
    errors: list[RenderLimitExceeded] = []

    def hang() -> None:
        with pytest.raises(RenderLimitExceeded) as caught:
            hanging.render(xs=[0] * 100_000)
        errors.append(caught.value)

    thread = threading.Thread(target=hang)
    thread.start()
    outputs = set()
    while thread.is_alive():
        outputs.add(ordinary.render(rows=["a", "b"]))
        busy(0.005)
    thread.join(HANG)
    assert [e.message for e in errors] == [TIMEOUT]
    assert outputs == {"A;B;"}


ORDINARY = """\
{%- macro cell(v) %}<c>{{ v }}</c>{% endmacro -%}
{%- set total = namespace(v=0) -%}
{%- for r in rows -%}
{{ loop.index }}. {{ r.name|trim|title }} {{ cell(r.amount|money) }} {{ r.tags|join(", ") }} \
{{ "%s-%03d"|format(r.code, loop.index) }} {{ "{}/{}".format(r.code, loop.length) }} {{ r.name ~ "&" ~ r.code }} \
{{ (r.amount * 2)|money }} {{ r.amount + 1 }} {{ 2 ** 10 }} {{ "=" * 3 }} {{ r.tags + ["z"] }} \
{{ r.note|default("无", true)|truncate(9) }}{% set total.v = total.v + r.amount %} {{ "%d%%"|format(50) }}
{% endfor -%}
{{ total.v|money }} {{ rows|map(attribute="amount")|sum|money }} {{ [[1], [2, 3]]|sum(start=[]) }}
{{ rows|batch(3, "-")|list|length }} {{ rows|slice(2)|list|length }} {{ range(7)|batch(3)|list }}
{{ "a\nb"|indent(2, true) }} {{ ("word " * 5)|wordwrap(7) }} {{ "ab"|center(6) }} {{ "x<y"|replace("<", "[") }}
{{ {"a": [1, 2]}|tojson }} {{ {"a": [1, 2]}|tojson(2) }} {{ {"a": 1}|pprint }} {{ "see https://example.com"|urlize }}
{% set block %}{% for i in range(3) %}[{{ i }}]{% endfor %}{% endset %}{{ block }} {{ "abc".upper() }}
{{ "-".join(["a", "b"]) }} {{ "x".ljust(3) }}| {{ "x".center(5, "*") }} {{ "a\tb".expandtabs(4) }}
{% filter upper %}filtered {{ rows|length }}{% endfilter %} {{ lipsum(2, html=false)|wordcount > 0 }}
{% for k, v in {"b": 2, "a": 1}|dictsort %}{{ k }}={{ v }};{% endfor %} {{ [3, 1, 2]|sort }} {{ "abc"|reverse }}
{{ range(5)|list }} {{ range(10)|select("odd")|list }} {{ rows|selectattr("amount", "gt", 5)|map(attribute="code")|join(",") }}
{{ "%.2f"|format(3.14159) }} {{ "%(a)s"|format(a=1) }} {{ rows[0].name|string|length }} {{ [1, 2, 3]|reverse|list }}
{{ "{0:>6}|{1:.1f}".format("ab", 2.25) }} {{ "{a}".format_map({"a": "m"}) }} {{ rows|map(attribute="tags")|map("join", "+")|list }}
{{ 7 // 2 }} {{ 7 % 3 }} {{ 2.5 * 2 }} {{ (-2) ** 3 }} {{ 10 ** -2 }} {{ [1, 2] * 2 }} {{ 3 * "ab" }} {{ "a" + "b" }}
{% macro wrap() %}({{ caller() }}){% endmacro %}{% call wrap() %}inner {{ rows|length }}{% endcall %}{{ dict(a=1)|items|list }} {{ "%s" % rows[0].tags }} {{ rows[1].tags }}
{% for n in tree recursive %}{{ n.v }}{% if n.c %}({{ loop(n.c) }}){% endif %}{% endfor %} \
{% for r in rows if r.amount > 40 %}{{ loop.index }}/{{ loop.length }}{% if not loop.last %},{% endif %}{% else %}-{% endfor %}
{{ rows|groupby("code")|length }} {{ rows|unique(attribute="code")|list|length }} {{ rows|max(attribute="amount") }}
"""


def ordinary_context() -> dict[str, Any]:
    rows = [
        {
            "name": f" 项目{i} & <co> {{_x_}} ",
            "amount": Decimal(i) * Decimal("1.25"),
            "code": f"C{i:03d}",
            "tags": ["a", "b<", "c"],
            "note": "备注" * (i % 7) if i % 3 else None,
        }
        for i in range(40)
    ]
    tree = [{"v": 1, "c": [{"v": 2, "c": [{"v": 3, "c": []}]}, {"v": 4, "c": []}]}]
    return {"rows": rows, "tree": tree}


def test_ordinary_template_renders_exactly_as_the_plain_sandbox() -> None:
    """Same options as genreport's make_environment: its filters and its finalize."""
    env = make_environment(RenderOptions())
    plain = SandboxedEnvironment(autoescape=True, undefined=jinja2.StrictUndefined, finalize=env.finalize)
    plain.filters.update({name: env.filters[name] for name in ("money", "pct", "plain", "score")})
    random.seed(3)
    expected = plain.from_string(ORDINARY).render(ordinary_context())
    random.seed(3)
    assert env.from_string(ORDINARY).render(ordinary_context()) == expected
    assert "<c>" in expected and "&amp;" in expected and "FILTERED 40" in expected


def test_ordinary_template_without_finalize_or_autoescape() -> None:
    source = "{% for i in range(3) %}{{ i ~ '<' }}{{ [i] }}{% endfor %}{{ 'a'|upper }}"
    expected = SandboxedEnvironment().from_string(source).render()
    assert BoundedSandbox().from_string(source).render() == expected


def test_context_passing_finalize_still_receives_its_context() -> None:
    @jinja2.pass_eval_context
    def finalize(eval_ctx: Any, value: Any) -> Any:
        return f"[{value}]" if eval_ctx.autoescape else value

    env = BoundedSandbox(autoescape=True, finalize=finalize)
    assert env.from_string("{{ 1 }}{{ 'a' }}").render() == "[1][a]"


def test_other_template_errors_are_unchanged() -> None:
    env = bounded()
    for source in ["{{ missing|upper }}", "{{ missing ~ 'x' }}", "{{ missing * 2 }}", "{{ missing|center(3) }}"]:
        with pytest.raises(jinja2.UndefinedError):
            env.from_string(source).render()
    with pytest.raises(jinja2.exceptions.SecurityError):
        env.from_string("{{ ''.__class__.__mro__ }}").render()


def test_error_survives_pickling() -> None:
    error = refusal(bounded(), "{{ 'x' * 10**9 }}")
    copy = pickle.loads(pickle.dumps(error))
    assert (copy.kind, copy.message, str(copy)) == ("length", error.message, error.message)


def test_streaming_still_works() -> None:
    assert "".join(bounded().from_string("{% for i in range(3) %}{{ i }}{% endfor %}").generate()) == "012"


def make_docx(path: Path, table_rows: str) -> None:
    document = docx.Document()
    document.add_paragraph("{{ title }}")
    table = document.add_table(rows=3, cols=2)
    table.rows[0].cells[0].text = f"{{%tr for r in {table_rows} %}}"
    table.rows[1].cells[0].text = "{{ r.name }}"
    table.rows[1].cells[1].text = "{{ '%.1f'|format(r.amount) }}"
    table.rows[2].cells[0].text = "{%tr endfor %}"
    document.save(str(path))


@pytest.mark.parametrize("one_budget", [False, True], ids=["each-part", "run-bounded"])
def test_docxtpl_renders_through_the_bounded_environment(tmp_path: Path, one_budget: bool) -> None:
    source, out = tmp_path / "t.docx", tmp_path / "out.docx"
    make_docx(source, "rows")
    env = bounded()
    doc = DocxTemplate(str(source))
    context = {"title": "报告 & <附表>", "rows": [{"name": "甲 & 乙", "amount": 1.25}, {"name": "<丙>", "amount": 2}]}
    if one_budget:  # body, headers, footers and properties share one deadline and budget
        env.run_bounded(doc.render, context, jinja_env=env, autoescape=True)
    else:  # each part its own
        doc.render(context, jinja_env=env, autoescape=True)
    doc.save(str(out))
    result = docx.Document(str(out))
    assert result.paragraphs[0].text == "报告 & <附表>"
    assert [[c.text for c in row.cells] for row in result.tables[0].rows] == [["甲 & 乙", "1.2"], ["<丙>", "2.0"]]


def test_docxtpl_render_of_a_hostile_docx_is_refused(tmp_path: Path) -> None:
    source = tmp_path / "t.docx"
    make_docx(source, "range(10**9)")
    env = bounded()
    with pytest.raises(RenderLimitExceeded) as caught:
        env.run_bounded(DocxTemplate(str(source)).render, {"title": "x"}, jinja_env=env, autoescape=True)
    assert caught.value.message == ITERATIONS


@pytest.mark.parametrize(
    ("tag", "message"),
    [
        ("{% for i in range(100000) %}{% for j in range(100000) %}{% endfor %}{% endfor %}", "循环"),
        ("{{ 9**99999999 }}", "9**99999999"),
        ("{{ 'x' * 10**9 }}", "已拒绝"),
        ("{{ lipsum(1000000) }}", "lipsum(1000000)"),
    ],
)
def test_a_hostile_template_stops_the_build_with_a_message(tmp_path: Path, tag: str, message: str) -> None:
    """Through the CLI: exit 1, a Chinese message naming the template, no report, and quickly."""
    import shutil

    import docx
    from typer.testing import CliRunner

    from pipeline.cli import app

    from .conftest import SAMPLE

    template = docx.Document()
    template.add_paragraph("开头")
    template.add_paragraph(tag)
    template.save(str(tmp_path / "hostile.docx"))
    shutil.copy(SAMPLE, tmp_path / "2022.xlsx")
    started = time.monotonic()
    result = CliRunner().invoke(
        app, ["build", str(tmp_path / "2022.xlsx"), "-t", str(tmp_path / "hostile.docx"), "-o", str(tmp_path / "out")]
    )
    assert time.monotonic() - started < 30
    assert result.exit_code == 1
    line = result.stderr.splitlines()[-1]
    assert line.startswith("错误：") and "hostile.docx：模板" in line and message in line, line
    assert not (tmp_path / "out").exists() or list((tmp_path / "out").iterdir()) == []


class _Dict(dict[str, Any]):
    pass


@pytest.mark.parametrize("holder", [dict, _Dict])
@pytest.mark.parametrize(
    "source",
    [
        "{{ d.key }}",  # the item
        "{{ d._hidden }}",  # an item, though its name is private
        "{{ d.items is callable }}",  # a method wins over the item of that name
        "{{ d.__class__ is defined }}",  # unsafe: undefined
        "{{ d.missing is defined }}",
        "{{ d.missing }}",  # strict: an error
        "{{ d.get('key') }}",
    ],
)
def test_a_dict_attribute_reads_as_in_the_plain_sandbox(holder: type[dict[str, Any]], source: str) -> None:
    """BoundedSandbox reads ``d.key`` of a plain dict as its item at once; what any look-up gives is the sandbox's."""
    values = {"key": "v", "_hidden": "h", "items": "shadowed"}

    def render(env: jinja2.Environment) -> str:
        try:
            return env.from_string(source).render(d=holder(values))
        except jinja2.UndefinedError as e:
            return f"UndefinedError: {e}"

    plain = SandboxedEnvironment(undefined=jinja2.StrictUndefined)
    bounded = BoundedSandbox(undefined=jinja2.StrictUndefined, limits=RenderLimits())
    assert render(bounded) == render(plain)


@pytest.mark.parametrize(
    "source",
    [
        "{% for x in 'abc' %}{{ loop.index }}{{ loop.index0 }}{{ loop.revindex }}{{ loop.revindex0 }}{% endfor %}",
        "{% for x in 'abc' %}{{ loop.first }}{{ loop.last }}{{ loop.length }}{{ loop.depth }}{{ loop.depth0 }}{% endfor %}",
        "{% for x in 'abc' %}{{ loop.previtem is defined }}{{ loop.cycle('a', 'b') }}{% endfor %}",
        "{% for x in ['{0}'] %}{{ loop.nextitem is defined }}{{ loop._after is defined }}{% endfor %}",
    ],
)
def test_a_loop_variable_reads_as_in_the_plain_sandbox(source: str) -> None:
    """BoundedSandbox reads loop.index and the loop's other numbers at once; every look-up gives the sandbox's."""
    plain = SandboxedEnvironment(undefined=jinja2.StrictUndefined)
    bounded = BoundedSandbox(undefined=jinja2.StrictUndefined, limits=RenderLimits())
    assert bounded.from_string(source).render() == plain.from_string(source).render()


class _Html:
    def __html__(self) -> str:
        return "<b>own</b>"


class _Markup(jinja2.utils.markupsafe.Markup):
    pass


PRINTED = {
    "text": "A&B <c> \"q\" 'a' {_{ x }_}",
    "markup": jinja2.utils.markupsafe.Markup("<w:br/>&amp;"),
    "sub_markup": _Markup("<i>sub</i>"),
    "html": _Html(),
    "none": None,
    "number": 12678.39,
    "decimal": Decimal("4.50"),
    "items": ["<a>", ("&", None)],
    "mapping": {"k": "<v>"},
}
ESCAPING = (
    "{{ text }}|{{ markup }}|{{ sub_markup }}|{{ html }}|{{ none }}|{{ number }}|{{ decimal }}|{{ items }}|"
    "{{ mapping }}|{{ text ~ markup }}|{{ text|upper }}|{{ 'lit<&>' }}|{{ 1 + 2 }}|"
    "{% for x in items %}{{ x }}{{ loop.index }}{% endfor %}|{% set s %}{{ text }}{% endset %}{{ s }}|"
    "{% macro m(v) %}<{{ v }}>{% endmacro %}{{ m(text) }}|{% filter lower %}{{ text }}{% endfilter %}|"
    "{% autoescape false %}{{ text }}{% endautoescape %}|{% autoescape true %}{{ text }}{% endautoescape %}|"
    "{% autoescape none is none %}{{ text }}{% endautoescape %}"
)


@pytest.mark.parametrize("finalize", [None, "protect_braces"], ids=["no-finalize", "genreport"])
def test_printed_values_are_escaped_as_jinja_escapes_them(finalize: str | None) -> None:
    """The bounded sandbox compiles ``{{ x }}`` to one call (finalize and escape fused): every kind of value, in
    every kind of block, prints as Jinja's own sandbox prints it."""
    from pipeline.render.environment import protect_braces

    fin = protect_braces if finalize else None
    bounded = BoundedSandbox(autoescape=True, finalize=fin, undefined=jinja2.StrictUndefined)
    plain = SandboxedEnvironment(autoescape=True, finalize=fin, undefined=jinja2.StrictUndefined)
    template = bounded.from_string(ESCAPING)
    assert "environment.escaped_output(" in bounded.compile(ESCAPING, raw=True)
    assert template.render(PRINTED) == plain.from_string(ESCAPING).render(PRINTED)
    for env in (bounded, plain):  # an unknown field still raises where it is printed
        with pytest.raises(jinja2.UndefinedError):
            env.from_string("{{ missing }}").render({})


def test_a_finalize_taking_the_context_compiles_as_jinja_compiles_it() -> None:
    @jinja2.pass_context
    def tagged(context: Any, value: Any) -> Any:
        return f"[{value}]"

    bounded = BoundedSandbox(autoescape=True, finalize=tagged)
    assert "environment.escaped_output(" not in bounded.compile("{{ x }}", raw=True)
    assert bounded.from_string("{{ x }}").render(x="<") == "[&lt;]"


def test_an_overlay_with_its_own_finalize_prints_with_it() -> None:
    """escaped_output calls the finalize it was made with: an overlay setting another is compiled as Jinja does."""
    env = BoundedSandbox(autoescape=True, finalize=lambda v: f"A({v})")
    overlay = env.overlay(finalize=lambda v: f"B({v})")
    assert overlay.from_string("{{ x }}").render(x="<") == "B(&lt;)"
    assert env.from_string("{{ x }}").render(x="<") == "A(&lt;)"
