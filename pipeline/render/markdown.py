"""The report as Markdown (CommonMark with GitHub pipe tables), converted from the rendered .docx.

- Title is ``#``, Heading 1–3 are ``##``–``####``; Table Title is bold; a page break of the docx (before each 附件)
  is a thematic break ``---``; empty paragraphs are left out.
- Tables are pipe tables whose first row is the table's first row (a pipe table must have a header row). Merged
  cells: a cell merged **down** repeats its text in every row it covers, so that each row reads on its own (the
  一级指标 of each indicator stays beside it); so does a label that reads as merged down without being merged: a
  cell whose bottom border is off above empty cells whose top border is off (the 自评表's 绩效指标, a header cell of
  its own so that Word repeats it on each page); a cell merged **across** puts its text in its first column and
  leaves the columns it covers to the right empty.
- Text is escaped where Markdown would read it as markup: ``\\ ` * _ [ ] < > | ~ & $ #`` everywhere, and a line that
  would start a list, quote or heading. In a table cell, a line break or a second paragraph is ``<br>``. Every
  other character is written as itself: a full-width space (an indent typed as 　　) stays one, since CommonMark
  strips only ASCII spaces and tabs from a line's start.
- Images are inline data URIs.
- Word comments (批注): Markdown has no highlight, so the text a comment covers is followed by a footnote reference
  ``[^N]`` (after its last piece), and the footnotes ``[^N]: 审阅意见：…`` end the document (GitHub footnotes).
"""

from __future__ import annotations

import base64
import re
import unicodedata

from .docx_walk import Block, Break, Cell, Comment, Image, Paragraph, Table, Text, read_document

HEADING_LEVELS = {"Title": 1, "Heading 1": 2, "Heading 2": 3, "Heading 3": 4}
BOLD_STYLES = {"Table Title"}
_INLINE = re.compile(r"([\\`*_\[\]<>|~&$#])")
# what makes a line a list item, a setext underline or a thematic break (``*``, ``#`` and ``>`` are always escaped)
_BULLET = re.compile(r"^([-+=])")
_ORDERED = re.compile(r"^(\d{1,9})([.)])(?=\s|$)")
_DEFINITION = re.compile(r"(\[\^\d+\]):")  # a reference followed by a colon would define a footnote at a line start
_MARKER_START = re.compile(r"[-+=]|\d")  # where _BULLET or _ORDERED may match: most lines need neither


def docx_to_markdown(data: bytes, *, comments: bool = True) -> str:
    """The .docx in ``data`` as a Markdown document; ``comments=False`` leaves out its review comments (footnotes)."""
    document = read_document(data, comments=comments)
    numbers = document.comment_numbers()
    parts: list[str] = []
    for block in document.blocks:
        if isinstance(block, Table):
            parts.append(_table(block, numbers))
            continue
        if block.page_break_before and parts:
            parts.append("---")
        text = _paragraph(block, numbers)
        if text:
            parts.append(text)
    if document.comments:
        parts.append("\n".join(_footnote(n, c) for n, c in enumerate(document.comments, 1)))
    return "\n\n".join(parts) + "\n"


def _footnote(number: int, comment: Comment) -> str:
    lines = [line for line in escape("审阅意见：" + comment.text).split("\n") if line.strip()]
    return f"[^{number}]: " + "\\\n    ".join(lines)  # further lines: hard line breaks, indented into the footnote


def escape(text: str) -> str:
    """``text`` as Markdown that displays it literally, on one line or several (one per ``\\n``)."""
    return _line_starts(_INLINE.sub(_escaped, text))


def _escaped(match: re.Match[str]) -> str:
    """A markup character after a backslash: a function rather than a replacement template, which re expands
    through a Python call on every sub, matched or not."""
    return "\\" + match[1]


def _line_starts(text: str) -> str:
    """Each line without its leading ASCII blanks (they would indent; four make a code block) and with a list,
    heading or underline marker at its start escaped."""
    lines = (line.lstrip(" \t") for line in text.split("\n"))
    return "\n".join(_marker_escaped(line) for line in lines)


