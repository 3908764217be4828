"""Rules for the event mechanism: platform events, change data capture, both or none."""

from __future__ import annotations

from advisor.decisions import EVENT_BUS
from advisor.rules.vocabulary import (
    Rule,
    answer_is,
    con,
    each,
    note,
    pro,
    rule,
    veto,
)

EVENT_RULES: tuple[Rule, ...] = (
    rule(
        "events-general",
        "events",
        (),
        "sf-eda",
        pro("none", 1, "No bus to run: start here unless something must react to changes."),
        note(
            "cdc",
            "Streams record changes out of Salesforce with no publishing code. An update event "
            "carries only the fields that changed, and subscribers see only the fields and "
            "records their field-level security and sharing allow.",
        ),
        note(
            "platform-events",
            "Events you design, published on purpose, in both directions. They also decouple "
            "work inside Salesforce: a trigger publishes, a separate subscriber does the rest.",
        ),
        con("both", 1, "Two mechanisms to set up, secure and monitor."),
    ),
    rule(
        "events-record-changes",
        "events",
        (answer_is("reacts-to", "record-changes"),),
        "seed-architecture",
        pro(
            "cdc",
            4,
            "Salesforce publishes an event for every create, update, delete and undelete, with no "
            "code on your side.",
        ),
        pro("platform-events", 1, "Possible, but you'd write and maintain the publishing code."),
        pro("both", 1, "Covers record changes, with room for business events later."),
        con("none", 2, "Other systems would have to keep polling for changes."),
    ),
    rule(
        "events-business-moments",
        "events",
        (answer_is("reacts-to", "business-events"),),
        "seed-architecture",
        pro(
            "platform-events",
            4,
            "You design the event and its fields, and publish it from Flow, Apex or an API call.",
        ),
        con(
            "cdc",
            2,
            "Change events mirror record fields; a business moment may span several records or "
            "none.",
        ),
        pro("both", 1, "Covers business events, and record changes if they're ever needed."),
        con("none", 2, "Nothing would tell other systems that the moment happened."),
    ),
    rule(
        "events-both-kinds",
        "events",
        (answer_is("reacts-to", "both"),),
        "seed-architecture",
        pro(
            "both",
            4,
            "Record replication and business events are different jobs; use each mechanism for "
            "its own.",
        ),
        *each(("cdc", "platform-events"), 1, "Covers half of what you need."),
        con("none", 3, "Other systems would poll for changes and miss business events."),
    ),
    rule(
        "events-nothing-reacts",
        "events",
        (answer_is("reacts-to", "nothing"),),
        "sf-eda",
        pro("none", 4, "Nothing reacts to changes, so an event bus would have no subscribers."),
        *each(("cdc", "platform-events"), -2, "Events nobody listens to are cost with no gain."),
        con("both", 3, "Two event mechanisms nobody listens to."),
    ),
    rule(
        "events-published-outside",
        "events",
        (answer_is("external-publishers", "yes"),),
        "sf-data-integration",
        veto(
            "cdc", "Only carries changes out of Salesforce; outside systems can't publish into it."
        ),
        pro("platform-events", 3, "Outside systems can publish platform events through the APIs."),
        pro(
            "both",
            2,
            "Platform events carry what comes in; change events what goes out.",
        ),
        con("none", 1, "Outside systems would need custom endpoints to announce their events."),
    ),
    rule(
        "events-records-out-events-in",
        "events",
        (answer_is("reacts-to", "record-changes"), answer_is("external-publishers", "yes")),
        "seed-architecture",
        pro(
            "both",
            3,
            "Change events carry your record changes out; platform events bring outside events "
            "in. Each direction gets the tool built for it.",
        ),
    ),
    rule(
        "events-caller-waits",
        "events",
        (answer_is("wait", "yes"),),
        "sf-eda",
        *each(
            EVENT_BUS,
            -1,
            "Events promise no response time, so they can't serve the part where someone waits.",
        ),
        pro("none", 1, "A waiting caller needs a direct answer, not an event."),
    ),
    rule(
        "events-many-consumers",
        "events",
        (answer_is("subscribers", "many"),),
        "sf-patterns",
        *each(
            EVENT_BUS,
            1,
            "One event reaches any number of consumers without the sender knowing them.",
        ),
        con("none", 2, "Each new consumer would need its own link or its own polling."),
    ),
    rule(
        "events-one-consumer",
        "events",
        (answer_is("subscribers", "one"),),
        "sf-eda",
        pro("none", 1, "With a single consumer, a direct call is simpler than a bus."),
    ),
    rule(
        "events-replay-days",
        "events",
        (answer_is("replay", "days"),),
        "sf-event-durability",
        pro(
            "cdc",
            1,
            "Change events stay on the bus for 72 hours (three days), so a consumer can replay "
            "what it missed.",
        ),
        pro(
            "platform-events",
            1,
            "High-volume platform events stay for 72 hours; the older standard-volume kind only "
            "24 hours, too short for a consumer away for days.",
        ),
        pro(
            "both",
            1,
            "Change events and high-volume platform events stay for 72 hours; standard-volume "
            "platform events only 24 hours.",
        ),
    ),
    rule(
        "events-replay-longer",
        "events",
        (answer_is("replay", "longer"),),
        "sf-event-durability",
        *each(
            EVENT_BUS,
            -1,
            "The bus keeps change events and high-volume platform events for 72 hours, "
            "standard-volume ones for 24; longer gaps need another store or a full resync.",
        ),
    ),
    rule(
        "events-live-screens",
        "events",
        (answer_is("live-screen", "yes"),),
        "sf-patterns",
        pro("platform-events", 2, "Lightning pages can subscribe to platform events."),
        *each(("cdc", "both"), 1, "Lightning pages can listen to change events as well."),
        con("none", 2, "Without events, screens have nothing to listen to."),
    ),
    rule(
        "events-rare-changes",
        "events",
        (answer_is("change-rate", "rarely"),),
        "sf-eda",
        *each(EVENT_BUS, -1, "Data that rarely changes seldom justifies an event design."),
        pro("none", 1, "A scheduled check picks up rare changes cheaply."),
    ),
    rule(
        "events-read-in-place",
        "events",
        (answer_is("purpose", "read"),),
        "sf-data-integration",
        pro("none", 1, "Data read on request needs no change notifications."),
    ),
    rule(
        "events-bulk-loads",
        "events",
        (answer_is("volume", "bulk"),),
        "sf-event-durability",
        con(
            "cdc",
            1,
            "Large loads become floods of change events, some merged into overflow events.",
        ),
    ),
    # What a design review asks: delivery, order and who catches up
    rule(
        "events-nothing-lost",
        "events",
        (answer_is("delivery", "no-loss", "exactly-once"),),
        "sf-event-durability",
        *each(
            EVENT_BUS,
            1,
            "The bus keeps each event for its replay window, so a consumer that was away "
            "catches up by replay id.",
        ),
        con("none", 2, "Without a bus, every lost message must be caught by retries you build."),
    ),
    rule(
        "events-exactly-once",
        "events",
        (answer_is("delivery", "exactly-once"),),
        "sf-event-durability",
        *each(
            EVENT_BUS,
            -1,
            "A subscriber may receive an event more than once; it must recognise repeats by "
            "replay id or a key of its own.",
        ),
    ),
    rule(
        "events-ordered",
        "events",
        (answer_is("ordering", "yes"),),
        "sf-eda",
        note(
            "platform-events",
            "Events keep their order on one channel; several publishers or channels need a "
            "sequence number in the payload.",
        ),
        note("cdc", "Change events on one channel arrive in the order they were committed."),
    ),
    rule(
        "events-receiver-catches-up",
        "events",
        (answer_is("retries-owner", "receiver"),),
        "sf-event-durability",
        *each(
            EVENT_BUS,
            1,
            "A receiver that catches up by itself is what replay ids are for.",
        ),
    ),
)
