from __future__ import annotations

import re

from hypothesis import given, settings

from advisor import diagrams
from advisor.decisions import PERSON_FLOWS
from advisor.diagrams import build_graph, connection_chart, describe, render_svg, system_names
from advisor.questions import parse_answers, parse_permalink
from advisor.recommendation import recommend
from advisor.scenarios import SCENARIO_BY_ID
from tests.advisor.test_invariants import answer_sets


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


EDGE = re.compile(r'^\s*("?[\w-]+"?) -> ("?[\w-]+"?)(?: \[(.*)\])?$', re.MULTILINE)
OUTSIDE = re.compile(r"^(system-\d+|system-more|middleware)$")


def _edges(source):
    return [(a.strip('"'), b.strip('"'), attrs or "") for a, b, attrs in EDGE.findall(source)]


@settings(max_examples=200, deadline=None)
@given(answer_sets)
def test_each_edge_of_the_diagram_follows_from_the_answers(given_answers):
    recommendation = recommend(parse_answers(given_answers))
    answers = recommendation.answers
    source = build_graph(recommendation).source
    edges = _edges(source)
    pairs = {(a, b) for a, b, _ in edges}
    events = recommendation.best("events").id
    via_middleware = recommendation.best("topology").id == "middleware"
    outside_publish = (
        events in {"platform-events", "both"} and answers.value("external-publishers") == "yes"
    )
    only_inward = (
        outside_publish
        and events == "platform-events"
        and answers.value("data-direction") == "into-salesforce"
    )

    # Events published into Salesforce are drawn from the outside systems to the bus and on
    # to Salesforce; events Salesforce publishes go from it to the bus and out to subscribers.
    publishers = {a for a, b in pairs if b == "event-bus" and OUTSIDE.match(a)}
    assert bool(publishers) == outside_publish
    assert (("event-bus", "salesforce") in pairs) == outside_publish
    salesforce_publishes = events != "none" and not only_inward
    assert (("salesforce", "event-bus") in pairs) == salesforce_publishes
    subscribers = {b for a, b in pairs if a == "event-bus" and OUTSIDE.match(b)}
    assert bool(subscribers) == salesforce_publishes
    if via_middleware and events != "none":
        assert publishers | subscribers == {"middleware"}
    # Calls go to Salesforce straight from each system, or once from the middleware.
    callers = {a for a, b in pairs if b == "salesforce" and a != "event-bus"}
    systems = set(re.findall(r'^\s*"(system-[\w]+)" \[label', source, re.MULTILINE))
    assert systems
    assert callers == ({"middleware"} if via_middleware else systems)
    assert any(a == "person" for a, _ in pairs) == (recommendation.best("flow").id in PERSON_FLOWS)
    # An arrow starts at the side that makes the call.
    calls = [
        attrs for a, b, attrs in edges if b in {"salesforce", "middleware"} and a != "event-bus"
    ]
    initiator = answers.value("initiator")
    for attrs in calls:
        if initiator == "salesforce":
            assert "dir=back" in attrs
        elif initiator == "external":
            assert "dir=" not in attrs
        else:
            assert "dir=both" in attrs
    # The text beside the picture lists the same number of links (when every system is drawn).
    if len(system_names(recommendation)) <= diagrams.MAX_DRAWN:
        assert len(describe(recommendation)) == len(edges)


def test_outside_systems_that_publish_into_salesforce_are_drawn_publishing_into_it():
    recommendation = recommend(
        parse_answers(
            {
                "external-publishers": "yes",
                "data-direction": "into-salesforce",
                "system-names": "Warehouse",
                "system-count": "2",
            }
        )
    )
    assert recommendation.best("events").id == "platform-events"
    links = {(link.source, link.target) for link in describe(recommendation)}

    assert ("Warehouse", "Event bus") in links
    assert ("Event bus", "Salesforce") in links
    assert ("Salesforce", "Event bus") not in links
