"""Rules for the integration pattern: request-reply, fire-and-forget, batch and the rest."""

from __future__ import annotations

from advisor.rules.vocabulary import (
    Rule,
    answer_is,
    answer_not,
    con,
    each,
    note,
    pro,
    rule,
    veto,
)

PATTERN_RULES: tuple[Rule, ...] = (
    rule(
        "pattern-general",
        "pattern",
        (),
        "sf-patterns",
        note(
            "request-reply",
            "Simple to build and reason about; the caller is stuck while it waits.",
        ),
        note(
            "fire-and-forget",
            "Decouples sender and receiver; retries and failures become your job. Built with "
            "platform events, Outbound Messages, @future callouts or Queueable Apex.",
        ),
        note(
            "batch-sync",
            "Efficient for big volumes; data is only as fresh as the last run. Built with Data "
            "Loader, Batch Apex, Bulk API 2.0 or an ETL tool. Plan for partial failures: find "
            "the records that failed, retry them, and roll back or compensate.",
        ),
        note(
            "remote-call-in",
            "The other system decides the timing, and Salesforce's API limits apply to its calls. "
            "It uses the REST, SOAP, Composite or GraphQL API, or a custom Apex service.",
        ),
        con(
            "ui-update",
            1,
            "Only for screens that must refresh themselves; delivery and order aren't guaranteed.",
        ),
        note(
            "data-virtualization",
            "No copies to keep in step, but every read depends on the other system being up.",
        ),
    ),
    rule(
        "pattern-inbound",
        "pattern",
        (answer_is("initiator", "external"),),
        "sf-patterns",
        pro(
            "remote-call-in",
            4,
            "The other system makes the call, reaching Salesforce through its APIs.",
        ),
        *each(
            ("request-reply", "fire-and-forget"),
            -4,
            "Describes Salesforce calling out, the opposite direction.",
        ),
        con(
            "data-virtualization",
            2,
            "Means Salesforce reading from the other system, the opposite direction.",
        ),
    ),
    rule(
        "pattern-pushed-in",
        "pattern",
        (
            answer_is("initiator", "external", "both"),
            answer_is("data-direction", "into-salesforce"),
        ),
        "seed-architecture",
        pro("batch-sync", 1, "An outside ETL job can push data in through the Bulk API."),
    ),
    # Inward effects hold unless the data is said to leave Salesforce (a skipped answer keeps them).
    rule(
        "pattern-data-written-in",
        "pattern",
        (answer_is("purpose", "data"), answer_not("data-direction", "out-of-salesforce")),
        "sf-patterns",
        pro("remote-call-in", 1, "The other system can write its changes straight in."),
    ),
    rule(
        "pattern-bulk-loaded-in",
        "pattern",
        (answer_is("volume", "bulk"), answer_not("data-direction", "out-of-salesforce")),
        "sf-patterns",
        pro("remote-call-in", 1, "The other system can load data through Bulk API 2.0."),
    ),
    rule(
        "pattern-changes-pushed-in",
        "pattern",
        (answer_is("timing", "realtime"), answer_not("data-direction", "out-of-salesforce")),
        "sf-patterns",
        pro("remote-call-in", 1, "The other system can push each change as it happens."),
    ),
    rule(
        "pattern-pulled-out",
        "pattern",
        (
            answer_is("initiator", "external", "both"),
            answer_is("data-direction", "out-of-salesforce"),
        ),
        "seed-architecture",
        pro(
            "batch-sync",
            1,
            "An outside job can pull data out in bulk with Bulk API query jobs, as the nightly "
            "report service does.",
        ),
        pro("remote-call-in", 1, "The outside system reads what it needs through the APIs."),
    ),
    rule(
        "pattern-data-leaves",
        "pattern",
        (answer_is("data-direction", "out-of-salesforce"),),
        "sf-data-integration",
        veto(
            "data-virtualization",
            "Shows another system's data inside Salesforce; here Salesforce's own data goes out, "
            "the opposite way.",
        ),
    ),
    rule(
        "pattern-fetched-in",
        "pattern",
        (answer_is("initiator", "salesforce"), answer_is("data-direction", "into-salesforce")),
        "sf-patterns",
        pro("request-reply", 1, "Salesforce fetches the data it needs with a callout."),
        pro("data-virtualization", 1, "Salesforce reads the other system's data where it lives."),
    ),
    rule(
        "pattern-outbound",
        "pattern",
        (answer_is("initiator", "salesforce"),),
        "sf-patterns",
        veto("remote-call-in", "Describes the other system calling Salesforce, the opposite way."),
        *each(
            ("request-reply", "fire-and-forget", "data-virtualization"),
            1,
            "Salesforce is the caller, which is how this pattern works.",
        ),
    ),
    rule(
        "pattern-two-directions",
        "pattern",
        (answer_is("initiator", "both"),),
        "sf-patterns",
        pro("remote-call-in", 1, "Covers the inbound half; pair it with an outbound pattern."),
    ),
    rule(
        "pattern-caller-waits",
        "pattern",
        (answer_is("wait", "yes"),),
        "sf-patterns",
        pro("request-reply", 3, "The caller gets its answer in the same call."),
        con("fire-and-forget", 3, "The caller gets only an acknowledgement, never the answer."),
        con("batch-sync", 3, "Results arrive after the next run, long after the caller gave up."),
        con("ui-update", 1, "Screens refresh eventually; nothing tells the caller when."),
        pro("remote-call-in", 1, "A synchronous API call returns its result straight away."),
        pro("data-virtualization", 1, "Records are read live when the page asks for them."),
    ),
    rule(
        "pattern-caller-moves-on",
        "pattern",
        (answer_is("wait", "no"),),
        "sf-patterns",
        pro("fire-and-forget", 2, "The sender hands the message over and carries on."),
        con("request-reply", 1, "Holding a connection open buys nothing when nobody waits."),
        pro("batch-sync", 1, "The work can wait for the next run."),
    ),
    rule(
        "pattern-process",
        "pattern",
        (answer_is("purpose", "process"),),
        "sf-patterns",
        pro(
            "fire-and-forget",
            2,
            "Handing over a process step without waiting is its textbook use.",
        ),
        pro("request-reply", 1, "Fits a process step whose outcome the caller needs at once."),
        con("batch-sync", 2, "Moves data in bulk; it doesn't start a process step."),
        con("data-virtualization", 2, "Only shows data; it can't start anything."),
    ),
    rule(
        "pattern-data",
        "pattern",
        (answer_is("purpose", "data"),),
        "sf-patterns",
        pro("batch-sync", 2, "Keeping copies in step is its main purpose."),
        con("data-virtualization", 1, "Avoids copies altogether, which isn't what you asked for."),
    ),
    rule(
        "pattern-read-in-place",
        "pattern",
        (answer_is("purpose", "read"),),
        "sf-data-integration",
        pro(
            "data-virtualization",
            3,
            "Shows the other system's records inside Salesforce when they're read; nothing is "
            "copied.",
        ),
        con("batch-sync", 2, "Copies data you only want to look at."),
        pro("request-reply", 1, "A callout can fetch a record when someone opens it."),
        con("fire-and-forget", 2, "Sends data away; it can't bring any back to show."),
    ),
    rule(
        "pattern-few-records",
        "pattern",
        (answer_is("volume", "few"),),
        "sf-patterns",
        *each(
            ("request-reply", "fire-and-forget"),
            1,
            "Small messages suit one call per change.",
        ),
        con(
            "batch-sync",
            1,
            "Waiting for a batch window to move a handful of records adds delay for nothing.",
        ),
    ),
    rule(
        "pattern-bulk",
        "pattern",
        (answer_is("volume", "bulk"),),
        "sf-patterns",
        pro("batch-sync", 3, "Built for thousands of records, moved as Bulk API jobs."),
        con(
            "request-reply",
            3,
            "One call per record won't finish in time; the guide warns against it for bulk work.",
        ),
        con("fire-and-forget", 2, "One message per record floods the receiver and the limits."),
        pro("data-virtualization", 1, "Large data can stay put and be read a page at a time."),
        con("ui-update", 2, "Bulk changes don't raise the notifications screens listen for."),
    ),
    rule(
        "pattern-real-time",
        "pattern",
        (answer_is("timing", "realtime"),),
        "sf-patterns",
        pro("fire-and-forget", 2, "Each change goes out as it happens."),
        pro("request-reply", 1, "Each call returns current data."),
        pro("ui-update", 1, "Open screens hear about changes within seconds."),
        con("batch-sync", 3, "Data is only as fresh as the last run."),
    ),
    rule(
        "pattern-scheduled",
        "pattern",
        (answer_is("timing", "scheduled"),),
        "sf-patterns",
        pro("batch-sync", 3, "Matches a fixed window such as a nightly run."),
        con(
            "fire-and-forget", 1, "Sending each change at once is wasted when you want a schedule."
        ),
        con("ui-update", 2, "Screens would change only when the schedule runs."),
    ),
    rule(
        "pattern-on-request",
        "pattern",
        (answer_is("timing", "on-demand"),),
        "sf-patterns",
        pro("request-reply", 2, "Fetches data at the moment someone asks."),
        pro("data-virtualization", 2, "Reads data at the moment someone opens it."),
        pro("remote-call-in", 1, "The other system can call in whenever it needs something."),
        con("batch-sync", 1, "Copies data ahead of time that may never be read."),
    ),
    rule(
        "pattern-long-work",
        "pattern",
        (answer_is("long-running", "yes"),),
        "sf-patterns",
        veto("request-reply", "A Salesforce callout gives up after 120 seconds."),
        con("data-virtualization", 3, "External object queries hit the same 120-second limit."),
        pro(
            "fire-and-forget",
            2,
            "Hand the work over now; the result can come back later as a call-in or an event.",
        ),
        pro("batch-sync", 1, "Long jobs fit a batch window."),
    ),
    rule(
        "pattern-no-copies",
        "pattern",
        (answer_is("copy", "no"),),
        "sf-data-integration",
        veto("batch-sync", "Copies the data, which you may not do."),
        pro("data-virtualization", 3, "Reads the data where it lives; nothing is stored."),
        con("remote-call-in", 1, "Usually writes data into Salesforce."),
    ),
    rule(
        "pattern-copies-allowed",
        "pattern",
        (answer_is("copy", "yes"),),
        "sf-data-integration",
        con(
            "data-virtualization",
            1,
            "Copies are allowed, and local data works in reports, search and offline.",
        ),
    ),
    rule(
        "pattern-live-screens",
        "pattern",
        (answer_is("live-screen", "yes"),),
        "sf-patterns",
        pro(
            "ui-update",
            7,
            "Exactly the problem this pattern solves: open pages hear about changes through "
            "streaming events, so nobody has to reload.",
        ),
    ),
    rule(
        "pattern-no-live-screens",
        "pattern",
        (answer_is("live-screen", "no"),),
        "sf-patterns",
        con("ui-update", 2, "Nobody needs to watch changes arrive on screen."),
    ),
    rule(
        "pattern-rare-changes",
        "pattern",
        (answer_is("change-rate", "rarely"),),
        "sf-eda",
        pro("batch-sync", 1, "Rare changes are cheap to pick up in a scheduled run."),
        con("fire-and-forget", 1, "An always-on pipeline for rare changes is more than needed."),
    ),
    rule(
        "pattern-frequent-changes",
        "pattern",
        (answer_is("change-rate", "often"),),
        "sf-eda",
        pro("fire-and-forget", 1, "Frequent changes are what event-style hand-offs are for."),
        con("batch-sync", 1, "Frequent changes pile up between runs."),
    ),
    rule(
        "pattern-two-way",
        "pattern",
        (answer_is("two-way", "yes"),),
        "sf-patterns",
        note("batch-sync", "Two-way sync needs a system of record per field and a conflict rule."),
        note(
            "remote-call-in",
            "Updates can bounce back as fresh changes; record where each one came from.",
        ),
    ),
    # What a design review asks: delivery, order, retries, latency, reach, protocols
    rule(
        "pattern-loss-tolerated",
        "pattern",
        (answer_is("delivery", "loss-ok"),),
        "seed-architecture",
        pro(
            "fire-and-forget",
            1,
            "An occasional lost message is acceptable, so a plain hand-off will do.",
        ),
    ),
    rule(
        "pattern-nothing-lost",
        "pattern",
        (answer_is("delivery", "no-loss", "exactly-once"),),
        "seed-architecture",
        note(
            "fire-and-forget",
            "Guaranteed delivery becomes your job: acknowledgements, retries and a dead-letter "
            "queue, or Outbound Messages, which Salesforce retries for up to 24 hours.",
        ),
        con("ui-update", 1, "Notifications to open screens promise no delivery at all."),
    ),
    rule(
        "pattern-ordered",
        "pattern",
        (answer_is("ordering", "yes"),),
        "sf-patterns",
        con("ui-update", 1, "Notifications to screens can arrive out of order."),
        note(
            "fire-and-forget",
            "Keep related messages on one channel from one publisher, or number them so the "
            "receiver can put them back in order.",
        ),
        note("batch-sync", "Load each run sorted by the time of the last change."),
    ),
    rule(
        "pattern-sender-retries",
        "pattern",
        (answer_is("retries-owner", "sender"),),
        "seed-architecture",
        note(
            "fire-and-forget",
            "When Salesforce sends, Outbound Messages retry by themselves; @future and Queueable "
            "callouts retry only if your code does.",
        ),
    ),
    rule(
        "pattern-latency-seconds",
        "pattern",
        (answer_is("latency", "under-5s"),),
        "sf-patterns",
        con("batch-sync", 3, "Runs hours apart; a batch can't meet a target of seconds."),
        pro(
            "request-reply",
            1,
            "A short synchronous call fits a budget of seconds; Salesforce advises callout "
            "timeouts of about 5 seconds.",
        ),
        note("data-virtualization", "Every page view waits on the other system's answer."),
    ),
    rule(
        "pattern-latency-minutes",
        "pattern",
        (answer_is("latency", "minutes"),),
        "sf-patterns",
        pro("fire-and-forget", 1, "Minutes leave room for a queued hand-off and its retries."),
        con("batch-sync", 1, "A nightly run is far slower than minutes."),
    ),
    rule(
        "pattern-latency-hours",
        "pattern",
        (answer_is("latency", "hours"),),
        "sf-patterns",
        pro("batch-sync", 1, "Hours are enough for a scheduled run."),
        con("request-reply", 1, "Nothing needs an answer on the spot."),
    ),
    rule(
        "pattern-behind-firewall",
        "pattern",
        (answer_is("network", "firewall"),),
        "sf-data-integration",
        con("request-reply", 3, "Salesforce can't call through a firewall that lets nothing in."),
        con(
            "data-virtualization", 3, "Salesforce Connect would have to reach through the firewall."
        ),
        con("fire-and-forget", 2, "Outbound Messages and callouts can't get through the firewall."),
        pro(
            "remote-call-in",
            2,
            "The on-premises system calls out through its own firewall, which is usually allowed.",
        ),
    ),
    rule(
        "pattern-allow-listed",
        "pattern",
        (answer_is("network", "allow-list"),),
        "sf-data-integration",
        note(
            "request-reply",
            "Allow-list the IP ranges Salesforce publishes for its callouts, and follow the "
            "changes it announces.",
        ),
    ),
    rule(
        "pattern-private-connectivity",
        "pattern",
        (answer_is("network", "private"),),
        "sf-data-integration",
        note(
            "request-reply",
            "Salesforce Private Connect carries callouts over AWS PrivateLink to systems hosted "
            "there, off the internet.",
        ),
    ),
    rule(
        "pattern-no-rest",
        "pattern",
        (answer_is("speaks-rest", "no"),),
        "seed-architecture",
        pro("batch-sync", 1, "Files can move in bulk through Data Loader or an ETL tool."),
        note("remote-call-in", "The SOAP API is still there for systems that speak only SOAP."),
    ),
)
