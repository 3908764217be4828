"""Issue 15: what a design review caught in the advisor's reasoning, one claim per test."""

from __future__ import annotations

import pytest

from advisor.budgets import ALLOCATIONS
from advisor.diagrams import build_graph, describe
from advisor.questions import NAMES_QUESTION, QUESTIONS, parse_answers, parse_permalink
from advisor.recommendation import recommend
from advisor.rules.alerts import CROSS_CHECKS, WARNINGS
from advisor.rules.contradictions import CONTRADICTIONS
from advisor.rules.tables import RULES
from advisor.scenarios import SCENARIO_BY_ID, SCENARIOS


def advise(**answers):
    return recommend(parse_answers({key.replace("_", "-"): v for key, v in answers.items()}))


def option(result, option_id):
    return next(graded for graded in result.options if graded.choice.id == option_id)


def texts(result, option_id):
    return [reason.text for reason in option(result, option_id).reasons]


def all_texts(recommendation):
    return [
        reason.text
        for result in recommendation.decisions
        for graded in result.options
        for reason in graded.reasons
    ] + [fired.alert.text for fired in recommendation.alerts]


# -- Who starts the exchange is not where the data goes ------------------------------------


def test_a_pull_out_of_salesforce_is_not_credited_with_pushing_data_in():
    pull = advise(initiator="external", data_direction="out-of-salesforce", volume="bulk")
    push = advise(initiator="external", data_direction="into-salesforce", volume="bulk")

    pulled = texts(pull.decision("pattern"), "batch-sync")
    assert not any("push data in" in text for text in pulled)
    assert any("pull" in text for text in pulled)
    assert any("push data in" in text for text in texts(push.decision("pattern"), "batch-sync"))


def test_a_change_event_subscriber_pulling_data_out_is_not_told_its_call_in_comes_in():
    subscriber = advise(
        initiator="external",
        data_direction="out-of-salesforce",
        reacts_to="record-changes",
        person="no",
    )

    assert subscriber.best("events").id == "cdc"
    assert "check-cdc-with-call-in" not in {f.alert.id for f in subscriber.cross_checks}
    assert not any("named credential" in text for text in all_texts(subscriber))
    assert any(
        "subscriber" in text.lower() for text in texts(subscriber.decision("flow"), "jwt-bearer")
    )


def test_salesforce_calling_out_while_data_leaves_through_change_events_is_flagged():
    mixed = advise(initiator="salesforce", data_direction="out-of-salesforce", reacts_to="both")

    flagged = {fired.alert.id: fired for fired in mixed.contradictions}
    assert "contradiction-subscriber-is-the-caller" in flagged
    assert flagged["contradiction-subscriber-is-the-caller"].causes == (
        "Salesforce calls the other system",
        "the data leaves Salesforce",
        "others react to record changes and business events",
    )


def test_data_virtualization_is_ruled_out_when_an_outside_app_reads_salesforce_data():
    reader = advise(initiator="external", data_direction="out-of-salesforce", purpose="read")

    assert option(reader.decision("pattern"), "data-virtualization").grade == "avoid"
    assert reader.best("pattern").id == "remote-call-in"


# -- Salesforce as the caller with a person present ----------------------------------------


def test_when_salesforce_calls_out_the_person_does_not_sign_in_on_salesforces_page():
    callout = advise(initiator="salesforce", person="yes")
    inbound = advise(initiator="external", person="yes")

    flow = callout.decision("flow")
    assert not any("Salesforce's own page" in text for text in texts(flow, "web-server-pkce"))
    assert any("other system's" in text for text in texts(flow, "web-server-pkce"))
    assert any(
        "Salesforce's own page" in text
        for text in texts(inbound.decision("flow"), "web-server-pkce")
    )


