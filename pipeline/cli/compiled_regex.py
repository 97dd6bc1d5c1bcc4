"""Regular expressions compiled once, not in every process.

A one-report build compiles about 170 patterns, genreport's and its libraries' (jinja2's lexer, tomllib, the
proofreading): ~30 ms CPU of every process, an eighth of the command, most of it in ``re``'s Python compiler. What
it makes of a pattern (its opcodes, groups and flags) depends on nothing but the pattern, the flags and Python
itself, so it is kept in genreport's private cache (pipeline/cache.py: a folder closed to others, keyed by
Python's version and genreport's code) and a later process hands it to ``_sre.compile`` as ``re`` itself does,
without parsing and compiling the pattern again.

Nothing is kept that ``re`` would not make itself: a pattern new to the cache is compiled by ``re`` as before, and
what is kept for it is made again the same way and compared with what ``re`` made (opcodes, flags, groups and
their names); any difference, or a ``re`` whose internals are not the ones read here, turns this off for the
process. A pattern ``re`` refuses raises in ``re`` as before. Locale-dependent and debug patterns are left to
``re``. ``GENREPORT_CACHE=0`` (no cache) leaves ``re`` alone.

Installed when imported: ``pipeline/cli/__init__.py`` imports it before anything else, typer included.
"""

from __future__ import annotations

import atexit
import re
from typing import Any

from .. import cache

try:  # re's internals (CPython 3.11–3.13): without them, nothing is installed
    import _sre  # type: ignore[import-not-found]
    from re import _compiler, _parser  # type: ignore[attr-defined]

    _ORIGINAL = _compiler.compile
    _READY = callable(getattr(_compiler, "_code", None)) and callable(getattr(_parser, "parse", None))
except (ImportError, AttributeError):  # pragma: no cover - another Python
    _READY = False

_KIND, _NAME = "code", "regex.marshal"
_MAX = 20_000  # a cache past this many patterns starts again from this process's own
_UNKEPT = re.DEBUG | re.LOCALE
Compiled = tuple[int, list[int], int, dict[str, int], tuple[str | None, ...]]
_kept: dict[tuple[str | bytes, int], Compiled] = {}
_new: dict[tuple[str | bytes, int], Compiled] = {}  # made by this process: what the cache gains when it ends
_on = False
_settled = False


def install() -> None:
    global _on
    if not _READY or _compiler.compile is not _ORIGINAL or cache.folder() is None:
        return
    _kept.update(_load(cache.read_marshal(_KIND, _NAME)))
    _compiler.compile = _compile
    _on = True
    atexit.register(_save)


def settle() -> None:
    """From now on the kept patterns still serve, and a new one is compiled by ``re`` and kept nowhere: a web job's
    process, whose patterns past the preloaded pipeline's are its users' (anything made of an upload)."""
    global _settled
    _settled = True


def _load(loaded: Any) -> dict[tuple[str | bytes, int], Compiled]:
    return loaded if isinstance(loaded, dict) else {}  # none, or not what this module writes: compiled again


def _compile(p: Any, flags: int = 0) -> Any:
    if not _on or not isinstance(p, str | bytes) or flags & _UNKEPT or cache.compiling_content():
        return _ORIGINAL(p, flags)
    key = (p, int(flags))  # a RegexFlag is no int to marshal
    kept = _kept.get(key)
    if kept is None and _settled:
        return _ORIGINAL(p, flags)
    if kept is not None:
        try:
            return _sre.compile(p, *kept)
        except (TypeError, ValueError, RuntimeError):
            _off()  # not what this Python's _sre takes: re compiles, as without the cache
            return _ORIGINAL(p, flags)
    pattern = _ORIGINAL(p, flags)  # raises as re does for a pattern it refuses
    made = _made(p, flags)
    if made is None or not _same(_sre.compile(p, *made), pattern):
        _off()
        return pattern
    _kept[key] = _new[key] = made
    return pattern


def _made(p: str | bytes, flags: int) -> Compiled | None:
    """What re._compiler.compile hands to _sre.compile for ``p``, made the way it makes it."""
    try:
        parsed = _parser.parse(p, flags)
        code = _compiler._code(parsed, flags)
        groupindex = dict(parsed.state.groupdict)
        indexgroup: list[str | None] = [None] * parsed.state.groups
        for name, i in groupindex.items():
            indexgroup[i] = name
        final = int(flags | parsed.state.flags)
        return (final, [int(op) for op in code], parsed.state.groups - 1, groupindex, tuple(indexgroup))
    except Exception:  # noqa: BLE001  # internals other than these: re compiles, as without the cache
        return None


def _same(mine: re.Pattern[Any], theirs: re.Pattern[Any]) -> bool:
    # Pattern equality compares the flags, the pattern and every opcode; groups and their names are compared here
    return mine == theirs and mine.groups == theirs.groups and mine.groupindex == theirs.groupindex


def _off() -> None:
    global _on
    _on = False
    _new.clear()  # nothing this process made is kept


def _save() -> None:
    if _on and _new:
        cache.write_marshal(_KIND, _NAME, _kept if len(_kept) <= _MAX else _new)


install()
