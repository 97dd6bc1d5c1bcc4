"""The doubted figures of the report being rendered: each warning's cell and the review comment it becomes.

The session sets them around one report's render (``noting``); the filters that print a figure, and a figure
printed bare, wrap the text of a doubted one in marks (``model.figure.marked``) that the review pass turns into
the comment's anchor. A ContextVar, because the environment and its compiled templates are shared by every report
of a batch and by the web page's threads, while the doubts are one report's."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from ..model.figure import Figure, marked
from ..model.record import Place

_NOTES: ContextVar[Mapping[Place, int] | None] = ContextVar("genreport_notes", default=None)


@contextmanager
def noting(notes: Mapping[Place, int]) -> Iterator[None]:
    token = _NOTES.set(notes)
    try:
        yield
    finally:
        _NOTES.reset(token)


def mark(value: Any, text: str) -> str:
    """``text``, the printed ``value``, marked when it is a figure a warning of this report doubts."""
    notes = _NOTES.get()
    if notes and isinstance(value, Figure):
        note = notes.get(value.place)
        if note is not None:
            return marked(text, note)
    return text
