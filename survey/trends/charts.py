"""Where the bars of a chart go: plain geometry for the SVG macros in templates/trends/_charts.html.

A chart is horizontal bars, a group per figure (an option, a mean, a violence area) and in it a bar per round,
oldest first, each bar labelled with its round and its value: it reads without colour, and the shades (light
for older rounds, dark for the newest) are a help, not the code. We draw our own rather than use a chart
library: the bars are a few rectangles, and the page stays free of scripts and of anything fetched elsewhere.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from survey.trends.figures import Measure

WIDTH = 720
ROUND_LABEL = 280  # the round's name, right-aligned left of its bar
VALUE_ROOM = 90  # the value, right of the longest bar
GROUP_HEADING = 22
BAR = 18
GAP = 4
GROUP_GAP = 10
# Newest last; each at least 3:1 against white, and the text beside the bar, not on it.
SHADES = ("#7a8fa6", "#4f6b8a", "#2f4d70", "#123456")


@dataclass
class Bar:
    round_name: str
    value: float | None
    y: float
    width: float
    shade: str
    missing: str  # what stands for no value: the question was not asked that round, or nobody answered


@dataclass
class Group:
    label: str
    y: float
    bars: list[Bar]


@dataclass
class Chart:
    groups: list[Group]
    height: float
    width: float = WIDTH
    bar_x: float = ROUND_LABEL
    bar_height: float = BAR
    target_x: float | None = None  # a target's line across the bars


def bar_chart(
    groups: list[tuple[str, list[float | None]]],
    round_names: list[str],
    maximum: float,
    missing: list[str] | None = None,
    target: float | None = None,
) -> Chart:
    """Bars for ``groups`` of (label, a value per round), scaled so that ``maximum`` fills the width;
    ``missing``: per round, the words for no value; ``target``: where a line marks the target."""
    room = WIDTH - ROUND_LABEL - VALUE_ROOM
    missing = missing or [""] * len(round_names)
    maximum = max(maximum, target or 0)
    shades = SHADES[-len(round_names) :] if len(round_names) <= len(SHADES) else None
    y = 0.0
    found = []
    for label, values in groups:
        top = y
        y += GROUP_HEADING
        bars = []
        for i, (name, value) in enumerate(zip(round_names, values, strict=True)):
            width = 0.0 if value is None or maximum <= 0 else max(0.0, min(1.0, value / maximum)) * room
            shade = shades[i] if shades else SHADES[-1 if i == len(round_names) - 1 else 0]
            bars.append(Bar(name, value, y, round(width, 1), shade, missing[i]))
            y += BAR + GAP
        found.append(Group(label, top, bars))
        y += GROUP_GAP
    target_x = None if target is None or maximum <= 0 else round(ROUND_LABEL + target / maximum * room, 1)
    return Chart(found, y, target_x=target_x)


def measures_chart(
    measures: list[Measure],
    round_names: list[str],
    maximum: float,
    missing: list[str] | None = None,
    target: float | None = None,
    labels: Mapping[str, str] | None = None,
) -> Chart:
    """bar_chart() of a trend's measures, each group named by ``labels`` (a measure's name in words) or its label."""
    labels = labels or {}
    return bar_chart(
        [(labels.get(m.label, m.label), m.values) for m in measures], round_names, maximum, missing, target
    )
