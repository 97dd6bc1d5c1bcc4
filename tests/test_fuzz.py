"""Seeded fuzz test: a few hundred mutations of the sample (tests/fuzz_mutations.py) through build and validate.

Every case runs ``genreport build CASE -o out`` and ``genreport validate CASE --format json`` in-process and must:

1. raise nothing but SystemExit, and print no traceback (a lone surrogate, an exponent beyond the decimal context,
   a time or a merged range included: issue 16 §4);
2. exit with 0, 1 or 2, and build and validate agree on whether the workbook can be used;
3. leave ``out/`` absent or empty when the build fails (no report, no temp file, no hidden ``.*.tmp``), and hold
   the report alone when it succeeds;
4. leave the input byte-identical;
5. print only messages in Chinese, at most 500 characters a line, with no Python class name and no English
   library text; every JSON finding but a file-level one names its sheet; when the mutation changed one cell and
   the case fails, some error names that cell's sheet (a failure that does not name the cell itself is recorded
   as a ``CellNotNamed`` warning, not a failure);
6. print nothing in a report but the user's text and properly formatted figures: no Excel error value, no Python
   literal (True, False, None, nan, inf), no exponent notation, no -0.00, no run of more than 16 digits, no control
   character, and no invisible format character (zero-width space/joiner, BOM, bidirectional override).

On the last point: an invisible character is in the user's text, but the user cannot see it in Excel, cannot see
it in Word either, and a right-to-left override garbles the printed line; so one that reaches the report is a
failure, as a control character is. (The pipeline removes control characters with a warning; it could do the same.)

``GENREPORT_FUZZ_CASES=3000`` runs more cases, ``GENREPORT_FUZZ_SEED`` another set.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import traceback
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import docx
import pytest
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.oxml.ns import qn
from docx.text.paragraph import Paragraph
from openpyxl.utils import column_index_from_string
from openpyxl.utils.cell import coordinate_from_string
from typer.testing import CliRunner, Result

from pipeline.cli import app

from . import fuzz_mutations
from .fuzz_mutations import Mutation, visible

runner = CliRunner()
# A neutral name: the file name enters every message, and a year in it would be checked against 基本信息's 年度.
NAME = "fuzz.xlsx"
REPORT = "fuzz.docx"
MUTATIONS = fuzz_mutations.plan_cases()

FILE_LEVEL_CODES = {"E_UNREADABLE"}  # findings about the whole file: no sheet to name
MAX_LINE = 500
CHINESE = re.compile(r"[\u4e00-\u9fff]")
INTERNALS = re.compile(r"(?a:\b[A-Za-z_.]*(?:Error|Exception|Warning)\b)|内部错误类型|Traceback")
ENGLISH_SENTENCE = re.compile(r"[A-Za-z]+(?:[ ,.'’:;-]+[A-Za-z]+){3,}")  # four English words in a row: a library's
ERROR_LINE = re.compile(r"^错误：[^›：]*› (?P<sheet>[^!：]+)(?:!(?P<cell>[^：]+))?：")

REPORT_PATTERNS = {
    "Excel error value": re.compile("|".join(re.escape(e) for e in fuzz_mutations.ERROR_VALUES)),
    "Python literal": re.compile(r"(?<![A-Za-z])(?:True|False|None|nan|NaN|inf|Infinity)(?![A-Za-z])"),
    "exponent notation": re.compile(r"\d[eE][+-]?\d+"),
    "negative zero": re.compile(r"(?<![\d.])-0(?:\.0+)?(?![\d.])"),
    "more than 16 digits": re.compile(r"\d{17,}"),
}
# Never allowed, not even in the user's own text.
UNPRINTABLE = {
    "control character": re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]"),
    "lone surrogate": re.compile(r"[\ud800-\udfff]"),  # no file or terminal can hold one
    "invisible format character": re.compile(
        r"[\u200b\u200e\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff]"
        # a joiner outside an emoji sequence (inside one, as in 👨‍👩‍👧, it is part of the character)
        r"|(?<![\u2600-\u27bf\ufe0f\U0001f000-\U0001faff])[\u200c\u200d]|[\u200c\u200d](?![\u2600-\u27bf\ufe0f\U0001f000-\U0001faff])"
    ),
}


class CellNotNamed(UserWarning):
    """A one-cell mutation failed the build, and the findings name its sheet but not its cell."""


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


# openpyxl's own note that a date-formatted cell holds no date (it reads it as #VALUE!): expected, not news
@pytest.mark.filterwarnings("ignore:Cell .* is marked as a date:UserWarning")
@pytest.mark.parametrize("mutation", MUTATIONS, ids=[m.case_id for m in MUTATIONS])
def test_fuzz(mutation: Mutation) -> None:
    path = Path(NAME)  # the test runs in its own temporary folder (conftest.py)
    path.write_bytes(mutation.make())
    before = _sha(path)
    build = runner.invoke(app, ["build", NAME, "-o", "out"])
    validate = runner.invoke(app, ["validate", NAME, "--format", "json"])

    problems = [*_crashes("build", build), *_crashes("validate", validate)]
    if (
        build.exit_code in (0, 1, 2)
        and validate.exit_code in (0, 1, 2)
        and (build.exit_code == 0) != (validate.exit_code == 0)
    ):
        problems.append(f"build exits {build.exit_code} but validate exits {validate.exit_code}")
    problems += _outputs(build.exit_code)
    if _sha(path) != before:
        problems.append("the input file was modified")
    # after a crash, a missing JSON array or an unnamed sheet is only its echo
    findings = _findings(validate, problems) if not _raised(validate) else []
    for stream, text in (("build stderr", build.stderr), ("build stdout", build.stdout)):
        problems += [f"{stream}: {p}" for line in text.splitlines() for p in _message_problems(line)]
    for f in findings:
        problems += [f"validate finding {f.get('code')}: {p}" for p in _message_problems(str(f.get("message", "")))]
        if f.get("code") not in FILE_LEVEL_CODES and not f.get("sheet"):
            problems.append(f"validate finding names no sheet: {_clip(json.dumps(f, ensure_ascii=False))}")
    if mutation.sheet and build.exit_code != 0 and not _raised(build):
        problems += _place_problems(mutation, build, findings)
    if build.exit_code == 0 and Path("out", REPORT).exists():
        problems += _report_problems(Path("out", REPORT), mutation)

    if problems:
        pytest.fail(f"{mutation.case_id}: {mutation.description}\n  - " + "\n  - ".join(problems), pytrace=False)


def _raised(result: Result) -> bool:
    return result.exception is not None and not isinstance(result.exception, SystemExit)


def _crashes(command: str, result: Result) -> list[str]:
    out = []
    exception = result.exception
    if exception is not None and not isinstance(exception, SystemExit):
        frames = "".join(traceback.format_exception(exception)[-3:]).rstrip()  # where it was raised, and what
        out.append(f"{command} raised {exception!r}:\n{frames}")
    if "Traceback" in result.stdout + result.stderr:
        out.append(f"{command} printed a traceback")
    if result.exit_code not in (0, 1, 2):
        out.append(f"{command} exit status {result.exit_code}")
    return out


def _outputs(exit_code: int) -> list[str]:
    out = Path("out")
    found = sorted(os.listdir(out)) if out.is_dir() else []
    if exit_code != 0 and found:
        return [f"build failed but left in out/: {found}"]
    if exit_code == 0 and found != [REPORT]:
        return [f"build succeeded but out/ holds {found}, not the report alone"]
    return []


def _findings(validate: Result, problems: list[str]) -> list[dict[str, Any]]:
    try:
        findings = json.loads(validate.stdout)
    except json.JSONDecodeError:
        problems.append(f"validate --format json printed no JSON: {_clip(validate.stdout)!r}")
        return []
    return findings if isinstance(findings, list) else []


def _message_problems(line: str) -> list[str]:
    if not line.strip():
        return []
    out = []
    if not CHINESE.search(line):
        out.append("no Chinese")
    internal = INTERNALS.search(line) or ENGLISH_SENTENCE.search(line)
    if internal:
        out.append(f"internal detail “{internal.group(0)}”")
    if re.search(r"[\ud800-\udfff]", line):
        out.append("a lone surrogate")
    if len(line) > MAX_LINE:
        out.append(f"{len(line)} characters long")
    return [f"{p}: {_clip(line)}" for p in out]


def _place_problems(mutation: Mutation, build: Result, findings: list[dict[str, Any]]) -> list[str]:
    """The failure of a mutation that changed one sheet (or one cell) must be found on that sheet."""
    places = {(f.get("sheet", ""), f.get("cell", "")) for f in findings if f.get("severity") == "error"}
    for line in build.stderr.splitlines():
        m = ERROR_LINE.match(line)
        if m:
            places.add((m["sheet"], m["cell"] or ""))
    if not any(sheet == mutation.sheet for sheet, _ in places):
        errors = [line for line in build.stderr.splitlines() if line.startswith("错误：")]
        return [f"the build failed, but no error names sheet “{mutation.sheet}”: {_clip(' | '.join(errors))}"]
    if mutation.cell and not any(sheet == mutation.sheet and _covers(cell, mutation.cell) for sheet, cell in places):
        named = sorted(f"{s}!{c}" for s, c in places if s == mutation.sheet)
        warnings.warn(
            CellNotNamed(f"{mutation.case_id}: {mutation.description}: errors name {named}, not {mutation.cell}"),
            stacklevel=2,
        )
    return []


def _covers(ref: str, cell: str) -> bool:
    """Whether a finding's reference (B3, A:A, 2:2, A1:C3) takes in ``cell``."""
    if not ref:
        return False
    letters, row = coordinate_from_string(cell)
    column = column_index_from_string(letters)
    first, _, last = ref.partition(":")
    last = last or first
    bounds = []
    for end, part in enumerate((first, last)):
        m = re.fullmatch(r"([A-Z]*)(\d*)", part)
        if not m:
            return False
        col = column_index_from_string(m[1]) if m[1] else (1 if end == 0 else 16384)
        r = int(m[2]) if m[2] else (1 if end == 0 else 1048576)
        bounds.append((col, r))
    (c1, r1), (c2, r2) = bounds
    return c1 <= column <= c2 and r1 <= row <= r2


