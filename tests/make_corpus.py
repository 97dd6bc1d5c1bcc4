"""A corpus of bad and odd workbooks, each made from the sample ``inputs/2022.xlsx`` and named after its fault.

Nothing here is committed as a binary: every case is regenerated from the sample, by openpyxl edits or by
rewriting the bytes of the .xlsx package, so each fault is readable below.

    python tests/make_corpus.py OUTDIR          # write every case into OUTDIR for review
    python tests/make_corpus.py OUTDIR NAME...  # only the named cases

Tests import ``CASES`` / ``write_case`` and generate into their own temporary folder.
"""

from __future__ import annotations

import datetime as dt
import functools
import io
import itertools
import re
import struct
import sys
import zipfile
from collections.abc import Callable
from pathlib import Path

import openpyxl
from openpyxl.worksheet.worksheet import Worksheet

from pipeline.model import schema

SAMPLE = Path(__file__).resolve().parent.parent / "inputs" / "2022.xlsx"

Writer = Callable[[Path], None]
CASES: dict[str, Writer] = {}
# cases that need an optional package; skipped (with a note) when it is not installed
OPTIONAL: dict[str, str] = {"encrypted_password.xlsx": "msoffcrypto"}


def case(name: str) -> Callable[[Writer], Writer]:
    def register(writer: Writer) -> Writer:
        CASES[name] = writer
        return writer

    return register


def write_case(name: str, outdir: Path) -> Path:
    path = outdir / name
    CASES[name](path)
    return path


def generate(outdir: Path, names: list[str] | None = None) -> list[Path]:
    outdir.mkdir(parents=True, exist_ok=True)
    written = []
    for name in names or list(CASES):
        module = OPTIONAL.get(name)
        if module and not _importable(module):
            print(f"skipped {name}: needs {module}", file=sys.stderr)
            continue
        written.append(write_case(name, outdir))
    return written


def _importable(module: str) -> bool:
    try:
        __import__(module)
    except ImportError:
        return False
    return True


# ---------------------------------------------------------------- helpers


def _edited(path: Path, edit: Callable[[openpyxl.Workbook], None]) -> None:
    """The sample, changed by ``edit`` and saved with openpyxl (which stores no formula results)."""
    wb = openpyxl.load_workbook(SAMPLE)
    edit(wb)
    wb.save(path)


