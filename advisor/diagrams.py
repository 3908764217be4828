"""Draw a recommendation: the architecture with Graphviz, and the link-count chart as plain
geometry for a template.

build_graph() is pure and tested on its DOT source; render_svg() runs the `dot` binary and
caches what it draws, keyed by that source.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Literal

import graphviz

from advisor.decisions import PERSON_FLOWS
from advisor.questions import COUNT_QUESTION, QUESTION_BY_ID
from advisor.recommendation import LinkCount, Recommendation, count_links

MAX_DRAWN = 8  # other systems drawn one by one; the rest are summed up in one box
SALESFORCE = "salesforce"

_INK = "#2d3748"
_NODE = {"shape": "box", "style": "rounded,filled", "fillcolor": "#ffffff", "color": _INK}
_EVENT_BUS_LABELS = {
    "platform-events": "Event bus\\n(Platform Events)",
    "cdc": "Event bus\\n(Change Data Capture)",
    "both": "Event bus\\n(Platform Events and CDC)",
}
_PERSON_LABELS = {
    "device": "Person\\n(approves on a phone)",
    "saml-bearer": "Person\\n(signed in through SSO)",
}


@dataclass(frozen=True)
class Link:
    """One line of the diagram in words, for the text alternative beside the picture."""

    source: str
    target: str
    label: str


def system_names(recommendation: Recommendation) -> tuple[str, ...]:
    """The other systems to draw: the person's names, then numbered ones up to their count."""
    answers = recommendation.answers
    total = answers.system_total or 2
    names = list(answers.names)
    while len(names) < total - 1:
        names.append("Other system" if total == 2 else f"System {len(names) + 2}")
    return tuple(names)


# Who makes the call is drawn by the arrows; where the data goes is said in words beside them.
_DATA_WAYS = {
    "into-salesforce": "data into Salesforce",
    "out-of-salesforce": "data out of Salesforce",
    "both-ways": "data both ways",
}


def _data_way(recommendation: Recommendation, separator: str) -> str:
    way = _DATA_WAYS.get(str(recommendation.answers.value("data-direction")))
    return f"{separator}{way}" if way else ""


def _transport(recommendation: Recommendation) -> str:
    return "mutual TLS" if recommendation.best("transport").id == "mtls" else "TLS"


def describe(recommendation: Recommendation) -> tuple[Link, ...]:
    """Every drawn connection, so the page can list what the picture shows."""
    names = system_names(recommendation)
    flow = recommendation.best("flow")
    transport = _transport(recommendation)
    to_salesforce = f"{flow.name} over {transport}" + _data_way(recommendation, ", ")
    links: list[Link] = []
    if flow.id in PERSON_FLOWS:
        links.append(Link("Person", names[0], "uses the app and approves access"))
    if recommendation.best("topology").id == "middleware":
        links.append(Link("Middleware", "Salesforce", to_salesforce))
        links += [Link(name, "Middleware", transport) for name in names]
    else:
        links += [Link(name, "Salesforce", to_salesforce) for name in names]
    events = recommendation.best("events")
    ways = event_ways(recommendation)
    outside = ("Middleware",) if recommendation.best("topology").id == "middleware" else names
    if "inward" in ways:
        links += [
            Link(name, "Event bus", "publishes platform events over the API") for name in outside
        ]
        links.append(Link("Event bus", "Salesforce", "delivers them to Apex triggers and flows"))
    if "outward" in ways:
        links.append(Link("Salesforce", "Event bus", f"publishes {events.name}"))
        links += [Link("Event bus", name, "subscribes over the Pub/Sub API") for name in outside]
        if recommendation.best("pattern").id == "ui-update":
            links.append(Link("Event bus", "Open Lightning pages", "refreshes them"))
    return tuple(links)


# Mermaid reads these as markup inside a quoted label; its entity codes show them as text.
_MERMAID_ENTITIES = str.maketrans(
    {'"': "#quot;", "<": "#lt;", ">": "#gt;", "#": "#35;", "|": "#124;", "`": "#96;"}
)


def _mermaid_text(text: str) -> str:
    return " ".join(text.split()).translate(_MERMAID_ENTITIES)


