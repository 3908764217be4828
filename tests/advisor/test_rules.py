from __future__ import annotations

import pytest

from advisor.decisions import DECISIONS, PLAYGROUND_FLOW_PATH
from advisor.questions import parse_answers, parse_permalink
from advisor.recommendation import recommend
from advisor.rules.alerts import CROSS_CHECKS, WARNINGS
from advisor.rules.tables import RULES
from advisor.scenarios import SCENARIOS


def best(decision_id, **answers):
    given = {key.replace("_", "-"): value for key, value in answers.items()}
    return recommend(parse_answers(given)).decision(decision_id)


def grade_of(result, option_id):
    return next(option.grade for option in result.options if option.choice.id == option_id)


FLOW_BEST = [
    ({"person": "no", "client": "backend", "certificates": "yes"}, "jwt-bearer"),
    ({"person": "no", "run_as": "one-user", "certificates": "no"}, "client-credentials"),
    ({"person": "no", "run_as": "per-user", "certificates": "yes"}, "jwt-bearer"),
    ({"person": "yes", "client": "spa", "secret": "no"}, "web-server-pkce"),
    ({"person": "yes", "client": "mobile"}, "web-server-pkce"),
    ({"person": "yes", "client": "server-web", "secret": "yes"}, "web-server-pkce"),
    ({"person": "yes", "client": "limited-input"}, "device"),
    ({"person": "yes", "client": "cli", "secret": "no"}, "device"),
    (
        {"person": "yes", "client": "server-web", "saml": "yes", "certificates": "yes"},
        "saml-bearer",
    ),
    ({"person": "no", "devices": "yes", "client": "limited-input"}, "asset-token"),
    ({"initiator": "salesforce", "person": "no"}, "client-credentials"),
    (
        {"person": "no", "password_only": "yes", "environment": "prototype", "certificates": "no"},
        "username-password",
    ),
]

FLOW_AVOID = [
    ({"environment": "production"}, "username-password"),
    ({"person": "no"}, "web-server"),
    ({"person": "no"}, "web-server-pkce"),
    ({"person": "no"}, "device"),
    ({"secret": "no"}, "client-credentials"),
    ({"secret": "no"}, "web-server"),
    ({"saml": "no"}, "saml-bearer"),
    ({"devices": "no"}, "asset-token"),
]


@pytest.mark.parametrize(("answers", "expected"), FLOW_BEST)
def test_flow_rules_pick_the_flow_the_guides_recommend(answers, expected):
    assert best("flow", **answers).best.choice.id == expected


@pytest.mark.parametrize(("answers", "option"), FLOW_AVOID)
def test_flow_rules_rule_out_flows_that_cannot_work(answers, option):
    assert grade_of(best("flow", **answers), option) == "avoid"


PATTERN_BEST = [
    ({"initiator": "external"}, "remote-call-in"),
    ({"initiator": "salesforce", "wait": "yes", "timing": "on-demand"}, "request-reply"),
    ({"initiator": "salesforce", "wait": "no", "purpose": "process"}, "fire-and-forget"),
    ({"volume": "bulk", "timing": "scheduled", "purpose": "data"}, "batch-sync"),
    ({"purpose": "read", "copy": "no"}, "data-virtualization"),
    ({"live_screen": "yes"}, "ui-update"),
    ({"initiator": "salesforce", "long_running": "yes", "wait": "no"}, "fire-and-forget"),
]

PATTERN_AVOID = [
    ({"long_running": "yes"}, "request-reply"),
    ({"copy": "no"}, "batch-sync"),
    ({"initiator": "salesforce"}, "remote-call-in"),
]


@pytest.mark.parametrize(("answers", "expected"), PATTERN_BEST)
def test_pattern_rules_pick_the_pattern_the_guides_recommend(answers, expected):
    assert best("pattern", **answers).best.choice.id == expected


@pytest.mark.parametrize(("answers", "option"), PATTERN_AVOID)
def test_pattern_rules_rule_out_patterns_that_cannot_work(answers, option):
    assert grade_of(best("pattern", **answers), option) == "avoid"