def _sample_bytes(edit: Callable[[openpyxl.Workbook], None] | None = None) -> bytes:
    wb = openpyxl.load_workbook(SAMPLE)
    if edit:
        edit(wb)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _rezip(data: bytes, change: Callable[[str, bytes], bytes], extra: dict[str, bytes] | None = None) -> bytes:
    """Rewrite an .xlsx package member by member: ``change(name, content)`` returns the new content."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            dst.writestr(info.filename, change(info.filename, src.read(info.filename)))
        for name, content in (extra or {}).items():
            dst.writestr(name, content)
    return out.getvalue()


@functools.cache
def _sheet_part(name: str) -> str:
    """The package member openpyxl writes for sheet ``name`` (sheets are numbered in workbook order)."""
    names = openpyxl.load_workbook(SAMPLE, read_only=True).sheetnames
    return f"xl/worksheets/sheet{names.index(name) + 1}.xml"


def _cfb(streams: dict[str, bytes]) -> bytes:
    """A minimal OLE compound file (CFB v3): the container of .xls and of password-protected .xlsx.

    Sector 0 holds the FAT, sector 1 the directory, then each stream padded to 4096 bytes or more so that it
    lives in the regular FAT (no mini stream). At most three streams (one directory sector holds four entries).
    """
    assert 1 <= len(streams) <= 3
    endofchain, freesect, fatsect, nostream = 0xFFFFFFFE, 0xFFFFFFFF, 0xFFFFFFFD, 0xFFFFFFFF
    fat = [fatsect, endofchain]
    body = b""
    entries = []
    # siblings in CFB order (shorter names first), chained to the right under the root
    names = sorted(streams, key=lambda n: (len(n), n.upper()))
    for i, name in enumerate(names):
        data = streams[name].ljust(max(4096, -(-len(streams[name]) // 512) * 512), b"\0")
        start = len(fat)
        count = len(data) // 512
        fat += [*range(start + 1, start + count), endofchain]
        right = i + 2 if i + 1 < len(names) else nostream
        entries.append(_dir_entry(name, 2, nostream, right, nostream, start, len(data)))
        body += data
    assert len(fat) <= 128
    root = _dir_entry("Root Entry", 5, nostream, nostream, 1, endofchain, 0)
    directory = b"".join([root, *entries]).ljust(512, b"\0")
    header = struct.pack(
        "<8s16sHHHHH6sIIIIIIIII",
        b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1",
        b"\0" * 16,
        0x3E,  # minor version
        3,  # major version: 512-byte sectors
        0xFFFE,  # byte order
        9,  # sector shift
        6,  # mini sector shift
        b"\0" * 6,
        0,  # directory sectors (always 0 in v3)
        1,  # FAT sectors
        1,  # first directory sector
        0,  # transaction signature
        4096,  # mini stream cutoff
        endofchain,  # first mini FAT sector
        0,  # mini FAT sectors
        endofchain,  # first DIFAT sector
        0,  # DIFAT sectors
    ) + struct.pack("<109I", 0, *[freesect] * 108)
    fat_sector = struct.pack("<128I", *fat, *[freesect] * (128 - len(fat)))
    return header + fat_sector + directory + body


def _dir_entry(name: str, kind: int, left: int, right: int, child: int, start: int, size: int) -> bytes:
    encoded = (name + "\0").encode("utf-16-le")
    return struct.pack(
        "<64sHBBIII16sIQQIQ", encoded, len(encoded), kind, 1, left, right, child, b"\0" * 16, 0, 0, 0, start, size
    )


# A BIFF8 workbook stream: BOF (workbook globals) then EOF, as Excel 97-2003 writes it.
BIFF8_BOF = struct.pack("<HHHHHHII", 0x0809, 16, 0x0600, 0x0005, 0x0DBB, 0x07CC, 0, 0x06) + struct.pack("<HH", 0x0A, 0)

# ECMA-376 agile encryption: what Excel and WPS write when a password is set on an .xlsx.
ENCRYPTION_INFO = b"\x04\x00\x04\x00\x40\x00\x00\x00" + (
    b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\r\n'
    b'<encryption xmlns="http://schemas.microsoft.com/office/2006/encryption"><keyData saltSize="16" '
    b'blockSize="16" keyBits="256" hashSize="64" cipherAlgorithm="AES" cipherChaining="ChainingModeCBC" '
    b'hashAlgorithm="SHA512" saltValue="AAAAAAAAAAAAAAAAAAAAAA=="/></encryption>'
)

LAUGHS = (
    '<!DOCTYPE lolz [<!ENTITY lol "lol">'
    + "".join(f'<!ENTITY lol{i} "{f"&lol{i - 1};" * 10 if i > 1 else "&lol;" * 10}">' for i in range(1, 10))
    + "]>"
)


def _with_doctype(xml: bytes, doctype: str, text: str, replacement: str) -> bytes:
    """Put ``doctype`` before the root element and ``replacement`` (an entity reference) in place of ``text``."""
    s = xml.decode("utf-8")
    s = re.sub(r"^(<\?xml[^>]*\?>\s*)?", lambda m: (m.group(0) or "") + doctype, s, count=1)
    assert text in s, text
    return s.replace(text, replacement, 1).encode("utf-8")


# ---------------------------------------------------------------- 1. not a workbook


@case("empty_file.xlsx")
def _empty(path: Path) -> None:
    path.write_bytes(b"")


@case("csv_renamed.xlsx")
def _csv(path: Path) -> None:
    path.write_text("项目,年末数\n资产总额,6391.1\n负债总额,1229.23\n", encoding="utf-8")


@case("truncated_zip.xlsx")
def _truncated(path: Path) -> None:
    data = SAMPLE.read_bytes()
    path.write_bytes(data[: len(data) // 2])  # a download or copy cut off half-way


def _member_start(data: bytes, info: zipfile.ZipInfo) -> int:
    """Offset of a member's (compressed) bytes: after its local header, name and extra field."""
    name_len, extra_len = struct.unpack("<HH", data[info.header_offset + 26 : info.header_offset + 30])
    return info.header_offset + 30 + name_len + extra_len


