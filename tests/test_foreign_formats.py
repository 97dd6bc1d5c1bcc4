""".xls and .ods are read as the .xlsx they were saved from (issue 17 §4); formats that cannot be read say how to save.

The samples (and a copy of the 2022 sample with a percentage above 100 %, % targets, a date, a merged range over two
fields, an error value, multi-line text) are saved by LibreOffice as .xlsx, .xls and .ods from one source: the three
give the same findings (code, sheet, cell, message), the same normalized values and the same ``genreport context``
JSON. Each sample is also compared with the committed .xlsx itself. The file name is the only thing allowed to
differ, and it is made the same before comparing.

LibreOffice converts; without it these tests skip, except in CI.
"""

from __future__ import annotations

import datetime as dt
import io
import os
import shutil
import subprocess
import zipfile
from collections.abc import Callable
from pathlib import Path

import openpyxl
import pytest
from typer.testing import CliRunner

from pipeline.cli import app
from pipeline.context import context_json
from pipeline.errors import InputError
from pipeline.session import expand_inputs, load_context, validate
from pipeline.workbook.normalize import normalize
from pipeline.workbook.reader import READABLE_SUFFIXES, open_workbook

from .conftest import ROOT, SAMPLE
from .test_reader_equivalence import _findings, _values

TOWNSHIP = ROOT / "inputs" / "township-2023.xlsx"
HINT = "请在 Excel 或 WPS 中打开，另存为“Excel 工作簿（*.xlsx）”后再试"
SOFFICE = shutil.which("soffice")
runner = CliRunner()

needs_office = pytest.mark.skipif(
    SOFFICE is None and not os.environ.get("CI"), reason="LibreOffice is not installed (make test installs it)"
)


def _soffice(source: Path, fmt: str, outdir: Path) -> Path:
    assert SOFFICE is not None, "CI must have LibreOffice: scripts/install_office.sh"
    env = {**os.environ, "HOME": str(outdir)}  # a private profile: parallel runs do not collide
    subprocess.run(
        [SOFFICE, "--headless", "--convert-to", fmt, "--outdir", str(outdir), str(source)],
        env=env,
        check=True,
        capture_output=True,
        timeout=240,
    )
    out = outdir / f"{source.stem}.{fmt}"
    assert out.is_file()
    return out


def _rich(path: Path) -> None:
    """The sample with what an .xls or .ods keeps otherwise than an .xlsx, each at a cell the form reads."""
    wb = openpyxl.load_workbook(SAMPLE)
    wb["基本信息"]["B9"] = dt.date(2023, 3, 31)
    wb["基本信息"]["B9"].number_format = "yyyy-mm-dd"
    kpis = wb["绩效指标"]
    kpis["F4"], kpis["F4"].number_format = 0.95, "0%"  # a target of 95 %: 95 points, not 0.95
    kpis["G4"], kpis["G4"].number_format = 1.02, "0.00%"
    kpis["G5"] = "=1/0"  # an error value
    kpis["G6"] = "=F6*1"  # a formula with its result
    kpis["K3"] = "第一行\n第二行  两个空格"
    wb["资产"]["B8"] = 1.5  # 150 % in a %-formatted cell: 1.5, not 0.015
    wb["文字"].merge_cells("A3:A4")  # a section merged down over two paragraphs: each row's
    wb["三公经费"].merge_cells("C3:D3")  # merged over two fields: E_MERGED_CELLS
    wb.save(path)


@pytest.fixture(scope="module")
def saved(tmp_path_factory: pytest.TempPathFactory) -> Callable[[str, str], Path]:
    """(case, format) → the case saved by LibreOffice in that format, named as the case (2022.xls …)."""
    root = tmp_path_factory.mktemp("saved")
    cache: dict[tuple[str, str], Path] = {}

    def get(case: str, fmt: str) -> Path:
        if (case, fmt) not in cache:
            source = root / "source" / f"{case}.xlsx"
            if not source.exists():
                source.parent.mkdir(exist_ok=True)
                if case == "rich-2022":
                    _rich(source)
                else:
                    shutil.copy({"2022": SAMPLE, "township-2023": TOWNSHIP}[case], source)
            outdir = root / fmt
            outdir.mkdir(exist_ok=True)
            cache[(case, fmt)] = _soffice(source, fmt, outdir)
        return cache[(case, fmt)]

    return get