TOPOLOGY_BEST = [
    ({"system_count": "2"}, "point-to-point"),
    ({"system_count": "3", "transform": "no", "monitoring": "no"}, "point-to-point"),
    ({"system_count": "10"}, "middleware"),
    ({"system_count": "3", "existing_middleware": "yes", "transform": "yes"}, "middleware"),
    ({"system_count": "4", "orchestration": "yes"}, "middleware"),
    ({"replay": "longer", "monitoring": "yes"}, "middleware"),
]


@pytest.mark.parametrize(("answers", "expected"), TOPOLOGY_BEST)
def test_topology_rules_weigh_system_count_and_central_needs(answers, expected):
    assert best("topology", **answers).best.choice.id == expected


EVENTS_BEST = [
    ({"reacts_to": "record-changes"}, "cdc"),
    ({"reacts_to": "business-events"}, "platform-events"),
    ({"reacts_to": "both"}, "both"),
    ({"reacts_to": "nothing"}, "none"),
    ({"reacts_to": "record-changes", "external_publishers": "yes"}, "both"),
    ({"external_publishers": "yes"}, "platform-events"),
    ({"live_screen": "yes"}, "platform-events"),
    ({}, "none"),
]


@pytest.mark.parametrize(("answers", "expected"), EVENTS_BEST)
def test_event_rules_match_the_kind_of_change(answers, expected):
    assert best("events", **answers).best.choice.id == expected


def test_change_data_capture_is_ruled_out_when_outsiders_publish():
    result = best("events", reacts_to="record-changes", external_publishers="yes")

    cdc = next(option for option in result.options if option.choice.id == "cdc")
    assert cdc.grade == "avoid"
    assert any("can't publish into it" in reason.text for reason in cdc.cons)


TRANSPORT_BEST = [
    ({}, "tls"),
    ({"partner_certs": "yes"}, "mtls"),
    ({"sensitivity": "high", "certificates": "yes"}, "mtls"),
    ({"sensitivity": "high", "certificates": "no"}, "tls"),
    ({"sensitivity": "high", "client": "spa"}, "tls"),
]


@pytest.mark.parametrize(("answers", "expected"), TRANSPORT_BEST)
def test_transport_rules_add_client_certificates_only_when_they_pay_off(answers, expected):
    assert best("transport", **answers).best.choice.id == expected


def test_required_client_certificates_rule_out_one_way_tls():
    assert grade_of(best("transport", partner_certs="yes"), "tls") == "avoid"


@pytest.mark.parametrize("scenario", SCENARIOS, ids=lambda scenario: scenario.id)
def test_each_scenario_leads_to_its_model_answer(scenario):
    recommendation = recommend(parse_permalink(scenario.to_query()))

    outcome = {result.decision.id: result.best.choice.id for result in recommendation.decisions}
    assert outcome == dict(scenario.expected)


def test_reasons_name_the_answer_that_caused_them():
    result = best("flow", person="no")

    web_server = next(option for option in result.options if option.choice.id == "web-server")
    veto = web_server.cons[0]
    assert veto.veto
    assert veto.because == "because you said no person is present"
    assert veto.source.title


def test_reasons_from_two_answers_name_both():
    result = best("events", reacts_to="record-changes", external_publishers="yes")

    assert result.best.pros[0].because == (
        "because you said others react to record changes and outside systems publish events"
    )


def test_with_nothing_answered_every_option_still_has_general_guidance():
    recommendation = recommend(parse_answers({}))

    for result in recommendation.decisions:
        for option in result.options:
            assert option.reasons
            assert all(reason.because == "" for reason in option.reasons)


def test_each_what_if_really_produces_the_winner_it_announces():
    recommendation = recommend(parse_answers({"person": "no", "client": "backend"}))

    for result in recommendation.decisions:
        for what_if in (*result.what_ifs, *result.skipped_changes):
            flipped = recommend(parse_permalink(what_if.query)).decision(result.decision.id)
            assert flipped.best.choice == what_if.winner
            assert what_if.winner != result.best.choice or result.verdict != "clear"


def test_skipped_questions_say_what_answering_them_would_change():
    result = best("transport")

    assert [(w.question.id, w.answer, w.winner.id) for w in result.skipped_changes] == [
        ("partner-certs", "Yes", "mtls")
    ]
    assert "sensitivity" in {question.id for question in result.skipped_idle}