def to_mermaid(recommendation: Recommendation) -> str:
    """The diagram's connections (those describe() lists) as a Mermaid flowchart, for Markdown."""
    links = describe(recommendation)
    node_ids: dict[str, str] = {}
    for link in links:
        for name in (link.source, link.target):
            node_ids.setdefault(name, f"n{len(node_ids)}")
    lines = ["flowchart LR"]
    lines += [f'    {node}["{_mermaid_text(name)}"]' for name, node in node_ids.items()]
    lines += [
        f'    {node_ids[link.source]} -- "{_mermaid_text(link.label)}" --> {node_ids[link.target]}'
        for link in links
    ]
    return "\n".join(lines)


def event_ways(recommendation: Recommendation) -> frozenset[Literal["inward", "outward"]]:
    """Which way events cross the bus: outside systems publishing into Salesforce (only platform
    events accept that), Salesforce publishing out to subscribers, or both."""
    events = recommendation.best("events").id
    if events == "none":
        return frozenset()
    answers = recommendation.answers
    inward = events in {"platform-events", "both"} and answers.value("external-publishers") == "yes"
    # Change events always start in Salesforce; platform events go out too unless every event
    # is said to come from outside and the data only flows in.
    only_in = inward and events == "platform-events"
    only_in = only_in and answers.value("data-direction") == "into-salesforce"
    ways: set[Literal["inward", "outward"]] = set()
    if inward:
        ways.add("inward")
    if not only_in:
        ways.add("outward")
    return frozenset(ways)


def _direction(recommendation: Recommendation) -> Literal["forward", "back", "both"]:
    initiator = recommendation.answers.value("initiator")
    if initiator == "external":
        return "forward"
    if initiator == "salesforce":
        return "back"
    return "both"


def build_graph(recommendation: Recommendation) -> graphviz.Digraph:
    """The recommended architecture as a Graphviz graph (pure: no process is started)."""
    flow = recommendation.best("flow")
    topology = recommendation.best("topology").id
    events = recommendation.best("events").id
    transport = _transport(recommendation)
    direction = _direction(recommendation)
    graph = graphviz.Digraph(
        "integration",
        graph_attr={
            "rankdir": "LR",
            "bgcolor": "transparent",
            "fontname": "Helvetica",
            "fontsize": "11",
            "nodesep": "0.35",
            "ranksep": "0.9",
            "pad": "0.2",
        },
        node_attr={**_NODE, "fontname": "Helvetica", "fontsize": "12", "margin": "0.18,0.08"},
        edge_attr={"fontname": "Helvetica", "fontsize": "10", "color": _INK, "fontcolor": _INK},
    )

    def link(source: str, target: str, label: str, **attrs: str) -> None:
        # Arrows point from the side that makes the call.
        if direction == "back":
            attrs.setdefault("dir", "back")
        elif direction == "both":
            attrs.setdefault("dir", "both")
        graph.edge(source, target, label=label, **attrs)

    graph.node(SALESFORCE, "Salesforce", fillcolor="#dbe6fb", color="#2458c6", penwidth="1.6")
    names = system_names(recommendation)
    drawn = names[:MAX_DRAWN]
    system_ids = [f"system-{index}" for index in range(len(drawn))]
    for node_id, name in zip(system_ids, drawn, strict=True):
        # User input: graphviz.escape() quotes it as plain text, never an HTML-like label, and
        # neutralises backslash sequences such as \N; dot then XML-escapes it in the SVG.
        graph.node(node_id, graphviz.escape(name))
    if len(names) > len(drawn):
        system_ids.append("system-more")
        graph.node("system-more", f"{len(names) - len(drawn)} more systems", style="rounded,dashed")

    to_salesforce = f"{flow.name}\\n{transport}" + _data_way(recommendation, "\\n")
    if topology == "middleware":
        graph.node("middleware", "Middleware\\n(ESB)", fillcolor="#fdf0d9", color="#8a5300")
        for node_id in system_ids:
            link(node_id, "middleware", transport)
        link("middleware", SALESFORCE, to_salesforce, penwidth="1.6")
    else:
        for node_id in system_ids:
            link(node_id, SALESFORCE, to_salesforce)

    if flow.id in PERSON_FLOWS:
        graph.node(
            "person",
            _PERSON_LABELS.get(flow.id, "Person"),
            shape="ellipse",
            style="filled",
            fillcolor="#e1f4ea",
            color="#0d7a4f",
        )
        graph.edge("person", system_ids[0], label="signs in", style="dashed")

    if events != "none":
        graph.node(
            "event-bus",
            _EVENT_BUS_LABELS[events],
            shape="box",
            style="rounded,filled,dashed",
            fillcolor="#f3e8ff",
            color="#6b3fb5",
        )
        ways = event_ways(recommendation)
        outside = ["middleware"] if topology == "middleware" else system_ids
        # Edges touching the outside systems must not drag the bus (and Salesforce with it) to
        # the far side: constraint=false keeps them out of the ranking.
        if "inward" in ways:
            for node_id in outside:
                graph.edge(
                    node_id,
                    "event-bus",
                    label="publishes",
                    style="dashed",
                    color="#6b3fb5",
                    constraint="false",
                )
            graph.edge("event-bus", SALESFORCE, label="delivers", color="#6b3fb5")
        if "outward" in ways:
            graph.edge(SALESFORCE, "event-bus", label="publishes", color="#6b3fb5")
            for node_id in outside:
                graph.edge(
                    "event-bus",
                    node_id,
                    label="subscribes",
                    style="dashed",
                    color="#6b3fb5",
                    constraint="false",
                )
        if "outward" in ways and recommendation.best("pattern").id == "ui-update":
            graph.node("pages", "Open Lightning pages", shape="note", fillcolor="#eef1f6")
            graph.edge("event-bus", "pages", label="refreshes", style="dashed", color="#6b3fb5")
        with graph.subgraph() as same_rank:
            same_rank.attr(rank="same")
            same_rank.node(SALESFORCE)
            same_rank.node("event-bus")
    return graph