def _marker_escaped(line: str) -> str:
    if _MARKER_START.match(line) is None:
        return line
    return _ORDERED.sub(r"\1\\\2", _BULLET.sub(r"\\\1", line))


def _paragraph(p: Paragraph, numbers: dict[str, int]) -> str:
    level = HEADING_LEVELS.get(p.style.name)
    if level is not None:
        text = re.sub(r"\s+", " ", _inlines(p, numbers, line_break=" ")).strip()
        return "#" * level + " " + text if text else ""
    text = _trimmed(_line_starts(_inlines(p, numbers, line_break="\\\n")))
    return _strong(text) if text and p.style.name in BOLD_STYLES else text


def _inlines(p: Paragraph, numbers: dict[str, int], line_break: str) -> str:
    items = list(p.inlines)
    while items and isinstance(items[-1], Break):  # a break ending a paragraph would print as a backslash
        items.pop()
    parts: list[str] = []
    for item in items:
        if isinstance(item, Text):
            text = _INLINE.sub(_escaped, item.text.replace("\n", " "))
            parts.append(_strong(text) if item.bold and text.strip() else text)
            parts += [f"[^{numbers[c]}]" for c in item.notes if c in numbers]
        elif isinstance(item, Break):
            parts.append(line_break)
        elif isinstance(item, Image):
            parts.append(_image(item))
    return _DEFINITION.sub(r"\1\\:", "".join(parts)) if numbers else "".join(parts)


def _trimmed(text: str) -> str:
    """``text`` without the blanks around it, but for the full-width spaces it starts with (an indent the user
    typed, which Markdown keeps); "" where it holds nothing else."""
    return text.lstrip(" \t\n").rstrip() if text.strip() else ""


def _strong(text: str) -> str:
    """Bold text. ``**`` does not open or close next to punctuation or a space in CommonMark (“…”, （…）): there,
    the HTML tag, which always does."""
    edges = (text[0], text[-1])
    if any(unicodedata.category(c)[0] in "PSZ" or c in "\\" for c in edges):
        return f"<strong>{text}</strong>"
    return f"**{text}**"


def _image(image: Image) -> str:
    uri = f"data:{image.content_type};base64,{base64.b64encode(image.data).decode('ascii')}"
    return f"![{escape(image.description)}]({uri})"


def _cell_text(blocks: tuple[Block, ...], numbers: dict[str, int]) -> str:
    lines = []
    for block in blocks:
        if isinstance(block, Paragraph):
            lines.append(_line_starts(_inlines(block, numbers, line_break="\n")).replace("\n", "<br>"))
        else:  # a table inside a cell: its cells' text, row by row
            lines += [" ".join(_cell_text(c.blocks, numbers) for c in row) for row in block.rows]
    return "<br>".join(_trimmed(line) for line in lines if line.strip())


def _table(table: Table, numbers: dict[str, int]) -> str:
    grid = table.grid()
    rows = []
    above: list[tuple[Cell | None, str]] = [(None, "")] * table.columns  # each column's cell and text one row up
    for r, row in enumerate(grid):
        cells = []
        for c, cell in enumerate(row):
            # repeated down a vertical merge; only in its first column across a horizontal one
            if cell is None or cell.col != c:
                text = ""
            elif cell is above[c][0]:
                text = above[c][1]
            else:
                text = _cell_text(cell.blocks, numbers)
                if not text and _continues(above[c][0], cell):
                    text = above[c][1]  # no border between it and the label above: the label covers it
            cells.append(text)
            above[c] = (cell, text)
        rows.append("| " + " | ".join(cells) + " |")
        if r == 0:
            rows.append("|" + "---|" * table.columns)
    return "\n".join(rows)


def _continues(upper: Cell | None, cell: Cell) -> bool:
    """Whether ``cell`` is drawn as the lower part of ``upper``: no border between them, the same columns."""
    return (
        upper is not None
        and "bottom" in upper.open_sides
        and "top" in cell.open_sides
        and (upper.col, upper.colspan) == (cell.col, cell.colspan)
    )
