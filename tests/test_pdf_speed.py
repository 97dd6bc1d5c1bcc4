"""What makes the PDF conversion cheaper keeps it correct: a kept LibreOffice profile stays private to each call and
gives way when damaged, the documents are shared by size, and a report that needs no change is copied as it is."""

from __future__ import annotations

import os
import zipfile
from pathlib import Path

import pytest
from lxml import etree

from pipeline.render import pdf
from pipeline.render.office_copy import W, copy_for_office

ROOT = Path(__file__).resolve().parents[1]
posix_only = pytest.mark.skipif(os.name == "nt", reason="the fake soffice is a shell script")

# a LibreOffice that makes its profile as the real one does (unless one is there), notes whether it found one, and
# writes a PDF for each document; with a file named "damaged" in its profile it converts nothing
FAKE = """#!/bin/sh
PATH=/usr/bin:/bin:$PATH
for arg in "$@"; do
  case "$arg" in -env:UserInstallation=file://*) profile=${arg#-env:UserInstallation=file://} ;; esac
done
if [ -d "$profile/user" ]; then echo "copied $profile" >> {log}; else echo "fresh $profile" >> {log}; fi
mkdir -p "$profile/user" && echo '<oor:items/>' > "$profile/user/registrymodifications.xcu"
[ -e "$profile/user/damaged" ] && exit 0
while [ $# -gt 0 ]; do
  case "$1" in
    --outdir) out=$2; shift ;;
    *.docx) name=$(basename "$1" .docx); mkdir -p "$out"; printf '%%PDF-1.4 %s' "$name" > "$out/$name.pdf" ;;
  esac
  shift
done
"""


