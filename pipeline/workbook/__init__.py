"""The workbook: opening it safely (``reader``: calamine for values, openpyxl for the rest, ``source``, ``cells``,
``unused``, ``diagnose``), turning its cells into the typed model with every problem at its cell (``normalize``,
``convert``), and writing it: the blank form (``blank_form``) and next year's from last year's (``rollover``)."""

from __future__ import annotations

from .reader import open_workbook
from .source import SourceWorkbook

__all__ = ["SourceWorkbook", "open_workbook"]
