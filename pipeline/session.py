"""One build session: a template profile and options, applied to any number of workbooks.

``BuildSession.run(path)`` reads, checks and renders one workbook and returns what happened; it prints nothing
and calls nothing back, so the CLI, a batch of worker processes or a web page can each present results their own
way. A session pickles without its prepared renderer, which each process prepares again on first use.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .checks import check_report
from .context import build_context
from .derive import Derived, derive
from .errors import GenreportError, InputError, TemplateProblem, UsageError, WorkbookInvalid, display_path
from .findings import Finding
from .normalize import normalize
from .outfile import DEFAULT_OUT_DIR
from .profile import TemplateProfile, resolve_profile
from .read_excel import open_workbook
from .records import Report
from .render import RenderOptions

if TYPE_CHECKING:
    from .render.docx import DocxRenderer

WORKBOOK_SUFFIXES = (".xlsx", ".xlsm")


@dataclass
class Inspection:
    """Everything known about one workbook: its model (when it could be built) and all findings."""

    path: Path
    derived: Derived | None  # the model and its derived figures, when the workbook could be modelled
    findings: list[Finding]

    def blocking(self, strict: bool) -> list[Finding]:
        return [f for f in self.findings if f.severity == "error" or strict]


def inspect(path: Path, profile: TemplateProfile) -> Inspection:
    """Read, normalize, model and check one workbook; never raises for a user's mistake."""
    try:
        data = normalize(open_workbook(path))
    except InputError as e:
        return Inspection(path, None, [e.as_finding()])
    if data.errors:  # structural: the model cannot be trusted, so consistency is not checked
        return Inspection(path, None, data.findings)
    derived = derive(data.report(), profile.rules)
    return Inspection(path, derived, data.findings + check_report(derived))


def expand_inputs(inputs: Sequence[Path]) -> list[Path]:
    """Files as given; a folder stands for the workbooks in it (any case of .xlsx/.xlsm, not Excel's ~$ lock
    files), in name order."""
    out: list[Path] = []
    for path in inputs:
        if path.is_dir():
            found = sorted(
                p
                for p in path.iterdir()
                if p.suffix.lower() in WORKBOOK_SUFFIXES and not p.name.startswith("~$") and p.is_file()
            )
            if not found:
                raise UsageError(f"{display_path(path)}：文件夹中没有 .xlsx 工作簿")
            out.extend(found)
        else:
            out.append(path)
    return out


@dataclass
class BuildResult:
    """What happened to one input: the report written, or the error that stopped it."""

    input: Path
    output: Path | None = None
    findings: list[Finding] = field(default_factory=list)
    error: GenreportError | None = None
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        return self.error is None


class BuildSession:
    """A profile and the build options; ``plan`` pairs inputs with outputs, ``run`` builds one of them."""

    def __init__(
        self,
        profile: TemplateProfile,
        out_dir: Path = DEFAULT_OUT_DIR,
        options: RenderOptions | None = None,
        *,
        strict: bool = False,
    ) -> None:
        self.profile = profile
        self.out_dir = out_dir
        self.options = options or RenderOptions()
        self.strict = strict
        self._renderer: DocxRenderer | None = None

    def __getstate__(self) -> dict[str, Any]:
        state = self.__dict__.copy()
        state["_renderer"] = None  # compiled templates do not pickle; each process prepares its own
        return state

    def output_path(self, input_path: Path) -> Path:
        return self.out_dir / f"{input_path.stem}.docx"

    def plan(self, inputs: Sequence[Path]) -> list[Path]:
        """The workbooks to build; two inputs that would write the same report are a usage error."""
        paths = expand_inputs(inputs)
        seen: dict[Path, Path] = {}
        for path in paths:
            target = self.output_path(path)
            if target in seen:
                raise UsageError(f"{display_path(path)} 与另一个输入文件同名，输出会互相覆盖：{display_path(target)}")
            seen[target] = path
        return paths

    def renderer(self) -> DocxRenderer:
        if self._renderer is None:
            from .render.docx import DocxRenderer

            if self.profile.document is None:
                raise TemplateProblem(f"{self.profile.name}：模板文件夹中没有 report.docx")
            self._renderer = DocxRenderer(self.profile.document, self.options)
        return self._renderer

    def run(self, path: Path) -> BuildResult:
        started = time.perf_counter()
        inspection = inspect(path, self.profile)
        result = BuildResult(input=path, findings=inspection.findings)
        blocking = inspection.blocking(self.strict)
        try:
            if blocking or inspection.derived is None:
                raise WorkbookInvalid(blocking)
            target = self.output_path(path)
            self.renderer().render(build_context(inspection.derived), target)
            result.output = target
        except GenreportError as e:
            result.error = e
        result.seconds = time.perf_counter() - started
        return result


def validate(inputs: Sequence[Path], profile: TemplateProfile | None = None) -> list[Inspection]:
    """Inspect every input with the profile's rules (the default template's when none is given)."""
    profile = profile or resolve_profile(None)
    return [inspect(path, profile) for path in expand_inputs(inputs)]


def load_derived(
    path: Path, *, strict: bool = False, profile: TemplateProfile | None = None
) -> tuple[Derived, list[Finding]]:
    """The checked model of one workbook and its derived figures; raise WorkbookInvalid listing every blocking
    finding."""
    result = inspect(path, profile or resolve_profile(None))
    blocking = result.blocking(strict)
    if blocking or result.derived is None:
        raise WorkbookInvalid(blocking)
    return result.derived, result.findings


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
    session = BuildSession(resolve_profile(template), out_dir, options, strict=strict)
    return [session.run(path) for path in session.plan(inputs)]
