"""User-edited templates: mistakes end in a Chinese message naming the template; the sandbox holds."""

from __future__ import annotations

import shutil
from pathlib import Path

import docx
import pytest
from typer.testing import CliRunner

from pipeline.cli import app

from .conftest import SAMPLE

runner = CliRunner()


def template(*paragraphs: str, name: str = "mine.docx") -> Path:
    document = docx.Document()
    for text in paragraphs:
        document.add_paragraph(text)
    document.save(name)
    return Path(name)


def build_with(tpl: Path) -> tuple[int, str, list[str]]:
    shutil.copy(SAMPLE, "2022.xlsx")
    result = runner.invoke(app, ["build", "2022.xlsx", "-t", str(tpl), "-o", "out"])
    out = Path("out/2022.docx")
    texts = [p.text for p in docx.Document(str(out)).paragraphs] if out.exists() else []
    errors = [line for line in result.stderr.splitlines() if line.startswith("错误")]
    return result.exit_code, "\n".join(errors), texts


def test_a_custom_template_with_filters() -> None:
    code, err, texts = build_with(
        template(
            "{{ unit.short_name }}：{{ budget.actual.project|money }}万元，"
            "{{ shares.project|pct }}，{{ evaluation.grade }}"
        )
    )
    assert (code, err) == (0, "")
    assert texts == ["县住房和城乡建设局（县人防办）：9960.59万元，78.56%，优"]


def test_percent_places_option() -> None:
    shutil.copy(SAMPLE, "2022.xlsx")
    tpl = template("{{ shares.basic|pct }}")
    result = runner.invoke(app, ["build", "2022.xlsx", "-t", str(tpl), "-o", "out", "--percent-places", "0"])
    assert result.exit_code == 0
    assert [p.text for p in docx.Document("out/2022.docx").paragraphs] == ["21%"]


def test_template_folder_with_its_own_rules() -> None:
    Path("tpl").mkdir()
    template("{{ evaluation.total|score }} {{ evaluation.grade }}", name="tpl/report.docx")
    rules = (Path(__file__).parent.parent / "templates" / "default" / "rules.toml").read_text(encoding="utf-8")
    Path("tpl/rules.toml").write_text(rules.replace('min = "90"', 'min = "95"'), encoding="utf-8")
    code, _, texts = build_with(Path("tpl"))
    assert (code, texts) == (0, ["94.00 良"])


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            "{{ unti.name }}",
            "错误：mine.docx：第1段「{{ unti.name }}」：模板引用了不存在的字段 unti；您是否要写 unit？",
        ),
        ("{% if year %}", "错误：mine.docx：第1段「{% if year %}」：{% if year %} 没有对应的 {% endif %}"),
        (
            "{{ year.__class__.__mro__ }}",
            "错误：mine.docx：模板渲染失败：access to attribute '__class__' of 'int' object is unsafe."
            "（位于“{{ year.__class__.__mro__ }}”附近）",
        ),
    ],
    ids=["unknown_field", "syntax", "sandbox"],
)
def test_template_mistakes(text: str, message: str) -> None:
    code, err, texts = build_with(template(text))
    assert (code, err, texts) == (1, message, [])


def test_not_a_word_document() -> None:
    Path("mine.docx").write_text("plain text")
    code, err, _ = build_with(Path("mine.docx"))
    assert code == 1
    assert err.startswith("错误：mine.docx：不是可用的 Word 模板（")