def _same_name(path: Path, tmp_path: Path) -> Path:
    """A copy in a folder of its own, named as the .xlsx: messages and the context quote the file name."""
    folder = tmp_path / path.suffix.lstrip(".")
    folder.mkdir(exist_ok=True)
    return Path(shutil.copy(path, folder / path.name))


def _read(path: Path) -> tuple[str, list[tuple[str, str, str, str]], dict[str, str]]:
    source = open_workbook(path)
    data = normalize(source)
    return source.reader, _findings(data), _values(data)


@needs_office
@pytest.mark.parametrize("case", ["2022", "township-2023", "rich-2022"])
@pytest.mark.parametrize("fmt", ["xls", "ods"])
def test_same_cells_findings_and_values(case: str, fmt: str, saved: Callable[[str, str], Path]) -> None:
    reader, findings, values = _read(saved(case, fmt))
    _, expected_findings, expected_values = _read(saved(case, "xlsx"))
    assert reader == fmt
    assert findings == expected_findings
    assert values == expected_values


@needs_office
def test_what_the_rich_case_holds_is_read_as_in_the_xlsx(saved: Callable[[str, str], Path]) -> None:
    """The equalities above are not equalities of nothing: each odd cell is read, in all three formats."""
    for fmt in ("xlsx", "xls", "ods"):
        data = normalize(open_workbook(saved("rich-2022", fmt)))
        assert data.forms["assets"].get("usage_rate", "amount") == pytest.approx(1.5), fmt
        assert data.forms["basic"].get("report_date", "value") == dt.date(2023, 3, 31), fmt
        kpi = {r.row: r for r in data.lists["kpis"].records}
        assert (kpi[4]["target"], kpi[4]["actual"]) == (95, 102), fmt
        assert kpi[3]["remark"] == "第一行\n第二行  两个空格", fmt
        cells = {(f.code, f.sheet, f.cell) for f in data.findings}
        assert ("E_ERROR_VALUE", "绩效指标", "G5") in cells, fmt
        assert ("E_MERGED_CELLS", "三公经费", "C3:D3") in cells, fmt
        assert [r["section"] for r in data.lists["texts"].records][:2] == ["预决算差异说明"] * 2, fmt


@needs_office
@pytest.mark.parametrize("case", ["2022", "township-2023"])
@pytest.mark.parametrize("fmt", ["xls", "ods"])
def test_same_validate_and_context_as_the_committed_sample(
    case: str, fmt: str, saved: Callable[[str, str], Path], tmp_path: Path
) -> None:
    """Against the committed .xlsx itself, through the session as validate and ``genreport context`` run it."""
    original = {"2022": SAMPLE, "township-2023": TOWNSHIP}[case]
    xlsx = _same_name(original, tmp_path)
    other = _same_name(saved(case, fmt), tmp_path)
    [expected], [got] = validate([xlsx]), validate([other])
    shown = [(f.code, f.sheet, f.cell, f.message) for f in expected.findings]
    assert [(f.code, f.sheet, f.cell, f.message) for f in got.findings] == shown
    assert shown or case == "township-2023", "the 2022 sample has warnings of its own to compare"
    context, _ = load_context(xlsx)
    json_xlsx = context_json(context).replace(f"xlsx/{original.name}", "FILE")
    context, _ = load_context(other)
    assert context_json(context).replace(f"{fmt}/{other.name}", "FILE") == json_xlsx