_PROLOG = re.compile(r"<\?xml.*?\?>\s*|<!DOCTYPE.*?>\s*|<!--.*?-->\s*", re.DOTALL)
_STYLE = re.compile(r"<style\b.*?</style>|\sstyle=\"[^\"]*\"", re.DOTALL)
_FALLBACK_SVG = (
    '<svg xmlns="http://www.w3.org/2000/svg" width="480" height="40" viewBox="0 0 480 40">'
    '<text x="8" y="24" font-family="sans-serif" font-size="14">'
    "The diagram can't be drawn: Graphviz's dot program is not installed on this server."
    "</text></svg>"
)


@lru_cache(maxsize=512)
def _render(source: str) -> str:
    try:
        svg = graphviz.pipe("dot", "svg", source.encode(), quiet=True).decode()
    except graphviz.ExecutableNotFound:
        return _FALLBACK_SVG
    # The site's CSP has no 'unsafe-inline' for styles: keep presentation attributes only.
    return _STYLE.sub("", _PROLOG.sub("", svg)).strip() + "\n"


def render_svg(graph: graphviz.Digraph) -> str:
    """Run dot on the graph and return clean SVG; the same source is only ever drawn once."""
    return _render(graph.source)


# ---------------------------------------------------------------------------------------------
# The link-count chart: point-to-point n·(n−1)/2 against n through a bus


@dataclass(frozen=True)
class Bar:
    x: float
    y: float
    width: float
    height: float
    value: int
    value_y: float

    @property
    def center(self) -> float:
        return self.x + self.width / 2


@dataclass(frozen=True)
class BarGroup:
    systems: int
    label_x: float
    direct: Bar
    bus: Bar
    current: bool

    @property
    def highlight_x(self) -> float:
        return self.direct.x - 5

    @property
    def highlight_width(self) -> float:
        return self.bus.x + self.bus.width - self.direct.x + 10


@dataclass(frozen=True)
class ConnectionChart:
    width: int
    height: int
    baseline: float
    groups: tuple[BarGroup, ...]
    systems: int | None

    @property
    def label_y(self) -> float:
        return self.baseline + 16


_PLOT_TOP, _PLOT_HEIGHT, _LEFT, _GROUP, _BAR = 22.0, 120.0, 12.0, 52.0, 18.0


def _sample_sizes(systems: int | None) -> list[int]:
    if systems is None or systems <= 10:
        return sorted({2, 3, 4, 5, 6, 8, 10} | ({systems} if systems else set()))
    return [2, 4, 6, 8, 10, systems]


