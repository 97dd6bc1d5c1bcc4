"""One build session: a template profile and options, applied to any number of workbooks.

``BuildSession.run(path)`` reads, checks and renders one workbook and returns what happened; it prints nothing
and calls nothing back, so the CLI, a batch of worker processes or a web page can each present results their own
way. A session pickles without its prepared renderer, which each process prepares again on first use.
``run`` is ``render`` (everything in memory, safe to stop at any moment: what a worker process does) followed by
``commit`` (the files written atomically, the PDF queued: what the process that owns the output folder does);
pipeline/batch.py spreads ``render`` over worker processes.
"""

from __future__ import annotations

import contextlib
import glob
import json
import stat
import time
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .budget import BudgetExceeded, within
from .checks import appendix_gaps, check_report
from .checks.blocked import checkable, unblocked
from .checks.declared import check_declared
from .context import build_context
from .derive import Derived, derive
from .errors import GenreportError, InputError, TemplateProblem, UsageError, WorkbookInvalid, display_path
from .findings import codes
from .findings.collector import Finding, Findings
from .model import schema
from .model.records import Report
from .outfile import DEFAULT_OUT_DIR, atomic_write, fit_name
from .render import RenderOptions
from .render.formats import FORMATS, Batch, converted
from .render.notes import noting
from .render.review import Review
from .template.profile import PACKAGE_DIR, TemplateProfile, resolve_profile
from .template.settings import TemplateSettings
from .workbook.normalize import Normalized, normalize
from .workbook.reader import open_workbook
from .workbook.template_row import chosen_profile

if TYPE_CHECKING:
    from .context.vocabulary import Context
    from .render.docx import DocxRenderer
    from .template.check import Problem


@dataclass
class Inspection:
    """Everything known about one workbook: its model (when it could be built) and all findings."""

    path: Path
    derived: Derived | None  # the model and its derived figures, when the workbook could be modelled
    findings: list[Finding]
    profile: TemplateProfile | None = None  # the template it was read for, once chosen

    def blocking(self, strict: bool) -> list[Finding]:
        # under --strict, the warnings whose report would print wrong (a "—" cell or a total left out does not)
        return [f for f in self.findings if f.severity == "error" or (strict and codes.refused_under_strict(f.code))]


class Profiles:
    """Templates by the name a workbook gives in 基本信息 (模板), each resolved once per session."""

    def __init__(self) -> None:
        self._found: dict[str, TemplateProfile | TemplateProblem] = {}

    def get(self, name: str | None) -> TemplateProfile:
        key = name or ""
        if key not in self._found:
            try:
                self._found[key] = resolve_profile(name)
            except TemplateProblem as e:
                self._found[key] = e
        found = self._found[key]
        if isinstance(found, TemplateProblem):
            raise found
        return found


def inspect(
    path: Path, profile: TemplateProfile | None = None, profiles: Profiles | None = None, *, sections: bool = False
) -> Inspection:
    """Read, normalize, model and check one workbook, within the job's budget; never raises for a user's mistake.

    Without a profile (no -t), the workbook's own 模板 row chooses the template, else the default one.
    ``sections`` (validate): also warn at each 文字 row whose section the template does not print, which costs a
    parse of the template (once per process).
    """
    try:
        with within(display_path(path)):
            inspection = _inspect(path, profile, profiles)
            if sections:
                inspection.findings += _sections_findings(inspection)
            return inspection
    except BudgetExceeded as e:
        return Inspection(path, None, [e.as_finding()])


def _inspect(path: Path, profile: TemplateProfile | None, profiles: Profiles | None) -> Inspection:
    try:
        source = open_workbook(path)
    except InputError as e:
        return Inspection(path, None, [e.as_finding()])
    if profile is None:
        try:
            profile, _ = chosen_profile(source, (profiles or Profiles()).get)
        except WorkbookInvalid as e:
            return Inspection(path, None, e.findings)
    try:
        data = normalize(source, profile.layout)
    except InputError as e:
        return Inspection(path, None, [e.as_finding()], profile)
    if data.errors:  # one round: the errors first, then every warning the errors leave standing
        errors = data.errors
        warnings = [f for f in data.findings if f.severity != "error"]
        if checkable(errors):
            warnings += unblocked(_beside_errors(data, profile), errors)
        return Inspection(path, None, errors + warnings, profile)
    derived = derive(data.report(), profile.rules)
    declared = check_declared(derived.report, profile.settings, profile.rules)
    declared += appendix_gaps(derived, profile.settings)  # what this template's appendices print as “—”
    return Inspection(path, derived, data.findings + check_report(derived) + declared, profile)


