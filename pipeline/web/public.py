"""What a message may say on the page: never a path of the server or a Python name.

Messages come from the pipeline, which words them for the command line: a template's path relative to the working
folder (or absolute, when the server was started elsewhere), and for a template that fails, the Python error's name.
On the page both only tell a stranger about the server. ``public`` strips the server's folders from paths (a
template's file keeps its own name), reduces any other absolute path to its last part, and drops Python error names.
"""

from __future__ import annotations

import functools
import os
import re
import sys
from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parents[1]
_ABSOLUTE = re.compile(  # the folders of /a/b/c and C:\\a\\b\\c, not their last part
    r"(?<![\w.])(?:/[^\s/\\“”\"'：:，,；;（）()<>]+)+/(?=[^\s/])|(?<![\w])[A-Za-z]:\\(?:[^\s\\“”\"'<>]+\\)+"
)
_JOB_FOLDER = re.compile(  # a job's private folder, however it is shown: the file inside is the user's
    r"(?:[^\s/“”\"'：:，,；;（）()<>]*/)*(?:genreport-web-|pymp-)[^/\s]+/(?:[^/\s“”\"'：:，,；;（）()<>]+/)*"
)
_PYTHON_NAME = re.compile(
    r"\b(?:[A-Za-z_][\w]*\.)*(?:[A-Z][A-Za-z0-9]*(?:Error|Exception|Warning|Exit|Interrupt)|Traceback)\b"
    r"(?: \(most recent call last\))?:? ?"
)


@functools.lru_cache(maxsize=2)
def _folders(templates: bool) -> tuple[str, ...]:
    """The server's own folders (the template roots, or the others), as the pipeline may print them: absolute
    (the template roots only: other absolute paths lose all their folders) and relative to the working folder,
    longest first."""
    cwd = Path.cwd()
    if templates:
        places = {PACKAGE_DIR.parent / "templates", PACKAGE_DIR / "_templates", cwd / "templates"}
    else:
        places = {PACKAGE_DIR.parent, PACKAGE_DIR, Path(sys.prefix), Path(sys.base_prefix), Path.home()}
    found: set[str] = set()
    for place in places:
        for form in (place, place.resolve()):
            if templates:
                found.add(str(form).rstrip("/") + "/")
            relative = os.path.relpath(form, cwd)
            if relative != "." and not relative.startswith(".."):
                found.add(relative.rstrip("/") + "/")
    return tuple(sorted(found, key=len, reverse=True))


def public(text: str) -> str:
    """``text`` with the server's folders, other absolute paths' folders and Python error names removed."""
    text = _JOB_FOLDER.sub("", text)
    for folder in _folders(templates=True):  # templates/default/report.docx → default/report.docx
        text = text.replace(folder, "")
    text = _ABSOLUTE.sub("", text)
    for folder in _folders(templates=False):
        text = text.replace(folder, "")
    return _PYTHON_NAME.sub("", text)
