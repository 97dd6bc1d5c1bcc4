"""bench/RESULTS.md, written section by section: each benchmark replaces its own section (or appends it) and keeps
the rest of the file as it is at that moment, since other benchmarks write theirs into the same file."""

from __future__ import annotations

import re
from pathlib import Path

RESULTS = Path(__file__).resolve().parent / "RESULTS.md"


def write_section(heading: str, text: str) -> None:
    """Replace the section that starts with ``heading`` (up to the next ``## ``) by ``text``, atomically."""
    current = RESULTS.read_text(encoding="utf-8") if RESULTS.exists() else "# Benchmark results\n"
    section = text.rstrip("\n") + "\n"
    pattern = re.compile(rf"^{re.escape(heading)}.*?(?=^## |\Z)", re.S | re.M)
    if pattern.search(current):
        updated = pattern.sub(lambda _: section + "\n", current, count=1)
    else:
        updated = current.rstrip("\n") + "\n\n" + section
    temporary = RESULTS.with_name(RESULTS.name + ".tmp")
    temporary.write_text(updated.rstrip("\n") + "\n", encoding="utf-8")
    temporary.replace(RESULTS)