def _beside_errors(data: Normalized, profile: TemplateProfile) -> list[Finding]:
    """The checks' warnings over the model with its blocked cells blank. A figure the checks never meet blank
    (年度, a required total) may stop them: then only the errors are told, as before, and nothing false."""
    report = data.report(blocked=True)
    if report.basic.year is None:
        return []
    try:
        derived = derive(report, profile.rules)
        declared = check_declared(report, profile.settings, profile.rules) + appendix_gaps(derived, profile.settings)
    except (TypeError, ValueError, ArithmeticError, AttributeError, KeyError, IndexError):
        return []
    return check_report(derived, blocked=True) + declared


def expand_inputs(inputs: Sequence[Path]) -> list[Path]:
    """Files as given; a folder stands for the workbooks in it, a glob (``"inputs/*.xlsx"``, expanded here because
    Windows shells do not) for the workbooks it matches, each in name order; Excel's ``~$`` lock files are skipped
    and a file reached twice is built once."""
    out: dict[Path, Path] = {}  # by resolved path: a folder and a glob over it name the same files
    for path in inputs:
        for found in _expand_one(path):
            out.setdefault(found.resolve(), found)
    return list(out.values())


def _expand_one(path: Path) -> list[Path]:
    mode = _mode(path)
    if mode is not None and stat.S_ISDIR(mode):
        found = _workbooks(_listed(path))
        if not found:
            raise UsageError(f"{display_path(path)}：文件夹中没有工作簿（.xlsx、.xls、.ods）")
        return found
    if mode is not None or not any(ch in str(path) for ch in "*?["):
        return [path]  # a missing file (or a name too long to exist) is the reader's to report, the others built
    matches = [Path(m) for m in glob.glob(str(path), recursive=True)]
    found = _workbooks(m for p in matches for m in (_listed(p) if _is_dir(p) else [p]))
    if not found:
        raise UsageError(f"{path}：没有匹配的工作簿（.xlsx、.xls、.ods）")
    return found


def _workbooks(paths: Iterable[Path]) -> list[Path]:
    """The workbooks among ``paths`` (.xlsx, .xls, .ods: the reader's READABLE_SUFFIXES): regular files only (a FIFO
    or a device named .xlsx is not one)."""
    from .workbook.reader import READABLE_SUFFIXES  # beside open_workbook, imported above from the same module

    return sorted(
        p for p in paths if p.suffix.lower() in READABLE_SUFFIXES and not p.name.startswith("~$") and _is_regular(p)
    )


def _mode(path: Path) -> int | None:
    """The file's mode (a link followed), None where there is no such file or it cannot be looked at (a name too
    long for the file system): Path.is_dir raises for some of those."""
    try:
        return path.stat().st_mode
    except (OSError, ValueError):
        return None


def _is_dir(path: Path) -> bool:
    mode = _mode(path)
    return mode is not None and stat.S_ISDIR(mode)


def _is_regular(path: Path) -> bool:
    mode = _mode(path)
    return mode is not None and stat.S_ISREG(mode)


def _listed(folder: Path) -> list[Path]:
    try:
        return list(folder.iterdir())
    except OSError as e:
        raise UsageError(f"{display_path(folder)}：无法读取此文件夹（{e.strerror or e}）") from e


@dataclass
class BuildResult:
    """What happened to one input: the report written, or the error that stopped it."""

    input: Path
    output: Path | None = None  # the first file written (the .docx when it was asked for)
    findings: list[Finding] = field(default_factory=list)
    error: GenreportError | None = None
    seconds: float = 0.0
    outputs: list[Path] = field(default_factory=list)  # every file written, in the order of --format
    waiting: list[Path] = field(default_factory=list)  # files of batched formats (PDF), made by finish_batches
    # rendered but not yet written (``BuildSession.commit`` writes them): each file with its content, and the
    # .docx the batched formats are made from
    pending: list[tuple[Path, bytes]] = field(default_factory=list)
    batch_source: bytes | None = None
    # what the build read and checked, kept where the session was asked to (``keep_inspections``: the batch's
    # summary scores each workbook from it instead of reading it a second time)
    inspection: Inspection | None = None

    @property
    def ok(self) -> bool:
        return self.error is None

    def __getstate__(self) -> dict[str, Any]:
        # genreport's errors take other arguments than the message they pass to Exception, so pickle's default
        # (calling the class with ``args``) would rebuild them wrongly: a worker's error travels as its state
        state = self.__dict__.copy()
        if self.error is not None:
            state["error"] = (type(self.error), self.error.args, self.error.__dict__)
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        if state["error"] is not None:
            cls, args, attributes = state["error"]
            error = cls.__new__(cls)
            error.args = args
            error.__dict__.update(attributes)
            state["error"] = error
        self.__dict__.update(state)


