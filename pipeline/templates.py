"""Where template files are: the default set (report.docx, rules.toml) and a user's own template."""

from __future__ import annotations

from pathlib import Path

from .errors import TemplateProblem, display_path

PACKAGE_DIR = Path(__file__).resolve().parent
TEMPLATE_FILE = "report.docx"
RULES_FILE = "rules.toml"


def default_template_file(name: str) -> Path:
    """templates/default/NAME of the checkout, or the copy packed into an installed wheel."""
    for root in (PACKAGE_DIR.parent / "templates", PACKAGE_DIR / "_templates"):
        candidate = root / "default" / name
        if candidate.is_file():
            return candidate
    raise TemplateProblem(f"找不到默认模板文件 templates/default/{name}；请用 -t 指定模板")


def resolve_template(spec: Path | None) -> Path:
    """A template is a .docx file, or a folder holding report.docx; None means the default."""
    if spec is None:
        return default_template_file(TEMPLATE_FILE)
    path = spec / TEMPLATE_FILE if spec.is_dir() else spec
    if not path.is_file():
        raise TemplateProblem(f"{display_path(path)}：找不到模板文件")
    if path.suffix.lower() != ".docx":
        raise TemplateProblem(f"{display_path(path)}：模板应为 Word 文档（.docx）")
    return path


def rules_for_template(spec: Path | None) -> Path:
    """rules.toml beside the chosen template when there is one, else the default rules."""
    if spec is not None:
        folder = spec if spec.is_dir() else spec.parent
        if (folder / RULES_FILE).is_file():
            return folder / RULES_FILE
    return default_template_file(RULES_FILE)
