"""The tags of a Word template as its author typed them, paragraph by paragraph, before docxtpl touches them.

Working on the typed text (not the Jinja source) is what lets a block that is never closed be reported at the
tag that opens it, a tag typed with a Chinese input method (｛｛ ｝｝, ％, （）) be named with the characters to
change, and the text a ``{%p %}`` / ``{%tr %}`` / ``{%tc %}`` tag would take with it be shown before it is lost.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass

from .parts import Paragraph, Part, excerpt
from .problems import ERROR, WARNING, Problem

_HALF = str.maketrans({"｛": "{", "｝": "}", "％": "%"})
_OPENER = re.compile(r"\{[{%#]")
_CLOSER = {"{{": "}}", "{%": "%}", "{#": "#}"}
_PREFIX = re.compile(r"\{[%{](tr|tc|p|r) ")
_KEYWORD = re.compile(r"[-+]?\s*(\w*)(.*)", re.DOTALL)
_ASSIGN = re.compile(r"(?<![=!<>])=(?!=)")
_QUOTES = {"'": "'‘’＇", "‘": "'‘’＇", "’": "'‘’＇", "＇": "'‘’＇", '"': '"“”＂', "“": '"“”＂', "”": '"“”＂'}
_QUOTES |= {"＂": '"“”＂', "「": "」", "『": "』"}
_OTHER_FULL_WIDTH = {"\u3000": " ", "「": "'", "」": "'", "『": "'", "』": "'"}

BLOCKS = ("if", "for", "macro", "call", "filter", "with", "block", "autoescape", "raw", "set")
MIDDLES = {"elif": ("if",), "else": ("if", "for")}
# consumed by docxtpl's patching (vm, hm, colspan, cellbg) or ours (vmerge) before Jinja sees the source
STANDALONE = ("set", "include", "import", "from", "extends", "print", "vm", "hm", "colspan", "cellbg", "vmerge")
_UNITS = {"p": ("段", "段落整段"), "tr": ("行", "表格行整行"), "tc": ("个单元格", "单元格整格")}

# Jinja parses and compiles by recursion, and Python caps the nesting of the code it makes (20 loops, 200
# brackets, 1000 frames): a template nesting deeper is refused at its tag, before Jinja sees it.
TOO_DEEP = "标签嵌套过深或表达式过长"
MAX_BLOCKS = 16  # {% if %}/{% for %}/… open at once (the shipped templates: 4)
MAX_BRACKETS = 16  # ( [ { open at once in one tag (the shipped templates: 2)
MAX_OPERATORS = 100  # filters, operators, attribute dots and keywords in one tag (the shipped templates: 16)
_OPERATOR = re.compile(r"[|+*/%~<>=!-]|\.(?=[^\W\d])|\b(?:not|and|or|if|else|is|in)\b")
_STRING = re.compile(r"'[^']*'|\"[^\"]*\"")


@dataclass(eq=False)
class Tag:
    paragraph: Paragraph
    text: str  # as typed
    norm: str  # its braces and percent signs half-width
    prefix: str = ""  # docxtpl's tr, tc, p or r
    keyword: str = ""  # a statement's first word; "" for {{ }} and {# #}
    block_set: bool = False  # {% set x %} … {% endset %}

    def show(self, width: int = 40) -> str:
        return excerpt(self.text, width=width)

    @property
    def end(self) -> str:
        return f"{{%{self.prefix} end{self.keyword} %}}"


def _full_width(text: str) -> list[str]:
    """「“（”应改为“(”」 for each character of a tag that only a Chinese input method types."""
    wrong: dict[str, str] = {}
    for ch in (text[:2] + text[-2:]).replace("{", "").replace("}", "").replace("%", "").replace("#", ""):
        wrong[ch] = ch.translate(_HALF)
    closing = ""  # inside a string: the characters that end it (what a string holds is the author's text)
    for ch in text[2:-2]:
        if closing and ch not in closing:
            continue
        closing = "" if closing else _QUOTES.get(ch, "")
        if "\uff01" <= ch <= "\uff5e" or ch in _OTHER_FULL_WIDTH:
            wrong[ch] = _OTHER_FULL_WIDTH.get(ch) or chr(ord(ch) - 0xFEE0)
    return [f"“{a}”应改为{'半角空格' if b == ' ' else f'“{b}”'}" for a, b in wrong.items()]


def paragraph_tags(paragraph: Paragraph) -> tuple[list[Tag], list[tuple[str, str]]]:
    """The tags of one paragraph, and (message, needle) for each that is broken there."""
    norm = paragraph.text.translate(_HALF)
    tags: list[Tag] = []
    broken: list[tuple[str, str]] = []
    at = 0
    while match := _OPENER.search(norm, at):
        start, opener = match.start(), match.group()
        end = norm.find(_CLOSER[opener], start + 2)
        following = _OPENER.search(norm, start + 2)
        if end < 0 or (opener != "{#" and following is not None and following.start() < end):
            typed = paragraph.text[start : (following.start() if following else len(norm))].rstrip()
            message = f"标签 {excerpt(typed, width=30)} 缺少结尾的 {_CLOSER[opener]}：标签要在同一段内写完"
            broken.append((message, typed))
            at = start + 2
            continue
        tag = Tag(paragraph, paragraph.text[start : end + 2], norm[start : end + 2])
        wrong = _full_width(tag.text)
        if wrong:
            broken.append((f"标签 {tag.show()} 中有全角字符：{'，'.join(wrong)}；请在英文输入状态下输入标签", tag.text))
        prefix = _PREFIX.match(tag.norm)
        tag.prefix = prefix.group(1) if prefix and opener != "{#" else ""
        if opener == "{%":
            body = tag.norm[2:-2]
            body = body[len(tag.prefix) :] if tag.prefix else body
            word = _KEYWORD.match(body.strip())
            tag.keyword = word.group(1) if word else ""
            tag.block_set = tag.keyword == "set" and not _ASSIGN.search(word.group(2) if word else "")
        tags.append(tag)
        at = end + 2
    return tags, broken


def expression_size(tag: Tag) -> tuple[int, int]:
    """How deep a tag's brackets nest and how many operators it chains, its strings left out."""
    body = _STRING.sub("''", tag.norm[2:-2])
    depth = deepest = 0
    for ch in body:
        if ch in "([{":
            depth += 1
            deepest = max(deepest, depth)
        elif ch in ")]}":
            depth -= 1
    return deepest, len(_OPERATOR.findall(body))


def _too_deep(part: Part, tags: list[Tag]) -> list[Problem]:
    problems = []
    for tag in tags:
        if tag.norm.startswith("{#"):
            continue
        brackets, operators = expression_size(tag)
        if brackets > MAX_BRACKETS:
            message = f"{TOO_DEEP}：{tag.show()} 中的括号嵌套了 {brackets} 层（最多 {MAX_BRACKETS} 层）"
        elif operators > MAX_OPERATORS:
            message = (
                f"{TOO_DEEP}：{tag.show()} 中有 {operators} 个过滤器或运算符（最多 {MAX_OPERATORS} 个）；"
                "请用几个 {% set %} 分步计算"
            )
        else:
            continue
        problems.append(_problem(part, tag, ERROR, message))
    return problems


def _problem(part: Part, tag: Tag, severity: str, message: str) -> Problem:
    return Problem(severity, part.where(tag.paragraph.element, tag.text), message, tag.paragraph.element)


def _container(tag: Tag, prefix: str) -> int | None:
    return {"tr": tag.paragraph.row, "tc": tag.paragraph.cell}.get(prefix, tag.paragraph.element)


def _docxtpl_deletions(part: Part, tags: list[Tag]) -> tuple[list[Tag], list[Problem]]:
    """docxtpl replaces a whole row, cell or paragraph by its last ``{%tr``/``{%tc``/``{%p`` tag (in that order):
    the tags that survive, and what is lost with the rest."""
    problems: list[Problem] = []
    live = list(tags)
    for prefix in ("tr", "tc", "p"):
        unit, whole = _UNITS[prefix]
        groups: dict[int, list[Tag]] = {}
        for tag in list(live):
            container = _container(tag, prefix)
            if container is None:
                if tag.prefix == prefix:
                    where = "表格的一行" if prefix == "tr" else "表格的单元格"
                    problems.append(_problem(part, tag, ERROR, f"{tag.show()} 只能写在{where}中"))
                    live.remove(tag)
                continue
            groups.setdefault(container, []).append(tag)
        for container, members in groups.items():
            prefixed = [t for t in members if t.prefix == prefix]
            if not prefixed:
                continue
            survivor = prefixed[-1]
            lost = [t for t in members if t is not survivor]
            text = survivor.paragraph.text if prefix == "p" else part.texts.get(container, "")
            for t in [survivor, *(t for t in lost if t.norm.startswith("{#"))]:  # a comment is meant to go
                text = text.replace(t.text, " ", 1)
            live = [t for t in live if t not in lost]
            statements = [t for t in lost if t.keyword]
            tag_word = f"{{%{prefix} %}}"
            if statements:
                message = (
                    f"这一{unit}中的标签 {statements[0].show()} 在生成时会被删除：含 {tag_word} 标签的{whole}由最后一个"
                    f" {tag_word} 标签代替；请把每个 {tag_word} 标签单独放在一{unit}"
                )
                problems.append(_problem(part, survivor, ERROR, message))
            elif text.strip():
                shown = excerpt(text, width=20)
                message = (
                    f"这一{unit}中的“{shown}”在生成时会被删除：含 {tag_word} 标签的{whole}由标签代替；"
                    f"请把文字移到另一{unit}"
                )
                problems.append(_problem(part, survivor, WARNING, message))
    return live, problems


def _structure(part: Part, tags: list[Tag], extension_tags: set[str]) -> list[Problem]:
    """Blocks opened and closed: an unclosed block at its opening tag, a stray end or else at itself."""
    problems: list[Problem] = []
    stack: list[Tag] = []
    known = {*BLOCKS, *(f"end{b}" for b in BLOCKS), *MIDDLES, *STANDALONE, *extension_tags}
    for tag in (t for t in tags if t.norm.startswith("{%")):
        word = tag.keyword
        if stack and stack[-1].keyword == "raw" and word != "endraw":
            continue
        if word in _UNITS or word == "r":  # {% p if … %}: docxtpl only knows {%p if … %}
            should = re.sub(r"\{%\s+", "{%", tag.norm, count=1)
            message = f"{tag.show()} 中 {word} 与 {{% 之间不能有空格：应写作 {excerpt(should, width=40)}"
            problems.append(_problem(part, tag, ERROR, message))
            found = _KEYWORD.match(tag.norm[2:-2].strip()[len(word) :].strip())
            tag.prefix, word = word, found.group(1) if found else ""
            tag.keyword = word  # read on as if corrected, so its end tag is not reported as well
        elif word not in known:
            better = difflib.get_close_matches(word, sorted(known), n=1, cutoff=0.6) if word else []
            suggestion = f"；您是否要写 {better[0]}？" if better else ("" if word else "：标签中没有内容")
            problems.append(_problem(part, tag, ERROR, f"未知的标签 {tag.show()}{suggestion}"))
            if not better:
                continue
            word = tag.keyword = better[0]
        if word in BLOCKS and (word != "set" or tag.block_set):
            stack.append(tag)
            if len(stack) == MAX_BLOCKS + 1:  # once, at the first tag too deep: the rest of the part is no better
                message = (
                    f"{TOO_DEEP}：{tag.show()} 处 {{% if %}}、{{% for %}} 等已嵌套 {len(stack)} 层"
                    f"（最多 {MAX_BLOCKS} 层）；请用 {{% elif %}} 或 {{% set %}} 减少嵌套"
                )
                problems.append(_problem(part, tag, ERROR, message))
        elif word in MIDDLES:
            top = stack[-1] if stack else None
            if top is None or top.keyword not in MIDDLES[word]:
                opens = " 或 ".join(f"{{% {b} … %}}" for b in MIDDLES[word])
                problems.append(_problem(part, tag, ERROR, f"{tag.show()} 前面没有对应的 {opens}"))
            elif top.prefix != tag.prefix:
                should = f"{{%{top.prefix} {word}{' …' if word == 'elif' else ''} %}}"
                problems.append(_problem(part, tag, ERROR, f"{tag.show()} 与 {top.show()} 不配套：应写作 {should}"))
        elif word.startswith("end") and word[3:] in BLOCKS:
            name = word[3:]
            opened = [i for i, t in enumerate(stack) if t.keyword == name]
            if not opened:
                problems.append(
                    _problem(part, tag, ERROR, f"多余的 {tag.show()}：前面没有对应的 {{%{tag.prefix} {name} … %}}")
                )
                continue
            for unclosed in stack[opened[-1] + 1 :]:
                problems.append(_problem(part, unclosed, ERROR, f"{unclosed.show()} 没有对应的 {unclosed.end}"))
            opener = stack[opened[-1]]
            del stack[opened[-1] :]
            if opener.prefix != tag.prefix:
                message = f"{tag.show()} 与 {opener.show()} 不配套：{opener.show()} 要用 {opener.end} 结束"
                problems.append(_problem(part, tag, ERROR, message))
    problems += [_problem(part, t, ERROR, f"{t.show()} 没有对应的 {t.end}") for t in stack]
    return problems


_LONE = ("if", "elif", "else", "endif", "for", "endfor")


def _lone_blocks(part: Part, tags: list[Tag]) -> list[Problem]:
    """A paragraph holding nothing but a plain {% if %} / {% for %} (or its else, end) prints as an empty paragraph
    of its own (a loop: one per item), a gap a reader sees; {%p … %} takes the paragraph with it."""
    by_paragraph: dict[int, list[Tag]] = {}
    for tag in tags:
        by_paragraph.setdefault(id(tag.paragraph), []).append(tag)
    problems = []
    for members in by_paragraph.values():
        paragraph = members[0].paragraph
        if paragraph.cell is not None or not all(t.prefix == "" and t.keyword in _LONE for t in members):
            continue
        rest = paragraph.text
        for t in members:
            rest = rest.replace(t.text, "", 1)
        if rest.strip():
            continue
        first = members[0]
        should = excerpt("{%p" + first.norm[2:], width=40)
        end = "endfor" if first.keyword in ("for", "endfor") else "endif"
        message = (
            f"这一段只有 {first.show()} 标签，生成后会留下一个空段落"
            f"{'（每一项一个）' if first.keyword == 'for' else ''}；整段只是控制标签时请写成 {should}，"
            f"对应的 {{% else %}}、{{% {end} %}} 也要写成 {{%p … %}} 并各占一段"
        )
        problems.append(_problem(part, first, WARNING, message))
    return problems


def _mixed_formats(part: Part, tags: list[Tag]) -> list[Problem]:
    """A {{ }} tag typed in runs that look different (half bold, another size): docxtpl prints the value with the
    first run's look, so what the author saw in Word is not what prints."""
    problems = []
    for tag in tags:
        if not tag.norm.startswith("{{") or len(tag.paragraph.runs) < 2:
            continue
        start = tag.paragraph.text.find(tag.text)
        if start < 0:
            continue
        end = start + len(tag.text)
        looks = {look for a, b, look in tag.paragraph.runs if a < end and b > start}
        if len(looks) > 1:
            message = (
                f"标签 {tag.show()} 的各部分格式不同（字体、字号、加粗或颜色）：生成时整个值按其中第一部分的格式印出；"
                "请选中整个标签，统一设置格式"
            )
            problems.append(_problem(part, tag, WARNING, message))
    return problems


def check_tags(part: Part, extension_tags: set[str]) -> list[Problem]:
    """Every problem the typed tags of one part show, in document order."""
    tags: list[Tag] = []
    problems: list[Problem] = []
    for paragraph in part.paragraphs:
        found, broken = paragraph_tags(paragraph)
        tags += found
        problems += [Problem(ERROR, part.where(paragraph.element, n), m, paragraph.element) for m, n in broken]
    live, deleted = _docxtpl_deletions(part, tags)
    told = problems + _too_deep(part, tags) + deleted + _structure(part, live, extension_tags)
    if any(p.severity == ERROR for p in told):  # a block that does not pair up: that first, its paragraphs after
        return told
    return told + _lone_blocks(part, live) + _mixed_formats(part, live)