@case("bad_crc.xlsx")
def _bad_crc(path: Path) -> None:
    """One worksheet stored uncompressed with one byte changed: still valid XML, but its checksum is wrong."""
    part = _sheet_part(schema.ASSETS.name)
    out = io.BytesIO()
    with zipfile.ZipFile(SAMPLE) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            dst.writestr(info.filename, src.read(info.filename), zipfile.ZIP_STORED if info.filename == part else None)
    data = bytearray(out.getvalue())
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        start = _member_start(data, z.getinfo(part))
    at = data.index(b"<sheetData>", start)
    data[at + 1 : at + 2] = b"S"  # <SheetData>: a checksum error, not an XML one, is what must be reported
    path.write_bytes(bytes(data))


@case("corrupt_deflate.xlsx")
def _corrupt_deflate(path: Path) -> None:
    """The zip directory is intact but one worksheet's compressed data is garbage (an invalid deflate block)."""
    data = bytearray(SAMPLE.read_bytes())
    with zipfile.ZipFile(SAMPLE) as z:
        info = z.getinfo(_sheet_part(schema.ASSETS.name))
    assert info.compress_type == zipfile.ZIP_DEFLATED
    data[_member_start(data, info)] = 0x07  # BFINAL=1, BTYPE=11: a reserved block type every inflater rejects
    path.write_bytes(bytes(data))


@case("zip_without_workbook.xlsx")
def _plain_zip(path: Path) -> None:
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("说明.txt", "这是一个普通的压缩包，不是工作簿。")


@case("encrypted_cfb.xlsx")
def _encrypted_cfb(path: Path) -> None:
    """The container a password-protected .xlsx really is, with its two streams (content not decryptable)."""
    path.write_bytes(_cfb({"EncryptionInfo": ENCRYPTION_INFO, "EncryptedPackage": struct.pack("<Q", 4096)}))


@case("encrypted_password.xlsx")
def _encrypted_real(path: Path) -> None:
    """The sample encrypted with the password “genreport”, as Excel would (needs msoffcrypto-tool)."""
    from msoffcrypto.format.ooxml import OOXMLFile

    with SAMPLE.open("rb") as src, path.open("wb") as dst:
        OOXMLFile(src).encrypt("genreport", dst)


@case("billion_laughs_shared_strings.xlsx")
def _laughs_sst(path: Path) -> None:
    """An entity-expansion bomb in a shared-strings part (openpyxl writes inline strings, so add one)."""
    sst = (
        f'<?xml version="1.0" encoding="UTF-8"?>{LAUGHS}'
        '<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="1" uniqueCount="1">'
        "<si><t>&lol9;</t></si></sst>"
    ).encode()

    def change(name: str, content: bytes) -> bytes:
        if name == "[Content_Types].xml":
            return content.replace(
                b"</Types>",
                b'<Override PartName="/xl/sharedStrings.xml" ContentType="application/'
                b'vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/></Types>',
            )
        if name == "xl/_rels/workbook.xml.rels":
            return content.replace(
                b"</Relationships>",
                b'<Relationship Id="rIdSst" Target="sharedStrings.xml" Type="http://schemas.openxmlformats.org/'
                b'officeDocument/2006/relationships/sharedStrings"/></Relationships>',
            )
        return content

    path.write_bytes(_rezip(SAMPLE.read_bytes(), change, {"xl/sharedStrings.xml": sst}))


