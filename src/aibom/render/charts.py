"""Geometry for the HTML report's inline SVG charts: numbers only, drawn by the template.

Charts are SVG elements styled by classes from the report's one stylesheet, so the page needs no
``style`` attributes, no scripts and no images (its Content-Security-Policy allows none of them).
"""

from __future__ import annotations

from dataclasses import dataclass

CIRCUMFERENCE = 100.0
RADIUS = 15.915494309189533
"""A circle of circumference 100, so dash lengths are percentages."""


@dataclass(frozen=True)
class Segment:
    css: str
    label: str
    value: int
    dash: str
    offset: str


@dataclass(frozen=True)
class Bar:
    css: str
    label: str
    value: int
    width: str
    """Percent of the widest bar, as an SVG length."""


def donut(parts: list[tuple[str, str, int]]) -> list[Segment]:
    """``(css class, label, value)`` -> ring segments, starting at 12 o'clock, clockwise."""
    total = sum(max(v, 0) for _, _, v in parts)
    if total == 0:
        return []
    out = []
    start = 0.0
    for css, label, value in parts:
        if value <= 0:
            continue
        length = CIRCUMFERENCE * value / total
        out.append(
            Segment(
                css, label, value, f"{length:.3f} {CIRCUMFERENCE - length:.3f}", f"{25 - start:.3f}"
            )
        )
        start += length
    return out


def gauge(score: float | None) -> Segment | None:
    """One arc for a 0-100 score."""
    if score is None:
        return None
    length = max(0.0, min(score, 100.0))
    return Segment(
        grade_class(score),
        "score",
        round(score),
        f"{length:.3f} {CIRCUMFERENCE - length:.3f}",
        "25",
    )


def bars(parts: list[tuple[str, str, int]]) -> list[Bar]:
    widest = max((v for _, _, v in parts), default=0)
    if widest <= 0:
        return [Bar(css, label, value, "0") for css, label, value in parts]
    return [
        Bar(css, label, value, f"{100 * max(value, 0) / widest:.2f}%")
        for css, label, value in parts
    ]


def grade_class(score: float | None) -> str:
    if score is None:
        return "grey"
    if score >= 80:
        return "green"
    if score >= 60:
        return "amber"
    return "red"