def connection_chart(systems: int | None) -> ConnectionChart:
    """Bars for a range of landscape sizes, the person's own size marked."""
    sizes = _sample_sizes(systems)
    tallest = max(count_links(size).direct for size in sizes)
    baseline = _PLOT_TOP + _PLOT_HEIGHT

    def bar(x: float, value: int) -> Bar:
        height = max(1.5, _PLOT_HEIGHT * value / tallest)
        return Bar(x, baseline - height, _BAR, height, value, baseline - height - 5)

    groups = tuple(
        BarGroup(
            systems=size,
            label_x=_LEFT + index * _GROUP + _BAR + 1,
            direct=bar(_LEFT + index * _GROUP, count_links(size).direct),
            bus=bar(_LEFT + index * _GROUP + _BAR + 2, count_links(size).via_middleware),
            current=size == systems,
        )
        for index, size in enumerate(sizes)
    )
    return ConnectionChart(
        width=int(_LEFT * 2 + len(sizes) * _GROUP),
        height=int(baseline + 34),
        baseline=baseline,
        groups=groups,
        systems=systems,
    )


# ---------------------------------------------------------------------------------------------
# The person's own systems, drawn twice: every pair joined directly, and each joined to a bus

MAX_ON_CHART = 12  # systems drawn on the ring; past that, lines stop being readable
_RING_SIZE, _RING_RADIUS, _LABEL_LENGTH = 240.0, 82.0, 14
_LABEL_ROOM = 70  # on each side of the ring, for the names written beside it


@dataclass(frozen=True)
class RingNode:
    x: float
    y: float
    label: str
    label_x: float
    label_y: float
    anchor: Literal["start", "middle", "end"]
    salesforce: bool


@dataclass(frozen=True)
class RingLine:
    x1: float
    y1: float
    x2: float
    y2: float


@dataclass(frozen=True)
class SystemsChart:
    size: float
    centre: float
    systems: int  # every system taking part, Salesforce included
    drawn: tuple[RingNode, ...]
    pairs: tuple[RingLine, ...]  # point-to-point: one line per pair of drawn systems
    spokes: tuple[RingLine, ...]  # through a bus: one line per drawn system
    links: LinkCount
    fewer: int | None  # the count one "remove a system" link asks for, if any
    more: int | None

    @property
    def view_box(self) -> str:
        return f"{-_LABEL_ROOM} 0 {self.size + 2 * _LABEL_ROOM:g} {self.size:g}"


def _short(label: str) -> str:
    return label if len(label) <= _LABEL_LENGTH else label[: _LABEL_LENGTH - 1].rstrip() + "…"


def systems_chart(recommendation: Recommendation) -> SystemsChart:
    """Salesforce and the person's systems on a ring, for the point-to-point and bus panels."""
    names = ("Salesforce", *system_names(recommendation))
    systems = len(names)
    shown = names[:MAX_ON_CHART]
    centre = _RING_SIZE / 2
    nodes: list[RingNode] = []
    for index, name in enumerate(shown):
        angle = -math.pi / 2 + 2 * math.pi * index / len(shown)
        x, y = centre + _RING_RADIUS * math.cos(angle), centre + _RING_RADIUS * math.sin(angle)
        label_x = centre + (_RING_RADIUS + 12) * math.cos(angle)
        label_y = centre + (_RING_RADIUS + 12) * math.sin(angle) + 4
        side = math.cos(angle)
        anchor: Literal["start", "middle", "end"] = (
            "middle" if abs(side) < 0.3 else ("start" if side > 0 else "end")
        )
        nodes.append(
            RingNode(
                round(x, 1),
                round(y, 1),
                _short(name),
                round(label_x, 1),
                round(label_y, 1),
                anchor,
                salesforce=index == 0,
            )
        )
    pairs = tuple(RingLine(a.x, a.y, b.x, b.y) for i, a in enumerate(nodes) for b in nodes[i + 1 :])
    spokes = tuple(RingLine(node.x, node.y, centre, centre) for node in nodes)
    named = len(recommendation.answers.names) + 1
    lowest = max(2, named)
    return SystemsChart(
        size=_RING_SIZE,
        centre=centre,
        systems=systems,
        drawn=tuple(nodes),
        pairs=pairs,
        spokes=spokes,
        links=count_links(systems),
        fewer=systems - 1 if systems - 1 >= lowest else None,
        more=systems + 1 if systems + 1 <= QUESTION_BY_ID[COUNT_QUESTION].maximum else None,
    )