def test_client_credentials_is_not_docked_for_lost_permissions_when_one_user_was_answered():
    one_user = advise(initiator="salesforce", person="yes", run_as="one-user")
    per_user = advise(initiator="salesforce", person="yes", run_as="per-user")

    assert not any(
        "own permissions" in text for text in texts(one_user.decision("flow"), "client-credentials")
    )
    assert any(
        "own permissions" in text for text in texts(per_user.decision("flow"), "client-credentials")
    )


# -- Refresh tokens in a browser --------------------------------------------------------------


def test_a_browser_app_keeping_access_is_told_how_to_hold_its_refresh_token():
    spa = advise(person="yes", client="spa", secret="no", offline="yes")
    server = advise(person="yes", client="server-web", secret="yes", offline="yes")

    assert spa.best("flow").id == "web-server-pkce"
    assert spa.companion.applies
    caution = spa.companion.caution
    assert "rotat" in caution
    assert "backend-for-frontend" in caution
    assert server.companion.caution == ""


def test_pkce_is_not_said_to_keep_tokens_out_of_the_browser_for_a_browser_app():
    spa = advise(client="spa")
    server = advise(client="server-web")

    assert not any(
        "never pass through the browser" in text
        for text in texts(spa.decision("flow"), "web-server-pkce")
    )
    assert any(
        "never pass through the browser" in text
        for text in texts(server.decision("flow"), "web-server-pkce")
    )


def test_a_refresh_token_valid_until_revoked_in_a_browser_raises_a_warning():
    spa = advise(person="yes", client="spa", offline="yes", refresh_lifetime="until-revoked")

    assert "warn-browser-refresh-token-forever" in {f.alert.id for f in spa.warnings}


# -- "Best" on a loser --------------------------------------------------------------------


def test_nothing_above_zero_means_no_clear_winner_not_best():
    empty = advise().decision("pattern")

    assert empty.best.score <= 0
    assert empty.verdict == "no-clear-winner"
    assert all(graded.grade != "best" for graded in empty.options)


def test_a_tie_is_shown_as_a_tie():
    tied = advise().decision("flow")

    assert tied.verdict == "tie"
    assert {graded.choice.id for graded in tied.tied} == {"web-server-pkce", "jwt-bearer"}
    assert all(graded.grade != "best" for graded in tied.options)


# -- Contradictions -------------------------------------------------------------------------


def test_contradictory_answers_are_each_flagged_with_the_answers_behind_them():
    mixed = advise(initiator="salesforce", devices="yes", saml="yes")

    flagged = {fired.alert.id: fired.causes for fired in mixed.contradictions}
    assert flagged["contradiction-salesforce-caller-is-a-device"] == (
        "Salesforce calls the other system",
        "the callers are registered devices",
    )
    assert flagged["contradiction-salesforce-caller-holds-an-assertion"] == (
        "Salesforce calls the other system",
        "the app already receives SAML assertions",
    )


def test_consistent_answers_raise_no_contradiction():
    assert advise(initiator="external", devices="yes", person="no").contradictions == ()


# -- Replay windows -------------------------------------------------------------------------


def test_replay_windows_say_24_hours_for_standard_volume_and_72_for_the_rest():
    catching_up = advise(replay="days").decision("events")

    platform = " ".join(texts(catching_up, "platform-events"))
    cdc = " ".join(texts(catching_up, "cdc"))
    assert "24 hours" in platform
    assert "72 hours" in platform
    assert "72 hours" in cdc
    assert "24 hours" not in cdc


# -- ESB threshold ------------------------------------------------------------------------


def test_five_systems_with_no_other_driver_go_through_middleware():
    five = advise(
        system_count="5",
        transform="no",
        monitoring="no",
        existing_middleware="no",
        growth="no",
        orchestration="no",
    )

    assert five.best("topology").id == "middleware"


def test_four_systems_with_no_other_driver_stay_direct_with_a_sprawl_warning():
    four = advise(system_count="4", transform="no", monitoring="no", existing_middleware="no")

    assert four.best("topology").id == "point-to-point"
    assert "warn-point-to-point-sprawl" in {f.alert.id for f in four.warnings}


