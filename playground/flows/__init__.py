"""Every flow the playground can run, registered in one place.

Adding a flow: copy a module, change its steps, add it to FLOWS, add its test file.
"""

from __future__ import annotations

from playground.flows import (
    asset_token,
    client_credentials,
    device,
    jwt_bearer,
    refresh_token,
    remote_call_in,
    saml_bearer,
    user_agent,
    username_password,
    web_server,
    web_server_pkce,
)
from playground.vocabulary import Flow

FLOWS: dict[str, Flow] = {
    flow.slug: flow
    for flow in (
        web_server_pkce.FLOW,
        web_server.FLOW,
        client_credentials.FLOW,
        refresh_token.FLOW,
        user_agent.FLOW,
        username_password.FLOW,
        asset_token.FLOW,
        device.FLOW,
        device.STANDARD_FLOW,
        jwt_bearer.FLOW,
        saml_bearer.FLOW,
        remote_call_in.FLOW,
    )
}


def get_flow(slug: str) -> Flow | None:
    return FLOWS.get(slug)