@case("billion_laughs_worksheet.xlsx")
def _laughs_sheet(path: Path) -> None:
    part = _sheet_part(schema.OFFICES.name)

    def change(name: str, content: bytes) -> bytes:
        return _with_doctype(content, LAUGHS, "<t>办公室</t>", "<t>&lol9;</t>") if name == part else content

    path.write_bytes(_rezip(SAMPLE.read_bytes(), _unescaped(change)))


@case("external_entity_worksheet.xlsx")
def _xxe(path: Path) -> None:
    """An external entity (XXE) that would pull a local file into a cell."""
    part = _sheet_part(schema.OFFICES.name)
    doctype = '<!DOCTYPE w [<!ENTITY xxe SYSTEM "file:///etc/hostname">]>'

    def change(name: str, content: bytes) -> bytes:
        return _with_doctype(content, doctype, "<t>办公室</t>", "<t>&xxe;</t>") if name == part else content

    path.write_bytes(_rezip(SAMPLE.read_bytes(), _unescaped(change)))


def _unescaped(change: Callable[[str, bytes], bytes]) -> Callable[[str, bytes], bytes]:
    """openpyxl writes non-ASCII text as character references; undo that so the edits can find “办公室”."""

    def wrapped(name: str, content: bytes) -> bytes:
        if name.startswith("xl/worksheets/sheet"):
            content = re.sub(rb"&#(\d{3,});", lambda m: chr(int(m[1])).encode("utf-8"), content)  # non-ASCII only
        return change(name, content)

    return wrapped


# ---------------------------------------------------------------- 2. old and foreign formats


@case("old_excel_97.xls")
def _xls(path: Path) -> None:
    path.write_bytes(_cfb({"Workbook": BIFF8_BOF}))


@case("xls_renamed.xlsx")
def _xls_renamed(path: Path) -> None:
    """An Excel 97-2003 file whose extension was changed by hand: the container of .xls, not a password."""
    path.write_bytes(_cfb({"Workbook": BIFF8_BOF}))


def _ods_bytes() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr(zipfile.ZipInfo("mimetype"), "application/vnd.oasis.opendocument.spreadsheet")  # stored, first
        z.writestr(
            "META-INF/manifest.xml",
            '<?xml version="1.0" encoding="UTF-8"?><manifest:manifest '
            'xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.2">'
            '<manifest:file-entry manifest:full-path="/" '
            'manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/>'
            '<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>'
            "</manifest:manifest>",
        )
        z.writestr(
            "content.xml",
            '<?xml version="1.0" encoding="UTF-8"?><office:document-content '
            'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
            'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
            'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.2">'
            '<office:body><office:spreadsheet><table:table table:name="基本信息"><table:table-row>'
            "<table:table-cell><text:p>单位名称</text:p></table:table-cell></table:table-row></table:table>"
            "</office:spreadsheet></office:body></office:document-content>",
        )
    return out.getvalue()


@case("opendocument.ods")
def _ods(path: Path) -> None:
    path.write_bytes(_ods_bytes())


@case("ods_renamed.xlsx")
def _ods_renamed(path: Path) -> None:
    path.write_bytes(_ods_bytes())


# ---------------------------------------------------------------- 3. formulas


# Each formula computes the figure the sample has typed there, so a build that reads cached values matches the sample.
FORMULAS = {
    (schema.FUNCTIONS.name, "D3"): ("=SUM(D4:D9)", "3470.69"),  # 住房保障支出 = its lines below
    (schema.THREE_PUBLIC.name, "C3"): ("=SUM(C4:C5,C8)", "7"),  # “三公”经费合计 / 预算数
    (schema.PROJECTS.name, "C4"): ("=B4-28.76", "50"),  # 已支付 of the second project
}


def _formulas(wb: openpyxl.Workbook) -> None:
    for (sheet, ref), (formula, _) in FORMULAS.items():
        wb[sheet][ref] = formula


@case("formula_without_cached_value.xlsx")
def _formula_uncached(path: Path) -> None:
    _edited(path, _formulas)