class BuildSession:
    """A profile and the build options; ``plan`` pairs inputs with outputs, ``run`` builds one of them."""

    def __init__(
        self,
        profile: TemplateProfile | None = None,
        out_dir: Path = DEFAULT_OUT_DIR,
        options: RenderOptions | None = None,
        *,
        strict: bool = False,
        percent_places: int | None = None,
        formats: Sequence[str] = ("docx",),
        comments: bool = True,
        comments_everywhere: bool = False,
        keep_inspections: bool = False,
    ) -> None:
        self.profile = profile  # None: each workbook's 模板 row chooses, else the default template
        self.out_dir = out_dir
        self.options = options  # None: each template's number style (template.toml [numbers])
        self.percent_places = percent_places  # --percent-places, over the template's
        self.strict = strict
        self.formats = tuple(formats)
        self.comments = comments  # the warnings as Word comments at the figures they concern
        self.comments_everywhere = comments and comments_everywhere  # also in the HTML/Markdown, not only the .docx
        self.keep_inspections = keep_inspections
        asked = [FORMATS[name] for name in self.formats]
        self.batches: dict[str, Batch] = {f.name: f.batch() for f in asked if f.batch is not None}
        self.profiles = Profiles()
        self._renderers: dict[Path, DocxRenderer] = {}
        self._checked: dict[Path, list[Problem]] = {}  # a template's errors, found before its first report

    def __getstate__(self) -> dict[str, Any]:
        state = self.__dict__.copy()
        state["_renderers"] = {}  # compiled templates do not pickle; each process prepares its own
        state["_checked"] = {}
        return state

    def output_path(self, input_path: Path) -> Path:
        """The report's path: the input's name with .docx (shortened where the name would not fit the disk)."""
        return self.out_dir / fit_name(input_path.stem, ".docx")

    def plan(self, inputs: Sequence[Path]) -> list[Path]:
        """The workbooks to build; two inputs that would write the same report are a usage error, before anything
        is written. Names that differ only in case (A.xlsx, a.xlsx) count as the same: Windows, where most users
        are, keeps one file for both."""
        paths = expand_inputs(inputs)
        seen: dict[str, Path] = {}
        for path in paths:
            target = self.output_path(path)
            key = unicodedata.normalize("NFC", str(target.resolve())).casefold()
            if key in seen:
                raise UsageError(f"{display_path(path)} 与另一个输入文件同名，输出会互相覆盖：{display_path(target)}")
            seen[key] = path
        return paths

    def renderer(self, profile: TemplateProfile | None = None) -> DocxRenderer:
        """The prepared renderer of a template, made on its first report and reused for the rest of the batch."""
        profile = profile or self.profile or self.profiles.get(None)
        if profile.document is None:
            raise TemplateProblem(f"{profile.name}：模板文件夹中没有 report.docx")
        renderer = self._renderers.get(profile.document)
        if renderer is None:
            from .render.docx import shared_renderer

            renderer = self._renderers[profile.document] = shared_renderer(
                profile.document, self.render_options(profile)
            )
        return renderer

    def check_template(
        self, renderer: DocxRenderer, context: Mapping[str, Any], settings: TemplateSettings | None = None
    ) -> None:
        """Raise the template's mistakes as ``template check`` words them; checked once per template, on its first
        report (every branch, so a typo that this workbook's data does not reach stops the build all the same)."""
        errors = self._checked.get(renderer.path)
        if errors is None:
            from .template.check import ERROR, check_document

            problems = check_document(renderer.path, renderer.env, context, renderer.data, settings)
            errors = self._checked[renderer.path] = [p for p in problems if p.severity == ERROR]
        if errors:
            from .template.check import TemplateInvalid

            raise TemplateInvalid(display_path(renderer.path), errors)

    def render_options(self, profile: TemplateProfile) -> RenderOptions:
        if self.options is not None:
            return self.options
        return render_options(profile, self.percent_places)

    def run(self, path: Path) -> BuildResult:
        """Build one workbook: render it, then write its files."""
        return self.commit(self.render(path))

    def render(self, path: Path) -> BuildResult:
        """Read, check and render one workbook, every output in memory: nothing is written, so a worker process
        doing this can be stopped at any moment without leaving a file behind."""
        started = time.perf_counter()
        try:
            with within(display_path(path)):  # one budget for reading, checking and rendering
                return self._render(path, started)
        except BudgetExceeded as e:
            return BuildResult(input=path, findings=[e.as_finding()], error=e, seconds=time.perf_counter() - started)

    def _render(self, path: Path, started: float) -> BuildResult:
        inspection = inspect(path, self.profile, self.profiles)
        result = BuildResult(input=path, findings=inspection.findings)
        if self.keep_inspections:
            result.inspection = inspection
        blocking = inspection.blocking(self.strict)
        try:
            if blocking or inspection.derived is None or inspection.profile is None:
                raise WorkbookInvalid(blocking)
            target = self.output_path(path)
            profile = inspection.profile
            context = build_context(inspection.derived, profile.settings)
            renderer = self.renderer(profile)
            self.check_template(renderer, context, profile.settings)
            review = None
            if self.comments:
                options = renderer.options
                review = Review.of(inspection.findings, inspection.derived.report, options.decimals, options.thousands)
            with noting(review.notes if review else {}):
                data = renderer.render_bytes(context, review)
            result.pending = converted(data, target, self.formats, context["title"], comments=self.comments_everywhere)
            if self.batches:
                result.batch_source = data
                result.waiting = [FORMATS[name].path_for(target) for name in self.batches]
        except GenreportError as e:
            result.error = e
        result.seconds = time.perf_counter() - started
        return result

    def commit(self, result: BuildResult) -> BuildResult:
        """Write a rendered report's files (each atomically) and queue its batched formats (PDF); done by the process
        that owns the output folder, whichever process rendered it."""
        started = time.perf_counter()
        try:
            for target, data in result.pending:
                atomic_write(target, data)
                result.outputs.append(target)
            if result.batch_source is not None:
                for batch in self.batches.values():
                    batch.add(result.batch_source, self.output_path(result.input), "docx" in self.formats)
        except GenreportError as e:
            result.error = e
            result.waiting = []
        finally:
            result.pending, result.batch_source = [], None
        result.output = result.outputs[0] if result.outputs else None
        result.seconds += time.perf_counter() - started
        return result


