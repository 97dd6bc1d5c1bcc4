"""The template profile: ``-t NAME|PATH`` resolved once into the template's documents, rules and settings.

``build``, ``validate`` and the library calls all take a profile, so a template is looked up, read and checked in
one place, and whatever a template folder carries (its rules.toml today, its template.toml next) travels with it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import OutputError, TemplateProblem, UsageError, display_path
from ..outfile import atomic_write
from .document import read_template
from .layout import STANDARD, Layout, layout_for
from .rules import Rules, load_rules
from .settings import SETTINGS_FILE, TemplateSettings, default_settings, load_settings
from .settings_file import commented_settings

PACKAGE_DIR = Path(__file__).resolve().parents[1]  # the pipeline package
TEMPLATE_FILE = "report.docx"
RULES_FILE = "rules.toml"
DEFAULT_NAME = "default"


def template_roots() -> list[Path]:
    """Where a template NAME is looked up: templates/ of the working folder (where ``template new`` puts a
    department's own), of the checkout, then the copy packed into an installed wheel."""
    roots = [Path.cwd() / "templates", PACKAGE_DIR.parent / "templates", PACKAGE_DIR / "_templates"]
    unique: dict[Path, Path] = {}
    for root in roots:
        unique.setdefault(root.resolve(), root)  # the checkout's templates/ when working in the checkout
    return list(unique.values())


@dataclass(frozen=True)
class TemplateEntry:
    name: str
    folder: Path

    def described(self) -> tuple[str, str, str]:
        """(display name, unit kind, description) from its template.toml; a file that does not load says so in
        the description instead of hiding the template from the list."""
        try:
            settings = load_settings(self.folder / SETTINGS_FILE)
        except TemplateProblem as e:
            return self.name, "", f"template.toml 有误：{e}"
        shown = settings.get("template.name") or self.name
        return shown, settings.get("words.unit_kind"), settings.get("template.description")


def list_templates() -> list[TemplateEntry]:
    """Every template folder (one holding report.docx) by name; a name found twice is the first root's."""
    found: dict[str, TemplateEntry] = {}
    for root in template_roots():
        if not root.is_dir():
            continue
        for folder in sorted(root.iterdir()):
            if (folder / TEMPLATE_FILE).is_file() and folder.name not in found:
                found[folder.name] = TemplateEntry(folder.name, folder)
    return list(found.values())


_NAME = re.compile(r"^[\w\u4e00-\u9fff][\w\u4e00-\u9fff.-]{0,63}$")
MAX_NAME = 64  # characters of a template name (as _NAME allows)
_PATH_MARKS = ("/", "\\", ":", "\0")


def template_named(name: str) -> TemplateEntry:
    """The template a workbook names (基本信息 › 模板), among the ones this installation offers
    (``list_templates``), never as a path: a form uploaded to the web page, or handed over by another department,
    cannot point at a folder elsewhere on the disk or ask whether one exists. TemplateProblem in the words of
    whoever fills the form, listing the names there are. (``-t PATH`` is how a user runs a folder of their own.)"""
    available = list_templates()
    offered = f"可用的模板：{'、'.join(e.name for e in available)}" if available else "本机没有可用的模板"
    shown = "".join(c if c.isprintable() else "?" for c in name[:30]) + ("…" if len(name) > 30 else "")
    if any(mark in name for mark in _PATH_MARKS) or name.startswith("."):
        raise TemplateProblem(f"“{shown}”是文件路径，不是模板名称：这一栏只填模板的名称；{offered}")
    if len(name) > MAX_NAME:
        raise TemplateProblem(f"模板名称过长（{len(name)} 个字符）：这一栏只填模板的名称；{offered}")
    for entry in available:
        if entry.name == name:
            return entry
    raise TemplateProblem(f"没有名为“{shown}”的模板；{offered}")


def new_template(name: str, source: Path | str | None = None, *, force: bool = False) -> Path:
    """Copy a template (the default, or ``source``) to templates/NAME/ of the working folder, to edit in Word."""
    if not _NAME.match(name):
        raise UsageError(f"模板名“{name}”无效：请用字母、数字、汉字、-、_ 或 .，不含空格和斜杠")
    origin = resolve_profile(source)
    target = Path("templates") / name
    if target.exists() and not force:
        raise OutputError(f"{display_path(target)} 已存在；如需覆盖请加 --force")
    target.mkdir(parents=True, exist_ok=True)
    files = [origin.document] if origin.document else []
    if origin.folder is not None:
        files += [p for p in (origin.folder / RULES_FILE, origin.folder / SETTINGS_FILE) if p.is_file()]
        if _only_named(origin.settings):  # the default's says only its name: write every setting instead
            files = [p for p in files if p.name != SETTINGS_FILE]
    if origin.folder is None or not (origin.folder / RULES_FILE).is_file():
        files.append(default_template_file(RULES_FILE))
    for path in files:
        name_in_target = TEMPLATE_FILE if path == origin.document else path.name
        try:
            data = read_template(path) if path == origin.document else path.read_bytes()  # toml: read_toml's cap
        except OSError as e:
            raise OutputError(f"无法读取 {display_path(path)}：{e.strerror or e}") from e
        if name_in_target == SETTINGS_FILE:
            data = _renamed(data, name)
        atomic_write(target / name_in_target, data)  # a template open in Word is refused, never half-copied
    if not any(path.name == SETTINGS_FILE for path in files):  # every setting, commented, to edit in Notepad
        atomic_write(target / SETTINGS_FILE, commented_settings(name).encode("utf-8"))
    return target


def _only_named(settings: TemplateSettings) -> bool:
    defaults = default_settings()
    return (
        not settings.fields
        and not settings.tables
        and not settings.aliases
        and all(v == defaults.values[k] for k, v in settings.values.items() if not k.startswith("template."))
    )


_TEMPLATE_NAME = re.compile(r'(?m)^(\[template\][^\[]*?^name\s*=\s*)"(?:[^"\\\n]|\\.)*"')


def _renamed(data: bytes, name: str) -> bytes:
    """A copied template.toml with the new template's own display name: two templates listed under one name
    would be told apart by nobody. A file without a [template] name keeps its text (the folder name shows)."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return data  # read_toml says what is wrong with it when the template is used
    quoted = '"' + name.replace("\\", "\\\\").replace('"', '\\"') + '"'
    return _TEMPLATE_NAME.sub(lambda m: m.group(1) + quoted, text, count=1).encode("utf-8")


def default_template_file(name: str) -> Path:
    for root in template_roots():
        candidate = root / DEFAULT_NAME / name
        if candidate.is_file():
            return candidate
    raise TemplateProblem(f"找不到默认模板文件 templates/{DEFAULT_NAME}/{name}；请用 -t 指定模板")


@dataclass(frozen=True)
class TemplateProfile:
    """A template as chosen: where its Word document is, the rules it scores and checks with, its settings
    (template.toml), the workbook layout those imply, and its folder."""

    name: str
    document: Path | None  # None only where no report is rendered (validate with a folder of rules alone)
    rules: Rules
    folder: Path | None = None
    settings: TemplateSettings = field(default_factory=default_settings)
    layout: Layout = STANDARD


def resolve_profile(spec: Path | str | None, *, need_document: bool = True) -> TemplateProfile:
    """None: the default template. A .docx file, or a folder holding report.docx (and perhaps rules.toml);
    a bare name that is neither stands for templates/NAME. ``validate`` needs only the rules."""
    if spec is None:
        document = default_template_file(TEMPLATE_FILE)
        return _profile(DEFAULT_NAME, document, document.parent)
    path = Path(spec)
    if not path.exists() and path.name == str(spec):
        path = next((root / path.name for root in template_roots() if (root / path.name).is_dir()), path)
        if not path.exists():
            raise TemplateProblem(f"找不到模板“{spec}”{_known_names()}")
    folder = path if path.is_dir() else path.parent
    return _profile(display_path(path), _document(path, need_document), folder)


def _profile(name: str, document: Path | None, folder: Path) -> TemplateProfile:
    own_rules = folder / RULES_FILE
    rules = load_rules(own_rules if own_rules.is_file() else default_template_file(RULES_FILE))
    settings_path = folder / SETTINGS_FILE
    settings = load_settings(settings_path)
    layout = layout_for(settings, tuple(rules.level_points), display_path(settings_path))
    return TemplateProfile(name, document, rules, folder, settings, layout)


def _known_names() -> str:
    names = [entry.name for entry in list_templates()]
    return f"（可用的模板：{'、'.join(names)}；或给出 .docx 文件或文件夹的路径）" if names else ""


def _document(path: Path, needed: bool) -> Path | None:
    candidate = path / TEMPLATE_FILE if path.is_dir() else path
    if not candidate.is_file():
        if path.is_dir() and not needed:
            return None
        raise TemplateProblem(f"{display_path(candidate)}：找不到模板文件")
    if candidate.suffix.lower() != ".docx":
        raise TemplateProblem(f"{display_path(candidate)}：模板应为 Word 文档（.docx）")
    return candidate


def default_rules() -> Rules:
    return load_rules(default_template_file(RULES_FILE))