def test_a_close_call_is_flagged_when_the_runner_up_is_within_a_point():
    tight = best(
        "flow", person="no", client="backend", secret="yes", certificates="yes", run_as="one-user"
    )
    clear = best("flow", person="yes", client="mobile", secret="no")

    assert tight.close_call
    assert tight.runner_up.choice.id == "client-credentials"
    assert not clear.close_call


def test_grades_follow_rank_and_vetoes():
    for result in recommend(parse_answers({"person": "no", "secret": "no"})).decisions:
        assert (result.options[0].grade == "best") == (result.verdict == "clear")
        assert [option.rank for option in result.options] == list(range(len(result.options)))
        assert all(option.grade == "avoid" for option in result.options if option.vetoed)


@pytest.mark.parametrize(
    ("answers", "alert_id"),
    [
        ({"password-only": "yes"}, "warn-password-caller"),
        ({"client": "spa"}, "warn-user-agent-temptation"),
        ({"wait": "yes", "reacts-to": "business-events"}, "warn-events-while-waiting"),
        ({"wait": "yes", "long-running": "yes"}, "warn-long-work-awaited"),
        ({"two-way": "yes", "reacts-to": "record-changes"}, "warn-echo-loop"),
        ({"replay": "longer"}, "warn-replay-window"),
        (
            {"system-count": "4", "existing-middleware": "no", "transform": "no"},
            "warn-point-to-point-sprawl",
        ),
        ({"person": "no", "secret": "no"}, "warn-unattended-without-credential"),
    ],
)
def test_anti_patterns_raise_warnings(answers, alert_id):
    recommendation = recommend(parse_answers(answers))

    assert alert_id in {fired.alert.id for fired in recommendation.warnings}


def test_point_to_point_sprawl_warning_goes_once_middleware_wins():
    recommendation = recommend(parse_answers({"system-count": "7", "monitoring": "yes"}))

    assert recommendation.best("topology").id == "middleware"
    assert "warn-point-to-point-sprawl" not in {f.alert.id for f in recommendation.warnings}


@pytest.mark.parametrize(
    ("answers", "check_id"),
    [
        (
            {"person": "yes", "client": "server-web", "volume": "bulk", "timing": "scheduled"},
            "check-person-flow-in-batch",
        ),
        (
            {"person": "yes", "client": "mobile", "reacts-to": "record-changes"},
            "check-subscriber-needs-machine-credential",
        ),
        (
            {"initiator": "salesforce", "wait": "no", "purpose": "process", "reacts-to": "nothing"},
            "check-fire-and-forget-without-bus",
        ),
        (
            {"person": "no", "certificates": "yes", "partner-certs": "yes"},
            "check-one-certificate-process",
        ),
    ],
)
def test_cross_checks_compare_the_winners_of_two_decisions(answers, check_id):
    recommendation = recommend(parse_answers(answers))

    assert check_id in {fired.alert.id for fired in recommendation.cross_checks}


def test_refresh_token_is_added_only_for_flows_that_issue_one_when_access_must_last():
    lasting = recommend(parse_answers({"person": "yes", "client": "mobile", "offline": "yes"}))
    machine = recommend(parse_answers({"person": "no", "offline": "yes"}))

    assert lasting.companion.applies
    assert (
        lasting.companion.because
        == "because you said the app must keep access without asking again"
    )
    assert lasting.companion.playground_path == PLAYGROUND_FLOW_PATH.format(slug="refresh-token")
    assert not machine.companion.applies
    assert "No refresh token" in machine.companion.text


def test_connection_counts_follow_n_times_n_minus_one_over_two():
    recommendation = recommend(parse_answers({"system-count": "10"}))

    assert recommendation.links is not None
    assert (recommendation.links.direct, recommendation.links.via_middleware) == (45, 10)


def test_every_rule_and_alert_cites_a_source():
    assert all(rule.source for rule in RULES)
    assert all(alert.source for alert in (*WARNINGS, *CROSS_CHECKS))


def test_each_flow_links_to_its_playground_page():
    flow = next(decision for decision in DECISIONS if decision.id == "flow")

    assert {choice.playground_path for choice in flow.choices} == {
        f"/playground/flows/{slug}/"
        for slug in (
            "web-server",
            "web-server-pkce",
            "user-agent",
            "jwt-bearer",
            "client-credentials",
            "device",
            "username-password",
            "saml-bearer",
            "asset-token",
        )
    }