def finish_batches(session: BuildSession, results: Sequence[BuildResult], workers: int = 1) -> GenreportError | None:
    """Make the batched formats (PDF: one LibreOffice run for the build) and record each file on its result (the
    file, or the error that stopped it); return the error that stopped a whole format (LibreOffice missing), the
    other formats kept."""
    stopped: GenreportError | None = None
    for batch in session.batches.values():
        try:
            made = batch.convert(workers=workers)
        except GenreportError as e:
            stopped = stopped or e
            continue
        for result in results:
            for target in result.waiting:
                outcome = made.get(target)
                if isinstance(outcome, Path):
                    result.outputs.append(outcome)
                    result.output = result.output or outcome
                elif outcome is not None:
                    result.error = outcome
    return stopped


def discard_batches(session: BuildSession) -> None:
    """Forget the reports waiting for a batched format (an interrupted build), their private copies removed."""
    for batch in session.batches.values():
        batch.discard()


def render_options(profile: TemplateProfile, percent_places: int | None = None) -> RenderOptions:
    """The number style of a template (template.toml [numbers]); --percent-places wins over its percent places."""
    numbers = profile.settings.group("numbers")
    if percent_places is not None:
        numbers["percent_places"] = percent_places
    known = {f.name for f in fields(RenderOptions)}
    return RenderOptions(**{k: v for k, v in numbers.items() if k in known})


def validate(inputs: Sequence[Path], profile: TemplateProfile | None = None) -> list[Inspection]:
    """Inspect every input with the template's rules and layout: the profile given, else each workbook's own
    模板 row, else the default template (the same choice ``build`` makes)."""
    profiles = Profiles()
    return [inspect(path, profile, profiles, sections=True) for path in expand_inputs(inputs)]


_PRINTED: dict[Path, frozenset[str] | None] = {}  # per process: a template is parsed once however many workbooks


def _sections_findings(inspection: Inspection) -> list[Finding]:
    chosen = inspection.profile
    if inspection.derived is None or chosen is None or chosen.document is None:
        return []
    if chosen.document not in _PRINTED:
        _PRINTED[chosen.document] = _printed_sections(chosen)
    return _unprinted_texts(inspection.derived.report, _PRINTED[chosen.document])


