"""Model Openness Framework 1.0 classes, computed the way the framework's Model Openness Tool does.

The algorithm (LF AI & Data, ``lfai/model_openness_tool`` ``ModelEvaluator.php``; research note
transparency-scoring.md B.2.2) works on the set of *required* components that are included under an open
licence:

1. Classes are cumulative: Class III needs its 6 components, Class II those 6 plus 4, Class I all 14.
2. Progress for class c walks from Class III down to c, adding each class's required count to the total;
   if a higher class is not complete, class c gets 0 %.
3. A research paper stands in for a missing technical report in Classes III and II; for Class I the
   total drops by one instead (the paper is itself a Class I component). Progress is capped at 100 %.
4. The class reached is the lowest-numbered class at 100 %; otherwise the model is unclassified.
   Total progress is the mean of the three percentages.

One deliberate difference: MOT tests "is the report included" with PHP ``array_search``, which returns
index 0 (falsy) when the report is the first included component; we implement the evident intent.
Optional components (sample outputs, supporting libraries, model metadata) never affect the class.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

MOF_COMPONENTS: dict[int, tuple[str, int]] = {
    9: ("Model architecture", 3),
    10: ("Model parameters (Final)", 3),
    13: ("Model card", 3),
    14: ("Data card", 3),
    11: ("Technical report", 3),
    12: ("Evaluation results", 3),
    7: ("Training code", 2),
    8: ("Inference code", 2),
    18: ("Evaluation code", 2),
    19: ("Evaluation data", 2),
    15: ("Datasets", 1),
    16: ("Data preprocessing code", 1),
    24: ("Model parameters (Intermediate)", 1),
    21: ("Research paper", 1),
}
"""Required components: MOT id -> (name, class that first requires it)."""
OPTIONAL_COMPONENTS: dict[int, str] = {
    20: "Sample model outputs",
    22: "Supporting libraries and tools",
    17: "Model metadata",
}
TECHNICAL_REPORT, RESEARCH_PAPER = 11, 21
CLASS_LABELS = {1: "Class I", 2: "Class II", 3: "Class III"}
CLASS_NAMES = {1: "Open Science", 2: "Open Tooling", 3: "Open Model"}


def required(mof_class: int) -> tuple[int, ...]:
    """Components first required by ``mof_class`` (not cumulative)."""
    return tuple(cid for cid, (_name, c) in MOF_COMPONENTS.items() if c == mof_class)


def _cumulative(mof_class: int) -> set[int]:
    return {cid for cid, (_name, c) in MOF_COMPONENTS.items() if c >= mof_class}


@dataclass(frozen=True)
class MofResult:
    mof_class: int
    """1, 2 or 3; 0 when unclassified."""
    progress: dict[int, float]
    """Percentage per class (3, 2, 1)."""
    open_components: frozenset[int]

    @property
    def label(self) -> str | None:
        return CLASS_LABELS.get(self.mof_class)

    @property
    def total_progress(self) -> float:
        return sum(self.progress.values()) / 3

    def missing(self, mof_class: int) -> list[str]:
        """Components still needed for ``mof_class`` (the paper covers a missing report)."""
        needed = _cumulative(mof_class) - set(self.open_components)
        if RESEARCH_PAPER in self.open_components:
            needed.discard(TECHNICAL_REPORT)
        return [MOF_COMPONENTS[cid][0] for cid in sorted(needed, key=_display_order)]


def _display_order(cid: int) -> tuple[int, int]:
    order = list(MOF_COMPONENTS)
    return -MOF_COMPONENTS[cid][1], order.index(cid)


def _included(open_components: frozenset[int]) -> dict[int, int]:
    """Included-and-open required components per class, cumulative, with the paper standing in."""
    stands_in = TECHNICAL_REPORT not in open_components and RESEARCH_PAPER in open_components
    counts = {}
    for mof_class in (3, 2, 1):
        count = len(_cumulative(mof_class) & open_components)
        if stands_in and mof_class in (3, 2):
            count += 1
        counts[mof_class] = count
    return counts


def progress(mof_class: int, open_components: frozenset[int]) -> float:
    included = _included(open_components)
    total = 0
    count = 0
    for step in range(3, mof_class - 1, -1):
        total += len(required(step))
        count = included[step]
        if count < total:
            if step > mof_class:
                return 0.0
            break
    if (
        mof_class == 1
        and TECHNICAL_REPORT not in open_components
        and RESEARCH_PAPER in open_components
    ):
        total -= 1
    return min(100.0, count / total * 100)


def classify(open_components: Iterable[int]) -> MofResult:
    """The MOF class reached by a model whose ``open_components`` (MOT ids) are included and open."""
    components = frozenset(c for c in open_components if c in MOF_COMPONENTS)
    percentages = {c: progress(c, components) for c in (3, 2, 1)}
    reached = 0
    for mof_class in (3, 2, 1):
        if percentages[mof_class] == 100.0:
            reached = mof_class
    return MofResult(reached, percentages, components)
