"""Remote call-in: another system creates, reads, updates, queries and deletes a record
through the org's REST API, with a client credentials token."""

from __future__ import annotations

from playground.guides import guide_for
from playground.steps.faults import WRONG_CLIENT_SECRET
from playground.steps.records import (
    EXPIRED_TOKEN,
    MALFORMED_ID,
    MISSING_REQUIRED_FIELD,
    OVER_THE_API_LIMIT,
    WRONG_API_VERSION,
    create_step,
    delete_step,
    query_step,
    read_step,
    update_step,
)
from playground.steps.token import token_request_step
from playground.vocabulary import AppSpec, Flow

RUN_AS = "grace@handshake.example"

FLOW = Flow(
    guide=guide_for("remote-call-in"),
    app=AppSpec(grants=("client_credentials",), scopes=("api",), run_as=RUN_AS),
    intro="An order system, a portal or a middleware job keeps Salesforce records in step with "
    "its own: it calls in to the org's REST API. Here it gets a token with client credentials, "
    "then creates an Account, reads it, changes it, finds it with SOQL and deletes it. The "
    "records go to your own practice data space, next to the read-only demo records.",
    steps=(
        token_request_step(
            slug="token",
            title="Get a token for the integration",
            spec="RFC 6749 §4.4.2",
            summary="The integration posts grant_type=client_credentials with its client ID "
            "and secret in HTTP Basic. The token acts as the app's run-as user.",
            why="Everything the integration writes is recorded as the run-as user, so that "
            "user's permissions are the integration's permissions. The token response names "
            "instance_url: the API calls go there.",
            form={"grant_type": "client_credentials"},
            basic_auth=True,
            faults=(WRONG_CLIENT_SECRET,),
            differences=("client-credentials-run-as", "expires-in", "extra-token-fields"),
        ),
        create_step(faults=(MISSING_REQUIRED_FIELD,)),
        read_step(
            faults=(MALFORMED_ID,),
            why="The org filled in what the integration did not send: CreatedDate, "
            "LastModifiedDate and the user's ids. Asking only for the fields you need keeps "
            "answers small.",
        ),
        update_step(faults=(WRONG_API_VERSION,)),
        query_step(faults=(EXPIRED_TOKEN,)),
        delete_step(faults=(OVER_THE_API_LIMIT,)),
        read_step(
            slug="read-deleted",
            title="Try to read the deleted Account",
            expect_deleted=True,
            summary="The integration asks for the record it just deleted.",
            why="A deleted record answers 404 ENTITY_IS_DELETED rather than NOT_FOUND: the id "
            "was real. A sync job that sees it should delete its own copy too.",
        ),
    ),
)
