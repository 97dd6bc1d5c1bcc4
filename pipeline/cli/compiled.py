"""Dataclasses made from code compiled once, not in every process.

Making a dataclass compiles its methods from generated source (``dataclasses`` execs a ``def`` for ``__init__``,
``__repr__``, ``__eq__``, and for a frozen class ``__hash__``, ``__setattr__`` and ``__delattr__``). A one-report
build makes about 110 dataclasses, genreport's and its libraries', from some 560 such texts: ~45 ms of compiling, a
sixth of the whole command, in every process. The code compiled from a text depends on nothing but the text and
Python itself, so the code of each text is kept in genreport's private cache (pipeline/cache.py: a folder closed
to others, keyed by Python's version and genreport's code) and a later process executes it instead of compiling
the text again. What runs is what ``exec(text)`` would run: code compiled from the same text, with no flag of this
module inherited, at the same optimization level. ``GENREPORT_CACHE=0`` (no cache) leaves dataclasses alone.

Installed when imported: ``pipeline/cli/__init__.py`` imports it before anything else, typer included.
"""

from __future__ import annotations

import atexit
import builtins
import dataclasses
import hashlib
import sys
from types import CodeType
from typing import Any

from .. import cache

_KIND, _NAME = "code", "dataclasses.marshal"
_MAX_TEXTS = 20_000  # a cache past this (many versions of many classes) starts again from this process's texts
_codes: dict[bytes, CodeType] = {}
_compiled: dict[bytes, CodeType] = {}  # compiled by this process: what the cache gains when it ends


def install() -> None:
    """From now on, each dataclass method is compiled once per text; the texts new to the cache are kept when the
    process ends. Nothing happens without a usable cache, or where ``dataclasses`` already has a hook."""
    if hasattr(dataclasses, "exec") or cache.folder() is None:
        return
    _codes.update(_load(cache.read_marshal(_KIND, _NAME)))
    dataclasses.exec = _exec  # type: ignore[attr-defined]  # found before the builtin by dataclasses' own calls
    atexit.register(_save)


def _load(loaded: Any) -> dict[bytes, CodeType]:
    if not isinstance(loaded, dict):
        return {}  # none, or not what this module writes: compiled again
    return {k: v for k, v in loaded.items() if isinstance(k, bytes) and isinstance(v, CodeType)}


def _exec(source: Any, globals: dict[str, Any] | None = None, locals: Any = None, /) -> None:
    if not isinstance(source, str):
        builtins.exec(source, globals, locals)
        return
    key = hashlib.blake2b(f"{sys.flags.optimize}\n{source}".encode("utf-8", "surrogatepass"), digest_size=20).digest()
    code = _codes.get(key)
    if code is None:
        code = _codes[key] = _compiled[key] = compile(source, "<string>", "exec", dont_inherit=True)
    builtins.exec(code, globals, locals)


def _save() -> None:
    if _compiled:
        cache.write_marshal(_KIND, _NAME, _codes if len(_codes) <= _MAX_TEXTS else _compiled)


install()
