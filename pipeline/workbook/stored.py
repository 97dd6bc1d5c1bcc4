"""The number a date-formatted cell stores where no date can show it (issue 16 §4).

openpyxl reads a number in a date-formatted cell as a date; one beyond the dates (2958466, past 9999-12-31; 1E+20;
a negative number before year 1) it reads as the error value #VALUE!, and the number is gone. Excel shows such a
cell as a row of “#”, and the cell holds the number: a message must quote that, not an error value nobody typed.
This reads those numbers from the worksheet's XML, streaming (nothing kept but the few numbers out of range).
"""

from __future__ import annotations

import math
import zipfile
import zlib
from pathlib import Path

from lxml import etree

from .unused import worksheet_parts

MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
FIRST_DAY = -693593  # serial of 0001-01-01: openpyxl converts from here
LAST_DAY = 2958465.99999  # 9999-12-31 23:59:59, the last date openpyxl converts
MAX_KEPT = 10_000  # a sheet with more such numbers is garbage; the first ones are enough to quote


def beyond_dates(path: Path, sheet: str) -> dict[str, str]:
    """Cell reference → the number literal, for every number cell of ``sheet`` no date can show; {} when the part
    cannot be read (the readers already reported that)."""
    try:
        with zipfile.ZipFile(path) as z:
            member = worksheet_parts(z).get(sheet)
            if member is None:
                return {}
            with z.open(member) as fh:
                return _scan(fh)
    except (zipfile.BadZipFile, zlib.error, OSError, EOFError, etree.LxmlError, ValueError, RuntimeError, KeyError):
        return {}  # a damaged part: the readers report the damage; here it only means no number to quote


def _scan(fh: object) -> dict[str, str]:
    found: dict[str, str] = {}
    events = etree.iterparse(
        fh, events=("end",), tag=f"{MAIN}c", resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False
    )
    for _, c in events:
        if c.get("t", "n") == "n":
            literal = c.findtext(f"{MAIN}v")
            if literal and _beyond(literal.strip()):
                found[c.get("r", "")] = literal.strip()
                if len(found) >= MAX_KEPT:
                    break
        c.clear(keep_tail=False)
        parent = c.getparent()
        while parent is not None and c.getprevious() is not None:
            del parent[0]
    return found


def _beyond(literal: str) -> bool:
    try:
        number = float(literal)
    except ValueError:
        return False
    return not math.isfinite(number) or not FIRST_DAY <= number <= LAST_DAY
