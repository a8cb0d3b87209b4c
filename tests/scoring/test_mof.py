"""Model Openness Framework class gating, on the edge cases of the Model Openness Tool's algorithm."""

from __future__ import annotations

import pytest

from aibom.score.mof import (
    MOF_COMPONENTS,
    RESEARCH_PAPER,
    TECHNICAL_REPORT,
    classify,
    required,
)

CLASS_III = set(required(3))
CLASS_II = set(required(2))
CLASS_I = set(required(1))
EVERYTHING = CLASS_III | CLASS_II | CLASS_I


def test_component_table_matches_mof_1_0() -> None:
    assert len(MOF_COMPONENTS) == 14
    assert {9, 10, 11, 12, 13, 14} == CLASS_III
    assert {7, 8, 18, 19} == CLASS_II
    assert {15, 16, 21, 24} == CLASS_I


def test_nothing_open_is_unclassified() -> None:
    result = classify([])
    assert result.mof_class == 0
    assert result.label is None
    assert result.progress == {3: 0.0, 2: 0.0, 1: 0.0}
    assert result.total_progress == 0.0


def test_partial_class_iii_shows_progress_only_there() -> None:
    result = classify({9, 10, 13})
    assert result.progress[3] == pytest.approx(50.0)
    assert result.progress[2] == 0.0
    assert result.progress[1] == 0.0
    assert result.mof_class == 0


def test_class_iii_complete() -> None:
    result = classify(CLASS_III)
    assert result.label == "Class III"
    assert result.progress[3] == 100.0
    assert result.progress[2] == pytest.approx(60.0)  # 6 of 10 cumulative
    assert result.progress[1] == 0.0  # Class II not complete: gated
    assert result.missing(2) == [
        "Training code",
        "Inference code",
        "Evaluation code",
        "Evaluation data",
    ]


def test_higher_class_components_without_lower_class_count_for_nothing() -> None:
    """Every Class II and Class I component open, one Class III component missing: unclassified, and
    the Class II and I percentages are 0 because Class III is not complete."""
    result = classify(EVERYTHING - {13})
    assert result.mof_class == 0
    assert result.progress[3] == pytest.approx(5 / 6 * 100)
    assert result.progress[2] == 0.0
    assert result.progress[1] == 0.0


def test_class_ii_complete() -> None:
    result = classify(CLASS_III | CLASS_II)
    assert result.label == "Class II"
    assert result.progress == {3: 100.0, 2: 100.0, 1: pytest.approx(10 / 14 * 100)}


def test_class_i_complete() -> None:
    result = classify(EVERYTHING)
    assert result.label == "Class I"
    assert result.total_progress == 100.0
    assert result.missing(1) == []


def test_research_paper_stands_in_for_a_missing_technical_report() -> None:
    without_report = (CLASS_III - {TECHNICAL_REPORT}) | {RESEARCH_PAPER}
    result = classify(without_report)
    assert result.label == "Class III"
    assert result.progress[3] == 100.0


def test_paper_instead_of_report_reaches_class_i_with_one_fewer_component() -> None:
    result = classify(EVERYTHING - {TECHNICAL_REPORT})
    assert result.progress[1] == 100.0  # 13 of 13: the total drops by one
    assert result.label == "Class I"


def test_report_missing_and_no_paper_blocks_class_iii() -> None:
    result = classify(EVERYTHING - {TECHNICAL_REPORT, RESEARCH_PAPER})
    assert result.mof_class == 0
    assert result.progress[3] == pytest.approx(5 / 6 * 100)


def test_report_and_paper_both_present_cap_at_100() -> None:
    result = classify(CLASS_III | {RESEARCH_PAPER})
    assert result.progress[3] == 100.0
    assert result.progress[2] == pytest.approx(60.0)


def test_class_i_partial_after_class_ii() -> None:
    result = classify(CLASS_III | CLASS_II | {15})
    assert result.label == "Class II"
    assert result.progress[1] == pytest.approx(11 / 14 * 100)


def test_optional_and_unknown_components_never_count() -> None:
    assert classify(CLASS_III | {17, 20, 22, 99}).progress == classify(CLASS_III).progress


def test_missing_lists_the_next_class_with_the_paper_covering_the_report() -> None:
    result = classify({9, 10, 12, 13, 14, RESEARCH_PAPER})
    assert result.label == "Class III"
    assert "Technical report" not in result.missing(2)