@case("formula_with_cached_value.xlsx")
def _formula_cached(path: Path) -> None:
    """The same formulas with the results Excel or WPS would have stored on save."""

    parts = {key: _sheet_part(key[0]) for key in FORMULAS}

    def change(name: str, content: bytes) -> bytes:
        for (sheet, ref), (_, value) in FORMULAS.items():
            if name == parts[(sheet, ref)]:
                content, n = re.subn(
                    rf'(<c r="{ref}"[^>]*><f>[^<]*</f>)<v\s*/?>(</v>)?'.encode(),
                    rb"\1<v>" + value.encode() + b"</v>",
                    content,
                )
                assert n == 1, (name, ref)
        return content

    path.write_bytes(_rezip(_sample_bytes(_formulas), change))


# ---------------------------------------------------------------- 4. merged cells and blank rows


def _rewrite_list(ws: Worksheet, rows: list[list[object] | None]) -> None:
    """Replace the data rows of a list sheet; None is a blank separator row."""
    for row in ws.iter_rows(min_row=schema.FIRST_DATA_ROW):
        for c in row:
            c.value = None
    for i, values in enumerate(rows):
        for j, value in enumerate(values or []):
            ws.cell(schema.FIRST_DATA_ROW + i, j + 1, value)


def _records(ws: Worksheet) -> list[list[object]]:
    return [
        [c.value for c in row]
        for row in ws.iter_rows(min_row=schema.FIRST_DATA_ROW)
        if any(c.value not in (None, "") for c in row)
    ]


def _merge_down(ws: Worksheet, column: str, first: int, last: int) -> None:
    """Merge ``column`` over rows first..last, keeping only the top value (what Excel does on merge)."""
    for r in range(first + 1, last + 1):
        ws[f"{column}{r}"] = None
    ws.merge_cells(f"{column}{first}:{column}{last}")


# 绩效指标 of the first sample project, complete and in a plain layout (the sample has none); the points follow
# templates/default/rules.toml (产出 50, 效益 30, 满意度 10) so that they raise no finding of their own.
KPI_PROJECT = "衡山大道盛豪世纪城人行道改造项目"
KPI_ROWS: list[list[object]] = [
    [KPI_PROJECT, "产出指标", "数量指标", "人行道改造面积", "≥", 8000, 8098, "平方米", 20],
    [KPI_PROJECT, "产出指标", "质量指标", "验收合格率", "=", 100, 100, "%", 20],
    [KPI_PROJECT, "产出指标", "时效指标", "按期完工率", "≥", 100, 100, "%", 10],
    [KPI_PROJECT, "效益指标", "社会效益指标", "群众出行条件", "定性", "明显改善", "明显改善", None, 30, 30],
    [KPI_PROJECT, "满意度指标", "服务对象满意度指标", "群众满意度", "≥", 90, 95, "%", 10],
]


def plain_equivalent(path: Path) -> None:
    """The sample with KPI_ROWS in plain rows: what both merged-cell cases must read as."""
    _edited(path, lambda wb: _rewrite_list(wb[schema.KPIS.name], [*KPI_ROWS]))


def _merged_and_blank_rows(wb: openpyxl.Workbook) -> None:
    # 文字: a blank row after each section; the 章节 column merged over the paragraphs of one section
    texts = wb[schema.TEXTS.name]
    rows: list[list[object] | None] = []
    merges = []
    for _, group in itertools.groupby(_records(texts), key=lambda rec: rec[0]):
        paragraphs = list(group)
        first = schema.FIRST_DATA_ROW + len(rows)
        if len(paragraphs) > 1:
            merges.append((first, first + len(paragraphs) - 1))
        rows += [*paragraphs, None]
    _rewrite_list(texts, rows)
    for first, last in merges:
        _merge_down(texts, "A", first, last)
    # 项目: 进度状态 merged over the three projects (all “剩余资金按进度拨付” in the sample)
    _merge_down(wb[schema.PROJECTS.name], "D", 3, 5)
    # 部门职责, 内设机构, 人员编制: a blank row after every record
    for sheet in (schema.DUTIES, schema.OFFICES, schema.STAFFING):
        ws = wb[sheet.name]
        _rewrite_list(ws, [x for rec in _records(ws) for x in (rec, None)])
    # 绩效指标: the three 产出指标 rows with 所属项目 and 一级指标 merged (rows 3-5), blank rows 6 and 8
    kpis = wb[schema.KPIS.name]
    _rewrite_list(kpis, [*KPI_ROWS[:3], None, KPI_ROWS[3], None, KPI_ROWS[4]])
    _merge_down(kpis, "A", 3, 5)
    _merge_down(kpis, "B", 3, 5)


