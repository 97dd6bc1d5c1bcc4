"""Regenerate what is generated: docs/workbook.md and pipeline/model/records.py from pipeline/model/schema.py,
docs/findings.md from pipeline/findings/codes.py, docs/summary-guide.md from pipeline/summary/vocabulary.py,
docs/template-guide.md from the template context of the sample, the filter registry and the template.toml
settings, and the context shape `template check` ships. Tests fail when a committed copy is stale."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from pipeline.findings.docs import findings_markdown  # noqa: E402
from pipeline.make.context_shape import SHIPPED, generate  # noqa: E402
from pipeline.make.records import records_source  # noqa: E402
from pipeline.make.summary_guide import summary_guide_markdown  # noqa: E402
from pipeline.make.template_guide import guide_markdown, sample_context  # noqa: E402
from pipeline.make.workbook_docs import workbook_markdown  # noqa: E402
from pipeline.template.check.shape import dumps  # noqa: E402


def formatted(source: str, name: str) -> str:
    """Python source as ruff format writes it (the records module must pass the lint like hand-written code)."""
    ruff = Path(sys.executable).parent / "ruff"
    command = [str(ruff) if ruff.exists() else "ruff", "format", "--stdin-filename", name, "-"]
    return subprocess.run(command, input=source, capture_output=True, text=True, check=True, cwd=ROOT).stdout


if __name__ == "__main__":
    # The model classes first: the guide and the shape come from a context read through them, so a schema change
    # reruns this script with the new classes imported.
    records = ROOT / "pipeline" / "model" / "records.py"
    source = formatted(records_source(), "pipeline/model/records.py")
    if records.read_text(encoding="utf-8") != source:
        records.write_text(source, encoding="utf-8")
        sys.exit(subprocess.run([sys.executable, __file__], check=False).returncode)
    (ROOT / "docs" / "workbook.md").write_text(workbook_markdown(), encoding="utf-8")
    (ROOT / "docs" / "findings.md").write_text(findings_markdown(), encoding="utf-8")
    (ROOT / "docs" / "template-guide.md").write_text(guide_markdown(sample_context(ROOT)), encoding="utf-8")
    (ROOT / "docs" / "summary-guide.md").write_text(summary_guide_markdown(), encoding="utf-8")
    SHIPPED.write_text(dumps(generate()), encoding="utf-8")
    print(
        "wrote docs/workbook.md, docs/findings.md, docs/template-guide.md, docs/summary-guide.md, "
        "pipeline/model/records.py and "
        "pipeline/template/check/context_shape.json"
    )