def report_paragraphs(path: Path) -> Iterator[str]:
    """Every paragraph of the report: body and table cells in document order, then headers and footers."""
    document = docx.Document(str(path))
    for p in document.element.body.iter(qn("w:p")):
        yield Paragraph(p, document).text
    for rel in document.part.rels.values():
        if rel.reltype in (RT.HEADER, RT.FOOTER, RT.FOOTNOTES, RT.ENDNOTES):
            for p in rel.target_part.element.iter(qn("w:p")):
                yield Paragraph(p, document).text


def _report_problems(path: Path, mutation: Mutation) -> list[str]:
    out = []
    for number, text in enumerate(report_paragraphs(path), start=1):
        for what, pattern in UNPRINTABLE.items():
            out += [f"report paragraph {number}: {what} {_context(text, m)}" for m in pattern.finditer(text)]
        mine = text
        for typed in mutation.typed_text:  # the user's own words print as typed, even “1e5”; not “-0” in “-0.00”
            # a plain number must stand alone (“-0” is not the user's in “-0.00”); other text may touch digits
            # the template puts after it (“1e400” + “2022年部门决算”)
            bounded = re.fullmatch(r"[-+]?[\d.]+", typed) is not None
            pattern = rf"(?<![\d.]){re.escape(typed)}(?![\d.])" if bounded else re.escape(typed)
            mine = re.sub(pattern, lambda m: "\0" * len(m.group(0)), mine)
        for what, pattern in REPORT_PATTERNS.items():
            out += [f"report paragraph {number}: {what} {_context(text, m)}" for m in pattern.finditer(mine)]
    return out


def _context(text: str, m: re.Match[str]) -> str:
    """The match, and the text around it, with invisible characters spelled out."""
    start, end = max(0, m.start() - 30), min(len(text), m.end() + 30)
    return f"“{_clip(visible(m.group(0)), 60)}” in “{_clip(visible(text[start:end]), 160)}”"


def _clip(text: str, limit: int = 300) -> str:
    return text if len(text) <= limit else f"{text[:limit]}…（{len(text)} characters）"