@case("merged_cells_and_blank_rows.xlsx")
def _merged(path: Path) -> None:
    _edited(path, _merged_and_blank_rows)


@case("merge_spanning_blank_row.xlsx")
def _merge_over_blank(path: Path) -> None:
    """所属项目 merged down over all of the project's indicators, including a blank separator row (row 6)."""

    def edit(wb: openpyxl.Workbook) -> None:
        kpis = wb[schema.KPIS.name]
        _rewrite_list(kpis, [*KPI_ROWS[:3], None, *KPI_ROWS[3:]])
        _merge_down(kpis, "A", 3, 8)

    _edited(path, edit)


# ---------------------------------------------------------------- 5. numbers typed as text


def _numeric_text(wb: openpyxl.Workbook) -> None:
    wb[schema.STAFFING.name]["B3"] = "１５"  # full-width digits (编制数)
    wb[schema.PROCUREMENT.name]["C3"] = "1,206.56"  # thousands separator
    wb[schema.PROCUREMENT.name]["C5"] = "930 "  # trailing space


@case("numeric_text.xlsx")
def _numtext(path: Path) -> None:
    _edited(path, _numeric_text)


# ---------------------------------------------------------------- 6. sheets that are not part of the form


@case("extra_sheets.xlsx")
def _extra(path: Path) -> None:
    def edit(wb: openpyxl.Workbook) -> None:
        wb.create_sheet("Sheet1")["A1"] = "草稿"
        wb.create_sheet("附表", index=3)["A1"] = "附表：人员名单"

    _edited(path, edit)


@case("sheet_name_with_space.xlsx")
def _sheet_space(path: Path) -> None:
    _edited(path, lambda wb: setattr(wb[schema.ASSETS.name], "title", schema.ASSETS.name + " "))


# ---------------------------------------------------------------- 7. one wrong thing each


@case("required_sheet_missing.xlsx")
def _no_sheet(path: Path) -> None:
    _edited(path, lambda wb: wb.remove(wb[schema.BASIC.name]))


@case("required_header_renamed.xlsx")
def _header(path: Path) -> None:
    _edited(path, lambda wb: wb[schema.STAFFING.name].__setitem__("B2", "编制人数"))


@case("value_outside_choices.xlsx")
def _choice(path: Path) -> None:
    def edit(wb: openpyxl.Workbook) -> None:
        kpis = wb[schema.KPIS.name]
        # typed “>=” instead of choosing “≥”; and a 一级指标 not in the list
        for j, v in enumerate(["", "产出指标", "数量指标", "改造项目个数", ">=", 3, 3, "个", 10], start=1):
            kpis.cell(3, j, v or None)
        for j, v in enumerate(["", "成本指标", "经济成本指标", "成本控制", "≤", 100, 98, "%", 10], start=1):
            kpis.cell(4, j, v or None)

    _edited(path, edit)


@case("text_in_number.xlsx")
def _text_number(path: Path) -> None:
    _edited(path, lambda wb: wb[schema.PROCUREMENT.name].__setitem__("C4", "约147万"))


@case("date_in_number.xlsx")
def _date_number(path: Path) -> None:
    _edited(path, lambda wb: wb[schema.PROCUREMENT.name].__setitem__("C4", dt.date(2022, 12, 31)))


@case("negative_quota.xlsx")
def _negative(path: Path) -> None:
    _edited(path, lambda wb: wb[schema.STAFFING.name].__setitem__("B3", -15))


