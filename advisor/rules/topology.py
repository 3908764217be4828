"""Rules for the topology: point-to-point links or middleware between the systems."""

from __future__ import annotations

from advisor.rules.vocabulary import (
    Rule,
    answer_is,
    con,
    count_between,
    note,
    pro,
    rule,
)

TOPOLOGY_RULES: tuple[Rule, ...] = (
    rule(
        "topology-general",
        "topology",
        (),
        "seed-architecture",
        pro("point-to-point", 1, "Simplest to build: one contract per pair, nothing in between."),
        note(
            "middleware",
            "Adds routing, reshaping, retries and monitoring in one place, at the price of a "
            "platform to run: MuleSoft, Boomi, IBM App Connect, TIBCO, Azure Integration "
            "Services or Amazon EventBridge.",
        ),
    ),
    rule(
        "topology-two-systems",
        "topology",
        (count_between(at_most=2),),
        "seed-architecture",
        pro(
            "point-to-point",
            3,
            "Two systems need a single link; a bus would add a hop and a platform to run.",
        ),
        con("middleware", 2, "Overkill for a single link."),
    ),
    rule(
        "topology-three-systems",
        "topology",
        (count_between(at_least=3, at_most=3),),
        "cta-middleware",
        pro("point-to-point", 1, "Three systems need at most three links: still manageable."),
    ),
    rule(
        "topology-four-or-more",
        "topology",
        (count_between(at_least=4),),
        "seed-architecture",
        pro(
            "middleware",
            2,
            "Direct links grow with the square of the number of systems; links to a bus grow by "
            "one per system.",
        ),
        con("point-to-point", 1, "Every new system needs a link to each system it talks to."),
    ),
    rule(
        "topology-past-four",
        "topology",
        (count_between(at_least=5),),
        "seed-architecture",
        pro(
            "middleware",
            3,
            "Past three or four systems, the course notes point to middleware: five systems "
            "already need up to ten direct links.",
        ),
        con("point-to-point", 2, "More systems than direct links stay manageable for."),
    ),
    rule(
        "topology-sprawl",
        "topology",
        (count_between(at_least=8),),
        "seed-architecture",
        pro("middleware", 2, "At this size direct links become a tangle nobody can oversee."),
        con(
            "point-to-point",
            2,
            "Dozens of links, each with its own credentials, mappings and ways to fail.",
        ),
    ),
    rule(
        "topology-reshaping",
        "topology",
        (answer_is("transform", "yes"),),
        "sf-patterns",
        pro("middleware", 2, "Mappings live in one place instead of in every pair of systems."),
        con(
            "point-to-point",
            1,
            "Each link would carry its own copy of the mapping code, and Salesforce advises "
            "against coding it in Apex.",
        ),
    ),
    rule(
        "topology-no-reshaping",
        "topology",
        (answer_is("transform", "no"),),
        "cta-middleware",
        pro("point-to-point", 1, "Messages pass as they are, so there's nothing to centralise."),
    ),
    rule(
        "topology-orchestration",
        "topology",
        (answer_is("orchestration", "yes"),),
        "sf-patterns",
        pro(
            "middleware",
            3,
            "Multi-system sequences belong in middleware: Salesforce can't join distributed "
            "transactions, and its time limits make long sequences fragile.",
        ),
        con("point-to-point", 2, "Some system would have to coordinate the steps on its own."),
    ),
    rule(
        "topology-central-monitoring",
        "topology",
        (answer_is("monitoring", "yes"),),
        "seed-architecture",
        pro("middleware", 2, "One place to watch, retry and audit every message."),
        con("point-to-point", 1, "Each link logs and fails in its own way."),
    ),
    rule(
        "topology-local-monitoring",
        "topology",
        (answer_is("monitoring", "no"),),
        "cta-middleware",
        pro("point-to-point", 1, "Watching each link on its own is acceptable to you."),
    ),
    rule(
        "topology-existing-platform",
        "topology",
        (answer_is("existing-middleware", "yes"),),
        "sf-data-integration",
        pro("middleware", 3, "Reuse the platform you already run, as Salesforce's guides advise."),
    ),
    rule(
        "topology-no-platform",
        "topology",
        (answer_is("existing-middleware", "no"),),
        "cta-middleware",
        con("middleware", 1, "You would have to choose, buy, learn and operate a new platform."),
        pro("point-to-point", 1, "Nothing new to buy or run."),
    ),
    rule(
        "topology-growth",
        "topology",
        (answer_is("growth", "yes"),),
        "cta-middleware",
        pro("middleware", 1, "Each newcomer plugs into the bus once."),
        con("point-to-point", 1, "Each newcomer multiplies the links."),
    ),
    rule(
        "topology-bulk-loads",
        "topology",
        (answer_is("volume", "bulk"),),
        "sf-patterns",
        pro("middleware", 1, "Bulk loads usually run through an ETL tool that acts as the hub."),
    ),
    rule(
        "topology-long-replay",
        "topology",
        (answer_is("replay", "longer"),),
        "sf-patterns",
        pro(
            "middleware",
            2,
            "Only a queue outside Salesforce can hold messages for longer than the event bus's "
            "72 hours.",
        ),
    ),
    rule(
        "topology-long-work",
        "topology",
        (answer_is("long-running", "yes"),),
        "sf-patterns",
        pro("middleware", 1, "Middleware can queue long work and report back when it's done."),
    ),
    rule(
        "topology-nothing-lost",
        "topology",
        (answer_is("delivery", "no-loss", "exactly-once"),),
        "sf-patterns",
        pro(
            "middleware",
            1,
            "Queues messages durably and parks failures in a dead-letter queue; Salesforce "
            "offers no true message queue of its own.",
        ),
    ),
    rule(
        "topology-middleware-retries",
        "topology",
        (answer_is("retries-owner", "middleware"),),
        "seed-architecture",
        pro("middleware", 2, "It owns the retries and the dead-letter queue, as you planned."),
    ),
    rule(
        "topology-latency-seconds",
        "topology",
        (answer_is("latency", "under-5s"),),
        "sf-patterns",
        con("middleware", 1, "Each hop through middleware spends part of a budget of seconds."),
    ),
    rule(
        "topology-behind-firewall",
        "topology",
        (answer_is("network", "firewall"),),
        "sf-data-integration",
        pro(
            "middleware",
            2,
            "A middleware runtime inside the network (an on-premises agent) bridges the firewall "
            "from the inside.",
        ),
    ),
    rule(
        "topology-no-rest",
        "topology",
        (answer_is("speaks-rest", "no"),),
        "sf-patterns",
        pro(
            "middleware",
            3,
            "Translates files, SOAP or other protocols into the calls Salesforce expects "
            "(protocol mediation).",
        ),
        con(
            "point-to-point",
            2,
            "Salesforce converts no protocols itself, so the translation would be code on one "
            "side of the link.",
        ),
    ),
    rule(
        "topology-no-oauth",
        "topology",
        (answer_is("speaks-oauth", "no"),),
        "seed-architecture",
        pro(
            "middleware",
            2,
            "Holds the OAuth client and gets tokens on behalf of a system that can't.",
        ),
    ),
)
