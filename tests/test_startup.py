"""Start-up: a command loads only what it uses, and the command line is read without typer's pydantic adapters.

Speed itself is measured in bench/bench_startup.py, never asserted; these tests check which modules a real
process has loaded when the command is done, and that the click commands genreport runs (pipeline/cli/usage.py)
convert every value as typer's own commands would.
"""

from __future__ import annotations

import ast
import json
import random
import re
import subprocess
import sys
from pathlib import Path, PosixPath
from typing import Annotated, Any

import click
import pytest
import typer
from typer.main import get_command

from pipeline.cli import app
from pipeline.cli.usage import click_command
from pipeline.cli.validate import Format
from pipeline.cli.values import Choice, Integer, PathValue, Text

from .conftest import ROOT, SAMPLE

HEAVY = (
    "openpyxl", "docxtpl", "docx", "matplotlib", "numpy", "jinja2", "pydantic", "rich", "lxml",
    "starlette", "uvicorn", "python_multipart", "anyio",
)  # fmt: skip


def loaded_after(*args: str, among: tuple[str, ...] = HEAVY) -> set[str]:
    """The HEAVY packages (or those ``among``) a fresh ``genreport ARGS`` process has imported by the time the
    command has finished."""
    code = (
        "import json, sys\n"
        "from pipeline.cli import app\n"
        "try:\n"
        f"    app({list(args)!r}, prog_name='genreport')\n"
        "except SystemExit as e:\n"
        "    assert e.code in (0, None), e.code\n"
        f"print(json.dumps(sorted(m for m in {among!r} if m in sys.modules)))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=False)
    assert out.returncode == 0, out.stderr
    return set(json.loads(out.stdout.splitlines()[-1]))


@pytest.mark.parametrize(
    "args",
    [
        ["--help"],
        ["--version"],
        ["build", "--help"],
        ["validate", "-h"],
        ["template", "--help"],
        ["explain"],
        ["serve", "-h"],
    ],
)
def test_help_and_light_commands_load_no_library(args: list[str]) -> None:
    assert loaded_after(*args) == set()


def test_a_build_loads_no_pydantic_rich_numpy_matplotlib_or_openpyxl(tmp_path: Path) -> None:
    loaded = loaded_after("build", str(SAMPLE), "-o", str(tmp_path))
    assert (tmp_path / "2022.docx").exists()
    assert {"jinja2", "lxml"} <= loaded  # what it uses
    assert not loaded & {"pydantic", "rich", "numpy", "matplotlib"}  # the default template draws no chart
    assert "openpyxl" not in loaded  # calamine read the sample, and nothing on the way imported openpyxl (issue 19)


def test_a_template_prepared_once_is_rendered_without_docxtpl_or_python_docx(tmp_path: Path) -> None:
    """The first build prepares and checks the template with docxtpl and python-docx and keeps both outcomes in
    the cache; the next build of any workbook renders from them and loads neither library (issue 19 §5)."""
    loaded_after("build", str(SAMPLE), "-o", str(tmp_path / "first"))
    loaded = loaded_after("build", str(SAMPLE), "-o", str(tmp_path / "second"))
    assert (tmp_path / "second" / "2022.docx").exists()
    assert not loaded & {"docxtpl", "docx", "openpyxl"}, loaded
    # what only an overrun render (ctypes), a note for -v (logging) or a chart (importlib.resources) needs
    rare = ("ctypes", "logging", "importlib.resources")
    assert loaded_after("build", str(SAMPLE), "-o", str(tmp_path / "third"), among=rare) == set()


def test_validate_reads_what_the_template_prints_from_the_cache_the_second_time() -> None:
    """validate's W_TEXT_UNPRINTED needs the 文字 sections the template prints: parsed once per template file (with
    docxtpl), then read from the disk cache."""
    loaded_after("validate", str(SAMPLE))
    assert not loaded_after("validate", str(SAMPLE)) & {"docxtpl", "docx", "openpyxl"}


def test_a_workbook_the_fast_path_does_not_understand_still_loads_openpyxl(tmp_path: Path) -> None:
    """The fallback is real: a hyperlink on a form sheet (which openpyxl binds to the package) sends the sample to
    openpyxl, in the same command, and the report is still made."""
    import zipfile

    unusual = tmp_path / "in" / "2022.xlsx"
    unusual.parent.mkdir()
    link = b'<hyperlinks><hyperlink ref="A1" location="A2"/></hyperlinks></worksheet>'
    with zipfile.ZipFile(SAMPLE) as z, zipfile.ZipFile(unusual, "w") as out:
        for info in z.infolist():
            data = z.read(info.filename)
            if info.filename == "xl/worksheets/sheet2.xml":
                data = data.replace(b"</worksheet>", link)
            out.writestr(info, data)
    loaded = loaded_after("build", str(unusual), "-o", str(tmp_path / "out"))
    assert (tmp_path / "out" / "2022.docx").exists()
    assert "openpyxl" in loaded


def test_a_template_with_charts_still_gets_matplotlib_and_numpy(tmp_path: Path) -> None:
    loaded = loaded_after("build", str(ROOT / "inputs" / "township-2023.xlsx"), "-o", str(tmp_path))
    assert (tmp_path / "township-2023.docx").exists()
    assert {"matplotlib", "numpy"} <= loaded and "pydantic" not in loaded


def test_validate_loads_no_pydantic() -> None:
    code = (
        "import sys\n"
        "from pipeline.cli import app\n"
        "try:\n"
        f"    app(['validate', {str(SAMPLE)!r}, '--format', 'json'], prog_name='genreport')\n"
        "except SystemExit:\n"
        "    pass\n"
        "print('pydantic' in sys.modules, 'numpy' in sys.modules)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=False)
    assert out.stdout.splitlines()[-1] == "False False", out.stderr


# --- the command line runs on click's public API and converts values as typer does --------------------------------


def _pairs() -> list[tuple[Any, click.Parameter, click.Context]]:
    """Every parameter of every command: typer's own (as typer.main.get_command builds it), the one of the click
    command genreport runs, and a context of that command."""
    root = get_command(app)
    pairs = []
    todo: list[tuple[Any, click.Command]] = [(root, click_command(root))]
    while todo:
        theirs, mine = todo.pop()
        ctx = click.Context(mine, info_name=mine.name)
        pairs += [(t, m, ctx) for t, m in zip(theirs.params, mine.params, strict=True)]
        todo += [(sub, mine.commands[name]) for name, sub in getattr(theirs, "commands", {}).items()]  # type: ignore[attr-defined]
    return pairs


def test_the_command_line_imports_no_private_module_of_typer_or_click() -> None:
    """typer 0.29 bundles a copy of Click under typer._click; the CLI stands on the public API of both."""
    private = []
    for path in (ROOT / "pipeline").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else []
            if isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module, *(f"{node.module}.{a.name}" for a in node.names)]
            private += [
                f"{path.relative_to(ROOT)}: {name}"
                for name in names
                if name.split(".")[0] in ("typer", "click") and any(part.startswith("_") for part in name.split("."))
            ]
    assert private == []


def test_every_command_parameter_is_converted_without_pydantic() -> None:
    pairs = _pairs()
    assert len(pairs) > 20
    for theirs, mine, _ in pairs:
        assert isinstance(mine.type, Text | Integer | Choice | PathValue) or getattr(mine, "is_flag", False), (
            theirs.name
        )
        assert (mine.name, mine.opts, mine.required, mine.nargs, mine.multiple) == (
            theirs.name,
            theirs.opts,
            theirs.required,
            theirs.nargs,
            theirs.multiple,
        )


SAMPLES: dict[Any, list[Any]] = {
    str: ["docx", "", " 我局 ", "a,b"],
    int: ["0", "6", "+3", "007", "-0", 5, "2022", "9", "abc", "3.0", "65535", "65536", "1990", "2100", "1_024"],
    bool: [True, False],
    Path: ["inputs/2022.xlsx", "", "a/../b/", "报告", Path("outputs"), "inputs"],
}
TYPERS_WORDS = (  # typer's English, in the Chinese genreport says (what usage.py translated before it read values)
    (re.compile(r"^(?:Input should be a valid integer|'.*' is not a valid integer)"), "应为整数"),
    (re.compile(r"^Input should be less than or equal to (.+)$"), "不能大于 {0}"),
    (re.compile(r"^Input should be greater than or equal to (.+)$"), "不能小于 {0}"),
    (re.compile(r"^(?:Value error, )?'.*' is not one of (.*?)\.?$"), "应为以下之一：{0}"),
)


def outcome(param: Any, ctx: Any, value: Any) -> Any:
    """The value a parameter gives (a list for a tuple: typer's callback wrapper hands both on as a list), or the
    Chinese words of its error."""
    try:
        result = param.process_value(ctx, value)
    except (typer.BadParameter, click.BadParameter) as e:
        message = e.message.strip()
        for pattern, chinese in TYPERS_WORDS:
            if m := pattern.match(message):
                return ("error", chinese.format(*m.groups()))
        return ("error", message)
    result = list(result) if isinstance(result, tuple) else result
    return (result, type(result))


def _values(param: click.Parameter) -> list[Any]:
    if isinstance(param.type, Choice):
        members = param.type.choices
        values = [*(e.value for e in members), *members, "yaml", str(members[0].value).upper(), ""]
    else:
        values = SAMPLES[{Text: str, Integer: int, PathValue: Path}[type(param.type)]]
    return [tuple(values)] if param.nargs != 1 or param.multiple else values


# typer 0.29 converted values through pydantic; genreport converts them itself and keeps what 0.29 accepted (the
# table below holds that whatever typer is installed). A later typer may convert as it likes: compared only to 0.29.
TYPER_029 = pytest.mark.skipif(not typer.__version__.startswith("0.29."), reason="typer 0.29's conversion only")


@TYPER_029
def test_plain_conversion_equals_typers() -> None:
    compared = 0
    for theirs, mine, ctx in _pairs():
        if getattr(mine, "is_flag", False):
            continue
        for value in _values(mine):
            assert outcome(mine, ctx, value) == outcome(theirs, None, value), (theirs.name, value)
            compared += 1
    assert compared > 60


@TYPER_029
@pytest.mark.parametrize("value", ["3.0", " 3", "1_0", "３", "abc", "", "9", "-1", "+3 ", "6.000", "0x3", "1e0", "٣"])
def test_malformed_and_out_of_range_numbers_are_judged_as_typer_judges_them(value: str) -> None:
    """The same result, or the same error, in Chinese."""
    [(theirs, mine, ctx)] = [pair for pair in _pairs() if pair[0].name == "percent_places"]
    assert outcome(mine, ctx, value) == outcome(theirs, None, value)


NOT_INTEGER = ("error", "应为整数")
AS_TYPER_029_READ = [  # parameter, value typed, what the command gets (or the words of the error)
    *(("percent_places", v, (3, int)) for v in ["3", "3.0", " 3", "+3 ", "\u30003", "\t3\n", "003", "3.000"]),
    ("percent_places", "-0.0", (0, int)),
    ("percent_places", "1_0", ("error", "不能大于 6")),
    ("percent_places", "99999999999999999999", ("error", "不能大于 6")),
    ("percent_places", "-1", ("error", "不能小于 0")),
    *(("percent_places", v, NOT_INTEGER) for v in ["３", "٣", "0x3", "1e0", "3.5", "", "abc", "3\x1c", "1__0", "3."]),
    ("jobs", "4", (4, int)),
    ("jobs", "0", ("error", "不能小于 1")),
    ("output_format", "json", (Format.json, Format)),
    ("output_format", "JSON", ("error", "应为以下之一：'text', 'json'")),
    ("template", " 我局 ", (" 我局 ", str)),
    ("out_dir", "", (Path("."), PosixPath)),
    ("out_dir", "a/../b/", (Path("a/../b"), PosixPath)),
    ("inputs", ("a.xlsx", "b"), ([Path("a.xlsx"), Path("b")], list)),
]


@pytest.mark.parametrize(("name", "value", "expected"), AS_TYPER_029_READ)
def test_values_are_read_as_typer_0_29_read_them(name: str, value: Any, expected: Any) -> None:
    [mine, ctx] = next([m, c] for t, m, c in _pairs() if t.name == name)
    assert outcome(mine, ctx, value) == expected


def test_integers_as_pydantic_reads_them() -> None:
    """Seeded strings of digits, signs, points, underscores and spaces: accepted or refused as pydantic (typer
    0.29's reader) does. One quirk of it is not copied: a sign after leading zeros ("0-54" is -54 to pydantic,
    "00-0" is 0) is no number here."""
    pydantic = pytest.importorskip("pydantic")
    adapter = pydantic.TypeAdapter(Annotated[int, pydantic.Field(ge=0, le=6)])
    words = {"greater_than_equal": "不能小于 0", "less_than_equal": "不能大于 6"}

    def theirs(value: str) -> Any:
        try:
            return adapter.validate_python(value)
        except pydantic.ValidationError as e:
            return ("error", words.get(e.errors()[0]["type"], "应为整数"))

    def mine(value: str) -> Any:
        try:
            return Integer(0, 6).convert(value, None, None)
        except click.BadParameter as e:
            return ("error", e.message)

    rng = random.Random(15)
    alphabet = "0123456789+-._ \t\u3000\x1c３e"
    quirk = re.compile(r"^\s*[+-]?[0_]+[+-]")
    accepted = 0
    for _ in range(3000):
        value = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 6)))
        assert mine(value) == (NOT_INTEGER if quirk.match(value) else theirs(value)), repr(value)
        accepted += not isinstance(mine(value), tuple)
    assert accepted > 100  # values accepted alike, not only errors
