"""WCAG contrast: the reference values WebAIM's checker prints for the same pairs."""

import pytest

from flexos_mcp.analysis.contrast import contrast_ratio, contrast_verdict


@pytest.mark.parametrize(
    ("fg", "bg", "ratio"),
    [
        ("#000000", "#FFFFFF", 21.0),
        ("#FFFFFF", "#FFFFFF", 1.0),
        ("#777777", "#FFFFFF", 4.48),  # the classic "looks fine, fails AA" grey
        ("#767676", "#FFFFFF", 4.54),  # the lightest grey that passes AA on white
        ("#DC2626", "#FFFFFF", 4.83),
        ("white", "#1E293B", 14.63),
    ],
)
def test_ratios_match_the_wcag_reference(fg, bg, ratio):
    assert contrast_ratio(fg, bg) == pytest.approx(ratio, abs=0.01)
    assert contrast_ratio(bg, fg) == pytest.approx(ratio, abs=0.01)  # symmetric for opaque colours


def test_translucent_text_is_composited_over_its_background():
    # 50% black over white paints #7F7F7F, whose ratio against white is 4.0 (fails AA)
    assert contrast_ratio("rgb(0 0 0 / 50%)", "#FFFFFF") == pytest.approx(4.0, abs=0.01)
    assert contrast_ratio("rgb(0 0 0 / 50%)", "#FFFFFF") < contrast_ratio("#000000", "#FFFFFF")


def test_verdicts_follow_the_thresholds():
    assert contrast_verdict("#777777", "#FFFFFF").summary == "AA-large"
    assert contrast_verdict("#767676", "#FFFFFF").summary == "AA"
    assert contrast_verdict("#000000", "#FFFFFF").summary == "AAA"
    assert contrast_verdict("#BBBBBB", "#FFFFFF").summary == "fail"
    assert contrast_verdict("#767676", "#FFFFFF").as_dict()["aa"] is True


def test_a_non_colour_is_refused():
    with pytest.raises(ValueError, match="not a colour"):
        contrast_ratio("currentColor", "#FFFFFF")
