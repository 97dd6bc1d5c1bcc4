"""The package check counts a part only once its bytes could hold more than a limit (issue 19): what it refuses,
at which sheet and with which message, and the cells it finds, are those of counting everything (the exact path,
``_count_sheet`` summed over the sheets as before), on adversarial parts, with the limits made small."""

from __future__ import annotations

import io
import random
import zipfile
import zlib

import pytest

from pipeline.errors import InputError
from pipeline.model import schema
from pipeline.workbook import package
from pipeline.workbook.package import Tally, _count_form_sheet, _count_sheet, check_package
from pipeline.workbook.unused import worksheet_parts

PIECES = [b"<c", b":c", b"<row", b":row", b"<", b"x", b'<mergeCell ref="A1:B3"/>', b'<hyperlink ref="C1:C4"/>', b"r"]


def _answer(run: object) -> tuple[str, object]:
    try:
        return "ok", run()  # type: ignore[operator]
    except InputError as e:
        return "refused", str(e)


def _chunked(rng: random.Random, data: bytes) -> list[bytes]:
    chunks, at = [], 0
    while at < len(data):
        size = rng.randint(1, 40)
        chunks.append(data[at : at + size])
        at += size
    return chunks


def test_the_bounded_count_refuses_and_counts_as_counting_everything(monkeypatch: pytest.MonkeyPatch) -> None:
    rng = random.Random(191)
    for _ in range(3000):
        monkeypatch.setattr(schema, "MAX_CELLS", rng.randint(0, 60))
        monkeypatch.setattr(package, "MAX_STORED_ROWS", rng.randint(0, 12))
        monkeypatch.setattr(package, "CHUNK", rng.choice([8, 40, 200, 2**20]))
        pieces = rng.choice([PIECES, PIECES[:2], PIECES[2:4]])  # dense: each needle at its bytes' bound
        sheets = [
            _chunked(rng, b"".join(rng.choice(pieces) for _ in range(rng.randint(0, 30))))
            for _ in range(rng.randint(1, 5))
        ]

        def exact(sheets: list[list[bytes]] = sheets) -> int:
            total = 0
            for i, chunks in enumerate(sheets):
                total += _count_sheet(chunks, "f", f"s{i}", total)
            return total

        def bounded(sheets: list[list[bytes]] = sheets) -> int:
            tally = Tally()
            for i, chunks in enumerate(sheets):
                _count_form_sheet(chunks, "f", f"s{i}", tally)
            assert tally.bound >= tally.counted
            return tally.exact()

        assert _answer(bounded) == _answer(exact), sheets


def _zip(parts: dict[str, bytes]) -> zipfile.ZipFile:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in parts.items():
            z.writestr(name, data)
    out.seek(0)
    return zipfile.ZipFile(out)


@pytest.mark.parametrize("chunk", [7, 64, 2**20])
def test_a_part_is_refused_for_its_tags_or_strings_as_before(monkeypatch: pytest.MonkeyPatch, chunk: int) -> None:
    """Around the limits, held or counted: refused exactly where the count passes the limit."""
    monkeypatch.setattr(package, "CHUNK", chunk)
    monkeypatch.setattr(schema, "MAX_PART_TAGS", 40)
    monkeypatch.setattr(schema, "MAX_STRINGS", 20)
    for tags in range(30, 50):
        for closing in (0, 5):
            styles = b"<a>" * tags + b"</a>" * closing
            z = _zip({"[Content_Types].xml": b"<Types/>", "xl/styles.xml": styles})
            ends = range(min(chunk, len(styles)), len(styles) + chunk, chunk)  # where each chunk ends
            refused = any(styles[:e].count(b"<") - styles[:e].count(b"</") > 40 for e in ends)
            answer = _answer(lambda z=z: check_package(z, "f", set(), keep=True))
            assert (answer[0] == "refused") == refused, (tags, closing, answer)
            if refused:
                assert "xl/styles.xml" in str(answer[1])
    for items in range(15, 25):
        z = _zip({"xl/sharedStrings.xml": b"<sst>" + b"<si><t>a</t></si>" * items + b"</sst>"})
        answer = _answer(lambda z=z: check_package(z, "f", set(), keep=True))
        assert (answer[0] == "refused") == (items > 20), (items, answer)
        if items > 20:
            assert "共享文字表" in str(answer[1])