# -- Mobile cautions on mutual TLS ------------------------------------------------------------


def test_iot_devices_with_nobody_present_get_no_cautions_meant_for_peoples_devices():
    iot = advise(client="limited-input", person="no", devices="yes", sensitivity="high")

    mtls = texts(iot.decision("transport"), "mtls")
    assert not any("person's device" in text for text in mtls)
    assert "check-device-certificates" not in {f.alert.id for f in iot.cross_checks}
    assert any("each device" in text.lower() for text in mtls)


def test_a_tv_app_with_a_person_present_still_gets_the_per_device_caution():
    tv = advise(client="limited-input", person="yes")

    assert any("person's device" in t for t in texts(tv.decision("transport"), "mtls"))


# -- The design-review inputs -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("answers", "decision", "option_id", "word"),
    [
        ({"delivery": "no-loss"}, "events", "none", "lost"),
        ({"delivery": "exactly-once"}, "events", "platform-events", "more than once"),
        ({"ordering": "yes"}, "pattern", "ui-update", "out of order"),
        ({"retries-owner": "middleware"}, "topology", "middleware", "owns the retries"),
        ({"latency": "under-5s"}, "pattern", "batch-sync", "seconds"),
        ({"network": "firewall"}, "pattern", "request-reply", "firewall"),
        ({"network": "firewall"}, "topology", "middleware", "firewall"),
        ({"speaks-rest": "no"}, "topology", "middleware", "protocol"),
        ({"speaks-oauth": "no", "initiator": "external"}, "topology", "middleware", "OAuth"),
    ],
)
def test_design_review_answers_change_the_reasons(answers, decision, option_id, word):
    result = recommend(parse_answers(answers)).decision(decision)

    assert any(word in text for text in texts(result, option_id))


def test_nobody_owning_retries_for_fire_and_forget_raises_a_warning():
    orphaned = advise(
        initiator="salesforce", wait="no", purpose="process", retries_owner="undecided"
    )

    assert orphaned.best("pattern").id == "fire-and-forget"
    assert "warn-nobody-owns-retries" in {f.alert.id for f in orphaned.warnings}


def test_broad_scopes_raise_a_least_privilege_warning():
    assert "warn-broad-scopes" in {f.alert.id for f in advise(scopes="full").warnings}


def test_the_api_allocation_arithmetic_is_shown_and_an_overrun_is_a_problem():
    over = advise(api_calls="120000", api_allocation="100000")
    fits = advise(api_calls="20000", api_allocation="100000")

    (budget,) = over.budgets
    assert budget.share == 120
    assert budget.arithmetic == "120,000 API calls a day of an allocation of 100,000: 120% used."
    assert "problem-api-allocation-exceeded" in {f.alert.id for f in over.alerts}
    assert fits.budgets[0].share == 20
    assert "problem-api-allocation-exceeded" not in {f.alert.id for f in fits.alerts}


def test_event_deliveries_are_counted_against_their_allocation():
    near = advise(event_deliveries="45000", event_allocation="50000")

    (budget,) = near.budgets
    assert budget.arithmetic == (
        "45,000 event deliveries a day of an allocation of 50,000: 90% used."
    )
    assert "warn-event-allocation-nearly-used" in {f.alert.id for f in near.alerts}


@pytest.mark.parametrize("scenario", SCENARIOS, ids=lambda scenario: scenario.id)
def test_every_built_in_scenario_has_clear_winners_and_consistent_answers(scenario):
    recommendation = recommend(parse_permalink(scenario.to_query()))

    assert [result.verdict for result in recommendation.decisions] == ["clear"] * 5
    assert recommendation.contradictions == ()


