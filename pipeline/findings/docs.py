"""What ``genreport explain CODE`` prints and docs/findings.md lists, both from the registry in ``codes``."""

from __future__ import annotations

from .codes import ALL, Code, Severity

SEVERITY_WORD = {Severity.ERROR: "错误（不生成报告）", Severity.WARNING: "警告（照常生成；--strict 时不生成）"}


def explanation(code: Code) -> str:
    return "\n".join(
        [
            f"{code.code}  {code.title}",
            f"级别：{level(code)}",
            f"含义：{code.meaning}",
            f"怎么改：{code.fix}",
            f"示例：{code.example}",
        ]
    )


def findings_markdown() -> str:
    lines = [
        "# 问题代码 / Finding codes",
        "",
        "<!-- Generated from pipeline/findings/codes.py by `python scripts/make_docs.py`; do not edit by hand. -->",
        "",
        "`genreport validate` 和 `genreport build` 报告的每一项问题都带有一个代码；"
        "`genreport explain CODE` 打印其说明，`genreport explain` 列出全部代码。",
        "错误（E_）使工作簿不能生成报告；警告（W_）照常生成，`--strict` 时也不生成，"
        "只说明报告缺了什么（印为“—”的格子、不全的合计）的警告除外。",
        "",
        "| 代码 | 级别 | 标题 |",
        "|---|---|---|",
    ]
    lines += [f"| [{c.code}](#{c.code.lower()}) | {severity_word(c)} | {c.title} |" for c in ALL]
    for c in ALL:
        lines += [
            "",
            f"## {c.code}",
            "",
            f"**{c.title}** — {level(c)}",
            "",
            f"- 含义：{c.meaning}",
            f"- 怎么改：{c.fix}",
            f"- 示例：`{c.example}`",
        ]
    return "\n".join(lines) + "\n"


def level(code: Code) -> str:
    """The severity as explain and the docs say it: a warning --strict lets through says so."""
    if code.severity is Severity.WARNING and not code.strict:
        return "警告（照常生成；--strict 也照常生成）"
    return SEVERITY_WORD[code.severity]


def severity_word(code: Code) -> str:
    return "错误" if code.severity is Severity.ERROR else "警告"
