"""The cells of a long sheet that sheet_stream's grammar takes without a further look, matched apart (issue 19 §3).

sheet_stream cuts every cell into ten groups (``_CELL``) and then discards nearly all of them: 110,000 cells of
20,000 projects, each made into several bytes objects, to learn that they are unstyled numbers, shared strings or
inline strings that calamine reads as openpyxl does. The pattern here matches exactly those cells: each alternative
is a form ``_CELL`` matches with the same extent and ``_ordinary`` passes over without noting anything (a number
whose style is neither a date's nor a percentage's, a shared string's index below the number of strings, an inline
string calamine does not trim or unescape, a blank cell but an error's); only the cell's reference is kept. What it
does not match is left in place for ``_CELL`` as before, so a cell it declines costs nothing but the other path.

A cell's content never holds "<c" (neither grammar lets it), so the cells this pattern matches and the ones
``_CELL`` matches in what is left are exactly the ones ``_CELL`` matches in the whole sheet.
"""

from __future__ import annotations

import functools
import re

from ..cache import content_pattern

MARK = b"<\x00>"  # stands for a matched cell: no cell pattern reads past a "<" that starts no tag they know
_TEXT_MAX = 1_000_000  # lxml (huge_tree off) refuses a text of 10 MB; far below that, scan_sheet decides
_REF = rb'<c r="([A-Z]{1,3}[1-9][0-9]{0,6})"'
_NUMBER = rb"-?(?:[0-9]{1,15}|(?=[0-9.]{3,16}</v>)[0-9]+\.[0-9]*[1-9][0-9]*)"  # cells._PLAIN, up to its </v>


def below(n: int) -> bytes:
    """A pattern of the numbers 0 … n-1 written as _STYLE_ID takes them (no leading zero)."""
    if n <= 0:
        return b"(?!)"
    top = str(n - 1)
    if len(top) == 1:
        return b"[0-%s]" % top.encode()
    shorter = [b"0", b"[1-9][0-9]{0,%d}" % (len(top) - 2)]
    same: list[bytes] = []
    for i, digit in enumerate(top):
        low = 1 if i == 0 else 0
        if int(digit) > low:
            rest = len(top) - i - 1
            tail = b"[0-9]{%d}" % rest if rest else b""
            same.append(top[:i].encode() + b"[%d-%d]" % (low, int(digit) - 1) + tail)
    same.append(top.encode())
    return b"(?:" + b"|".join(shorter + same) + b")"


def _styles(count: int, excluded: frozenset[int]) -> bytes:
    """The style ids below ``count`` but ``excluded``."""
    if not excluded:
        return below(count)
    return b"(?!(?:" + b"|".join(str(i).encode() for i in sorted(excluded)) + b')")' + below(count)


@functools.lru_cache(maxsize=32)
def common_cells(count: int, excluded: frozenset[int], strings: int, escapes: bool) -> re.Pattern[bytes] | None:
    """The pattern of the cells described above, its one group a cell's reference; ``count``: the number of
    styles, ``excluded``: the styles whose numbers _ordinary looks at (a date's, a percentage's), ``strings``: the
    number of shared strings, ``escapes``: whether the sheet holds an "_x" (then an inline string is looked at)."""
    if len(excluded) > 256:
        return None  # a lookahead this long would cost more than it saves
    style = rb' s="' + below(count) + b'"'
    number_style = rb' s="' + _styles(count, excluded) + b'"'
    number = (
        (b"(?:" + number_style + b")" + (b"?" if 0 not in excluded else b""))
        + rb'(?: t="n")?><v>'
        + _NUMBER
        + rb"</v></c>"
    )
    shared = b"(?:" + style + rb')? t="s"><v>' + below(strings) + rb"</v></c>"
    blank = b"(?:" + style + rb')?(?: t="(?!e")[A-Za-z]{1,9}")?(?:/>|></c>)'
    forms = [number, shared, blank]
    if not escapes:  # first: most cells of a long list are text
        text = b"[^<]{0,%d}+" % _TEXT_MAX
        forms.insert(
            0,
            b"(?:"
            + style
            + rb')? t="inlineStr"><is><t(?: xml:space="preserve">'
            + text
            + rb"|>(?![ \t\n])"
            + text
            + rb"(?<![ \t\n]))</t></is></c>",
        )
    return content_pattern(_REF + b"(?:" + b"|".join(forms) + b")")  # one per workbook's styles: not kept


def split_common(body: bytes, pattern: re.Pattern[bytes]) -> tuple[bytes, list[bytes]]:
    """``body`` with each run of the pattern's cells (and the row tags between them) kept, each cell a MARK, and
    the references of the cells it matched, in document order."""
    pieces = pattern.split(body)
    between = pieces[0::2]
    if len(between) == 1:
        return body, []
    # a run of cells with nothing between them is one MARK: the grammar takes one cell wherever it takes several
    kept = [between[0], *filter(None, between[1:-1]), between[-1]]
    return MARK.join(kept), pieces[1::2]