def _printed_sections(profile: TemplateProfile) -> frozenset[str] | None:
    """The 文字 sections the profile's Word template prints; None where it cannot be read (build will say why).
    Kept in the disk cache by the template's bytes: reading them parses the whole template (a quarter of a second,
    and docxtpl loaded, in every validate)."""
    from . import cache
    from .template.document import read_template

    assert profile.document is not None
    try:
        data = read_template(profile.document)
    except Exception:  # noqa: BLE001 - a template that cannot be read is build's and template check's to report
        return None
    entry = cache.key("printed", data)
    blob = cache.read("printed", entry)
    if blob is not None:
        with contextlib.suppress(ValueError, TypeError):
            return frozenset(str(key) for key in json.loads(blob))
    from .render.environment import make_environment
    from .template.check.parts import template_parts
    from .template.check.sections import printed_sections
    from .template.word import WordTemplate

    try:
        parts = template_parts(WordTemplate(data, {}, display_path(profile.document)))
        env = make_environment(render_options(profile))
        printed = printed_sections(env.parse(part.source) for part in parts)
    except Exception:  # noqa: BLE001 - a broken template is build's and template check's to report, not validate's
        return None
    cache.write("printed", entry, json.dumps(sorted(printed)).encode())
    return printed


def _unprinted_texts(report: Report, printed: frozenset[str] | None) -> list[Finding]:
    """W_TEXT_UNPRINTED at each 文字 row whose section the template no longer prints."""
    if not printed:  # unreadable, or a template that prints no 文字 section at all (template check's rule)
        return []
    keys = {label: key for key, label in schema.TEXT_SECTIONS.items()}
    out = Findings(report.source)
    for paragraph in report.texts:
        key = keys.get(paragraph.section)
        if key is not None and key not in printed:
            out.add(
                codes.W_TEXT_UNPRINTED,
                schema.TEXTS.name,
                paragraph.cells.get("section", ""),
                f"“{paragraph.section}”的段落不会出现在报告中：所用模板没有这一节；请改选报告中有的章节",
            )
    return out.items


def load_derived(
    path: Path, *, strict: bool = False, profile: TemplateProfile | None = None
) -> tuple[Derived, list[Finding]]:
    """The checked model of one workbook and its derived figures; raise WorkbookInvalid listing every blocking
    finding."""
    result = inspect(path, profile)
    blocking = result.blocking(strict)
    if blocking or result.derived is None:
        raise WorkbookInvalid(blocking)
    return result.derived, result.findings


def load_context(
    path: Path, *, strict: bool = False, profile: TemplateProfile | None = None
) -> tuple[Context, list[Finding]]:
    """The context a template sees for one workbook (with the template's settings: title, words, sections)."""
    result = inspect(path, profile)
    blocking = result.blocking(strict)
    if blocking or result.derived is None or result.profile is None:
        raise WorkbookInvalid(blocking)
    return build_context(result.derived, result.profile.settings), result.findings


def load_report(
    path: Path, *, strict: bool = False, profile: TemplateProfile | None = None
) -> tuple[Report, list[Finding]]:
    """The checked model of one workbook; raise WorkbookInvalid listing every blocking finding."""
    derived, findings = load_derived(path, strict=strict, profile=profile)
    return derived.report, findings


def build(
    inputs: Sequence[Path],
    out_dir: Path = DEFAULT_OUT_DIR,
    template: Path | str | None = None,
    *,
    options: RenderOptions | None = None,
    strict: bool = False,
) -> list[BuildResult]:
    """Build one report per input; an input that fails does not stop the others."""
    session = BuildSession(resolve_profile(template) if template is not None else None, out_dir, options, strict=strict)
    return [session.run(path) for path in session.plan(inputs)]


SAMPLE = PACKAGE_DIR.parent / "inputs" / "2022.xlsx"  # the checkout's sample, for template check


def fields_for(profile: TemplateProfile, workbook: Path | None) -> tuple[Mapping[str, Any] | None, str]:
    """The context fields are checked against, and where it came from: the workbook given, else the sample
    of the checkout, else (an installed genreport) the shipped shape alone. WorkbookInvalid for a workbook
    given that has errors."""
    if workbook is not None:
        context, _ = load_context(workbook, profile=profile)
        return context, display_path(workbook)
    if SAMPLE.is_file():
        try:
            context, _ = load_context(SAMPLE, profile=profile)
            return context, display_path(SAMPLE)
        except GenreportError:
            pass  # a sample being reworked: the shipped shape still says what the context holds
    return None, "genreport 自带的字段清单"
