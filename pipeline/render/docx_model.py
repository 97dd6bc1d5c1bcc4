"""What the HTML and Markdown writers read from a rendered report: its blocks in order, as plain data.

Paragraphs carry their resolved style (its display name: Title, Heading 1–3, Normal, Closing, Attachment,
Table Title …) and their inline content; tables carry the cells that start in each row, with Word's merges as row
and column spans (``grid()`` gives every position its covering cell).

Word comments (批注) are the document's ``comments``, in the order their reference signs appear in the body; each
piece of text knows which comments cover it, and the last piece a comment covers carries its reference sign.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

from .docx_styles import PageSetup, StyleFormat


@dataclass(frozen=True)
class Text:
    """A piece of text. ``comments``: the ids of the comments whose range covers it, outermost first; ``notes``: the
    ids of the comments whose reference sign follows it (where it is the last text a comment covers, or, for a comment
    that covers no text, an empty piece where its reference stands)."""

    text: str
    bold: bool = False
    comments: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()


@dataclass(frozen=True)
class Break:
    """``<w:br/>``: a line break, or with ``page`` a page break."""

    page: bool = False


@dataclass(frozen=True)
class Image:
    data: bytes
    content_type: str
    description: str
    width_mm: float | None = None
    height_mm: float | None = None


Inline = Text | Break | Image


@dataclass(frozen=True)
class Paragraph:
    style: StyleFormat
    inlines: tuple[Inline, ...]
    align: str | None = None  # set on the paragraph itself, overriding its style
    page_break_before: bool = False  # by the paragraph or its style

    @property
    def text(self) -> str:
        return "".join(i.text if isinstance(i, Text) else "\n" if isinstance(i, Break) else "" for i in self.inlines)


@dataclass(frozen=True)
class Cell:
    blocks: tuple[Block, ...]
    row: int
    col: int
    rowspan: int = 1
    colspan: int = 1
    align: str | None = None  # of its only paragraph, where that one sets it
    open_sides: tuple[str, ...] = ()  # "top"/"bottom" drawn without a border in the document

    @property
    def text(self) -> str:
        texts = (b.text if isinstance(b, Paragraph) else "\n".join(c.text for c in b.cells) for b in self.blocks)
        return "\n".join(texts)


@dataclass(frozen=True)
class Table:
    rows: tuple[tuple[Cell, ...], ...]  # each row holds the cells that start in it
    columns: int
    widths: tuple[int, ...] = ()  # grid column widths in twips, where the table declares them
    header_rows: int = 0  # leading rows Word repeats on each page

    @property
    def cells(self) -> Iterator[Cell]:
        return (c for row in self.rows for c in row)

    def grid(self) -> list[list[Cell | None]]:
        """Every grid position → the cell covering it (``None`` where a row is short)."""
        grid: list[list[Cell | None]] = [[None] * self.columns for _ in self.rows]
        for cell in self.cells:
            for r in range(cell.row, cell.row + cell.rowspan):
                for c in range(cell.col, min(cell.col + cell.colspan, self.columns)):
                    grid[r][c] = cell
        return grid


Block = Paragraph | Table


@dataclass(frozen=True)
class Comment:
    """A Word comment (批注): its ``w:id``, author, initials, and its paragraphs' text joined with line breaks."""

    id: str
    text: str
    author: str = ""
    initials: str = ""


@dataclass(frozen=True)
class Document:
    blocks: tuple[Block, ...]
    styles: dict[str, StyleFormat]
    page: PageSetup = field(default_factory=PageSetup)
    comments: tuple[Comment, ...] = ()  # those anchored in the body, in the order of their reference signs

    def comment_numbers(self) -> dict[str, int]:
        """Each comment's id → its number (1, 2, …) in reading order."""
        return {c.id: n for n, c in enumerate(self.comments, 1)}
