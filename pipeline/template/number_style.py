"""The number style a report prints with: decimals of percentages and amounts, thousands separators.

A template sets it (template.toml's number style) and ``--percent-places`` may override it; the renderer's filters,
the review comments (which look for a figure as it prints) and ``template check`` all take this one object.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class RenderOptions:
    """The number style of one session; plain values only, because a session is pickled into worker processes."""

    percent_places: int = 2
    decimals: int = 2  # 万元 amounts (|money, |yuan, |delta)
    thousands: bool = False  # 12,678.39 rather than 12678.39