def test_the_package_keeps_every_part_and_counts_the_cells_it_held() -> None:
    """Package.cells counts the sheets held uncounted when asked: the exact sum."""
    sheet = b'<worksheet><sheetData><row r="1"><c r="A1"/><c r="B1"/></row></sheetData>'
    sheet += b'<mergeCells><mergeCell ref="A3:C4"/></mergeCells></worksheet>'
    book = (
        b'<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.'
        b'openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="A" r:id="r1"/></sheets></workbook>'
    )
    rels = (
        b'<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="r1" '
        b'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" '
        b'Target="worksheets/sheet1.xml"/></Relationships>'
    )
    z = _zip({"xl/workbook.xml": book, "xl/_rels/workbook.xml.rels": rels, "xl/worksheets/sheet1.xml": sheet})
    found = check_package(z, "f", {"A"}, keep=True)
    assert found.tally.held  # held, not counted
    assert found.cells == 2 + 6 == _count_sheet([sheet], "f", "A", 0)
    assert found.parts["xl/worksheets/sheet1.xml"] == sheet


def _checked(data: bytes) -> tuple[str, object]:
    def run() -> object:
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            found = check_package(z, "f", {"基本信息", "A"}, keep=True)
            assert found.sheets == worksheet_parts(z)  # of the bytes it read: as read through ZipFile again
            return found.parts, found.names, found.sheets, found.cells

    try:
        return _answer(run)
    except (zipfile.BadZipFile, zlib.error, EOFError, OSError, ValueError, NotImplementedError, KeyError) as e:
        return "zip error", type(e).__name__


