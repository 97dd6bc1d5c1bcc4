"""Regenerate docs/workbook.md from pipeline/schema.py and docs/findings.md from pipeline/codes.py."""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from pipeline.finding_docs import findings_markdown  # noqa: E402
from pipeline.schema_docs import workbook_markdown  # noqa: E402

if __name__ == "__main__":
    (ROOT / "docs" / "workbook.md").write_text(workbook_markdown(), encoding="utf-8")
    (ROOT / "docs" / "findings.md").write_text(findings_markdown(), encoding="utf-8")
    print("wrote docs/workbook.md and docs/findings.md")