def test_the_course_notes_worked_examples_are_built_in_scenarios():
    assert {"nightly-report-service", "help-desk-order-status"} <= set(SCENARIO_BY_ID)
    report = recommend(parse_permalink(SCENARIO_BY_ID["nightly-report-service"].to_query()))

    assert report.best("flow").id == "jwt-bearer"
    assert any("nightly report" in t for t in texts(report.decision("pattern"), "batch-sync"))


def test_every_question_but_the_names_is_read_by_some_rule_alert_or_allocation():
    whens = [rule.when for rule in RULES] + [
        alert.when for alert in (*WARNINGS, *CROSS_CHECKS, *CONTRADICTIONS)
    ]
    conditions = [condition.question for when in whens for condition in when]
    counted = {q for a in ALLOCATIONS for q in (a.used_question, a.allowed_question)}

    unused = {q.id for q in QUESTIONS} - set(conditions) - counted - {NAMES_QUESTION}
    assert unused == set()
    assert all(question.why for question in QUESTIONS)


def test_data_leaving_salesforce_is_never_said_to_be_written_loaded_or_pushed_in():
    leaving = advise(
        initiator="external",
        data_direction="out-of-salesforce",
        purpose="data",
        volume="bulk",
        timing="realtime",
    )
    arriving = advise(
        initiator="external",
        data_direction="into-salesforce",
        purpose="data",
        volume="bulk",
        timing="realtime",
    )

    inward = ("straight in", "load data", "push each change")
    call_in = texts(leaving.decision("pattern"), "remote-call-in")
    assert not any(word in text for text in call_in for word in inward)
    assert all(
        any(word in text for text in texts(arriving.decision("pattern"), "remote-call-in"))
        for word in inward
    )


@pytest.mark.parametrize(
    "answers",
    [{}, {"person": "yes"}, {"initiator": "salesforce"}, {"system-count": "4", "transform": "no"}],
)
def test_a_what_if_says_win_only_when_that_answer_gives_a_clear_winner(answers):
    recommendation = recommend(parse_answers(answers))

    for result in recommendation.decisions:
        for what_if in (*result.what_ifs, *result.skipped_changes):
            flipped = recommend(parse_permalink(what_if.query)).decision(result.decision.id)
            assert flipped.best.choice == what_if.winner
            assert flipped.verdict == what_if.verdict


def test_on_a_tie_the_skipped_questions_that_would_settle_it_are_listed():
    tied = advise().decision("flow")

    settling = {(w.question.id, w.answer, w.winner.id, w.verdict) for w in tied.skipped_changes}
    assert (
        "client",
        "Only in the browser (single-page app)",
        "web-server-pkce",
        "clear",
    ) in settling
    assert ("person", "No, it runs unattended", "jwt-bearer", "clear") in settling


def test_the_diagram_says_where_the_data_goes_beside_who_makes_the_call():
    pull = advise(initiator="external", data_direction="out-of-salesforce", person="no")

    assert describe(pull)[0].label == "JWT bearer flow over TLS, data out of Salesforce"
    assert "data out of Salesforce" in build_graph(pull).source
    assert "data" not in describe(advise(initiator="external", person="no"))[0].label


@pytest.mark.parametrize(
    ("decision", "option_id", "terms"),
    [
        ("pattern", "fire-and-forget", ("Outbound Messages", "@future", "Queueable")),
        ("pattern", "batch-sync", ("Data Loader", "Batch Apex", "roll back")),
        ("pattern", "remote-call-in", ("REST", "SOAP", "Composite", "GraphQL")),
        ("events", "cdc", ("only the fields that changed", "field-level security")),
        ("events", "platform-events", ("inside Salesforce",)),
        (
            "topology",
            "middleware",
            ("IBM App Connect", "TIBCO", "Azure Integration Services", "EventBridge"),
        ),
    ],
)
def test_the_seed_notes_mechanisms_and_platforms_appear_in_the_general_guidance(
    decision, option_id, terms
):
    general = " ".join(texts(advise().decision(decision), option_id))

    assert all(term in general for term in terms)
