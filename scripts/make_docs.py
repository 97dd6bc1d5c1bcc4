"""Regenerate docs/workbook.md from pipeline/schema.py."""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from pipeline.schema_docs import workbook_markdown  # noqa: E402

if __name__ == "__main__":
    (ROOT / "docs" / "workbook.md").write_text(workbook_markdown(), encoding="utf-8")
    print("wrote docs/workbook.md")
