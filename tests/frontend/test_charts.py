"""The compliance page's server-rendered SVG charts: numbers right, markup well-formed and labelled."""

from __future__ import annotations

from xml.etree import ElementTree

from frontend.charts import Bar, Series, bar_chart, line_chart, percentile

SVG = "{http://www.w3.org/2000/svg}"


def test_nearest_rank_percentiles():
    values = list(range(1, 101))
    assert percentile(values, 50) == 50
    assert percentile(values, 90) == 90
    assert percentile(values, 99) == 99
    assert percentile([7.0], 99) == 7.0
    assert percentile([], 50) is None


def test_bar_chart_is_labelled_svg_with_counts_and_shares():
    svg = ElementTree.fromstring(
        bar_chart(
            [Bar("Ambulance", 1, "#7a0016"), Bar("Self <care>", 3, "#1e6b34")], title="Disposition mix", chart_id="mix"
        )
    )
    assert svg.get("role") == "img" and svg.get("aria-labelledby") == "mix-t mix-d"
    assert svg.find(f"{SVG}title").text == "Disposition mix"
    texts = [t.text for t in svg.iter(f"{SVG}text")]
    assert "Self <care>" in texts and "3 (75%)" in texts and "1 (25%)" in texts


def test_line_chart_skips_missing_points_and_scales_from_zero():
    svg = ElementTree.fromstring(
        line_chart(["a", "b", "c"], [Series("p50", [10, None, 30], "#000")], title="Latency", chart_id="l")
    )
    assert len(list(svg.iter(f"{SVG}circle"))) == 2
    assert "50" in [t.text for t in svg.iter(f"{SVG}text")]  # the axis tops out at a round number


def test_empty_charts_say_so():
    assert "No decisions yet" in bar_chart([], title="Mix", chart_id="m")
    assert "No timings yet" in line_chart([], [], title="Latency", chart_id="l")
