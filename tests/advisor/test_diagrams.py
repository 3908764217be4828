from __future__ import annotations

import re

from advisor import diagrams
from advisor.diagrams import build_graph, connection_chart, describe, render_svg, system_names
from advisor.questions import parse_answers, parse_permalink
from advisor.recommendation import recommend
from advisor.scenarios import SCENARIO_BY_ID


def scenario(scenario_id):
    return recommend(parse_permalink(SCENARIO_BY_ID[scenario_id].to_query()))


def test_the_graph_uses_the_persons_own_system_names():
    source = build_graph(scenario("order-fulfilment-events")).source

    for name in ("Warehouse", "Billing", "Shipping", "Salesforce"):
        assert f"label={name}" in source or f'label="{name}' in source


def test_middleware_sits_between_the_systems_and_salesforce():
    source = build_graph(scenario("order-fulfilment-events")).source

    assert 'middleware -> salesforce [label="Client credentials flow\\nTLS"' in source
    assert '"system-0" -> middleware [label=TLS' in source
    assert "event-bus" in source


def test_point_to_point_links_each_system_straight_to_salesforce_with_flow_and_transport():
    source = build_graph(scenario("payment-check")).source

    assert (
        '"system-0" -> salesforce [label="Client credentials flow\\nmutual TLS" dir=back]' in source
    )
    assert "middleware" not in source


def test_a_person_is_drawn_only_for_flows_that_need_one():
    with_person = build_graph(scenario("mobile-field-app")).source
    without = build_graph(scenario("nightly-erp-sync")).source

    assert "person ->" in with_person
    assert "person" not in without


def test_unnamed_systems_are_numbered_up_to_the_count():
    recommendation = recommend(parse_answers({"system-count": "4", "system-names": "ERP"}))

    assert system_names(recommendation) == ("ERP", "System 3", "System 4")


def test_large_landscapes_are_summed_up_beyond_the_drawing_limit():
    recommendation = recommend(parse_answers({"system-count": "30"}))

    source = build_graph(recommendation).source

    assert source.count('[label="System ') == diagrams.MAX_DRAWN
    assert "21 more systems" in source


def test_user_names_cannot_become_html_labels_or_escape_sequences():
    recommendation = recommend(parse_answers({"system-names": "<b>bold</b>, back\\N slash"}))

    source = build_graph(recommendation).source

    assert 'label="<b>bold</b>"' in source
    assert 'label="back\\\\N slash"' in source


def test_rendered_svg_escapes_a_script_name_and_has_no_style():
    recommendation = recommend(parse_answers({"system-names": "<script>alert(1)</script>"}))

    svg = render_svg(build_graph(recommendation))

    assert svg.startswith("<svg")
    assert "<script>" not in svg
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in svg
    assert not re.search(r"<style|\sstyle=", svg)
    assert "<!--" not in svg


def test_rendering_the_same_graph_twice_runs_dot_once():
    graph = build_graph(scenario("iot-sensors"))
    render_svg(graph)
    before = diagrams._render.cache_info()

    render_svg(build_graph(scenario("iot-sensors")))

    after = diagrams._render.cache_info()
    assert after.hits == before.hits + 1
    assert after.misses == before.misses


def test_the_text_alternative_lists_every_drawn_link():
    links = describe(scenario("order-fulfilment-events"))

    assert ("Middleware", "Salesforce", "Client credentials flow over TLS") in {
        (link.source, link.target, link.label) for link in links
    }
    assert len([link for link in links if link.target == "Middleware"]) == 4


def test_the_chart_marks_the_persons_own_size_and_scales_to_the_tallest_bar():
    chart = connection_chart(7)

    current = [group for group in chart.groups if group.current]
    assert [group.systems for group in current] == [7]
    assert current[0].direct.value == 21
    assert current[0].bus.value == 7
    tallest = max(chart.groups, key=lambda group: group.direct.value)
    assert tallest.direct.y == chart.baseline - tallest.direct.height
    assert abs(tallest.direct.height - 120) < 1e-9


def test_the_chart_without_a_count_marks_nothing():
    chart = connection_chart(None)

    assert not any(group.current for group in chart.groups)
    assert [group.systems for group in chart.groups] == [2, 3, 4, 5, 6, 8, 10]