def _mutants(rng: random.Random, data: bytes) -> list[bytes]:
    """The package with a byte or a few changed (in a part's data, a local header, its sizes or CRC), cut short,
    or with parts stored, and as written by zipfile with a data descriptor."""
    out = []
    for _ in range(300):
        changed = bytearray(data)
        for _ in range(rng.randint(1, 3)):
            changed[rng.randrange(len(data))] = rng.randrange(256)
        out.append(bytes(changed))
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        infos = z.infolist()
        for info in infos:  # each local header's fields: flags, method, CRC, sizes, name
            for at in range(info.header_offset + 6, info.header_offset + 30 + len(info.filename.encode())):
                changed = bytearray(data)
                changed[at] ^= 1 << rng.randrange(8)
                out.append(bytes(changed))
        stored = io.BytesIO()
        with zipfile.ZipFile(stored, "w") as copy:
            for info in infos:
                copy.writestr(
                    info.filename, z.read(info), compress_type=rng.choice([zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED])
                )
        out.append(stored.getvalue())
    out.append(data[: len(data) // 2])
    return out


def test_a_sheet_nobody_reads_left_uninflated_checks_as_inflated(monkeypatch: pytest.MonkeyPatch) -> None:
    """A sheet nobody reads left uninflated against inflated: the same parts, refusals and errors on damaged
    packages."""
    main = b"http://schemas.openxmlformats.org/spreadsheetml/2006/main"
    relations = b"http://schemas.openxmlformats.org/officeDocument/2006/relationships"
    parts = {
        "[Content_Types].xml": b"<Types/>" * 20,
        "xl/workbook.xml": b'<workbook xmlns="%s" xmlns:r="%s"><sheets><sheet name="A" r:id="r1"/><sheet name="B" r:id="r2"/></sheets>'
        b"</workbook>" % (main, relations),
        "xl/_rels/workbook.xml.rels": b'<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/'
        b'relationships"><Relationship Id="r1" Type="%s/worksheet" Target="worksheets/sheet1.xml"/><Relationship Id="r2" Type="%s/worksheet" Target="worksheets/sheet2.xml"/>'
        b"</Relationships>" % (relations, relations),
        "xl/styles.xml": b"<a>" * 300,
        "xl/worksheets/sheet1.xml": b'<worksheet><sheetData><row r="1"><c r="A1"/></row></sheetData></worksheet>' * 9,
        "docProps/app.xml": b"",
        "xl/worksheets/sheet2.xml": b"<worksheet><sheetData/></worksheet>" * 40,  # a sheet nobody reads
    }
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in parts.items():
            z.writestr(name, data)
    rng = random.Random(1916)
    for mutant in _mutants(rng, out.getvalue()):
        fast = _checked(mutant)
        monkeypatch.setattr(package, "_plain", lambda info: False)  # every unread sheet inflated, as before
        exact = _checked(mutant)
        monkeypatch.undo()
        assert fast == exact


def test_a_part_seen_lately_gives_the_answer_it_gave() -> None:
    """book_parts.Recent: the same answer for the same bytes, a fresh one for other bytes, within its bound."""
    from pipeline.workbook.book_parts import Recent

    calls: list[object] = []

    def make(data: object) -> object:
        calls.append(data)
        return ("made", data)

    recent = Recent(limit=10, largest=6)
    assert recent.get(b"abc", make) == ("made", b"abc") == recent.get(b"abc", make)
    assert calls == [b"abc"]
    recent.get(b"defg", make)
    recent.get(b"hijk", make)  # 3 + 4 + 4 > 10: the oldest goes
    assert list(recent.kept) == [b"defg", b"hijk"] and recent.size == 8
    recent.get(b"toolong", make)  # over ``largest``: answered, not kept
    recent.get(b"toolong", make)
    assert calls.count(b"toolong") == 2 and recent.size <= 10
    pair = (b"ab", b"c")
    assert recent.get(pair, make) == ("made", pair) and recent.get((b"a", b"bc"), make) == ("made", (b"a", b"bc"))
    assert recent.get(pair, make) == ("made", pair) and calls.count(pair) == 1  # by the parts, not their bytes joined


def test_the_surroundings_and_parts_seen_lately_read_as_parsed_anew() -> None:
    """A workbook read twice (its parts then seen lately) reads as the first time, and as with nothing kept."""
    from pipeline.workbook import book_parts
    from pipeline.workbook.reader import open_workbook

    from .conftest import SAMPLE

    first = open_workbook(SAMPLE)
    again = open_workbook(SAMPLE)
    book_parts.forget_parts()
    fresh = open_workbook(SAMPLE)
    assert first == again == fresh


@pytest.mark.parametrize(
    "around",
    [
        '<mergeCells count="2"><mergeCell ref="A1:C1"/><mergeCell ref="B3:B9"/></mergeCells>',
        '<hyperlinks><hyperlink ref="A1" location="x"/></hyperlinks>',
        '<conditionalFormatting sqref="A1"><cfRule type="cellIs" dxfId="7" priority="1"/></conditionalFormatting>',
        '<mergeCells><mergeCell ref="A1:ZZZZ1"/></mergeCells>',
        "",
    ],
)
def test_the_surroundings_checked_lately_check_as_anew(around: str) -> None:
    """sheet_stream's kept answers of _check_parts: the same merged ranges, or the same Unusual, as checked anew."""
    from pipeline.workbook import sheet_stream
    from pipeline.workbook.book_parts import Unusual

    from .test_read_speed_paths import _sample_styles

    main = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
    xml = (
        f'<worksheet xmlns="{main}"><sheetData><row r="1"><c r="A1"><v>1</v></c></row></sheetData>{around}</worksheet>'
    )

    def streamed() -> object:
        try:
            return sheet_stream.stream_sheet(xml.encode(), _sample_styles())
        except Unusual as e:
            return f"Unusual: {e}"

    first, again = streamed(), streamed()
    sheet_stream._PARTS.forget()
    assert first == again == streamed()


def test_a_sheet_nobody_reads_counts_toward_the_budget_as_before(monkeypatch: pytest.MonkeyPatch) -> None:
    """Around the budget of unpacked bytes, skipping the unread sheet where all parts fit refuses as inflating it."""
    main = b"http://schemas.openxmlformats.org/spreadsheetml/2006/main"
    relations = b"http://schemas.openxmlformats.org/officeDocument/2006/relationships"
    parts = {
        "xl/workbook.xml": b'<workbook xmlns="%s" xmlns:r="%s"><sheets><sheet name="S" r:id="r9"/></sheets></workbook>'
        % (main, relations),
        "xl/_rels/workbook.xml.rels": b'<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/'
        b'relationships"><Relationship Id="r9" Type="%s/worksheet" Target="worksheets/sheet9.xml"/></Relationships>'
        % relations,
        "xl/worksheets/sheet9.xml": b"<worksheet><sheetData/></worksheet>" * 50,
        "xl/styles.xml": b"<a/>" * 10,
    }
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in parts.items():
            z.writestr(name, data)
    total = sum(len(d) for d in parts.values())
    answers = set()
    for budget in range(total - 60, total + 3):
        monkeypatch.setattr(package, "MAX_UNPACKED", budget)
        fast = _checked(out.getvalue())
        with monkeypatch.context() as inflating:
            inflating.setattr(package, "_plain", lambda info: False)
            assert fast == _checked(out.getvalue()), budget
        answers.add(fast[0])
    assert answers == {"ok", "refused"}


def test_forget_parts_lets_go_of_every_part_kept() -> None:
    """What a web job's process must call between users (beside checks.text.forget_texts): nothing kept after."""
    from pipeline.workbook import book_parts, sheet_stream, unused
    from pipeline.workbook.reader import open_workbook

    from .conftest import SAMPLE

    open_workbook(SAMPLE)
    kept = [book_parts._PARSED, sheet_stream._RECENT, sheet_stream._PARTS, unused._RECENT]
    assert all(recent.kept for recent in kept)
    book_parts.forget_parts()
    assert not any(recent.kept or recent.size for recent in kept)