@needs_office
def test_a_folder_builds_its_xls_and_ods(saved: Callable[[str, str], Path], tmp_path: Path) -> None:
    folder = tmp_path / "units"
    folder.mkdir()
    shutil.copy(saved("2022", "xls"), folder / "甲单位2022.xls")
    shutil.copy(saved("2022", "ods"), folder / "乙单位2022.ods")
    (folder / "说明.txt").write_text("不是工作簿")
    assert [p.name for p in expand_inputs([folder])] == ["乙单位2022.ods", "甲单位2022.xls"]
    result = runner.invoke(app, ["build", str(folder), "-o", str(tmp_path / "out"), "-j", "1"])
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["乙单位2022.docx", "甲单位2022.docx"]


@needs_office
def test_next_years_workbook_from_an_xls(saved: Callable[[str, str], Path], tmp_path: Path) -> None:
    last = Path(shutil.copy(saved("2022", "xls"), tmp_path / "2022.xls"))
    result = runner.invoke(app, ["init", str(tmp_path / "2023.xlsx"), "--from", str(last)])
    assert result.exit_code == 0, result.output
    wb = openpyxl.load_workbook(tmp_path / "2023.xlsx")
    assert wb["基本信息"]["B3"].value == "衡山县住房和城乡建设局（人防办）"
    assert wb["基本信息"]["B5"].value == 2023


def test_readable_suffixes() -> None:
    assert READABLE_SUFFIXES == (".xlsx", ".xlsm", ".xls", ".ods")


def _pdf(path: Path) -> None:
    path.write_bytes(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\n")


UNREADABLE: dict[str, tuple[Callable[[Path], object], str]] = {
    "单位.et": (
        lambda p: p.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 504),
        "这是 WPS 表格文件（.et），genreport 无法读取；请在 WPS 中打开，“另存为”Excel 工作簿（*.xlsx）后再试",
    ),
    "单位.numbers": (
        lambda p: p.write_bytes(b"PK\x05\x06" + b"\0" * 18),
        "这是 Apple Numbers 文件（.numbers），genreport 无法读取；请在 Numbers 中“导出为”Excel（.xlsx）后再试",
    ),
    "报表.xlsx": (_pdf, "这是 PDF 文件，只是扩展名为“.xlsx”；请使用原始的 Excel 工作簿（.xlsx、.xls 或 .ods）"),
    "报表.xls": (_pdf, "这是 PDF 文件，只是扩展名为“.xls”；请使用原始的 Excel 工作簿（.xlsx、.xls 或 .ods）"),
    "导出.xls": (
        lambda p: p.write_text("<html><body><table><tr><td>单位名称</td></tr></table></body></html>"),
        f"这是网页（HTML）文件，只是扩展名为“.xls”（一些系统导出的“Excel”其实是网页）；{HINT}",
    ),
    "导出2003.xls": (
        lambda p: p.write_text(
            '<?xml version="1.0"?><Workbook xmlns="urn:schemas-microsoft-com:office:spreadsheet"></Workbook>'
        ),
        f"这是 Excel 2003 XML 表格，只是扩展名为“.xls”；{HINT}",
    ),
    "文本.ods": (
        lambda p: p.write_text("单位名称,年度\n某局,2022\n"),
        f"文件已损坏或不是 .ods 工作簿（无法作为 ods 打开）；{HINT}",
    ),
    "文本.xls": (
        lambda p: p.write_text("单位名称\t年度\n"),
        f"文件已损坏或不是 .xls 工作簿（无法作为 xls 打开）；{HINT}",
    ),
    "坏的.xls": (
        lambda p: p.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x07" * 1000),
        f"文件已损坏，无法作为 Excel 97-2003 工作簿（.xls）读取；{HINT}",
    ),
    "压缩包.ods": (
        lambda p: p.write_bytes(_zip({"mimetype": b"application/vnd.oasis.opendocument.spreadsheet"})),
        f"这是一个压缩包，但不是 OpenDocument 表格（没有 content.xml）；{HINT}",
    ),
    "坏的.ods": (
        lambda p: p.write_bytes(
            _zip({"mimetype": b"application/vnd.oasis.opendocument.spreadsheet", "content.xml": b"<a"})
        ),
        f"文件已损坏，无法作为 OpenDocument 表格（.ods）读取；{HINT}",
    ),
    "加密.ods": (
        lambda p: p.write_bytes(
            _zip(
                {
                    "mimetype": b"application/vnd.oasis.opendocument.spreadsheet",
                    "META-INF/manifest.xml": b"<manifest><file-entry><encryption-data/></file-entry></manifest>",
                    "content.xml": b"\x8f\x12",
                }
            )
        ),
        "工作簿设置了打开密码（已加密），请取消密码后另存为 .xlsx 再试",
    ),
}