@pytest.fixture
def office(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[str, Path]:
    monkeypatch.setenv("GENREPORT_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.delenv("GENREPORT_CACHE", raising=False)
    log = tmp_path / "calls.log"
    script = tmp_path / "soffice"
    script.write_text(FAKE.replace("{log}", str(log)), encoding="utf-8")
    script.chmod(0o755)
    return str(script), log


def documents(folder: Path, *names: str) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    for name in names:
        (folder / name).write_bytes(b"PK")
    return [folder / name for name in names]


def calls(log: Path) -> list[tuple[str, str]]:
    return [(kind, profile) for kind, profile in (line.split() for line in log.read_text().splitlines())]


@posix_only
def test_the_first_call_keeps_its_profile_and_later_calls_convert_in_private_copies(
    tmp_path: Path, office: tuple[str, Path]
) -> None:
    exe, log = office
    docs = documents(tmp_path / "a", "1.docx", "2.docx")
    assert pdf.convert_to_pdf(docs, soffice=exe) == {d: d.with_suffix(".pdf") for d in docs}
    kept = pdf._kept_profile(exe)
    assert kept is not None and (kept / "user" / "registrymodifications.xcu").is_file()
    assert pdf.convert_to_pdf(docs, soffice=exe, workers=2) == {d: d.with_suffix(".pdf") for d in docs}
    made = calls(log)
    assert [kind for kind, _ in made] == ["fresh", "copied", "copied"]
    profiles = [profile for _, profile in made]
    assert len(set(profiles)) == 3, "every LibreOffice process has a profile of its own"
    assert kept.as_posix() not in profiles and not any(Path(p).exists() for p in profiles)
    assert kept.is_dir(), "the kept profile itself is never run, so never changed or locked"


@posix_only
def test_a_kept_profile_that_fails_is_thrown_away_and_the_documents_converted_in_a_fresh_one(
    tmp_path: Path, office: tuple[str, Path]
) -> None:
    exe, log = office
    docs = documents(tmp_path, "1.docx", "2.docx")
    pdf.convert_to_pdf(docs[:1], soffice=exe)
    kept = pdf._kept_profile(exe)
    assert kept is not None
    (kept / "user" / "damaged").write_text("")
    assert pdf.convert_to_pdf(docs, soffice=exe) == {d: d.with_suffix(".pdf") for d in docs}
    assert [kind for kind, _ in calls(log)] == ["fresh", "copied", "fresh", "fresh"]
    assert not kept.exists() and not [p for p in kept.parent.iterdir() if p.name.startswith(".")]
    pdf.convert_to_pdf(docs[:1], soffice=exe)
    assert (kept / "user").is_dir() and not (kept / "user" / "damaged").exists(), "made again from a fresh start"


@posix_only
def test_a_kept_profile_that_is_not_one_is_not_copied(tmp_path: Path, office: tuple[str, Path]) -> None:
    exe, log = office
    kept = pdf._kept_profile(exe)
    assert kept is not None
    kept.mkdir()
    (kept / "user").write_text("not a folder")
    [doc] = documents(tmp_path, "1.docx")
    assert pdf.convert_to_pdf([doc], soffice=exe) == {doc: doc.with_suffix(".pdf")}
    assert [kind for kind, _ in calls(log)] == ["fresh"]


@posix_only
def test_without_the_cache_every_call_starts_fresh(
    tmp_path: Path, office: tuple[str, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    exe, log = office
    monkeypatch.setenv("GENREPORT_CACHE", "0")
    [doc] = documents(tmp_path, "1.docx")
    for _ in range(2):
        assert pdf.convert_to_pdf([doc], soffice=exe) == {doc: doc.with_suffix(".pdf")}
    assert [kind for kind, _ in calls(log)] == ["fresh", "fresh"]
    assert not (tmp_path / "cache").exists()


def test_each_libreoffice_installation_keeps_a_profile_of_its_own(tmp_path: Path) -> None:
    for name in ("one", "two"):
        (tmp_path / name).mkdir()
        (tmp_path / name / "soffice").write_text("#!/bin/sh\n")
        (tmp_path / name / "versionrc").write_text(f"[Version]\nbuildid={name}\n")
    one, two = (pdf._installation(str(tmp_path / name / "soffice")) for name in ("one", "two"))
    assert one != two and one == pdf._installation(str(tmp_path / "one" / "soffice"))
    (tmp_path / "one" / "versionrc").write_text("[Version]\nbuildid=upgraded\n")
    assert pdf._installation(str(tmp_path / "one" / "soffice")) != one, "an upgrade does not reuse the old profile"


def test_documents_are_shared_so_the_processes_carry_the_same_text(tmp_path: Path) -> None:
    sizes = {"big.docx": 9000, "a.docx": 3000, "b.docx": 3000, "c.docx": 3000, "d.docx": 500, "e.docx": 500}
    paths = []
    for name, size in sizes.items():
        with zipfile.ZipFile(tmp_path / name, "w", zipfile.ZIP_DEFLATED) as package:
            package.writestr("word/document.xml", "x" * size)  # compresses to almost nothing: the text counts
        paths.append(tmp_path / name)
    shares = pdf._shares(paths, 2)
    assert sorted(p for share in shares for p in share) == sorted(paths)
    assert sorted(sum(sizes[p.name] for p in share) for share in shares) == [9500, 9500]
    assert pdf._shares(paths[:1], 4) == [paths[:1]], "no process without a document"


def test_a_report_that_hangs_no_punctuation_is_copied_byte_for_byte(tmp_path: Path) -> None:
    report = tmp_path / "report.docx"
    report.write_bytes((ROOT / "templates" / "default" / "report.docx").read_bytes())
    (tmp_path / "in").mkdir()
    copy = copy_for_office(report, tmp_path / "in")
    assert copy == tmp_path / "in" / "report.docx" and copy.read_bytes() == report.read_bytes()


@pytest.mark.parametrize(
    ("styles", "style_setting"),
    [
        ('<w:overflowPunct w:val="1"/>', '<w:overflowPunct w:val="0"/>'),  # a style turns it off
        ('<w:overflowPunct w:val="1"/>', "<w:overflowPunct/>"),  # on, in another spelling: written as genreport's
        ("", ""),  # not in the defaults
    ],
)
def test_a_report_that_may_hang_punctuation_is_rewritten(tmp_path: Path, styles: str, style_setting: str) -> None:
    part = (
        f'<w:styles xmlns:w="{W[1:-1]}"><w:docDefaults><w:pPrDefault><w:pPr>{styles}</w:pPr></w:pPrDefault>'
        f'</w:docDefaults><w:style w:styleId="Normal"><w:pPr>{style_setting}</w:pPr></w:style></w:styles>'
    )
    report = tmp_path / "report.docx"
    with zipfile.ZipFile(report, "w") as package:
        package.writestr("word/styles.xml", part)
        package.writestr("word/document.xml", f'<w:document xmlns:w="{W[1:-1]}"/>')
    (tmp_path / "in").mkdir()
    with zipfile.ZipFile(copy_for_office(report, tmp_path / "in")) as package:
        root = etree.fromstring(package.read("word/styles.xml"))
    assert {s.get(f"{W}val") for s in root.iter(f"{W}overflowPunct")} == {"1"}
    assert root.find(f"{W}docDefaults/{W}pPrDefault/{W}pPr/{W}overflowPunct") is not None


def test_a_prefix_other_than_w_is_read_as_xml(tmp_path: Path) -> None:
    part = (
        f'<x:styles xmlns:x="{W[1:-1]}"><x:docDefaults><x:pPrDefault><x:pPr><x:overflowPunct x:val="0"/>'
        "</x:pPr></x:pPrDefault></x:docDefaults></x:styles>"
    )
    report = tmp_path / "report.docx"
    with zipfile.ZipFile(report, "w") as package:
        package.writestr("word/styles.xml", part)
    (tmp_path / "in").mkdir()
    with zipfile.ZipFile(copy_for_office(report, tmp_path / "in")) as package:
        root = etree.fromstring(package.read("word/styles.xml"))
    assert [s.get(f"{W}val") for s in root.iter(f"{W}overflowPunct")] == ["1"]