@case("fractional_quota.xlsx")
def _fraction(path: Path) -> None:
    _edited(path, lambda wb: wb[schema.STAFFING.name].__setitem__("B3", 15.5))


# 8. a damaged part or cell that openpyxl refuses with an internal exception: the message names the sheet and cell


@case("damaged_sheet_xml.xlsx")
def _damaged_sheet(path: Path) -> None:
    part = _sheet_part(schema.DUTIES.name)
    path.write_bytes(_rezip(_sample_bytes(), lambda name, data: data[: len(data) // 2] if name == part else data))


@case("invalid_cell_reference.xlsx")
def _invalid_reference(path: Path) -> None:
    part = _sheet_part(schema.BUDGET.name)

    def change(name: str, data: bytes) -> bytes:
        return data.replace(b'r="B9"', b'r="ZZZZZZZ9"', 1) if name == part else data

    path.write_bytes(_rezip(_sample_bytes(), change))


# 9. what no report may print and no message may quote wrong (issue 16 §4): the clean-up or the refusal at the cell

SURROGATE = "_xD800_"  # how Excel stores a lone UTF-16 surrogate (half of an emoji cut off); no file can hold it
EMOJI_HALVES = "_xD83D__xDE00_"  # the two halves of 😀, each escaped: together they are the one character


@case("lone_surrogate.xlsx")
def _lone_surrogate(path: Path) -> None:
    """A lone surrogate in a short text, in a 文字 paragraph (which once made build blame the template) and in a
    header; an escaped pair that is one emoji stays that emoji."""

    def edit(wb: openpyxl.Workbook) -> None:
        wb[schema.BASIC.name]["B4"] = f"山城区财政局{SURROGATE}"
        texts = wb[schema.TEXTS.name]
        texts["B3"] = f"{texts['B3'].value}{SURROGATE}{EMOJI_HALVES}"
        wb[schema.PROJECTS.name]["M2"] = f"备注{SURROGATE}"

    _edited(path, edit)


@case("huge_exponent.xlsx")
def _huge_exponent(path: Path) -> None:
    """Text whose exponent is beyond the decimal context: Decimal reads it, abs() of it would trap Overflow."""
    _edited(path, lambda wb: wb[schema.PROCUREMENT.name].__setitem__("C4", "1e999999999"))


@case("time_values.xlsx")
def _time_values(path: Path) -> None:
    """A time in a text cell (“12:00” typed into a time-formatted cell) and a duration in an amount cell."""

    def edit(wb: openpyxl.Workbook) -> None:
        wb[schema.BASIC.name]["B4"] = dt.time(12, 0)
        wb[schema.PROCUREMENT.name]["C4"] = dt.timedelta(days=3)

    _edited(path, edit)


@case("merged_figures_over_rows.xlsx")
def _merged_figures(path: Path) -> None:
    """项目总造价 merged down over the three projects: the one value must not become each project's."""
    _edited(path, lambda wb: _merge_down(wb[schema.PROJECTS.name], "B", 3, 5))


@case("date_serial_beyond_dates.xlsx")
def _serial_beyond_dates(path: Path) -> None:
    """Date-formatted numbers no date can show (Excel shows “#####”; openpyxl reads #VALUE!): in the 报告日期 and in
    an amount cell."""

    def edit(wb: openpyxl.Workbook) -> None:
        for ws, ref in ((wb[schema.BASIC.name], "B9"), (wb[schema.PROCUREMENT.name], "C4")):
            ws[ref] = 2958466
            ws[ref].number_format = "yyyy-mm-dd"

    _edited(path, edit)


def main(argv: list[str]) -> int:
    if not argv or argv[0] in ("-h", "--help"):
        print(__doc__.strip(), "\n\ncases:\n  " + "\n  ".join(CASES), file=sys.stderr)
        return 2
    unknown = [n for n in argv[1:] if n not in CASES]
    if unknown:
        print(f"unknown case(s): {', '.join(unknown)}", file=sys.stderr)
        return 2
    for path in generate(Path(argv[0]), argv[1:] or None):
        print(path)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