def _zip(members: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        for name, data in members.items():
            z.writestr(name, data)
    return out.getvalue()


@pytest.mark.parametrize("name", list(UNREADABLE))
def test_what_cannot_be_read_says_how_to_save_it(name: str, tmp_path: Path) -> None:
    write, message = UNREADABLE[name]
    path = tmp_path / name
    write(path)
    with pytest.raises(InputError) as e:
        open_workbook(path)
    assert e.value.message == message


def test_the_cli_says_it_in_one_line(tmp_path: Path) -> None:
    path = tmp_path / "单位.et"
    path.write_bytes(b"\xd0\xcf\x11\xe0" + b"\0" * 100)
    result = runner.invoke(app, ["validate", str(path)])
    assert result.exit_code == 1
    assert "这是 WPS 表格文件（.et）" in result.output
    assert "Traceback" not in result.output


def _ods_content(rows: str) -> bytes:
    return (
        '<?xml version="1.0" encoding="UTF-8"?><office:document-content '
        'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
        'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
        'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.2">'
        f'<office:body><office:spreadsheet><table:table table:name="草稿">{rows}</table:table>'
        "</office:spreadsheet></office:body></office:document-content>"
    ).encode()


def test_a_value_repeated_over_a_million_rows_is_refused_before_calamine(tmp_path: Path) -> None:
    """A few hundred bytes that declare a million cells: counted from the repeat attributes, never expanded."""
    cell = '<table:table-cell office:value-type="float" office:value="1" table:number-columns-repeated="100"/>'
    row = f'<table:table-row table:number-rows-repeated="1000000">{cell}</table:table-row>'
    path = tmp_path / "炸弹.ods"
    path.write_bytes(
        _zip({"mimetype": b"application/vnd.oasis.opendocument.spreadsheet", "content.xml": _ods_content(row)})
    )
    with pytest.raises(InputError) as e:
        open_workbook(path)
    assert e.value.message == "工作表“草稿”单元格数超过上限，已拒绝读取（可能是损坏或恶意文件）"
    assert e.value.sheet == "草稿"


def test_a_cell_far_away_is_refused_before_calamine_builds_its_grid(tmp_path: Path) -> None:
    """One value at row 1,000,000 column 100 would make calamine hold 100 million cells."""
    empty = '<table:table-row table:number-rows-repeated="999999"><table:table-cell/></table:table-row>'
    far = (
        '<table:table-row><table:table-cell table:number-columns-repeated="99"/>'
        '<table:table-cell office:value-type="float" office:value="1"/></table:table-row>'
    )
    path = tmp_path / "远处.ods"
    path.write_bytes(
        _zip({"mimetype": b"application/vnd.oasis.opendocument.spreadsheet", "content.xml": _ods_content(empty + far)})
    )
    with pytest.raises(InputError) as e:
        open_workbook(path)
    assert e.value.message.startswith("工作表“草稿”的数据一直延伸到 CV1000000，范围超过 2,000,000 个单元格")


@needs_office
def test_an_xls_with_a_stray_cell_at_its_last_row_is_refused(tmp_path: Path) -> None:
    wb = openpyxl.load_workbook(SAMPLE)
    wb.create_sheet("草稿")["IV65536"] = 1
    wb.save(tmp_path / "stray.xlsx")
    xls = _soffice(tmp_path / "stray.xlsx", "xls", tmp_path / "out")
    with pytest.raises(InputError) as e:
        open_workbook(xls)
    assert e.value.message.startswith("工作表“草稿”的数据一直延伸到 IV65536，范围超过 2,000,000 个单元格")
